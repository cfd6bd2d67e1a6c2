package omp

import (
	"strings"
	"testing"
)

// RULES §3: EU goods (E1-E9), the EUR 150 threshold on both sides, excise
// goods, conversion at the threshold with ECB rates, the 2021-07-01 start.
func TestEUGoods(t *testing.T) {
	const (
		e2DEU = "vendor_marketplace VAT_invoice VAT CHN 0 | marketplace_customer VAT_invoice VAT DEU 19"
	)
	runCases(t, []tc{
		{"E1 import B2B: no deeming (Art. 14a covers non-taxable persons only), import VAT at customs",
			q().b2b(), "EU-E1", "vendor_customer commercial_invoice VAT DEU 19 iv=100.00EUR"},
		{"E1 import B2B above EUR 150 alike", q().b2b().ioss().amt("900"), "EU-E1", "vendor_customer commercial_invoice VAT DEU 19 iv=900.00EUR"},
		{"E2 import <= EUR 150 with IOSS: Art. 14a(1) deemed supplier, two legs", q().ioss(), "EU-E2", e2DEU},
		{"E2 exactly EUR 150.00 is low value (<=, RULES §1.8)", q().ioss().amt("150"), "EU-E2", e2DEU},
		{"E4 EUR 150.01 is above the threshold even with IOSS", q().ioss().amt("150.01"), "EU-E4",
			"vendor_customer commercial_invoice VAT DEU 19 iv=150.01EUR"},
		{"E2 separately stated shipping is not intrinsic value (UStAE 3.18(7): 140 + 20 => 140)",
			q().ioss().amt("160").ship("20"), "EU-E2", e2DEU},
		{"E4 shipping not separately stated stays in the intrinsic value (UStAE 3.18(7): 160 => 160)",
			q().ioss().amt("160"), "EU-E4", "vendor_customer commercial_invoice VAT DEU 19 iv=160.00EUR"},
		{"E2 vendor established in the EU shipping from outside is caught too (UStAE 3.18(4) Bsp. 2)",
			q().vendor("DEU").from("CHE").ioss(), "EU-E2", "vendor_marketplace VAT_invoice VAT CHE 0 | marketplace_customer VAT_invoice VAT DEU 19"},
		{"E3 import <= EUR 150 without IOSS: import VAT at the border, commercial invoice (document 003 example)",
			q().amt("113.80"), "EU-E3", "vendor_customer commercial_invoice VAT DEU 19 iv=113.80EUR"},
		{"E3 exactly EUR 150.00 without IOSS", q().amt("150"), "EU-E3", "vendor_customer commercial_invoice VAT DEU 19 iv=150.00EUR"},
		{"E4 above EUR 150 without IOSS", q().amt("150.01"), "EU-E4", "vendor_customer commercial_invoice VAT DEU 19 iv=150.01EUR"},
		{"E4 excise goods, chapter 22 (wine), never qualify for IOSS (RULES §1.9)",
			q().ioss().amt("50").good("22042100"), "EU-E4", "vendor_customer commercial_invoice VAT DEU 19 iv=50.00EUR"},
		{"E4 excise goods, chapter 24 (cigars)", q().ioss().amt("50").good("24021000"), "EU-E4", "vendor_customer commercial_invoice VAT DEU 19 iv=50.00EUR"},
		{"E4 excise goods, heading 2710 (fuel oil)", q().ioss().amt("50").good("2710 19 43"), "EU-E4", "vendor_customer commercial_invoice VAT DEU 19 iv=50.00EUR"},
		{"E4 excise goods, heading 2711 (LPG)", q().ioss().amt("50").good("2711.12.11"), "EU-E4", "vendor_customer commercial_invoice VAT DEU 19 iv=50.00EUR"},
		{"E2 chapter 27 outside 2710/2711 (coal) is not excise", q().ioss().amt("50").good("27011100"), "EU-E2", e2DEU},
		{"E2 USD 156.97 on 2025-03-03 is EUR 149.9952 (ECB 1.0465): low value",
			q().ioss().cur("USD").amt("156.97"), "EU-E2", e2DEU},
		{"E4 USD 156.98 on 2025-03-03 is EUR 150.0048: above, intrinsic value shown to the cent",
			q().ioss().cur("USD").amt("156.98"), "EU-E4", "vendor_customer commercial_invoice VAT DEU 19 iv=150.00EUR"},
		{"E3 GBP converted for the intrinsic value (ECB 0.8253)", q().cur("GBP").amt("100"), "EU-E3",
			"vendor_customer commercial_invoice VAT DEU 19 iv=121.17EUR"},
		{"E5 KR vendor, DE warehouse, FR consumer: Art. 14a(2), DE exempt + FR taxable (UStAE 3.18(2) Bsp. 1)",
			q().vendor("KOR").from("DEU").to("FRA"), "EU-E5", "vendor_marketplace VAT_invoice VAT DEU 0 | marketplace_customer VAT_invoice VAT FRA 20"},
		{"E5 domestic DE -> DE by a non-EU vendor (UStAE 3.18(2) Bsp. 2)",
			q().vendor("KOR").from("DEU"), "EU-E5", "vendor_marketplace VAT_invoice VAT DEU 0 | marketplace_customer VAT_invoice VAT DEU 19"},
		{"E5 applies to any value", q().vendor("KOR").from("DEU").amt("25000"), "EU-E5",
			"vendor_marketplace VAT_invoice VAT DEU 0 | marketplace_customer VAT_invoice VAT DEU 19"},
		{"E5 the document's example: FRA 0 % then ITA 22 %", q().vendor("USA").from("FRA").to("ITA"), "EU-E5",
			"vendor_marketplace VAT_invoice VAT FRA 0 | marketplace_customer VAT_invoice VAT ITA 22"},
		{"E6 domestic B2C by an EU-established vendor: no deeming", q().vendor("DEU").from("DEU"), "EU-E6",
			"vendor_customer VAT_invoice VAT DEU 19"},
		{"E6 Monaco is inside the French VAT territory (RULES §1.2)", q().vendor("FRA").from("FRA").to("MCO"), "EU-E6",
			"vendor_customer VAT_invoice VAT MCO 20"},
		{"E7 intra-EU distance sale: destination (Art. 33(a)), turnover unknown => threshold exceeded",
			q().vendor("DEU").from("DEU").to("FRA"), "EU-E7", "vendor_customer VAT_invoice VAT FRA 20"},
		{"E7 Art. 59c: EUR 10,000.00 exactly stays in the departure State (UStAE 3c.1(1) Bsp. 1)",
			q().vendor("DEU").from("DEU").to("FRA").distanceSales("10000"), "EU-E7", "vendor_customer VAT_invoice VAT DEU 19"},
		{"E7 Art. 59c: EUR 10,000.01 is taxed at destination (Bsp. 2)",
			q().vendor("DEU").from("DEU").to("FRA").distanceSales("10000.01"), "EU-E7", "vendor_customer VAT_invoice VAT FRA 20"},
		{"E7 Art. 59c: the option for destination taxation",
			q().vendor("DEU").from("DEU").to("FRA").distanceSales("500").destinationOption(), "EU-E7", "vendor_customer VAT_invoice VAT FRA 20"},
		{"E7 Art. 59c needs dispatch from the State of establishment (Bsp. 5: French stock of a German vendor)",
			q().vendor("DEU").from("FRA").to("DEU").distanceSales("500"), "EU-E7", "vendor_customer VAT_invoice VAT DEU 19"},
		{"E8 intra-Community B2B supply: exempt at departure (Art. 138), reverse charge at arrival",
			q().vendor("POL").from("POL").to("LVA").b2b(), "EU-E8", "vendor_customer reverse_charge_invoice VAT LVA 0"},
		{"E8 whatever the vendor's establishment", q().from("DEU").to("FRA").b2b(), "EU-E8", "vendor_customer reverse_charge_invoice VAT FRA 0"},
		{"E9 domestic B2B by a vendor established there", q().vendor("DEU").from("DEU").b2b(), "EU-E9", "vendor_customer VAT_invoice VAT DEU 19"},
		{"E9 non-established vendor where the State applies Art. 194 (FRA): reverse charge",
			q().from("FRA").to("FRA").b2b(), "EU-E9", "vendor_customer reverse_charge_invoice VAT FRA 0"},
		{"E9 non-established vendor in DEU, which does not apply Art. 194: vendor charges VAT",
			q().from("DEU").b2b(), "EU-E9", "vendor_customer VAT_invoice VAT DEU 19"},
		{"E9 before ViDA, 2028-06-30: still optional", q().from("DEU").b2b().on("2028-06-30"), "EU-E9", "vendor_customer VAT_invoice VAT DEU 19"},
		{"E9 ViDA from 2028-07-01: mandatory reverse charge (Directive (EU) 2025/516)",
			q().from("DEU").b2b().on("2028-07-01"), "EU-E9", "vendor_customer reverse_charge_invoice VAT DEU 0"},
		{"before 2021-07-01: import is a commercial invoice, EUR 22 relief ignored ([CONVENTION])",
			q().ioss().amt("20").on("2021-06-30"), "EU-PRE2021", "vendor_customer commercial_invoice VAT DEU 19 iv=20.00EUR"},
		{"before 2021-07-01: intra-EU B2C at the departure rate ([CONVENTION])",
			q().vendor("KOR").from("DEU").to("FRA").on("2021-06-30"), "EU-PRE2021", "vendor_customer VAT_invoice VAT DEU 19"},
		{"from 2021-07-01: Art. 14a(2) applies", q().vendor("KOR").from("DEU").to("FRA").on("2021-07-01"), "EU-E5",
			"vendor_marketplace VAT_invoice VAT DEU 0 | marketplace_customer VAT_invoice VAT FRA 20"},
		{"before 2021-07-01: B2B rules unchanged (E8)", q().from("DEU").to("FRA").b2b().on("2021-06-30"), "EU-E8",
			"vendor_customer reverse_charge_invoice VAT FRA 0"},
	})
}

// RULES §3 E10 and §1.2: Northern Ireland follows EU rules for goods with
// UK rates and jurisdiction GBR.
func TestNorthernIreland(t *testing.T) {
	ni := q().to("GBR").state("NI")
	runCases(t, []tc{
		{"E10 arrival_state NI: import <= EUR 150 with IOSS, Art. 14a(1) with UK rate",
			ni.ioss(), "NI-E2", "vendor_marketplace VAT_invoice VAT CHN 0 | marketplace_customer VAT_invoice VAT GBR 20"},
		{"E10 postcode BT: import without IOSS, commercial invoice in EUR",
			q().to("GBR").zip("BT1 1AA"), "NI-E3", "vendor_customer commercial_invoice VAT GBR 20 iv=100.00EUR"},
		{"E10 postcode bt lower case", q().to("GBR").zip("bt48 7ab").amt("200"), "NI-E4", "vendor_customer commercial_invoice VAT GBR 20 iv=200.00EUR"},
		{"E10 EU -> NI B2B is intra-Community (E8)", ni.vendor("DEU").from("DEU").b2b(), "NI-E8", "vendor_customer reverse_charge_invoice VAT GBR 0"},
		{"E10 GB -> NI is inside the UK VAT territory: domestic (E6)", ni.vendor("GBR").from("GBR"), "NI-E6", "vendor_customer VAT_invoice VAT GBR 20"},
		{"E10 non-UK/EU vendor with NI stock: Art. 14a(2) (E5)", ni.from("GBR").depState("NI"), "NI-E5",
			"vendor_marketplace VAT_invoice VAT GBR 0 | marketplace_customer VAT_invoice VAT GBR 20"},
		{"E10 EU vendor distance sale to NI (E7)", ni.vendor("IRL").from("IRL"), "NI-E7", "vendor_customer VAT_invoice VAT GBR 20"},
		{"NI -> EU is not an import (Windsor Framework): E5 for a GB vendor", q().vendor("GBR").from("GBR").depZip("BT7 1NN").to("IRL"), "EU-E5",
			"vendor_marketplace VAT_invoice VAT GBR 0 | marketplace_customer VAT_invoice VAT IRL 23"},
		{"GB (not NI) -> EU is an import", q().vendor("GBR").from("GBR").to("IRL").ioss(), "EU-E2",
			"vendor_marketplace VAT_invoice VAT GBR 0 | marketplace_customer VAT_invoice VAT IRL 23"},
		{"NI before 2021-01-01 is plain UK (generic before the UK rules)", ni.on("2020-12-31").cur("GBP"), "GEN-X2",
			"vendor_customer commercial_invoice VAT GBR 20 iv=100.00GBP"},
	})
}

// RULES §1.2: third territories detected from arrival_zip.
func TestThirdTerritories(t *testing.T) {
	runCases(t, []tc{
		{"Canary Islands (ES 35xxx): outside the EU VAT territory, IGIC 7 at import", q().to("ESP").zip("35001"), "EU-TT",
			"vendor_customer commercial_invoice VAT ESP 7 iv=100.00EUR"},
		{"Canary Islands (ES 38xxx, Tenerife)", q().to("ESP").zip("38001").ioss(), "EU-TT", "vendor_customer commercial_invoice VAT ESP 7 iv=100.00EUR"},
		{"Madrid (ES 28xxx) is in the EU", q().to("ESP").zip("28001").ioss(), "EU-E2",
			"vendor_marketplace VAT_invoice VAT CHN 0 | marketplace_customer VAT_invoice VAT ESP 21"},
		{"a bare prefix is not a postal code", q().to("ESP").zip("35").ioss(), "EU-E2",
			"vendor_marketplace VAT_invoice VAT CHN 0 | marketplace_customer VAT_invoice VAT ESP 21"},
		{"within the Canary Islands: local tax", q().vendor("ESP").from("ESP").depZip("35002").to("ESP").zip("35001"), "EU-TT",
			"vendor_customer VAT_invoice VAT ESP 7"},
		{"Canary Islands -> mainland Spain is an import into the EU", q().vendor("ESP").from("ESP").depZip("35002").to("ESP").zip("28001"), "EU-E3",
			"vendor_customer commercial_invoice VAT ESP 21 iv=100.00EUR"},
		{"Ceuta (ES 51xxx)", q().to("ESP").zip("51001"), "EU-TT", "vendor_customer exempted_invoice VAT ESP 0"},
		{"Melilla (ES 52xxx)", q().to("ESP").zip("52001"), "EU-TT", "vendor_customer exempted_invoice VAT ESP 0"},
		{"Büsingen (DE 78266) is in the Swiss VAT territory: platform rule S2", q().zip("78266"), "CH-S2",
			"vendor_marketplace VAT_invoice VAT CHN 0 | marketplace_customer VAT_invoice VAT CHE 8.1"},
		{"Büsingen from Germany is an import into CH", q().vendor("DEU").from("DEU").zip("D-78266"), "CH-S2",
			"vendor_marketplace VAT_invoice VAT DEU 0 | marketplace_customer VAT_invoice VAT CHE 8.1"},
		{"Büsingen -> Germany is an import into the EU from the Swiss territory", q().vendor("DEU").from("DEU").depZip("78266").ioss(), "EU-E2",
			"vendor_marketplace VAT_invoice VAT CHE 0 | marketplace_customer VAT_invoice VAT DEU 19"},
		{"Heligoland (DE 27498): no VAT", q().zip("27498"), "EU-TT", "vendor_customer exempted_invoice VAT DEU 0"},
		{"Livigno (IT 23041): no VAT", q().to("ITA").zip("23041"), "EU-TT", "vendor_customer exempted_invoice VAT ITA 0"},
		{"Campione d'Italia (IT 22061)", q().to("ITA").zip("22061"), "EU-TT", "vendor_customer exempted_invoice VAT ITA 0"},
		{"Mount Athos (GR 630 86): exempt", q().to("GRC").zip("630 86"), "EU-TT", "vendor_customer exempted_invoice VAT GRC 0"},
		{"Guadeloupe (FR 971xx): 8.5", q().to("FRA").zip("97110"), "EU-TT", "vendor_customer commercial_invoice VAT FRA 8.5 iv=100.00EUR"},
		{"Martinique (FR 972xx): 8.5", q().to("FRA").zip("97200"), "EU-TT", "vendor_customer commercial_invoice VAT FRA 8.5 iv=100.00EUR"},
		{"French Guiana (FR 973xx): VAT not applied", q().to("FRA").zip("97300"), "EU-TT", "vendor_customer exempted_invoice VAT FRA 0"},
		{"Réunion (FR 974xx): 8.5", q().to("FRA").zip("97400"), "EU-TT", "vendor_customer commercial_invoice VAT FRA 8.5 iv=100.00EUR"},
		{"Mayotte (FR 976xx): VAT not applied", q().to("FRA").zip("97600"), "EU-TT", "vendor_customer exempted_invoice VAT FRA 0"},
		{"Saint-Barthélemy (97133) is not Guadeloupe", q().to("FRA").zip("97133"), "EU-TT", "vendor_customer exempted_invoice VAT FRA 0"},
		{"Paris is in the EU", q().to("FRA").zip("75001"), "EU-E3", "vendor_customer commercial_invoice VAT FRA 20 iv=100.00EUR"},
		{"Åland (AX-22100): Finnish VAT, import even from mainland Finland", q().vendor("FIN").from("FIN").to("FIN").zip("AX-22100"), "EU-TT",
			"vendor_customer commercial_invoice VAT FIN 25.5 iv=100.00EUR"},
		{"within Åland: Finnish VAT", q().vendor("FIN").from("FIN").depZip("22100").to("FIN").zip("22710"), "EU-TT",
			"vendor_customer VAT_invoice VAT FIN 25.5"},
		{"Åland -> mainland Finland is an import into the EU", q().vendor("FIN").from("FIN").depZip("22100").to("FIN").zip("00100").ioss(), "EU-E2",
			"vendor_marketplace VAT_invoice VAT FIN 0 | marketplace_customer VAT_invoice VAT FIN 25.5"},
	})
}

// RULES §13: EU rates across their effective dates, each side of each date.
func TestEURatesByDate(t *testing.T) {
	dom := func(c string) rq { return q().vendor(c).from(c).to(c) }
	runCases(t, []tc{
		{"Estonia 22 % on 2025-06-30", dom("EST").on("2025-06-30"), "EU-E6", "vendor_customer VAT_invoice VAT EST 22"},
		{"Estonia 24 % from 2025-07-01", dom("EST").on("2025-07-01"), "EU-E6", "vendor_customer VAT_invoice VAT EST 24"},
		{"Finland 24 % on 2024-08-31", dom("FIN").on("2024-08-31"), "EU-E6", "vendor_customer VAT_invoice VAT FIN 24"},
		{"Finland 25.5 % from 2024-09-01", dom("FIN").on("2024-09-01"), "EU-E6", "vendor_customer VAT_invoice VAT FIN 25.5"},
		{"Romania 19 % on 2025-07-31", dom("ROU").on("2025-07-31").cur("RON"), "EU-E6", "vendor_customer VAT_invoice VAT ROU 19"},
		{"Romania 21 % from 2025-08-01", dom("ROU").on("2025-08-01").cur("RON"), "EU-E6", "vendor_customer VAT_invoice VAT ROU 21"},
		{"Slovakia 20 % on 2024-12-31", dom("SVK").on("2024-12-31"), "EU-E6", "vendor_customer VAT_invoice VAT SVK 20"},
		{"Slovakia 23 % from 2025-01-01", dom("SVK").on("2025-01-01"), "EU-E6", "vendor_customer VAT_invoice VAT SVK 23"},
		{"Germany 16 % in the second half of 2020", dom("DEU").on("2020-12-31"), "EU-PRE2021", "vendor_customer VAT_invoice VAT DEU 16"},
		{"Estonia import at 24 % with the intrinsic value", q().to("EST").on("2025-07-01"), "EU-E3", "vendor_customer commercial_invoice VAT EST 24 iv=100.00EUR"},
	})
}

func TestEUBasis(t *testing.T) {
	a, err := testEngine.Determine(Request(q().ioss().cur("USD").amt("156.97")), day("2026-04-10"))
	if err != nil {
		t.Fatal(err)
	}
	b := a.Basis
	if b.Rule != "EU-E2" || !strings.Contains(b.Reason, "Art. 14a(1)") || b.Section != "§3 E2" || b.DateSource != "order_date" {
		t.Errorf("basis = %+v", b)
	}
	if len(b.Thresholds) != 1 {
		t.Fatalf("thresholds = %+v", b.Thresholds)
	}
	th := b.Thresholds[0]
	if th.Threshold.String() != "150" || th.Currency != "EUR" || th.Value.String() != "156.97" || th.ValueCurrency != "USD" ||
		th.ConvertedValue.String() != "149.9952" || !th.Result || th.Comparison != "<=" ||
		th.Exchange == nil || th.Exchange.From.PerEUR.String() != "1.0465" || th.Exchange.From.Published != day("2025-03-03") {
		t.Errorf("threshold = %+v", th)
	}
	if len(b.Rates) != 1 || b.Rates[0].Jurisdiction != "DEU" || b.Rates[0].Percent.String() != "19" ||
		b.Rates[0].EffectiveFrom != day("2021-01-01") || b.Rates[0].Uncertain || len(b.Rates[0].Sources) == 0 {
		t.Errorf("rates = %+v", b.Rates)
	}
	// From 2026-07-01 the EUR 3 customs duty is noted (RULES §13).
	a, _ = testEngine.Determine(Request(q().ioss().on("2026-07-01")), day("2026-07-01"))
	if !strings.Contains(strings.Join(a.Basis.Notes, " "), "EUR 3 customs duty") {
		t.Errorf("notes = %v", a.Basis.Notes)
	}
	// E9 names its uncertain list.
	a, _ = testEngine.Determine(Request(q().from("FRA").to("FRA").b2b()), day("2026-04-10"))
	if !strings.Contains(strings.Join(a.Basis.Notes, " "), "[UNCERTAIN]") {
		t.Errorf("notes = %v", a.Basis.Notes)
	}
}
