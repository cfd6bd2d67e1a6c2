package storetest

import (
	"fmt"
	"testing"

	"cloud.google.com/go/civil"
	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/money"
	"github.com/vatgate/vatgate/internal/store"
)

var kinds = []invoicing.Kind{invoicing.KindInvoice, invoicing.KindCreditNote}

func dec(s string) money.Decimal { return money.MustParse(s) }

// SampleDocument is a valid document of kind k with every field set, the
// optional ones included, and amounts that only survive exact storage: the
// largest amount the domain allows, 0.1+0.2, and a four-place quantity.
func SampleDocument(k invoicing.Kind, number string) invoicing.Document {
	return invoicing.Document{
		Kind:              k,
		Number:            number,
		CustomerName:      "Acme Ünïcødé BV",
		CustomerEmail:     "ap@acme.example",
		CustomerCountry:   "NLD",
		CustomerTaxNumber: "NL000099998B57",
		CustomerAddress:   "Keizersgracht 1\n1015 CJ Amsterdam",
		Date:              civil.Date{Year: 2024, Month: 2, Day: 29},
		DueDate:           civil.Date{Year: 2024, Month: 3, Day: 31},
		Currency:          "EUR",
		Status:            "pending",
		TaxRate:           new(dec("21.5")),
		LineItems: []invoicing.LineItem{
			{Description: "Consulting", Quantity: dec("1.2345"), UnitPrice: dec("999999999999999.99"), Taxable: true},
			{Description: "Postage, untaxed", Quantity: dec("3"), UnitPrice: dec("0.01"), Taxable: false},
		},
		Subtotal:            dec("999999999999999.99"),
		TotalTax:            dec("0.1").Add(dec("0.2")),
		Total:               dec("75.00"),
		TotalDiscount:       dec("0"),
		SupplierTaxNumber:   "DE123456789",
		SupplierCountry:     "DEU",
		SupplierCompanyName: "Supplier GmbH",
		SupplierAddress:     "Unter den Linden 1, Berlin",
		SupplierEmail:       "billing@supplier.example",
	}
}

// MinimalDocument is a valid document of kind k with only what its kind
// requires: no customer link, no tax rate and, on invoices, no due date.
func MinimalDocument(k invoicing.Kind, number string) invoicing.Document {
	d := invoicing.Document{
		Kind:         k,
		Number:       number,
		CustomerName: "Walk-in",
		Date:         civil.Date{Year: 2025, Month: 1, Day: 1},
		Currency:     "EUR",
		Status:       "draft",
		LineItems:    []invoicing.LineItem{{Description: "Item", Quantity: dec("1"), UnitPrice: dec("10"), Taxable: true}},
		Subtotal:     dec("10"),
		Total:        dec("10"),
	}
	if k == invoicing.KindCreditNote {
		d.DueDate = civil.Date{Year: 2025, Month: 1, Day: 31}
	}
	return d
}

// MustCreateDocuments stores docs for merchantID; every one must be accepted.
func MustCreateDocuments(tb testing.TB, s store.Store, merchantID int64, docs ...invoicing.Document) []invoicing.Document {
	tb.Helper()
	results := createDocuments(tb, s, merchantID, docs...)
	out := make([]invoicing.Document, len(results))
	for i, r := range results {
		if r.Err != nil {
			tb.Fatalf("CreateDocuments: document %d refused: %v", i, r.Err)
		}
		out[i] = r.Document
	}
	return out
}

// createDocuments calls CreateDocuments, which must not fail as a whole and
// must answer every document.
func createDocuments(tb testing.TB, s store.Store, merchantID int64, docs ...invoicing.Document) []store.DocumentResult {
	tb.Helper()
	results, err := s.CreateDocuments(tb.Context(), merchantID, docs)
	if err != nil {
		tb.Fatalf("CreateDocuments: %v", err)
	}
	if len(results) != len(docs) {
		tb.Fatalf("CreateDocuments returned %d results, want %d", len(results), len(docs))
	}
	return results
}

// MustGetDocument reads a document that must exist.
func MustGetDocument(tb testing.TB, s store.Store, merchantID int64, k invoicing.Kind, id int64) invoicing.Document {
	tb.Helper()
	d, err := s.GetDocument(tb.Context(), merchantID, k, id)
	if err != nil {
		tb.Fatalf("GetDocument(%s %d): %v", k, id, err)
	}
	return d
}

func documentID(d invoicing.Document) int64 { return d.ID }

// documentTests runs every document test once per kind: both kinds share one
// table and must behave alike.
func documentTests() []test {
	perKind := []struct {
		name string
		fn   func(t *testing.T, s store.Store, k invoicing.Kind)
	}{
		{"CreateRoundTrip", testDocumentRoundTrip},
		{"CreateUnknownCustomer", testDocumentUnknownCustomer},
		{"GetNotFound", testDocumentGetNotFound},
		{"UpdatePartial", testDocumentUpdatePartial},
		{"UpdateLineItems", testDocumentUpdateLineItems},
		{"UpdateInvalid", testDocumentUpdateInvalid},
		{"UpdateNumberTaken", testDocumentUpdateNumberTaken},
		{"UpdateCustomerID", testDocumentUpdateCustomerID},
		{"UpdateNotFound", testDocumentUpdateNotFound},
		{"ListPages", testDocumentListPages},
		{"ListUpdatedSince", testDocumentListUpdatedSince},
	}
	var tests []test
	for _, k := range kinds {
		for _, pk := range perKind {
			tests = append(tests, test{string(k) + "/" + pk.name, func(t *testing.T, s store.Store) { pk.fn(t, s, k) }})
		}
	}
	return tests
}

func testDocumentRoundTrip(t *testing.T, s store.Store, k invoicing.Kind) {
	m := MustCreateMerchant(t, s)
	c := MustCreateCustomers(t, s, m.ID, SampleCustomer("Linked"))[0]
	full := SampleDocument(k, "2024/Ü-001")
	full.CustomerID = c.ID
	far := SampleDocument(k, "far dates")
	far.Date, far.DueDate = civil.Date{Year: 1, Month: 1, Day: 1}, civil.Date{Year: 9999, Month: 12, Day: 31}
	in := []invoicing.Document{full, MinimalDocument(k, "minimal"), far}

	out := MustCreateDocuments(t, s, m.ID, in...)
	wantAscending(t, "documents", ids(out, documentID))
	for i, d := range out {
		if d.CreatedAt.IsZero() || !d.UpdatedAt.Equal(d.CreatedAt) {
			t.Errorf("document %d: created_at %v, updated_at %v, want both set and equal", i, d.CreatedAt, d.UpdatedAt)
		}
		want := in[i]
		want.ID, want.CreatedAt, want.UpdatedAt = d.ID, d.CreatedAt, d.UpdatedAt
		wantEqual(t, fmt.Sprintf("returned document %d", i), want, d)
		wantEqual(t, fmt.Sprintf("GetDocument of document %d", i), want, MustGetDocument(t, s, m.ID, k, d.ID))
	}
}

func testDocumentUnknownCustomer(t *testing.T, s store.Store, k invoicing.Kind) {
	m := MustCreateMerchant(t, s)
	other := MustCreateMerchant(t, s)
	mine := MustCreateCustomers(t, s, m.ID, SampleCustomer("Mine"))[0]
	theirs := MustCreateCustomers(t, s, other.ID, SampleCustomer("Theirs"))[0]
	withCustomer := func(id int64) invoicing.Document {
		d := MinimalDocument(k, "")
		d.CustomerID = id
		return d
	}
	results := createDocuments(t, s, m.ID,
		withCustomer(theirs.ID), withCustomer(mine.ID), withCustomer(theirs.ID+1000), MinimalDocument(k, ""))
	WantProblem(t, "another merchant's customer_id", results[0].Err, "customer_id", invoicing.RuleExists)
	WantProblem(t, "a missing customer_id", results[2].Err, "customer_id", invoicing.RuleExists)
	// The refused records take no number: the stored ones are 1 and 2.
	for i, want := range map[int]string{1: k.FormatNumber(1), 3: k.FormatNumber(2)} {
		r := results[i]
		if r.Err != nil || r.Document.Number != want {
			t.Errorf("document %d: number %q, err %v; want %q stored", i, r.Document.Number, r.Err, want)
		}
	}
	if got := results[1].Document.CustomerID; got != mine.ID {
		t.Errorf("customer_id = %d, want %d", got, mine.ID)
	}
}

func testDocumentGetNotFound(t *testing.T, s store.Store, k invoicing.Kind) {
	m := MustCreateMerchant(t, s)
	other := MustCreateMerchant(t, s)
	theirs := MustCreateDocuments(t, s, other.ID, MinimalDocument(k, "X-1"))[0]
	mine := MustCreateDocuments(t, s, m.ID, MinimalDocument(k, "X-1"))[0]
	for _, c := range []struct {
		name string
		k    invoicing.Kind
		id   int64
	}{
		{"another merchant's document", k, theirs.ID},
		{"a missing id", k, mine.ID + 1000},
		{"an id of the other kind", otherKind(k), mine.ID},
	} {
		_, err := s.GetDocument(t.Context(), m.ID, c.k, c.id)
		wantErrIs(t, "GetDocument of "+c.name, err, store.ErrNotFound)
	}
}

func otherKind(k invoicing.Kind) invoicing.Kind {
	if k == invoicing.KindInvoice {
		return invoicing.KindCreditNote
	}
	return invoicing.KindInvoice
}

func testDocumentUpdatePartial(t *testing.T, s store.Store, k invoicing.Kind) {
	m := MustCreateMerchant(t, s)
	d := MustCreateDocuments(t, s, m.ID, SampleDocument(k, "P-1"))[0]
	tick()
	in := invoicing.DocumentInput{
		Status:   new("paid"),
		Total:    new(dec("0.30")),
		Date:     new("2024-12-31"),
		Currency: new("usd"),
	}
	before, after, err := s.UpdateDocument(t.Context(), m.ID, k, d.ID, in)
	if err != nil {
		t.Fatalf("UpdateDocument: %v", err)
	}
	wantEqual(t, "before", d, before)
	want := d
	want.Status, want.Total, want.Currency = "paid", dec("0.3"), "USD"
	want.Date = civil.Date{Year: 2024, Month: 12, Day: 31}
	want.UpdatedAt = after.UpdatedAt
	wantEqual(t, "after", want, after)
	if !after.UpdatedAt.After(d.UpdatedAt) {
		t.Errorf("updated_at %v, want after %v", after.UpdatedAt, d.UpdatedAt)
	}
	wantEqual(t, "GetDocument after the update", after, MustGetDocument(t, s, m.ID, k, d.ID))

	// Giving the number it already has is no conflict with itself, and a
	// tax rate of 0 on a document that had none is stored as 0, not as none.
	minimal := MustCreateDocuments(t, s, m.ID, MinimalDocument(k, "P-2"))[0]
	_, after, err = s.UpdateDocument(t.Context(), m.ID, k, minimal.ID,
		invoicing.DocumentInput{Number: new("P-2"), TaxRate: new(dec("0"))})
	if err != nil {
		t.Fatalf("UpdateDocument to its own number: %v", err)
	}
	if after.Number != "P-2" || after.TaxRate == nil || !after.TaxRate.IsZero() {
		t.Errorf("after: number %q, tax rate %v; want \"P-2\" and 0", after.Number, after.TaxRate)
	}
	wantEqual(t, "GetDocument after setting a tax rate", after, MustGetDocument(t, s, m.ID, k, minimal.ID))

	if k == invoicing.KindInvoice { // only an invoice's due date is optional
		_, after, err = s.UpdateDocument(t.Context(), m.ID, k, d.ID, invoicing.DocumentInput{DueDate: new("")})
		if err != nil || after.HasDueDate() {
			t.Fatalf("UpdateDocument clearing the due date: due date %v, err %v", after.DueDate, err)
		}
		wantEqual(t, "GetDocument after clearing the due date", after, MustGetDocument(t, s, m.ID, k, d.ID))
	}
}

func testDocumentUpdateLineItems(t *testing.T, s store.Store, k invoicing.Kind) {
	m := MustCreateMerchant(t, s)
	d := MustCreateDocuments(t, s, m.ID, SampleDocument(k, "L-1"))[0]
	lines := []invoicing.LineItemInput{
		{Description: new("Only line"), Quantity: new(dec("0.0001")), UnitPrice: new(dec("12.5")), Taxable: new(false)},
	}
	_, after, err := s.UpdateDocument(t.Context(), m.ID, k, d.ID, invoicing.DocumentInput{LineItems: &lines})
	if err != nil {
		t.Fatalf("UpdateDocument: %v", err)
	}
	want := []invoicing.LineItem{{Description: "Only line", Quantity: dec("0.0001"), UnitPrice: dec("12.5"), Taxable: false}}
	wantEqual(t, "line items after", want, after.LineItems)
	wantEqual(t, "GetDocument after replacing the lines", after, MustGetDocument(t, s, m.ID, k, d.ID))

	// An update that does not give line items keeps them.
	_, after, err = s.UpdateDocument(t.Context(), m.ID, k, d.ID, invoicing.DocumentInput{Status: new("sent")})
	if err != nil {
		t.Fatalf("UpdateDocument: %v", err)
	}
	wantEqual(t, "line items after an update without them", want, after.LineItems)
	wantEqual(t, "GetDocument after the second update", after, MustGetDocument(t, s, m.ID, k, d.ID))
}

func testDocumentUpdateInvalid(t *testing.T, s store.Store, k invoicing.Kind) {
	m := MustCreateMerchant(t, s)
	d := MustCreateDocuments(t, s, m.ID, SampleDocument(k, "I-1"))[0]
	in := invoicing.DocumentInput{CustomerName: new("Changed"), Status: new("bogus")}
	_, _, err := s.UpdateDocument(t.Context(), m.ID, k, d.ID, in)
	WantProblem(t, "UpdateDocument with an unknown status", err, "status", invoicing.RuleEnum)
	wantEqual(t, "document after a refused update", d, MustGetDocument(t, s, m.ID, k, d.ID))
}

func testDocumentUpdateNumberTaken(t *testing.T, s store.Store, k invoicing.Kind) {
	m := MustCreateMerchant(t, s)
	docs := MustCreateDocuments(t, s, m.ID, SampleDocument(k, "N-1"), SampleDocument(k, "N-2"))
	in := invoicing.DocumentInput{Number: new("N-1"), Status: new("paid")}
	_, _, err := s.UpdateDocument(t.Context(), m.ID, k, docs[1].ID, in)
	WantProblem(t, "UpdateDocument to a taken number", err, k.NumberField(), invoicing.RuleUnique)
	wantEqual(t, "document after a refused update", docs[1], MustGetDocument(t, s, m.ID, k, docs[1].ID))

	// A number taken by the other kind, or by another merchant, is free.
	MustCreateDocuments(t, s, m.ID, MinimalDocument(otherKind(k), "N-3"))
	other := MustCreateMerchant(t, s)
	MustCreateDocuments(t, s, other.ID, MinimalDocument(k, "N-4"))
	for _, n := range []string{"N-3", "N-4"} {
		_, after, err := s.UpdateDocument(t.Context(), m.ID, k, docs[1].ID, invoicing.DocumentInput{Number: new(n)})
		if err != nil || after.Number != n {
			t.Errorf("UpdateDocument to %q: number %q, err %v", n, after.Number, err)
		}
	}
}

func testDocumentUpdateCustomerID(t *testing.T, s store.Store, k invoicing.Kind) {
	m := MustCreateMerchant(t, s)
	other := MustCreateMerchant(t, s)
	mine := MustCreateCustomers(t, s, m.ID, SampleCustomer("Mine"))[0]
	theirs := MustCreateCustomers(t, s, other.ID, SampleCustomer("Theirs"))[0]
	d := MustCreateDocuments(t, s, m.ID, MinimalDocument(k, "C-1"))[0]
	for name, id := range map[string]int64{"another merchant's customer_id": theirs.ID, "a missing customer_id": theirs.ID + 1000} {
		_, _, err := s.UpdateDocument(t.Context(), m.ID, k, d.ID, invoicing.DocumentInput{CustomerID: &id, Status: new("paid")})
		WantProblem(t, "UpdateDocument to "+name, err, "customer_id", invoicing.RuleExists)
	}
	wantEqual(t, "document after refused updates", d, MustGetDocument(t, s, m.ID, k, d.ID))
	_, after, err := s.UpdateDocument(t.Context(), m.ID, k, d.ID, invoicing.DocumentInput{CustomerID: &mine.ID})
	if err != nil || after.CustomerID != mine.ID {
		t.Fatalf("UpdateDocument to the merchant's own customer: customer_id %d, err %v", after.CustomerID, err)
	}
}

func testDocumentUpdateNotFound(t *testing.T, s store.Store, k invoicing.Kind) {
	m := MustCreateMerchant(t, s)
	other := MustCreateMerchant(t, s)
	theirs := MustCreateDocuments(t, s, other.ID, MinimalDocument(k, "U-1"))[0]
	mine := MustCreateDocuments(t, s, m.ID, MinimalDocument(k, "U-1"))[0]
	in := invoicing.DocumentInput{Status: new("paid")}
	for _, c := range []struct {
		name string
		k    invoicing.Kind
		id   int64
	}{
		{"another merchant's document", k, theirs.ID},
		{"a missing id", k, mine.ID + 1000},
		{"an id of the other kind", otherKind(k), mine.ID},
	} {
		_, _, err := s.UpdateDocument(t.Context(), m.ID, c.k, c.id, in)
		wantErrIs(t, "UpdateDocument of "+c.name, err, store.ErrNotFound)
	}
	wantEqual(t, "the other merchant's document", theirs, MustGetDocument(t, s, other.ID, k, theirs.ID))
	wantEqual(t, "the document asked for with the wrong kind", mine, MustGetDocument(t, s, m.ID, k, mine.ID))
}

func testDocumentListPages(t *testing.T, s store.Store, k invoicing.Kind) {
	m := MustCreateMerchant(t, s)
	other := MustCreateMerchant(t, s)
	var mine []invoicing.Document
	for i := range 5 {
		// Interleave the other merchant's and the other kind's rows, so
		// ids interleave and scoping mistakes show.
		mine = append(mine, MustCreateDocuments(t, s, m.ID, SampleDocument(k, fmt.Sprint("L-", i)))...)
		MustCreateDocuments(t, s, other.ID, SampleDocument(k, fmt.Sprint("L-", i)))
		MustCreateDocuments(t, s, m.ID, SampleDocument(otherKind(k), fmt.Sprint("L-", i)))
	}
	var got []invoicing.Document
	after := int64(0)
	for page := 0; ; page++ {
		list, err := s.ListDocuments(t.Context(), m.ID, k, store.ListOptions{AfterID: after, Limit: 2})
		if err != nil {
			t.Fatalf("ListDocuments: %v", err)
		}
		if len(list) > 2 || page > 3 {
			t.Fatalf("page %d has %d documents; limit 2 is not respected", page, len(list))
		}
		if len(list) == 0 {
			break
		}
		got = append(got, list...)
		after = list[len(list)-1].ID
	}
	wantEqual(t, "all pages (with their line items)", mine, got)
}

func testDocumentListUpdatedSince(t *testing.T, s store.Store, k invoicing.Kind) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	old := MustCreateDocuments(t, s, m.ID, MinimalDocument(k, ""))[0]
	tick()
	recent := MustCreateDocuments(t, s, m.ID, MinimalDocument(k, ""))[0]
	since := store.ListOptions{UpdatedSince: recent.UpdatedAt, Limit: 100}

	list, err := s.ListDocuments(ctx, m.ID, k, since)
	if err != nil {
		t.Fatalf("ListDocuments: %v", err)
	}
	wantIDs(t, "updated since the recent one's creation", []int64{recent.ID}, ids(list, documentID))

	tick()
	if _, _, err := s.UpdateDocument(ctx, m.ID, k, old.ID, invoicing.DocumentInput{Status: new("paid")}); err != nil {
		t.Fatalf("UpdateDocument: %v", err)
	}
	list, err = s.ListDocuments(ctx, m.ID, k, since)
	if err != nil {
		t.Fatalf("ListDocuments: %v", err)
	}
	wantIDs(t, "updated since, after updating the old one", []int64{old.ID, recent.ID}, ids(list, documentID))
}
