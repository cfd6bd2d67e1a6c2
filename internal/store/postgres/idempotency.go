package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vatgate/vatgate/internal/store"
)

// BeginIdempotent claims the key when store.IdemRecord.Decide says so, in
// one transaction. A new key is inserted with ON CONFLICT DO NOTHING: of
// two requests racing for it, the second waits for the first to commit and
// inserts nothing. A key already there is read FOR UPDATE, so its claim,
// takeover or replay is decided by one transaction at a time; a row that
// vanished between the two (abandoned, purged) is tried again.
func (db *DB) BeginIdempotent(ctx context.Context, merchantID int64, req store.IdemRequest, ttl, lockFor time.Duration) (store.IdemState, error) {
	now := db.now()
	expires, locked := now.Add(ttl), now.Add(lockFor)
	var state store.IdemState
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		for {
			tag, err := tx.Exec(ctx, `INSERT INTO idempotency_keys
				(merchant_id, key, method, path, request_hash, status, created_at, expires_at, locked_until)
				VALUES ($1, $2, $3, $4, $5, 'running', $6, $7, $8)
				ON CONFLICT (merchant_id, key) DO NOTHING`,
				merchantID, req.Key, req.Method, req.Path, req.Hash, now, expires, locked)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 1 {
				state = store.IdemState{Kind: store.IdemStarted}
				return nil
			}
			var rec store.IdemRecord
			var status string
			var respStatus *int32
			var lockedUntil *time.Time
			err = tx.QueryRow(ctx, `SELECT request_hash, status, response_status, content_type, response_body, expires_at, locked_until
				FROM idempotency_keys WHERE merchant_id = $1 AND key = $2 FOR UPDATE`, merchantID, req.Key).Scan(
				&rec.Hash, &status, &respStatus, &rec.Response.ContentType, &rec.Response.Body, &rec.ExpiresAt, &lockedUntil)
			if errors.Is(err, pgx.ErrNoRows) {
				continue // deleted since the insert saw it
			}
			if err != nil {
				return err
			}
			rec.Done = status == "done"
			if respStatus != nil {
				rec.Response.Status = int(*respStatus)
			}
			if lockedUntil != nil {
				rec.LockedUntil = *lockedUntil
			}
			state = rec.Decide(req.Hash, now)
			if state.Kind != store.IdemStarted {
				return nil
			}
			// Expired, or its request died: a fresh claim over it.
			_, err = tx.Exec(ctx, `UPDATE idempotency_keys SET
				method = $3, path = $4, request_hash = $5, status = 'running',
				response_status = NULL, content_type = '', response_body = NULL,
				created_at = $6, expires_at = $7, locked_until = $8
				WHERE merchant_id = $1 AND key = $2`,
				merchantID, req.Key, req.Method, req.Path, req.Hash, now, expires, locked)
			return err
		}
	})
	if err != nil {
		return store.IdemState{}, interpret(err)
	}
	return state, nil
}

// FinishIdempotent turns the running claim into the kept answer.
func (db *DB) FinishIdempotent(ctx context.Context, merchantID int64, key, requestHash string, resp store.IdemResponse) error {
	body := resp.Body
	if body == nil {
		body = []byte{} // an empty answer is kept as empty, not NULL
	}
	tag, err := db.pool.Exec(ctx, `UPDATE idempotency_keys
		SET status = 'done', response_status = $4, content_type = $5, response_body = $6, locked_until = NULL
		WHERE merchant_id = $1 AND key = $2 AND request_hash = $3 AND status = 'running'`,
		merchantID, key, requestHash, resp.Status, resp.ContentType, body)
	if err != nil {
		return interpret(err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

// AbandonIdempotent deletes the running claim, if it is still there.
func (db *DB) AbandonIdempotent(ctx context.Context, merchantID int64, key, requestHash string) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM idempotency_keys
		WHERE merchant_id = $1 AND key = $2 AND request_hash = $3 AND status = 'running'`, merchantID, key, requestHash)
	return interpret(err)
}

// PurgeIdempotencyKeys deletes the keys of every merchant that expired
// before the given time.
func (db *DB) PurgeIdempotencyKeys(ctx context.Context, before time.Time) (int, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE expires_at < $1`, before)
	if err != nil {
		return 0, interpret(err)
	}
	return int(tag.RowsAffected()), nil
}
