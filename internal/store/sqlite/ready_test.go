package sqlite_test

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/store/sqlite"
)

// A database nobody migrated is not ready, and asking writes nothing: it is
// still unmigrated afterwards, and Migrate then makes it ready.
func TestReadyUnmigrated(t *testing.T) {
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "empty.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for range 2 {
		err := db.Ready(t.Context())
		if !errors.Is(err, store.ErrMigrationsPending) || !strings.Contains(err.Error(), "migrations pending: versions 1, 2") ||
			!strings.Contains(err.Error(), "none applied") {
			t.Fatalf("Ready on an empty database: %v", err)
		}
	}
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := db.Ready(t.Context()); err != nil {
		t.Fatalf("Ready after Migrate: %v", err)
	}
}

// A database an older build migrated is not ready, and says how far it is.
func TestReadyOlderSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, os.DirFS("migrations"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	err = db.Ready(t.Context())
	if !errors.Is(err, store.ErrMigrationsPending) || !strings.Contains(err.Error(), "version") ||
		!strings.Contains(err.Error(), "(the database is at 1; run vatgate migrate)") {
		t.Fatalf("Ready on a database at version 1: %v", err)
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
	db := MustOpen(t, filepath.Join(t.TempDir(), "vatgate.db"))
	db.Close()
	if err := db.Ready(t.Context()); err == nil || errors.Is(err, store.ErrMigrationsPending) {
		t.Fatalf("Ready on a closed store: %v", err)
	}
}
