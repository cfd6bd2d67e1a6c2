// Package store is vatgate's one storage seam: the Store interface every
// backend implements (store/sqlite, store/postgres), the records it keeps
// beside the domain types, and the sentinel errors each backend turns its
// driver's errors into.
//
// Every method is one unit of work with its own transaction, and every query
// about a merchant's records takes the merchant id, so a record of another
// merchant answers exactly like a missing one (ErrNotFound).
package store

import (
	"context"
	"errors"
	"time"

	"github.com/vatgate/vatgate/internal/invoicing"
)

var (
	// ErrNotFound: no such record for this merchant (or at all).
	ErrNotFound = errors.New("not found")
	// ErrConflict: a uniqueness rule refused the write.
	ErrConflict = errors.New("conflict")
	// ErrMigrationsPending: the database answers, but its schema lacks
	// migrations this build has (Ready; run Migrate).
	ErrMigrationsPending = errors.New("migrations pending")
	// ErrUnavailable: the database cannot be reached or will not serve
	// for now (connection refused or lost, shutting down or starting up,
	// locked by another process past the busy timeout). Nothing can be said
	// of a write that failed so; a retry later may succeed.
	ErrUnavailable = errors.New("database unavailable")
	// ErrStorageFull: the database's disk is full; the write was rolled
	// back. Reads still work, and writes again once space is freed.
	ErrStorageFull = errors.New("storage full")
)

// Plans a merchant can be on; they set the OMP call limit.
const (
	PlanStandard = "standard"
	PlanAdvanced = "advanced"
)

// Merchant is an account; its records are invisible to every other merchant.
type Merchant struct {
	ID        int64
	Name      string
	Plan      string
	CreatedAt time.Time
}

// Token is an API credential. The store keeps only its hash and a redacted
// hint; the token itself is shown once, when it is made.
type Token struct {
	ID         int64
	MerchantID int64
	Hash       string // token.Hash of the secret
	Hint       string // token.Redact of the secret, for listings
	CreatedAt  time.Time
	ExpiresAt  time.Time // zero: never
	RevokedAt  time.Time // zero: not revoked
}

// ListOptions select one page of a list, oldest (lowest id) first.
type ListOptions struct {
	AfterID      int64     // cursor: only ids greater than this
	Limit        int       // 1..100; the caller enforces the bounds
	UpdatedSince time.Time // zero: no filter; else updated_at >= UpdatedSince
}

// DocumentResult is the outcome of one document of a bulk upload: the stored
// document, or Err, a *invoicing.ValidationError for a refusal only the
// database can decide (the number is taken: rule "unique"; the customer_id
// is not one of the merchant's customers: rule "exists").
type DocumentResult struct {
	Document invoicing.Document
	Err      error
}

// Store is implemented by every backend and verified by storetest.Run.
type Store interface {
	// Migrate applies pending migrations; it is safe to run from several
	// instances at once.
	Migrate(ctx context.Context) error
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// Ready reports whether the store can serve: the database answers and
	// every migration of this build is applied (else an error wrapping
	// ErrMigrationsPending that names them). It only reads, and does not
	// wait behind writers.
	Ready(ctx context.Context) error
	// Close releases the database.
	Close() error

	CreateMerchant(ctx context.Context, name, plan string) (Merchant, error)
	ListMerchants(ctx context.Context) ([]Merchant, error)
	// CreateToken stores a token's hash and hint; ErrNotFound when the
	// merchant does not exist.
	CreateToken(ctx context.Context, merchantID int64, hash, hint string, expiresAt time.Time) (Token, error)
	ListTokens(ctx context.Context, merchantID int64) ([]Token, error)
	// RevokeToken revokes a token by id; ErrNotFound when there is none.
	RevokeToken(ctx context.Context, tokenID int64) error
	// RotateToken replaces a token, in one transaction: it stores a new
	// token (newHash, newHint, no expiry) for the same merchant and makes
	// the old one expire overlap from now, unless it expires sooner, so
	// both work during the overlap. ErrNotFound when the old token is
	// missing or revoked; ErrConflict when newHash is taken (nothing
	// changes then).
	RotateToken(ctx context.Context, tokenID int64, newHash, newHint string, overlap time.Duration) (Token, error)
	// Authenticate finds the merchant whose live (not revoked, not expired)
	// token has this hash; ErrNotFound otherwise.
	Authenticate(ctx context.Context, hash string) (Merchant, error)

	// CreateCustomers stores valid customers in one transaction, in order,
	// and returns them with their ids and timestamps.
	CreateCustomers(ctx context.Context, merchantID int64, cs []invoicing.Customer) ([]invoicing.Customer, error)
	// UpdateCustomer applies in to the stored customer atomically and
	// returns it before and after; ErrNotFound, or the input's
	// *invoicing.ValidationError.
	UpdateCustomer(ctx context.Context, merchantID, id int64, in invoicing.CustomerInput) (before, after invoicing.Customer, err error)
	GetCustomer(ctx context.Context, merchantID, id int64) (invoicing.Customer, error)
	ListCustomers(ctx context.Context, merchantID int64, opt ListOptions) ([]invoicing.Customer, error)

	// CreateDocuments stores valid documents in one transaction, each on its
	// own: one refused (see DocumentResult) does not stop the others. A
	// document with no number gets the next of its merchant's gapless
	// sequence for its kind, skipping numbers already taken.
	CreateDocuments(ctx context.Context, merchantID int64, docs []invoicing.Document) ([]DocumentResult, error)
	// UpdateDocument applies in to the stored document of kind k atomically
	// (concurrent updates of one document are serialized, none is lost) and
	// returns it before and after; ErrNotFound, or a
	// *invoicing.ValidationError (input refused, number taken, unknown
	// customer_id).
	UpdateDocument(ctx context.Context, merchantID int64, k invoicing.Kind, id int64, in invoicing.DocumentInput) (before, after invoicing.Document, err error)
	GetDocument(ctx context.Context, merchantID int64, k invoicing.Kind, id int64) (invoicing.Document, error)
	ListDocuments(ctx context.Context, merchantID int64, k invoicing.Kind, opt ListOptions) ([]invoicing.Document, error)

	EDocumentStore
	IdempotencyStore
}
