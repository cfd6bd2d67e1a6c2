package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
)

// ClaimTransmissions leases up to limit due jobs, oldest due first. It
// selects and updates them in one writer transaction, which SQLite runs
// alone (BEGIN IMMEDIATE), so two claimers never take the same job.
func (db *DB) ClaimTransmissions(ctx context.Context, owner string, lease time.Duration, limit int) ([]store.Transmission, error) {
	if lease <= 0 {
		return nil, fmt.Errorf("sqlite: claim transmissions: lease %v is not positive", lease)
	}
	if limit <= 0 {
		return nil, nil
	}
	now := db.now()
	until := micro(now.Add(lease))
	var out []store.Transmission
	err := db.write(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, document_id, merchant_id, attempt FROM transmission_jobs
			WHERE run_at <= ? AND (lease_until IS NULL OR lease_until < ?)
			ORDER BY run_at, id LIMIT ?`, timeText(now), timeText(now), limit)
		if err != nil {
			return err
		}
		type job struct{ id, docID, merchantID int64 }
		var jobs []job
		for rows.Next() {
			var j job
			var attempt int
			if err := rows.Scan(&j.id, &j.docID, &j.merchantID, &attempt); err != nil {
				rows.Close()
				return err
			}
			jobs = append(jobs, j)
			out = append(out, store.Transmission{JobID: j.id, MerchantID: j.merchantID, Attempt: attempt + 1, Owner: owner, LeaseUntil: until})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		st := newStmts(tx)
		for i, j := range jobs {
			err := st.exec(ctx, `UPDATE transmission_jobs SET owner = ?, lease_until = ?, attempt = attempt + 1 WHERE id = ?`,
				owner, timeText(until), j.id)
			if err != nil {
				return err
			}
			doc, err := getEDocument(ctx, tx, j.merchantID, j.docID)
			if err != nil {
				return fmt.Errorf("sqlite: document %d of transmission job %d: %w", j.docID, j.id, err)
			}
			if doc.Status == invoicing.EStatusNew {
				if err := setEStatus(ctx, st, j.merchantID, &doc, invoicing.EStatusPending, "", now); err != nil {
					return err
				}
			}
			out[i].Document = doc
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FinishTransmission records the outcome of t's attempt, if t still holds
// the job: the job's owner and attempt must be t's. A worker whose lease
// expired and was taken over finds the attempt moved on (store.ErrConflict).
func (db *DB) FinishTransmission(ctx context.Context, t store.Transmission, out store.Outcome) error {
	if err := store.CheckOutcome(out); err != nil {
		return err
	}
	now := db.now()
	return db.write(ctx, func(tx *sql.Tx) error {
		var docID, merchantID int64
		err := tx.QueryRowContext(ctx, `SELECT document_id, merchant_id FROM transmission_jobs
			WHERE id = ? AND owner = ? AND attempt = ?`, t.JobID, t.Owner, t.Attempt).Scan(&docID, &merchantID)
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrConflict
		}
		if err != nil {
			return err
		}
		doc, err := getEDocument(ctx, tx, merchantID, docID)
		if err != nil {
			return err
		}
		st := newStmts(tx)
		if len(out.UBL) > 0 {
			if err := st.exec(ctx, `UPDATE e_documents SET ubl = ? WHERE id = ?`, out.UBL, docID); err != nil {
				return err
			}
		}
		if out.Status == invoicing.EStatusPending {
			// A transient failure: the job waits for RetryAt, free for any
			// worker then; the document stays pending.
			if err := setEStatus(ctx, st, merchantID, &doc, invoicing.EStatusPending, "", now); err != nil {
				return err
			}
			return st.exec(ctx, `UPDATE transmission_jobs SET run_at = ?, owner = NULL, lease_until = NULL, last_error = ?
				WHERE id = ?`, timeText(out.RetryAt), out.Reason, t.JobID)
		}
		// A job exists only while its document is new or pending, so this
		// holds unless the rows were changed by hand.
		if !store.Advances(doc.Status, out.Status) {
			return fmt.Errorf("%w: document %d is %s, cannot become %s", store.ErrConflict, docID, doc.Status, out.Status)
		}
		if err := setEStatus(ctx, st, merchantID, &doc, out.Status, out.Reason, now); err != nil {
			return err
		}
		return st.exec(ctx, `DELETE FROM transmission_jobs WHERE id = ?`, t.JobID)
	})
}

// SetStatusByMessageID applies a later answer about a transmitted document.
// The same answer again changes nothing; an answer that would move the
// document back, or from one final status to another, is store.ErrConflict.
// An answer ends the transmission: a job still queued for the document
// (a retry waiting, or an attempt in flight, whose finish then conflicts)
// is removed.
func (db *DB) SetStatusByMessageID(ctx context.Context, messageID string, status invoicing.EStatus, reason string) error {
	if err := store.CheckAnswer(status); err != nil {
		return err
	}
	now := db.now()
	return db.write(ctx, func(tx *sql.Tx) error {
		var docID, merchantID int64
		err := tx.QueryRowContext(ctx, `SELECT id, merchant_id FROM e_documents WHERE message_id = ?`, messageID).
			Scan(&docID, &merchantID)
		if err != nil {
			return err // no rows: store.ErrNotFound
		}
		doc, err := getEDocument(ctx, tx, merchantID, docID)
		if err != nil {
			return err
		}
		if doc.Status == status {
			return nil
		}
		if !store.Advances(doc.Status, status) {
			return fmt.Errorf("%w: document %d is %s, cannot become %s", store.ErrConflict, docID, doc.Status, status)
		}
		st := newStmts(tx)
		if err := setEStatus(ctx, st, merchantID, &doc, status, reason, now); err != nil {
			return err
		}
		return st.exec(ctx, `DELETE FROM transmission_jobs WHERE document_id = ?`, docID)
	})
}

// PendingTransmissions counts the queued jobs, leased or not.
func (db *DB) PendingTransmissions(ctx context.Context) (int, error) {
	var n int
	err := db.read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM transmission_jobs`).Scan(&n)
	})
	return n, err
}
