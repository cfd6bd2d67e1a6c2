package omp

import "github.com/vatgate/vatgate/internal/money"

// RULES §8: Canada, GST/HST, PST, RST, QST. Sources: Excise Tax Act
// e-commerce measures in force 2021-07-01 (distribution platform operators,
// fulfilment warehouses); BC PST Bulletin PST-142; Manitoba RST; Saskatchewan
// PST; Québec specified QST regime. Province = arrival_state, jurisdiction
// CAN-<province> (RULES §17.4).

var caPlatformStart = date(2021, 7, 1)

// province is the tax type and rate of a province on D (RULES §8, §15.1):
// HST provinces charge HST; elsewhere GST, plus the provincial tax (PST,
// RST, QST: the combined rate) when withPST.
func (b *builder) province(prov, jur string, withPST bool) (string, money.Decimal) {
	pr, ok := b.ev.e.rates.ProvinceInForce(prov, b.ev.f.date)
	if !ok {
		b.fail(unsupported("arrival_state", "no rates for province %s", prov))
		return TaxGST, zero
	}
	tt, pct, kind := TaxGST, pr.GST, "gst"
	switch {
	case pr.Type == TaxHST:
		tt, pct, kind = TaxHST, pr.HST, "hst"
	case withPST && pr.Provincial.IsPositive():
		tt, pct, kind = pr.Type, pr.Combined, "combined"
	}
	b.o.rates = append(b.o.rates, RateUse{Jurisdiction: jur, Percent: pct, Kind: kind,
		EffectiveFrom: pr.Period.From, EffectiveTo: pr.Period.To, Sources: pr.Sources, Uncertain: pr.Uncertain})
	for _, n := range pr.Notes {
		b.note("%s: %s", jur, n)
	}
	return tt, pct
}

func (ev *eval) canada(ln line) (outcome, error) {
	f := ev.f
	prov := f.arrival.state
	jur := "CAN-" + prov
	if f.departure.country != "CAN" {
		b := ev.rule("CA-K1", "§8 K1", "goods shipped from outside Canada: the CBSA collects GST/HST at import; provincial sales tax on imports is not modelled ([CONVENTION])")
		tt, pct := b.province(prov, jur, false)
		return b.commercial(tt, jur, pct, "CAD").done()
	}
	if !f.b2b && f.vendor != "CAN" && !f.vendorGSTRegistered && f.mpRegistered && !f.date.Before(caPlatformStart) {
		b := ev.rule("CA-K2", "§8 K2", "goods in Canada (fulfilment warehouse) sold to a consumer by a non-resident vendor not registered for GST/HST through a registered distribution platform operator: the operator is the deemed supplier (single)")
		withPST := false
		if from, unc, ok := ev.e.rates.MarketplaceFacilitatorFrom(prov, false); ok {
			withPST = !f.date.Before(from)
			if unc {
				b.note("[UNCERTAIN] the %s marketplace-facilitator date for provincial tax (%s)", prov, from)
			}
			if !withPST {
				b.note("the %s marketplace-facilitator rule for provincial tax applies from %s: GST/HST only", prov, from)
			}
		}
		tt, pct := b.province(prov, jur, withPST)
		return b.leg(MarketplaceCustomer, VATInvoice, tt, jur, pct).done()
	}
	rule, sec, reason := "CA-K3", "§8 K3", "vendor resident in Canada or registered for GST/HST: the vendor collects GST/HST and the provincial tax ([CONVENTION] PST included)"
	if f.b2b {
		rule, sec, reason = "CA-K4", "§8 K4", "B2B (customer GST/HST number): no reverse charge for domestic goods, the vendor collects as K3"
	} else if f.date.Before(caPlatformStart) && f.vendor != "CAN" {
		reason = "before the 2021-07-01 platform rules: the vendor collects as K3 ([CONVENTION] of this package)"
	}
	b := ev.rule(rule, sec, reason)
	tt, pct := b.province(prov, jur, true)
	return b.leg(VendorCustomer, VATInvoice, tt, jur, pct).done()
}
