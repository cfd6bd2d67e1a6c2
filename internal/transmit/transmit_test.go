package transmit_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/peppol/sandbox"
	"github.com/vatgate/vatgate/internal/peppol/transport"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/store/storetest"
	"github.com/vatgate/vatgate/internal/testdb"
	"github.com/vatgate/vatgate/internal/transmit"
)

// TestSandboxRules drives one document per sandbox rule through the
// pipeline on each backend, end to end.
func TestSandboxRules(t *testing.T) {
	cases := []struct {
		name, rule string
		kind       invoicing.Kind
		want       invoicing.EStatus
		reason     string
		sends      int // transmissions the sandbox saw, failed ones included
		path       []string
	}{
		{"delivered", "01", invoicing.KindInvoice, invoicing.EStatusDelivered, "", 1,
			[]string{"->new", "new->pending", "pending->sent", "sent->delivered"}},
		{"credit note delivered", "42", invoicing.KindCreditNote, invoicing.EStatusDelivered, "", 1,
			[]string{"->new", "new->pending", "pending->sent", "sent->delivered"}},
		{"slow receiver", "90", invoicing.KindInvoice, invoicing.EStatusDelivered, "", 1,
			[]string{"->new", "new->pending", "pending->sent", "sent->delivered"}},
		{"rejected", "99", invoicing.KindInvoice, invoicing.EStatusRejected, sandbox.ReasonRejected, 1,
			[]string{"->new", "new->pending", "pending->sent", "sent->rejected"}},
		{"unknown participant", "98", invoicing.KindInvoice, invoicing.EStatusError, sandbox.ReasonUnknownParticipant, 1,
			[]string{"->new", "new->pending", "pending->error"}},
		{"transient twice", "97", invoicing.KindInvoice, invoicing.EStatusDelivered, "", 3,
			[]string{"->new", "new->pending", "pending->sent", "sent->delivered"}},
		{"timeout once", "96", invoicing.KindInvoice, invoicing.EStatusDelivered, "", 2,
			[]string{"->new", "new->pending", "pending->sent", "sent->delivered"}},
	}
	for _, b := range testdb.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			s := b.Open(t)
			net := testNetwork()
			m := storetest.MustCreateMerchant(t, s)
			ep := storetest.MustCreateWebhookEndpoint(t, s, m.ID)
			var docs []invoicing.EDocument
			for _, c := range cases {
				docs = append(docs, eDoc(c.kind, "R-"+c.rule, receiver(c.rule)))
			}
			never := eDoc(invoicing.KindInvoice, "R-95", receiver("95"))
			docs = storetest.MustCreateEDocuments(t, s, m.ID, append(docs, never)...)
			startWorker(t, &transmit.Worker{Store: s, Transport: net})

			for i, c := range cases {
				got := waitStatus(t, s, m.ID, docs[i].ID, c.want)
				if got.ErrorReason != c.reason {
					t.Errorf("%s: reason %q, want %q", c.name, got.ErrorReason, c.reason)
				}
				if got.MessageID != docs[i].MessageID {
					t.Errorf("%s: message id changed from %s to %s", c.name, docs[i].MessageID, got.MessageID)
				}
				if n := net.Sends(got.MessageID); n != c.sends {
					t.Errorf("%s: the sandbox saw %d transmissions, want %d", c.name, n, c.sends)
				}
				if p := transitions(t, s, m.ID, ep.ID, got.ID); !slices.Equal(p, c.path) {
					t.Errorf("%s: status changes %q, want %q", c.name, p, c.path)
				}
				if ubl, err := s.EDocumentUBL(t.Context(), m.ID, got.ID); err != nil || !bytes.Contains(ubl, []byte(got.Number)) {
					t.Errorf("%s: stored UBL %.80q, %v", c.name, ubl, err)
				}
			}
			// Never answered: sent, and nothing more is asked.
			waitNoJobs(t, s)
			if got := storetest.MustGetEDocument(t, s, m.ID, docs[len(cases)].ID); got.Status != invoicing.EStatusSent {
				t.Errorf("never answered: status %s, want sent", got.Status)
			}
			if net.Duplicates() != 0 {
				t.Errorf("the sandbox dropped %d duplicates, want none", net.Duplicates())
			}
		})
	}
}

// TestErrorRecovery: an unresolvable participant id ends in error with the
// reason; posting the number again, corrected, recovers the document,
// which then goes through.
func TestErrorRecovery(t *testing.T) {
	for _, b := range testdb.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			s := b.Open(t)
			net := testNetwork()
			m := storetest.MustCreateMerchant(t, s)
			w := startWorker(t, &transmit.Worker{Store: s, Transport: net})
			bad := eDoc(invoicing.KindInvoice, "INV-1", "PE001")
			bad.Customer.Country, bad.Customer.TaxNumber = "", ""
			first := storetest.MustCreateEDocuments(t, s, m.ID, bad)[0]
			w.Kick()
			failed := waitStatus(t, s, m.ID, first.ID, invoicing.EStatusError)
			if !strings.HasPrefix(failed.ErrorReason, `customer_peppol_id: participant id "PE001": no scheme given`) {
				t.Errorf("reason %q, want the customer id's resolution failure", failed.ErrorReason)
			}
			if net.Sends(first.MessageID) != 0 {
				t.Error("an unresolvable document reached the network")
			}

			results, err := s.CreateEDocuments(t.Context(), m.ID, []invoicing.EDocument{eDoc(invoicing.KindInvoice, "INV-1", receiver("01"))})
			if err != nil || results[0].Err != nil || !results[0].Updated {
				t.Fatalf("re-post: %+v, %v; want updated", results, err)
			}
			w.Kick()
			again := waitStatus(t, s, m.ID, first.ID, invoicing.EStatusDelivered)
			if again.MessageID == first.MessageID || again.ErrorReason != "" {
				t.Errorf("recovered: message id %s (was %s), reason %q; want a new id, no reason", again.MessageID, first.MessageID, again.ErrorReason)
			}
			if net.Sends(again.MessageID) != 1 {
				t.Errorf("the sandbox saw %d transmissions of the recovered document, want 1", net.Sends(again.MessageID))
			}
		})
	}
}

// TestUBLRefused: a document ubl.Generate refuses ends in error with the
// refusal as the reason, before any transmission.
func TestUBLRefused(t *testing.T) {
	s := testdb.SQLite(t)
	net := testNetwork()
	m := storetest.MustCreateMerchant(t, s)
	d := eDoc(invoicing.KindInvoice, "DE-1", "9930:DE123456701")
	d.Customer.Country, d.Customer.TaxNumber = "DEU", "DE123456701" // both German: DE-R-001/002 need more data
	d = storetest.MustCreateEDocuments(t, s, m.ID, d)[0]
	startWorker(t, &transmit.Worker{Store: s, Transport: net})
	got := waitStatus(t, s, m.ID, d.ID, invoicing.EStatusError)
	if !strings.Contains(got.ErrorReason, "DE-R-") || net.Sends(d.MessageID) != 0 {
		t.Errorf("reason %q, %d sends; want a DE-R refusal and none", got.ErrorReason, net.Sends(d.MessageID))
	}
}

// TestTwoWorkersShareAStore: two workers (two instances' owners) on two
// handles of one database transmit every document exactly once.
func TestTwoWorkersShareAStore(t *testing.T) {
	const n = 120
	for _, b := range testdb.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			s1, s2 := sharedStores(t, b)
			net := testNetwork()
			m := storetest.MustCreateMerchant(t, s1)
			var docs []invoicing.EDocument
			for i := 0; i < n; i += 40 {
				batch := make([]invoicing.EDocument, 40)
				for j := range batch {
					batch[j] = eDoc(invoicing.KindInvoice, "", receiver(fmt.Sprintf("%02d", (i+j)%90)))
				}
				docs = append(docs, storetest.MustCreateEDocuments(t, s1, m.ID, batch...)...)
			}
			a, b := &counting{Network: net}, &counting{Network: net}
			startWorker(t, &transmit.Worker{Store: s1, Transport: a, Owner: "instance-a", Workers: 3})
			startWorker(t, &transmit.Worker{Store: s2, Transport: b, Owner: "instance-b", Workers: 3})
			for _, d := range docs {
				waitStatus(t, s2, m.ID, d.ID, invoicing.EStatusDelivered)
				if got := net.Sends(d.MessageID); got != 1 {
					t.Errorf("%s: sent %d times, want once", d.Number, got)
				}
			}
			if net.Duplicates() != 0 {
				t.Errorf("%d duplicate sends, want none", net.Duplicates())
			}
			if a.sends.Load() == 0 || b.sends.Load() == 0 || a.sends.Load()+b.sends.Load() != n {
				t.Errorf("instance a sent %d, b %d; want both a share of %d", a.sends.Load(), b.sends.Load(), n)
			}
			waitNoJobs(t, s1)
		})
	}
}

// TestLeaseTakeover: a worker that died holding jobs (claimed, never
// finished) loses them when the lease runs out; a live worker takes them
// over and the dead one's late finish is refused.
func TestLeaseTakeover(t *testing.T) {
	for _, b := range testdb.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			s := b.Open(t)
			net := testNetwork()
			m := storetest.MustCreateMerchant(t, s)
			docs := storetest.MustCreateEDocuments(t, s, m.ID,
				eDoc(invoicing.KindInvoice, "L-1", receiver("01")), eDoc(invoicing.KindInvoice, "L-2", receiver("02")))
			dead, err := s.ClaimTransmissions(t.Context(), "dead-instance", 500*time.Millisecond, 10)
			if err != nil || len(dead) != 2 {
				t.Fatalf("claim: %d, %v", len(dead), err)
			}
			claimed := time.Now()
			startWorker(t, &transmit.Worker{Store: s, Transport: net, Owner: "survivor"})
			for _, d := range docs {
				waitStatus(t, s, m.ID, d.ID, invoicing.EStatusSent)
			}
			if e := time.Since(claimed); e < 500*time.Millisecond {
				t.Errorf("taken over after %v, before the lease ran out", e)
			}
			for _, d := range docs {
				waitStatus(t, s, m.ID, d.ID, invoicing.EStatusDelivered)
				if net.Sends(d.MessageID) != 1 {
					t.Errorf("%s sent %d times", d.Number, net.Sends(d.MessageID))
				}
			}
			err = s.FinishTransmission(t.Context(), dead[0], store.Outcome{Status: invoicing.EStatusError, Reason: "late"})
			if !errors.Is(err, store.ErrConflict) {
				t.Errorf("the dead worker's finish: %v, want ErrConflict", err)
			}
		})
	}
}

// TestLostJobMovesOn: an answer by message id that arrives while a send is
// in flight ends the job; the worker's finish is refused, and the worker
// goes on with the next job.
func TestLostJobMovesOn(t *testing.T) {
	s := testdb.SQLite(t)
	g := newGate(testNetwork())
	m := storetest.MustCreateMerchant(t, s)
	d := storetest.MustCreateEDocuments(t, s, m.ID, eDoc(invoicing.KindInvoice, "G-1", receiver("01")))[0]
	startWorker(t, &transmit.Worker{Store: s, Transport: g, Workers: 1})
	<-g.started
	if err := s.SetStatusByMessageID(t.Context(), d.MessageID, invoicing.EStatusDelivered, ""); err != nil {
		t.Fatal(err)
	}
	close(g.release)
	next := storetest.MustCreateEDocuments(t, s, m.ID, eDoc(invoicing.KindInvoice, "G-2", receiver("02")))[0]
	waitStatus(t, s, m.ID, next.ID, invoicing.EStatusDelivered)
	if got := storetest.MustGetEDocument(t, s, m.ID, d.ID); got.Status != invoicing.EStatusDelivered {
		t.Errorf("G-1: %s, want the answer's delivered", got.Status)
	}
}

// TestGracefulStop: stopping the worker mid-send lets the send finish and
// records its outcome; a job claimed but not started goes back, due at once
// for another worker, unsent; nothing more is claimed.
func TestGracefulStop(t *testing.T) {
	s := testdb.SQLite(t)
	g := newGate(testNetwork())
	m := storetest.MustCreateMerchant(t, s)
	d := storetest.MustCreateEDocuments(t, s, m.ID, eDoc(invoicing.KindInvoice, "S-1", receiver("01")))[0]
	w := &transmit.Worker{Store: s, Transport: g, Workers: 1, Batch: 2, PollEvery: 20 * time.Millisecond, Logger: testLogger(t)}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- w.Run(ctx) }()
	<-g.started
	// S-2 is claimed into the queue while S-1's send hangs.
	queued := storetest.MustCreateEDocuments(t, s, m.ID, eDoc(invoicing.KindInvoice, "S-2", receiver("02")))[0]
	waitStatus(t, s, m.ID, queued.ID, invoicing.EStatusPending)
	cancel()
	later := storetest.MustCreateEDocuments(t, s, m.ID, eDoc(invoicing.KindInvoice, "S-3", receiver("03")))[0]
	select {
	case <-stopped:
		t.Fatal("Run returned with a send in flight")
	case <-time.After(100 * time.Millisecond):
	}
	close(g.release)
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(waitFor):
		t.Fatal("Run did not return after the send finished")
	}
	if got := storetest.MustGetEDocument(t, s, m.ID, d.ID); got.Status != invoicing.EStatusSent {
		t.Errorf("the send in flight: %s, want sent", got.Status)
	}
	if g.Sends(queued.MessageID) != 0 {
		t.Error("the queued job was sent after the stop")
	}
	if got := storetest.MustGetEDocument(t, s, m.ID, later.ID); got.Status != invoicing.EStatusNew {
		t.Errorf("stored after the stop: %s, want new (not claimed)", got.Status)
	}
	// Both are due at once for another worker; S-2 with its second attempt.
	trs, err := s.ClaimTransmissions(t.Context(), "next-instance", time.Minute, 10)
	attempts := map[string]int{}
	for _, tr := range trs {
		attempts[tr.Document.Number] = tr.Attempt
	}
	if err != nil || len(trs) != 2 || attempts["S-2"] != 2 || attempts["S-3"] != 1 {
		t.Fatalf("claimed after the stop: attempts %v, %v; want S-2 (attempt 2) and S-3", attempts, err)
	}
}

// TestRetryIdenticalBytes: every retry of a document sends the same
// message: id, participants, creation time and UBL bytes.
func TestRetryIdenticalBytes(t *testing.T) {
	s := testdb.SQLite(t)
	m := storetest.MustCreateMerchant(t, s)
	var calls int
	tr := &scripted{send: func(transport.Message) (transport.Result, error) {
		calls++
		if calls < 4 {
			return transport.Result{}, &transport.TransientError{Reason: fmt.Sprintf("503 (%d)", calls)}
		}
		return transport.Result{Status: transport.StatusSent, APMessageID: "ap-1"}, nil
	}}
	d := storetest.MustCreateEDocuments(t, s, m.ID, eDoc(invoicing.KindCreditNote, "CN-1", receiver("01")))[0]
	startWorker(t, &transmit.Worker{Store: s, Transport: tr})
	waitStatus(t, s, m.ID, d.ID, invoicing.EStatusSent)
	sends := tr.sent()
	if len(sends) != 4 {
		t.Fatalf("%d sends, want 4", len(sends))
	}
	for i, msg := range sends {
		if msg.MessageID != d.MessageID || !msg.CreatedAt.Equal(d.CreatedAt) || msg.DocumentType != transport.DocTypeCreditNote ||
			msg.Receiver != (transport.Participant{Scheme: "0106", ID: "12345601"}) || msg.Sender != (transport.Participant{Scheme: "9930", ID: "DE123456789"}) ||
			msg.SenderCountry != "DE" || msg.Process != transport.ProcessBilling {
			t.Errorf("send %d: %+v", i, msg)
		}
		if !bytes.Equal(msg.UBL, sends[0].UBL) {
			t.Errorf("send %d: UBL differs from the first send's", i)
		}
	}
	// Answers by the access point's id land.
	if err := s.SetStatusByMessageID(t.Context(), "ap-1", invoicing.EStatusDelivered, ""); err != nil {
		t.Fatal(err)
	}
}

// TestGiveUpAfterWindow: a document whose sends keep failing transiently
// ends in error once a retry would fall outside the 72h window from its
// first attempt; the reason counts the attempts.
func TestGiveUpAfterWindow(t *testing.T) {
	c := storetest.NewClock(time.Date(2031, 1, 1, 9, 0, 0, 0, time.UTC))
	s := clockedSQLite(t, c)
	m := storetest.MustCreateMerchant(t, s)
	var mu sync.Mutex
	calls := 0
	tr := &scripted{send: func(transport.Message) (transport.Result, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		return transport.Result{}, transport.Transient("access point down")
	}}
	d := storetest.MustCreateEDocuments(t, s, m.ID, eDoc(invoicing.KindInvoice, "W-1", receiver("01")))[0]
	startWorker(t, &transmit.Worker{Store: s, Transport: tr, Clock: c.Now, Rand: func() float64 { return 0.5 }})
	waitAttempts := func(n int) {
		t.Helper()
		deadline := time.Now().Add(waitFor)
		for {
			mu.Lock()
			got := calls
			mu.Unlock()
			if got >= n {
				time.Sleep(200 * time.Millisecond) // let the outcome be recorded
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d attempts, want %d", got, n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	// Retries fall due on the test clock only: half the backoff ceiling
	// after each failure (1s, then 2s).
	waitAttempts(1)
	c.Advance(71 * time.Hour)
	waitAttempts(2)
	if got := storetest.MustGetEDocument(t, s, m.ID, d.ID); got.Status != invoicing.EStatusPending {
		t.Fatalf("inside the window: %s, want pending", got.Status)
	}
	c.Advance(2 * time.Hour)
	got := waitStatus(t, s, m.ID, d.ID, invoicing.EStatusError)
	if want := "gave up after 3 attempts over 72h: access point down"; got.ErrorReason != want {
		t.Errorf("reason %q, want %q", got.ErrorReason, want)
	}
	mu.Lock()
	if calls != 3 {
		t.Errorf("%d attempts, want 3", calls)
	}
	mu.Unlock()
	waitNoJobs(t, s)
}

// TestReceiptChecks: receipt checks ask by the access point's id, ask
// again when told to, stop when told no answer will come, and give up
// RetryWindow after the send, leaving the document sent.
func TestReceiptChecks(t *testing.T) {
	c := storetest.NewClock(time.Date(2031, 1, 1, 9, 0, 0, 0, time.UTC))
	s := clockedSQLite(t, c)
	m := storetest.MustCreateMerchant(t, s)
	var mu sync.Mutex
	answers := map[string][]transport.Result{} // by access point id, in order; the last repeats
	tr := &scripted{
		send: func(msg transport.Message) (transport.Result, error) {
			return transport.Result{Status: transport.StatusSent, APMessageID: "ap-" + msg.MessageID, ReceiptAfter: time.Minute}, nil
		},
		receipt: func(id string) (transport.Result, error) {
			mu.Lock()
			defer mu.Unlock()
			rs := answers[id]
			if len(rs) == 0 {
				return transport.Result{}, transport.Permanent("unknown id " + id)
			}
			r := rs[0]
			if len(rs) > 1 {
				answers[id] = rs[1:]
			}
			if r.Status == "" {
				return transport.Result{}, transport.Transient("receipt service down")
			}
			return r, nil
		},
	}
	docs := storetest.MustCreateEDocuments(t, s, m.ID,
		eDoc(invoicing.KindInvoice, "A-1", receiver("01")), // not yet, failure, then delivered
		eDoc(invoicing.KindInvoice, "A-2", receiver("02")), // no answer will come
		eDoc(invoicing.KindInvoice, "A-3", receiver("03")), // never answers: give up after 72h
		eDoc(invoicing.KindInvoice, "A-4", receiver("04")), // rejected
	)
	mu.Lock()
	answers["ap-"+docs[0].MessageID] = []transport.Result{
		{Status: transport.StatusSent, ReceiptAfter: time.Minute}, {}, {Status: transport.StatusDelivered}}
	answers["ap-"+docs[1].MessageID] = []transport.Result{{Status: transport.StatusSent}}
	answers["ap-"+docs[2].MessageID] = []transport.Result{{Status: transport.StatusSent, ReceiptAfter: 30 * time.Hour}}
	answers["ap-"+docs[3].MessageID] = []transport.Result{{Status: transport.StatusRejected, Reason: "wrong buyer"}}
	mu.Unlock()
	startWorker(t, &transmit.Worker{Store: s, Transport: tr, Clock: c.Now, Rand: func() float64 { return 0 }})
	for _, d := range docs {
		waitStatus(t, s, m.ID, d.ID, invoicing.EStatusSent)
	}
	for range 4 {
		c.Advance(time.Minute)
		time.Sleep(150 * time.Millisecond)
	}
	waitStatus(t, s, m.ID, docs[0].ID, invoicing.EStatusDelivered)
	if got := waitStatus(t, s, m.ID, docs[3].ID, invoicing.EStatusRejected); got.ErrorReason != "wrong buyer" {
		t.Errorf("rejected: reason %q", got.ErrorReason)
	}
	// A-2's check ended at once; A-3's is due again in 30h, and again
	// until 72h after the send.
	if n, _ := s.PendingTransmissions(t.Context()); n != 1 {
		t.Errorf("%d jobs, want A-3's receipt check", n)
	}
	// Each step waits for the ask it causes, so no clock move overtakes one.
	a3 := "ap-" + docs[2].MessageID
	waitAsked(t, tr, a3, 1)
	c.Advance(30 * time.Hour)
	waitAsked(t, tr, a3, 2)
	c.Advance(30 * time.Hour)
	waitAsked(t, tr, a3, 3)
	waitNoJobs(t, s)
	c.Advance(30 * time.Hour)
	time.Sleep(150 * time.Millisecond)
	for _, d := range docs[1:3] {
		if got := storetest.MustGetEDocument(t, s, m.ID, d.ID); got.Status != invoicing.EStatusSent {
			t.Errorf("%s: %s, want sent", d.Number, got.Status)
		}
	}
	tr.mu.Lock()
	asked := slices.Clone(tr.asked)
	tr.mu.Unlock()
	for _, id := range asked {
		if !strings.HasPrefix(id, "ap-") {
			t.Errorf("asked for a receipt by %q, want the access point's id", id)
		}
	}
	// A-3 was asked at +1m, +30h1m, +60h1m; +90h1m is past the window.
	if n := countOf(asked, "ap-"+docs[2].MessageID); n != 3 {
		t.Errorf("A-3 was asked %d times, want 3", n)
	}
}

// waitAsked waits until the transport was asked for id's receipt n times.
func waitAsked(t *testing.T, tr *scripted, id string, n int) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		tr.mu.Lock()
		got := countOf(tr.asked, id)
		tr.mu.Unlock()
		if got >= n {
			time.Sleep(50 * time.Millisecond) // let the outcome be recorded
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("asked for %s %d times, want %d", id, got, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func countOf(xs []string, x string) int {
	n := 0
	for _, v := range xs {
		if v == x {
			n++
		}
	}
	return n
}

// TestReceiptCheckWithoutAPIDResends: a receipt check with no access point
// message id, whose transport refuses to answer by our message id (the
// sandbox after a restart), does not stop and strand the document in
// sent: it sends the document again with the same message id and the same
// bytes, then asks by the access point id that send returned. A resend
// that again brings no access point id stops the checks, so it never
// resends without end.
func TestReceiptCheckWithoutAPIDResends(t *testing.T) {
	c := storetest.NewClock(time.Date(2031, 1, 1, 9, 0, 0, 0, time.UTC))
	s := clockedSQLite(t, c)
	m := storetest.MustCreateMerchant(t, s)
	var mu sync.Mutex
	sends := map[string]int{}
	tr := &scripted{
		send: func(msg transport.Message) (transport.Result, error) {
			mu.Lock()
			defer mu.Unlock()
			sends[msg.MessageID]++
			res := transport.Result{Status: transport.StatusSent, ReceiptAfter: time.Minute}
			// B-1's access point gives its id from the second send on;
			// B-2's never does.
			if strings.HasSuffix(msg.Receiver.ID, "01") && sends[msg.MessageID] > 1 {
				res.APMessageID = "ap-" + msg.MessageID
			}
			return res, nil
		},
		receipt: func(id string) (transport.Result, error) {
			if strings.HasPrefix(id, "ap-") {
				return transport.Result{Status: transport.StatusDelivered, APMessageID: id}, nil
			}
			return transport.Result{}, transport.Permanent("no accepted message " + id + " (ask by the access point message id)")
		},
	}
	docs := storetest.MustCreateEDocuments(t, s, m.ID,
		eDoc(invoicing.KindInvoice, "B-1", receiver("01")),
		eDoc(invoicing.KindInvoice, "B-2", receiver("02")),
	)
	startWorker(t, &transmit.Worker{Store: s, Transport: tr, Clock: c.Now, Rand: func() float64 { return 0 }})
	for _, d := range docs {
		waitStatus(t, s, m.ID, d.ID, invoicing.EStatusSent)
	}
	c.Advance(time.Minute) // the checks: each resends
	time.Sleep(150 * time.Millisecond)
	c.Advance(time.Minute) // B-1's next check asks by the access point id
	waitStatus(t, s, m.ID, docs[0].ID, invoicing.EStatusDelivered)
	waitNoJobs(t, s)
	if got := storetest.MustGetEDocument(t, s, m.ID, docs[1].ID); got.Status != invoicing.EStatusSent {
		t.Errorf("B-2: %s, want sent", got.Status)
	}
	sent := tr.sent()
	for _, d := range docs {
		var ubl [][]byte
		for _, msg := range sent {
			if msg.MessageID == d.MessageID {
				ubl = append(ubl, msg.UBL)
			}
		}
		if len(ubl) != 2 {
			t.Errorf("%s was sent %d times, want 2 (the send, the resend)", d.Number, len(ubl))
		} else if !bytes.Equal(ubl[0], ubl[1]) {
			t.Errorf("%s was sent again with other bytes", d.Number)
		}
	}
	tr.mu.Lock()
	asked := slices.Clone(tr.asked)
	tr.mu.Unlock()
	if n := countOf(asked, "ap-"+docs[0].MessageID); n != 1 {
		t.Errorf("B-1 was asked by the access point id %d times, want 1 (asked: %q)", n, asked)
	}
	if n := countOf(asked, docs[1].MessageID); n != 1 {
		t.Errorf("B-2 was asked by our message id %d times, want 1 (asked: %q)", n, asked)
	}
}
