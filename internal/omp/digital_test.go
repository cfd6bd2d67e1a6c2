package omp

import "testing"

// RULES §9: digital services (item_code present), EU B2C/B2B and non-EU.
func TestDigital(t *testing.T) {
	d := q().vendor("USA").from("USA").digital("ebook")
	runCases(t, []tc{
		{"9.1 EU B2C: customer's Member State (Art. 58), platform presumed supplier (Art. 9a), vendor abroad => leg 1 reverse charge in the marketplace country",
			d, "DIG-9.1", "vendor_marketplace reverse_charge_invoice VAT IRL 0 | marketplace_customer VAT_invoice VAT DEU 19"},
		{"9.1 leg 1 domestic when vendor and marketplace share a country", d.vendor("IRL"), "DIG-9.1",
			"vendor_marketplace VAT_invoice VAT IRL 23 | marketplace_customer VAT_invoice VAT DEU 19"},
		{"9.1 EU B2B across borders: reverse charge at the customer (Art. 44, 196)", d.b2b(), "DIG-9.1",
			"vendor_marketplace reverse_charge_invoice VAT IRL 0 | marketplace_customer reverse_charge_invoice VAT DEU 0"},
		{"9.1 EU B2B in the marketplace's State: domestic rate", d.mp("DEU").b2b(), "DIG-9.1",
			"vendor_marketplace reverse_charge_invoice VAT DEU 0 | marketplace_customer VAT_invoice VAT DEU 19"},
		{"9.1 non-EU marketplace with a same-country vendor: leg 1 at that country's rate", d.mp("GBR").vendor("GBR").to("FRA"), "DIG-9.1",
			"vendor_marketplace VAT_invoice VAT GBR 20 | marketplace_customer VAT_invoice VAT FRA 20"},
		{"9.1 Monaco customer", d.to("MCO"), "DIG-9.1", "vendor_marketplace reverse_charge_invoice VAT IRL 0 | marketplace_customer VAT_invoice VAT MCO 20"},
		{"9.1 Finland 25.5 % from 2024-09-01", d.to("FIN").on("2024-09-01"), "DIG-9.1",
			"vendor_marketplace reverse_charge_invoice VAT IRL 0 | marketplace_customer VAT_invoice VAT FIN 25.5"},
		{"9.2 UK platform rule: single deemed supplier", d.to("GBR"), "DIG-9.2", "marketplace_customer VAT_invoice VAT GBR 20"},
		{"9.2 Northern Ireland is UK for services", d.to("GBR").state("NI"), "DIG-9.2", "marketplace_customer VAT_invoice VAT GBR 20"},
		{"9.2 UK B2B: customer self-accounts", d.to("GBR").b2b(), "DIG-9.2", "vendor_customer reverse_charge_invoice VAT GBR 0"},
		{"9.2 Norway VOEC remote services", d.to("NOR"), "DIG-9.2", "marketplace_customer VAT_invoice VAT NOR 25"},
		{"9.2 Australia from 2017-07-01", d.to("AUS").on("2017-07-01"), "DIG-9.2", "marketplace_customer VAT_invoice GST AUS 10"},
		{"9.2 Australia before 2017-07-01: no platform rule, vendor charges", d.to("AUS").on("2017-06-30"), "DIG-9.2", "vendor_customer VAT_invoice GST AUS 10"},
		{"9.2 New Zealand from 2016-10-01", d.to("NZL").on("2016-10-01"), "DIG-9.2", "marketplace_customer VAT_invoice GST NZL 15"},
		{"9.2 Singapore before 2020-01-01: vendor charges", d.to("SGP").on("2019-12-31"), "DIG-9.2", "vendor_customer VAT_invoice GST SGP 7"},
		{"9.2 Singapore from 2020-01-01", d.to("SGP").on("2020-01-01"), "DIG-9.2", "marketplace_customer VAT_invoice GST SGP 7"},
		{"9.2 Singapore B2B: reverse charge", d.to("SGP").b2b(), "DIG-9.2", "vendor_customer reverse_charge_invoice GST SGP 0"},
		{"9.2 Canada Québec: GST+QST through the platform", d.to("CAN").state("QC"), "DIG-9.2", "marketplace_customer VAT_invoice GST+QST CAN-QC 14.975"},
		{"9.2 Canada Ontario: HST", d.to("CAN").state("ON"), "DIG-9.2", "marketplace_customer VAT_invoice HST CAN-ON 13"},
		{"9.2 Canada Alberta: GST", d.to("CAN").state("AB"), "DIG-9.2", "marketplace_customer VAT_invoice GST CAN-AB 5"},
		{"9.2 Canada B2B: reverse charge", d.to("CAN").state("ON").b2b(), "DIG-9.2", "vendor_customer reverse_charge_invoice HST CAN-ON 0"},
		{"9.2 Canada before 2021-07-01: vendor charges", d.to("CAN").state("ON").on("2021-06-30"), "DIG-9.2", "vendor_customer VAT_invoice HST CAN-ON 13"},
		{"J1 Japan from 2025-04-01: designated platform is the deemed supplier", d.to("JPN").on("2025-04-01"), "JP-J1",
			"marketplace_customer VAT_invoice consumption_tax JPN 10"},
		{"J1 Japan before 2025-04-01: the foreign vendor charges", d.to("JPN").on("2025-03-31"), "DIG-9.2", "vendor_customer VAT_invoice consumption_tax JPN 10"},
		{"J1 platform not designated", d.to("JPN").on("2025-04-01").registered(false), "JP-J1", "vendor_customer VAT_invoice consumption_tax JPN 10"},
		{"J1 Japanese vendor: domestic supply", d.to("JPN").vendor("JPN").on("2025-04-01"), "JP-J1", "vendor_customer VAT_invoice consumption_tax JPN 10"},
		{"J2 business-oriented service: reverse charge", d.to("JPN").on("2025-04-01").b2b(), "JP-J2", "vendor_customer reverse_charge_invoice consumption_tax JPN 0"},
		{"9.2 Switzerland: no platform rule for services (Art. 20a is goods only), vendor liable", d.to("CHE"), "DIG-9.2", "vendor_customer VAT_invoice VAT CHE 8.1"},
		{"9.2 Switzerland B2B alike", d.to("CHE").b2b(), "DIG-9.2", "vendor_customer VAT_invoice VAT CHE 8.1"},
		{"9.2 Liechtenstein at Swiss rates", d.to("LIE"), "DIG-9.2", "vendor_customer VAT_invoice VAT LIE 8.1"},
		{"9.2 destination without a platform rule (KOR): vendor charges the standard rate", d.to("KOR"), "DIG-9.2", "vendor_customer VAT_invoice VAT KOR 10"},
		{"9.2 India: GST", d.to("IND"), "DIG-9.2", "vendor_customer VAT_invoice GST IND 18"},
		{"9.2 Qatar levies no VAT", d.to("QAT"), "DIG-9.2", "vendor_customer exempted_invoice VAT QAT 0"},
		{"USA: state sales tax rules of §10 ([CONVENTION])", d.to("USA").state("CA").nexus("CA"), "US-T3", "marketplace_customer sales_tax_invoice sales_tax USA-CA 7.25"},
		{"Canary Islands customer: local IGIC, no platform rule", d.to("ESP").zip("35001"), "DIG-9.2", "vendor_customer VAT_invoice VAT ESP 7"},
		{"Heligoland customer: no VAT", d.zip("27498"), "DIG-9.2", "vendor_customer exempted_invoice VAT DEU 0"},
		{"Büsingen customer: Swiss VAT, vendor liable", d.zip("78266"), "DIG-9.2", "vendor_customer VAT_invoice VAT CHE 8.1"},
	})
}
