package omp

import "github.com/vatgate/vatgate/internal/money"

// RULES §7: Australia, New Zealand, Singapore: a single deemed supplier for
// low-value imports.

var (
	auLowValue = money.MustParse("1000") // per consignment, customs value
	auStart    = date(2018, 7, 1)
	nzLowValue = money.MustParse("1000") // per item
	nzStart    = date(2019, 12, 1)
	sgLowValue = money.MustParse("400") // per item [UNCERTAIN]
	sgStart    = date(2023, 1, 1)
)

// australia is §7.1. Sources: ATO "GST on low value imported goods –
// information for operators of electronic distribution platforms"; LCR 2018/1.
func (ev *eval) australia(ln line) (outcome, error) {
	f := ev.f
	if f.departure.country == "AUS" {
		b := ev.rule("AU-A4", "§7.1 A4", "goods already in Australia: the EDP low-value rules do not apply, the vendor charges GST ([CONVENTION])")
		return b.leg(VendorCustomer, VATInvoice, TaxGST, "AUS", b.countryRate("AUS", "AUS", "arrival_country")).done()
	}
	b := ev.rule("", "", "")
	low := !b.excluded(ln, "the Australian low value goods rules") &&
		b.within("Australian low value goods: customs value of the consignment ≤ AUD 1,000 (ATO EDP rules, LCR 2018/1)", f.goodsValue, auLowValue, "AUD", false)
	switch {
	case !low:
		b.o.rule, b.o.section, b.o.reason = "AU-A3", "§7.1 A3", "consignment above AUD 1,000 (or tobacco/alcohol): GST collected at the border"
		return b.commercial(TaxGST, "AUS", b.countryRate("AUS", "AUS", "arrival_country"), "AUD").done()
	case f.b2b:
		b.o.rule, b.o.section, b.o.reason = "AU-A2", "§7.1 A2", "B2B (ABN and GST-registered): the supply is not connected with Australia; GST only by reverse charge ([CONVENTION])"
		return b.leg(VendorCustomer, ReverseChargeInvoice, TaxGST, "AUS", zero).done()
	case f.date.Before(auStart):
		b.o.rule, b.o.section, b.o.reason = "AU-PRE2018", "§7.1", "before 2018-07-01: low value imports relieved of GST at the border ([CONVENTION] of this package, as SGP G4)"
		return b.commercial(TaxGST, "AUS", zero, "AUD").done()
	default:
		b.o.rule, b.o.section, b.o.reason = "AU-A1", "§7.1 A1", "B2C consignment ≤ AUD 1,000 through an electronic distribution platform: the EDP operator is treated as the supplier (single deemed supplier)"
		return b.leg(MarketplaceCustomer, VATInvoice, TaxGST, "AUS", b.countryRate("AUS", "AUS", "arrival_country")).done()
	}
}

// newZealand is §7.2. Sources: IRD "What low-value goods are", "Who needs to
// charge GST - merchants"; NZ Customs notice of 12 July 2019.
func (ev *eval) newZealand(ln line) (outcome, error) {
	f := ev.f
	if f.departure.country == "NZL" {
		b := ev.rule("NZ-DOM", "§7.2", "goods already in New Zealand: the vendor charges GST ([CONVENTION] of this package, as AUS A4)")
		return b.leg(VendorCustomer, VATInvoice, TaxGST, "NZL", b.countryRate("NZL", "NZL", "arrival_country")).done()
	}
	b := ev.rule("", "", "")
	low := !b.excluded(ln, "the New Zealand low-value goods rules") &&
		b.within("New Zealand low-value goods: value of one item ≤ NZD 1,000 (IRD)", ln.unit, nzLowValue, "NZD", false)
	switch {
	case !low:
		b.o.rule, b.o.section, b.o.reason = "NZ-Z2", "§7.2 Z2", "item above NZD 1,000 (or excise goods): GST collected at the border"
		return b.commercial(TaxGST, "NZL", b.countryRate("NZL", "NZL", "arrival_country"), "NZD").done()
	case f.b2b:
		b.o.rule, b.o.section, b.o.reason = "NZ-Z3", "§7.2 Z3", "B2B: excluded from the low-value goods rules unless the supplier opts; reverse charge ([CONVENTION])"
		return b.leg(VendorCustomer, ReverseChargeInvoice, TaxGST, "NZL", zero).done()
	case f.date.Before(nzStart):
		b.o.rule, b.o.section, b.o.reason = "NZ-PRE2019", "§7.2", "before 2019-12-01: low-value imports relieved of GST at the border ([CONVENTION] of this package, as SGP G4)"
		return b.commercial(TaxGST, "NZL", zero, "NZD").done()
	default:
		b.o.rule, b.o.section, b.o.reason = "NZ-Z1", "§7.2 Z1", "B2C item ≤ NZD 1,000: the marketplace is responsible for GST (single deemed supplier)"
		return b.leg(MarketplaceCustomer, VATInvoice, TaxGST, "NZL", b.countryRate("NZL", "NZL", "arrival_country")).done()
	}
}

// singapore is §7.3. Sources: IRAS "GST on imports of low-value goods"; IRAS
// e-Tax Guide "Taxing imported low-value goods by way of the overseas vendor
// registration regime" (30 Jul 2021). "Delivered by air or post" is assumed ([CONVENTION] of this
// package: the API does not say).
func (ev *eval) singapore(ln line) (outcome, error) {
	f := ev.f
	if f.departure.country == "SGP" {
		b := ev.rule("SG-DOM", "§7.3", "goods already in Singapore: not low-value goods, the vendor charges GST ([CONVENTION] of this package, as AUS A4)")
		return b.leg(VendorCustomer, VATInvoice, TaxGST, "SGP", b.countryRate("SGP", "SGP", "arrival_country")).done()
	}
	b := ev.rule("", "", "")
	low := !b.excluded(ln, "the Singapore low-value goods rules") &&
		b.within("Singapore low-value goods: value ≤ SGD 400, assessed per item ([UNCERTAIN] RULES §7.3)", ln.unit, sgLowValue, "SGD", false)
	switch {
	case !low:
		b.o.rule, b.o.section, b.o.reason = "SG-G3", "§7.3 G3", "above SGD 400 (or dutiable goods): GST collected at the border"
		return b.commercial(TaxGST, "SGP", b.countryRate("SGP", "SGP", "arrival_country"), "SGD").done()
	case f.date.Before(sgStart):
		b.o.rule, b.o.section, b.o.reason = "SG-G4", "§7.3 G4", "before 2023-01-01, ≤ SGD 400: import relief"
		return b.commercial(TaxGST, "SGP", zero, "SGD").done()
	case f.b2b:
		b.o.rule, b.o.section, b.o.reason = "SG-G2", "§7.3 G2", "B2B: GST-registered business buyers self-account (reverse charge)"
		return b.leg(VendorCustomer, ReverseChargeInvoice, TaxGST, "SGP", zero).done()
	default:
		b.o.rule, b.o.section, b.o.reason = "SG-G1", "§7.3 G1", "B2C ≤ SGD 400: the electronic marketplace operator is the deemed supplier (single deemed supplier)"
		return b.leg(MarketplaceCustomer, VATInvoice, TaxGST, "SGP", b.countryRate("SGP", "SGP", "arrival_country")).done()
	}
}
