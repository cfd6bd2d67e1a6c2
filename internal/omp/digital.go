package omp

import "cloud.google.com/go/civil"

// RULES §9: digital services (item_code present). EU customer: place of
// supply of B2C electronically supplied services is the customer's Member
// State (Art. 58 Directive 2006/112/EC), B2B the customer's establishment
// (Art. 44, reverse charge Art. 196); a platform taking part in the supply
// is presumed to act in its own name (Art. 28; Art. 9a Implementing
// Regulation 282/2011) [CONVENTION: the presumption applies].

// platformStart: destinations with a platform deemed-supplier rule for
// remote/digital services and the date it applies from (RULES §9.2). A
// zero date: in force on every date the data covers.
var platformStart = map[string]struct {
	from   civil.Date
	source string
}{
	"GBR": {civil.Date{}, "UK platform rule for digital services"},
	"NOR": {civil.Date{}, "VOEC remote services (all remote services from 2023-01-01)"},
	"AUS": {date(2017, 7, 1), "ATO EDP rules for imported services, 2017-07-01"},
	"NZL": {date(2016, 10, 1), "IRD remote services, 2016-10-01"},
	"SGP": {date(2020, 1, 1), "IRAS overseas vendor registration, digital services 2020-01-01, remote services 2023-01-01"},
	"CAN": {caPlatformStart, "Excise Tax Act digital economy measures, 2021-07-01 (QC QST 2019-01-01)"},
	"JPN": {jpPlatformStart, "NTA platform taxation, 2025-04-01"},
}

func (ev *eval) digital(ln line) (outcome, error) {
	f := ev.f
	a := f.arrival
	note := func(b *builder) *builder {
		return b.note("item_code %q: digital service (RULES §1.4)", ln.itemCode)
	}
	switch {
	case a.tt != nil && a.tt.swiss:
		return ev.digitalNoPlatform(ln, "CHE")
	case a.tt != nil:
		b := note(ev.rule("DIG-9.2", "§9.2", ""))
		b.note("arrival postal code %s is in %s, outside the EU VAT territory: %s", a.zip, a.tt.name, a.tt.source)
		if a.tt.noVAT {
			b.o.reason = a.tt.name + " levies no VAT: no platform rule, nothing to charge"
			return b.leg(VendorCustomer, ExemptedInvoice, TaxVAT, a.country, zero).done()
		}
		b.o.reason = "customer in " + a.tt.name + ", outside the EU VAT territory without a platform rule: the vendor charges the local tax (RULES §9.2)"
		return b.leg(VendorCustomer, VATInvoice, TaxVAT, a.country, b.territoryRate(a.tt, a.country)).done()
	case euMember(vatArea(a.country)):
		return ev.digitalEU(ln)
	case a.country == "USA":
		// RULES §9.2 gives no rule for the USA, which has no national rate;
		// §12 says the USA is "handled in §10": sales tax by state
		// ([CONVENTION] of this package).
		o, err := ev.unitedStates(ln)
		o.notes = append(o.notes, "digital service to the USA: state sales tax rules of §10 ([CONVENTION] of this package; RULES §9.2 has no US rule)")
		return o, err
	case vatArea(a.country) == "CHE":
		return ev.digitalNoPlatform(ln, a.country)
	}
	dest := vatArea(a.country)
	ps, hasRule := platformStart[dest]
	if !hasRule || f.date.Before(ps.from) {
		return ev.digitalNoPlatform(ln, a.country)
	}
	jur := a.country
	if dest == "CAN" {
		jur = "CAN-" + a.state
	}
	b := note(ev.rule("DIG-9.2", "§9.2", ""))
	b.note("platform rule: %s", ps.source)
	switch {
	case dest == "JPN" && f.vendor == "JPN":
		b.o.rule, b.o.section, b.o.reason = "JP-J1", "§11 J1", "digital service by a Japanese vendor: domestic supply, the vendor charges consumption tax ([CONVENTION] of this package; J1 covers foreign vendors)"
		return b.leg(VendorCustomer, VATInvoice, TaxConsumption, jur, b.countryRate("JPN", jur, "arrival_country")).done()
	case dest == "JPN" && f.b2b:
		b.o.rule, b.o.section, b.o.reason = "JP-J2", "§11 J2", "business-oriented digital service: the Japanese business customer accounts by reverse charge"
		return b.leg(VendorCustomer, ReverseChargeInvoice, TaxConsumption, jur, zero).done()
	case dest == "JPN" && !f.mpRegistered:
		b.o.rule, b.o.section, b.o.reason = "JP-J1", "§11 J1", "platform not designated (marketplace_registered false): the foreign vendor charges consumption tax"
		return b.leg(VendorCustomer, VATInvoice, TaxConsumption, jur, b.countryRate("JPN", jur, "arrival_country")).done()
	case dest == "JPN":
		b.o.rule, b.o.section, b.o.reason = "JP-J1", "§11 J1", "digital service B2C by a foreign vendor through a designated platform (> JPY 5 bn): the platform is the deemed supplier from 2025-04-01"
		return b.leg(MarketplaceCustomer, VATInvoice, TaxConsumption, jur, b.countryRate("JPN", jur, "arrival_country")).done()
	case f.b2b:
		b.o.reason = "B2B digital service to a destination with a platform rule: the business customer self-accounts (reverse charge) ([CONVENTION] RULES §9.2)"
		tt := ev.taxTypeOf(dest)
		if dest == "CAN" {
			tt, _ = b.province(a.state, jur, false)
			b.o.rates = b.o.rates[:len(b.o.rates)-1]
		}
		return b.leg(VendorCustomer, ReverseChargeInvoice, tt, jur, zero).done()
	case dest == "CAN":
		b.o.reason = "B2C digital service through a distribution platform operator: the operator is the deemed supplier (single) ([CONVENTION] RULES §9.2)"
		withPST := false
		if from, _, ok := ev.e.rates.MarketplaceFacilitatorFrom(a.state, true); ok {
			withPST = !f.date.Before(from)
		}
		tt, pct := b.province(a.state, jur, withPST)
		return b.leg(MarketplaceCustomer, VATInvoice, tt, jur, pct).done()
	default:
		b.o.reason = "B2C digital service to a destination with a platform deemed-supplier rule: the marketplace is the single deemed supplier ([CONVENTION] RULES §9.2)"
		return b.leg(MarketplaceCustomer, VATInvoice, ev.taxTypeOf(dest), jur, b.countryRate(a.country, jur, "arrival_country")).done()
	}
}

// digitalNoPlatform: a destination without a platform rule for services on
// D (Switzerland: Art. 20a MWSTG covers goods only): the vendor registers
// and charges the destination's standard rate (RULES §9.2).
func (ev *eval) digitalNoPlatform(ln line, country string) (outcome, error) {
	f := ev.f
	b := ev.rule("DIG-9.2", "§9.2", "digital service to a destination without a platform rule for services on the date: the vendor charges the destination's tax (RULES §9.2)")
	b.note("item_code %q: digital service (RULES §1.4)", ln.itemCode)
	rateCode := country
	if vatArea(country) == "CHE" {
		rateCode = "CHE"
		b.o.reason = "digital service to Switzerland/Liechtenstein: no platform rule for services (Art. 20a MWSTG covers goods only), the vendor is liable (RULES §9.2)"
	}
	if vatArea(country) == "CAN" {
		jur := "CAN-" + f.arrival.state
		tt, pct := b.province(f.arrival.state, jur, true)
		return b.leg(VendorCustomer, VATInvoice, tt, jur, pct).done()
	}
	if c, ok := ev.e.rates.Country(rateCode); ok && c.NoVAT {
		b.o.reason = country + " levies no VAT (RULES §12 X2)"
		b.o.rates = append(b.o.rates, RateUse{Jurisdiction: country, Percent: zero, Kind: "no_vat", Sources: c.Sources, Uncertain: c.Uncertain})
		return b.leg(VendorCustomer, ExemptedInvoice, ev.taxTypeOf(country), country, zero).done()
	}
	return b.leg(VendorCustomer, VATInvoice, ev.taxTypeOf(country), country, b.countryRate(rateCode, country, "arrival_country")).done()
}

// digitalEU is RULES §9.1: two legs through the marketplace.
func (ev *eval) digitalEU(ln line) (outcome, error) {
	f := ev.f
	a := f.arrival
	b := ev.rule("DIG-9.1", "§9.1", "")
	b.note("item_code %q: digital service (RULES §1.4)", ln.itemCode)
	mp := f.marketplace
	// Leg 1, vendor -> marketplace (B2B): place of supply where the
	// marketplace is established (Art. 44).
	if vatArea(f.vendor) != vatArea(mp) {
		b.leg(VendorMarketplace, ReverseChargeInvoice, TaxVAT, mp, zero)
	} else if c, ok := ev.e.rates.Country(mp); ok && c.NoVAT {
		b.note("leg 1: %s levies no VAT", mp)
		b.leg(VendorMarketplace, VATInvoice, TaxVAT, mp, zero)
	} else {
		b.leg(VendorMarketplace, VATInvoice, TaxVAT, mp, b.countryRate(mp, mp, "marketplace_establishment_country_id"))
	}
	// Leg 2, marketplace -> customer.
	switch {
	case !f.b2b:
		b.o.reason = "digital service B2C to an EU customer: taxed in the customer's Member State (Art. 58); the platform is presumed to supply in its own name (Art. 28, Art. 9a Reg. 282/2011), two legs"
		b.note("EU sellers under the EUR 10,000 threshold of Art. 59c may charge home VAT: ignored by default (RULES §9.1)")
		return b.leg(MarketplaceCustomer, VATInvoice, TaxVAT, a.country, b.countryRate(a.country, a.country, "arrival_country")).done()
	case vatArea(mp) != vatArea(a.country):
		b.o.reason = "digital service B2B to an EU business: taxed where the customer is established (Art. 44), reverse charge (Art. 196); the platform is presumed to supply in its own name (Art. 9a Reg. 282/2011), two legs"
		return b.leg(MarketplaceCustomer, ReverseChargeInvoice, TaxVAT, a.country, zero).done()
	default:
		b.o.reason = "digital service B2B within the marketplace's Member State: domestic supply at the domestic rate; the platform is presumed to supply in its own name (Art. 9a Reg. 282/2011), two legs"
		return b.leg(MarketplaceCustomer, VATInvoice, TaxVAT, a.country, b.countryRate(a.country, a.country, "arrival_country")).done()
	}
}
