package omp

import "github.com/vatgate/vatgate/internal/money"

// RULES §11: Japan, Japanese Consumption Tax. Sources: NTA platform taxation
// (2024 tax reform, in force 2025-04-01); FY2026 tax reform outline (Dec
// 2025). The platform rule for digital services started 2025-04-01; the
// goods/low-value reform is slated for 2028-04-01 ([UNCERTAIN]).

var (
	jpLowValue      = money.MustParse("10000") // customs value, JPY
	jpPlatformStart = date(2025, 4, 1)
	jpGoodsReform   = date(2028, 4, 1)
)

func (ev *eval) japanGoods(ln line) (outcome, error) {
	f := ev.f
	if f.departure.country == "JPN" {
		b := ev.rule("JP-DOM", "§11", "goods already in Japan: domestic taxable sale, the vendor charges consumption tax ([CONVENTION] of this package)")
		return b.leg(VendorCustomer, VATInvoice, TaxConsumption, "JPN", b.countryRate("JPN", "JPN", "arrival_country")).done()
	}
	b := ev.rule("", "", "")
	low := b.within("Japanese import consumption tax relief: customs value ≤ JPY 10,000", f.goodsValue, jpLowValue, "JPY", false)
	if !f.date.Before(jpGoodsReform) {
		b.note("[UNCERTAIN] the 2028-04-01 goods reform is planned, not enacted (RULES §11 J4)")
		if low && !f.b2b && f.mpRegistered {
			b.o.rule, b.o.section, b.o.reason = "JP-J4", "§11 J4", "from 2028-04-01 (planned): the JPY 10,000 relief is abolished and platforms above JPY 5 bn are deemed suppliers of low-value goods"
			return b.leg(MarketplaceCustomer, VATInvoice, TaxConsumption, "JPN", b.countryRate("JPN", "JPN", "arrival_country")).done()
		}
		b.o.rule, b.o.section, b.o.reason = "JP-J4", "§11 J4", "from 2028-04-01 (planned): the JPY 10,000 relief is abolished; import consumption tax at the border"
		return b.commercial(TaxConsumption, "JPN", b.countryRate("JPN", "JPN", "arrival_country"), "JPY").done()
	}
	b.o.rule, b.o.section = "JP-J3", "§11 J3"
	if low {
		b.o.reason = "import with a customs value ≤ JPY 10,000: import consumption tax relief"
		return b.commercial(TaxConsumption, "JPN", zero, "JPY").done()
	}
	b.o.reason = "import above JPY 10,000: import consumption tax at the border"
	return b.commercial(TaxConsumption, "JPN", b.countryRate("JPN", "JPN", "arrival_country"), "JPY").done()
}
