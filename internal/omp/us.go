package omp

import "github.com/vatgate/vatgate/internal/money"

// RULES §10: United States, marketplace facilitator sales tax. Sources:
// state marketplace facilitator statutes (45 sales-tax states and DC,
// effective 2018-2023; Avalara state-by-state guide); state base rates from
// tax-rates.json us_states. State = arrival_state, jurisdiction USA-<state>.

var usDeMinimisSuspended = date(2025, 8, 29)

func (ev *eval) unitedStates(ln line) (outcome, error) {
	f := ev.f
	st, _ := ev.e.rates.USState(f.arrival.state) // validated in normalise
	jur := "USA-" + st.Code
	b := ev.rule("", "", "")
	if f.departure.country != "USA" && !f.date.Before(usDeMinimisSuspended) && !ln.digital {
		b.note("customs: the USD 800 de minimis is suspended for all countries from 2025-08-29 (19 U.S.C. 1321; Executive Order of 30 July 2025), repealed from 2027-07-01; the sales-tax answer is unchanged (RULES §10)")
	}
	if !st.HasGeneralSalesTax {
		b.o.rule, b.o.section = "US-T1", "§10 T1"
		b.o.reason = st.Name + " levies no general sales tax"
		if st.Code == "AK" {
			b.note("Alaska: local marketplace collection through the ARSSTC needs zip-level data, not modelled (RULES §10 T1)")
		}
		return b.leg(VendorCustomer, ExemptedInvoice, TaxSales, jur, zero).done()
	}
	// T3 test: the marketplace collects in the state.
	collects := false
	if f.nexus[st.Code] {
		if st.MarketplaceFacilitator.IsZero() {
			b.note("%s: no marketplace facilitator date in the rates data", st.Code)
		} else {
			collects = !f.date.Before(st.MarketplaceFacilitator)
			if st.MarketplaceFacilitatorUncertain() {
				b.note("[UNCERTAIN] %s marketplace facilitator law effective %s (%s)", st.Code, st.MarketplaceFacilitator, st.MarketplaceFacilitatorBy)
			}
			if !collects {
				b.note("%s marketplace facilitator law effective only from %s", st.Code, st.MarketplaceFacilitator)
			}
		}
	}
	switch f.exemption {
	case "wholesale", "government", "educational", "other":
		b.o.rule, b.o.section = "US-T2", "§10 T2"
		b.o.reason = "customer holds a " + f.exemption + " exemption or resale certificate"
		party := VendorCustomer
		if collects {
			party = MarketplaceCustomer
		}
		return b.leg(party, ExemptedInvoice, TaxSales, jur, zero).done()
	case "marketplace":
		collects = true
		b.note("exemption_type marketplace: sold through a collecting marketplace facilitator ([CONVENTION] RULES §10 T3)")
	}
	pct := b.stateRate(st.Code, jur)
	if st.LocalRatesApply {
		b.note("local sales taxes apply in %s; state base rate only ([CONVENTION] RULES §10 T3)", st.Code)
	}
	if collects {
		b.o.rule, b.o.section = "US-T3", "§10 T3"
		b.o.reason = "the marketplace facilitator has nexus in " + st.Code + " and the state's marketplace facilitator law is in force: it collects the sales tax"
		return b.leg(MarketplaceCustomer, SalesTaxInvoice, TaxSales, jur, pct).done()
	}
	b.o.rule, b.o.section = "US-T4", "§10 T4"
	b.o.reason = "the marketplace has no collection duty in " + st.Code + ": responsibility stays with the seller ([CONVENTION] state base rate)"
	return b.leg(VendorCustomer, SalesTaxInvoice, TaxSales, jur, pct).done()
}

func (b *builder) stateRate(state, jur string) money.Decimal {
	sr, _ := b.ev.e.rates.USStateInForce(state, b.ev.f.date)
	b.o.rates = append(b.o.rates, RateUse{Jurisdiction: jur, Percent: sr.Rate, Kind: "state_rate",
		EffectiveFrom: sr.Period.From, EffectiveTo: sr.Period.To, Sources: sr.Sources, Uncertain: sr.Uncertain})
	for _, n := range sr.Notes {
		b.note("%s: %s", jur, n)
	}
	return sr.Rate
}
