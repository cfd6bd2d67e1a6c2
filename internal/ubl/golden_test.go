package ubl

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vatgate/vatgate/internal/invoicing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.xml from the current output")

type goldenCase struct {
	name    string
	doc     tdoc
	parties Parties
}

// Parties of the documents' own examples. The examples' peppol ids
// ("DE123456789", "PE001") go through participant resolution before this
// package sees them; "PE001".."PE003" resolve to nothing, so the golden
// tests pass resolved participant ids as the pipeline would.
var (
	acme    = tparty{"Acme Corporation", "123 Business Street", "Berlin", "10115", "DE123456789", "DE123456789", "DEU"}
	yourLtd = tparty{"Your Company Ltd", "456 Supplier Avenue", "London", "SW1A 1AA", "GB987654321", "GB987654321", "GBR"}
	custA   = tparty{"Customer A", "123 Street A", "City A", "12345", "PE001", "", ""}
	custB   = tparty{"Customer B", "789 Street C", "City C", "54321", "PE003", "", ""}
	yourCo  = tparty{"Your Company", "456 Street B", "City B", "67890", "PE002", "", ""}

	acmeEP    = Endpoint{"9930", "DE123456789"}
	yourLtdEP = Endpoint{"9932", "GB987654321"}
	custAEP   = Endpoint{"0192", "923609016"}   // PE001 resolved: a Norwegian organisation number
	custBEP   = Endpoint{"0208", "0123456749"}  // PE003 resolved: a Belgian enterprise number
	yourCoEP  = Endpoint{"9930", "DE987654321"} // PE002 resolved: a German VAT number
)

func line(desc, qty, price string) tline { return tline{Desc: desc, Qty: qty, Price: price} }
func exempt(desc, qty, price string) tline {
	return tline{Desc: desc, Qty: qty, Price: price, Exempt: true}
}
func partyIn(p tparty, peppol, country string) tparty {
	p.PeppolID, p.Country = peppol, country
	return p
}

// goldenCases are the documents' own examples and one document per branch
// of Generate.
func goldenCases() []goldenCase {
	ex := func(kind invoicing.Kind, number, desc string) tdoc {
		return tdoc{Kind: kind, Number: number, Created: "2024-01-15", Due: "2024-02-15", Currency: "EUR",
			Customer: acme, Supplier: yourLtd, Rate: "20.0", Subtotal: "100.00", Tax: "20.00", Total: "120.00",
			Lines: []tline{line(desc, "1.0", "100.00")}}
	}
	multi := func(kind invoicing.Kind, number, desc string, cust tparty, qty, sub, tax, total string) tdoc {
		return tdoc{Kind: kind, Number: number, Created: "2024-01-15", Customer: cust, Supplier: yourCo,
			Rate: "20.0", Subtotal: sub, Tax: tax, Total: total, Lines: []tline{line(desc, qty, "100.00")}}
	}
	exParties := Parties{Supplier: yourLtdEP, Customer: acmeEP}

	// A German supplier selling to a Norwegian business, the base of the
	// branch cases.
	de := tparty{"Muster GmbH", "Hauptstraße 5", "München", "80331", "9930:DE123456789", "DE123456789", "DEU"}
	no := tparty{"Nordisk AS", "Storgata 1", "Oslo", "0155", "0192:923609016", "", "NOR"}
	deNO := Parties{Supplier: Endpoint{"9930", "DE123456789"}, Customer: Endpoint{"0192", "923609016"}}
	base := func(number string, lines ...tline) tdoc {
		return tdoc{Number: number, Created: "2025-03-01", Due: "2025-03-31", Currency: "EUR", Ref: "PO-4711",
			Customer: no, Supplier: de, Rate: "19", Lines: lines}
	}
	with := func(d tdoc, f func(*tdoc)) tdoc { f(&d); return d }

	var many []tline
	for i := 1; i <= 50; i++ {
		many = append(many, line(fmt.Sprintf("Part %02d", i), fmt.Sprintf("%d.%d", i, i%10), fmt.Sprintf("%d.%02d", i*3, (i*7)%100)))
	}

	// A customer for the scheme cases: a French business.
	fr := tparty{"Client SARL", "1 rue de la Paix", "Paris", "75002", "9957:FR40303265045", "FR40303265045", "FRA"}
	frEP := Endpoint{"9957", "FR40303265045"}
	scheme := func(number string, sup tparty, ep Endpoint, rate string) goldenCase {
		return goldenCase{name: "scheme-" + ep.Scheme, parties: Parties{Supplier: ep, Customer: frEP},
			doc: tdoc{Number: number, Created: "2025-04-01", Currency: "EUR", Customer: fr, Supplier: sup, Rate: rate,
				Lines: []tline{line("Consulting", "2", "450.00"), line("Travel", "1", "120.50")}}}
	}
	us := tparty{"Acme Widgets Inc.", "1 Market Street", "San Francisco", "94105", "0060:123456789", "12-3456789", "USA"}
	usEP := Endpoint{"0060", "123456789"}
	usB := tparty{"Buyer LLC", "350 Fifth Avenue", "New York", "10118", "9959:987654321", "", "USA"}
	usBEP := Endpoint{"9959", "987654321"}

	return []goldenCase{
		// The documents' own examples (document 004).
		{name: "spec-single-invoice", doc: ex(invoicing.KindInvoice, "INV-2024-001", "Professional Services"), parties: exParties},
		{name: "spec-multiple-invoices-1", parties: Parties{Supplier: yourCoEP, Customer: custAEP},
			doc: multi(invoicing.KindInvoice, "INV-2024-001", "Service A", custA, "1.0", "100.00", "20.00", "120.00")},
		{name: "spec-multiple-invoices-2", parties: Parties{Supplier: yourCoEP, Customer: custBEP},
			doc: multi(invoicing.KindInvoice, "INV-2024-002", "Service B", custB, "2.0", "200.00", "40.00", "240.00")},
		{name: "spec-single-credit-note", doc: ex(invoicing.KindCreditNote, "CN-2024-001", "Refund for Professional Services"), parties: exParties},
		{name: "spec-multiple-credit-notes-1", parties: Parties{Supplier: yourCoEP, Customer: custAEP},
			doc: multi(invoicing.KindCreditNote, "CN-2024-001", "Refund for Service A", custA, "1.0", "100.00", "20.00", "120.00")},
		{name: "spec-multiple-credit-notes-2", parties: Parties{Supplier: yourCoEP, Customer: custBEP},
			doc: multi(invoicing.KindCreditNote, "CN-2024-002", "Refund for Service B", custB, "2.0", "200.00", "40.00", "240.00")},

		// Lines and categories.
		{name: "many-lines", doc: base("B-050", many...), parties: deNO},
		{name: "mixed-exempt", parties: deNO, doc: base("B-MIX", line("Software licence", "3", "199.99"),
			exempt("Medical training course", "1", "850.00"), line("Support hours", "2.5", "80.00"), exempt("Insurance", "1", "35.10"))},
		{name: "only-exempt", parties: deNO, doc: base("B-EX", exempt("Medical training course", "2", "850.00"), exempt("Insurance", "1", "35.10"))},
		{name: "rate-zero", parties: deNO, doc: with(base("B-Z", line("Printed books", "10", "12.90")), func(d *tdoc) { d.Rate = "0" })},
		{name: "rate-zero-mixed", parties: deNO, doc: with(base("B-ZE", line("Printed books", "10", "12.90"), exempt("Postage", "1", "4.99")),
			func(d *tdoc) { d.Rate = "0.00" })},
		{name: "quantity-decimals", parties: deNO, doc: base("B-QTY", line("Cable (m)", "12.75", "1.40"), line("Gas (m3)", "0.3333", "2.50"),
			line("Hours", "1.2345", "99.99"))},
		{name: "line-net-rounding", parties: deNO, doc: base("B-RND", line("Third of a service", "3", "33.33"),
			line("Quarter hours", "1.3333", "75.00"), line("Sample", "0.0001", "0.01"), line("Half cents", "0.5", "0.01"))},
		{name: "no-due-no-reference", parties: deNO, doc: with(base("B-MIN", line("Service", "1", "10.00")), func(d *tdoc) { d.Due, d.Ref = "", "" })},
		{name: "escaping", parties: deNO, doc: base("B-&<>\"'", line(`Widgets <"small"> & 'large' — Größe ½`, "1", "10.00"))},

		// Credit notes.
		{name: "credit-note-mixed", parties: deNO, doc: with(base("CN-MIX", line("Returned licence", "1", "199.99"), exempt("Insurance refund", "1", "35.10")),
			func(d *tdoc) { d.Kind = invoicing.KindCreditNote })},
		{name: "credit-note-no-due", parties: deNO, doc: with(base("CN-NODUE", line("Goodwill", "1", "50.00")),
			func(d *tdoc) { d.Kind, d.Due = invoicing.KindCreditNote, "" })},
		{name: "credit-note-rate-zero", parties: deNO, doc: with(base("CN-Z", line("Printed books", "2", "12.90")),
			func(d *tdoc) { d.Kind, d.Rate = invoicing.KindCreditNote, "0" })},

		// One supplier per resolvable participant id scheme.
		scheme("S-0088", tparty{"Gleann Teo", "1 Main Street", "Dublin", "D02 XY45", "0088:5790000436057", "IE6388047V", "IRL"}, Endpoint{"0088", "5790000436057"}, "23"),
		scheme("S-0192", tparty{"Nordisk AS", "Storgata 1", "Oslo", "0155", "0192:974760673", "974760673MVA", "NOR"}, Endpoint{"0192", "974760673"}, "25"),
		scheme("S-0208", tparty{"Belgische NV", "Wetstraat 16", "Brussel", "1000", "0208:0123456749", "0123456749", "BEL"}, Endpoint{"0208", "0123456749"}, "21"),
		scheme("S-9930", tparty{"Muster GmbH", "Hauptstraße 5", "München", "80331", "9930:DE123456789", "", ""}, Endpoint{"9930", "DE123456789"}, "19"),
		scheme("S-9944", tparty{"Voorbeeld BV", "Damrak 1", "Amsterdam", "1012 LG", "9944:NL123456789B01", "NL123456789B01", "NLD"}, Endpoint{"9944", "NL123456789B01"}, "21"),
		scheme("S-9957", tparty{"Exemple SA", "2 avenue Foch", "Lyon", "69006", "9957:FR12345678901", "12345678901", "FRA"}, Endpoint{"9957", "FR12345678901"}, "20"),
		scheme("S-0211", tparty{"Esempio Srl", "Via Roma 1", "Milano", "20121", "0211:IT12731478447", "", "ITA"}, Endpoint{"0211", "IT12731478447"}, "22"),
		scheme("S-9920", tparty{"Ejemplo SL", "Calle Mayor 1", "Madrid", "28013", "9920:ESB12345674", "B12345674", "ESP"}, Endpoint{"9920", "ESB12345674"}, "21"),
		scheme("S-9914", tparty{"Beispiel GmbH", "Ring 1", "Wien", "1010", "9914:ATU12345675", "", "AUT"}, Endpoint{"9914", "ATU12345675"}, "20"),
		scheme("S-0007", tparty{"Exempel AB", "Drottninggatan 1", "Stockholm", "111 51", "0007:5560360793", "556036079301", "SWE"}, Endpoint{"0007", "5560360793"}, "25"),
		scheme("S-0184", tparty{"Eksempel ApS", "Strøget 1", "København", "1160", "0184:12345674", "DK12345674", "DNK"}, Endpoint{"0184", "12345674"}, "25"),
		scheme("S-0151", tparty{"Example Pty Ltd", "1 George Street", "Sydney", "2000", "0151:51824753556", "51824753556", "AUS"}, Endpoint{"0151", "51824753556"}, "10"),

		// Countries derived rather than given.
		{name: "country-from-tax-prefix", parties: Parties{Supplier: Endpoint{"0088", "7300010000001"}, Customer: frEP},
			doc: tdoc{Number: "D-1", Created: "2025-04-01", Currency: "EUR", Customer: partyIn(fr, fr.PeppolID, ""), Rate: "21",
				Supplier: tparty{"Voorbeeld BV", "Damrak 1", "Amsterdam", "1012 LG", "0088:7300010000001", "NL 123456789 B01", ""},
				Lines:    []tline{line("Consulting", "1", "1000.00")}}},
		{name: "country-from-scheme", parties: Parties{Supplier: Endpoint{"9930", "123456789"}, Customer: Endpoint{"0007", "5560360793"}},
			doc: tdoc{Number: "D-2", Created: "2025-04-01", Currency: "EUR", Rate: "19",
				Supplier: tparty{"Muster GmbH", "Hauptstraße 5", "München", "80331", "9930:123456789", "", ""},
				Customer: tparty{"Exempel AB", "Drottninggatan 1", "Stockholm", "111 51", "0007:5560360793", "", ""},
				Lines:    []tline{line("Consulting", "1", "1000.00")}}},

		// Dutch suppliers need payment means (NL-R-007).
		{name: "nl-supplier", parties: Parties{Supplier: Endpoint{"9944", "NL123456789B01"}, Customer: Endpoint{"0192", "923609016"}},
			doc: tdoc{Number: "NL-1", Created: "2025-05-01", Due: "2025-05-31", Currency: "EUR", Rate: "21",
				Supplier: tparty{"Voorbeeld BV", "Damrak 1", "Amsterdam", "1012 LG", "9944:NL123456789B01", "NL123456789B01", "NLD"},
				Customer: no, Lines: []tline{line("Consulting", "1", "1000.00")}}},
		{name: "nl-domestic", parties: Parties{Supplier: Endpoint{"9944", "NL123456789B01"}, Customer: Endpoint{"0106", "12345678"}},
			doc: tdoc{Number: "NL-2", Created: "2025-05-01", Currency: "EUR", Rate: "9",
				Supplier: tparty{"Voorbeeld BV", "Damrak 1", "Amsterdam", "1012 LG", "9944:NL123456789B01", "NL123456789B01", "NLD"},
				Customer: tparty{"Klant BV", "Coolsingel 40", "Rotterdam", "3011 AD", "0106:12345678", "NL987654321B02", "NLD"},
				Lines:    []tline{line("Boeken", "4", "25.00")}}},

		// Currencies.
		{name: "currency-gbp", parties: exParties, doc: with(ex(invoicing.KindInvoice, "GBP-1", "Services"), func(d *tdoc) { d.Currency = "GBP" })},
		{name: "currency-sek", parties: Parties{Supplier: Endpoint{"0007", "5560360793"}, Customer: Endpoint{"0192", "923609016"}},
			doc: tdoc{Number: "SEK-1", Created: "2025-06-01", Currency: "SEK", Rate: "12",
				Supplier: tparty{"Exempel AB", "Drottninggatan 1", "Stockholm", "111 51", "0007:5560360793", "SE556036079301", "SWE"},
				Customer: no, Lines: []tline{line("Livsmedel", "7", "149.90"), line("Frakt", "1", "99")}}},
		{name: "currency-jpy", parties: deNO, doc: with(base("JPY-1", line("Components", "3", "1250"), line("Fee", "1", "1000")),
			func(d *tdoc) { d.Currency = "JPY"; d.Rate = "10" })},
		{name: "currency-usd", parties: deNO, doc: with(base("USD-1", line("Consulting", "8", "150.00")), func(d *tdoc) { d.Currency = "USD" })},

		// US sales tax.
		{name: "us-sales-tax", parties: Parties{Supplier: usEP, Customer: usBEP},
			doc: tdoc{Number: "US-1", Created: "2025-07-01", Due: "2025-07-31", Currency: "USD", Rate: "7.25", Ref: "PO 1234",
				Supplier: us, Customer: usB, Lines: []tline{line("Widgets", "12", "19.99"), exempt("Shipping", "1", "15.00")}}},
		{name: "us-sales-tax-credit-note", parties: Parties{Supplier: usEP, Customer: usBEP},
			doc: tdoc{Kind: invoicing.KindCreditNote, Number: "US-CN-1", Created: "2025-07-15", Currency: "USD", Rate: "7.25",
				Supplier: us, Customer: usB, Lines: []tline{line("Returned widgets", "2", "19.99")}}},
		{name: "us-sales-tax-exempt", parties: Parties{Supplier: usEP, Customer: usBEP},
			doc: tdoc{Number: "US-2", Created: "2025-07-01", Currency: "USD", Rate: "0",
				Supplier: us, Customer: usB, Lines: []tline{line("Resale goods", "100", "2.50")}}},
		{name: "us-customer-eu-supplier", parties: Parties{Supplier: Endpoint{"9930", "DE123456789"}, Customer: usBEP},
			doc: tdoc{Number: "US-3", Created: "2025-07-01", Currency: "USD", Rate: "6.25",
				Supplier: de, Customer: usB, Lines: []tline{line("Machine part", "1", "1999.00")}}},
	}
}

// TestGolden compares every generated document with its golden file;
// go test -run TestGolden -update rewrites them.
func TestGolden(t *testing.T) {
	seen := map[string]bool{}
	for _, g := range goldenCases() {
		t.Run(g.name, func(t *testing.T) {
			if seen[g.name] {
				t.Fatalf("duplicate golden name %q", g.name)
			}
			seen[g.name] = true
			got, err := Generate(g.doc.edoc(t), g.parties)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "golden", g.name+".xml")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the generated document (go test -run TestGolden -update rewrites it):\n%s", path, diff(string(want), string(got)))
			}
		})
	}
	// No stale golden files.
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.xml"))
	for _, f := range files {
		if !seen[strings.TrimSuffix(filepath.Base(f), ".xml")] {
			t.Errorf("%s belongs to no golden case", f)
		}
	}
}

// diff is a small line diff: the first differing lines with context.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	j, k := len(w)-1, len(g)-1
	for j >= i && k >= i && w[j] == g[k] {
		j--
		k--
	}
	start := max(i-3, 0)
	for n := start; n < i; n++ {
		fmt.Fprintf(&b, "  %4d  %s\n", n+1, w[n])
	}
	for n := i; n <= j; n++ {
		fmt.Fprintf(&b, "- %4d  %s\n", n+1, w[n])
	}
	for n := i; n <= k; n++ {
		fmt.Fprintf(&b, "+ %4d  %s\n", n+1, g[n])
	}
	return b.String()
}
