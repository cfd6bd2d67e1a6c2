package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/vatgate/vatgate/internal/store"
)

// BeginIdempotent reads the key and claims it when store.IdemRecord.Decide
// says so, in one writer transaction: BEGIN IMMEDIATE serializes it with
// every other claim, so two requests never both start under one key.
func (db *DB) BeginIdempotent(ctx context.Context, merchantID int64, req store.IdemRequest, ttl, lockFor time.Duration) (store.IdemState, error) {
	now := db.now()
	var state store.IdemState
	err := db.write(ctx, func(tx *sql.Tx) error {
		var rec store.IdemRecord
		var status string
		var respStatus sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT request_hash, status, response_status, content_type, response_body, expires_at, locked_until
			FROM idempotency_keys WHERE merchant_id = ? AND key = ?`, merchantID, req.Key).Scan(
			&rec.Hash, &status, &respStatus, &rec.Response.ContentType, &rec.Response.Body,
			timeColumn{&rec.ExpiresAt}, timeColumn{&rec.LockedUntil})
		switch {
		case errors.Is(err, sql.ErrNoRows):
			state = store.IdemState{Kind: store.IdemStarted}
		case err != nil:
			return err
		default:
			rec.Done, rec.Response.Status = status == "done", int(respStatus.Int64)
			state = rec.Decide(req.Hash, now)
		}
		if state.Kind != store.IdemStarted {
			return nil
		}
		// A new claim, or a fresh one over an expired or abandoned row.
		_, err = tx.ExecContext(ctx, `INSERT INTO idempotency_keys
			(merchant_id, key, method, path, request_hash, status, created_at, expires_at, locked_until)
			VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?)
			ON CONFLICT (merchant_id, key) DO UPDATE SET
				method = excluded.method, path = excluded.path, request_hash = excluded.request_hash,
				status = 'running', response_status = NULL, content_type = '', response_body = NULL,
				created_at = excluded.created_at, expires_at = excluded.expires_at, locked_until = excluded.locked_until`,
			merchantID, req.Key, req.Method, req.Path, req.Hash,
			timeText(now), timeText(now.Add(ttl)), timeText(now.Add(lockFor)))
		return err
	})
	if err != nil {
		return store.IdemState{}, err
	}
	return state, nil
}

// FinishIdempotent turns the running claim into the kept answer.
func (db *DB) FinishIdempotent(ctx context.Context, merchantID int64, key, requestHash string, resp store.IdemResponse) error {
	body := resp.Body
	if body == nil {
		body = []byte{} // an empty answer is kept as empty, not NULL
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE idempotency_keys
			SET status = 'done', response_status = ?, content_type = ?, response_body = ?, locked_until = NULL
			WHERE merchant_id = ? AND key = ? AND request_hash = ? AND status = 'running'`,
			resp.Status, resp.ContentType, body, merchantID, key, requestHash)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err == nil && n == 0 {
			err = store.ErrNotFound
		}
		return err
	})
}

// AbandonIdempotent deletes the running claim, if it is still there.
func (db *DB) AbandonIdempotent(ctx context.Context, merchantID int64, key, requestHash string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys
			WHERE merchant_id = ? AND key = ? AND request_hash = ? AND status = 'running'`, merchantID, key, requestHash)
		return err
	})
}

// PurgeIdempotencyKeys deletes the keys of every merchant that expired
// before the given time; the fixed-width timestamps compare as text.
func (db *DB) PurgeIdempotencyKeys(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE expires_at < ?`, timeText(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
