package store

import (
	"context"
	"time"
)

// IdemKind is what BeginIdempotent found for a key.
type IdemKind int

const (
	// IdemStarted: the key is the caller's now (new, expired and replaced,
	// or taken over from a request whose lock ran out); run the request,
	// then FinishIdempotent or AbandonIdempotent.
	IdemStarted IdemKind = iota + 1
	// IdemReplay: the same request finished before; IdemState.Response is
	// its answer.
	IdemReplay
	// IdemInProgress: the same request is still running under a live lock.
	IdemInProgress
	// IdemMismatch: the key belongs to a different request (another hash),
	// running or finished.
	IdemMismatch
)

// IdemRequest names a request made under an idempotency key.
type IdemRequest struct {
	Key    string // the client's Idempotency-Key, unique per merchant
	Method string // kept for operators; the hash already covers it
	Path   string // the canonical path, no token in it
	Hash   string // what makes two requests "the same": method, path and body
}

// IdemResponse is a finished request's answer, as it is replayed.
type IdemResponse struct {
	Status      int
	ContentType string
	Body        []byte
}

// IdemState is the outcome of BeginIdempotent.
type IdemState struct {
	Kind     IdemKind
	Response IdemResponse // IdemReplay only
}

// IdempotencyStore keeps the requests made under idempotency keys, so that a
// client's retry of a write gets the first answer back instead of writing
// twice. Keys are scoped per merchant: two merchants' equal keys are
// unrelated. Expiry and locks are read against the store's clock.
type IdempotencyStore interface {
	// BeginIdempotent claims the merchant's key for req, atomically: no row,
	// or one past its expiry, becomes a running row (expiring ttl from now,
	// locked for lockFor) and IdemStarted; a running row with req's hash
	// whose lock ran out (its server died mid-request) is taken over, reset
	// as a new claim, IdemStarted; a running row with req's hash under a
	// live lock is IdemInProgress; a finished row with req's hash is
	// IdemReplay with its answer; any unexpired row with another hash is
	// IdemMismatch. ErrNotFound when the merchant does not exist.
	BeginIdempotent(ctx context.Context, merchantID int64, req IdemRequest, ttl, lockFor time.Duration) (IdemState, error)
	// FinishIdempotent records the answer of the running claim of key with
	// requestHash and marks it done; the row keeps its expiry. ErrNotFound
	// when there is no such running claim (abandoned, finished, or expired
	// and purged).
	FinishIdempotent(ctx context.Context, merchantID int64, key, requestHash string, resp IdemResponse) error
	// AbandonIdempotent deletes the running claim of key with requestHash,
	// so that the request may be made again with the same key; a row that
	// is not such a claim is left alone, and that is no error.
	AbandonIdempotent(ctx context.Context, merchantID int64, key, requestHash string) error
	// PurgeIdempotencyKeys deletes the rows of every merchant that expired
	// before the given time and says how many. Expired rows are ignored by
	// BeginIdempotent anyway; purging only reclaims their space.
	PurgeIdempotencyKeys(ctx context.Context, before time.Time) (int, error)
}

// IdemRecord is a stored key as a backend reads it inside BeginIdempotent's
// transaction, to apply the one rule both backends share (Decide).
type IdemRecord struct {
	Hash        string
	Done        bool
	Response    IdemResponse // when Done
	ExpiresAt   time.Time
	LockedUntil time.Time // when running
}

// Decide is BeginIdempotent's rule for a stored record and a request with
// hash at now: IdemStarted means the caller must (re)claim the row.
func (r IdemRecord) Decide(hash string, now time.Time) IdemState {
	switch {
	case !now.Before(r.ExpiresAt):
		return IdemState{Kind: IdemStarted} // expired: as if there were none
	case r.Hash != hash:
		return IdemState{Kind: IdemMismatch}
	case r.Done:
		return IdemState{Kind: IdemReplay, Response: r.Response}
	case now.Before(r.LockedUntil):
		return IdemState{Kind: IdemInProgress}
	}
	return IdemState{Kind: IdemStarted} // its request died with its lock: take over
}
