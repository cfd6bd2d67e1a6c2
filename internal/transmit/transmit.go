// Package transmit is the e-document pipeline's worker: it claims queued
// transmissions from the store, turns each e-document into Peppol BIS UBL,
// hands it to a Peppol transport, and records what came of it.
//
// # The life of a job
//
// The API stores an e-document and queues its transmission in one
// transaction (store.EDocumentStore.CreateEDocuments). A Worker claims due
// jobs under a lease (the claim moves the document from new to pending) and
// for each:
//
//  1. resolves the supplier's and the customer's Peppol participant ids
//     (peppol.Resolve); an id that cannot be resolved ends the document in
//     error with that reason, which the documented error recovery (posting
//     the same number again, corrected) fixes;
//  2. generates the UBL (ubl.Generate, which runs vatgate's rule checks);
//     a refusal ends the document in error with the reason;
//  3. sends it (Transport.Send) with the document's stored message id, the
//     same on every retry, and a creation time fixed per document
//     (Document.CreatedAt), so a retry sends the same bytes and the access
//     point and the receiver can drop duplicates;
//  4. records the outcome (store.EDocumentStore.FinishTransmission):
//     sent (with the access point's message id), delivered or rejected;
//     error for a permanent failure; pending with a retry time for a
//     transient one.
//
// A transport that learns the receiver's answer when asked (the sandbox)
// answers "sent" with a ReceiptAfter: the document becomes sent and the job
// stays open as a receipt check, due then. Claimed again, it asks
// Transport.Receipt (by the access point's message id, else ours) and ends
// in delivered or rejected, or stays for a later check; it stops asking,
// leaving the document sent, when the transport says no answer will come
// or RetryWindow after the document was sent. An access point that reports
// answers by callback (the http transport) has the API apply them by
// message id instead.
//
// # Retries
//
// A transient failure is retried with exponential backoff and full jitter
// (transport.RetryAt): the first retry within RetryBase, the wait's ceiling
// doubling up to RetryMax. The retry window of transport.RetryWindow (72h)
// runs from the first attempt at the document's current message id, which
// the store gives as the claimed document's UpdatedAt (the claim that moved
// it to pending; retries leave it alone). Past the window the document ends
// in error: "gave up after N attempts over 72h: <last reason>".
//
// # Several workers
//
// Every instance runs one Worker (or none: an API-only instance); their
// claims never overlap (the store leases jobs, FOR UPDATE SKIP LOCKED on
// PostgreSQL), and a worker that dies loses its jobs when the lease runs
// out. A worker whose lease was taken over, or whose job an answer by
// message id ended meanwhile, finds its finish refused (store.ErrConflict)
// and moves on. A send is bounded by half the lease, so a live worker
// finishes before anyone may take its job.
package transmit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	randv2 "math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/iso"
	"github.com/vatgate/vatgate/internal/metrics"
	"github.com/vatgate/vatgate/internal/peppol"
	"github.com/vatgate/vatgate/internal/peppol/transport"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/ubl"
)

// Store is what the worker needs of the store.
type Store interface {
	ClaimTransmissions(ctx context.Context, owner string, lease time.Duration, limit int) ([]store.Transmission, error)
	FinishTransmission(ctx context.Context, t store.Transmission, out store.Outcome) error
}

// Transport moves documents onto the Peppol network (package sandbox, or
// package accesspoint for the http transport).
type Transport interface {
	Name() string
	Send(ctx context.Context, m transport.Message) (transport.Result, error)
	Receipt(ctx context.Context, messageID string) (transport.Result, error)
}

// Defaults for Worker's zero fields.
const (
	DefaultWorkers   = 4
	DefaultLease     = 2 * time.Minute
	DefaultPollEvery = time.Second
)

// finishTimeout bounds recording an outcome, which runs even while the
// worker stops: the send happened, its outcome must not be lost.
const finishTimeout = 30 * time.Second

// Worker drives the pipeline. Set the fields, then call Run; Kick may be
// called from any goroutine at any time.
type Worker struct {
	Store     Store
	Transport Transport
	// Owner names this worker in leases; DefaultOwner() when empty.
	Owner string
	// Workers is how many jobs run at once (default 4).
	Workers int
	// Lease is how long a claim is this worker's alone (default 2m); a
	// send or receipt check is given half of it.
	Lease time.Duration
	// Batch is the most jobs claimed at once (default Workers); never
	// more than the free goroutines, so no claimed job waits on a lease.
	Batch int
	// PollEvery is how often the queue is looked at when nothing woke the
	// worker (default 1s): jobs queued by other instances, retries and
	// receipt checks falling due.
	PollEvery time.Duration
	// Clock is the time source for retry and receipt times (default
	// time.Now); it should be the store's.
	Clock func() time.Time
	// Rand returns a float in [0, 1) for the retry jitter (default
	// math/rand/v2).
	Rand   func() float64
	Logger *slog.Logger // default slog.Default()

	once sync.Once
	kick chan struct{}
}

// DefaultOwner is a lease owner name unique to this process: the host
// name, the process id and a random suffix (a pid is reused after a
// restart, and containers all have pid 1).
func DefaultOwner() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "vatgate"
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}

func (w *Worker) init() {
	w.once.Do(func() {
		w.kick = make(chan struct{}, 1)
		if w.Owner == "" {
			w.Owner = DefaultOwner()
		}
		if w.Workers <= 0 {
			w.Workers = DefaultWorkers
		}
		if w.Lease <= 0 {
			w.Lease = DefaultLease
		}
		if w.Batch <= 0 || w.Batch > w.Workers {
			w.Batch = w.Workers
		}
		if w.PollEvery <= 0 {
			w.PollEvery = DefaultPollEvery
		}
		if w.Clock == nil {
			w.Clock = time.Now
		}
		if w.Rand == nil {
			w.Rand = randv2.Float64
		}
		if w.Logger == nil {
			w.Logger = slog.Default()
		}
	})
}

// Kick wakes the worker to look at the queue now, e.g. right after the API
// stored documents. It never blocks.
func (w *Worker) Kick() {
	w.init()
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// done is what a finished job tells the claiming loop: when the job is due
// again (zero when it ended or is not this worker's to watch).
type done struct{ dueAgain time.Time }

// Run works the queue until ctx is cancelled, then stops claiming, lets the
// jobs in flight finish (their sends and the recording of their outcomes
// do not see ctx's cancellation; a send is bounded by half the lease) and
// returns. It returns an error only for a misconfigured worker.
func (w *Worker) Run(ctx context.Context) error {
	w.init()
	if w.Store == nil || w.Transport == nil {
		return errors.New("transmit: a worker needs a store and a transport")
	}
	w.Logger.Info("transmission worker started", "owner", w.Owner, "transport", w.Transport.Name(), "workers", w.Workers)
	var wg sync.WaitGroup
	finished := make(chan done, w.Workers)
	busy := 0
	var wake time.Time // the soonest a job this worker finished is due again
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		// Count the jobs that finished meanwhile.
		for drained := false; !drained; {
			select {
			case d := <-finished:
				busy--
				wake = soonest(wake, d.dueAgain)
			default:
				drained = true
			}
		}
		if ctx.Err() != nil {
			break
		}
		full := false // the claim took all it asked for: more may be due
		if free := w.Workers - busy; free > 0 {
			limit := min(free, w.Batch)
			trs, err := w.Store.ClaimTransmissions(ctx, w.Owner, w.Lease, limit)
			if err != nil && ctx.Err() == nil {
				w.Logger.Error("claiming transmissions", "err", err)
			}
			for _, t := range trs {
				busy++
				wg.Go(func() {
					finished <- done{dueAgain: w.process(ctx, t)}
				})
			}
			full = err == nil && len(trs) == limit
		}
		if full && busy < w.Workers {
			continue
		}
		// Sleep until woken, a job is due or polling time.
		next := w.PollEvery
		if !wake.IsZero() {
			if until := wake.Sub(w.Clock()); until < next {
				next = max(until, 0)
			}
			wake = time.Time{}
		}
		timer.Reset(next)
		var slot <-chan done
		if busy == w.Workers {
			slot = finished // at capacity: a finished job frees a slot
		}
		select {
		case <-ctx.Done():
		case <-w.kick:
		case d := <-slot:
			busy--
			wake = soonest(wake, d.dueAgain)
		case <-timer.C:
		}
	}
	wg.Wait()
	w.Logger.Info("transmission worker stopped", "owner", w.Owner)
	return nil
}

func soonest(a, b time.Time) time.Time {
	switch {
	case a.IsZero():
		return b
	case b.IsZero() || a.Before(b):
		return a
	}
	return b
}

// process runs one job and records its outcome; it returns when the job is
// due again, if it is.
func (w *Worker) process(ctx context.Context, t store.Transmission) time.Time {
	// The attempt and its record outlive a stop: an interrupted send would
	// only be retried, but a finished one must be recorded.
	ctx = context.WithoutCancel(ctx)
	var out store.Outcome
	if t.Receipt {
		out = w.checkReceipt(ctx, t)
	} else {
		out = w.send(ctx, t)
	}
	fctx, cancel := context.WithTimeout(ctx, finishTimeout)
	defer cancel()
	log := w.Logger.With("document_id", t.Document.ID, "merchant_id", t.MerchantID, "message_id", t.Document.MessageID,
		"attempt", t.Attempt, "receipt_check", t.Receipt)
	err := w.Store.FinishTransmission(fctx, t, out)
	switch {
	case errors.Is(err, store.ErrConflict):
		// The lease was taken over after it ran out, or an answer by
		// message id ended the job: the new state stands.
		log.Warn("transmission outcome not recorded: the job is no longer ours", "status", out.Status, "err", err)
		return time.Time{}
	case err != nil:
		// The lease runs out and the job is tried again.
		log.Error("recording a transmission outcome", "status", out.Status, "err", err)
		return time.Time{}
	}
	metrics.CountTransmissionOutcome(t.Receipt, out)
	attrs := []any{"status", out.Status}
	if out.Reason != "" {
		attrs = append(attrs, "reason", out.Reason)
	}
	if out.APMessageID != "" {
		attrs = append(attrs, "ap_message_id", out.APMessageID)
	}
	switch {
	case !out.RetryAt.IsZero():
		attrs = append(attrs, "retry_at", out.RetryAt)
	case !out.ReceiptAt.IsZero():
		attrs = append(attrs, "receipt_at", out.ReceiptAt)
	}
	log.Info("transmission", attrs...)
	return soonest(out.RetryAt, out.ReceiptAt)
}

// send converts and transmits t's document once.
func (w *Worker) send(ctx context.Context, t store.Transmission) store.Outcome {
	doc := t.Document
	sender, err := resolve("supplier", doc.Supplier)
	if err != nil {
		return store.Outcome{Status: invoicing.EStatusError, Reason: err.Error()}
	}
	receiver, err := resolve("customer", doc.Customer)
	if err != nil {
		return store.Outcome{Status: invoicing.EStatusError, Reason: err.Error()}
	}
	parties := ubl.Parties{
		Supplier: ubl.Endpoint{Scheme: sender.Scheme, ID: sender.ID},
		Customer: ubl.Endpoint{Scheme: receiver.Scheme, ID: receiver.ID},
	}
	xml, err := ubl.Generate(doc, parties)
	if err != nil {
		var ce *ubl.CheckError
		if errors.As(err, &ce) {
			w.Logger.Error("generated UBL fails vatgate's rule checks", "document_id", doc.ID, "err", err)
		}
		return store.Outcome{Status: invoicing.EStatusError, Reason: err.Error()}
	}
	msg := transport.Message{
		MessageID:    doc.MessageID,
		Sender:       sender,
		Receiver:     receiver,
		DocumentType: transport.DocTypeInvoice,
		Process:      transport.ProcessBilling,
		UBL:          xml,
		CreatedAt:    doc.CreatedAt,
	}
	if doc.Kind == invoicing.KindCreditNote {
		msg.DocumentType = transport.DocTypeCreditNote
	}
	if c, ok := iso.CountryByAlpha3(doc.Supplier.Country); ok {
		msg.SenderCountry = c.Alpha2
	}
	sctx, cancel := context.WithTimeout(ctx, w.Lease/2)
	res, err := w.Transport.Send(sctx, msg)
	cancel()
	now := w.Clock()
	if err != nil {
		return w.failed(t, now, err, xml)
	}
	out := store.Outcome{UBL: xml, APMessageID: res.APMessageID}
	switch res.Status {
	case transport.StatusSent:
		out.Status = invoicing.EStatusSent
		if res.ReceiptAfter > 0 {
			out.ReceiptAt = now.Add(res.ReceiptAfter)
		}
	case transport.StatusDelivered:
		out.Status = invoicing.EStatusDelivered
	case transport.StatusRejected:
		out.Status, out.Reason = invoicing.EStatusRejected, res.Reason
	default:
		// A transport bug: the access point may well have the document, so
		// retrying with the same message id is safe and failing is not.
		return w.failed(t, now, fmt.Errorf("transport %s answered an unknown status %q", w.Transport.Name(), res.Status), xml)
	}
	return out
}

// failed is the outcome of a send that failed with err at now: a retry
// within the window, or error.
func (w *Worker) failed(t store.Transmission, now time.Time, err error, xml []byte) store.Outcome {
	if !transport.IsTransient(err) {
		return store.Outcome{Status: invoicing.EStatusError, Reason: err.Error(), UBL: xml}
	}
	first := t.Document.UpdatedAt // the first attempt at this message id
	at, ok := transport.RetryAt(now, first, t.Attempt, err, w.Rand)
	if !ok {
		return store.Outcome{Status: invoicing.EStatusError, UBL: xml, Reason: fmt.Sprintf("gave up after %d attempts over %s: %v",
			t.Attempt, windowText, err)}
	}
	return store.Outcome{Status: invoicing.EStatusPending, Reason: err.Error(), RetryAt: at, UBL: xml}
}

// windowText is RetryWindow as people write it ("72h").
var windowText = fmt.Sprintf("%dh", int(transport.RetryWindow/time.Hour))

// checkReceipt asks the transport for the receiver's answer to t's sent
// document.
func (w *Worker) checkReceipt(ctx context.Context, t store.Transmission) store.Outcome {
	id := t.APMessageID
	if id == "" {
		id = t.Document.MessageID
	}
	sentAt := t.Document.UpdatedAt
	log := w.Logger.With("document_id", t.Document.ID, "message_id", t.Document.MessageID, "ap_message_id", t.APMessageID)
	stop := store.Outcome{Status: invoicing.EStatusSent} // no more checks; the document stays sent
	rctx, cancel := context.WithTimeout(ctx, w.Lease/2)
	res, err := w.Transport.Receipt(rctx, id)
	cancel()
	now := w.Clock()
	if err != nil {
		if !transport.IsTransient(err) {
			log.Warn("no receipt can be had; the answer can only come by callback", "err", err)
			return stop
		}
		at, ok := transport.RetryAt(now, sentAt, t.Attempt, err, w.Rand)
		if !ok {
			log.Warn("gave up asking for the receiver's answer after "+windowText, "err", err)
			return stop
		}
		return store.Outcome{Status: invoicing.EStatusPending, Reason: err.Error(), RetryAt: at}
	}
	out := store.Outcome{APMessageID: res.APMessageID}
	switch res.Status {
	case transport.StatusDelivered:
		out.Status = invoicing.EStatusDelivered
	case transport.StatusRejected:
		out.Status, out.Reason = invoicing.EStatusRejected, res.Reason
	case transport.StatusSent:
		out.Status = invoicing.EStatusSent
		switch at := now.Add(res.ReceiptAfter); {
		case res.ReceiptAfter <= 0:
			log.Info("the receiver will not answer; the document stays sent")
		case at.Sub(sentAt) > transport.RetryWindow:
			log.Warn("gave up asking for the receiver's answer after " + windowText + "; the document stays sent")
		default:
			out.ReceiptAt = at
		}
	default:
		log.Error("transport answered a receipt with an unknown status; asking again later", "status", res.Status)
		return store.Outcome{Status: invoicing.EStatusPending, Reason: "unknown receipt status " + res.Status,
			RetryAt: now.Add(transport.Backoff(t.Attempt, transport.RetryBase, transport.RetryMax, w.Rand))}
	}
	return out
}

// resolve reads a party's Peppol participant id as the transport wants it;
// its error is the reason the document ends in error, naming the field.
func resolve(field string, p invoicing.Party) (transport.Participant, error) {
	id, err := peppol.Resolve(p.PeppolID, p.Country, p.TaxNumber)
	if err != nil {
		return transport.Participant{}, fmt.Errorf("%s_peppol_id: %w", field, err)
	}
	return transport.Participant{Scheme: id.Scheme, ID: id.Value}, nil
}
