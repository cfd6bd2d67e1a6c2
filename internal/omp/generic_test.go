package omp

import (
	"strings"
	"testing"
)

// RULES §12: the generic fallback.
func TestGeneric(t *testing.T) {
	runCases(t, []tc{
		{"X1 domestic (KOR): the vendor charges the standard rate", q().vendor("KOR").from("KOR").to("KOR").cur("KRW").amt("10000"), "GEN-X1", "vendor_customer VAT_invoice VAT KOR 10"},
		{"X2 import into KOR: intrinsic value in KRW (EUR 100 x 1526.42)", q().to("KOR"), "GEN-X2", "vendor_customer commercial_invoice VAT KOR 10 iv=152642.00KRW"},
		{"X2 India: tax_type GST", q().to("IND").cur("INR"), "GEN-X2", "vendor_customer commercial_invoice GST IND 18 iv=100.00INR"},
		{"X2 Qatar levies no VAT: exempted", q().to("QAT"), "GEN-X2", "vendor_customer exempted_invoice VAT QAT 0"},
		{"X2 Kuwait levies no VAT: exempted", q().to("KWT").from("KWT"), "GEN-X2", "vendor_customer exempted_invoice VAT KWT 0"},
		{"X1 Ghana effective 21.9 % on 2025-12-31", q().to("GHA").from("GHA").cur("GHS").on("2025-12-31"), "GEN-X1", "vendor_customer VAT_invoice VAT GHA 21.9"},
		{"X1 Ghana effective 20 % from 2026-01-01 (VAT Act 2025)", q().to("GHA").from("GHA").cur("GHS").on("2026-01-01"), "GEN-X1", "vendor_customer VAT_invoice VAT GHA 20"},
		{"X1 Indonesia 11 % for non-luxury goods from 2025", q().to("IDN").from("IDN").cur("IDR").on("2025-01-01"), "GEN-X1", "vendor_customer VAT_invoice VAT IDN 11"},
		{"X1 Indonesia 10 % until 2022-03-31", q().to("IDN").from("IDN").cur("IDR").on("2022-03-31"), "GEN-X1", "vendor_customer VAT_invoice VAT IDN 10"},
		{"X1 Vietnam 10 % on 2025-06-30", q().to("VNM").from("VNM").cur("VND").on("2025-06-30"), "GEN-X1", "vendor_customer VAT_invoice VAT VNM 10"},
		{"X1 Vietnam temporary 8 % from 2025-07-01", q().to("VNM").from("VNM").cur("VND").on("2025-07-01"), "GEN-X1", "vendor_customer VAT_invoice VAT VNM 8"},
		{"X1 Vietnam 10 % again from 2027-01-01", q().to("VNM").from("VNM").cur("VND").on("2027-01-01"), "GEN-X1", "vendor_customer VAT_invoice VAT VNM 10"},
		{"X1 Thailand 7 % [UNCERTAIN]", q().to("THA").from("THA").cur("THB"), "GEN-X1", "vendor_customer VAT_invoice VAT THA 7"},
		{"X1 Israel 17 % on 2024-12-31", q().to("ISR").from("ISR").cur("ILS").on("2024-12-31"), "GEN-X1", "vendor_customer VAT_invoice VAT ISR 17"},
		{"X1 Israel 18 % from 2025-01-01", q().to("ISR").from("ISR").cur("ILS").on("2025-01-01"), "GEN-X1", "vendor_customer VAT_invoice VAT ISR 18"},
		{"X1 Jersey GST", q().to("JEY").from("JEY").cur("GBP"), "GEN-X1", "vendor_customer VAT_invoice GST JEY 5"},
		{"X1 Puerto Rico sales and use tax", q().to("PRI").from("PRI").cur("USD"), "GEN-X1", "vendor_customer VAT_invoice sales_tax PRI 11.5"},
		{"BGN order before the euro, converted with the ECB rate (1.9558)", q().cur("BGN").amt("195.58").on("2025-12-31").to("BGR"), "EU-E3",
			"vendor_customer commercial_invoice VAT BGR 20 iv=100.00EUR"},
		{"X1 Kosovo (user-assigned XKX)", q().to("XKX").from("XKX"), "GEN-X1", "vendor_customer VAT_invoice VAT XKX 18"},
	})
}

func TestGenericBasis(t *testing.T) {
	a, err := testEngine.Determine(Request(q().to("THA").from("THA").cur("THB")), day("2026-04-10"))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Basis.Rates) != 1 || !a.Basis.Rates[0].Uncertain {
		t.Errorf("Thailand's rate must be flagged uncertain: %+v", a.Basis.Rates)
	}
	a, _ = testEngine.Determine(Request(q().to("GHA").from("GHA").cur("GHS").on("2026-01-01")), day("2026-04-10"))
	if r := a.Basis.Rates[0]; r.Kind != "effective_combined" || r.EffectiveFrom != day("2026-01-01") {
		t.Errorf("Ghana rate = %+v", r)
	}
	a, _ = testEngine.Determine(Request(q().to("MYS").from("MYS").cur("MYR")), day("2026-04-10"))
	if !strings.Contains(strings.Join(a.Basis.Notes, " "), "MYR 500") {
		t.Errorf("Malaysia's unmodelled regime not noted: %v", a.Basis.Notes)
	}
}
