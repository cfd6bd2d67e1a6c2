package ubl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckPassesGoldens: every rule holds on every golden document (the
// passing side of each rule).
func TestCheckPassesGoldens(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.xml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if vs := Check(data); len(vs) > 0 {
			t.Errorf("%s: %v", f, vs)
		}
	}
}

func golden(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "golden", name+".xml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// edit replaces the n-th (1-based) occurrence of old in s.
func edit(t *testing.T, s, old, repl string, n int) string {
	t.Helper()
	at := -1
	for i, from := 0, 0; i < n; i++ {
		j := strings.Index(s[from:], old)
		if j < 0 {
			t.Fatalf("occurrence %d of %q not found", n, old)
		}
		at = from + j
		from = at + len(old)
	}
	return s[:at] + repl + s[at+len(old):]
}

// TestCheckViolations breaks each rule in a generated document and expects
// the rule's id among the violations, with the figures in the message.
func TestCheckViolations(t *testing.T) {
	mixed := "mixed-exempt"            // invoice, S 19% and E lines, DE -> NO
	sales := "us-sales-tax"            // invoice, O lines and a sales tax charge
	credit := "credit-note-mixed"      // credit note, S and E lines
	spec := "spec-multiple-invoices-1" // VAT identifier from the endpoint
	tests := []struct {
		name, base string
		mutate     func(t *testing.T, s string) string
		rule       string
		figures    string // a part of the message
	}{
		{"BR-CO-10 line total", mixed, func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:LineExtensionAmount currencyID="EUR">1685.07</cbc:LineExtensionAmount>`, `<cbc:LineExtensionAmount currencyID="EUR">1685.08</cbc:LineExtensionAmount>`, 1)
		}, "BR-CO-10", "is 1685.08 but the lines add up to 1685.07"},
		{"BR-CO-13 total without VAT", mixed, func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:TaxExclusiveAmount currencyID="EUR">1685.07<`, `<cbc:TaxExclusiveAmount currencyID="EUR">1685.00<`, 1)
		}, "BR-CO-13", "1685.07"},
		{"BR-CO-13 with charges", sales, func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:ChargeTotalAmount currencyID="USD">17.39<`, `<cbc:ChargeTotalAmount currencyID="USD">17.40<`, 1)
		}, "BR-CO-13", "charges 17.4"},
		{"BR-CO-14 VAT total", mixed, func(t *testing.T, s string) string {
			return edit(t, s, `<cac:TaxTotal>
    <cbc:TaxAmount currencyID="EUR">151.99<`, `<cac:TaxTotal>
    <cbc:TaxAmount currencyID="EUR">152.00<`, 1)
		}, "BR-CO-14", "is 152 but the VAT categories add up to 151.99"},
		{"BR-CO-15 total with VAT", mixed, func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:TaxInclusiveAmount currencyID="EUR">1837.06<`, `<cbc:TaxInclusiveAmount currencyID="EUR">1837.07<`, 1)
		}, "BR-CO-15", "1685.07 + VAT 151.99 is 1837.06"},
		{"BR-CO-15 two VAT totals", mixed, func(t *testing.T, s string) string {
			return edit(t, s, `<cac:LegalMonetaryTotal>`, `<cac:TaxTotal><cbc:TaxAmount currencyID="EUR">1</cbc:TaxAmount></cac:TaxTotal><cac:LegalMonetaryTotal>`, 1)
		}, "BR-CO-15", "2 total VAT amounts"},
		{"BR-CO-16 amount due", mixed, func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:PayableAmount currencyID="EUR">1837.06<`, `<cbc:PayableAmount currencyID="EUR">1837.00<`, 1)
		}, "BR-CO-16", "is 1837 but"},
		{"BR-CO-17 category tax", mixed, func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:TaxAmount currencyID="EUR">151.99</cbc:TaxAmount>
      <cac:TaxCategory>`, `<cbc:TaxAmount currencyID="EUR">151.98</cbc:TaxAmount>
      <cac:TaxCategory>`, 1)
		}, "BR-CO-17", "tax amount is 151.98 but taxable amount 799.97 x rate is 151.99"},
		{"BR-CO-17 exempt with tax", mixed, func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:TaxAmount currencyID="EUR">0.00</cbc:TaxAmount>`, `<cbc:TaxAmount currencyID="EUR">1.00</cbc:TaxAmount>`, 1)
		}, "BR-CO-17", "VAT category E at 0%"},
		{"BR-S-08 taxable amount", mixed, func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:TaxableAmount currencyID="EUR">799.97<`, `<cbc:TaxableAmount currencyID="EUR">800.00<`, 1)
		}, "BR-S-08", "taxable amount is 800 but its lines, charges and allowances add up to 799.97"},
		{"BR-E-08 exempt taxable amount", mixed, func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:TaxableAmount currencyID="EUR">885.10<`, `<cbc:TaxableAmount currencyID="EUR">885.00<`, 1)
		}, "BR-E-08", "885.1"},
		{"BR-O-08 with the charge", sales, func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:TaxableAmount currencyID="USD">272.27<`, `<cbc:TaxableAmount currencyID="USD">254.88<`, 1)
		}, "BR-O-08", "add up to 272.27"},
		{"BR-S-09 standard rated tax", mixed, func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:TaxAmount currencyID="EUR">151.99</cbc:TaxAmount>
      <cac:TaxCategory>`, `<cbc:TaxAmount currencyID="EUR">150.00</cbc:TaxAmount>
      <cac:TaxCategory>`, 1)
		}, "BR-S-09", "at 19%: tax amount is 150 but taxable amount 799.97 x rate is 151.99"},
		{"BR-E-10 exemption reason", mixed, func(t *testing.T, s string) string {
			return edit(t, s, "\n        <cbc:TaxExemptionReason>Exempt from VAT</cbc:TaxExemptionReason>", "", 1)
		}, "BR-E-10", "no exemption reason"},
		{"BR-O-10 not subject reason", sales, func(t *testing.T, s string) string {
			s = edit(t, s, "\n        <cbc:TaxExemptionReasonCode>VATEX-EU-O</cbc:TaxExemptionReasonCode>", "", 1)
			return edit(t, s, "\n        <cbc:TaxExemptionReason>Not subject to VAT</cbc:TaxExemptionReason>", "", 1)
		}, "BR-O-10", "no exemption reason"},
		{"BR-O-02 VAT identifier on an O document", sales, func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:ID>TAX</cbc:ID>`, `<cbc:ID>VAT</cbc:ID>`, 1)
		}, "BR-O-02", `"12-3456789"`},
		{"BR-S-02 seller VAT identifier", mixed, func(t *testing.T, s string) string {
			return edit(t, s, `<cac:PartyTaxScheme>
        <cbc:CompanyID>DE123456789</cbc:CompanyID>
        <cac:TaxScheme>
          <cbc:ID>VAT</cbc:ID>
        </cac:TaxScheme>
      </cac:PartyTaxScheme>`, "", 1)
		}, "BR-S-02", "seller's VAT identifier"},
		{"BR-E-02 seller VAT identifier", mixed, func(t *testing.T, s string) string {
			return edit(t, s, `<cac:PartyTaxScheme>
        <cbc:CompanyID>DE123456789</cbc:CompanyID>
        <cac:TaxScheme>
          <cbc:ID>VAT</cbc:ID>
        </cac:TaxScheme>
      </cac:PartyTaxScheme>`, "", 1)
		}, "BR-E-02", "category E"},
		{"BR-CO-09 VAT prefix", mixed, func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:CompanyID>DE123456789</cbc:CompanyID>`, `<cbc:CompanyID>123456789</cbc:CompanyID>`, 1)
		}, "BR-CO-09", `"123456789"`},
		{"BR-CO-26 seller identification", sales, func(t *testing.T, s string) string {
			return edit(t, s, `<cac:PartyIdentification>
        <cbc:ID schemeID="0060">123456789</cbc:ID>
      </cac:PartyIdentification>`, "", 1)
		}, "BR-CO-26", "seller has no"},
		{"BR-09 seller country", mixed, func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:IdentificationCode>DE</cbc:IdentificationCode>`, `<cbc:IdentificationCode> </cbc:IdentificationCode>`, 1)
		}, "BR-09", "seller country code"},
		{"BR-11 buyer country", mixed, func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:IdentificationCode>NO</cbc:IdentificationCode>`, ``, 1)
		}, "BR-11", "buyer country code"},
		{"BR-DEC-18 three decimals", mixed, func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:PayableAmount currencyID="EUR">1837.06<`, `<cbc:PayableAmount currencyID="EUR">1837.060<`, 1)
		}, "BR-DEC-18", "1837.060 has more than 2 decimals"},
		{"BR-DEC-23 line", mixed, func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:LineExtensionAmount currencyID="EUR">850.00<`, `<cbc:LineExtensionAmount currencyID="EUR">850.000<`, 1)
		}, "BR-DEC-23", "850.000"},
		{"BR-DEC-05 charge", sales, func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:Amount currencyID="USD">17.39<`, `<cbc:Amount currencyID="USD">17.390<`, 1)
		}, "BR-DEC-05", "17.390"},
		{"R001 business process", mixed, func(t *testing.T, s string) string {
			return edit(t, s, "\n  <cbc:ProfileID>"+ProfileID+"</cbc:ProfileID>", "", 1)
		}, "PEPPOL-EN16931-R001", "missing"},
		{"R007 approved business process", mixed, func(t *testing.T, s string) string {
			return edit(t, s, ProfileID, "urn:fdc:peppol.eu:2017:poacc:billing:99:1.0", 1)
		}, "PEPPOL-EN16931-R007", "billing:99"},
		{"R003 buyer reference", mixed, func(t *testing.T, s string) string {
			return edit(t, s, "\n  <cbc:BuyerReference>PO-4711</cbc:BuyerReference>", "", 1)
		}, "PEPPOL-EN16931-R003", "neither"},
		{"R004 specification identifier", mixed, func(t *testing.T, s string) string {
			return edit(t, s, CustomizationID, "urn:cen.eu:en16931:2017", 1)
		}, "PEPPOL-EN16931-R004", `"urn:cen.eu:en16931:2017"`},
		{"R004 double colon", mixed, func(t *testing.T, s string) string {
			return edit(t, s, CustomizationID, CustomizationID+"::x", 1)
		}, "PEPPOL-EN16931-R004", "::x"},
		{"R008 empty element", mixed, func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:CityName>München</cbc:CityName>`, `<cbc:CityName>  </cbc:CityName>`, 1)
		}, "PEPPOL-EN16931-R008", "Invoice/AccountingSupplierParty/Party/PostalAddress/CityName"},
		{"R010 buyer endpoint", mixed, func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:EndpointID schemeID="0192">923609016</cbc:EndpointID>`, "", 1)
		}, "PEPPOL-EN16931-R010", "buyer electronic address"},
		{"R020 seller endpoint", mixed, func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:EndpointID schemeID="9930">DE123456789</cbc:EndpointID>`, "", 1)
		}, "PEPPOL-EN16931-R020", "seller electronic address"},
		{"R051 currency", mixed, func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:PriceAmount currencyID="EUR">199.99<`, `<cbc:PriceAmount currencyID="USD">199.99<`, 1)
		}, "PEPPOL-EN16931-R051", `currencyID "USD", the document currency is "EUR"`},
		{"R053 one tax total with subtotals", mixed, func(t *testing.T, s string) string {
			i, j := strings.Index(s, "<cac:TaxTotal>"), strings.Index(s, "</cac:TaxTotal>")+len("</cac:TaxTotal>")
			return s[:j] + s[i:j] + s[j:]
		}, "PEPPOL-EN16931-R053", "2 tax totals"},
		{"R053 no subtotals", mixed, func(t *testing.T, s string) string {
			i, j := strings.Index(s, "<cac:TaxSubtotal>"), strings.LastIndex(s, "</cac:TaxSubtotal>")+len("</cac:TaxSubtotal>")
			return s[:i] + s[j:]
		}, "PEPPOL-EN16931-R053", "0 tax totals"},
		{"R120 line net", mixed, func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:PriceAmount currencyID="EUR">199.99<`, `<cbc:PriceAmount currencyID="EUR">200.99<`, 1)
		}, "PEPPOL-EN16931-R120", "line 1 net amount is 599.97 but quantity 3 x price 200.99"},
		{"R120 credit note line", credit, func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:CreditedQuantity unitCode="C62">1</cbc:CreditedQuantity>`, `<cbc:CreditedQuantity unitCode="C62">2</cbc:CreditedQuantity>`, 1)
		}, "PEPPOL-EN16931-R120", "quantity 2"},
		{"R120 within 0.02", mixed, func(t *testing.T, s string) string {
			// 599.99 is 0.02 from 3 x 199.99: still within the slack, but
			// the line total no longer matches.
			return edit(t, s, `<cbc:LineExtensionAmount currencyID="EUR">599.97<`, `<cbc:LineExtensionAmount currencyID="EUR">599.99<`, 1)
		}, "BR-CO-10", "1685.09"},
		{"EAS code list", mixed, func(t *testing.T, s string) string {
			return edit(t, s, `schemeID="9930"`, `schemeID="9999"`, 1)
		}, "PEPPOL-EN16931-CL008", `"9999"`},
		{"PEPPOL-COMMON-R041 Norwegian organisation number", mixed, func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:EndpointID schemeID="0192">923609016<`, `<cbc:EndpointID schemeID="0192">923609017<`, 1)
		}, "PEPPOL-COMMON-R041", "0192:923609017"},
		{"PEPPOL-COMMON-R040 GLN", "scheme-0088", func(t *testing.T, s string) string {
			return edit(t, s, `5790000436057`, `5790000436058`, 1)
		}, "PEPPOL-COMMON-R040", "0088:5790000436058"},
		{"PEPPOL-COMMON-R043 Belgian enterprise number as legal id", "scheme-0208", func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:CompanyID schemeID="0208">0123456749<`, `<cbc:CompanyID schemeID="0208">0123456748<`, 1)
		}, "PEPPOL-COMMON-R043", "PartyLegalEntity/CompanyID 0208:0123456748"},
		{"PEPPOL-COMMON-R049 Swedish organisation number", "scheme-0007", func(t *testing.T, s string) string {
			return edit(t, s, `>5560360793<`, `>5560360794<`, 1)
		}, "PEPPOL-COMMON-R049", "5560360794"},
		{"PEPPOL-COMMON-R050 ABN", "scheme-0151", func(t *testing.T, s string) string {
			return edit(t, s, `>51824753556<`, `>51824753557<`, 1)
		}, "PEPPOL-COMMON-R050", "51824753557"},
		{"PEPPOL-COMMON-R042 CVR", "scheme-0184", func(t *testing.T, s string) string {
			return edit(t, s, `>12345674<`, `>1234567<`, 1)
		}, "PEPPOL-COMMON-R042", "1234567"},
		{"not a number", mixed, func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:PayableAmount currencyID="EUR">1837.06<`, `<cbc:PayableAmount currencyID="EUR">1.837,06<`, 1)
		}, "BR-CO-16", `"1.837,06", not a decimal`},
		{"endpoint VAT identifier still checked", spec, func(t *testing.T, s string) string {
			return edit(t, s, `<cbc:CompanyID>DE987654321</cbc:CompanyID>`, `<cbc:CompanyID>XX987654321</cbc:CompanyID>`, 1)
		}, "BR-CO-09", "XX987654321"},
		{"root element", mixed, func(t *testing.T, s string) string {
			return strings.ReplaceAll(s, nsInvoice, "urn:example:Invoice")
		}, "UBL-ROOT", "urn:example:Invoice"},
		{"not XML", mixed, func(t *testing.T, s string) string { return s[:len(s)/2] }, "XML", "not well-formed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := golden(t, tt.base)
			if vs := Check([]byte(base)); len(vs) > 0 {
				t.Fatalf("base %s already fails: %v", tt.base, vs)
			}
			vs := Check([]byte(tt.mutate(t, base)))
			for _, v := range vs {
				if v.Rule == tt.rule {
					if !strings.Contains(v.Message, tt.figures) {
						t.Errorf("%s message %q lacks %q", tt.rule, v.Message, tt.figures)
					}
					return
				}
			}
			t.Errorf("want %s among the violations, got %v", tt.rule, vs)
		})
	}
}

// TestCheckOfficialExamples runs Check over the official BIS 3.0 examples,
// all valid, when the artefact cache is present. They use allowances,
// charges, negative lines and base quantities that vatgate never writes, so
// this exercises the rules beyond vatgate's own output.
func TestCheckOfficialExamples(t *testing.T) {
	home, _ := os.UserHomeDir()
	dir := filepath.Join(home, ".cache", "peppol-artefacts", "examples", "peppol-bis-3.0.21")
	if v := os.Getenv("PEPPOL_ARTEFACTS"); v != "" {
		dir = filepath.Join(v, "examples", "peppol-bis-3.0.21")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	if len(files) == 0 {
		t.Skipf("no official examples in %s", dir)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if vs := Check(data); len(vs) > 0 {
			t.Errorf("%s: %v", filepath.Base(f), vs)
		}
	}
}

// FuzzCheck: Check never panics, whatever it is given.
func FuzzCheck(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.xml"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		Check(data)
	})
}
