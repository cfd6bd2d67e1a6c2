package omp

import "testing"

// RULES §11: Japan, goods (J3, J4); digital services J1/J2 are in digital_test.go.
func TestJapanGoods(t *testing.T) {
	jp := q().to("JPN").cur("JPY")
	runCases(t, []tc{
		{"J3 customs value JPY 10,000: import consumption tax relief", jp.amt("10000"), "JP-J3", "vendor_customer commercial_invoice consumption_tax JPN 0 iv=10000.00JPY"},
		{"J3 JPY 10,001: import consumption tax", jp.amt("10001"), "JP-J3", "vendor_customer commercial_invoice consumption_tax JPN 10 iv=10001.00JPY"},
		{"J3 EUR 63.15 on 2025-03-03 is JPY 9,998.54 (ECB 158.33)", jp.cur("EUR").amt("63.15"), "JP-J3",
			"vendor_customer commercial_invoice consumption_tax JPN 0 iv=9998.54JPY"},
		{"J3 EUR 63.16 is JPY 10,000.12", jp.cur("EUR").amt("63.16"), "JP-J3", "vendor_customer commercial_invoice consumption_tax JPN 10 iv=10000.12JPY"},
		{"J3 on 2028-03-31 (the relief still applies)", jp.amt("5000").on("2028-03-31"), "JP-J3", "vendor_customer commercial_invoice consumption_tax JPN 0 iv=5000.00JPY"},
		{"J4 from 2028-04-01 (planned, [UNCERTAIN]): platform deemed supplier of low-value goods", jp.amt("5000").on("2028-04-01"), "JP-J4",
			"marketplace_customer VAT_invoice consumption_tax JPN 10"},
		{"J4 above JPY 10,000: import consumption tax", jp.amt("20000").on("2028-04-01"), "JP-J4", "vendor_customer commercial_invoice consumption_tax JPN 10 iv=20000.00JPY"},
		{"goods already in Japan: domestic sale", jp.from("JPN"), "JP-DOM", "vendor_customer VAT_invoice consumption_tax JPN 10"},
	})
}
