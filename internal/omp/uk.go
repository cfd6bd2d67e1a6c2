package omp

import "github.com/vatgate/vatgate/internal/money"

// RULES §4: goods arriving in Great Britain (Northern Ireland is §3 E10).
// Legal basis: VAT Act 1994 s.5A (online marketplaces) and s.7 (≤ £135
// consignments, HMRC VATREG37210); GOV.UK "VAT and overseas goods sold to
// customers in the UK using online marketplaces".

var (
	ukLowValue = money.MustParse("135")
	ukStart    = date(2021, 1, 1)
)

func (ev *eval) ukGoods(ln line) (outcome, error) {
	f := ev.f
	a, d := f.arrival, f.departure
	jur := a.country // GBR, or IMN (inside the UK VAT area, §1.2)
	if f.date.Before(ukStart) {
		// "Applies from 2021-01-01 (before: EU rules / LVCR £15 - out of
		// scope)": answered by the generic rules ([CONVENTION] of this package).
		o, err := ev.generic(ln)
		o.notes = append(o.notes, "before 2021-01-01 the UK marketplace rules did not apply (RULES §4: out of scope); generic rules used")
		return o, err
	}
	if vatArea(d.country) != "GBR" {
		b := ev.rule("", "", "")
		low := !b.excluded(ln, "the £135 consignment rule") &&
			b.within("UK low-value consignment ≤ £135 (VAT Act 1994 s.7, VATREG37210)", f.goodsValue, ukLowValue, "GBP", false)
		switch {
		case low && f.b2b:
			b.o.rule, b.o.section = "UK-U2", "§4 U2"
			b.o.reason = "goods outside the UK ≤ £135 sold to a UK VAT-registered business: the customer accounts for VAT by reverse charge; the marketplace is not liable"
			return b.leg(VendorCustomer, ReverseChargeInvoice, TaxVAT, jur, zero).done()
		case low:
			b.o.rule, b.o.section = "UK-U1", "§4 U1"
			b.o.reason = "goods outside the UK ≤ £135 sold B2C: the marketplace is liable for supply VAT at the point of sale (VAT Act 1994 s.5A), no import VAT; the seller's supply to it is outside the UK"
			b.note("leg 1 is outside the scope of UK VAT, rendered as VAT_invoice 0 %% in the departure country ([CONVENTION], RULES §4 U1, §17.5)")
			b.leg(VendorMarketplace, VATInvoice, TaxVAT, d.country, zero)
			return b.leg(MarketplaceCustomer, VATInvoice, TaxVAT, jur, b.countryRate(jur, jur, "arrival_country")).done()
		default:
			b.o.rule, b.o.section = "UK-U3", "§4 U3"
			b.o.reason = "goods outside the UK > £135 (or excise goods): import VAT and duty at the border"
			return b.commercial(TaxVAT, jur, b.countryRate(jur, jur, "arrival_country"), "GBP").done()
		}
	}
	if vatArea(f.vendor) != "GBR" {
		if f.b2b {
			b := ev.rule("UK-U5", "§4 U5", "goods in the UK sold by an overseas seller to a business: the marketplace rule does not apply, the seller charges UK VAT")
			b.note("[UNCERTAIN] RULES §4 U5")
			return b.leg(VendorCustomer, VATInvoice, TaxVAT, jur, b.countryRate(jur, jur, "arrival_country")).done()
		}
		b := ev.rule("UK-U4", "§4 U4", "goods in the UK sold B2C by an overseas seller: the marketplace is liable for any value (VAT Act 1994 s.5A); the seller's deemed supply to it is zero-rated")
		b.leg(VendorMarketplace, VATInvoice, TaxVAT, d.country, zero)
		return b.leg(MarketplaceCustomer, VATInvoice, TaxVAT, jur, b.countryRate(jur, jur, "arrival_country")).done()
	}
	b := ev.rule("UK-U6", "§4 U6", "goods in the UK sold by a UK-established vendor: the vendor charges UK VAT")
	return b.leg(VendorCustomer, VATInvoice, TaxVAT, jur, b.countryRate(jur, jur, "arrival_country")).done()
}
