package storetest

import (
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/token"
)

// MustCreateMerchant creates a merchant on the standard plan.
func MustCreateMerchant(tb testing.TB, s store.Store) store.Merchant {
	tb.Helper()
	m, err := s.CreateMerchant(tb.Context(), "Merchant", store.PlanStandard)
	if err != nil {
		tb.Fatalf("CreateMerchant: %v", err)
	}
	return m
}

// MustCreateToken stores a fresh random token for merchantID and returns the
// stored record and the secret (which the store never sees).
func MustCreateToken(tb testing.TB, s store.Store, merchantID int64, expiresAt time.Time) (store.Token, string) {
	tb.Helper()
	secret := token.New()
	tok, err := s.CreateToken(tb.Context(), merchantID, token.Hash(secret), token.Redact(secret), expiresAt)
	if err != nil {
		tb.Fatalf("CreateToken: %v", err)
	}
	return tok, secret
}

// micro rounds a time to what every backend keeps: microseconds, in UTC.
func micro(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

var merchantTests = []test{
	{"CreateList", testMerchantCreateList},
	{"PingMigrate", testPingMigrate},
}

var tokenTests = []test{
	{"CreateList", testTokenCreateList},
	{"CreateUnknownMerchant", testTokenUnknownMerchant},
	{"CreateDuplicateHash", testTokenDuplicateHash},
	{"Revoke", testTokenRevoke},
	{"Authenticate", testAuthenticate},
}

func testMerchantCreateList(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, err := s.CreateMerchant(ctx, "Alpha BV", store.PlanStandard)
	if err != nil {
		t.Fatalf("CreateMerchant: %v", err)
	}
	b, err := s.CreateMerchant(ctx, "Bèta GmbH", store.PlanAdvanced)
	if err != nil {
		t.Fatalf("CreateMerchant: %v", err)
	}
	if a.Name != "Alpha BV" || a.Plan != store.PlanStandard || a.CreatedAt.IsZero() {
		t.Errorf("created %+v, want name, plan and created_at set", a)
	}
	wantAscending(t, "merchants", []int64{a.ID, b.ID})
	list, err := s.ListMerchants(ctx)
	if err != nil {
		t.Fatalf("ListMerchants: %v", err)
	}
	wantEqual(t, "ListMerchants", []store.Merchant{a, b}, list)
}

// testPingMigrate checks that a migrated store answers and that migrating
// again is a no-op, as every instance of a deployment runs Migrate at start.
func testPingMigrate(t *testing.T, s store.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	MustCreateMerchant(t, s)
}

func testTokenCreateList(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	other := MustCreateMerchant(t, s)
	expires := micro(time.Now().Add(24 * time.Hour))
	forever, secret := MustCreateToken(t, s, m.ID, time.Time{})
	expiring, _ := MustCreateToken(t, s, m.ID, expires)
	MustCreateToken(t, s, other.ID, time.Time{})

	if forever.MerchantID != m.ID || forever.Hash != token.Hash(secret) || forever.Hint != token.Redact(secret) {
		t.Errorf("created %+v, want merchant %d and the given hash and hint", forever, m.ID)
	}
	if forever.CreatedAt.IsZero() || !forever.ExpiresAt.IsZero() || !forever.RevokedAt.IsZero() {
		t.Errorf("created %+v, want created_at set, no expiry, not revoked", forever)
	}
	if !expiring.ExpiresAt.Equal(expires) {
		t.Errorf("expires_at = %v, want %v", expiring.ExpiresAt, expires)
	}
	wantAscending(t, "tokens", []int64{forever.ID, expiring.ID})
	list, err := s.ListTokens(ctx, m.ID)
	if err != nil {
		t.Fatalf("ListTokens: %v", err)
	}
	wantEqual(t, "ListTokens", []store.Token{forever, expiring}, list)
}

func testTokenUnknownMerchant(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	_, err := s.CreateToken(t.Context(), m.ID+1000, token.Hash(token.New()), "hint", time.Time{})
	wantErrIs(t, "CreateToken for an unknown merchant", err, store.ErrNotFound)
}

func testTokenDuplicateHash(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	tok, _ := MustCreateToken(t, s, m.ID, time.Time{})
	_, err := s.CreateToken(t.Context(), m.ID, tok.Hash, "hint", time.Time{})
	wantErrIs(t, "CreateToken with a hash already stored", err, store.ErrConflict)
}

func testTokenRevoke(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	revoked, _ := MustCreateToken(t, s, m.ID, time.Time{})
	kept, _ := MustCreateToken(t, s, m.ID, time.Time{})
	if err := s.RevokeToken(ctx, revoked.ID); err != nil {
		t.Fatalf("RevokeToken: %v", err)
	}
	wantErrIs(t, "RevokeToken of an unknown id", s.RevokeToken(ctx, kept.ID+1000), store.ErrNotFound)

	list, err := s.ListTokens(ctx, m.ID)
	if err != nil {
		t.Fatalf("ListTokens: %v", err)
	}
	if len(list) != 2 || list[0].RevokedAt.IsZero() || !list[1].RevokedAt.IsZero() {
		t.Errorf("after revoking token %d: %+v, want only it revoked", revoked.ID, list)
	}
	_, err = s.Authenticate(ctx, revoked.Hash)
	wantErrIs(t, "Authenticate with a revoked token", err, store.ErrNotFound)
	if _, err := s.Authenticate(ctx, kept.Hash); err != nil {
		t.Errorf("Authenticate with the token not revoked: %v", err)
	}
}

func testAuthenticate(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	other := MustCreateMerchant(t, s)
	forever, _ := MustCreateToken(t, s, m.ID, time.Time{})
	live, _ := MustCreateToken(t, s, other.ID, micro(time.Now().Add(time.Hour)))
	expired, _ := MustCreateToken(t, s, m.ID, micro(time.Now().Add(-time.Second)))

	for _, c := range []struct {
		name string
		hash string
		want store.Merchant
	}{
		{"no expiry", forever.Hash, m},
		{"expires later", live.Hash, other},
	} {
		got, err := s.Authenticate(ctx, c.hash)
		if err != nil {
			t.Fatalf("Authenticate (%s): %v", c.name, err)
		}
		wantEqual(t, "Authenticate ("+c.name+")", c.want, got)
	}
	_, err := s.Authenticate(ctx, expired.Hash)
	wantErrIs(t, "Authenticate with an expired token", err, store.ErrNotFound)
	_, err = s.Authenticate(ctx, token.Hash(token.New()))
	wantErrIs(t, "Authenticate with an unknown hash", err, store.ErrNotFound)
}
