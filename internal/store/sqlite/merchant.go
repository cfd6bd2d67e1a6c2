package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/vatgate/vatgate/internal/store"
)

// CreateMerchant stores a new merchant.
func (db *DB) CreateMerchant(ctx context.Context, name, plan string) (store.Merchant, error) {
	m := store.Merchant{Name: name, Plan: plan, CreatedAt: db.now()}
	err := db.write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx,
			`INSERT INTO merchants (name, plan, created_at) VALUES (?, ?, ?) RETURNING id`,
			m.Name, m.Plan, timeText(m.CreatedAt)).Scan(&m.ID)
	})
	if err != nil {
		return store.Merchant{}, err
	}
	return m, nil
}

// ListMerchants returns every merchant, oldest first.
func (db *DB) ListMerchants(ctx context.Context) ([]store.Merchant, error) {
	var out []store.Merchant
	err := db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, name, plan, created_at FROM merchants ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanMerchant(rows)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, err
}

func scanMerchant(row interface{ Scan(...any) error }) (store.Merchant, error) {
	var m store.Merchant
	err := row.Scan(&m.ID, &m.Name, &m.Plan, timeColumn{&m.CreatedAt})
	return m, err
}

// CreateToken stores a token's hash and hint. An unknown merchant fails the
// foreign key, which interpretError answers with store.ErrNotFound, and a
// hash already stored fails its unique index: store.ErrConflict.
func (db *DB) CreateToken(ctx context.Context, merchantID int64, hash, hint string, expiresAt time.Time) (store.Token, error) {
	t := store.Token{MerchantID: merchantID, Hash: hash, Hint: hint, CreatedAt: db.now()}
	if !expiresAt.IsZero() {
		t.ExpiresAt = micro(expiresAt)
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx,
			`INSERT INTO tokens (merchant_id, hash, hint, created_at, expires_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			t.MerchantID, t.Hash, t.Hint, timeText(t.CreatedAt), nullTimeText(t.ExpiresAt)).Scan(&t.ID)
	})
	if err != nil {
		return store.Token{}, err
	}
	return t, nil
}

// ListTokens returns a merchant's tokens, revoked and expired ones included,
// oldest first.
func (db *DB) ListTokens(ctx context.Context, merchantID int64) ([]store.Token, error) {
	var out []store.Token
	err := db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx,
			`SELECT id, merchant_id, hash, hint, created_at, expires_at, revoked_at
			FROM tokens WHERE merchant_id = ? ORDER BY id`, merchantID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t store.Token
			err := rows.Scan(&t.ID, &t.MerchantID, &t.Hash, &t.Hint,
				timeColumn{&t.CreatedAt}, timeColumn{&t.ExpiresAt}, timeColumn{&t.RevokedAt})
			if err != nil {
				return err
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	return out, err
}

// RevokeToken revokes a token. Revoking it again keeps the first revocation
// time and succeeds: the caller's intent holds either way.
func (db *DB) RevokeToken(ctx context.Context, tokenID int64) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`, timeText(db.now()), tokenID)
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

// Authenticate finds the merchant of a live token. Expiry is compared as
// text, which the fixed-width timestamps make a time comparison.
func (db *DB) Authenticate(ctx context.Context, hash string) (store.Merchant, error) {
	stmt, err := db.authStatement(ctx)
	if err != nil {
		return store.Merchant{}, interpretError(err)
	}
	m, err := scanMerchant(stmt.QueryRowContext(ctx, hash, timeText(db.now())))
	if err != nil {
		return store.Merchant{}, interpretError(err)
	}
	return m, nil
}

// authStatement prepares the token lookup once (see DB.authStmt).
func (db *DB) authStatement(ctx context.Context) (*sql.Stmt, error) {
	db.authMu.Lock()
	defer db.authMu.Unlock()
	if db.authStmt == nil {
		stmt, err := db.reader.PrepareContext(ctx,
			`SELECT m.id, m.name, m.plan, m.created_at
			FROM tokens t JOIN merchants m ON m.id = t.merchant_id
			WHERE t.hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?)`)
		if err != nil {
			return nil, err
		}
		db.authStmt = stmt
	}
	return db.authStmt, nil
}
