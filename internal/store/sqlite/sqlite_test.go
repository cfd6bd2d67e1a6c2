package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/store/sqlite"
	"github.com/vatgate/vatgate/internal/store/storetest"
)

// MustOpen opens and migrates a database file at path and closes it when the
// test ends.
func MustOpen(tb testing.TB, path string) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(tb.Context(), path)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(tb.Context()); err != nil {
		tb.Fatalf("Migrate: %v", err)
	}
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) store.Store {
		return MustOpen(tb, filepath.Join(tb.TempDir(), "vatgate.db"))
	})
}

// TestReopen checks that what a store committed is there when the file is
// opened (and migrated) again.
func TestReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "odd ? name #1.db")
	db := MustOpen(t, path)
	m := storetest.MustCreateMerchant(t, db)
	tok, _ := storetest.MustCreateToken(t, db, m.ID, time.Time{})
	c := storetest.MustCreateCustomers(t, db, m.ID, storetest.SampleCustomer("Kept"))[0]
	doc := storetest.SampleDocument(invoicing.KindInvoice, "")
	doc.CustomerID = c.ID
	d := storetest.MustCreateDocuments(t, db, m.ID, doc)[0]
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	// The name went through the file: URI whole, not cut at "?" or "#".
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file: %v", err)
	}

	db = MustOpen(t, path)
	if got, err := db.Authenticate(ctx, tok.Hash); err != nil || got.ID != m.ID {
		t.Errorf("Authenticate after reopening: merchant %d, err %v; want %d", got.ID, err, m.ID)
	}
	if diff := storetest.Diff(c, storetest.MustGetCustomer(t, db, m.ID, c.ID)); diff != nil {
		t.Errorf("customer after reopening differs: %v", diff)
	}
	if diff := storetest.Diff(d, storetest.MustGetDocument(t, db, m.ID, invoicing.KindInvoice, d.ID)); diff != nil {
		t.Errorf("document after reopening differs: %v", diff)
	}
	// The sequence survived too: the next number follows on.
	next := storetest.MustCreateDocuments(t, db, m.ID, storetest.MinimalDocument(invoicing.KindInvoice, ""))[0]
	if want := invoicing.KindInvoice.FormatNumber(2); next.Number != want {
		t.Errorf("number after reopening = %q, want %q", next.Number, want)
	}
}

// TestPragmas checks the settings on every connection of both pools: they
// are per connection (journal_mode per file), so a pool that forgot them
// would silently run without durability or foreign keys.
func TestPragmas(t *testing.T) {
	db := MustOpen(t, filepath.Join(t.TempDir(), "vatgate.db"))
	writer, reader := sqlite.Pools(db)
	check := func(name string, conn *sql.Conn, queryOnly int64) {
		t.Helper()
		var mode string
		if err := conn.QueryRowContext(t.Context(), "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("%s: journal_mode = %q (err %v), want wal", name, mode, err)
		}
		for pragma, want := range map[string]int64{
			"synchronous":  2, // FULL
			"foreign_keys": 1,
			"busy_timeout": 10000,
			"query_only":   queryOnly,
		} {
			var got int64
			if err := conn.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil || got != want {
				t.Errorf("%s: %s = %d (err %v), want %d", name, pragma, got, err, want)
			}
		}
	}
	check("writer", mustConn(t, writer), 0)
	// Hold every reader connection at once, so each one is checked, not
	// the same idle one again and again.
	for i := range sqlite.Readers {
		check(fmt.Sprint("reader ", i), mustConn(t, reader), 1)
	}
}

func mustConn(tb testing.TB, db *sql.DB) *sql.Conn {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tb.Context(), 5*time.Second)
	defer cancel()
	conn, err := db.Conn(ctx)
	if err != nil {
		tb.Fatalf("Conn: %v", err)
	}
	tb.Cleanup(func() { conn.Close() })
	return conn
}

// TestMigrateConcurrently runs Migrate from several handles on one new file
// at once, as several instances starting together would: all must succeed
// and the schema must be applied once.
func TestMigrateConcurrently(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vatgate.db")
	dbs := make([]*sqlite.DB, 4)
	for i := range dbs {
		db, err := sqlite.Open(t.Context(), path)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	errs := make(chan error, len(dbs))
	for _, db := range dbs {
		go func() { errs <- db.Migrate(t.Context()) }()
	}
	for range dbs {
		if err := <-errs; err != nil {
			t.Errorf("Migrate: %v", err)
		}
	}
	storetest.MustCreateMerchant(t, dbs[0])
}
