package ubl

import (
	"errors"
	"testing"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/money"
)

// FuzzGenerate feeds Generate e-documents the API would accept (each
// fuzzed record goes through invoicing.NewEDocument first, and is skipped
// when that refuses it), with fuzzed participant ids: Generate never
// panics, and it either refuses with an *InputError naming the field or
// writes a document that passes Check and parses as XML. A *CheckError, a
// document that breaks our own rules, is a bug.
//
//	go test ./internal/ubl -run '^$' -fuzz '^FuzzGenerate$' -fuzztime 60s
func FuzzGenerate(f *testing.F) {
	f.Add(false, "X-1", "2025-03-01", "EUR", "PO-4711", "19", "Service", "1", "100.00",
		"Nordisk AS", "Storgata 1", "Oslo", "0155", "", "NOR", "0192", "923609016",
		"Muster GmbH", "Hauptstraße 5", "München", "80331", "DE123456789", "DEU", "9930", "DE123456789")
	f.Add(true, "CN & <1>", "2024-02-29", "usd", "", "0", "Crédit \"spécial\" ]]>", "0.3333", "3.33",
		"Acme, Inc.", "1 Main St", "New York", "10001", "", "USA", "0060", "123456789",
		"Voorbeeld BV", "Damrak 1", "Amsterdam", "1012 LG", "NL123456789B01", "", "9944", "NL123456789B01")
	f.Add(false, "日本-1", "2025-12-31", "JPY", "注文", "10", "サービス", "2", "1500",
		"株式会社", "1-1", "東京", "100-0001", "", "JPN", "0188", "1234567890123",
		"Etaireia AE", "Odos 1", "Athina", "10552", "EL123456789", "GRC", "9933", "EL123456789")
	f.Fuzz(func(t *testing.T, credit bool, number, created, currency, ref, rate, desc, qty, price,
		cName, cStreet, cCity, cPostal, cTax, cCountry, cScheme, cID,
		sName, sStreet, sCity, sPostal, sTax, sCountry, sScheme, sID string) {
		kind := invoicing.KindInvoice
		if credit {
			kind = invoicing.KindCreditNote
		}
		r, err1 := money.Parse(rate)
		q, err2 := money.Parse(qty)
		p, err3 := money.Parse(price)
		if err1 != nil || err2 != nil || err3 != nil {
			return
		}
		party := func(name, street, city, postal, tax, country, scheme, id string) invoicing.PartyInput {
			in := invoicing.PartyInput{Name: &name, Street: &street, City: &city, PostalCode: &postal}
			pid := scheme + ":" + id
			in.PeppolID = &pid
			if tax != "" {
				in.TaxNumber = &tax
			}
			if country != "" {
				in.Country = &country
			}
			return in
		}
		taxable := true
		lines := []invoicing.LineItemInput{{Description: &desc, Quantity: &q, UnitPrice: &p, Taxable: &taxable}}
		sums := invoicing.ComputeSums([]invoicing.LineItem{{Quantity: q, UnitPrice: p, Taxable: true}}, r)
		in := invoicing.EDocumentInput{
			Number: &number, CreatedDate: &created, Currency: &currency, RecipientReference: &ref,
			Customer:  party(cName, cStreet, cCity, cPostal, cTax, cCountry, cScheme, cID),
			Supplier:  party(sName, sStreet, sCity, sPostal, sTax, sCountry, sScheme, sID),
			LineItems: &lines, TaxRate: &r, Subtotal: &sums.Subtotal, Tax: &sums.Tax, Total: &sums.Total,
		}
		doc, verr := invoicing.NewEDocument(kind, in)
		if verr != nil {
			return
		}
		out, err := Generate(doc, Parties{Supplier: Endpoint{sScheme, sID}, Customer: Endpoint{cScheme, cID}})
		var ierr *InputError
		switch {
		case errors.As(err, &ierr):
			if ierr.Field == "" || ierr.Reason == "" {
				t.Fatalf("an InputError without a field or reason: %#v", ierr)
			}
			return
		case err != nil:
			t.Fatalf("Generate(%+v): %v", doc, err)
		}
		if _, err := parseTree(out); err != nil {
			t.Fatalf("the output does not parse: %v\n%s", err, out)
		}
	})
}
