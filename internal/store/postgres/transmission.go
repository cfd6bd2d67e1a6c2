package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
)

// ClaimTransmissions leases up to limit due jobs, oldest due first. The
// jobs are taken FOR UPDATE SKIP LOCKED: instances claiming at once each
// get jobs nobody else is taking, without waiting for one another, and a
// job leased by a committed claim no longer qualifies when re-checked.
func (db *DB) ClaimTransmissions(ctx context.Context, owner string, lease time.Duration, limit int) ([]store.Transmission, error) {
	if lease <= 0 {
		return nil, fmt.Errorf("postgres: claim transmissions: lease %v is not positive", lease)
	}
	if limit <= 0 {
		return nil, nil
	}
	now := db.now()
	until := now.Add(lease).Truncate(time.Microsecond)
	var out []store.Transmission
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		type job struct {
			store.Transmission
			docID int64
			runAt time.Time
		}
		rows, _ := tx.Query(ctx, `WITH due AS (
				SELECT id FROM transmission_jobs
				WHERE run_at <= $1 AND (lease_until IS NULL OR lease_until < $1)
				ORDER BY run_at, id LIMIT $2
				FOR UPDATE SKIP LOCKED)
			UPDATE transmission_jobs j SET owner = $3, lease_until = $4, attempt = j.attempt + 1
			FROM due WHERE j.id = due.id
			RETURNING j.id, j.document_id, j.merchant_id, j.attempt, j.run_at, j.receipt`, now, limit, owner, until)
		jobs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (job, error) {
			j := job{Transmission: store.Transmission{Owner: owner, LeaseUntil: until}}
			err := row.Scan(&j.JobID, &j.docID, &j.MerchantID, &j.Attempt, timeCol{&j.runAt}, &j.Receipt)
			return j, err
		})
		if err != nil || len(jobs) == 0 {
			return err
		}
		// RETURNING keeps no order.
		slices.SortFunc(jobs, func(a, b job) int {
			return cmp.Or(a.runAt.Compare(b.runAt), cmp.Compare(a.JobID, b.JobID))
		})
		docIDs := make([]int64, len(jobs))
		for i, j := range jobs {
			docIDs[i] = j.docID
		}
		// The job locks come first (see Lock order); a send job's document
		// is new or pending, and only new ones change; a receipt check's
		// is sent and stays so.
		docs, err := selectEDocuments(ctx, tx, `id = ANY($1) FOR NO KEY UPDATE`, docIDs)
		if err != nil {
			return err
		}
		byID := make(map[int64]*invoicing.EDocument, len(docs))
		for i := range docs {
			byID[docs[i].ID] = &docs[i]
		}
		rows, _ = tx.Query(ctx, `SELECT id, ap_message_id FROM e_documents WHERE id = ANY($1) AND ap_message_id IS NOT NULL`, docIDs)
		apIDs := map[int64]string{}
		var id int64
		var apID string
		if _, err := pgx.ForEachRow(rows, []any{&id, &apID}, func() error { apIDs[id] = apID; return nil }); err != nil {
			return err
		}
		var b pgx.Batch
		for _, j := range jobs {
			doc, ok := byID[j.docID]
			if !ok {
				return fmt.Errorf("postgres: transmission job %d: document %d is missing", j.JobID, j.docID)
			}
			if !j.Receipt && doc.Status == invoicing.EStatusNew {
				if err := setEStatus(&b, j.MerchantID, doc, invoicing.EStatusPending, "", now); err != nil {
					return err
				}
			}
			j.Document, j.APMessageID = *doc, apIDs[j.docID]
			out = append(out, j.Transmission)
		}
		return tx.SendBatch(ctx, &b).Close()
	})
	if err != nil {
		return nil, interpret(err)
	}
	return out, nil
}

// lockJob locks a job for FinishTransmission if t still holds it: its
// owner and attempt are t's. A worker whose lease expired and was taken
// over finds the attempt moved on: store.ErrConflict.
func lockJob(ctx context.Context, tx pgx.Tx, t store.Transmission) (docID, merchantID int64, receipt bool, err error) {
	err = tx.QueryRow(ctx, `SELECT document_id, merchant_id, receipt FROM transmission_jobs
		WHERE id = $1 AND owner = $2 AND attempt = $3 FOR UPDATE`, t.JobID, t.Owner, t.Attempt).Scan(&docID, &merchantID, &receipt)
	if errors.Is(err, pgx.ErrNoRows) {
		err = store.ErrConflict
	}
	return docID, merchantID, receipt, err
}

// FinishTransmission records the outcome of t's attempt if t still holds
// the job, locking the job, then its document. Whether the job is a
// receipt check is read from the job, not taken from t.
func (db *DB) FinishTransmission(ctx context.Context, t store.Transmission, out store.Outcome) error {
	if err := store.CheckOutcome(out); err != nil {
		return err
	}
	now := db.now()
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		return finishTransmission(ctx, tx, t, out, now)
	})
	return interpret(err)
}

// FinishTransmissions records several outcomes in one transaction, each as
// FinishTransmission would; an outcome refused on its own (a lost lease,
// an invalid outcome) is not recorded and leaves the others be. Jobs are
// locked in the order given; claims skip locked jobs and answers by message
// id lock one job, so no cycle forms.
func (db *DB) FinishTransmissions(ctx context.Context, fs []store.Finish) ([]error, error) {
	errs := make([]error, len(fs))
	now := db.now()
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		for i, f := range fs {
			if errs[i] = store.CheckOutcome(f.Outcome); errs[i] != nil {
				continue
			}
			err := finishTransmission(ctx, tx, f.Transmission, f.Outcome, now)
			if store.IsRefusal(err) {
				errs[i] = err
				continue
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, interpret(err)
	}
	return errs, nil
}

// finishTransmission records one outcome in tx. Every refusal
// (store.ErrConflict, an outcome a receipt check cannot have) comes before
// the first write, so a batch can go on without it.
func finishTransmission(ctx context.Context, tx pgx.Tx, t store.Transmission, out store.Outcome, now time.Time) error {
	docID, merchantID, receipt, err := lockJob(ctx, tx, t)
	if err != nil {
		return err
	}
	if receipt {
		if err := store.CheckReceiptOutcome(out); err != nil {
			return err
		}
	}
	doc, err := selectEDocument(ctx, tx, `id = $1 FOR NO KEY UPDATE`, docID)
	if err != nil {
		return err
	}
	final := out.Status != invoicing.EStatusPending && !(out.Status == invoicing.EStatusSent && receipt)
	// A send job exists only while its document is new or pending, a
	// receipt check while it is sent, so this holds unless the rows were
	// changed by hand.
	if final && !store.Advances(doc.Status, out.Status) {
		return fmt.Errorf("%w: document %d is %s, cannot become %s", store.ErrConflict, docID, doc.Status, out.Status)
	}

	var b pgx.Batch
	if len(out.UBL) > 0 {
		b.Queue(`UPDATE e_documents SET ubl = $2 WHERE id = $1`, docID, out.UBL)
	}
	if out.APMessageID != "" {
		b.Queue(`UPDATE e_documents SET ap_message_id = $2 WHERE id = $1`, docID, out.APMessageID)
	}
	// reschedule keeps the job, unleased, due at runAt.
	reschedule := func(runAt time.Time, lastError string) error {
		b.Queue(`UPDATE transmission_jobs SET run_at = $2, owner = NULL, lease_until = NULL, last_error = $3, receipt = $4
			WHERE id = $1`, t.JobID, runAt, lastError, receipt)
		return tx.SendBatch(ctx, &b).Close()
	}
	switch {
	case out.Status == invoicing.EStatusPending:
		// A transient failure: the job waits for RetryAt, free for any
		// worker then. The document stays pending (a receipt check's
		// stays sent).
		if !receipt {
			if err := setEStatus(&b, merchantID, &doc, invoicing.EStatusPending, "", now); err != nil {
				return err
			}
		}
		return reschedule(out.RetryAt, out.Reason)
	case out.Status == invoicing.EStatusSent && receipt:
		if out.ReceiptAt.IsZero() {
			// No answer will come by asking: stop, the document stays sent.
			b.Queue(`DELETE FROM transmission_jobs WHERE id = $1`, t.JobID)
			return tx.SendBatch(ctx, &b).Close()
		}
		return reschedule(out.ReceiptAt, "")
	}
	if err := setEStatus(&b, merchantID, &doc, out.Status, out.Reason, now); err != nil {
		return err
	}
	if out.Status == invoicing.EStatusSent && !out.ReceiptAt.IsZero() {
		// Sent, and the transport answers for the receiver when asked:
		// the job becomes a receipt check.
		receipt = true
		return reschedule(out.ReceiptAt, "")
	}
	b.Queue(`DELETE FROM transmission_jobs WHERE id = $1`, t.JobID)
	return tx.SendBatch(ctx, &b).Close()
}

// SetStatusByMessageID applies a later answer about a transmitted document,
// found by our message id or else by the access point's. The same answer
// again changes nothing; an answer that would move the document back, or
// from one final status to another, is store.ErrConflict. A status change
// ends the transmission: a job still queued for the document (a retry
// waiting, a receipt check, or an attempt in flight, whose finish then
// conflicts) is removed.
func (db *DB) SetStatusByMessageID(ctx context.Context, messageID string, status invoicing.EStatus, reason string) error {
	if err := store.CheckAnswer(status); err != nil {
		return err
	}
	now := db.now()
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		docID, merchantID, err := documentByMessageID(ctx, tx, messageID)
		if err != nil {
			return err
		}
		// The job first, then the document (see Lock order). The message
		// id is checked again under the lock: a recovery may have
		// replaced it meanwhile.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM transmission_jobs WHERE document_id = $1 FOR UPDATE`, docID); err != nil {
			return err
		}
		doc, err := selectEDocument(ctx, tx, `id = $1 AND (message_id = $2 OR ap_message_id = $2) FOR NO KEY UPDATE`, docID, messageID)
		if err != nil {
			return err
		}
		if doc.Status == status {
			return nil
		}
		if !store.Advances(doc.Status, status) {
			return fmt.Errorf("%w: document %d is %s, cannot become %s", store.ErrConflict, docID, doc.Status, status)
		}
		var b pgx.Batch
		if err := setEStatus(&b, merchantID, &doc, status, reason, now); err != nil {
			return err
		}
		b.Queue(`DELETE FROM transmission_jobs WHERE document_id = $1`, docID)
		return tx.SendBatch(ctx, &b).Close()
	})
	return interpret(err)
}

// documentByMessageID finds the document whose message id is messageID,
// or else the one document whose access point message id it is.
func documentByMessageID(ctx context.Context, tx pgx.Tx, messageID string) (docID, merchantID int64, err error) {
	rows, _ := tx.Query(ctx, `(SELECT id, merchant_id, true FROM e_documents WHERE message_id = $1)
		UNION ALL (SELECT id, merchant_id, false FROM e_documents WHERE ap_message_id = $1 LIMIT 2)`, messageID)
	type match struct {
		docID, merchantID int64
		ours              bool
	}
	matches, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (match, error) {
		var m match
		err := row.Scan(&m.docID, &m.merchantID, &m.ours)
		return m, err
	})
	if err != nil {
		return 0, 0, err
	}
	for _, m := range matches {
		if m.ours {
			return m.docID, m.merchantID, nil
		}
	}
	switch len(matches) {
	case 0:
		return 0, 0, store.ErrNotFound
	case 1:
		return matches[0].docID, matches[0].merchantID, nil
	}
	return 0, 0, fmt.Errorf("%w: access point message id %q names more than one document", store.ErrConflict, messageID)
}

// PendingTransmissions counts the queued jobs, leased or not.
func (db *DB) PendingTransmissions(ctx context.Context) (int, error) {
	var n int
	err := db.pool.QueryRow(ctx, `SELECT count(*) FROM transmission_jobs`).Scan(&n)
	return n, interpret(err)
}
