package omp

import "testing"

// RULES §17.1: mixed baskets. Each item is evaluated separately; one answer
// when all agree, else each distinct invoice once, numbered in order of
// first appearance, with the items it covers.
func TestMixedBaskets(t *testing.T) {
	no := q().to("NOR").cur("NOK")
	eu := q().ioss()
	runCases(t, []tc{
		{"VOEC items on both sides of NOK 3,000 plus a digital service: two invoices with their items",
			no.amt("5000").items(it("1000", "", "", ""), it("3500", "", "", ""), it("500", "", "", "ebook")), "BASKET",
			"#1[0,2] marketplace_customer VAT_invoice VAT NOR 25 | #2[1] vendor_customer commercial_invoice VAT NOR 25 iv=3500.00NOK"},
		{"every item under NOK 3,000: answered once", no.amt("3000").items(it("1000", "", "", ""), it("2000", "", "", "")), "NO-N1",
			"marketplace_customer VAT_invoice VAT NOR 25"},
		{"same invoices under different rules (VOEC goods, digital service): answered once", no.amt("1500").items(it("1000", "", "", ""), it("500", "", "", "ebook")),
			"BASKET", "marketplace_customer VAT_invoice VAT NOR 25"},
		{"EU goods with IOSS and a digital service: the shared marketplace->customer invoice once",
			eu.amt("60").items(it("50", "1", "62160000", ""), it("10", "1", "", "ebook")), "BASKET",
			"#1[0] vendor_marketplace VAT_invoice VAT CHN 0 | #2[0,1] marketplace_customer VAT_invoice VAT DEU 19 | #3[1] vendor_marketplace reverse_charge_invoice VAT IRL 0"},
		{"the EU consignment value counts goods only (140 goods + 20 digital)",
			eu.amt("160").items(it("140", "", "", ""), it("20", "", "", "ebook")), "BASKET",
			"#1[0] vendor_marketplace VAT_invoice VAT CHN 0 | #2[0,1] marketplace_customer VAT_invoice VAT DEU 19 | #3[1] vendor_marketplace reverse_charge_invoice VAT IRL 0"},
		{"an excise item goes to the border, the rest through IOSS",
			eu.amt("60").items(it("30", "", "22042100", ""), it("30", "", "62160000", "")), "BASKET",
			"#1[0] vendor_customer commercial_invoice VAT DEU 19 iv=30.00EUR | #2[1] vendor_marketplace VAT_invoice VAT CHN 0 | #3[1] marketplace_customer VAT_invoice VAT DEU 19"},
		{"every NZ item <= NZD 1,000 although the basket is NZD 2,450: answered once (per item)",
			q().to("NZL").cur("NZD").amt("2450").items(it("900", "", "", ""), it("750", "2", "", ""), it("50", "", "", "")), "NZ-Z1",
			"marketplace_customer VAT_invoice GST NZL 15"},
		{"items sharing a commercial invoice add up their intrinsic values; the others through the marketplace (NZ per item)",
			q().to("NZL").cur("NZD").amt("2750").items(it("1200", "", "", ""), it("1500", "", "", ""), it("50", "", "", "")), "BASKET",
			"#1[0,1] vendor_customer commercial_invoice GST NZL 15 iv=2700.00NZD | #2[2] marketplace_customer VAT_invoice GST NZL 15"},
		{"an unpriced item shares what the priced ones leave of order_amount - shipping_fee",
			q().amt("210").ship("10").items(it("100", "", "", ""), it("", "", "", "")), "EU-E4",
			"vendor_customer commercial_invoice VAT DEU 19 iv=200.00EUR"},
		{"item_code on the request applies to Items without their own",
			func() rq {
				r := q().to("GBR").vendor("USA").from("USA").items(it("5", "", "", ""), it("5", "", "", ""))
				r.ItemCode = "saas"
				return r
			}(),
			"DIG-9.2", "marketplace_customer VAT_invoice VAT GBR 20"},
	})
}
