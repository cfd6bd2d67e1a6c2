package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"cloud.google.com/go/civil"
	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
)

var concurrencyTests = []test{
	{"NumberSequence", testConcurrentNumbers},
	{"UpdateDocument", testConcurrentDocumentUpdates},
	{"UpdateCustomer", testConcurrentCustomerUpdates},
}

// Shape of the concurrent upload: workers × calls × docs documents per kind.
const (
	workers      = 8
	callsPerWork = 10
	docsPerCall  = 5
)

// testConcurrentNumbers uploads documents without numbers from many
// goroutines at once, both kinds at the same time: each kind's sequence must
// come out as exactly 1..N, no gap and no duplicate.
func testConcurrentNumbers(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	var wg sync.WaitGroup
	errs := make(chan error, 2*workers*callsPerWork)
	for _, k := range kinds {
		batch := make([]invoicing.Document, docsPerCall)
		for i := range batch {
			batch[i] = MinimalDocument(k, "")
		}
		for range workers {
			wg.Go(func() {
				for range callsPerWork {
					errs <- createConcurrently(t, s, m.ID, batch)
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range kinds {
		got := listAllNumbers(t, s, m.ID, k)
		want := make([]string, workers*callsPerWork*docsPerCall)
		for i := range want {
			want[i] = k.FormatNumber(int64(i + 1))
		}
		slices.Sort(got)
		if !slices.Equal(want, got) {
			t.Errorf("%s numbers after the concurrent upload: %d numbers, want exactly %s..%s once each",
				k, len(got), want[0], want[len(want)-1])
		}
	}
}

// createConcurrently is CreateDocuments for a goroutine other than the
// test's, which must not call t.Fatal.
func createConcurrently(tb testing.TB, s store.Store, merchantID int64, docs []invoicing.Document) error {
	results, err := s.CreateDocuments(tb.Context(), merchantID, docs)
	if err != nil {
		return fmt.Errorf("CreateDocuments: %w", err)
	}
	for _, r := range results {
		if r.Err != nil {
			return fmt.Errorf("CreateDocuments refused a document: %w", r.Err)
		}
	}
	return nil
}

func listAllNumbers(tb testing.TB, s store.Store, merchantID int64, k invoicing.Kind) []string {
	tb.Helper()
	var out []string
	after := int64(0)
	for {
		list, err := s.ListDocuments(tb.Context(), merchantID, k, store.ListOptions{AfterID: after, Limit: 100})
		if err != nil {
			tb.Fatalf("ListDocuments: %v", err)
		}
		if len(list) == 0 {
			return out
		}
		for _, d := range list {
			out = append(out, d.Number)
		}
		after = list[len(list)-1].ID
	}
}

// fieldUpdate changes one field of a document and tells whether a document
// has that change.
type fieldUpdate struct {
	name  string
	input invoicing.DocumentInput
	has   func(invoicing.Document) bool
}

var documentFieldUpdates = []fieldUpdate{
	{"number", invoicing.DocumentInput{Number: new("CONC-1")}, func(d invoicing.Document) bool { return d.Number == "CONC-1" }},
	{"customer_name", invoicing.DocumentInput{CustomerName: new("New name")}, func(d invoicing.Document) bool { return d.CustomerName == "New name" }},
	{"customer_email", invoicing.DocumentInput{CustomerEmail: new("new@example.com")}, func(d invoicing.Document) bool { return d.CustomerEmail == "new@example.com" }},
	{"customer_country", invoicing.DocumentInput{CustomerCountry: new("BEL")}, func(d invoicing.Document) bool { return d.CustomerCountry == "BEL" }},
	{"customer_tax_number", invoicing.DocumentInput{CustomerTaxNumber: new("BE0123")}, func(d invoicing.Document) bool { return d.CustomerTaxNumber == "BE0123" }},
	{"customer_address", invoicing.DocumentInput{CustomerAddress: new("Grote Markt 1")}, func(d invoicing.Document) bool { return d.CustomerAddress == "Grote Markt 1" }},
	{"date", invoicing.DocumentInput{Date: new("2026-01-02")}, func(d invoicing.Document) bool { return d.Date == civil.Date{Year: 2026, Month: 1, Day: 2} }},
	{"due_date", invoicing.DocumentInput{DueDate: new("2026-02-03")}, func(d invoicing.Document) bool { return d.DueDate == civil.Date{Year: 2026, Month: 2, Day: 3} }},
	{"currency", invoicing.DocumentInput{Currency: new("USD")}, func(d invoicing.Document) bool { return d.Currency == "USD" }},
	{"status", invoicing.DocumentInput{Status: new("sent")}, func(d invoicing.Document) bool { return d.Status == "sent" }},
	{"tax_rate", invoicing.DocumentInput{TaxRate: new(dec("9"))}, func(d invoicing.Document) bool { return d.TaxRate != nil && d.TaxRate.Equal(dec("9")) }},
	{"subtotal", invoicing.DocumentInput{Subtotal: new(dec("11.11"))}, func(d invoicing.Document) bool { return d.Subtotal.Equal(dec("11.11")) }},
	{"total_tax", invoicing.DocumentInput{TotalTax: new(dec("2.22"))}, func(d invoicing.Document) bool { return d.TotalTax.Equal(dec("2.22")) }},
	{"total", invoicing.DocumentInput{Total: new(dec("13.33"))}, func(d invoicing.Document) bool { return d.Total.Equal(dec("13.33")) }},
	{"total_discount", invoicing.DocumentInput{TotalDiscount: new(dec("0.5"))}, func(d invoicing.Document) bool { return d.TotalDiscount.Equal(dec("0.5")) }},
	{"supplier_tax_number", invoicing.DocumentInput{SupplierTaxNumber: new("FR999")}, func(d invoicing.Document) bool { return d.SupplierTaxNumber == "FR999" }},
	{"supplier_country", invoicing.DocumentInput{SupplierCountry: new("FRA")}, func(d invoicing.Document) bool { return d.SupplierCountry == "FRA" }},
	{"supplier_company_name", invoicing.DocumentInput{SupplierCompanyName: new("Fournisseur SA")}, func(d invoicing.Document) bool { return d.SupplierCompanyName == "Fournisseur SA" }},
	{"supplier_address", invoicing.DocumentInput{SupplierAddress: new("1 rue de Rivoli")}, func(d invoicing.Document) bool { return d.SupplierAddress == "1 rue de Rivoli" }},
	{"supplier_email", invoicing.DocumentInput{SupplierEmail: new("fr@example.com")}, func(d invoicing.Document) bool { return d.SupplierEmail == "fr@example.com" }},
	{"line_items", invoicing.DocumentInput{LineItems: &[]invoicing.LineItemInput{{Description: new("Replaced"), Quantity: new(dec("2")), UnitPrice: new(dec("3"))}}},
		func(d invoicing.Document) bool {
			return len(d.LineItems) == 1 && d.LineItems[0].Description == "Replaced"
		}},
}

// testConcurrentDocumentUpdates changes different fields of one document from
// many goroutines at once: every change must survive (no lost update, which
// a read-modify-write outside one serialized transaction would cause).
func testConcurrentDocumentUpdates(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	for _, k := range kinds {
		d := MustCreateDocuments(t, s, m.ID, SampleDocument(k, "START"))[0]
		var wg sync.WaitGroup
		errs := make(chan error, 3*len(documentFieldUpdates))
		for range 3 {
			for _, u := range documentFieldUpdates {
				wg.Go(func() {
					_, _, err := s.UpdateDocument(t.Context(), m.ID, k, d.ID, u.input)
					if err != nil {
						err = fmt.Errorf("UpdateDocument of %s: %w", u.name, err)
					}
					errs <- err
				})
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		got := MustGetDocument(t, s, m.ID, k, d.ID)
		for _, u := range documentFieldUpdates {
			if !u.has(got) {
				t.Errorf("%s: the update of %s was lost", k, u.name)
			}
		}
	}
}

func testConcurrentCustomerUpdates(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	c := MustCreateCustomers(t, s, m.ID, invoicing.Customer{Name: "Start", SendingMethod: invoicing.SendingPeppol})[0]
	want := SampleCustomer("Concurrent")
	updates := []invoicing.CustomerInput{
		{Name: &want.Name}, {Email: &want.Email}, {Country: &want.Country}, {TaxNumber: &want.TaxNumber},
		{PeppolID: &want.PeppolID}, {ContactPerson: &want.ContactPerson}, {Language: &want.Language},
		{City: &want.City}, {State: &want.State}, {AddressLine1: &want.AddressLine1},
		{AddressLine2: &want.AddressLine2}, {PostalCode: &want.PostalCode}, {SendingMethod: &want.SendingMethod},
	}
	var wg sync.WaitGroup
	errs := make(chan error, 3*len(updates))
	for range 3 {
		for _, in := range updates {
			wg.Go(func() {
				_, _, err := s.UpdateCustomer(t.Context(), m.ID, c.ID, in)
				errs <- err
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("UpdateCustomer: %v", err)
		}
	}
	got := MustGetCustomer(t, s, m.ID, c.ID)
	want.ID, want.CreatedAt, want.UpdatedAt = c.ID, c.CreatedAt, got.UpdatedAt
	wantEqual(t, "customer after concurrent updates of every field", want, got)
}
