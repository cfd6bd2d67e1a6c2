package omp

import "github.com/vatgate/vatgate/internal/money"

// RULES §5: Norway, VOEC. Legal basis: VAT Act § 11-2 (Merverdiavgiftshåndboken
// M-11-2); Skatteetaten "Value Added Tax on low value imported goods".

var (
	voecLimit = money.MustParse("3000") // per item, "below NOK 3,000" (strict)
	voecStart = date(2020, 4, 1)
)

func (ev *eval) norway(ln line) (outcome, error) {
	f := ev.f
	if f.departure.country == "NOR" {
		b := ev.rule("NO-N4", "§5 N4", "goods already in Norway: ordinary registration, the seller charges Norwegian VAT")
		return b.leg(VendorCustomer, VATInvoice, TaxVAT, "NOR", b.countryRate("NOR", "NOR", "arrival_country")).done()
	}
	border := func(b *builder, rule, reason string) (outcome, error) {
		b.o.rule, b.o.section, b.o.reason = "NO-"+rule, "§5 "+rule, reason
		return b.commercial(TaxVAT, "NOR", b.countryRate("NOR", "NOR", "arrival_country"), "NOK").done()
	}
	b := ev.rule("", "", "")
	switch {
	case f.b2b:
		return border(b, "N3", "B2B (Norwegian VAT number): VOEC does not apply, the importer pays import VAT")
	case f.date.Before(voecStart):
		return border(b, "N2", "before VOEC (2020-04-01): import VAT at the border")
	case b.excluded(ln, "VOEC"):
		return border(b, "N2", "excise goods: excluded from VOEC, import VAT at the border")
	case ln.food:
		b.note("good_code %s: foodstuffs (CN chapters 02-21, RULES §15.2) are excluded from VOEC (RULES §5 N1)", ln.goodCode)
		return border(b, "N2", "foodstuffs: excluded from VOEC, import VAT at the border")
	}
	if !b.within("VOEC low-value item: value of one item below NOK 3,000 (VAT Act § 11-2)", ln.unit, voecLimit, "NOK", true) {
		return border(b, "N2", "item of NOK 3,000 or more: outside VOEC, import VAT at the border")
	}
	b.o.rule, b.o.section = "NO-N1", "§5 N1"
	b.o.reason = "B2C low-value item below NOK 3,000 from abroad: the marketplace is the liable provider under VOEC (VAT Act § 11-2)"
	return b.leg(MarketplaceCustomer, VATInvoice, TaxVAT, "NOR", b.countryRate("NOR", "NOR", "arrival_country")).done()
}
