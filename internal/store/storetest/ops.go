package storetest

import (
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/token"
)

// opsTests cover what operators use: readiness and token rotation. A store
// that is not ready (no migrations, an older schema) is the backends' own
// test: Run's stores are always migrated.
var opsTests = []test{
	{"Ready", testReady},
	{"RotateToken", testRotateToken},
	{"RotateTokenKeepsEarlierExpiry", testRotateKeepsEarlierExpiry},
	{"RotateTokenNotFound", testRotateNotFound},
	{"RotateTokenConflict", testRotateConflict},
}

// MustRotateToken rotates tokenID to a fresh random token with overlap and
// returns the stored record and the new secret.
func MustRotateToken(tb testing.TB, s store.Store, tokenID int64, overlap time.Duration) (store.Token, string) {
	tb.Helper()
	secret := token.New()
	tok, err := s.RotateToken(tb.Context(), tokenID, token.Hash(secret), token.Redact(secret), overlap)
	if err != nil {
		tb.Fatalf("RotateToken: %v", err)
	}
	return tok, secret
}

// testReady: a fresh migrated store is ready, and readiness changes nothing.
func testReady(t *testing.T, s store.Store) {
	for range 2 {
		if err := s.Ready(t.Context()); err != nil {
			t.Fatalf("Ready on a migrated store: %v", err)
		}
	}
	MustCreateMerchant(t, s)
}

// testRotateToken: the new token belongs to the same merchant, has no
// expiry, and both authenticate; the old one now expires overlap from now.
func testRotateToken(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	other := MustCreateMerchant(t, s)
	old, _ := MustCreateToken(t, s, m.ID, time.Time{})
	untouched, _ := MustCreateToken(t, s, other.ID, time.Time{})
	before := micro(time.Now())
	rotated, secret := MustRotateToken(t, s, old.ID, 24*time.Hour)
	after := micro(time.Now())

	if rotated.ID <= old.ID || rotated.MerchantID != m.ID || rotated.Hash != token.Hash(secret) ||
		rotated.Hint != token.Redact(secret) || !rotated.ExpiresAt.IsZero() || !rotated.RevokedAt.IsZero() {
		t.Errorf("rotated to %+v, want a new token of merchant %d with the given hash and hint, no expiry", rotated, m.ID)
	}
	if rotated.CreatedAt.Before(before) || rotated.CreatedAt.After(after) {
		t.Errorf("created_at %v, want between %v and %v", rotated.CreatedAt, before, after)
	}
	for _, c := range []struct {
		name string
		hash string
	}{{"old", old.Hash}, {"new", rotated.Hash}} {
		got, err := s.Authenticate(ctx, c.hash)
		if err != nil {
			t.Fatalf("Authenticate with the %s token during the overlap: %v", c.name, err)
		}
		wantEqual(t, "Authenticate ("+c.name+")", m, got)
	}
	list, err := s.ListTokens(ctx, m.ID)
	if err != nil {
		t.Fatalf("ListTokens: %v", err)
	}
	if len(list) != 2 {
		t.Fatalf("ListTokens: %+v, want the old and the new token", list)
	}
	if exp := list[0].ExpiresAt; exp.Before(rotated.CreatedAt.Add(24*time.Hour)) || exp.After(after.Add(24*time.Hour)) {
		t.Errorf("old token expires at %v, want 24h after the rotation (%v)", exp, rotated.CreatedAt)
	}
	wantEqual(t, "the new token as listed", rotated, list[1])
	// Another merchant's token is left alone.
	others, err := s.ListTokens(ctx, other.ID)
	if err != nil {
		t.Fatalf("ListTokens: %v", err)
	}
	wantEqual(t, "another merchant's tokens", []store.Token{untouched}, others)

	// A zero overlap ends the old token at once.
	again, _ := MustRotateToken(t, s, rotated.ID, 0)
	_, err = s.Authenticate(ctx, rotated.Hash)
	wantErrIs(t, "Authenticate with a token rotated without overlap", err, store.ErrNotFound)
	if _, err := s.Authenticate(ctx, again.Hash); err != nil {
		t.Errorf("Authenticate with its replacement: %v", err)
	}
}

// testRotateKeepsEarlierExpiry: rotation never lengthens a token's life.
func testRotateKeepsEarlierExpiry(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	soon := micro(time.Now().Add(time.Hour))
	old, _ := MustCreateToken(t, s, m.ID, soon)
	MustRotateToken(t, s, old.ID, 24*time.Hour)
	list, err := s.ListTokens(t.Context(), m.ID)
	if err != nil {
		t.Fatalf("ListTokens: %v", err)
	}
	if !list[0].ExpiresAt.Equal(soon) {
		t.Errorf("old token expires at %v, want its own earlier expiry %v", list[0].ExpiresAt, soon)
	}
}

// testRotateNotFound: a missing or revoked token cannot be rotated, and
// nothing is stored for it.
func testRotateNotFound(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	revoked, _ := MustCreateToken(t, s, m.ID, time.Time{})
	if err := s.RevokeToken(ctx, revoked.ID); err != nil {
		t.Fatalf("RevokeToken: %v", err)
	}
	for _, c := range []struct {
		name string
		id   int64
	}{{"a missing token", revoked.ID + 1000}, {"a revoked token", revoked.ID}} {
		secret := token.New()
		_, err := s.RotateToken(ctx, c.id, token.Hash(secret), token.Redact(secret), time.Hour)
		wantErrIs(t, "RotateToken of "+c.name, err, store.ErrNotFound)
		_, err = s.Authenticate(ctx, token.Hash(secret))
		wantErrIs(t, "Authenticate with the token of a refused rotation", err, store.ErrNotFound)
	}
	list, err := s.ListTokens(ctx, m.ID)
	if err != nil {
		t.Fatalf("ListTokens: %v", err)
	}
	if len(list) != 1 || !list[0].ExpiresAt.IsZero() {
		t.Errorf("after refused rotations: %+v, want the revoked token alone, unchanged", list)
	}
}

// testRotateConflict: a new hash already stored refuses the rotation whole:
// the old token keeps its life.
func testRotateConflict(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	old, _ := MustCreateToken(t, s, m.ID, time.Time{})
	taken, _ := MustCreateToken(t, s, m.ID, time.Time{})
	_, err := s.RotateToken(ctx, old.ID, taken.Hash, "hint", time.Hour)
	wantErrIs(t, "RotateToken to a hash already stored", err, store.ErrConflict)
	list, err := s.ListTokens(ctx, m.ID)
	if err != nil {
		t.Fatalf("ListTokens: %v", err)
	}
	wantEqual(t, "tokens after a refused rotation", []store.Token{old, taken}, list)
}

// testClockedTokenRotation: both tokens work until the overlap ends on the
// store's clock, then only the new one does.
func testClockedTokenRotation(t *testing.T, c *Clock, s store.Store, _ func() store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	old, _ := MustCreateToken(t, s, m.ID, time.Time{})
	rotated, _ := MustRotateToken(t, s, old.ID, 24*time.Hour)
	if want := micro(c.Now()); !rotated.CreatedAt.Equal(want) {
		t.Errorf("created_at %v, want the store's clock %v", rotated.CreatedAt, want)
	}
	list, err := s.ListTokens(ctx, m.ID)
	if err != nil {
		t.Fatalf("ListTokens: %v", err)
	}
	if want := micro(c.Now()).Add(24 * time.Hour); !list[0].ExpiresAt.Equal(want) {
		t.Errorf("old token expires at %v, want %v", list[0].ExpiresAt, want)
	}
	authenticates := func(what string, tok store.Token, want bool) {
		t.Helper()
		_, err := s.Authenticate(ctx, tok.Hash)
		if want && err != nil {
			t.Errorf("%s: Authenticate: %v", what, err)
		}
		if !want {
			wantErrIs(t, what+": Authenticate", err, store.ErrNotFound)
		}
	}
	c.Advance(24*time.Hour - time.Microsecond)
	authenticates("the old token at the overlap's last instant", old, true)
	authenticates("the new token", rotated, true)
	c.Advance(time.Microsecond)
	authenticates("the old token once the overlap is over", old, false)
	authenticates("the new token once the overlap is over", rotated, true)
	c.Advance(365 * 24 * time.Hour)
	authenticates("the new token a year on", rotated, true)
}
