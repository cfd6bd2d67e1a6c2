package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/store/storetest"
)

// testURLEnv names the variable holding the URL of a PostgreSQL database the
// tests may create and drop schemas in.
const testURLEnv = "VATGATE_TEST_POSTGRES"

func TestStore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t testing.TB) store.Store { return mustOpen(t, newSchema(t)) })
}

// TestReopen checks that what one DB stored is there for the next DB opened
// on the same schema, the way a restarted server finds its data.
func TestReopen(t *testing.T) {
	t.Parallel()
	u := newSchema(t)
	db := mustOpen(t, u)
	m := storetest.MustCreateMerchant(t, db)
	tok, _ := storetest.MustCreateToken(t, db, m.ID, time.Time{})
	c := storetest.MustCreateCustomers(t, db, m.ID, storetest.SampleCustomer("Kept"))[0]
	doc := storetest.SampleDocument(invoicing.KindInvoice, "")
	doc.CustomerID = c.ID
	d := storetest.MustCreateDocuments(t, db, m.ID, doc)[0]
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	db = mustOpen(t, u)
	got, err := db.Authenticate(t.Context(), tok.Hash)
	if err != nil {
		t.Fatalf("Authenticate after reopening: %v", err)
	}
	if diff := storetest.Diff(m, got); diff != nil {
		t.Errorf("merchant after reopening differs: %v", diff)
	}
	if diff := storetest.Diff(c, storetest.MustGetCustomer(t, db, m.ID, c.ID)); diff != nil {
		t.Errorf("customer after reopening differs: %v", diff)
	}
	if diff := storetest.Diff(d, storetest.MustGetDocument(t, db, m.ID, d.Kind, d.ID)); diff != nil {
		t.Errorf("document after reopening differs: %v", diff)
	}
	// The sequence carries on where it stopped.
	next := storetest.MustCreateDocuments(t, db, m.ID, storetest.MinimalDocument(invoicing.KindInvoice, ""))[0]
	if want := invoicing.KindInvoice.FormatNumber(2); next.Number != want {
		t.Errorf("number after reopening = %q, want %q", next.Number, want)
	}
}

// TestConcurrentMigrate starts several instances on one empty schema at once,
// as a deployment does: the advisory lock must let every one succeed.
func TestConcurrentMigrate(t *testing.T) {
	t.Parallel()
	u := newSchema(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		db, err := Open(t.Context(), u)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		wg.Go(func() { errs <- db.Migrate(t.Context()) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("Migrate: %v", err)
		}
	}
	storetest.MustCreateMerchant(t, mustOpen(t, u))
}

// TestClock checks that timestamps and token expiry follow DB.Now, not the
// database server's clock.
func TestClock(t *testing.T) {
	t.Parallel()
	db := mustOpen(t, newSchema(t))
	now := time.Date(2040, 1, 2, 3, 4, 5, 6789, time.UTC)
	db.Now = func() time.Time { return now }
	m := storetest.MustCreateMerchant(t, db)
	if want := now.Truncate(time.Microsecond); !m.CreatedAt.Equal(want) {
		t.Errorf("created_at = %v, want %v", m.CreatedAt, want)
	}
	live, _ := storetest.MustCreateToken(t, db, m.ID, now.Add(time.Second))
	expired, _ := storetest.MustCreateToken(t, db, m.ID, now.Add(-time.Second))
	if _, err := db.Authenticate(t.Context(), live.Hash); err != nil {
		t.Errorf("Authenticate with a token expiring after DB.Now: %v", err)
	}
	if _, err := db.Authenticate(t.Context(), expired.Hash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Authenticate with a token expired by DB.Now: err = %v, want ErrNotFound", err)
	}
}

// TestCrossingUploads sends two uploads of the same numbers at once, one in
// reverse order. Each number must be stored exactly once and each call must
// answer every record; unserialized, the two would deadlock and PostgreSQL
// would abort one call whole.
func TestCrossingUploads(t *testing.T) {
	t.Parallel()
	db := mustOpen(t, newSchema(t))
	m := storetest.MustCreateMerchant(t, db)
	k := invoicing.KindInvoice
	for round := range 10 {
		batch := make([]invoicing.Document, 20)
		for i := range batch {
			batch[i] = storetest.MinimalDocument(k, fmt.Sprintf("R%d-%d", round, i))
		}
		reversed := slices.Clone(batch)
		slices.Reverse(reversed)
		stored := make(chan string, 2*len(batch))
		var wg sync.WaitGroup
		for _, docs := range [][]invoicing.Document{batch, reversed} {
			wg.Go(func() {
				results, err := db.CreateDocuments(t.Context(), m.ID, docs)
				if err != nil {
					t.Errorf("round %d: CreateDocuments: %v", round, err)
				}
				for _, r := range results {
					if r.Err == nil {
						stored <- r.Document.Number
					}
				}
			})
		}
		wg.Wait()
		close(stored)
		var got []string
		for n := range stored {
			got = append(got, n)
		}
		if len(got) != len(batch) || len(slices.Compact(slices.Sorted(slices.Values(got)))) != len(batch) {
			t.Fatalf("round %d: stored %v, want each of the %d numbers once", round, got, len(batch))
		}
	}
}

// TestSequenceSkipsLongRun gives hundreds of numbers of the sequence's own
// form explicitly, with a hole, then lets the store number: it must fill
// the hole, then skip the whole run, however many windows of checks it takes.
func TestSequenceSkipsLongRun(t *testing.T) {
	t.Parallel()
	db := mustOpen(t, newSchema(t))
	m := storetest.MustCreateMerchant(t, db)
	k := invoicing.KindCreditNote
	var given []invoicing.Document
	for n := range int64(700) {
		if n+1 != 3 {
			given = append(given, storetest.MinimalDocument(k, k.FormatNumber(n+1)))
		}
	}
	storetest.MustCreateDocuments(t, db, m.ID, given...)
	got := storetest.MustCreateDocuments(t, db, m.ID, storetest.MinimalDocument(k, ""), storetest.MinimalDocument(k, ""))
	for i, want := range []string{k.FormatNumber(3), k.FormatNumber(701)} {
		if got[i].Number != want {
			t.Errorf("generated number %d = %q, want %q", i, got[i].Number, want)
		}
	}
}

// mustOpen opens and migrates the database at dsn, closed when tb ends.
func mustOpen(tb testing.TB, dsn string) *DB {
	tb.Helper()
	db, err := Open(tb.Context(), dsn)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(tb.Context()); err != nil {
		tb.Fatalf("Migrate: %v", err)
	}
	return db
}

// newSchema creates an empty schema of the test database for tb alone, so
// tests can run in parallel, and drops it when tb ends, so they leave
// nothing behind. It returns the test URL with search_path set to it.
func newSchema(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(testURLEnv)
	if base == "" {
		tb.Skipf("%s is not set; to run the PostgreSQL tests, set it to a database URL, such as "+
			"postgres://postgres@127.0.0.1:5432/test?sslmode=disable", testURLEnv)
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("%s: %v", testURLEnv, err)
	}
	name := "vatgate_test_" + strings.ToLower(rand.Text())
	ident := pgx.Identifier{name}.Sanitize()
	admin(tb, base, "CREATE SCHEMA "+ident)
	tb.Cleanup(func() { admin(tb, base, "DROP SCHEMA "+ident+" CASCADE") })
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// admin runs one statement on its own connection; it also runs in cleanups,
// after tb's context is done.
func admin(tb testing.TB, dsn, sql string) {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Fatalf("connect to %s: %v", testURLEnv, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
}
