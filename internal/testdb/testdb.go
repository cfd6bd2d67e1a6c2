// Package testdb opens fresh, migrated stores for tests and benchmarks of the
// packages above the store: SQLite always, PostgreSQL whenever
// VATGATE_TEST_POSTGRES holds a database URL. Each PostgreSQL store lives in
// a schema of its own, dropped at cleanup, so tests run in parallel and
// leave nothing behind.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/store/postgres"
	"github.com/vatgate/vatgate/internal/store/sqlite"
)

// PostgresEnv names the variable holding the PostgreSQL test URL.
const PostgresEnv = "VATGATE_TEST_POSTGRES"

// Backend is a way to open a fresh store.
type Backend struct {
	Name string
	Open func(tb testing.TB) store.Store
}

// Backends lists SQLite, and PostgreSQL when its URL is set.
func Backends() []Backend {
	bs := []Backend{{Name: "sqlite", Open: func(tb testing.TB) store.Store { return SQLite(tb) }}}
	if os.Getenv(PostgresEnv) != "" {
		bs = append(bs, Backend{Name: "postgres", Open: func(tb testing.TB) store.Store { return Postgres(tb) }})
	}
	return bs
}

// SQLite opens a migrated store on a new file in a temporary directory.
func SQLite(tb testing.TB) *sqlite.DB {
	tb.Helper()
	return SQLiteAt(tb, filepath.Join(tb.TempDir(), "vatgate.db"))
}

// SQLiteAt opens a migrated store on path, closed at cleanup.
func SQLiteAt(tb testing.TB, path string) *sqlite.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		tb.Fatalf("open sqlite: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		tb.Fatalf("migrate sqlite: %v", err)
	}
	return db
}

// Postgres opens a migrated store in a fresh schema; it skips the test when
// no PostgreSQL URL is set.
func Postgres(tb testing.TB) *postgres.DB {
	tb.Helper()
	u := PostgresSchemaURL(tb)
	ctx := context.Background()
	db, err := postgres.Open(ctx, u)
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		tb.Fatalf("migrate postgres: %v", err)
	}
	return db
}

// PostgresSchemaURL creates an empty schema, dropped at cleanup, and returns
// the test URL with search_path set to it.
func PostgresSchemaURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		tb.Skipf("PostgreSQL tests need %s, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable", PostgresEnv)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("connect %s: %v", PostgresEnv, err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "vgtest_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
