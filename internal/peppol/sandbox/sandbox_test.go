package sandbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/vatgate/vatgate/internal/peppol/transport"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const ubl = `<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>INV-1</ID></Invoice>`

func msg(id, receiver string) transport.Message {
	return transport.Message{
		MessageID:    id,
		Sender:       transport.Participant{Scheme: "0192", ID: "810305042"},
		Receiver:     transport.Participant{Scheme: "0192", ID: receiver},
		DocumentType: transport.DocTypeInvoice,
		Process:      transport.ProcessBilling,
		UBL:          []byte(ubl),
	}
}

// outcome is what a receipt says at some time after the accepting send.
type outcome struct {
	after  time.Duration
	status string
	reason string
	again  time.Duration // ReceiptAfter
}

func TestRules(t *testing.T) {
	const d = 2 * time.Second
	sent := func(after time.Duration, again time.Duration) outcome {
		return outcome{after: after, status: transport.StatusSent, again: again}
	}
	delivered := func(after time.Duration) outcome {
		return outcome{after: after, status: transport.StatusDelivered}
	}
	transient := "transient: "
	tests := []struct {
		receiver string
		attempts []string // errors of the attempts before the accepting one
		refused  string   // permanent error: never accepted
		receipts []outcome
	}{
		{receiver: "100000000", receipts: []outcome{sent(0, d), sent(d-time.Millisecond, time.Millisecond), delivered(d), delivered(time.Hour)}},
		{receiver: "DE123456789", receipts: []outcome{sent(0, d), delivered(d)}},
		{receiver: "PE001", receipts: []outcome{delivered(d)}},
		{receiver: "12379", receipts: []outcome{delivered(d)}},
		{receiver: "12380", receipts: []outcome{delivered(d)}},
		{receiver: "12389", receipts: []outcome{sent(0, d), delivered(d)}},
		{receiver: "12390", receipts: []outcome{sent(d, 9*d), sent(10*d-time.Millisecond, time.Millisecond), delivered(10 * d)}},
		{receiver: "12394", receipts: []outcome{sent(0, 10*d), delivered(10 * d)}},
		{receiver: "12395", receipts: []outcome{sent(0, 0), sent(d, 0), sent(365*24*time.Hour, 0)}},
		{receiver: "12396", attempts: []string{transient + ReasonTimeout}, receipts: []outcome{sent(0, d), delivered(d)}},
		{receiver: "12397", attempts: []string{transient + ReasonUnavailable + " (attempt 1)", transient + ReasonUnavailable + " (attempt 2)"}, receipts: []outcome{sent(0, d), delivered(d)}},
		{receiver: "12398", refused: ReasonUnknownParticipant},
		{receiver: "12399", receipts: []outcome{sent(0, d), sent(d-time.Millisecond, time.Millisecond),
			{after: d, status: transport.StatusRejected, reason: ReasonRejected}}},
		{receiver: "ACME", receipts: []outcome{sent(0, d), delivered(d)}},
		{receiver: "12A", receipts: []outcome{delivered(d)}},
		{receiver: "A9", receipts: []outcome{delivered(d)}},
		{receiver: "9", receipts: []outcome{delivered(d)}},
	}
	for _, tt := range tests {
		t.Run(tt.receiver, func(t *testing.T) {
			clk := newClock()
			n := New(Options{DeliveryDelay: d, Timeout: 5 * time.Millisecond, Clock: clk.Now})
			id := "msg-" + tt.receiver
			m := msg(id, tt.receiver)
			for i, want := range tt.attempts {
				_, err := n.Send(context.Background(), m)
				if got := describe(err); got != want {
					t.Fatalf("attempt %d: %s, want %s", i+1, got, want)
				}
			}
			res, err := n.Send(context.Background(), m)
			if tt.refused != "" {
				if got := describe(err); got != "permanent: "+tt.refused {
					t.Fatalf("send: %s, want permanent: %s", got, tt.refused)
				}
				if _, err := n.Receipt(context.Background(), id); !errors.As(err, new(*transport.PermanentError)) {
					t.Errorf("receipt of a refused message: %v, want a permanent error", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("accepting send: %v", err)
			}
			if res.Status != transport.StatusSent || !strings.HasPrefix(res.APMessageID, "sbx1-") {
				t.Fatalf("accepting send = %+v", res)
			}
			if got := n.Sends(id); got != len(tt.attempts)+1 {
				t.Errorf("Sends = %d, want %d", got, len(tt.attempts)+1)
			}
			start := clk.Now()
			for _, want := range tt.receipts {
				clk.Set(start.Add(want.after))
				// By our message id and by the access point's: the same answer.
				for _, key := range []string{id, res.APMessageID} {
					got, err := n.Receipt(context.Background(), key)
					if err != nil {
						t.Fatalf("receipt at +%v: %v", want.after, err)
					}
					if got.Status != want.status || got.Reason != want.reason || got.ReceiptAfter != want.again || got.APMessageID != res.APMessageID {
						t.Errorf("receipt(%s) at +%v = %+v, want %s %q again in %v", key, want.after, got, want.status, want.reason, want.again)
					}
				}
			}
		})
	}
}

func describe(err error) string {
	var te *transport.TransientError
	var pe *transport.PermanentError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &te):
		return "transient: " + te.Reason
	case errors.As(err, &pe):
		return "permanent: " + pe.Reason
	default:
		return "unclassified: " + err.Error()
	}
}

func TestDuplicatesAreDropped(t *testing.T) {
	clk := newClock()
	n := New(Options{DeliveryDelay: time.Second, Clock: clk.Now})
	first, err := n.Send(context.Background(), msg("m1", "0001"))
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(300 * time.Millisecond)
	again, err := n.Send(context.Background(), msg("m1", "0001"))
	if err != nil {
		t.Fatal(err)
	}
	if again.APMessageID != first.APMessageID || again.Status != transport.StatusSent || again.ReceiptAfter != 700*time.Millisecond {
		t.Errorf("duplicate send = %+v, want the first transmission's state %+v, 700ms left", again, first)
	}
	clk.Advance(time.Second)
	late, err := n.Send(context.Background(), msg("m1", "0001"))
	if err != nil || late.Status != transport.StatusDelivered {
		t.Errorf("duplicate after delivery = %+v, %v; want delivered", late, err)
	}
	if _, err := n.Send(context.Background(), msg("m2", "0002")); err != nil {
		t.Fatal(err)
	}
	if got := n.Sends("m1"); got != 1 {
		t.Errorf("Sends(m1) = %d, want 1 (duplicates are dropped)", got)
	}
	if got := n.Sends("m2"); got != 1 {
		t.Errorf("Sends(m2) = %d, want 1", got)
	}
	if got := n.Sends("never-sent"); got != 0 {
		t.Errorf("Sends(never-sent) = %d", got)
	}
	if got := n.Duplicates(); got != 2 {
		t.Errorf("Duplicates = %d, want 2", got)
	}

	// The same message id for another receiver is a different document.
	_, err = n.Send(context.Background(), msg("m1", "0003"))
	if describe(err) != "permanent: message id m1 was already used for receiver 0192:0001" {
		t.Errorf("reused id: %v", err)
	}
}

func TestRestart(t *testing.T) {
	clk := newClock()
	before := New(Options{DeliveryDelay: time.Second, Clock: clk.Now})
	ids := map[string]string{}
	for _, r := range []string{"4711", "4790", "4795", "4799", "4797"} {
		m := msg("m-"+r, r)
		for {
			res, err := before.Send(context.Background(), m)
			if transport.IsTransient(err) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			ids[r] = res.APMessageID
			break
		}
	}

	// A new process: a new Network with nothing in memory.
	after := New(Options{DeliveryDelay: time.Second, Clock: clk.Now})
	clk.Advance(1500 * time.Millisecond)
	want := map[string]transport.Result{
		"4711": {Status: transport.StatusDelivered},
		"4790": {Status: transport.StatusSent, ReceiptAfter: 8500 * time.Millisecond},
		"4795": {Status: transport.StatusSent},
		"4799": {Status: transport.StatusRejected, Reason: ReasonRejected},
		"4797": {Status: transport.StatusDelivered},
	}
	for r, w := range want {
		w.APMessageID = ids[r]
		got, err := after.Receipt(context.Background(), ids[r])
		if err != nil || got != w {
			t.Errorf("receiver %s after restart: %+v, %v; want %+v", r, got, err, w)
		}
	}
	// Our own message id is not enough once memory is gone.
	if _, err := after.Receipt(context.Background(), "m-4711"); !errors.As(err, new(*transport.PermanentError)) {
		t.Errorf("receipt by our id after restart: %v, want a permanent error", err)
	}
	// Garbage that looks almost like a sandbox id.
	for _, id := range []string{"sbx1-x-1-m", "sbx1-d-abc-m", "sbx1-d-1-", "sbx2-d-1-m", "sbx1-d--5-m"} {
		if _, err := after.Receipt(context.Background(), id); !errors.As(err, new(*transport.PermanentError)) {
			t.Errorf("Receipt(%q): %v, want a permanent error", id, err)
		}
	}
}

func TestTimeoutHonoursContext(t *testing.T) {
	n := New(Options{Timeout: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := n.Send(ctx, msg("t1", "1296"))
	if describe(err) != "transient: "+ReasonTimeout || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("first send to a 96 receiver: %v", err)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("blocked %v, past the context deadline", el)
	}
	if res, err := n.Send(context.Background(), msg("t1", "1296")); err != nil || res.Status != transport.StatusSent {
		t.Errorf("second send: %+v, %v", res, err)
	}
}

func TestDefaultTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New(Options{})
		start := time.Now()
		_, err := n.Send(context.Background(), msg("t2", "96"))
		if describe(err) != "transient: "+ReasonTimeout {
			t.Errorf("send: %v", err)
		}
		if el := time.Since(start); el != DefaultTimeout {
			t.Errorf("blocked %v, want the default %v", el, DefaultTimeout)
		}
		// Default delivery delay, on the real (here: bubble) clock.
		res, err := n.Send(context.Background(), msg("t2", "96"))
		if err != nil || res.ReceiptAfter != DefaultDeliveryDelay {
			t.Fatalf("second send: %+v, %v", res, err)
		}
		time.Sleep(DefaultDeliveryDelay)
		if got, _ := n.Receipt(context.Background(), res.APMessageID); got.Status != transport.StatusDelivered {
			t.Errorf("after the default delay: %+v", got)
		}
	})
}

func TestInvalidMessage(t *testing.T) {
	n := New(Options{})
	m := msg("", "0001")
	if _, err := n.Send(context.Background(), m); !errors.As(err, new(*transport.PermanentError)) {
		t.Errorf("no message id: %v", err)
	}
	m = msg("x", "0001")
	m.DocumentType = transport.DocTypeCreditNote // the UBL is an Invoice
	if _, err := n.Send(context.Background(), m); !errors.As(err, new(*transport.PermanentError)) {
		t.Errorf("wrong root: %v", err)
	}
}

func TestConcurrentSends(t *testing.T) {
	n := New(Options{})
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			id := fmt.Sprintf("c%d", i%10)
			if _, err := n.Send(context.Background(), msg(id, "5550")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for i := range 10 {
		if got := n.Sends(fmt.Sprintf("c%d", i)); got != 1 {
			t.Errorf("Sends(c%d) = %d, want 1", i, got)
		}
	}
	if got := n.Duplicates(); got != 40 {
		t.Errorf("Duplicates = %d, want 40", got)
	}
}
