package omp

import "testing"

// RULES §8: Canada per province type (GST, HST, GST+PST, GST+QST, GST+RST).
func TestCanada(t *testing.T) {
	ca := q().to("CAN").cur("CAD")
	wh := ca.from("CAN") // goods in a Canadian fulfilment warehouse, non-resident vendor
	runCases(t, []tc{
		{"K1 import into Ontario: CBSA collects HST", ca.state("ON"), "CA-K1", "vendor_customer commercial_invoice HST CAN-ON 13 iv=100.00CAD"},
		{"K1 import into Alberta: GST only", ca.state("AB"), "CA-K1", "vendor_customer commercial_invoice GST CAN-AB 5 iv=100.00CAD"},
		{"K1 import into Québec: GST at the border, QST not modelled", ca.state("QC"), "CA-K1", "vendor_customer commercial_invoice GST CAN-QC 5 iv=100.00CAD"},
		{"K1 import into Nova Scotia at 15 % HST on 2025-03-31", ca.state("NS").on("2025-03-31"), "CA-K1", "vendor_customer commercial_invoice HST CAN-NS 15 iv=100.00CAD"},
		{"K1 import into Nova Scotia at 14 % HST from 2025-04-01", ca.state("NS").on("2025-04-01"), "CA-K1", "vendor_customer commercial_invoice HST CAN-NS 14 iv=100.00CAD"},
		{"K1 lower-case province", ca.state("on"), "CA-K1", "vendor_customer commercial_invoice HST CAN-ON 13 iv=100.00CAD"},
		{"K2 HST province: the distribution platform operator is the deemed supplier", wh.state("ON"), "CA-K2", "marketplace_customer VAT_invoice HST CAN-ON 13"},
		{"K2 GST-only territory", wh.state("NT"), "CA-K2", "marketplace_customer VAT_invoice GST CAN-NT 5"},
		{"K2 British Columbia GST+PST with the marketplace facilitator rule (2022-07-01)", wh.state("BC").on("2022-07-01"), "CA-K2",
			"marketplace_customer VAT_invoice GST+PST CAN-BC 12"},
		{"K2 British Columbia before 2022-07-01: GST only", wh.state("BC").on("2022-06-30"), "CA-K2", "marketplace_customer VAT_invoice GST CAN-BC 5"},
		{"K2 Manitoba GST+RST from 2021-12-01", wh.state("MB").on("2021-12-01"), "CA-K2", "marketplace_customer VAT_invoice GST+RST CAN-MB 12"},
		{"K2 Manitoba before 2021-12-01: GST only", wh.state("MB").on("2021-11-30"), "CA-K2", "marketplace_customer VAT_invoice GST CAN-MB 5"},
		{"K2 Québec GST+QST", wh.state("QC"), "CA-K2", "marketplace_customer VAT_invoice GST+QST CAN-QC 14.975"},
		{"K2 Saskatchewan GST+PST [UNCERTAIN date]", wh.state("SK"), "CA-K2", "marketplace_customer VAT_invoice GST+PST CAN-SK 11"},
		{"K2 starts 2021-07-01 (Excise Tax Act e-commerce measures)", wh.state("ON").on("2021-07-01"), "CA-K2", "marketplace_customer VAT_invoice HST CAN-ON 13"},
		{"before 2021-07-01 the vendor collects (K3)", wh.state("ON").on("2021-06-30"), "CA-K3", "vendor_customer VAT_invoice HST CAN-ON 13"},
		{"K2 not for a registered DPO only: platform not registered => vendor collects", wh.state("ON").registered(false), "CA-K3",
			"vendor_customer VAT_invoice HST CAN-ON 13"},
		{"K3 Canadian vendor collects GST/HST and PST", wh.vendor("CAN").state("BC"), "CA-K3", "vendor_customer VAT_invoice GST+PST CAN-BC 12"},
		{"K3 non-resident vendor registered for GST/HST collects", wh.vendorGST().state("QC"), "CA-K3", "vendor_customer VAT_invoice GST+QST CAN-QC 14.975"},
		{"K3 Manitoba GST+RST", wh.vendor("CAN").state("MB"), "CA-K3", "vendor_customer VAT_invoice GST+RST CAN-MB 12"},
		{"K4 B2B: no reverse charge for domestic goods", wh.b2b().state("ON"), "CA-K4", "vendor_customer VAT_invoice HST CAN-ON 13"},
	})
}
