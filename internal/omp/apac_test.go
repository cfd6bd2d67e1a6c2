package omp

import "testing"

// RULES §7.1: Australia, AUD 1,000 per consignment.
func TestAustralia(t *testing.T) {
	au := q().to("AUS").cur("AUD")
	const a1 = "marketplace_customer VAT_invoice GST AUS 10"
	runCases(t, []tc{
		{"A1 B2C consignment of AUD 1,000.00: the EDP operator is the supplier", au.amt("1000"), "AU-A1", a1},
		{"A3 AUD 1,000.01: GST at the border", au.amt("1000.01"), "AU-A3", "vendor_customer commercial_invoice GST AUS 10 iv=1000.01AUD"},
		{"A1 transport excluded from the customs value", au.amt("1100").ship("100"), "AU-A1", a1},
		{"A3 the threshold is per consignment: 2 x AUD 600", au.amt("1200").items(it("600", "1", "", ""), it("600", "", "", "")), "AU-A3",
			"vendor_customer commercial_invoice GST AUS 10 iv=1200.00AUD"},
		{"A2 B2B (ABN, GST-registered): reverse charge", au.amt("100").b2b(), "AU-A2", "vendor_customer reverse_charge_invoice GST AUS 0"},
		{"A3 B2B above AUD 1,000: GST at the border", au.amt("5000").b2b(), "AU-A3", "vendor_customer commercial_invoice GST AUS 10 iv=5000.00AUD"},
		{"A3 alcohol is excluded", au.amt("100").good("22041000"), "AU-A3", "vendor_customer commercial_invoice GST AUS 10 iv=100.00AUD"},
		{"A3 tobacco is excluded", au.amt("100").good("24031100"), "AU-A3", "vendor_customer commercial_invoice GST AUS 10 iv=100.00AUD"},
		{"A4 goods already in Australia", au.from("AUS").amt("5000"), "AU-A4", "vendor_customer VAT_invoice GST AUS 10"},
		{"A1 USD 622.50 on 2025-03-03 is AUD 999.9854 (ECB)", au.cur("USD").amt("622.50"), "AU-A1", a1},
		{"A3 USD 622.51 is AUD 1,000.0015", au.cur("USD").amt("622.51"), "AU-A3", "vendor_customer commercial_invoice GST AUS 10 iv=1000.00AUD"},
		{"before 2018-07-01: no EDP rule, low value imports relieved", au.amt("100").on("2018-06-30"), "AU-PRE2018",
			"vendor_customer commercial_invoice GST AUS 0 iv=100.00AUD"},
		{"from 2018-07-01 the EDP rule applies", au.amt("100").on("2018-07-01"), "AU-A1", a1},
	})
}

// RULES §7.2: New Zealand, NZD 1,000 per item.
func TestNewZealand(t *testing.T) {
	nz := q().to("NZL").cur("NZD")
	const z1 = "marketplace_customer VAT_invoice GST NZL 15"
	runCases(t, []tc{
		{"Z1 B2C item of NZD 1,000.00: marketplace responsible", nz.amt("1000"), "NZ-Z1", z1},
		{"Z2 item of NZD 1,000.01: GST at the border", nz.amt("1000.01"), "NZ-Z2", "vendor_customer commercial_invoice GST NZL 15 iv=1000.01NZD"},
		{"Z1 per item, not per consignment: 2 x NZD 900", nz.amt("1800").items(it("900", "", "", ""), it("900", "", "", "")), "NZ-Z1", z1},
		{"Z1 per unit: 3 units of NZD 800", nz.amt("2400").price("800", "3"), "NZ-Z1", z1},
		{"Z3 B2B: reverse charge", nz.amt("100").b2b(), "NZ-Z3", "vendor_customer reverse_charge_invoice GST NZL 0"},
		{"Z2 excise goods", nz.amt("100").good("22030010"), "NZ-Z2", "vendor_customer commercial_invoice GST NZL 15 iv=100.00NZD"},
		{"Z1 EUR 535.64 on 2025-03-03 is NZD 999.986 (ECB 1.8669)", nz.cur("EUR").amt("535.64"), "NZ-Z1", z1},
		{"Z2 EUR 535.65 is NZD 1,000.005", nz.cur("EUR").amt("535.65"), "NZ-Z2", "vendor_customer commercial_invoice GST NZL 15 iv=1000.00NZD"},
		{"before 2019-12-01 low-value imports relieved", nz.amt("100").on("2019-11-30"), "NZ-PRE2019", "vendor_customer commercial_invoice GST NZL 0 iv=100.00NZD"},
		{"goods already in New Zealand", nz.from("NZL"), "NZ-DOM", "vendor_customer VAT_invoice GST NZL 15"},
	})
}

// RULES §7.3: Singapore, SGD 400 (per item [UNCERTAIN]).
func TestSingapore(t *testing.T) {
	sg := q().to("SGP").cur("SGD")
	runCases(t, []tc{
		{"G1 B2C SGD 400.00: the electronic marketplace operator is the deemed supplier", sg.amt("400"), "SG-G1", "marketplace_customer VAT_invoice GST SGP 9"},
		{"G3 SGD 400.01: GST at the border", sg.amt("400.01"), "SG-G3", "vendor_customer commercial_invoice GST SGP 9 iv=400.01SGD"},
		{"G1 at 8 % in 2023", sg.amt("100").on("2023-01-01"), "SG-G1", "marketplace_customer VAT_invoice GST SGP 8"},
		{"G2 B2B: the GST-registered buyer self-accounts", sg.amt("100").b2b(), "SG-G2", "vendor_customer reverse_charge_invoice GST SGP 0"},
		{"G4 before 2023-01-01, <= SGD 400: import relief", sg.amt("400").on("2022-12-31"), "SG-G4", "vendor_customer commercial_invoice GST SGP 0 iv=400.00SGD"},
		{"G3 before 2023-01-01 above SGD 400 at 7 %", sg.amt("400.01").on("2022-12-31"), "SG-G3", "vendor_customer commercial_invoice GST SGP 7 iv=400.01SGD"},
		{"G3 excise goods", sg.amt("10").good("24022090"), "SG-G3", "vendor_customer commercial_invoice GST SGP 9 iv=10.00SGD"},
		{"G1 EUR 283.56 on 2025-03-03 is SGD 399.9897 (ECB 1.4106)", sg.cur("EUR").amt("283.56"), "SG-G1", "marketplace_customer VAT_invoice GST SGP 9"},
		{"G3 EUR 283.57 is SGD 400.0038", sg.cur("EUR").amt("283.57"), "SG-G3", "vendor_customer commercial_invoice GST SGP 9 iv=400.00SGD"},
		{"goods already in Singapore", sg.from("SGP"), "SG-DOM", "vendor_customer VAT_invoice GST SGP 9"},
	})
}
