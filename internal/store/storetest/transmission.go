package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
)

// testLease is the lease of claims that must not expire during a test.
const testLease = time.Hour

// mustClaim claims up to limit due transmissions for owner.
func mustClaim(tb testing.TB, s store.EDocumentStore, owner string, limit int) []store.Transmission {
	tb.Helper()
	trs, err := s.ClaimTransmissions(tb.Context(), owner, testLease, limit)
	if err != nil {
		tb.Fatalf("ClaimTransmissions: %v", err)
	}
	return trs
}

// mustFinish records an outcome that must be accepted.
func mustFinish(tb testing.TB, s store.EDocumentStore, tr store.Transmission, out store.Outcome) {
	tb.Helper()
	if err := s.FinishTransmission(tb.Context(), tr, out); err != nil {
		tb.Fatalf("FinishTransmission(job %d, %s): %v", tr.JobID, out.Status, err)
	}
}

// wantPending fails unless PendingTransmissions answers want.
func wantPending(tb testing.TB, s store.EDocumentStore, want int) {
	tb.Helper()
	n, err := s.PendingTransmissions(tb.Context())
	if err != nil {
		tb.Fatalf("PendingTransmissions: %v", err)
	}
	if n != want {
		tb.Errorf("PendingTransmissions = %d, want %d", n, want)
	}
}

func transmissionDocID(tr store.Transmission) int64 { return tr.Document.ID }
func transmissionJobID(tr store.Transmission) int64 { return tr.JobID }

// pastRetry and futureRetry are retry times that are due at once and that
// will not be due during a test, on the backend's real clock.
func pastRetry() time.Time   { return time.Now().Add(-time.Minute) }
func futureRetry() time.Time { return time.Now().Add(time.Hour) }

var transmissionTests = []test{
	{"ClaimMovesToPending", testClaimMovesToPending},
	{"ClaimOrderAndLimit", testClaimOrderAndLimit},
	{"FinishFinalStatuses", testFinishFinalStatuses},
	{"FinishRetry", testFinishRetry},
	{"FinishConflict", testFinishConflict},
	{"LeaseExpires", testLeaseExpires},
	{"ConcurrentClaims", testConcurrentClaims},
	{"SetStatusByMessageID", testSetStatusByMessageID},
	{"SetStatusEndsTransmission", testSetStatusEndsTransmission},
	{"SetStatusInvalid", testSetStatusInvalid},
}

func testClaimMovesToPending(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	d := MustCreateEDocuments(t, s, m.ID, SampleEDocument(invoicing.KindCreditNote, "C-1"))[0]
	tick()
	before := time.Now()
	trs, err := s.ClaimTransmissions(t.Context(), "worker-1", time.Minute, 10)
	if err != nil || len(trs) != 1 {
		t.Fatalf("ClaimTransmissions: %d claimed, err %v; want 1", len(trs), err)
	}
	tr := trs[0]
	if tr.JobID <= 0 || tr.MerchantID != m.ID || tr.Attempt != 1 || tr.Owner != "worker-1" {
		t.Errorf("claimed job %d, merchant %d, attempt %d, owner %q; want a job, %d, 1, worker-1",
			tr.JobID, tr.MerchantID, tr.Attempt, tr.Owner, m.ID)
	}
	// The lease is a minute from the backend's clock (the real one here).
	if lo, hi := before.Add(time.Minute-time.Second), time.Now().Add(time.Minute+time.Second); tr.LeaseUntil.Before(lo) || tr.LeaseUntil.After(hi) {
		t.Errorf("lease until %v, want about a minute from now", tr.LeaseUntil)
	}
	want := d
	want.Status, want.UpdatedAt = invoicing.EStatusPending, tr.Document.UpdatedAt
	wantEqual(t, "claimed document", want, tr.Document)
	wantEqual(t, "GetEDocument after the claim", tr.Document, MustGetEDocument(t, s, m.ID, d.ID))
	if !tr.Document.UpdatedAt.After(d.UpdatedAt) {
		t.Errorf("updated_at %v, want after %v", tr.Document.UpdatedAt, d.UpdatedAt)
	}
	// Leased, the job is nobody else's, and still counts as pending.
	if again := mustClaim(t, s, "worker-2", 10); len(again) != 0 {
		t.Errorf("a leased job was claimed again: %+v", again)
	}
	wantPending(t, s, 1)
	// Nothing to claim, or a limit of 0: no transmissions.
	if trs, err := s.ClaimTransmissions(t.Context(), "w", time.Minute, 0); err != nil || len(trs) != 0 {
		t.Errorf("ClaimTransmissions with limit 0: %d, %v", len(trs), err)
	}
}

func testClaimOrderAndLimit(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	other := MustCreateMerchant(t, s)
	var docs []invoicing.EDocument
	for i := range 5 {
		docs = append(docs, MustCreateEDocuments(t, s, m.ID, MinimalEDocument(kinds[i%2], fmt.Sprint("O-", i)))...)
		docs = append(docs, MustCreateEDocuments(t, s, other.ID, MinimalEDocument(kinds[i%2], fmt.Sprint("O-", i)))...)
	}
	first := mustClaim(t, s, "w", 3)
	wantIDs(t, "first claim", ids(docs[:3], eDocumentID), ids(first, transmissionDocID))
	// A retry due earlier than the remaining jobs' creation goes first.
	mustFinish(t, s, first[2], store.Outcome{Status: invoicing.EStatusPending, RetryAt: pastRetry()})
	second := mustClaim(t, s, "w", 2)
	wantIDs(t, "second claim", []int64{docs[2].ID, docs[3].ID}, ids(second, transmissionDocID))
	if second[0].Attempt != 2 || second[1].Attempt != 1 {
		t.Errorf("attempts %d, %d; want 2 (retried), 1", second[0].Attempt, second[1].Attempt)
	}
	rest := mustClaim(t, s, "w", 100)
	wantIDs(t, "the rest", ids(docs[4:], eDocumentID), ids(rest, transmissionDocID))
	for _, tr := range rest {
		wantEqual(t, "claimed document", MustGetEDocument(t, s, tr.MerchantID, tr.Document.ID), tr.Document)
	}
}

func testFinishFinalStatuses(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	ep := MustCreateWebhookEndpoint(t, s, m.ID)
	cases := []struct {
		out        store.Outcome
		wantReason string
	}{
		{store.Outcome{Status: invoicing.EStatusSent, Reason: "ignored", UBL: []byte("<a/>")}, ""},
		{store.Outcome{Status: invoicing.EStatusDelivered, UBL: []byte("<b/>")}, ""},
		{store.Outcome{Status: invoicing.EStatusRejected, Reason: "unknown buyer"}, "unknown buyer"},
		{store.Outcome{Status: invoicing.EStatusError, Reason: "BR-CO-10: sums differ", UBL: []byte("<d/>")}, "BR-CO-10: sums differ"},
	}
	docs := make([]invoicing.EDocument, len(cases))
	for i := range cases {
		docs[i] = MinimalEDocument(invoicing.KindInvoice, fmt.Sprint("F-", i))
	}
	docs = MustCreateEDocuments(t, s, m.ID, docs...)
	trs := mustClaim(t, s, "w", 10)
	wantPending(t, s, len(cases))
	for i, c := range cases {
		mustFinish(t, s, trs[i], c.out)
		wantPending(t, s, len(cases)-i-1)
		got := MustGetEDocument(t, s, m.ID, docs[i].ID)
		if got.Status != c.out.Status || got.ErrorReason != c.wantReason {
			t.Errorf("after %s: status %s, reason %q; want %s, %q", c.out.Status, got.Status, got.ErrorReason, c.out.Status, c.wantReason)
		}
		ubl, err := s.EDocumentUBL(ctx, m.ID, docs[i].ID)
		if c.out.UBL == nil {
			wantErrIs(t, "EDocumentUBL without a conversion", err, store.ErrNotFound)
		} else if err != nil || string(ubl) != string(c.out.UBL) {
			t.Errorf("UBL = %q, %v; want %q", ubl, err, c.out.UBL)
		}
		wantTransitions(t, s, m.ID, ep.ID, docs[i].ID, "->new", "new->pending", "pending->"+string(c.out.Status))
	}
	// Finished, a job is gone: finishing it again is a conflict.
	err := s.FinishTransmission(ctx, trs[0], store.Outcome{Status: invoicing.EStatusSent})
	wantErrIs(t, "FinishTransmission of a finished job", err, store.ErrConflict)
	if again := mustClaim(t, s, "w", 10); len(again) != 0 {
		t.Errorf("finished jobs were claimed again: %+v", again)
	}
}

func testFinishRetry(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	ep := MustCreateWebhookEndpoint(t, s, m.ID)
	docs := MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, "T-1"), MinimalEDocument(invoicing.KindInvoice, "T-2"))
	trs := mustClaim(t, s, "w1", 10)
	// T-1 waits an hour; T-2 is due again at once.
	mustFinish(t, s, trs[0], store.Outcome{Status: invoicing.EStatusPending, Reason: "503 from the access point", RetryAt: futureRetry()})
	mustFinish(t, s, trs[1], store.Outcome{Status: invoicing.EStatusPending, Reason: "timeout", RetryAt: pastRetry()})
	wantPending(t, s, 2)
	for _, d := range docs {
		if got := MustGetEDocument(t, s, m.ID, d.ID); got.Status != invoicing.EStatusPending || got.ErrorReason != "" {
			t.Errorf("%s waiting for a retry: status %s, reason %q; want pending, none", d.Number, got.Status, got.ErrorReason)
		}
	}
	again := mustClaim(t, s, "w2", 10)
	if len(again) != 1 || again[0].Document.ID != docs[1].ID || again[0].Attempt != 2 || again[0].JobID != trs[1].JobID {
		t.Fatalf("claimed %+v, want T-2's job again, attempt 2", again)
	}
	// The retried claim changes no status: no event beyond the first ones.
	wantTransitions(t, s, m.ID, ep.ID, docs[1].ID, "->new", "new->pending")
	// The first lease is gone with the retry.
	wantErrIs(t, "FinishTransmission by the first worker", s.FinishTransmission(ctx, trs[1], store.Outcome{Status: invoicing.EStatusSent}), store.ErrConflict)
	mustFinish(t, s, again[0], store.Outcome{Status: invoicing.EStatusSent})
	wantTransitions(t, s, m.ID, ep.ID, docs[1].ID, "->new", "new->pending", "pending->sent")
	wantPending(t, s, 1)

	// A pending outcome needs its retry time; other statuses are no outcome.
	for _, out := range []store.Outcome{
		{Status: invoicing.EStatusPending},
		{Status: invoicing.EStatusNew},
		{Status: "bogus"},
	} {
		if err := s.FinishTransmission(ctx, trs[0], out); err == nil {
			t.Errorf("FinishTransmission(%+v) was accepted", out)
		}
	}
}

func testFinishConflict(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	d := MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, "K-1"))[0]
	tr := mustClaim(t, s, "owner", 1)[0]
	for name, bad := range map[string]func(*store.Transmission){
		"another owner":   func(t *store.Transmission) { t.Owner = "intruder" },
		"another attempt": func(t *store.Transmission) { t.Attempt++ },
		"another job":     func(t *store.Transmission) { t.JobID += 1000 },
	} {
		forged := tr
		bad(&forged)
		err := s.FinishTransmission(ctx, forged, store.Outcome{Status: invoicing.EStatusError, Reason: name})
		wantErrIs(t, "FinishTransmission with "+name, err, store.ErrConflict)
	}
	if got := MustGetEDocument(t, s, m.ID, d.ID); got.Status != invoicing.EStatusPending {
		t.Errorf("after refused finishes: status %s, want pending", got.Status)
	}
	mustFinish(t, s, tr, store.Outcome{Status: invoicing.EStatusSent})
}

// testLeaseExpires: a worker that dies holding a job (here: never finishes)
// loses it when its lease runs out; another worker takes it over with the
// next attempt, and the first one's late finish is refused.
func testLeaseExpires(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	d := MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, "X-1"))[0]
	crashed, err := s.ClaimTransmissions(ctx, "crashed", time.Millisecond, 1)
	if err != nil || len(crashed) != 1 {
		t.Fatalf("ClaimTransmissions: %d, %v", len(crashed), err)
	}
	time.Sleep(10 * time.Millisecond)
	taken := mustClaim(t, s, "survivor", 10)
	if len(taken) != 1 || taken[0].JobID != crashed[0].JobID || taken[0].Attempt != 2 || taken[0].Owner != "survivor" {
		t.Fatalf("after the lease expired: claimed %+v, want the job, attempt 2", taken)
	}
	wantErrIs(t, "FinishTransmission by the worker whose lease expired",
		s.FinishTransmission(ctx, crashed[0], store.Outcome{Status: invoicing.EStatusError, Reason: "late"}), store.ErrConflict)
	mustFinish(t, s, taken[0], store.Outcome{Status: invoicing.EStatusSent})
	if got := MustGetEDocument(t, s, m.ID, d.ID); got.Status != invoicing.EStatusSent {
		t.Errorf("status %s, want sent", got.Status)
	}
}

// testConcurrentClaims lets several workers claim from one queue at once
// until it is empty: every job must be claimed exactly once.
func testConcurrentClaims(t *testing.T, s store.Store) {
	const jobs, claimers = 200, 4
	m := MustCreateMerchant(t, s)
	var docs []invoicing.EDocument
	for range jobs / 100 {
		batch := make([]invoicing.EDocument, 100)
		for i := range batch {
			batch[i] = MinimalEDocument(invoicing.KindInvoice, "")
		}
		docs = append(docs, MustCreateEDocuments(t, s, m.ID, batch...)...)
	}
	var (
		mu      sync.Mutex
		claimed = map[int64][]string{} // document id -> owners
		wg      sync.WaitGroup
		errs    = make(chan error, claimers)
	)
	for w := range claimers {
		owner := fmt.Sprint("worker-", w)
		wg.Go(func() {
			for {
				trs, err := s.ClaimTransmissions(t.Context(), owner, testLease, 7)
				if err != nil {
					errs <- fmt.Errorf("ClaimTransmissions: %w", err)
					return
				}
				if len(trs) == 0 {
					return
				}
				for _, tr := range trs {
					mu.Lock()
					claimed[tr.Document.ID] = append(claimed[tr.Document.ID], owner)
					mu.Unlock()
					if tr.Attempt != 1 {
						errs <- fmt.Errorf("document %d claimed with attempt %d", tr.Document.ID, tr.Attempt)
						return
					}
					if err := s.FinishTransmission(t.Context(), tr, store.Outcome{Status: invoicing.EStatusSent}); err != nil {
						errs <- fmt.Errorf("FinishTransmission: %w", err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, d := range docs {
		if owners := claimed[d.ID]; len(owners) != 1 {
			t.Errorf("document %d claimed by %v, want exactly one worker", d.ID, owners)
		}
	}
	if len(claimed) != jobs {
		t.Errorf("%d documents claimed, want %d", len(claimed), jobs)
	}
	wantPending(t, s, 0)
	list, err := s.ListEDocuments(t.Context(), m.ID, store.EDocumentListOptions{Status: invoicing.EStatusSent, Limit: 100})
	if err != nil || len(list) != 100 {
		t.Errorf("ListEDocuments of sent: %d, %v; want a full page", len(list), err)
	}
}

func testSetStatusByMessageID(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	ep := MustCreateWebhookEndpoint(t, s, m.ID)
	docs := MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, "M-1"), MinimalEDocument(invoicing.KindCreditNote, "M-1"))
	for _, tr := range mustClaim(t, s, "w", 10) {
		mustFinish(t, s, tr, store.Outcome{Status: invoicing.EStatusSent})
	}
	delivered, rejected := docs[0], docs[1]

	answer(t, s, delivered.MessageID, invoicing.EStatusDelivered, "")
	tick()
	got := MustGetEDocument(t, s, m.ID, delivered.ID)
	if got.Status != invoicing.EStatusDelivered || got.ErrorReason != "" {
		t.Errorf("after delivery: status %s, reason %q", got.Status, got.ErrorReason)
	}
	// Idempotent: the same answer again changes nothing, not even
	// updated_at, and queues no event.
	answer(t, s, delivered.MessageID, invoicing.EStatusDelivered, "again")
	wantEqual(t, "after the same answer again", got, MustGetEDocument(t, s, m.ID, delivered.ID))
	wantTransitions(t, s, m.ID, ep.ID, delivered.ID, "->new", "new->pending", "pending->sent", "sent->delivered")
	// No way back, and no other final status.
	for _, st := range []invoicing.EStatus{invoicing.EStatusSent, invoicing.EStatusRejected} {
		err := s.SetStatusByMessageID(ctx, delivered.MessageID, st, "late")
		wantErrIs(t, "SetStatusByMessageID from delivered to "+string(st), err, store.ErrConflict)
	}
	wantEqual(t, "after refused answers", got, MustGetEDocument(t, s, m.ID, delivered.ID))

	answer(t, s, rejected.MessageID, invoicing.EStatusRejected, "Buyer reference missing")
	got = MustGetEDocument(t, s, m.ID, rejected.ID)
	if got.Status != invoicing.EStatusRejected || got.ErrorReason != "Buyer reference missing" {
		t.Errorf("after rejection: status %s, reason %q", got.Status, got.ErrorReason)
	}
	wantErrIs(t, "SetStatusByMessageID from rejected to delivered",
		s.SetStatusByMessageID(ctx, rejected.MessageID, invoicing.EStatusDelivered, ""), store.ErrConflict)
	wantTransitions(t, s, m.ID, ep.ID, rejected.ID, "->new", "new->pending", "pending->sent", "sent->rejected")

	wantErrIs(t, "SetStatusByMessageID of an unknown message id",
		s.SetStatusByMessageID(ctx, "00000000-0000-4000-8000-000000000000", invoicing.EStatusDelivered, ""), store.ErrNotFound)
}

// testSetStatusEndsTransmission: an answer about a document whose job is
// still queued (a retry waiting, or an attempt in flight) ends the job; the
// worker in flight then finds its lease gone.
func testSetStatusEndsTransmission(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	docs := MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, "W-1"), MinimalEDocument(invoicing.KindInvoice, "W-2"))
	trs := mustClaim(t, s, "w", 10)
	mustFinish(t, s, trs[0], store.Outcome{Status: invoicing.EStatusPending, Reason: "timeout", RetryAt: pastRetry()})
	wantPending(t, s, 2)
	answer(t, s, docs[0].MessageID, invoicing.EStatusDelivered, "")
	answer(t, s, docs[1].MessageID, invoicing.EStatusSent, "")
	wantPending(t, s, 0)
	if again := mustClaim(t, s, "w", 10); len(again) != 0 {
		t.Errorf("claimed %+v after the answers ended the jobs", again)
	}
	wantErrIs(t, "FinishTransmission in flight after the answer",
		s.FinishTransmission(ctx, trs[1], store.Outcome{Status: invoicing.EStatusError, Reason: "late"}), store.ErrConflict)
	if got := MustGetEDocument(t, s, m.ID, docs[1].ID); got.Status != invoicing.EStatusSent {
		t.Errorf("status %s, want sent", got.Status)
	}
	// sent -> delivered is still ahead.
	answer(t, s, docs[1].MessageID, invoicing.EStatusDelivered, "")
}

func testSetStatusInvalid(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	d := MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, "I-1"))[0]
	for _, st := range []invoicing.EStatus{invoicing.EStatusNew, invoicing.EStatusPending, "bogus"} {
		if err := s.SetStatusByMessageID(t.Context(), d.MessageID, st, ""); err == nil {
			t.Errorf("SetStatusByMessageID(%q) was accepted", st)
		}
	}
	wantEqual(t, "after refused answers", d, MustGetEDocument(t, s, m.ID, d.ID))
}
