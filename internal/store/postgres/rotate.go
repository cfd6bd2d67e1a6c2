package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vatgate/vatgate/internal/store"
)

// RotateToken stores the new token and shortens the old one's life to the
// overlap, in one transaction. The old token must be there and not revoked
// (else no row: store.ErrNotFound); least keeps an earlier expiry. A new
// hash already stored fails the unique index (store.ErrConflict) and rolls
// the expiry back with it.
func (db *DB) RotateToken(ctx context.Context, tokenID int64, newHash, newHint string, overlap time.Duration) (store.Token, error) {
	t := store.Token{Hash: newHash, Hint: newHint, CreatedAt: db.now()}
	until := t.CreatedAt.Add(overlap)
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx,
			`UPDATE tokens SET expires_at = least(coalesce(expires_at, $2), $2)
			WHERE id = $1 AND revoked_at IS NULL RETURNING merchant_id`, tokenID, until).Scan(&t.MerchantID)
		if err != nil {
			return err
		}
		return tx.QueryRow(ctx,
			`INSERT INTO tokens (merchant_id, hash, hint, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			t.MerchantID, t.Hash, t.Hint, t.CreatedAt).Scan(&t.ID)
	})
	if err != nil {
		return store.Token{}, interpret(err)
	}
	return t, nil
}
