package omp

import (
	"github.com/vatgate/vatgate/internal/money"
)

// RULES §3: goods arriving in the EU VAT territory, and Northern Ireland
// (E10). Legal basis: Directive 2006/112/EC as amended by Directives (EU)
// 2017/2455 and 2019/1995, Implementing Regulation 282/2011.

var (
	euLowValue      = money.MustParse("150")   // Art. 14a(1), Art. 143(1)(ca): intrinsic value ≤ EUR 150
	euDistanceLimit = money.MustParse("10000") // Art. 59c
	ecommerceStart  = date(2021, 7, 1)         // Directive (EU) 2017/2455 applicable
	euDutyNote      = date(2026, 7, 1)         // RULES §13: EUR 3 customs duty per item category
	vidaReverse     = date(2028, 7, 1)         // Directive (EU) 2025/516: mandatory B2B reverse charge
	vidaOSS         = date(2027, 1, 1)         // RULES §13: 10k threshold counts only supplies from the MS of establishment
)

// e9ReverseCharge: Member States applying Art. 194 to plain goods supplies
// by non-established suppliers before ViDA (RULES §3 E9, [UNCERTAIN]).
var e9ReverseCharge = map[string]bool{"BEL": true, "ESP": true, "FRA": true, "GRC": true, "ITA": true, "NLD": true, "POL": true, "PRT": true}

func (ev *eval) euGoods(ln line) (outcome, error) {
	f := ev.f
	a, d := f.arrival, f.departure
	ni := a.ni // E10: EU rules for goods, jurisdiction GBR, UK rates
	jur := a.country
	if ni {
		jur = "GBR"
	}
	// §1.5: imported when dispatch starts outside the EU VAT territory. For
	// Northern Ireland, Great Britain and the Isle of Man are the same UK
	// VAT territory, so GB -> NI is not an import ([CONVENTION] of this
	// package: RULES §3 E10 says only "as E1-E9").
	ukInternal := ni && vatArea(d.country) == "GBR"
	imported := !d.inEUGoods(!f.date.Before(windsor)) && !ukInternal
	depJur := d.country
	if d.tt != nil && d.tt.swiss {
		depJur = "CHE" // Büsingen: Swiss VAT territory
	}
	id := func(r string) string {
		if ni {
			return "NI-" + r
		}
		return "EU-" + r
	}
	sec := func(r string) string {
		if ni {
			return "§3 E10 (" + r + ")"
		}
		return "§3 " + r
	}
	niNote := func(b *builder) *builder {
		if ni {
			b.note("Northern Ireland: EU VAT rules for goods under the Windsor Framework, UK rates, jurisdiction GBR (RULES §1.2, §3 E10)")
		}
		return b
	}

	if f.date.Before(ecommerceStart) {
		// RULES §3 [CONVENTION] for D < 2021-07-01.
		if imported {
			b := niNote(ev.rule(id("PRE2021"), sec("before 2021-07-01"),
				"import before the 2021 e-commerce package: import VAT at the border, EUR 22 relief ignored ([CONVENTION])"))
			return b.commercial(TaxVAT, jur, b.countryRate(jur, jur, "arrival_country"), "EUR").done()
		}
		if !f.b2b {
			dj := d.country
			if d.ni {
				dj = "GBR"
			}
			b := niNote(ev.rule(id("PRE2021"), sec("before 2021-07-01"),
				"B2C supply within the EU before the 2021 e-commerce package: vendor charges VAT at the departure rate, old distance-selling thresholds unknown ([CONVENTION])"))
			return b.leg(VendorCustomer, VATInvoice, TaxVAT, dj, b.countryRate(dj, dj, "departure_country")).done()
		}
	}

	if imported {
		if f.b2b {
			b := niNote(ev.rule(id("E1"), sec("E1"),
				"import B2B: no deeming (Art. 14a covers supplies to non-taxable persons only); import VAT due at customs from the importer, IOSS not available"))
			return b.commercial(TaxVAT, jur, b.countryRate(jur, jur, "arrival_country"), "EUR").done()
		}
		b := ev.rule("", "", "")
		low := !b.excluded(ln, "IOSS / Art. 14a(1)") &&
			b.within("EU low-value consignment: intrinsic value (Art. 14a(1), Art. 143(1)(ca) Directive 2006/112/EC)", f.goodsValue, euLowValue, "EUR", false)
		niNote(b)
		if low && !f.date.Before(euDutyNote) {
			b.note("from 2026-07-01 a flat EUR 3 customs duty per item category applies to consignments under EUR 150 (Council, 11 Feb 2026; RULES §13): customs only, VAT answer unchanged")
		}
		switch {
		case low && f.ioss:
			b.o.rule, b.o.section = id("E2"), sec("E2")
			b.o.reason = "import ≤ EUR 150 with IOSS: Art. 14a(1) deemed supplier, two legs; vendor→marketplace supply outside the EU (Art. 36b), marketplace→customer taxed where dispatch ends (Art. 33(c)), import exempt (Art. 143(1)(ca))"
			b.leg(VendorMarketplace, VATInvoice, TaxVAT, depJur, zero)
			b.note("leg 1 is out of scope of EU VAT, rendered as VAT_invoice 0 %% in the departure country (RULES §17.5)")
			return b.leg(MarketplaceCustomer, VATInvoice, TaxVAT, jur, b.countryRate(jur, jur, "arrival_country")).done()
		case low:
			b.o.rule, b.o.section = id("E3"), sec("E3")
			b.o.reason = "import ≤ EUR 150 without IOSS: import not exempt, import VAT collected at the border (standard procedure or special arrangements, Art. 369y); the API's documented commercial invoice ([CONVENTION])"
			return b.commercial(TaxVAT, jur, b.countryRate(jur, jur, "arrival_country"), "EUR").done()
		default:
			b.o.rule, b.o.section = id("E4"), sec("E4")
			b.o.reason = "import > EUR 150 (or excise goods): outside IOSS and Art. 14a(1); customs duty and import VAT at the border"
			return b.commercial(TaxVAT, jur, b.countryRate(jur, jur, "arrival_country"), "EUR").done()
		}
	}

	// Goods in the EU (or Northern Ireland) at the time of sale.
	same := vatArea(d.country) == vatArea(a.country) || ukInternal
	if d.ni && ni {
		same = true
	}
	depRateCode := d.country
	if d.ni {
		depJur, depRateCode = "GBR", "GBR"
	}
	vendorEstablished := euMember(vatArea(f.vendor)) || (ni && vatArea(f.vendor) == "GBR")

	if f.b2b {
		if !same {
			b := niNote(ev.rule(id("E8"), sec("E8"),
				"intra-Community supply B2B: exempt in the departure Member State (Art. 138), acquisition taxed by the customer at arrival; marketplace not deemed"))
			return b.leg(VendorCustomer, ReverseChargeInvoice, TaxVAT, jur, zero).done()
		}
		localVendor := vatArea(f.vendor) == vatArea(a.country) || (ni && vatArea(f.vendor) == "GBR")
		switch {
		case localVendor:
			b := niNote(ev.rule(id("E9"), sec("E9"), "domestic B2B supply by a vendor established in the Member State"))
			return b.leg(VendorCustomer, VATInvoice, TaxVAT, jur, b.countryRate(jur, jur, "arrival_country")).done()
		case !f.date.Before(vidaReverse):
			b := niNote(ev.rule(id("E9"), sec("E9"),
				"domestic B2B supply by a non-established vendor from 2028-07-01: mandatory reverse charge (ViDA, Directive (EU) 2025/516)"))
			return b.leg(VendorCustomer, ReverseChargeInvoice, TaxVAT, jur, zero).done()
		case !ni && e9ReverseCharge[vatArea(a.country)]:
			b := ev.rule(id("E9"), sec("E9"),
				"domestic B2B supply by a non-established vendor: the Member State shifts liability to the customer (Art. 194)")
			b.note("[UNCERTAIN] list of Member States applying Art. 194 to goods supplies by non-established suppliers (BEL, ESP, FRA, GRC, ITA, NLD, POL, PRT; RULES §3 E9)")
			return b.leg(VendorCustomer, ReverseChargeInvoice, TaxVAT, jur, zero).done()
		default:
			b := niNote(ev.rule(id("E9"), sec("E9"),
				"domestic B2B supply by a non-established vendor: the Member State does not apply Art. 194, the vendor charges VAT"))
			if !ni {
				b.note("[UNCERTAIN] Art. 194 list of RULES §3 E9 does not include %s", a.country)
			}
			return b.leg(VendorCustomer, VATInvoice, TaxVAT, jur, b.countryRate(jur, jur, "arrival_country")).done()
		}
	}

	if !vendorEstablished {
		b := niNote(ev.rule(id("E5"), sec("E5"),
			"goods in the EU sold B2C by a vendor not established in the EU: Art. 14a(2) deemed supplier, any value; vendor→marketplace supply exempt (Art. 136a) where dispatch starts, marketplace→customer taxed at arrival (Art. 33(a)) or domestically"))
		b.note("the EUR 10,000 threshold of Art. 59c is not applied to the deemed supplier ([CONVENTION], RULES §3 E5)")
		b.leg(VendorMarketplace, VATInvoice, TaxVAT, depJur, zero)
		return b.leg(MarketplaceCustomer, VATInvoice, TaxVAT, jur, b.countryRate(jur, jur, "arrival_country")).done()
	}
	if same {
		b := niNote(ev.rule(id("E6"), sec("E6"), "domestic B2C supply by an EU-established vendor: no deeming"))
		return b.leg(VendorCustomer, VATInvoice, TaxVAT, jur, b.countryRate(jur, jur, "arrival_country")).done()
	}
	// E7: intra-EU distance sale; Art. 59c keeps the departure Member State
	// only with the optional §17.6 fields.
	b := niNote(ev.rule(id("E7"), sec("E7"), ""))
	if !f.date.Before(vidaOSS) {
		b.note("from 2027-01-01 the EUR 10,000 threshold counts only supplies from the Member State of establishment (ViDA, RULES §13)")
	}
	home := false
	if f.distanceSales != nil && vatArea(f.vendor) == vatArea(depRateCode) {
		under := f.distanceSales.LessThanOrEqual(euDistanceLimit)
		b.o.thresholds = append(b.o.thresholds, Threshold{Name: "Art. 59c: vendor's EU distance sales of goods and TBE services, current and previous year",
			Threshold: euDistanceLimit, Currency: "EUR", Comparison: "<=", Value: *f.distanceSales, ValueCurrency: "EUR",
			ConvertedValue: *f.distanceSales, Result: under})
		home = under && !f.destinationOption
		if under && f.destinationOption {
			b.note("vendor opted for taxation at destination (vendor_destination_option)")
		}
	} else if f.distanceSales == nil {
		b.note("vendor_eu_distance_sales_eur not given: the EUR 10,000 threshold of Art. 59c is taken as exceeded ([CONVENTION], RULES §3 E7, §17.6)")
	}
	if home {
		b.o.reason = "intra-EU distance sale B2C under EUR 10,000 (Art. 59c): taxed in the departure Member State"
		return b.leg(VendorCustomer, VATInvoice, TaxVAT, depJur, b.countryRate(depRateCode, depJur, "departure_country")).done()
	}
	b.o.reason = "intra-EU distance sale B2C: taxed where dispatch ends (Art. 33(a))"
	return b.leg(VendorCustomer, VATInvoice, TaxVAT, jur, b.countryRate(jur, jur, "arrival_country")).done()
}

// thirdTerritory answers goods arriving in a part of an EU country outside
// the EU VAT territory (RULES §1.2: "treat as third territories"). The
// sale leaves the EU VAT territory (or stays inside the territory); what
// the territory levies is this package's [CONVENTION], see territory.
func (ev *eval) thirdTerritory(ln line) (outcome, error) {
	f := ev.f
	t := f.arrival.tt
	if t.swiss {
		o, err := ev.swiss(ln, "CHE")
		o.notes = append(o.notes, "arrival postal code "+f.arrival.zip+" is in "+t.name+": "+t.source)
		return o, err
	}
	b := ev.rule("EU-TT", "§1.2", "")
	b.note("arrival postal code %s is in %s, outside the EU VAT territory: %s", f.arrival.zip, t.name, t.source)
	jur := f.arrival.country
	if t.noVAT {
		b.o.reason = t.name + " is outside the EU VAT territory and levies no VAT (RULES §1.2, third territory)"
		return b.leg(VendorCustomer, ExemptedInvoice, TaxVAT, jur, zero).done()
	}
	pct := b.territoryRate(t, jur)
	if f.departure.tt == t {
		b.o.reason = "supply within " + t.name + ", outside the EU VAT territory (RULES §1.2): local tax"
		return b.leg(VendorCustomer, VATInvoice, TaxVAT, jur, pct).done()
	}
	b.o.reason = "goods sent into " + t.name + ", outside the EU VAT territory (RULES §1.2): imported there, tax collected at its border"
	return b.commercial(TaxVAT, jur, pct, "EUR").done()
}

func (b *builder) territoryRate(t *territory, jur string) money.Decimal {
	if t.rateOf != "" {
		return b.countryRate(t.rateOf, jur, "arrival_zip")
	}
	b.o.rates = append(b.o.rates, RateUse{Jurisdiction: jur + " (" + t.name + ")", Percent: *t.rate, Kind: "territory",
		Sources: []string{t.source}, Uncertain: t.uncertain})
	return *t.rate
}
