package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
)

// Clock is a test clock that moves only when told to; safe for concurrent
// use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock that reads start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// ClockedOpener opens a fresh, empty, migrated store whose clock is now (a
// backend's DB.Now), registering its cleanup, and returns it with reopen,
// which closes it and opens the same database again with the same clock, as
// a restarted server would.
type ClockedOpener func(tb testing.TB, now func() time.Time) (s store.Store, reopen func() store.Store)

// clockedTest is a leaf of RunClocked.
type clockedTest struct {
	name string
	fn   func(t *testing.T, c *Clock, s store.Store, reopen func() store.Store)
}

var clockedTests = []clockedTest{
	{"Timestamps", testClockedTimestamps},
	{"LeaseExpires", testClockedLeaseExpires},
	{"RetryAt", testClockedRetryAt},
	{"ReceiptAt", testClockedReceiptAt},
	{"DeliveryLeaseAndRetry", testClockedDeliveries},
	{"Restart", testClockedRestart},
	{"TokenRotation", testClockedTokenRotation},
	{"IdempotencyExpiry", testClockedIdemExpiry},
	{"IdempotencyTakeover", testClockedIdemTakeover},
	{"IdempotencyRestart", testClockedIdemRestart},
	{"IdempotencyPurge", testClockedIdemPurge},
}

// RunClocked runs the tests of the transmission and webhook queues that
// must move time on (lease expiry, retry times) or restart the store, which
// the interface alone cannot do (Run's leaves see the backend's real clock):
// the backend's test hands over its clock and a way to reopen.
func RunClocked(t *testing.T, open ClockedOpener) {
	for _, tc := range clockedTests {
		t.Run(tc.name, func(t *testing.T) {
			c := NewClock(time.Date(2031, 3, 4, 5, 6, 7, 891234567, time.UTC))
			s, reopen := open(t, c.Now)
			tc.fn(t, c, s, reopen)
		})
	}
}

// testClockedTimestamps: every timestamp the queues write, and the event's,
// comes from the store's clock.
func testClockedTimestamps(t *testing.T, c *Clock, s store.Store, _ func() store.Store) {
	t0 := micro(c.Now())
	m := MustCreateMerchant(t, s)
	ep := MustCreateWebhookEndpoint(t, s, m.ID)
	if !ep.CreatedAt.Equal(t0) {
		t.Errorf("endpoint created_at %v, want %v", ep.CreatedAt, t0)
	}
	d := MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, ""))[0]
	if !d.CreatedAt.Equal(t0) || !d.UpdatedAt.Equal(t0) {
		t.Errorf("document created_at %v, updated_at %v, want %v", d.CreatedAt, d.UpdatedAt, t0)
	}
	c.Advance(time.Second)
	tr := mustClaim(t, s, "w", 1)[0]
	if want := t0.Add(time.Second); !tr.Document.UpdatedAt.Equal(want) || !tr.LeaseUntil.Equal(want.Add(testLease)) {
		t.Errorf("claimed: updated_at %v, lease until %v; want %v and an hour later", tr.Document.UpdatedAt, tr.LeaseUntil, want)
	}
	log := allDeliveries(t, s, m.ID, ep.ID)
	if len(log) != 2 {
		t.Fatalf("%d deliveries, want 2", len(log))
	}
	for i, del := range log {
		want := t0.Add(time.Duration(i) * time.Second)
		if !del.CreatedAt.Equal(want) || !del.NextAttempt.Equal(want) {
			t.Errorf("delivery %d: created_at %v, next attempt %v; want %v", i, del.CreatedAt, del.NextAttempt, want)
		}
		if e := parseEvent(t, del); *e.Timestamp != want.Format(time.RFC3339) {
			t.Errorf("delivery %d: timestamp %s, want %s", i, *e.Timestamp, want.Format(time.RFC3339))
		}
	}
}

// testClockedLeaseExpires: a crashed worker's job is claimed again once the
// lease has passed on the store's clock, not before, with the next attempt;
// the stale worker's finish is refused and no second pending event is sent.
func testClockedLeaseExpires(t *testing.T, c *Clock, s store.Store, _ func() store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	ep := MustCreateWebhookEndpoint(t, s, m.ID)
	d := MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, ""))[0]
	crashed, err := s.ClaimTransmissions(ctx, "crashed", time.Minute, 10)
	if err != nil || len(crashed) != 1 {
		t.Fatalf("ClaimTransmissions: %d, %v", len(crashed), err)
	}
	c.Advance(30 * time.Second)
	if got := mustClaim(t, s, "other", 10); len(got) != 0 {
		t.Fatalf("claimed %+v while the lease holds", got)
	}
	c.Advance(30 * time.Second) // exactly at the lease's end: still held
	if got := mustClaim(t, s, "other", 10); len(got) != 0 {
		t.Fatalf("claimed %+v at the lease's last instant", got)
	}
	c.Advance(time.Microsecond)
	taken, err := s.ClaimTransmissions(ctx, "survivor", time.Minute, 10)
	if err != nil || len(taken) != 1 {
		t.Fatalf("ClaimTransmissions after the lease: %d, %v", len(taken), err)
	}
	tr := taken[0]
	if tr.JobID != crashed[0].JobID || tr.Attempt != 2 || !tr.LeaseUntil.Equal(micro(c.Now()).Add(time.Minute)) {
		t.Errorf("taken over: job %d attempt %d lease until %v; want job %d, attempt 2, a minute from now",
			tr.JobID, tr.Attempt, tr.LeaseUntil, crashed[0].JobID)
	}
	wantErrIs(t, "FinishTransmission by the crashed worker",
		s.FinishTransmission(ctx, crashed[0], store.Outcome{Status: invoicing.EStatusSent}), store.ErrConflict)
	// A lease that passed without anyone taking the job over still lets
	// its holder finish: the work was done and nobody else did it.
	c.Advance(2 * time.Minute)
	mustFinish(t, s, tr, store.Outcome{Status: invoicing.EStatusSent})
	wantTransitions(t, s, m.ID, ep.ID, d.ID, "->new", "new->pending", "pending->sent")
}

// testClockedRetryAt: a job waiting for a retry is due at RetryAt on the
// store's clock, not before.
func testClockedRetryAt(t *testing.T, c *Clock, s store.Store, _ func() store.Store) {
	m := MustCreateMerchant(t, s)
	MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, ""))
	tr := mustClaim(t, s, "w", 1)[0]
	retryAt := c.Now().Add(5 * time.Minute)
	mustFinish(t, s, tr, store.Outcome{Status: invoicing.EStatusPending, Reason: "timeout", RetryAt: retryAt})
	c.Advance(5*time.Minute - time.Second)
	if got := mustClaim(t, s, "w", 1); len(got) != 0 {
		t.Fatalf("claimed %+v before RetryAt", got)
	}
	c.Advance(time.Second)
	got := mustClaim(t, s, "w", 1)
	if len(got) != 1 || got[0].Attempt != 2 || got[0].Document.Status != invoicing.EStatusPending {
		t.Fatalf("at RetryAt: claimed %+v, want the job, attempt 2, pending", got)
	}
	wantPending(t, s, 1)
}

// testClockedDeliveries: a delivery's lease and its retry time follow the
// store's clock like a transmission's.
func testClockedDeliveries(t *testing.T, c *Clock, s store.Store, _ func() store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	ep := MustCreateWebhookEndpoint(t, s, m.ID)
	MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, ""))
	crashed, err := s.ClaimWebhookDeliveries(ctx, "crashed", 30*time.Second, 10)
	if err != nil || len(crashed) != 1 || !crashed[0].LeaseUntil.Equal(micro(c.Now()).Add(30*time.Second)) {
		t.Fatalf("ClaimWebhookDeliveries: %+v, %v", crashed, err)
	}
	c.Advance(30 * time.Second)
	if got := mustClaimDeliveries(t, s, "w", 10); len(got) != 0 {
		t.Fatalf("claimed %+v while the lease holds", got)
	}
	c.Advance(time.Second)
	taken := mustClaimDeliveries(t, s, "w", 10)
	if len(taken) != 1 || taken[0].ID != crashed[0].ID || taken[0].Attempts != 0 {
		t.Fatalf("after the lease: claimed %+v, want the delivery, no attempt recorded", taken)
	}
	wantErrIs(t, "FinishWebhookDelivery by the crashed worker",
		s.FinishWebhookDelivery(ctx, crashed[0], store.WebhookResult{Delivered: true}), store.ErrConflict)
	retryAt := c.Now().Add(2 * time.Minute)
	mustFinishDelivery(t, s, taken[0], store.WebhookResult{StatusCode: 500, Error: "boom", RetryAt: retryAt})
	c.Advance(time.Minute)
	if got := mustClaimDeliveries(t, s, "w", 10); len(got) != 0 {
		t.Fatalf("claimed %+v before its retry time", got)
	}
	c.Advance(time.Minute)
	again := mustClaimDeliveries(t, s, "w", 10)
	if len(again) != 1 || again[0].Attempts != 1 || !again[0].NextAttempt.Equal(micro(retryAt)) {
		t.Fatalf("at the retry time: claimed %+v", again)
	}
	mustFinishDelivery(t, s, again[0], store.WebhookResult{StatusCode: 500, Error: "boom again"})
	c.Advance(24 * time.Hour)
	if got := mustClaimDeliveries(t, s, "w", 10); len(got) != 0 {
		t.Fatalf("claimed %+v after giving up", got)
	}
	if got := allDeliveries(t, s, m.ID, ep.ID)[0]; !got.GaveUp || got.Delivered || got.Attempts != 2 || got.LastError != "boom again" {
		t.Errorf("after giving up: %+v", got)
	}
}

// testClockedRestart stops a store with work in every state (queued, leased
// by a worker that dies with the process, waiting for a retry; deliveries
// queued and leased) and starts it again: nothing is lost, what was queued
// is claimable at once, and what the dead process held once its lease ends.
func testClockedRestart(t *testing.T, c *Clock, s store.Store, reopen func() store.Store) {
	m := MustCreateMerchant(t, s)
	ep := MustCreateWebhookEndpoint(t, s, m.ID)
	docs := MustCreateEDocuments(t, s, m.ID,
		MinimalEDocument(invoicing.KindInvoice, ""), MinimalEDocument(invoicing.KindInvoice, ""),
		MinimalEDocument(invoicing.KindInvoice, ""), MinimalEDocument(invoicing.KindInvoice, ""),
		MinimalEDocument(invoicing.KindCreditNote, ""))
	held, err := s.ClaimTransmissions(t.Context(), "dead", time.Minute, 3)
	if err != nil || len(held) != 3 {
		t.Fatalf("ClaimTransmissions: %d, %v", len(held), err)
	}
	mustFinish(t, s, held[0], store.Outcome{Status: invoicing.EStatusSent, UBL: []byte("<Invoice/>")})
	mustFinish(t, s, held[1], store.Outcome{Status: invoicing.EStatusPending, Reason: "timeout", RetryAt: c.Now().Add(10 * time.Minute)})
	heldDeliveries, err := s.ClaimWebhookDeliveries(t.Context(), "dead", time.Minute, 2)
	if err != nil || len(heldDeliveries) != 2 {
		t.Fatalf("ClaimWebhookDeliveries: %d, %v", len(heldDeliveries), err)
	}
	logBefore := allDeliveries(t, s, m.ID, ep.ID)
	wantPending(t, s, 4)

	s = reopen()
	wantPending(t, s, 4)
	for _, d := range docs {
		MustGetEDocument(t, s, m.ID, d.ID)
	}
	wantEqual(t, "the delivery log after the restart", logBefore, allDeliveries(t, s, m.ID, ep.ID))
	if ubl, err := s.EDocumentUBL(t.Context(), m.ID, docs[0].ID); err != nil || string(ubl) != "<Invoice/>" {
		t.Errorf("UBL after the restart: %q, %v", ubl, err)
	}
	// Queued before: claimable at once.
	now := mustClaim(t, s, "new", 10)
	wantIDs(t, "claimed at once after the restart", []int64{docs[3].ID, docs[4].ID}, ids(now, transmissionDocID))
	deliveries := mustClaimDeliveries(t, s, "new", 100)
	// All but the two held, and the two pending events of the claims.
	if len(deliveries) != len(logBefore) {
		t.Errorf("claimed %d deliveries at once, want %d", len(deliveries), len(logBefore))
	}
	// Held by the dead process: claimable once its lease is over.
	c.Advance(time.Minute + time.Microsecond)
	late := mustClaim(t, s, "new", 10)
	if len(late) != 1 || late[0].JobID != held[2].JobID || late[0].Attempt != 2 {
		t.Fatalf("claimed after the dead lease: %+v, want the held job, attempt 2", late)
	}
	lateDeliveries := mustClaimDeliveries(t, s, "new", 100)
	wantIDs(t, "deliveries after the dead lease", ids(heldDeliveries, deliveryID), ids(lateDeliveries, deliveryID))
	// Waiting for its retry: claimable then.
	c.Advance(10 * time.Minute)
	retried := mustClaim(t, s, "new", 10)
	if len(retried) != 1 || retried[0].JobID != held[1].JobID || retried[0].Attempt != 2 {
		t.Fatalf("claimed at the retry time: %+v, want the waiting job, attempt 2", retried)
	}
	for _, tr := range append(append(now, late...), retried...) {
		mustFinish(t, s, tr, store.Outcome{Status: invoicing.EStatusSent})
	}
	wantPending(t, s, 0)
	list, err := s.ListEDocuments(t.Context(), m.ID, store.EDocumentListOptions{Status: invoicing.EStatusSent, Limit: 100})
	if err != nil {
		t.Fatalf("ListEDocuments: %v", err)
	}
	wantIDs(t, "sent in the end", ids(docs, eDocumentID), ids(list, eDocumentID))
}
