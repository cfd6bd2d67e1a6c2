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
//  4. records the outcome (store.EDocumentStore.FinishTransmissions, in
//     batches: the outcomes that arrive while one batch commits make the
//     next, one commit for many documents):
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
// or RetryWindow after the document was sent. A check with no access point
// id whose transport refuses to answer by our message id (the sandbox
// after a restart) does not stop: it sends the document again with the
// same message id, which the network drops as a duplicate, and asks by the
// access point id that send returns. An access point that reports
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
// and moves on. A send (or receipt check) must end a quarter of the lease
// before the lease does, and takes at most half of it, so a live worker
// records its outcome before anyone may take the job; a claimed job that
// waited for a free goroutine too long to fit goes back unsent, due at once.
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
	FinishTransmissions(ctx context.Context, fs []store.Finish) ([]error, error)
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

// finishTimeout bounds recording a batch of outcomes, which runs even
// while the worker stops: the sends happened, their outcomes must not be
// lost.
const finishTimeout = 30 * time.Second

// maxFinishBatch is the most outcomes recorded in one transaction.
const maxFinishBatch = 64

// Worker drives the pipeline. Set the fields, then call Run; Kick may be
// called from any goroutine at any time.
type Worker struct {
	Store     Store
	Transport Transport
	// Owner names this worker in leases; DefaultOwner() when empty.
	Owner string
	// Workers is how many jobs run at once (default 4).
	Workers int
	// Lease is how long a claim is this worker's alone (default 2m). A
	// send or receipt check is given half of it, and must end a quarter
	// of it before the lease does.
	Lease time.Duration
	// Batch is the most jobs claimed and running or waiting at once
	// (default 4 x Workers, at least Workers): one claim (one commit) for
	// several jobs. A claimed job waits for a free goroutine; one that
	// waited too long to end a quarter of its lease early goes back.
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

	once   sync.Once
	kick   chan struct{}
	rewake chan struct{} // a wake time was noted: the loop sets its timer again
	mu     sync.Mutex
	wake   time.Time // the soonest a job this worker recorded is due again
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
		w.rewake = make(chan struct{}, 1)
		if w.Owner == "" {
			w.Owner = DefaultOwner()
		}
		if w.Workers <= 0 {
			w.Workers = DefaultWorkers
		}
		if w.Lease <= 0 {
			w.Lease = DefaultLease
		}
		if w.Batch <= 0 {
			w.Batch = 4 * w.Workers
		}
		w.Batch = max(w.Batch, w.Workers)
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

// Run works the queue until ctx is cancelled, then stops claiming, gives
// back the jobs claimed but not started, lets the jobs in flight finish
// (their sends and the recording of their outcomes do not see ctx's
// cancellation; a send is bounded by half the lease) and returns. It
// returns an error only for a misconfigured worker.
//
// Workers goroutines run jobs; one more records their outcomes, in batches
// of those that arrived while it committed the previous batch: a commit
// (an fsync, on SQLite) per batch rather than per document. A goroutine
// hands its outcome over and takes the next job at once.
func (w *Worker) Run(ctx context.Context) error {
	w.init()
	if w.Store == nil || w.Transport == nil {
		return errors.New("transmit: a worker needs a store and a transport")
	}
	w.Logger.Info("transmission worker started", "owner", w.Owner, "transport", w.Transport.Name(), "workers", w.Workers)
	records := make(chan record, maxFinishBatch)
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		w.recordOutcomes(records)
	}()
	var wg sync.WaitGroup
	finished := make(chan struct{}, w.Workers)
	busy := 0                      // jobs running
	var queue []store.Transmission // claimed, not started yet
	claimNow := true               // look at the store on this pass
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		// Count the jobs that finished meanwhile.
		for drained := false; !drained; {
			select {
			case <-finished:
				busy--
			default:
				drained = true
			}
		}
		if ctx.Err() != nil {
			break
		}
		for len(queue) > 0 && busy < w.Workers {
			t := queue[0]
			queue = queue[1:]
			busy++
			wg.Go(func() {
				w.process(ctx, t, records)
				finished <- struct{}{}
			})
		}
		if claimNow && len(queue) == 0 {
			if limit := w.Batch - busy; limit > 0 {
				trs, err := w.Store.ClaimTransmissions(ctx, w.Owner, w.Lease, limit)
				if err != nil && ctx.Err() == nil {
					w.Logger.Error("claiming transmissions", "err", err)
				}
				queue = append(queue, trs...)
				claimNow = err == nil && len(trs) == limit // more may be due
				if len(trs) > 0 {
					continue
				}
			}
		}
		// Sleep until woken, a job finishes, one of this worker's jobs is
		// due again, or polling time.
		next := w.PollEvery
		if wake := w.peekWake(); !wake.IsZero() {
			next = min(next, max(wake.Sub(w.Clock()), 0))
		}
		timer.Reset(next)
		var slot <-chan struct{}
		if busy > 0 {
			slot = finished
		}
		select {
		case <-ctx.Done():
		case <-w.kick:
			claimNow = true
		case <-slot:
			busy--
		case <-w.rewake:
		case <-timer.C:
			claimNow = true
			w.forgetWake(w.Clock())
		}
	}
	// Stopping: jobs claimed but not started go back to the queue, due at
	// once, for this or another instance; the running ones finish.
	for _, t := range queue {
		wg.Go(func() { w.process(ctx, t, records) })
	}
	wg.Wait()
	close(records)
	<-recorded
	w.Logger.Info("transmission worker stopped", "owner", w.Owner)
	return nil
}

// noteWake remembers that a job recorded by this worker is due again at
// t, so the claiming loop wakes for it rather than at its next poll.
func (w *Worker) noteWake(t time.Time) {
	if t.IsZero() {
		return
	}
	w.mu.Lock()
	w.wake = soonest(w.wake, t)
	w.mu.Unlock()
	select {
	case w.rewake <- struct{}{}:
	default:
	}
}

// peekWake returns the soonest time noted.
func (w *Worker) peekWake() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.wake
}

// forgetWake forgets the time noted if it has come by now: the claim
// about to run covers it.
func (w *Worker) forgetWake(now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.wake.IsZero() && !now.Before(w.wake) {
		w.wake = time.Time{}
	}
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

// record is an outcome on its way to the store.
type record struct {
	t   store.Transmission
	out store.Outcome
}

// recordOutcomes records the outcomes sent on records until it is closed:
// each batch is what arrived while the previous one was committed.
func (w *Worker) recordOutcomes(records <-chan record) {
	for first := range records {
		batch := []record{first}
	more:
		for len(batch) < maxFinishBatch {
			select {
			case r, ok := <-records:
				if !ok {
					break more
				}
				batch = append(batch, r)
			default:
				break more
			}
		}
		fs := make([]store.Finish, len(batch))
		for i, r := range batch {
			fs[i] = store.Finish{Transmission: r.t, Outcome: r.out}
		}
		ctx, cancel := context.WithTimeout(context.Background(), finishTimeout)
		errs, err := w.Store.FinishTransmissions(ctx, fs)
		cancel()
		for i, r := range batch {
			rerr := err // the whole batch's failure, else this outcome's refusal
			if rerr == nil {
				rerr = errs[i]
			}
			w.recorded(r.t, r.out, rerr)
		}
	}
}

// recorded logs (and counts) how recording t's outcome went.
func (w *Worker) recorded(t store.Transmission, out store.Outcome, err error) {
	log := w.Logger.With("document_id", t.Document.ID, "merchant_id", t.MerchantID, "message_id", t.Document.MessageID,
		"attempt", t.Attempt, "receipt_check", t.Receipt)
	switch {
	case errors.Is(err, store.ErrConflict):
		// The lease was taken over after it ran out, or an answer by
		// message id ended the job: the new state stands.
		log.Warn("transmission outcome not recorded: the job is no longer ours", "status", out.Status, "err", err)
		return
	case err != nil:
		// The lease runs out and the job is tried again.
		log.Error("recording a transmission outcome", "status", out.Status, "err", err)
		return
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
	w.noteWake(soonest(out.RetryAt, out.ReceiptAt))
}

// process runs one job and hands its outcome to the recorder. A job whose
// worker is stopping, or which waited in the queue for so much of its lease
// that its send could not end a quarter of the lease early, goes back
// unrun: pending (a receipt check: sent) and due at once.
func (w *Worker) process(ctx context.Context, t store.Transmission, records chan<- record) {
	var out store.Outcome
	// The attempt and its record outlive a stop: an interrupted send would
	// only be retried, but a finished one must be recorded.
	budget := min(t.LeaseUntil.Sub(w.Clock())-w.Lease/4, w.Lease/2)
	switch {
	case ctx.Err() != nil || budget <= 0:
		out = store.Outcome{Status: invoicing.EStatusPending, RetryAt: w.Clock(),
			Reason: "given back unrun: the worker stopped, or the lease ran short"}
	case t.Receipt:
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), budget)
		out = w.checkReceipt(actx, t)
		cancel()
	default:
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), budget)
		out = w.send(actx, t)
		cancel()
	}
	records <- record{t: t, out: out}
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
	res, err := w.Transport.Send(ctx, msg)
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
	res, err := w.Transport.Receipt(ctx, id)
	now := w.Clock()
	if err != nil {
		if !transport.IsTransient(err) {
			if t.APMessageID == "" {
				// Asked by our message id, which the transport does not
				// (or no longer) know: not proof that no answer will come.
				return w.resend(ctx, t, log, err)
			}
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

// resend is a receipt check's way on when it has no access point message
// id to ask by and the transport refused to answer by ours (why, a
// permanent error): the sandbox after a restart, which remembers our ids in
// memory only. Rather than leave the document sent for good, it sends the
// document again, with the same message id, creation time and bytes: the
// access point and the receiver drop a duplicate by message id, so this is
// safe, and the answer carries the access point's id (recorded; the next
// check asks by it) or the receiver's answer. It never puts the sent
// document in error, nor resends without end: a send failing permanently,
// or past the retry window, or answered "sent" without an access point id
// to ask by, stops the checks (the answer can still come by message id); a
// transient failure asks again later, within the window.
func (w *Worker) resend(ctx context.Context, t store.Transmission, log *slog.Logger, why error) store.Outcome {
	stop := store.Outcome{Status: invoicing.EStatusSent}
	log.Info("no access point message id to ask by and the transport does not know ours; sending again with the same message id", "err", why)
	out := w.send(ctx, t)
	out.UBL = nil // kept from the first send: the same bytes
	switch {
	case out.Status == invoicing.EStatusError:
		log.Warn("sending again for a receipt failed; the document stays sent", "err", out.Reason)
		return stop
	case out.Status == invoicing.EStatusSent && out.APMessageID == "":
		log.Warn("sent again, still no access point message id to ask by; the answer can only come by callback")
		return stop
	case out.Status == invoicing.EStatusSent && out.ReceiptAt.Sub(t.Document.UpdatedAt) > transport.RetryWindow:
		log.Warn("gave up asking for the receiver's answer after " + windowText + "; the document stays sent")
		return stop
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
