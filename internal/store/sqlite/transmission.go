package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
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
		rows, err := tx.QueryContext(ctx, `SELECT j.id, j.document_id, j.merchant_id, j.attempt, j.receipt, d.ap_message_id
			FROM transmission_jobs j JOIN e_documents d ON d.id = j.document_id
			WHERE j.run_at <= ? AND (j.lease_until IS NULL OR j.lease_until < ?)
			ORDER BY j.run_at, j.id LIMIT ?`, timeText(now), timeText(now), limit)
		if err != nil {
			return err
		}
		type job struct{ id, docID, merchantID int64 }
		var jobs []job
		for rows.Next() {
			var j job
			var attempt int
			var receipt bool
			var apID sql.NullString
			if err := rows.Scan(&j.id, &j.docID, &j.merchantID, &attempt, &receipt, &apID); err != nil {
				rows.Close()
				return err
			}
			jobs = append(jobs, j)
			out = append(out, store.Transmission{JobID: j.id, MerchantID: j.merchantID, Attempt: attempt + 1,
				Owner: owner, LeaseUntil: until, Receipt: receipt, APMessageID: apID.String})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(jobs) == 0 {
			return nil
		}
		// The documents, with their lines, in two queries for the batch.
		ids := make([]int64, len(jobs))
		for i, j := range jobs {
			ids[i] = j.docID
		}
		idsJSON, err := json.Marshal(ids)
		if err != nil {
			return err
		}
		docRows, err := tx.QueryContext(ctx, selectEDocument+` WHERE id IN (SELECT value FROM json_each(?))`, string(idsJSON))
		if err != nil {
			return err
		}
		var docs []invoicing.EDocument
		for docRows.Next() {
			d, err := scanEDocument(docRows)
			if err != nil {
				docRows.Close()
				return err
			}
			docs = append(docs, d)
		}
		docRows.Close()
		if err := docRows.Err(); err != nil {
			return err
		}
		if err := loadELines(ctx, tx, docs); err != nil {
			return err
		}
		byID := make(map[int64]invoicing.EDocument, len(docs))
		for _, d := range docs {
			byID[d.ID] = d
		}
		st := newStmts(tx)
		for i, j := range jobs {
			err := st.exec(ctx, `UPDATE transmission_jobs SET owner = ?, lease_until = ?, attempt = attempt + 1 WHERE id = ?`,
				owner, timeText(until), j.id)
			if err != nil {
				return err
			}
			doc, ok := byID[j.docID]
			if !ok {
				return fmt.Errorf("sqlite: transmission job %d: document %d is missing", j.id, j.docID)
			}
			// A send moves a new document to pending; a receipt check
			// leaves the sent document as it is.
			if !out[i].Receipt && doc.Status == invoicing.EStatusNew {
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
// Whether the job is a receipt check is read from the job, not taken from t.
func (db *DB) FinishTransmission(ctx context.Context, t store.Transmission, out store.Outcome) error {
	if err := store.CheckOutcome(out); err != nil {
		return err
	}
	now := db.now()
	return db.write(ctx, func(tx *sql.Tx) error {
		return finishTransmission(ctx, tx, newStmts(tx), t, out, now)
	})
}

// FinishTransmissions records several outcomes in one writer transaction,
// each as FinishTransmission would; an outcome refused on its own (a lost
// lease, an invalid outcome) is not recorded and leaves the others be.
func (db *DB) FinishTransmissions(ctx context.Context, fs []store.Finish) ([]error, error) {
	errs := make([]error, len(fs))
	now := db.now()
	err := db.write(ctx, func(tx *sql.Tx) error {
		st := newStmts(tx)
		for i, f := range fs {
			if errs[i] = store.CheckOutcome(f.Outcome); errs[i] != nil {
				continue
			}
			err := finishTransmission(ctx, tx, st, f.Transmission, f.Outcome, now)
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
		return nil, err
	}
	return errs, nil
}

// finishTransmission records one outcome in tx. Every refusal
// (store.ErrConflict, an outcome a receipt check cannot have) comes before
// the first write, so a batch can go on without it.
func finishTransmission(ctx context.Context, tx *sql.Tx, st *stmts, t store.Transmission, out store.Outcome, now time.Time) error {
	var docID, merchantID int64
	var receipt bool
	err := st.queryRow(ctx, `SELECT document_id, merchant_id, receipt FROM transmission_jobs
		WHERE id = ? AND owner = ? AND attempt = ?`, []any{t.JobID, t.Owner, t.Attempt}, &docID, &merchantID, &receipt)
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrConflict
	}
	if err != nil {
		return err
	}
	if receipt {
		if err := store.CheckReceiptOutcome(out); err != nil {
			return err
		}
	}
	doc, err := eDocumentHead(ctx, st, merchantID, docID)
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

	if len(out.UBL) > 0 {
		if err := st.exec(ctx, `UPDATE e_documents SET ubl = ? WHERE id = ?`, out.UBL, docID); err != nil {
			return err
		}
	}
	if out.APMessageID != "" {
		if err := st.exec(ctx, `UPDATE e_documents SET ap_message_id = ? WHERE id = ?`, out.APMessageID, docID); err != nil {
			return err
		}
	}
	// reschedule keeps the job, unleased, due at runAt.
	reschedule := func(runAt time.Time, lastError string) error {
		return st.exec(ctx, `UPDATE transmission_jobs SET run_at = ?, owner = NULL, lease_until = NULL, last_error = ?, receipt = ?
			WHERE id = ?`, timeText(runAt), lastError, receipt, t.JobID)
	}
	switch {
	case out.Status == invoicing.EStatusPending:
		// A transient failure: the job waits for RetryAt, free for any
		// worker then. The document stays pending (a receipt check's
		// stays sent).
		if !receipt {
			if err := setEStatus(ctx, st, merchantID, &doc, invoicing.EStatusPending, "", now); err != nil {
				return err
			}
		}
		return reschedule(out.RetryAt, out.Reason)
	case out.Status == invoicing.EStatusSent && receipt:
		if out.ReceiptAt.IsZero() {
			// No answer will come by asking: stop, the document stays sent.
			return st.exec(ctx, `DELETE FROM transmission_jobs WHERE id = ?`, t.JobID)
		}
		return reschedule(out.ReceiptAt, "")
	}
	if err := setEStatus(ctx, st, merchantID, &doc, out.Status, out.Reason, now); err != nil {
		return err
	}
	if out.Status == invoicing.EStatusSent && !out.ReceiptAt.IsZero() {
		// Sent, and the transport answers for the receiver when asked:
		// the job becomes a receipt check.
		receipt = true
		return reschedule(out.ReceiptAt, "")
	}
	return st.exec(ctx, `DELETE FROM transmission_jobs WHERE id = ?`, t.JobID)
}

// eDocumentHead reads a document without its lines, which a status change
// and its event do not need, with a statement prepared once per
// transaction.
func eDocumentHead(ctx context.Context, st *stmts, merchantID, id int64) (invoicing.EDocument, error) {
	stmt, err := st.get(ctx, selectEDocument+` WHERE merchant_id = ? AND id = ?`)
	if err != nil {
		return invoicing.EDocument{}, err
	}
	return scanEDocument(stmt.QueryRowContext(ctx, merchantID, id))
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
	return db.write(ctx, func(tx *sql.Tx) error {
		docID, merchantID, err := documentByMessageID(ctx, tx, messageID)
		if err != nil {
			return err
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

// documentByMessageID finds the document whose message id is messageID,
// or else the one document whose access point message id it is.
func documentByMessageID(ctx context.Context, tx *sql.Tx, messageID string) (docID, merchantID int64, err error) {
	err = tx.QueryRowContext(ctx, `SELECT id, merchant_id FROM e_documents WHERE message_id = ?`, messageID).
		Scan(&docID, &merchantID)
	if !errors.Is(err, sql.ErrNoRows) {
		return docID, merchantID, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, merchant_id FROM e_documents WHERE ap_message_id = ? LIMIT 2`, messageID)
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		if err := rows.Scan(&docID, &merchantID); err != nil {
			return 0, 0, err
		}
		n++
	}
	switch {
	case rows.Err() != nil:
		return 0, 0, rows.Err()
	case n == 0:
		return 0, 0, store.ErrNotFound
	case n > 1:
		return 0, 0, fmt.Errorf("%w: access point message id %q names more than one document", store.ErrConflict, messageID)
	}
	return docID, merchantID, nil
}

// PendingTransmissions counts the queued jobs, leased or not.
func (db *DB) PendingTransmissions(ctx context.Context) (int, error) {
	var n int
	err := db.read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM transmission_jobs`).Scan(&n)
	})
	return n, err
}
