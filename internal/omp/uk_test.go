package omp

import "testing"

// RULES §4: Great Britain, the £135 consignment threshold on both sides.
func TestUKGoods(t *testing.T) {
	gb := q().to("GBR").cur("GBP")
	const u1 = "vendor_marketplace VAT_invoice VAT CHN 0 | marketplace_customer VAT_invoice VAT GBR 20"
	runCases(t, []tc{
		{"U1 goods outside the UK, consignment £135.00 exactly, B2C: marketplace liable at the point of sale (s.5A, s.7)",
			gb.amt("135"), "UK-U1", u1},
		{"U1 shipping separately stated is not part of the consignment value", gb.amt("150").ship("15"), "UK-U1", u1},
		{"U3 £135.01: import VAT and duty at the border", gb.amt("135.01"), "UK-U3", "vendor_customer commercial_invoice VAT GBR 20 iv=135.01GBP"},
		{"U2 <= £135 to a UK VAT-registered business: reverse charge", gb.amt("100").b2b(), "UK-U2", "vendor_customer reverse_charge_invoice VAT GBR 0"},
		{"U3 B2B above £135: import VAT", gb.amt("500").b2b(), "UK-U3", "vendor_customer commercial_invoice VAT GBR 20 iv=500.00GBP"},
		{"U3 excise goods (spirits, chapter 22) excluded from the £135 rule", gb.amt("30").good("22083000"), "UK-U3",
			"vendor_customer commercial_invoice VAT GBR 20 iv=30.00GBP"},
		{"U1 USD 171.18 on 2025-03-03 is £134.9978 (ECB)", gb.cur("USD").amt("171.18"), "UK-U1", u1},
		{"U3 USD 171.19 is £135.0057", gb.cur("USD").amt("171.19"), "UK-U3", "vendor_customer commercial_invoice VAT GBR 20 iv=135.01GBP"},
		{"U4 goods in the UK, overseas seller, B2C: marketplace liable for any value, seller's supply zero-rated",
			gb.from("GBR").amt("5000"), "UK-U4", "vendor_marketplace VAT_invoice VAT GBR 0 | marketplace_customer VAT_invoice VAT GBR 20"},
		{"U4 a fulfilment centre does not make the seller UK-established", gb.vendor("USA").from("GBR"), "UK-U4",
			"vendor_marketplace VAT_invoice VAT GBR 0 | marketplace_customer VAT_invoice VAT GBR 20"},
		{"U4 goods in Northern Ireland sold into GB stay inside the UK", gb.from("GBR").depState("NI"), "UK-U4",
			"vendor_marketplace VAT_invoice VAT GBR 0 | marketplace_customer VAT_invoice VAT GBR 20"},
		{"U5 goods in the UK, overseas seller, B2B: seller charges UK VAT [UNCERTAIN]", gb.from("GBR").b2b(), "UK-U5",
			"vendor_customer VAT_invoice VAT GBR 20"},
		{"U6 UK-established vendor", gb.vendor("GBR").from("GBR"), "UK-U6", "vendor_customer VAT_invoice VAT GBR 20"},
		{"U6 Isle of Man is inside the UK VAT area (jurisdiction IMN)", gb.vendor("GBR").from("GBR").to("IMN"), "UK-U6",
			"vendor_customer VAT_invoice VAT IMN 20"},
		{"before 2021-01-01 the UK rules are out of scope: generic import", gb.on("2020-12-31"), "GEN-X2",
			"vendor_customer commercial_invoice VAT GBR 20 iv=100.00GBP"},
		{"from 2021-01-01 the UK rules apply", gb.on("2021-01-01"), "UK-U1", u1},
	})
}
