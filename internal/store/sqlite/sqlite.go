// Package sqlite is vatgate's embedded default backend: store.Store on one
// SQLite file through modernc.org/sqlite (pure Go, no cgo). It owns the
// SQLite schema and its numbered migrations (migrations/*.sql, applied with
// goose), the SQL of every store method, and the translation of SQLite's
// errors into the store's sentinels.
//
// SQLite allows one writer at a time, so the package keeps two pools on the
// file: a writer of exactly one connection whose transactions start with
// BEGIN IMMEDIATE (the write lock is taken up front, so two read-then-write
// transactions can never deadlock or fail to upgrade), and a pool of readers
// that, in WAL mode, read a consistent snapshot without waiting for it.
//
// Values are stored as text that keeps them exact and comparable: decimals in
// their exact decimal form, dates as YYYY-MM-DD, timestamps as fixed-width
// UTC with microseconds (timeLayout), which sort lexically in time order.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"cloud.google.com/go/civil"
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/vatgate/vatgate/internal/money"
	"github.com/vatgate/vatgate/internal/store"
)

var _ store.Store = (*DB)(nil)

//go:embed migrations/*.sql
var migrations embed.FS

// readers is the size of the reader pool; WAL lets them all read at once.
const readers = 8

// busyTimeout is how long a connection waits for another process's lock
// before failing with SQLITE_BUSY; within this process the one-connection
// writer pool already queues writers.
const busyTimeout = 10 * time.Second

// pragmas apply to every connection of both pools. synchronous=FULL syncs the
// WAL on every commit, so a committed write survives a power cut (NORMAL
// could lose the last transactions).
var pragmas = []string{
	fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()),
	"journal_mode(WAL)",
	"synchronous(FULL)",
	"foreign_keys(ON)",
}

// DB is a vatgate database in one SQLite file.
type DB struct {
	// Now is the clock of every timestamp the store writes; tests replace
	// it. Timestamps are kept in UTC to the microsecond.
	Now func() time.Time

	writer *sql.DB // one connection, BEGIN IMMEDIATE
	reader *sql.DB // several connections, read-only

	// authStmt is the token lookup of every request, prepared once on the
	// reader pool (database/sql keeps it prepared per connection): parsing
	// it again on each request was a fifth of an API request's CPU. It is
	// prepared on first use because its tables exist only after Migrate.
	authMu   sync.Mutex
	authStmt *sql.Stmt
}

// Open opens (creating if needed) the database file at path. It does not
// migrate; call Migrate.
func Open(ctx context.Context, path string) (*DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	writer, err := openPool(ctx, abs, 1, "_txlock", "immediate")
	if err != nil {
		return nil, err
	}
	// The writer opened first has switched the file to WAL, which readers
	// need before they connect with query_only on.
	reader, err := openPool(ctx, abs, readers, "_pragma", "query_only(ON)")
	if err != nil {
		writer.Close()
		return nil, err
	}
	return &DB{Now: time.Now, writer: writer, reader: reader}, nil
}

// openPool opens a pool of at most conns connections on the file, each with
// the common pragmas and the extra DSN parameter key=value.
func openPool(ctx context.Context, abs string, conns int, key, value string) (*sql.DB, error) {
	q := url.Values{"_pragma": pragmas}
	q.Add(key, value)
	// The file: URI form lets any path through: its characters are
	// escaped, and a "?" in the path cannot be taken for the query.
	dsn := (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns) // keep them all: each new one pays the pragmas again
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	return db, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	db.authMu.Lock()
	if db.authStmt != nil {
		db.authStmt.Close()
		db.authStmt = nil
	}
	db.authMu.Unlock()
	return errors.Join(db.reader.Close(), db.writer.Close())
}

// Ping checks that both pools answer.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.writer.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping writer: %w", err)
	}
	if err := db.reader.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping reader: %w", err)
	}
	return nil
}

// Migrate applies the pending migrations, each in its own transaction on the
// writer. goose has no lock for SQLite, so two processes may race to apply
// the same migration; the loser's transaction fails and rolls back whole, and
// Migrate then succeeds if nothing is pending any more.
func (db *DB) Migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db.writer, fsys, goose.WithLogger(goose.NopLogger()))
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		if pending, perr := p.HasPending(ctx); perr == nil && !pending {
			return nil
		}
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	for _, r := range results {
		slog.InfoContext(ctx, "sqlite: migration applied", "version", r.Source.Version, "duration", r.Duration)
	}
	return nil
}

// now is the store's clock reading, as it is stored.
func (db *DB) now() time.Time { return micro(db.Now()) }

// micro rounds t to what the store keeps, so a record returned by a write
// equals the same record read back.
func micro(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// write runs fn in a writer transaction (BEGIN IMMEDIATE) and commits it
// unless fn fails. Errors leave through interpretError.
func (db *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return interpretError(err)
	}
	defer tx.Rollback() // no-op after Commit
	if err := fn(tx); err != nil {
		return interpretError(err)
	}
	return interpretError(tx.Commit())
}

// stmts prepares the statements of one transaction, each once, on first
// use, and hands the same one out again for every later use until the
// transaction ends (ending it closes them). A bulk write runs the same few
// statements for every record and every line; preparing them anew each time
// made SQLite parse and plan them again and again, which cost more than
// running them.
type stmts struct {
	tx       *sql.Tx
	prepared map[string]*sql.Stmt // by query text
}

func newStmts(tx *sql.Tx) *stmts {
	return &stmts{tx: tx, prepared: make(map[string]*sql.Stmt)}
}

// get returns the transaction's statement for query, preparing it the
// first time.
func (s *stmts) get(ctx context.Context, query string) (*sql.Stmt, error) {
	if stmt, ok := s.prepared[query]; ok {
		return stmt, nil
	}
	stmt, err := s.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s.prepared[query] = stmt
	return stmt, nil
}

// exec runs query, which returns no rows, with args.
func (s *stmts) exec(ctx context.Context, query string, args ...any) error {
	stmt, err := s.get(ctx, query)
	if err != nil {
		return err
	}
	_, err = stmt.ExecContext(ctx, args...)
	return err
}

// queryRow runs query with args and scans its first row into dest;
// sql.ErrNoRows when it returns none.
func (s *stmts) queryRow(ctx context.Context, query string, args []any, dest ...any) error {
	stmt, err := s.get(ctx, query)
	if err != nil {
		return err
	}
	return stmt.QueryRowContext(ctx, args...).Scan(dest...)
}

// read runs fn in a read transaction, so every query of fn sees the same
// snapshot (a document and its line items, for instance). Errors leave
// through interpretError.
func (db *DB) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return interpretError(err)
	}
	defer tx.Rollback() // a read transaction has nothing to commit
	return interpretError(fn(tx))
}

// interpretError turns SQLite's errors into the store's sentinels, keeping
// SQLite's text for logs. Other errors (the sentinels themselves, a
// *invoicing.ValidationError) pass through unchanged.
func interpretError(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return fmt.Errorf("%w: %v", store.ErrConflict, err)
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		// A write referred to a record (a merchant) that is not there.
		return fmt.Errorf("%w: %v", store.ErrNotFound, err)
	}
	// The primary code (the low byte) for the kinds with extended codes.
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_FULL:
		// SQLite rolled the statement or transaction back: nothing was half
		// written, and writes succeed again once space is freed.
		return fmt.Errorf("%w: sqlite: %w", store.ErrStorageFull, err)
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		// Another process held the file past busy_timeout.
		return fmt.Errorf("%w: sqlite: %w", store.ErrUnavailable, err)
	}
	return fmt.Errorf("sqlite: %w", err)
}

// placeholders returns n comma-separated parameters: "?, ?, ?".
func placeholders(n int) string { return strings.Repeat("?, ", n-1) + "?" }

// timeLayout writes timestamps fixed-width, so text order is time order.
const timeLayout = "2006-01-02T15:04:05.000000Z"

func timeText(t time.Time) string { return t.UTC().Format(timeLayout) }

// nullTimeText writes the zero time, which means "none", as NULL.
func nullTimeText(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return timeText(t)
}

// nullDateText writes the zero date, which means "none", as NULL.
func nullDateText(d civil.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

// nullDecimalText writes an absent decimal as NULL.
func nullDecimalText(d *money.Decimal) any {
	if d == nil {
		return nil
	}
	return d.String()
}

// The column scanners below read the text forms back. They accept only text
// (or NULL where the column allows it): a number in a decimal column would
// mean a float crept in, and that must fail loudly, not round.

type timeColumn struct{ dst *time.Time }

func (c timeColumn) Scan(v any) error {
	if v == nil {
		*c.dst = time.Time{}
		return nil
	}
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("timestamp column holds %T, want text", v)
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return fmt.Errorf("timestamp column: %w", err)
	}
	*c.dst = t
	return nil
}

type dateColumn struct{ dst *civil.Date }

func (c dateColumn) Scan(v any) error {
	if v == nil {
		*c.dst = civil.Date{}
		return nil
	}
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("date column holds %T, want text", v)
	}
	d, err := civil.ParseDate(s)
	if err != nil {
		return fmt.Errorf("date column: %w", err)
	}
	*c.dst = d
	return nil
}

type decimalColumn struct{ dst *money.Decimal }

func (c decimalColumn) Scan(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("decimal column holds %T, want text", v)
	}
	d, err := money.Parse(s)
	if err != nil {
		return fmt.Errorf("decimal column %q: %w", s, err)
	}
	*c.dst = d
	return nil
}

type nullDecimalColumn struct{ dst **money.Decimal }

func (c nullDecimalColumn) Scan(v any) error {
	if v == nil {
		*c.dst = nil
		return nil
	}
	var d money.Decimal
	if err := (decimalColumn{&d}).Scan(v); err != nil {
		return err
	}
	*c.dst = &d
	return nil
}
