package omp

import "testing"

// RULES §10: US marketplace facilitator sales tax.
func TestUnitedStates(t *testing.T) {
	us := q().to("USA").cur("USD").from("USA")
	runCases(t, []tc{
		{"T1 Oregon levies no sales tax", us.state("OR").nexus("OR"), "US-T1", "vendor_customer exempted_invoice sales_tax USA-OR 0"},
		{"T1 Delaware", us.state("DE"), "US-T1", "vendor_customer exempted_invoice sales_tax USA-DE 0"},
		{"T1 Montana", us.state("MT"), "US-T1", "vendor_customer exempted_invoice sales_tax USA-MT 0"},
		{"T1 New Hampshire", us.state("NH"), "US-T1", "vendor_customer exempted_invoice sales_tax USA-NH 0"},
		{"T1 Alaska at state level (local ARSSTC not modelled)", us.state("AK").nexus("AK"), "US-T1", "vendor_customer exempted_invoice sales_tax USA-AK 0"},
		{"T3 California with marketplace nexus: the facilitator collects", us.state("CA").nexus("CA", "NY"), "US-T3",
			"marketplace_customer sales_tax_invoice sales_tax USA-CA 7.25"},
		{"T3 nexus given as one comma-separated string", us.state("NY").nexus("CA,NY"), "US-T3", "marketplace_customer sales_tax_invoice sales_tax USA-NY 4"},
		{"T4 no marketplace nexus: responsibility stays with the seller", us.state("TX"), "US-T4", "vendor_customer sales_tax_invoice sales_tax USA-TX 6.25"},
		{"T4 nexus in another state only", us.state("TX").nexus("CA"), "US-T4", "vendor_customer sales_tax_invoice sales_tax USA-TX 6.25"},
		{"T3 Florida's facilitator law from 2021-07-01", us.state("FL").nexus("FL").on("2021-07-01"), "US-T3", "marketplace_customer sales_tax_invoice sales_tax USA-FL 6"},
		{"T4 Florida before its facilitator law (2021-06-30)", us.state("FL").nexus("FL").on("2021-06-30"), "US-T4", "vendor_customer sales_tax_invoice sales_tax USA-FL 6"},
		{"T2 wholesale (resale certificate) with a collecting marketplace", us.state("CA").nexus("CA").exempt("wholesale"), "US-T2",
			"marketplace_customer exempted_invoice sales_tax USA-CA 0"},
		{"T2 wholesale without marketplace nexus", us.state("CA").exempt("wholesale"), "US-T2", "vendor_customer exempted_invoice sales_tax USA-CA 0"},
		{"T2 government", us.state("CA").nexus("CA").exempt("government"), "US-T2", "marketplace_customer exempted_invoice sales_tax USA-CA 0"},
		{"T2 educational", us.state("WA").exempt("Educational"), "US-T2", "vendor_customer exempted_invoice sales_tax USA-WA 0"},
		{"T2 other", us.state("IL").nexus("IL").exempt("other"), "US-T2", "marketplace_customer exempted_invoice sales_tax USA-IL 0"},
		{"T3 exemption_type marketplace: sold through a collecting facilitator ([CONVENTION])", us.state("TX").exempt("marketplace"), "US-T3",
			"marketplace_customer sales_tax_invoice sales_tax USA-TX 6.25"},
		{"T4 non_exempt is no exemption", us.state("TX").exempt("non_exempt"), "US-T4", "vendor_customer sales_tax_invoice sales_tax USA-TX 6.25"},
		{"T4 the document's 'nill' is no exemption", us.state("TX").exempt("nill"), "US-T4", "vendor_customer sales_tax_invoice sales_tax USA-TX 6.25"},
		{"T1 an exemption does not matter where there is no sales tax", us.state("OR").exempt("wholesale"), "US-T1", "vendor_customer exempted_invoice sales_tax USA-OR 0"},
		{"Louisiana 4.45 % on 2024-12-31", us.state("LA").nexus("LA").on("2024-12-31"), "US-T3", "marketplace_customer sales_tax_invoice sales_tax USA-LA 4.45"},
		{"Louisiana 5 % from 2025-01-01", us.state("LA").nexus("LA").on("2025-01-01"), "US-T3", "marketplace_customer sales_tax_invoice sales_tax USA-LA 5"},
		{"DC 6 % on 2025-09-30", us.state("DC").on("2025-09-30"), "US-T4", "vendor_customer sales_tax_invoice sales_tax USA-DC 6"},
		{"DC 6.5 % from 2025-10-01", us.state("DC").on("2025-10-01"), "US-T4", "vendor_customer sales_tax_invoice sales_tax USA-DC 6.5"},
		{"import from abroad: same sales-tax answer (de minimis is customs only)", us.from("CHN").state("NJ").nexus("NJ"), "US-T3",
			"marketplace_customer sales_tax_invoice sales_tax USA-NJ 6.625"},
	})
}
