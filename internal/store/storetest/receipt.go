package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
)

// The access point's message id (Outcome.APMessageID) and receipt checks
// (Outcome.ReceiptAt, Transmission.Receipt).
var receiptTests = []test{
	{"APMessageID", testAPMessageID},
	{"APMessageIDRecovery", testAPMessageIDRecovery},
	{"APMessageIDAmbiguous", testAPMessageIDAmbiguous},
	{"SendClaimFields", testSendClaimFields},
	{"ReceiptCheck", testReceiptCheck},
	{"ReceiptCheckOutcomes", testReceiptCheckOutcomes},
	{"ReceiptCheckEndedByAnswer", testReceiptCheckEndedByAnswer},
	{"ReceiptOutcomeInvalid", testReceiptOutcomeInvalid},
	{"FinishBatch", testFinishBatch},
}

// sendAndClaimReceipt stores a document, sends it with a receipt check due
// at once, and claims the check.
func sendAndClaimReceipt(tb testing.TB, s store.Store, merchantID int64, number, apID string) (invoicing.EDocument, store.Transmission) {
	tb.Helper()
	d := MustCreateEDocuments(tb, s, merchantID, MinimalEDocument(invoicing.KindInvoice, number))[0]
	tr := mustClaim(tb, s, "sender", 1)[0]
	mustFinish(tb, s, tr, store.Outcome{Status: invoicing.EStatusSent, APMessageID: apID, ReceiptAt: pastRetry()})
	check := mustClaim(tb, s, "checker", 1)
	if len(check) != 1 || check[0].Document.ID != d.ID {
		tb.Fatalf("claimed %+v, want the receipt check of document %d", check, d.ID)
	}
	return d, check[0]
}

// testAPMessageID: the access point's id recorded with an outcome names
// the document for later answers, like ours.
func testAPMessageID(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	docs := MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, "A-1"), MinimalEDocument(invoicing.KindInvoice, "A-2"),
		MinimalEDocument(invoicing.KindInvoice, "A-3"))
	trs := mustClaim(t, s, "w", 10)
	mustFinish(t, s, trs[0], store.Outcome{Status: invoicing.EStatusSent, APMessageID: "ap-1"})
	mustFinish(t, s, trs[1], store.Outcome{Status: invoicing.EStatusSent})
	// A transient failure first, then an accepted retry with the id.
	mustFinish(t, s, trs[2], store.Outcome{Status: invoicing.EStatusPending, Reason: "503", RetryAt: pastRetry()})
	retry := mustClaim(t, s, "w", 10)
	if len(retry) != 1 || retry[0].APMessageID != "" {
		t.Fatalf("claimed %+v, want the retry without an access point id", retry)
	}
	mustFinish(t, s, retry[0], store.Outcome{Status: invoicing.EStatusSent, APMessageID: "ap-3"})

	answer(t, s, "ap-1", invoicing.EStatusDelivered, "")
	answer(t, s, "ap-3", invoicing.EStatusRejected, "no such order")
	answer(t, s, docs[1].MessageID, invoicing.EStatusDelivered, "")
	for i, want := range []struct {
		status invoicing.EStatus
		reason string
	}{{invoicing.EStatusDelivered, ""}, {invoicing.EStatusDelivered, ""}, {invoicing.EStatusRejected, "no such order"}} {
		got := MustGetEDocument(t, s, m.ID, docs[i].ID)
		if got.Status != want.status || got.ErrorReason != want.reason {
			t.Errorf("%s: status %s, reason %q; want %s, %q", got.Number, got.Status, got.ErrorReason, want.status, want.reason)
		}
	}
	// The same answer by the other id is the same answer; a different one
	// is refused as by our id.
	answer(t, s, docs[0].MessageID, invoicing.EStatusDelivered, "")
	wantErrIs(t, "rejecting a delivered document by its access point id",
		s.SetStatusByMessageID(ctx, "ap-1", invoicing.EStatusRejected, "late"), store.ErrConflict)
	wantErrIs(t, "an unknown access point id",
		s.SetStatusByMessageID(ctx, "ap-unknown", invoicing.EStatusDelivered, ""), store.ErrNotFound)
}

// testAPMessageIDRecovery: error recovery gives the document a new message
// id and forgets the access point's id of the old one.
func testAPMessageIDRecovery(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	first := MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, "R-1"))[0]
	tr := mustClaim(t, s, "w", 1)[0]
	mustFinish(t, s, tr, store.Outcome{Status: invoicing.EStatusError, Reason: "refused by the access point", APMessageID: "ap-old"})
	results := createEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, "R-1"))
	if results[0].Err != nil || !results[0].Updated {
		t.Fatalf("recovery: %+v", results[0])
	}
	wantErrIs(t, "an answer by the access point id of the replaced message",
		s.SetStatusByMessageID(ctx, "ap-old", invoicing.EStatusDelivered, ""), store.ErrNotFound)
	tr = mustClaim(t, s, "w", 1)[0]
	if tr.Document.ID != first.ID || tr.APMessageID != "" || tr.Receipt {
		t.Errorf("claimed the recovered document: %+v, want no access point id, a send", tr)
	}
}

// testAPMessageIDAmbiguous: two documents with the same access point id
// (an access point's bug) make an answer by it a conflict, not a guess;
// our own ids still work.
func testAPMessageIDAmbiguous(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	docs := MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, "B-1"), MinimalEDocument(invoicing.KindInvoice, "B-2"))
	for _, tr := range mustClaim(t, s, "w", 10) {
		mustFinish(t, s, tr, store.Outcome{Status: invoicing.EStatusSent, APMessageID: "ap-same"})
	}
	wantErrIs(t, "an answer by a shared access point id",
		s.SetStatusByMessageID(ctx, "ap-same", invoicing.EStatusDelivered, ""), store.ErrConflict)
	for _, d := range docs {
		if got := MustGetEDocument(t, s, m.ID, d.ID); got.Status != invoicing.EStatusSent {
			t.Errorf("%s: status %s after a refused answer, want sent", got.Number, got.Status)
		}
	}
	answer(t, s, docs[1].MessageID, invoicing.EStatusDelivered, "")
}

// testSendClaimFields: a send claim is no receipt check, and the claimed
// document's UpdatedAt, the first attempt's time, stays put over retries
// and takeovers.
func testSendClaimFields(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, "S-1"))
	first := mustClaim(t, s, "w", 1)[0]
	if first.Receipt || first.APMessageID != "" {
		t.Errorf("send claim: receipt %v, access point id %q; want neither", first.Receipt, first.APMessageID)
	}
	tick()
	mustFinish(t, s, first, store.Outcome{Status: invoicing.EStatusPending, Reason: "timeout", RetryAt: pastRetry()})
	tick()
	second := mustClaim(t, s, "w", 1)[0]
	if second.Receipt || !second.Document.UpdatedAt.Equal(first.Document.UpdatedAt) {
		t.Errorf("retry claim: receipt %v, updated_at %v; want a send, %v (the first attempt)",
			second.Receipt, second.Document.UpdatedAt, first.Document.UpdatedAt)
	}
	mustFinish(t, s, second, store.Outcome{Status: invoicing.EStatusSent})
	wantPending(t, s, 0)
}

// testReceiptCheck: sent with a receipt time, the document is sent and the
// job stays, a receipt check; claiming it leaves the document alone, and
// its answer ends it.
func testReceiptCheck(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	ep := MustCreateWebhookEndpoint(t, s, m.ID)
	d := MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, "C-1"))[0]
	tr := mustClaim(t, s, "w", 1)[0]
	tick()
	mustFinish(t, s, tr, store.Outcome{Status: invoicing.EStatusSent, APMessageID: "ap-c1", UBL: []byte("<Invoice/>"), ReceiptAt: futureRetry()})
	sent := MustGetEDocument(t, s, m.ID, d.ID)
	if sent.Status != invoicing.EStatusSent {
		t.Fatalf("status %s, want sent", sent.Status)
	}
	wantPending(t, s, 1)
	if got := mustClaim(t, s, "w", 10); len(got) != 0 {
		t.Fatalf("claimed %+v before the receipt time", got)
	}
	// Not yet: ask again (due at once this time).
	d2, check := sendAndClaimReceipt(t, s, m.ID, "C-2", "ap-c2")
	if !check.Receipt || check.APMessageID != "ap-c2" || check.Attempt != 2 || check.Document.Status != invoicing.EStatusSent {
		t.Fatalf("receipt check: %+v; want receipt, ap-c2, attempt 2, sent", check)
	}
	sent2 := MustGetEDocument(t, s, m.ID, d2.ID)
	wantEqual(t, "the document a receipt check claimed", sent2, check.Document)
	mustFinish(t, s, check, store.Outcome{Status: invoicing.EStatusSent, ReceiptAt: pastRetry()})
	wantEqual(t, "the document after a receipt check without an answer", sent2, MustGetEDocument(t, s, m.ID, d2.ID))
	again := mustClaim(t, s, "w", 10)
	if len(again) != 1 || !again[0].Receipt || again[0].Attempt != 3 {
		t.Fatalf("claimed %+v, want the receipt check again, attempt 3", again)
	}
	mustFinish(t, s, again[0], store.Outcome{Status: invoicing.EStatusDelivered})
	if got := MustGetEDocument(t, s, m.ID, d2.ID); got.Status != invoicing.EStatusDelivered {
		t.Errorf("after the answer: status %s, want delivered", got.Status)
	}
	wantPending(t, s, 1) // C-1's check, still due in an hour
	wantTransitions(t, s, m.ID, ep.ID, d2.ID, "->new", "new->pending", "pending->sent", "sent->delivered")
	wantErrIs(t, "finishing an ended receipt check",
		s.FinishTransmission(t.Context(), again[0], store.Outcome{Status: invoicing.EStatusDelivered}), store.ErrConflict)
}

// testReceiptCheckOutcomes: what each outcome of a receipt check does to
// the document and the job.
func testReceiptCheckOutcomes(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	ep := MustCreateWebhookEndpoint(t, s, m.ID)

	// Rejected: the reason is kept.
	d, check := sendAndClaimReceipt(t, s, m.ID, "O-1", "")
	mustFinish(t, s, check, store.Outcome{Status: invoicing.EStatusRejected, Reason: "unknown order reference"})
	if got := MustGetEDocument(t, s, m.ID, d.ID); got.Status != invoicing.EStatusRejected || got.ErrorReason != "unknown order reference" {
		t.Errorf("rejected: status %s, reason %q", got.Status, got.ErrorReason)
	}
	wantPending(t, s, 0)

	// The transport failed to answer: ask again at RetryAt, the document
	// stays sent, with no event.
	d, check = sendAndClaimReceipt(t, s, m.ID, "O-2", "ap-o2")
	mustFinish(t, s, check, store.Outcome{Status: invoicing.EStatusPending, Reason: "access point down", RetryAt: pastRetry()})
	if got := MustGetEDocument(t, s, m.ID, d.ID); got.Status != invoicing.EStatusSent || got.ErrorReason != "" {
		t.Errorf("after a failed receipt check: status %s, reason %q; want sent", got.Status, got.ErrorReason)
	}
	again := mustClaim(t, s, "w", 10)
	if len(again) != 1 || !again[0].Receipt || again[0].APMessageID != "ap-o2" {
		t.Fatalf("claimed %+v, want the receipt check again", again)
	}
	// Stop asking: the job ends, the document stays sent.
	mustFinish(t, s, again[0], store.Outcome{Status: invoicing.EStatusSent})
	if got := MustGetEDocument(t, s, m.ID, d.ID); got.Status != invoicing.EStatusSent {
		t.Errorf("after giving up asking: status %s, want sent", got.Status)
	}
	wantPending(t, s, 0)
	wantTransitions(t, s, m.ID, ep.ID, d.ID, "->new", "new->pending", "pending->sent")
	// A later answer by callback still lands.
	answer(t, s, "ap-o2", invoicing.EStatusDelivered, "")

	// A receipt check never puts a document in error.
	d, check = sendAndClaimReceipt(t, s, m.ID, "O-3", "")
	if err := s.FinishTransmission(ctx, check, store.Outcome{Status: invoicing.EStatusError, Reason: "x"}); err == nil {
		t.Error("a receipt check ending in error was accepted")
	}
	if got := MustGetEDocument(t, s, m.ID, d.ID); got.Status != invoicing.EStatusSent {
		t.Errorf("after a refused outcome: status %s, want sent", got.Status)
	}
	mustFinish(t, s, check, store.Outcome{Status: invoicing.EStatusDelivered})
}

// testReceiptCheckEndedByAnswer: an answer by message id while a receipt
// check waits or runs ends it; the running check's finish conflicts.
func testReceiptCheckEndedByAnswer(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	d, check := sendAndClaimReceipt(t, s, m.ID, "E-1", "ap-e1")
	answer(t, s, "ap-e1", invoicing.EStatusRejected, "duplicate invoice")
	wantPending(t, s, 0)
	wantErrIs(t, "finishing a receipt check after the answer",
		s.FinishTransmission(ctx, check, store.Outcome{Status: invoicing.EStatusDelivered}), store.ErrConflict)
	if got := MustGetEDocument(t, s, m.ID, d.ID); got.Status != invoicing.EStatusRejected || got.ErrorReason != "duplicate invoice" {
		t.Errorf("status %s, reason %q; want rejected, duplicate invoice", got.Status, got.ErrorReason)
	}
	// An answer "sent" about a sent document changes nothing, and leaves a
	// waiting check in place.
	d2 := MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, "E-2"))[0]
	tr := mustClaim(t, s, "w", 1)[0]
	mustFinish(t, s, tr, store.Outcome{Status: invoicing.EStatusSent, ReceiptAt: futureRetry()})
	answer(t, s, d2.MessageID, invoicing.EStatusSent, "")
	wantPending(t, s, 1)
}

// testReceiptOutcomeInvalid: a receipt time goes with sent only.
func testReceiptOutcomeInvalid(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	d := MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, "V-1"))[0]
	tr := mustClaim(t, s, "w", 1)[0]
	for _, st := range []invoicing.EStatus{invoicing.EStatusDelivered, invoicing.EStatusRejected, invoicing.EStatusError} {
		if err := s.FinishTransmission(ctx, tr, store.Outcome{Status: st, ReceiptAt: time.Now()}); err == nil {
			t.Errorf("%s with a receipt time was accepted", st)
		}
	}
	if err := s.FinishTransmission(ctx, tr, store.Outcome{Status: invoicing.EStatusPending, RetryAt: time.Now(), ReceiptAt: time.Now()}); err == nil {
		t.Error("pending with a receipt time was accepted")
	}
	if got := MustGetEDocument(t, s, m.ID, d.ID); got.Status != invoicing.EStatusPending {
		t.Errorf("after refused outcomes: status %s, want pending", got.Status)
	}
	mustFinish(t, s, tr, store.Outcome{Status: invoicing.EStatusSent})
}

// testClockedReceiptAt: a receipt check is due at ReceiptAt on the store's
// clock, not before, and the claimed document's UpdatedAt is when it was
// sent; a send's is its first attempt, over retries.
func testClockedReceiptAt(t *testing.T, c *Clock, s store.Store, _ func() store.Store) {
	m := MustCreateMerchant(t, s)
	MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, ""))
	c.Advance(time.Second)
	firstAttempt := micro(c.Now())
	tr := mustClaim(t, s, "w", 1)[0]
	c.Advance(time.Second)
	mustFinish(t, s, tr, store.Outcome{Status: invoicing.EStatusPending, Reason: "timeout", RetryAt: c.Now()})
	c.Advance(time.Second)
	tr = mustClaim(t, s, "w", 1)[0]
	if !tr.Document.UpdatedAt.Equal(firstAttempt) {
		t.Errorf("retry: updated_at %v, want the first attempt's %v", tr.Document.UpdatedAt, firstAttempt)
	}
	c.Advance(time.Second)
	sentAt := micro(c.Now())
	mustFinish(t, s, tr, store.Outcome{Status: invoicing.EStatusSent, ReceiptAt: c.Now().Add(2 * time.Second)})
	c.Advance(2*time.Second - time.Microsecond)
	if got := mustClaim(t, s, "w", 1); len(got) != 0 {
		t.Fatalf("claimed %+v before ReceiptAt", got)
	}
	c.Advance(time.Microsecond)
	got := mustClaim(t, s, "w", 1)
	if len(got) != 1 || !got[0].Receipt || !got[0].Document.UpdatedAt.Equal(sentAt) {
		t.Fatalf("at ReceiptAt: claimed %+v, want the receipt check, updated_at %v", got, sentAt)
	}
}

// testFinishBatch: FinishTransmissions records a batch's outcomes as
// FinishTransmission would, and refuses a lost lease or an invalid outcome
// on its own, writing nothing of it, while the rest are recorded.
func testFinishBatch(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	ep := MustCreateWebhookEndpoint(t, s, m.ID)
	var docs []invoicing.EDocument
	for i := range 6 {
		docs = append(docs, MinimalEDocument(invoicing.KindInvoice, "BATCH-"+string(rune('A'+i))))
	}
	docs = MustCreateEDocuments(t, s, m.ID, docs...)
	trs := mustClaim(t, s, "w", 10)
	if len(trs) != 6 {
		t.Fatalf("claimed %d, want 6", len(trs))
	}
	// The receipt check of a document sent earlier.
	mustFinish(t, s, trs[5], store.Outcome{Status: invoicing.EStatusSent, ReceiptAt: pastRetry()})
	check := mustClaim(t, s, "w", 1)[0]
	lost := trs[2]
	lost.Owner = "someone else"
	errs, err := s.FinishTransmissions(ctx, []store.Finish{
		{Transmission: trs[0], Outcome: store.Outcome{Status: invoicing.EStatusSent, UBL: []byte("<a/>"), APMessageID: "ap-a", ReceiptAt: futureRetry()}},
		{Transmission: trs[1], Outcome: store.Outcome{Status: invoicing.EStatusError, Reason: "refused", UBL: []byte("<b/>")}},
		{Transmission: lost, Outcome: store.Outcome{Status: invoicing.EStatusSent, UBL: []byte("<c/>")}},
		{Transmission: trs[3], Outcome: store.Outcome{Status: invoicing.EStatusPending}}, // no RetryAt
		{Transmission: trs[4], Outcome: store.Outcome{Status: invoicing.EStatusPending, Reason: "503", RetryAt: futureRetry(), UBL: []byte("<e/>")}},
		{Transmission: check, Outcome: store.Outcome{Status: invoicing.EStatusError, Reason: "no"}}, // a receipt check never errs
	})
	if err != nil || len(errs) != 6 {
		t.Fatalf("FinishTransmissions: %v, %d results", err, len(errs))
	}
	for i, wantErr := range []bool{false, false, true, true, false, true} {
		if (errs[i] != nil) != wantErr || (errs[i] != nil && !store.IsRefusal(errs[i])) {
			t.Errorf("outcome %d: %v, want refused %v", i, errs[i], wantErr)
		}
	}
	wantErrIs(t, "the lost lease", errs[2], store.ErrConflict)
	for i, want := range []invoicing.EStatus{invoicing.EStatusSent, invoicing.EStatusError, invoicing.EStatusPending,
		invoicing.EStatusPending, invoicing.EStatusPending, invoicing.EStatusSent} {
		if got := MustGetEDocument(t, s, m.ID, docs[i].ID); got.Status != want {
			t.Errorf("%s: %s, want %s", got.Number, got.Status, want)
		}
	}
	if _, err := s.EDocumentUBL(ctx, m.ID, docs[2].ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the refused outcome's UBL was stored: %v", err)
	}
	if ubl, err := s.EDocumentUBL(ctx, m.ID, docs[4].ID); err != nil || string(ubl) != "<e/>" {
		t.Errorf("the retry's UBL: %q, %v", ubl, err)
	}
	answer(t, s, "ap-a", invoicing.EStatusDelivered, "")
	wantTransitions(t, s, m.ID, ep.ID, docs[0].ID, "->new", "new->pending", "pending->sent", "sent->delivered")
	// Still held: the refused ones can be finished properly.
	mustFinish(t, s, trs[2], store.Outcome{Status: invoicing.EStatusSent})
	mustFinish(t, s, trs[3], store.Outcome{Status: invoicing.EStatusSent})
	mustFinish(t, s, check, store.Outcome{Status: invoicing.EStatusDelivered})
	wantPending(t, s, 1) // docs[4]'s retry, in an hour
	if errs, err := s.FinishTransmissions(ctx, nil); err != nil || len(errs) != 0 {
		t.Errorf("an empty batch: %v, %v", errs, err)
	}
}
