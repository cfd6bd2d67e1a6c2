package omp

import "github.com/vatgate/vatgate/internal/money"

// RULES §6: Switzerland and Liechtenstein, platform taxation from
// 2025-01-01. Legal basis: VAT Act (MWSTG) Art. 20a (deemed supplier),
// Art. 23(2) no. 13 (exempt supply to the platform), Art. 7(3) (mail-order
// rule), VAT Ordinance Art. 43a; ESTV "Electronic platforms".

var (
	chPlatformStart = date(2025, 1, 1)
	chImportMinimum = money.MustParse("5") // import VAT below CHF 5 is not levied
)

// swiss answers goods arriving in the Swiss VAT territory; jur is CHE, or
// LIE when the arrival is Liechtenstein ([CONVENTION] RULES §6), always at
// Swiss rates.
func (ev *eval) swiss(ln line, jur string) (outcome, error) {
	f := ev.f
	d := f.departure
	inCH := vatArea(d.country) == "CHE" || (d.tt != nil && d.tt.swiss)
	depJur := d.country
	if d.tt != nil && d.tt.swiss {
		depJur = "CHE"
	}
	if !f.date.Before(chPlatformStart) {
		if inCH {
			b := ev.rule("CH-S1", "§6 S1", "goods in Switzerland/Liechtenstein sold through a platform: the platform is the deemed supplier (Art. 20a MWSTG), any purchaser; the seller's supply to it is exempt (Art. 23(2) no. 13)")
			b.leg(VendorMarketplace, VATInvoice, TaxVAT, depJur, zero)
			return b.leg(MarketplaceCustomer, VATInvoice, TaxVAT, jur, b.countryRate("CHE", jur, "arrival_country")).done()
		}
		if f.mpRegistered {
			b := ev.rule("CH-S2", "§6 S2", "goods imported through a platform (Art. 20a MWSTG): the first supply is located abroad; the platform's supply is Swiss as a registered mail-order business (Art. 7(3)) ([CONVENTION] assumed)")
			b.leg(VendorMarketplace, VATInvoice, TaxVAT, depJur, zero)
			return b.leg(MarketplaceCustomer, VATInvoice, TaxVAT, jur, b.countryRate("CHE", jur, "arrival_country")).done()
		}
		o, err := ev.swissImport(jur, "CH-S2", "§6 S2", "goods imported through a platform not registered as a mail-order business (marketplace_registered false): the platform's supply is not Swiss, import VAT at the border")
		return o, err
	}
	if inCH {
		b := ev.rule("CH-S3", "§6 S3", "before platform taxation (2025-01-01): goods in Switzerland, the seller charges Swiss VAT")
		return b.leg(VendorCustomer, VATInvoice, TaxVAT, jur, b.countryRate("CHE", jur, "arrival_country")).done()
	}
	return ev.swissImport(jur, "CH-S3", "§6 S3", "before platform taxation (2025-01-01): goods imported, import VAT at the border")
}

// swissImport is a commercial invoice; import VAT under CHF 5 is not levied
// ([CONVENTION] RULES §6 S3: vat_percent 0). The import VAT base is the
// order amount, goods and transport (MWSTG Art. 54(1), (3)).
func (ev *eval) swissImport(jur, rule, section, reason string) (outcome, error) {
	f := ev.f
	b := ev.rule(rule, section, reason)
	pct := b.countryRate("CHE", jur, "arrival_country")
	base := f.goodsValue.Add(f.shipping)
	conv, x, err := ev.convert(base, "CHF")
	if err != nil {
		return outcome{}, err
	}
	tax := conv.Mul(pct).Div(hundred)
	levied := !tax.LessThan(chImportMinimum)
	b.o.thresholds = append(b.o.thresholds, Threshold{Name: "Swiss import VAT of at least CHF 5 is levied (converted_value: the import VAT on goods and shipping)",
		Threshold: chImportMinimum, Currency: "CHF", Comparison: "<", Value: base, ValueCurrency: f.currency,
		ConvertedValue: tax.Round(4), Exchange: x, Result: !levied})
	if !levied {
		b.note("import VAT below CHF 5 is not levied: vat_percent 0 ([CONVENTION] RULES §6 S3)")
		pct = zero
	}
	return b.commercial(TaxVAT, jur, pct, "CHF").done()
}
