package ubl

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/money"
)

// TestGenerateRandom is the CI half of the validation run: a wide range of
// randomized valid e-documents all generate, and every output passes Check
// (Generate runs it) and re-parses with the figures the e-document gave.
func TestGenerateRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	n := 1000
	if testing.Short() {
		n = 100
	}
	for i := range n {
		d, p := randomDoc(r, i)
		doc := d.edoc(t)
		out, err := Generate(doc, p)
		if err != nil {
			t.Fatalf("random %d (%s -> %s): %v", i, d.Supplier.Name, d.Customer.Name, err)
		}
		root, err := parseTree(out)
		if err != nil {
			t.Fatal(err)
		}
		got, err := money.Parse(root.path("LegalMonetaryTotal/PayableAmount").value())
		if err != nil || !got.Equal(doc.Total) {
			t.Fatalf("random %d: payable amount %s, the e-document's total is %s", i, got, doc.Total)
		}
	}
}

// TestGenerateRefuses covers every e-document Generate turns down, each
// naming the field to fix.
func TestGenerateRefuses(t *testing.T) {
	de := tparty{"Muster GmbH", "Hauptstraße 5", "München", "80331", "9930:DE123456789", "DE123456789", "DEU"}
	no := tparty{"Nordisk AS", "Storgata 1", "Oslo", "0155", "0192:923609016", "", "NOR"}
	deEP, noEP := Endpoint{"9930", "DE123456789"}, Endpoint{"0192", "923609016"}
	base := func() tdoc {
		return tdoc{Number: "X-1", Created: "2025-03-01", Currency: "EUR", Customer: no, Supplier: de, Rate: "19",
			Lines: []tline{line("Service", "1", "100.00")}}
	}
	tests := []struct {
		name    string
		edit    func(d *tdoc, p *Parties)
		field   string
		message string
	}{
		{"german domestic", func(d *tdoc, p *Parties) {
			d.Customer = tparty{"Kunde AG", "Weg 1", "Berlin", "10115", "9930:DE987654321", "", "DEU"}
			p.Customer = Endpoint{"9930", "DE987654321"}
		}, "customer_country", "DE-R-002"},
		{"greek supplier", func(d *tdoc, p *Parties) {
			d.Supplier = tparty{"Etaireia AE", "Odos 1", "Athina", "10552", "9933:EL123456789", "EL123456789", "GRC"}
			p.Supplier = Endpoint{"9933", "EL123456789"}
		}, "supplier_country", "GR-R-001"},
		{"dutch credit note", func(d *tdoc, p *Parties) {
			d.Kind = invoicing.KindCreditNote
			d.Supplier = tparty{"Voorbeeld BV", "Damrak 1", "Amsterdam", "1012 LG", "9944:NL123456789B01", "NL123456789B01", "NLD"}
			p.Supplier = Endpoint{"9944", "NL123456789B01"}
		}, "supplier_country", "NL-R-001"},
		{"danish supplier without CVR", func(d *tdoc, p *Parties) {
			d.Supplier = tparty{"Eksempel ApS", "Strøget 1", "København", "1160", "0088:5790000436057", "", "DNK"}
			p.Supplier = Endpoint{"0088", "5790000436057"}
			d.Rate = "0"
		}, "supplier_tax_number", "BR-S-02"},
		{"danish supplier with a non-CVR tax number", func(d *tdoc, p *Parties) {
			d.Supplier = tparty{"Eksempel ApS", "Strøget 1", "København", "1160", "9925:BE0123456749", "BE0123456749", "DNK"}
			p.Supplier = Endpoint{"9925", "BE0123456749"}
		}, "supplier_tax_number", "DK-R-002"},
		{"icelandic supplier without kennitala", func(d *tdoc, p *Parties) {
			d.Supplier = tparty{"Dæmi ehf", "Laugavegur 1", "Reykjavík", "101", "0088:5790000436057", "IS12345", "ISL"}
			p.Supplier = Endpoint{"0088", "5790000436057"}
		}, "supplier_peppol_id", "IS-R-002"},
		{"icelandic buyer without kennitala", func(d *tdoc, p *Parties) {
			d.Supplier = tparty{"Dæmi ehf", "Laugavegur 1", "Reykjavík", "101", "0196:5901696449", "IS12345", "ISL"}
			p.Supplier = Endpoint{"0196", "5901696449"}
			d.Customer = tparty{"Kaupandi hf", "Austurstræti 2", "Reykjavík", "101", "0088:5790000436057", "", "ISL"}
			p.Customer = Endpoint{"0088", "5790000436057"}
		}, "customer_peppol_id", "IS-R-004"},
		{"swedish supplier at a foreign rate", func(d *tdoc, p *Parties) {
			d.Supplier = tparty{"Exempel AB", "Drottninggatan 1", "Stockholm", "111 51", "0007:5560360793", "SE556036079301", "SWE"}
			p.Supplier = Endpoint{"0007", "5560360793"}
			d.Rate = "20"
		}, "tax_rate", "SE-R-006"},
		{"norwegian VAT number failing mod 11", func(d *tdoc, p *Parties) {
			d.Supplier = tparty{"Nordisk AS", "Storgata 1", "Oslo", "0155", "0192:923609016", "NO923609017MVA", "NOR"}
			p.Supplier = Endpoint{"0192", "923609016"}
			d.Customer, p.Customer = de, deEP
		}, "supplier_tax_number", "NO-R-001"},
		{"supplier without any VAT identifier", func(d *tdoc, p *Parties) {
			d.Supplier.Tax = ""
			p.Supplier = Endpoint{"0088", "5790000436057"}
		}, "supplier_tax_number", "is required"},
		{"supplier tax number that is no VAT number", func(d *tdoc, p *Parties) {
			d.Supplier.Tax = "143/815/08156"
			p.Supplier = Endpoint{"0088", "5790000436057"}
		}, "supplier_tax_number", "is not a VAT number of DE"},
		{"country nowhere to be found", func(d *tdoc, p *Parties) {
			d.Customer = tparty{"Somebody", "Street 1", "Town", "1234", "0088:5790000436057", "", ""}
			p.Customer = Endpoint{"0088", "5790000436057"}
		}, "customer_country", "BT-55"},
		{"unknown scheme", func(d *tdoc, p *Parties) { p.Customer = Endpoint{"9999", "123"} }, "customer_peppol_id", "CL008"},
		{"invalid GLN", func(d *tdoc, p *Parties) { p.Customer = Endpoint{"0088", "5790000436058"} }, "customer_peppol_id", "PEPPOL-COMMON-R040"},
		{"invalid Norwegian organisation number", func(d *tdoc, p *Parties) { p.Customer = Endpoint{"0192", "923609017"} }, "customer_peppol_id", "PEPPOL-COMMON-R041"},
		{"empty participant id", func(d *tdoc, p *Parties) { p.Supplier = Endpoint{"9930", " "} }, "supplier_peppol_id", "no identifier"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, p := base(), Parties{Supplier: deEP, Customer: noEP}
			tt.edit(&d, &p)
			out, err := Generate(d.edoc(t), p)
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("Generate = %d bytes, %v; want an *InputError", len(out), err)
			}
			if ie.Field != tt.field || !strings.Contains(ie.Reason, tt.message) {
				t.Errorf("got %q; want field %q and a reason mentioning %q", ie.Error(), tt.field, tt.message)
			}
		})
	}
}

// TestGenerateRefusesInconsistentAmounts: amounts that do not add up never
// reach the XML, even if they got past ingestion.
func TestGenerateRefusesInconsistentAmounts(t *testing.T) {
	g := goldenCases()[0]
	doc := g.doc.edoc(t)
	doc.Tax = doc.Tax.Add(doc.Tax)
	_, err := Generate(doc, g.parties)
	var ie *InputError
	if !errors.As(err, &ie) || ie.Field != "tax" {
		t.Fatalf("got %v, want an InputError on tax", err)
	}
	doc = g.doc.edoc(t)
	doc.LineItems[0].Description = "  "
	if _, err := Generate(doc, g.parties); !errors.As(err, &ie) || ie.Field != "line_items[0].description" {
		t.Fatalf("got %v, want an InputError on the description", err)
	}
}

// TestTaxNumbers pins the reading of tax numbers as VAT identifiers.
func TestTaxNumbers(t *testing.T) {
	tests := []struct {
		tn, country, want string
	}{
		{"DE123456789", "DE", "DE123456789"},
		{"123456789", "DE", "DE123456789"},
		{"de 123.456-789", "DE", "DE123456789"},
		{"143/815/08156", "DE", ""},
		{"12345678", "DE", ""},
		{"123456789", "GR", "EL123456789"},
		{"EL123456789", "GR", "EL123456789"},
		{"974760673", "NO", "NO974760673MVA"},
		{"NO974760673", "NO", "NO974760673MVA"},
		{"974760673MVA", "NO", "NO974760673MVA"},
		{"U12345678", "AT", "ATU12345678"},
		{"123456789B01", "NL", "NL123456789B01"},
		{"NL123456789", "NL", ""},
		{"CHE123456789MWST", "CH", "CHE123456789MWST"},
		{"123456789", "US", ""},
		{"51824753556", "AU", ""},
		{"DE123456789", "FR", "DE123456789"},
		{"", "DE", ""},
	}
	for _, tt := range tests {
		got, _ := vatID(normTaxNumber(tt.tn), tt.country)
		if got != tt.want {
			t.Errorf("vatID(%q, %s) = %q, want %q", tt.tn, tt.country, got, tt.want)
		}
	}
}

// TestIdentifierChecks pins the check-digit rules against known numbers.
func TestIdentifierChecks(t *testing.T) {
	valid := map[string][]string{
		"0088": {"5790000436057", "7300010000001"},
		"0192": {"923609016", "974760673"},
		"0184": {"12345678", "DK12345678"},
		"0208": {"0123456749"},
		"0007": {"5560360793"},
		"0151": {"51824753556"},
	}
	invalid := map[string][]string{
		"0088": {"5790000436058", "57900004360A7", ""},
		"0192": {"923609017", "92360901", "000000000"},
		"0184": {"1234567", "DE12345678"},
		"0208": {"0123456748", "123456749"},
		"0007": {"5560360794", "556036079"},
		"0151": {"51824753557"},
	}
	for scheme, ids := range valid {
		for _, id := range ids {
			if !icdChecks[scheme].valid(id) {
				t.Errorf("%s:%s should be valid", scheme, id)
			}
		}
	}
	for scheme, ids := range invalid {
		for _, id := range ids {
			if icdChecks[scheme].valid(id) {
				t.Errorf("%s:%s should be invalid", scheme, id)
			}
		}
	}
	if !IsEAS("0192") || !IsEAS("9959") || IsEAS("9999") || IsEAS("") {
		t.Error("IsEAS disagrees with the EAS list")
	}
	if len(schemes) != 82 {
		t.Errorf("%d EAS codes, the Peppol 2026.5 list has 82", len(schemes))
	}
}

// TestGenerateChecksItsOutput: a document that fails Check is never
// returned; the error lists the violations.
func TestGenerateChecksItsOutput(t *testing.T) {
	g := goldenCases()[0]
	x, err := build(g.doc.edoc(t), g.parties)
	if err != nil {
		t.Fatal(err)
	}
	x.Totals.PayableAmount.Value = "119.99"
	x.BuyerReference = ""
	out, err := render(x)
	var ce *CheckError
	if out != nil || !errors.As(err, &ce) {
		t.Fatalf("render = %d bytes, %v; want a *CheckError", len(out), err)
	}
	msg := err.Error()
	for _, want := range []string{"BR-CO-16", "amount due (BT-115) is 119.99", "PEPPOL-EN16931-R008", "PEPPOL-EN16931-R003"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if len(ce.Violations) != 3 {
		t.Errorf("violations %v, want BR-CO-16, R003 and R008", ce.Violations)
	}
}

func TestGenerateRefusesCurrencyPeppolLacks(t *testing.T) {
	g := goldenCases()[0]
	doc := g.doc.edoc(t)
	doc.Currency = "XAD"
	_, err := Generate(doc, g.parties)
	var ie *InputError
	if !errors.As(err, &ie) || ie.Field != "currency" || !strings.Contains(ie.Reason, "CL007") {
		t.Fatalf("got %v, want an InputError on currency", err)
	}
	xml := strings.Replace(golden(t, "spec-single-invoice"), "<cbc:DocumentCurrencyCode>EUR<", "<cbc:DocumentCurrencyCode>XAD<", 1)
	found := false
	for _, v := range Check([]byte(xml)) {
		found = found || v.Rule == "PEPPOL-EN16931-CL007"
	}
	if !found {
		t.Error("Check misses PEPPOL-EN16931-CL007")
	}
}
