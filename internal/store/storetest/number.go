package storetest

import (
	"testing"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
)

var numberTests = []test{
	{"Sequence", testNumberSequence},
	{"SequencePerKindAndMerchant", testNumberSequenceScopes},
	{"SequenceSkipsTaken", testNumberSequenceSkipsTaken},
	{"Taken", testNumberTaken},
	{"DuplicateInOneCall", testNumberDuplicateInCall},
	{"SharedAcrossKindsAndMerchants", testNumberShared},
	{"RefusalTakesNoNumber", testNumberRefusalTakesNone},
	{"UpdateToEmptyDrawsNext", testNumberUpdateToEmpty},
}

// numbers returns the numbers of the results, "refused" for a refusal.
func numbers(results []store.DocumentResult) []string {
	out := make([]string, len(results))
	for i, r := range results {
		out[i] = r.Document.Number
		if r.Err != nil {
			out[i] = "refused"
		}
	}
	return out
}

func wantNumbers(tb testing.TB, what string, results []store.DocumentResult, want ...string) {
	tb.Helper()
	wantEqual(tb, what+": numbers", want, numbers(results))
}

func testNumberSequence(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	k := invoicing.KindInvoice
	first := createDocuments(t, s, m.ID, MinimalDocument(k, ""), MinimalDocument(k, ""), MinimalDocument(k, ""))
	wantNumbers(t, "first call", first, "INV-000001", "INV-000002", "INV-000003")
	second := createDocuments(t, s, m.ID, MinimalDocument(k, ""))
	wantNumbers(t, "second call", second, "INV-000004")
	wantEqual(t, "GetDocument", second[0].Document, MustGetDocument(t, s, m.ID, k, second[0].Document.ID))
}

func testNumberSequenceScopes(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	other := MustCreateMerchant(t, s)
	inv, cn := invoicing.KindInvoice, invoicing.KindCreditNote
	wantNumbers(t, "invoices", createDocuments(t, s, m.ID, MinimalDocument(inv, ""), MinimalDocument(inv, "")),
		"INV-000001", "INV-000002")
	wantNumbers(t, "credit notes", createDocuments(t, s, m.ID, MinimalDocument(cn, "")), "CN-000001")
	wantNumbers(t, "another merchant's invoices", createDocuments(t, s, other.ID, MinimalDocument(inv, "")), "INV-000001")
	wantNumbers(t, "invoices again", createDocuments(t, s, m.ID, MinimalDocument(inv, "")), "INV-000003")
}

func testNumberSequenceSkipsTaken(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	k := invoicing.KindCreditNote
	wantNumbers(t, "explicit", createDocuments(t, s, m.ID, MinimalDocument(k, k.FormatNumber(2))), "CN-000002")
	wantNumbers(t, "generated", createDocuments(t, s, m.ID, MinimalDocument(k, ""), MinimalDocument(k, "")),
		"CN-000001", "CN-000003")
	// Within one call too: an explicit number stored earlier in the call is
	// skipped by the numbers generated after it.
	wantNumbers(t, "mixed", createDocuments(t, s, m.ID, MinimalDocument(k, k.FormatNumber(5)), MinimalDocument(k, ""), MinimalDocument(k, "")),
		"CN-000005", "CN-000004", "CN-000006")
}

func testNumberTaken(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	k := invoicing.KindInvoice
	MustCreateDocuments(t, s, m.ID, MinimalDocument(k, "A-1"))
	results := createDocuments(t, s, m.ID, MinimalDocument(k, "A-2"), MinimalDocument(k, "A-1"), MinimalDocument(k, ""))
	WantProblem(t, "a taken number", results[1].Err, k.NumberField(), invoicing.RuleUnique)
	wantNumbers(t, "the others", results, "A-2", "refused", "INV-000001")
	for _, i := range []int{0, 2} {
		d := results[i].Document
		wantEqual(t, "a stored neighbour of a refusal", d, MustGetDocument(t, s, m.ID, k, d.ID))
	}
}

func testNumberDuplicateInCall(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	k := invoicing.KindCreditNote
	results := createDocuments(t, s, m.ID, MinimalDocument(k, "D-1"), MinimalDocument(k, "D-1"), MinimalDocument(k, "D-2"))
	WantProblem(t, "a number given twice", results[1].Err, k.NumberField(), invoicing.RuleUnique)
	wantNumbers(t, "the others", results, "D-1", "refused", "D-2")
}

func testNumberShared(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	other := MustCreateMerchant(t, s)
	MustCreateDocuments(t, s, m.ID, MinimalDocument(invoicing.KindInvoice, "2025-001"))
	MustCreateDocuments(t, s, m.ID, MinimalDocument(invoicing.KindCreditNote, "2025-001"))
	MustCreateDocuments(t, s, other.ID, MinimalDocument(invoicing.KindInvoice, "2025-001"))
}

func testNumberRefusalTakesNone(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	k := invoicing.KindInvoice
	MustCreateDocuments(t, s, m.ID, MinimalDocument(k, "taken"))
	unknownCustomer := MinimalDocument(k, "")
	unknownCustomer.CustomerID = 1 << 40
	results := createDocuments(t, s, m.ID, unknownCustomer, MinimalDocument(k, "taken"), MinimalDocument(k, ""))
	wantNumbers(t, "first call", results, "refused", "refused", "INV-000001")
	wantNumbers(t, "second call", createDocuments(t, s, m.ID, unknownCustomer, MinimalDocument(k, "")), "refused", "INV-000002")
}

// testNumberUpdateToEmpty: an update that clears the number draws the next
// of the sequence, as an upload without a number does, so no stored document
// is ever without one.
func testNumberUpdateToEmpty(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	k := invoicing.KindInvoice
	docs := MustCreateDocuments(t, s, m.ID, MinimalDocument(k, ""), MinimalDocument(k, "given"))
	_, after, err := s.UpdateDocument(t.Context(), m.ID, k, docs[1].ID, invoicing.DocumentInput{Number: new("")})
	if err != nil {
		t.Fatalf("UpdateDocument: %v", err)
	}
	if want := k.FormatNumber(2); after.Number != want {
		t.Errorf("number = %q, want %q", after.Number, want)
	}
	wantEqual(t, "GetDocument", after, MustGetDocument(t, s, m.ID, k, after.ID))
	wantNumbers(t, "the next upload", createDocuments(t, s, m.ID, MinimalDocument(k, "")), k.FormatNumber(3))
}
