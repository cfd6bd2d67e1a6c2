package storetest

import (
	"fmt"
	"regexp"
	"testing"

	"cloud.google.com/go/civil"
	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/money"
	"github.com/vatgate/vatgate/internal/store"
)

// SampleEDocument is a valid e-document of kind k with every field set, the
// optional ones included, whose amounts add up under EN 16931 and only
// survive exact storage.
func SampleEDocument(k invoicing.Kind, number string) invoicing.EDocument {
	d := invoicing.EDocument{
		Kind:               k,
		Number:             number,
		CreatedDate:        civil.Date{Year: 2024, Month: 2, Day: 29},
		DueDate:            civil.Date{Year: 2024, Month: 3, Day: 31},
		Currency:           "EUR",
		RecipientReference: "PO-4711/Ü",
		Customer: invoicing.Party{
			Name: "Acme Ünïcødé BV", Street: "Keizersgracht 1", City: "Amsterdam", PostalCode: "1015 CJ",
			PeppolID: "0106:12345678", TaxNumber: "NL000099998B57", Country: "NLD",
		},
		Supplier: invoicing.Party{
			Name: "Supplier GmbH", Street: "Unter den Linden 1", City: "Berlin", PostalCode: "10117",
			PeppolID: "iso6523-actorid-upis::9930:de123456789", TaxNumber: "DE123456789", Country: "DEU",
		},
		LineItems: []invoicing.LineItem{
			{Description: "Consulting", Quantity: dec("1.2345"), UnitPrice: dec("999999.99"), Taxable: true},
			{Description: "Postage, untaxed", Quantity: dec("3"), UnitPrice: dec("0.01"), Taxable: false},
		},
		TaxRate: dec("21.5"),
	}
	return withSums(d)
}

// MinimalEDocument is a valid e-document of kind k with only what is
// required: no due date, reference, tax numbers or countries; rate 0.
func MinimalEDocument(k invoicing.Kind, number string) invoicing.EDocument {
	d := invoicing.EDocument{
		Kind:        k,
		Number:      number,
		CreatedDate: civil.Date{Year: 2025, Month: 1, Day: 1},
		Currency:    "EUR",
		Customer:    invoicing.Party{Name: "Buyer", Street: "Street 1", City: "City", PostalCode: "1000", PeppolID: "0088:1"},
		Supplier:    invoicing.Party{Name: "Seller", Street: "Street 2", City: "City", PostalCode: "2000", PeppolID: "0088:2"},
		LineItems:   []invoicing.LineItem{{Description: "Item", Quantity: dec("1"), UnitPrice: dec("10"), Taxable: true}},
		TaxRate:     money.Zero,
	}
	return withSums(d)
}

func withSums(d invoicing.EDocument) invoicing.EDocument {
	s := invoicing.ComputeSums(d.LineItems, d.TaxRate)
	d.Subtotal, d.Tax, d.Total = s.Subtotal, s.Tax, s.Total
	return d
}

// MustCreateEDocuments stores docs for merchantID; every one must be stored
// as new.
func MustCreateEDocuments(tb testing.TB, s store.EDocumentStore, merchantID int64, docs ...invoicing.EDocument) []invoicing.EDocument {
	tb.Helper()
	results := createEDocuments(tb, s, merchantID, docs...)
	out := make([]invoicing.EDocument, len(results))
	for i, r := range results {
		if r.Err != nil || r.Updated {
			tb.Fatalf("CreateEDocuments: document %d: updated %v, err %v; want stored as new", i, r.Updated, r.Err)
		}
		out[i] = r.Document
	}
	return out
}

// createEDocuments calls CreateEDocuments, which must not fail as a whole
// and must answer every document.
func createEDocuments(tb testing.TB, s store.EDocumentStore, merchantID int64, docs ...invoicing.EDocument) []store.EDocumentResult {
	tb.Helper()
	results, err := s.CreateEDocuments(tb.Context(), merchantID, docs)
	if err != nil {
		tb.Fatalf("CreateEDocuments: %v", err)
	}
	if len(results) != len(docs) {
		tb.Fatalf("CreateEDocuments returned %d results, want %d", len(results), len(docs))
	}
	return results
}

// MustGetEDocument reads an e-document that must exist.
func MustGetEDocument(tb testing.TB, s store.EDocumentStore, merchantID, id int64) invoicing.EDocument {
	tb.Helper()
	d, err := s.GetEDocument(tb.Context(), merchantID, id)
	if err != nil {
		tb.Fatalf("GetEDocument(%d): %v", id, err)
	}
	return d
}

func eDocumentID(d invoicing.EDocument) int64 { return d.ID }

// messageIDPattern is a random (version 4) UUID.
var messageIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

var eDocumentTests = []test{
	{"CreateRoundTrip", testEDocumentRoundTrip},
	{"CreateQueuesTransmission", testEDocumentQueues},
	{"Numbering", testEDocumentNumbering},
	{"NumberingSkipsTaken", testEDocumentNumberingSkipsTaken},
	{"NumberTaken", testEDocumentNumberTaken},
	{"DuplicateInOneCall", testEDocumentDuplicateInCall},
	{"ErrorRecovery", testEDocumentErrorRecovery},
	{"ErrorRecoveryInOneCall", testEDocumentErrorRecoveryInCall},
	{"GetNotFound", testEDocumentGetNotFound},
	{"List", testEDocumentList},
	{"UBL", testEDocumentUBL},
}

func testEDocumentRoundTrip(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	far := SampleEDocument(invoicing.KindInvoice, "far dates")
	far.CreatedDate, far.DueDate = civil.Date{Year: 1, Month: 1, Day: 1}, civil.Date{Year: 9999, Month: 12, Day: 31}
	in := []invoicing.EDocument{
		SampleEDocument(invoicing.KindInvoice, "2024/Ü-001"),
		SampleEDocument(invoicing.KindCreditNote, "2024/Ü-001"),
		MinimalEDocument(invoicing.KindInvoice, "minimal"),
		MinimalEDocument(invoicing.KindCreditNote, "minimal"),
		far,
	}
	// Whatever status a caller leaves on a document, it is stored as new.
	in[2].Status, in[2].ErrorReason, in[2].MessageID = invoicing.EStatusSent, "stale", "stale"

	out := MustCreateEDocuments(t, s, m.ID, in...)
	wantAscending(t, "e-documents", ids(out, eDocumentID))
	seen := map[string]bool{}
	for i, d := range out {
		if d.CreatedAt.IsZero() || !d.UpdatedAt.Equal(d.CreatedAt) {
			t.Errorf("document %d: created_at %v, updated_at %v, want both set and equal", i, d.CreatedAt, d.UpdatedAt)
		}
		if !messageIDPattern.MatchString(d.MessageID) || seen[d.MessageID] {
			t.Errorf("document %d: message id %q, want a fresh random UUID", i, d.MessageID)
		}
		seen[d.MessageID] = true
		want := in[i]
		want.ID, want.CreatedAt, want.UpdatedAt, want.MessageID = d.ID, d.CreatedAt, d.UpdatedAt, d.MessageID
		want.Status, want.ErrorReason = invoicing.EStatusNew, ""
		wantEqual(t, fmt.Sprintf("returned document %d", i), want, d)
		wantEqual(t, fmt.Sprintf("GetEDocument of document %d", i), want, MustGetEDocument(t, s, m.ID, d.ID))
	}
	// The tax rate keeps its exact form, not only its value.
	if got := MustGetEDocument(t, s, m.ID, out[0].ID).TaxRate.String(); got != "21.5" {
		t.Errorf("tax rate = %s, want 21.5", got)
	}
}

func testEDocumentQueues(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	wantPending(t, s, 0)
	docs := MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, "Q-1"), MinimalEDocument(invoicing.KindCreditNote, ""))
	wantPending(t, s, 2)
	// A refused document queues nothing.
	results := createEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, "Q-1"))
	if results[0].Err == nil {
		t.Fatalf("a taken number was stored")
	}
	wantPending(t, s, 2)
	claimed := mustClaim(t, s, "w", 10)
	wantIDs(t, "claimed documents", ids(docs, eDocumentID), ids(claimed, transmissionDocID))
}

func testEDocumentNumbering(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	other := MustCreateMerchant(t, s)
	inv, cn := invoicing.KindInvoice, invoicing.KindCreditNote
	// The invoice API's sequence is a different one.
	MustCreateDocuments(t, s, m.ID, MinimalDocument(inv, ""))
	wantENumbers(t, "e-invoices", createEDocuments(t, s, m.ID, MinimalEDocument(inv, ""), MinimalEDocument(inv, ""), MinimalEDocument(cn, "")),
		"EINV-000001", "EINV-000002", "ECN-000001")
	wantENumbers(t, "another merchant's", createEDocuments(t, s, other.ID, MinimalEDocument(inv, "")), "EINV-000001")
	// A refused document draws no number: the sequence stays gapless.
	wantENumbers(t, "after a refusal", createEDocuments(t, s, m.ID, MinimalEDocument(inv, "EINV-000001"), MinimalEDocument(inv, "")),
		"refused", "EINV-000003")
	wantENumbers(t, "the invoice API after", createDocuments(t, s, m.ID, MinimalDocument(inv, "")), "INV-000002")
	if got := inv.ENumber(7); got != "EINV-000007" {
		t.Errorf("ENumber(7) = %q", got)
	}
}

func testEDocumentNumberingSkipsTaken(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	k := invoicing.KindCreditNote
	MustCreateEDocuments(t, s, m.ID, MinimalEDocument(k, k.ENumber(2)))
	wantENumbers(t, "generated", createEDocuments(t, s, m.ID, MinimalEDocument(k, ""), MinimalEDocument(k, "")),
		"ECN-000001", "ECN-000003")
	wantENumbers(t, "mixed in one call", createEDocuments(t, s, m.ID, MinimalEDocument(k, k.ENumber(5)), MinimalEDocument(k, ""), MinimalEDocument(k, "")),
		"ECN-000005", "ECN-000004", "ECN-000006")
}

// wantENumbers fails unless the results carry these numbers, "refused" for
// a refusal; results may be of either store method.
func wantENumbers[R store.EDocumentResult | store.DocumentResult](tb testing.TB, what string, results []R, want ...string) {
	tb.Helper()
	got := make([]string, len(results))
	for i, r := range results {
		switch r := any(r).(type) {
		case store.EDocumentResult:
			got[i] = r.Document.Number
			if r.Err != nil {
				got[i] = "refused"
			}
		case store.DocumentResult:
			got[i] = r.Document.Number
			if r.Err != nil {
				got[i] = "refused"
			}
		}
	}
	wantEqual(tb, what+": numbers", want, got)
}

func testEDocumentNumberTaken(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	other := MustCreateMerchant(t, s)
	k := invoicing.KindInvoice
	// Every status but error keeps the number: new, pending, sent,
	// delivered, rejected.
	docs := MustCreateEDocuments(t, s, m.ID, MinimalEDocument(k, "S-1"), MinimalEDocument(k, "S-2"), MinimalEDocument(k, "S-3"), MinimalEDocument(k, "S-4"))
	trs := claimByDocument(t, s)
	mustFinish(t, s, trs[docs[0].ID], store.Outcome{Status: invoicing.EStatusPending, Reason: "busy", RetryAt: futureRetry()})
	for _, d := range docs[1:] {
		mustFinish(t, s, trs[d.ID], store.Outcome{Status: invoicing.EStatusSent})
	}
	answer(t, s, docs[2].MessageID, invoicing.EStatusDelivered, "")
	answer(t, s, docs[3].MessageID, invoicing.EStatusRejected, "wrong buyer")
	taken := MustCreateEDocuments(t, s, m.ID, MinimalEDocument(k, "A-1"))[0]
	statuses := []invoicing.EStatus{invoicing.EStatusPending, invoicing.EStatusSent, invoicing.EStatusDelivered, invoicing.EStatusRejected}
	for i, d := range docs {
		if got := MustGetEDocument(t, s, m.ID, d.ID).Status; got != statuses[i] {
			t.Fatalf("document %s is %s, want %s", d.Number, got, statuses[i])
		}
	}
	results := createEDocuments(t, s, m.ID,
		MinimalEDocument(k, "A-2"), MinimalEDocument(k, "A-1"), MinimalEDocument(k, "S-1"), MinimalEDocument(k, "S-2"),
		MinimalEDocument(k, "S-3"), MinimalEDocument(k, "S-4"), MinimalEDocument(k, ""))
	for i := 1; i <= 5; i++ {
		WantProblem(t, fmt.Sprintf("number %s taken", results[i].Document.Number), results[i].Err, k.NumberField(), invoicing.RuleUnique)
		if results[i].Updated {
			t.Errorf("result %d: refused and updated", i)
		}
	}
	wantENumbers(t, "the others", results, "A-2", "refused", "refused", "refused", "refused", "refused", "EINV-000001")
	for _, i := range []int{0, 6} {
		d := results[i].Document
		wantEqual(t, "a stored neighbour of a refusal", d, MustGetEDocument(t, s, m.ID, d.ID))
	}
	wantEqual(t, "the document whose number was asked for again", taken, MustGetEDocument(t, s, m.ID, taken.ID))
	// The number is per merchant and kind.
	MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindCreditNote, "A-1"))
	MustCreateEDocuments(t, s, other.ID, MinimalEDocument(k, "A-1"))
	// An invoice of the invoice API does not take an e-invoice's number.
	MustCreateDocuments(t, s, m.ID, MinimalDocument(k, "B-1"))
	MustCreateEDocuments(t, s, m.ID, MinimalEDocument(k, "B-1"))
}

func testEDocumentDuplicateInCall(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	k := invoicing.KindCreditNote
	results := createEDocuments(t, s, m.ID, MinimalEDocument(k, "D-1"), MinimalEDocument(k, "D-1"), MinimalEDocument(k, "D-2"))
	WantProblem(t, "a number given twice", results[1].Err, k.NumberField(), invoicing.RuleUnique)
	wantENumbers(t, "the others", results, "D-1", "refused", "D-2")
	wantPending(t, s, 2)
}

// testEDocumentErrorRecovery follows document 004's error recovery through
// the store: a document that failed is replaced by a new upload of its
// number, queued again under a new message id, and sent.
func testEDocumentErrorRecovery(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	ep := MustCreateWebhookEndpoint(t, s, m.ID)
	k := invoicing.KindInvoice
	first := MustCreateEDocuments(t, s, m.ID, SampleEDocument(k, "R-1"))[0]
	tr := mustClaim(t, s, "w1", 1)[0]
	if err := s.FinishTransmission(ctx, tr, store.Outcome{Status: invoicing.EStatusError, Reason: "participant not found", UBL: []byte("<Invoice/>")}); err != nil {
		t.Fatalf("FinishTransmission: %v", err)
	}
	failed := MustGetEDocument(t, s, m.ID, first.ID)
	if failed.Status != invoicing.EStatusError || failed.ErrorReason != "participant not found" {
		t.Fatalf("after the failure: status %s, reason %q", failed.Status, failed.ErrorReason)
	}
	wantPending(t, s, 0)

	tick()
	again := MinimalEDocument(k, "R-1")
	again.RecipientReference = "corrected"
	results := createEDocuments(t, s, m.ID, again, MinimalEDocument(k, "R-2"))
	r := results[0]
	if r.Err != nil || !r.Updated {
		t.Fatalf("recovery: updated %v, err %v; want updated", r.Updated, r.Err)
	}
	if results[1].Err != nil || results[1].Updated {
		t.Fatalf("the neighbour: updated %v, err %v; want stored as new", results[1].Updated, results[1].Err)
	}
	got := r.Document
	want := again
	want.ID, want.Status, want.ErrorReason = first.ID, invoicing.EStatusNew, ""
	want.CreatedAt, want.UpdatedAt, want.MessageID = first.CreatedAt, got.UpdatedAt, got.MessageID
	wantEqual(t, "recovered document", want, got)
	wantEqual(t, "GetEDocument of the recovered document", want, MustGetEDocument(t, s, m.ID, first.ID))
	if !got.UpdatedAt.After(failed.UpdatedAt) {
		t.Errorf("updated_at %v, want after %v", got.UpdatedAt, failed.UpdatedAt)
	}
	if got.MessageID == first.MessageID || !messageIDPattern.MatchString(got.MessageID) {
		t.Errorf("message id after recovery %q (before %q), want a new one", got.MessageID, first.MessageID)
	}
	_, err := s.EDocumentUBL(ctx, m.ID, first.ID)
	wantErrIs(t, "EDocumentUBL of the replaced content", err, store.ErrNotFound)
	// The old message id no longer names the document.
	wantErrIs(t, "SetStatusByMessageID with the replaced message id",
		s.SetStatusByMessageID(ctx, first.MessageID, invoicing.EStatusDelivered, ""), store.ErrNotFound)

	wantPending(t, s, 2)
	trs := mustClaim(t, s, "w2", 10)
	if len(trs) != 2 || trs[0].Document.ID != first.ID || trs[0].Attempt != 1 {
		t.Fatalf("claimed %+v, want the recovered document first, attempt 1", trs)
	}
	wantEqual(t, "claimed content", invoicing.EStatusPending, trs[0].Document.Status)
	wantEqual(t, "claimed lines", again.LineItems, trs[0].Document.LineItems)
	mustFinish(t, s, trs[0], store.Outcome{Status: invoicing.EStatusSent, UBL: []byte("<Invoice>2</Invoice>")})
	if d := MustGetEDocument(t, s, m.ID, first.ID); d.Status != invoicing.EStatusSent || d.MessageID != got.MessageID {
		t.Errorf("after sending: status %s, message id %q; want sent, %q", d.Status, d.MessageID, got.MessageID)
	}
	wantTransitions(t, s, m.ID, ep.ID, first.ID,
		"->new", "new->pending", "pending->error", "error->new", "new->pending", "pending->sent")
}

// testEDocumentErrorRecoveryInCall: a number in error given twice in one
// call is recovered by the first and refused to the second, which finds it
// new.
func testEDocumentErrorRecoveryInCall(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	k := invoicing.KindCreditNote
	d := MustCreateEDocuments(t, s, m.ID, MinimalEDocument(k, "E-1"))[0]
	mustFinish(t, s, mustClaim(t, s, "w", 1)[0], store.Outcome{Status: invoicing.EStatusError, Reason: "invalid"})
	results := createEDocuments(t, s, m.ID, MinimalEDocument(k, "E-1"), MinimalEDocument(k, "E-1"))
	if !results[0].Updated || results[0].Err != nil || results[0].Document.ID != d.ID {
		t.Errorf("first: %+v, want the document updated", results[0])
	}
	WantProblem(t, "second", results[1].Err, k.NumberField(), invoicing.RuleUnique)
	wantPending(t, s, 1)
}

func testEDocumentGetNotFound(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	other := MustCreateMerchant(t, s)
	theirs := MustCreateEDocuments(t, s, other.ID, MinimalEDocument(invoicing.KindInvoice, "X-1"))[0]
	mine := MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, "X-1"))[0]
	for name, id := range map[string]int64{"another merchant's document": theirs.ID, "a missing id": mine.ID + 1000} {
		_, err := s.GetEDocument(ctx, m.ID, id)
		wantErrIs(t, "GetEDocument of "+name, err, store.ErrNotFound)
		_, err = s.EDocumentUBL(ctx, m.ID, id)
		wantErrIs(t, "EDocumentUBL of "+name, err, store.ErrNotFound)
	}
}

func testEDocumentList(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	other := MustCreateMerchant(t, s)
	var mine []invoicing.EDocument
	for i := range 6 {
		// Interleave the other merchant's rows, so scoping mistakes show.
		k := kinds[i%2]
		mine = append(mine, MustCreateEDocuments(t, s, m.ID, SampleEDocument(k, fmt.Sprint("L-", i)))...)
		MustCreateEDocuments(t, s, other.ID, SampleEDocument(k, fmt.Sprint("L-", i)))
	}
	var got []invoicing.EDocument
	after := int64(0)
	for page := 0; ; page++ {
		list, err := s.ListEDocuments(ctx, m.ID, store.EDocumentListOptions{AfterID: after, Limit: 4})
		if err != nil {
			t.Fatalf("ListEDocuments: %v", err)
		}
		if len(list) > 4 || page > 2 {
			t.Fatalf("page %d has %d documents; limit 4 is not respected", page, len(list))
		}
		if len(list) == 0 {
			break
		}
		got = append(got, list...)
		after = list[len(list)-1].ID
	}
	wantEqual(t, "all pages (with their lines)", mine, got)

	// Claimed, all are pending; then two fail and one is sent.
	trs := claimByDocument(t, s)
	for _, i := range []int{1, 4} {
		mustFinish(t, s, trs[mine[i].ID], store.Outcome{Status: invoicing.EStatusError, Reason: "invalid"})
	}
	mustFinish(t, s, trs[mine[0].ID], store.Outcome{Status: invoicing.EStatusSent})
	for _, c := range []struct {
		opt  store.EDocumentListOptions
		want []int64
	}{
		{store.EDocumentListOptions{Status: invoicing.EStatusError, Limit: 100}, []int64{mine[1].ID, mine[4].ID}},
		{store.EDocumentListOptions{Status: invoicing.EStatusError, AfterID: mine[1].ID, Limit: 100}, []int64{mine[4].ID}},
		{store.EDocumentListOptions{Status: invoicing.EStatusPending, Limit: 2}, []int64{mine[2].ID, mine[3].ID}},
		{store.EDocumentListOptions{Status: invoicing.EStatusPending, AfterID: mine[3].ID, Limit: 2}, []int64{mine[5].ID}},
		{store.EDocumentListOptions{Status: invoicing.EStatusSent, Limit: 100}, []int64{mine[0].ID}},
		// The other merchant's are all new, and none is listed.
		{store.EDocumentListOptions{Status: invoicing.EStatusNew, Limit: 100}, nil},
		{store.EDocumentListOptions{Limit: 100}, ids(mine, eDocumentID)},
	} {
		list, err := s.ListEDocuments(ctx, m.ID, c.opt)
		if err != nil {
			t.Fatalf("ListEDocuments(%+v): %v", c.opt, err)
		}
		wantIDs(t, fmt.Sprintf("ListEDocuments(%+v)", c.opt), c.want, ids(list, eDocumentID))
		for _, d := range list {
			wantEqual(t, "a listed document", MustGetEDocument(t, s, m.ID, d.ID), d)
		}
	}
}

func testEDocumentUBL(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	other := MustCreateMerchant(t, s)
	d := MustCreateEDocuments(t, s, m.ID, SampleEDocument(invoicing.KindInvoice, "U-1"))[0]
	_, err := s.EDocumentUBL(ctx, m.ID, d.ID)
	wantErrIs(t, "EDocumentUBL before conversion", err, store.ErrNotFound)

	// Converted, then failed transiently: the UBL is kept while the job
	// waits, and kept when the next attempt brings none.
	ubl := []byte("<?xml version=\"1.0\"?>\n<Invoice>Ünïcødé \x00 bytes</Invoice>")
	tr := mustClaim(t, s, "w", 1)[0]
	mustFinish(t, s, tr, store.Outcome{Status: invoicing.EStatusPending, Reason: "timeout", RetryAt: pastRetry(), UBL: ubl})
	if got, err := s.EDocumentUBL(ctx, m.ID, d.ID); err != nil || string(got) != string(ubl) {
		t.Fatalf("EDocumentUBL after conversion = %q, %v; want %q", got, err, ubl)
	}
	tr = mustClaim(t, s, "w", 1)[0]
	mustFinish(t, s, tr, store.Outcome{Status: invoicing.EStatusSent})
	if got, err := s.EDocumentUBL(ctx, m.ID, d.ID); err != nil || string(got) != string(ubl) {
		t.Fatalf("EDocumentUBL after sending = %q, %v; want %q", got, err, ubl)
	}
	_, err = s.EDocumentUBL(ctx, other.ID, d.ID)
	wantErrIs(t, "EDocumentUBL of another merchant's document", err, store.ErrNotFound)
}

// claimByDocument claims every due job (there must be some) and indexes
// the transmissions by document id.
func claimByDocument(tb testing.TB, s store.EDocumentStore) map[int64]store.Transmission {
	tb.Helper()
	out := map[int64]store.Transmission{}
	for _, tr := range mustClaim(tb, s, "claimer", 100) {
		out[tr.Document.ID] = tr
	}
	return out
}

// answer applies a receiver's answer that must be accepted.
func answer(tb testing.TB, s store.EDocumentStore, messageID string, status invoicing.EStatus, reason string) {
	tb.Helper()
	if err := s.SetStatusByMessageID(tb.Context(), messageID, status, reason); err != nil {
		tb.Fatalf("SetStatusByMessageID(%s): %v", status, err)
	}
}
