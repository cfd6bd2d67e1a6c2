package postgres

import (
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/vatgate/vatgate/internal/store"
)

// A schema nobody migrated is not ready, and asking writes nothing: it is
// still unmigrated afterwards, and Migrate then makes it ready.
func TestReadyUnmigrated(t *testing.T) {
	t.Parallel()
	db, err := Open(t.Context(), newSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for range 2 {
		err := db.Ready(t.Context())
		if !errors.Is(err, store.ErrMigrationsPending) || !strings.Contains(err.Error(), "migrations pending: versions 1, 2") ||
			!strings.Contains(err.Error(), "none applied") {
			t.Fatalf("Ready on an empty schema: %v", err)
		}
	}
	var tables int
	if err := db.pool.QueryRow(t.Context(), `SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()`).Scan(&tables); err != nil || tables != 0 {
		t.Fatalf("Ready created %d tables (%v)", tables, err)
	}
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := db.Ready(t.Context()); err != nil {
		t.Fatalf("Ready after Migrate: %v", err)
	}
}

// A schema an older build migrated is not ready, and says how far it is.
func TestReadyOlderSchema(t *testing.T) {
	t.Parallel()
	db, err := Open(t.Context(), newSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, stdlib.OpenDBFromPool(db.pool), fsys, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	p.Close()
	err = db.Ready(t.Context())
	if !errors.Is(err, store.ErrMigrationsPending) || !strings.Contains(err.Error(), "(the database is at 1; run vatgate migrate)") {
		t.Fatalf("Ready on a schema at version 1: %v", err)
	}
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := db.Ready(t.Context()); err != nil {
		t.Fatalf("Ready after Migrate: %v", err)
	}
}

// A store that cannot reach its database is not ready, for another reason
// than migrations.
func TestReadyClosed(t *testing.T) {
	t.Parallel()
	db := mustOpen(t, newSchema(t))
	db.Close()
	if err := db.Ready(t.Context()); err == nil || errors.Is(err, store.ErrMigrationsPending) {
		t.Fatalf("Ready on a closed store: %v", err)
	}
}
