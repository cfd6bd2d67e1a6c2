package omp

import "testing"

// RULES §6: Switzerland and Liechtenstein, platform taxation from 2025-01-01.
func TestSwitzerland(t *testing.T) {
	ch := q().to("CHE").cur("CHF").on("2025-01-01")
	const s2 = "vendor_marketplace VAT_invoice VAT CHN 0 | marketplace_customer VAT_invoice VAT CHE 8.1"
	runCases(t, []tc{
		{"S1 goods in CH from 2025-01-01: platform deemed supplier (Art. 20a), seller's supply exempt (Art. 23(2) no. 13)",
			ch.vendor("DEU").from("CHE"), "CH-S1", "vendor_marketplace VAT_invoice VAT CHE 0 | marketplace_customer VAT_invoice VAT CHE 8.1"},
		{"S1 applies to any purchaser, B2B too", ch.vendor("CHE").from("CHE").b2b(), "CH-S1",
			"vendor_marketplace VAT_invoice VAT CHE 0 | marketplace_customer VAT_invoice VAT CHE 8.1"},
		{"S2 goods imported through a registered mail-order platform", ch, "CH-S2", s2},
		{"S2 any value", ch.amt("50000"), "CH-S2", s2},
		{"S2 platform not registered (marketplace_registered false): import VAT at the border", ch.registered(false), "CH-S2",
			"vendor_customer commercial_invoice VAT CHE 8.1 iv=100.00CHF"},
		{"S3 before platform taxation, goods in CH: seller charges 8.1 (2024-12-31)", ch.on("2024-12-31").from("CHE"), "CH-S3",
			"vendor_customer VAT_invoice VAT CHE 8.1"},
		{"S3 in 2023 at 7.7 %", ch.on("2023-12-31").from("CHE"), "CH-S3", "vendor_customer VAT_invoice VAT CHE 7.7"},
		{"S3 import VAT of CHF 4.99932 on CHF 61.72 is not levied: 0 %", ch.on("2024-06-03").amt("61.72"), "CH-S3",
			"vendor_customer commercial_invoice VAT CHE 0 iv=61.72CHF"},
		{"S3 import VAT of CHF 5.00013 on CHF 61.73 is levied", ch.on("2024-06-03").amt("61.73"), "CH-S3",
			"vendor_customer commercial_invoice VAT CHE 8.1 iv=61.73CHF"},
		{"S3 the CHF 5 test includes shipping (import VAT base, Art. 54 MWSTG): 51.73 + 10 is levied", ch.on("2024-06-03").amt("61.73").ship("10"), "CH-S3",
			"vendor_customer commercial_invoice VAT CHE 8.1 iv=51.73CHF"},
		{"S3 CHF 51.72 + 10 shipping is not levied", ch.on("2024-06-03").amt("61.72").ship("10"), "CH-S3",
			"vendor_customer commercial_invoice VAT CHE 0 iv=51.72CHF"},
		{"S3 at 7.7 % in 2023: CHF 64.93 not levied", ch.on("2023-06-01").amt("64.93"), "CH-S3", "vendor_customer commercial_invoice VAT CHE 0 iv=64.93CHF"},
		{"S3 at 7.7 % in 2023: CHF 64.94 levied", ch.on("2023-06-01").amt("64.94"), "CH-S3", "vendor_customer commercial_invoice VAT CHE 7.7 iv=64.94CHF"},
		{"Liechtenstein is reported as LIE with Swiss rates", ch.to("LIE"), "CH-S2",
			"vendor_marketplace VAT_invoice VAT CHN 0 | marketplace_customer VAT_invoice VAT LIE 8.1"},
		{"LIE -> CHE is inside one VAT territory (S1)", ch.from("LIE"), "CH-S1",
			"vendor_marketplace VAT_invoice VAT LIE 0 | marketplace_customer VAT_invoice VAT CHE 8.1"},
		{"S3 LIE in 2023 at the Swiss 7.7 %", ch.to("LIE").from("LIE").on("2023-01-02"), "CH-S3", "vendor_customer VAT_invoice VAT LIE 7.7"},
	})
}
