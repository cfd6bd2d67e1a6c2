package postgres

import (
	"context"
	"fmt"
	"io/fs"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/pressly/goose/v3"

	"github.com/vatgate/vatgate/internal/store"
)

// Ready reads, in a read-only transaction, which migrations the schema
// records and compares them with the ones built in. It writes nothing
// (goose's own HasPending would create its version table) and takes no
// migration lock, so it never waits for an instance that is migrating.
func (db *DB) Ready(ctx context.Context) error {
	want, err := builtMigrations()
	if err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	var applied []int64
	err = db.inSnapshot(ctx, func(tx pgx.Tx) error {
		// to_regclass resolves the name on search_path, as goose does.
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, goose.DefaultTablename).Scan(&exists); err != nil || !exists {
			return err
		}
		// goose's version table, read as goose does: the latest row of
		// each version says whether it is applied.
		rows, _ := tx.Query(ctx, `SELECT version_id, is_applied FROM `+goose.DefaultTablename+` ORDER BY id DESC`)
		seen := map[int64]bool{}
		var v int64
		var ok bool
		_, err := pgx.ForEachRow(rows, []any{&v, &ok}, func() error {
			if !seen[v] && ok {
				applied = append(applied, v)
			}
			seen[v] = true
			return nil
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: ready: %w", err)
	}
	return store.PendingMigrations(want, applied)
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
