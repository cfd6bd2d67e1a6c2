package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vatgate/vatgate/internal/store"
)

const merchantColumns = `id, name, plan, created_at`

func scanMerchant(row pgx.CollectableRow) (store.Merchant, error) {
	var m store.Merchant
	err := row.Scan(&m.ID, &m.Name, &m.Plan, timeCol{&m.CreatedAt})
	return m, err
}

func (db *DB) CreateMerchant(ctx context.Context, name, plan string) (store.Merchant, error) {
	m := store.Merchant{Name: name, Plan: plan, CreatedAt: db.now()}
	err := db.pool.QueryRow(ctx,
		`INSERT INTO merchants (name, plan, created_at) VALUES ($1, $2, $3) RETURNING id`,
		m.Name, m.Plan, m.CreatedAt).Scan(&m.ID)
	return m, interpret(err)
}

func (db *DB) ListMerchants(ctx context.Context) ([]store.Merchant, error) {
	rows, _ := db.pool.Query(ctx, `SELECT `+merchantColumns+` FROM merchants ORDER BY id`)
	ms, err := pgx.CollectRows(rows, scanMerchant)
	return ms, interpret(err)
}

const tokenColumns = `id, merchant_id, hash, hint, created_at, expires_at, revoked_at`

func scanToken(row pgx.CollectableRow) (store.Token, error) {
	var t store.Token
	err := row.Scan(&t.ID, &t.MerchantID, &t.Hash, &t.Hint,
		timeCol{&t.CreatedAt}, timeCol{&t.ExpiresAt}, timeCol{&t.RevokedAt})
	return t, err
}

func (db *DB) CreateToken(ctx context.Context, merchantID int64, hash, hint string, expiresAt time.Time) (store.Token, error) {
	t := store.Token{MerchantID: merchantID, Hash: hash, Hint: hint, CreatedAt: db.now()}
	if !expiresAt.IsZero() {
		t.ExpiresAt = expiresAt.UTC().Truncate(time.Microsecond) // as it will read back
	}
	// Selecting the merchant makes an unknown one insert no row, which
	// answers ErrNotFound without relying on the foreign key's error.
	err := db.pool.QueryRow(ctx, `
		INSERT INTO tokens (merchant_id, hash, hint, created_at, expires_at)
		SELECT id, $2, $3, $4, $5 FROM merchants WHERE id = $1
		RETURNING id`,
		merchantID, t.Hash, t.Hint, t.CreatedAt, timestamp(t.ExpiresAt)).Scan(&t.ID)
	return t, interpret(err)
}

func (db *DB) ListTokens(ctx context.Context, merchantID int64) ([]store.Token, error) {
	rows, _ := db.pool.Query(ctx,
		`SELECT `+tokenColumns+` FROM tokens WHERE merchant_id = $1 ORDER BY id`, merchantID)
	ts, err := pgx.CollectRows(rows, scanToken)
	return ts, interpret(err)
}

// RevokeToken keeps the first revocation time when revoked again.
func (db *DB) RevokeToken(ctx context.Context, tokenID int64) error {
	tag, err := db.pool.Exec(ctx,
		`UPDATE tokens SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1`, tokenID, db.now())
	if err != nil {
		return interpret(err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

func (db *DB) Authenticate(ctx context.Context, hash string) (store.Merchant, error) {
	rows, _ := db.pool.Query(ctx, `
		SELECT m.id, m.name, m.plan, m.created_at
		FROM tokens t JOIN merchants m ON m.id = t.merchant_id
		WHERE t.hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2)`,
		hash, db.now())
	m, err := pgx.CollectExactlyOneRow(rows, scanMerchant)
	return m, interpret(err)
}
