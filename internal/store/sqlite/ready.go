package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"sync"

	"github.com/pressly/goose/v3"

	"github.com/vatgate/vatgate/internal/store"
)

// Ready reads, in a read transaction, which migrations the database
// records and compares them with the ones built in. It runs on the reader
// pool, so a readiness probe neither writes (goose's own HasPending would
// create its version table) nor queues behind the one writer connection a
// long bulk upload may hold.
func (db *DB) Ready(ctx context.Context) error {
	want, err := builtMigrations()
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	var applied []int64
	err = db.read(ctx, func(tx *sql.Tx) error {
		var tables int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`,
			goose.DefaultTablename).Scan(&tables)
		if err != nil || tables == 0 {
			return err
		}
		applied, err = appliedMigrations(ctx, tx)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: ready: %w", err)
	}
	return store.PendingMigrations(want, applied)
}

// appliedMigrations reads goose's version table as goose does: the latest
// row of each version says whether it is applied.
func appliedMigrations(ctx context.Context, tx *sql.Tx) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT version_id, is_applied FROM `+goose.DefaultTablename+` ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seen := map[int64]bool{}
	var applied []int64
	for rows.Next() {
		var v int64
		var ok bool
		if err := rows.Scan(&v, &ok); err != nil {
			return nil, err
		}
		if !seen[v] && ok {
			applied = append(applied, v)
		}
		seen[v] = true
	}
	return applied, rows.Err()
}

// builtMigrations lists the versions of the embedded migrations.
var builtMigrations = sync.OnceValues(func() ([]int64, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, n := range names {
		v, err := goose.NumericComponent(n)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
})
