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
			RETURNING j.id, j.document_id, j.merchant_id, j.attempt, j.run_at`, now, limit, owner, until)
		jobs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (job, error) {
			j := job{Transmission: store.Transmission{Owner: owner, LeaseUntil: until}}
			err := row.Scan(&j.JobID, &j.docID, &j.MerchantID, &j.Attempt, timeCol{&j.runAt})
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
		// The job locks come first (see Lock order); a job's document is
		// new or pending, and only new ones change.
		docs, err := selectEDocuments(ctx, tx, `id = ANY($1) FOR NO KEY UPDATE`, docIDs)
		if err != nil {
			return err
		}
		byID := make(map[int64]*invoicing.EDocument, len(docs))
		for i := range docs {
			byID[docs[i].ID] = &docs[i]
		}
		var b pgx.Batch
		for _, j := range jobs {
			doc, ok := byID[j.docID]
			if !ok {
				return fmt.Errorf("postgres: transmission job %d: document %d is missing", j.JobID, j.docID)
			}
			if doc.Status == invoicing.EStatusNew {
				if err := setEStatus(&b, j.MerchantID, doc, invoicing.EStatusPending, "", now); err != nil {
					return err
				}
			}
			j.Document = *doc
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
func lockJob(ctx context.Context, tx pgx.Tx, t store.Transmission) (docID, merchantID int64, err error) {
	err = tx.QueryRow(ctx, `SELECT document_id, merchant_id FROM transmission_jobs
		WHERE id = $1 AND owner = $2 AND attempt = $3 FOR UPDATE`, t.JobID, t.Owner, t.Attempt).Scan(&docID, &merchantID)
	if errors.Is(err, pgx.ErrNoRows) {
		err = store.ErrConflict
	}
	return docID, merchantID, err
}

// FinishTransmission records the outcome of t's attempt if t still holds
// the job, locking the job, then its document.
func (db *DB) FinishTransmission(ctx context.Context, t store.Transmission, out store.Outcome) error {
	if err := store.CheckOutcome(out); err != nil {
		return err
	}
	now := db.now()
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		docID, merchantID, err := lockJob(ctx, tx, t)
		if err != nil {
			return err
		}
		doc, err := selectEDocument(ctx, tx, `id = $1 FOR NO KEY UPDATE`, docID)
		if err != nil {
			return err
		}
		var b pgx.Batch
		if len(out.UBL) > 0 {
			b.Queue(`UPDATE e_documents SET ubl = $2 WHERE id = $1`, docID, out.UBL)
		}
		if out.Status == invoicing.EStatusPending {
			// A transient failure: the job waits for RetryAt, free for any
			// worker then; the document stays pending.
			if err := setEStatus(&b, merchantID, &doc, invoicing.EStatusPending, "", now); err != nil {
				return err
			}
			b.Queue(`UPDATE transmission_jobs SET run_at = $2, owner = NULL, lease_until = NULL, last_error = $3
				WHERE id = $1`, t.JobID, out.RetryAt, out.Reason)
			return tx.SendBatch(ctx, &b).Close()
		}
		// A job exists only while its document is new or pending, so this
		// holds unless the rows were changed by hand.
		if !store.Advances(doc.Status, out.Status) {
			return fmt.Errorf("%w: document %d is %s, cannot become %s", store.ErrConflict, docID, doc.Status, out.Status)
		}
		if err := setEStatus(&b, merchantID, &doc, out.Status, out.Reason, now); err != nil {
			return err
		}
		b.Queue(`DELETE FROM transmission_jobs WHERE id = $1`, t.JobID)
		return tx.SendBatch(ctx, &b).Close()
	})
	return interpret(err)
}

// SetStatusByMessageID applies a later answer about a transmitted document.
// The same answer again changes nothing; an answer that would move the
// document back, or from one final status to another, is store.ErrConflict.
// An answer ends the transmission: a job still queued for the document (a
// retry waiting, or an attempt in flight, whose finish then conflicts) is
// removed.
func (db *DB) SetStatusByMessageID(ctx context.Context, messageID string, status invoicing.EStatus, reason string) error {
	if err := store.CheckAnswer(status); err != nil {
		return err
	}
	now := db.now()
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var docID, merchantID int64
		err := tx.QueryRow(ctx, `SELECT id, merchant_id FROM e_documents WHERE message_id = $1`, messageID).
			Scan(&docID, &merchantID)
		if err != nil {
			return err // no rows: store.ErrNotFound
		}
		// The job first, then the document (see Lock order). The message
		// id is checked again under the lock: a recovery may have
		// replaced it meanwhile.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM transmission_jobs WHERE document_id = $1 FOR UPDATE`, docID); err != nil {
			return err
		}
		doc, err := selectEDocument(ctx, tx, `id = $1 AND message_id = $2 FOR NO KEY UPDATE`, docID, messageID)
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

// PendingTransmissions counts the queued jobs, leased or not.
func (db *DB) PendingTransmissions(ctx context.Context) (int, error) {
	var n int
	err := db.pool.QueryRow(ctx, `SELECT count(*) FROM transmission_jobs`).Scan(&n)
	return n, interpret(err)
}
