// Package postgres is vatgate's PostgreSQL backend of store.Store: its
// schema (embedded, numbered goose migrations), its SQL, and the translation
// of pgx's errors and types into the store's sentinels and the domain's
// exact decimals and civil dates. It talks to the database through a pgx v5
// pool; database/sql appears only to hand goose a handle for migrating.
//
// Written by hand: the few column conversions in columns.go, over pgx's own
// exact pgtype.Numeric, which spare a dependency on pgx-shopspring-decimal.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/vatgate/vatgate/internal/store"
)

var _ store.Store = (*DB)(nil)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is a store.Store on a PostgreSQL database.
type DB struct {
	// Now is the clock every written timestamp comes from; tests replace it.
	Now func() time.Time

	pool *pgxpool.Pool
}

// Open connects to the database at url (a postgres:// URL or a key=value
// connection string; a search_path parameter selects the schema) and checks
// that it answers. It does not migrate: call Migrate.
func Open(ctx context.Context, url string) (*DB, error) {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return &DB{Now: time.Now, pool: pool}, nil
}

// Close releases the pool's connections.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	return db.pool.Ping(ctx)
}

// Migrate applies pending migrations, each in its own transaction. A
// session-level advisory lock makes instances that start together take turns:
// the first migrates, the others then find nothing pending.
func (db *DB) Migrate(ctx context.Context) error {
	locker, err := db.migrationLocker(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	// The handle borrows the pool's connections (and so its search_path);
	// closing it leaves the pool open.
	sqlDB := stdlib.OpenDBFromPool(db.pool)
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, fsys,
		goose.WithSessionLocker(locker),
		goose.WithDisableGlobalRegistry(true))
	if err != nil {
		sqlDB.Close()
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	defer p.Close()
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}

// migrationLocker returns goose's advisory-lock locker keyed by the current
// schema. Advisory locks are per database, but goose records its version per
// schema: with one key for all, independent schemas of one database (parallel
// tests, one schema per deployment) would queue behind each other for no
// reason, while instances sharing a schema still exclude each other.
func (db *DB) migrationLocker(ctx context.Context) (lock.SessionLocker, error) {
	var schema *string // NULL when no schema of search_path exists
	if err := db.pool.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return nil, err
	}
	if schema == nil {
		return nil, errors.New("no schema of search_path exists")
	}
	h := fnv.New64a()
	h.Write([]byte("vatgate migrations " + *schema))
	return lock.NewPostgresSessionLocker(
		lock.WithLockID(int64(h.Sum64())),
		// Poll every second (the default is five) so instances waiting on
		// a quick migration start promptly; give up after five minutes.
		lock.WithLockTimeout(1, 300),
	)
}

// now is the time to record: UTC, and cut to the microseconds PostgreSQL
// keeps, so what a write returns equals what a later read returns.
func (db *DB) now() time.Time {
	return db.Now().UTC().Truncate(time.Microsecond)
}

// SQLSTATE codes the backend turns into the store's sentinels.
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
)

// inTx runs fn in a transaction, committed when fn returns nil and rolled
// back otherwise.
func (db *DB) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db.pool, fn)
}

// inSnapshot runs fn in a read-only transaction that sees one snapshot, so a
// document and its line items are read as of the same moment.
func (db *DB) inSnapshot(ctx context.Context, fn func(pgx.Tx) error) error {
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	return pgx.BeginTxFunc(ctx, db.pool, opts, fn)
}

// interpret turns driver errors into the store's sentinels, keeping the
// driver's error in the chain for logs. Other errors (a
// *invoicing.ValidationError among them) pass unchanged. Queries are written
// `rows, _ := q.Query(...)`, pgx's idiom: a failed Query returns rows that
// carry its error, and pgx.CollectRows reports it.
func interpret(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	switch code := pgCode(err); {
	case code == codeUniqueViolation:
		return fmt.Errorf("%w (%w)", store.ErrConflict, err)
	case code == codeForeignKeyViolation: // the merchant (or record) referred to is missing
		return fmt.Errorf("%w (%w)", store.ErrNotFound, err)
	case code == codeDiskFull:
		return fmt.Errorf("%w (%w)", store.ErrStorageFull, err)
	case unavailable(err, code):
		return fmt.Errorf("%w (%w)", store.ErrUnavailable, err)
	}
	return err
}

// More SQLSTATEs with sentinels: a full disk, and those of a server that
// cannot serve for now besides class 08 (connection exception).
const (
	codeDiskFull           = "53100"
	codeTooManyConnections = "53300"
	codeAdminShutdown      = "57P01" // also pg_ctl stop -m fast/immediate
	codeCrashShutdown      = "57P02"
	codeCannotConnectNow   = "57P03" // starting up, in recovery
)

// unavailable reports whether err means the database cannot be reached or
// will not serve for now, rather than that the request was wrong: a
// connection that could not be made (the pool's, when a server is down or
// restarting), a connection lost or closed under a query, a timeout, or
// the server's own word that it is shutting down or starting up.
func unavailable(err error, code string) bool {
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case strings.HasPrefix(code, "08"), code == codeAdminShutdown, code == codeCrashShutdown,
		code == codeCannotConnectNow, code == codeTooManyConnections:
		return true
	case code != "":
		return false // the server answered, and about the request
	case errors.As(err, &connectErr), errors.As(err, &netErr),
		errors.Is(err, pgconn.ErrConnClosed), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, context.DeadlineExceeded), pgconn.Timeout(err) && !errors.Is(err, context.Canceled):
		return true
	}
	return false
}

// pgCode is err's SQLSTATE, or "" when err did not come from the server.
func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// isViolationOf reports whether err is a violation of the named constraint.
func isViolationOf(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.ConstraintName == constraint
}
