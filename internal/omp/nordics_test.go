package omp

import "testing"

// RULES §5: Norway VOEC, NOK 3,000 per item (strict <).
func TestNorway(t *testing.T) {
	no := q().to("NOR").cur("NOK")
	const n1 = "marketplace_customer VAT_invoice VAT NOR 25"
	runCases(t, []tc{
		{"N1 B2C item NOK 2,999.99 from abroad: marketplace liable under VOEC (§ 11-2)", no.amt("2999.99"), "NO-N1", n1},
		{"N2 item of exactly NOK 3,000: not below the threshold (strict <)", no.amt("3000"), "NO-N2",
			"vendor_customer commercial_invoice VAT NOR 25 iv=3000.00NOK"},
		{"N1 the test is per item: 3 x NOK 1,500", no.amt("4500").price("1500", "3"), "NO-N1", n1},
		{"N1 without item_price the unit value is the goods value divided by item_quantity", no.amt("4500").ship("300").qty("3"), "NO-N1", n1},
		{"N2 without item_price nor item_quantity the goods value is one item", no.amt("4500").ship("300"), "NO-N2",
			"vendor_customer commercial_invoice VAT NOR 25 iv=4200.00NOK"},
		{"N1 shipping is excluded for the test", no.amt("3100").ship("200"), "NO-N1", n1},
		{"N2 excise goods (beer) never qualify", no.amt("200").good("22030001"), "NO-N2", "vendor_customer commercial_invoice VAT NOR 25 iv=200.00NOK"},
		{"N2 foodstuffs (cheese, chapter 04) are excluded from VOEC", no.amt("200").good("04069000"), "NO-N2",
			"vendor_customer commercial_invoice VAT NOR 25 iv=200.00NOK"},
		{"N1 clothing qualifies", no.amt("200").good("62160000"), "NO-N1", n1},
		{"N2 before VOEC (2020-03-31)", no.amt("100").on("2020-03-31"), "NO-N2", "vendor_customer commercial_invoice VAT NOR 25 iv=100.00NOK"},
		{"N1 VOEC from 2020-04-01", no.amt("100").on("2020-04-01"), "NO-N1", n1},
		{"N3 B2B: VOEC does not apply, importer pays import VAT", no.amt("100").b2b(), "NO-N3", "vendor_customer commercial_invoice VAT NOR 25 iv=100.00NOK"},
		{"N4 goods already in Norway: the seller registers", no.from("NOR").amt("100"), "NO-N4", "vendor_customer VAT_invoice VAT NOR 25"},
		{"N1 EUR 256.51 on 2025-03-03 is NOK 2,999.88 (ECB 11.695)", no.cur("EUR").amt("256.51"), "NO-N1", n1},
		{"N2 EUR 256.52 is NOK 3,000.0014", no.cur("EUR").amt("256.52"), "NO-N2", "vendor_customer commercial_invoice VAT NOR 25 iv=3000.00NOK"},
	})
}
