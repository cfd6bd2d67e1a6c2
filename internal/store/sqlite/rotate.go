package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/vatgate/vatgate/internal/store"
)

// RotateToken stores the new token and shortens the old one's life to the
// overlap, in one writer transaction. The old token must be there and not
// revoked (else no row: store.ErrNotFound); min keeps an earlier expiry,
// which the fixed-width timestamps let it compare as text. A new hash
// already stored fails the unique index (store.ErrConflict) and rolls the
// expiry back with it.
func (db *DB) RotateToken(ctx context.Context, tokenID int64, newHash, newHint string, overlap time.Duration) (store.Token, error) {
	t := store.Token{Hash: newHash, Hint: newHint, CreatedAt: db.now()}
	until := timeText(t.CreatedAt.Add(overlap))
	err := db.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx,
			`UPDATE tokens SET expires_at = min(coalesce(expires_at, ?1), ?1)
			WHERE id = ?2 AND revoked_at IS NULL RETURNING merchant_id`, until, tokenID).Scan(&t.MerchantID)
		if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx,
			`INSERT INTO tokens (merchant_id, hash, hint, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			t.MerchantID, t.Hash, t.Hint, timeText(t.CreatedAt)).Scan(&t.ID)
	})
	if err != nil {
		return store.Token{}, err
	}
	return t, nil
}
