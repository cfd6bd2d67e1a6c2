package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/token"
)

// token rotate prints a new token alone on the last line; the old one keeps
// working for the overlap (24h unless --overlap says otherwise), then stops.
func TestTokenRotate(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "cli.db")
	out, _, err := vatgate(t, "merchant", "create", "--name", "Shop", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	first := lastLine(out)

	before := time.Now()
	out, _, err = vatgate(t, "token", "rotate", "1", "--db", db)
	if err != nil {
		t.Fatalf("token rotate: %v", err)
	}
	second := lastLine(out)
	if !token.LooksLikeToken(second) || second == first || strings.Count(out, second) != 1 ||
		!strings.Contains(out, "token 2 replaces token 1 of merchant 1, which keeps working until ") {
		t.Fatalf("token rotate printed:\n%s", out)
	}
	st := openTestStore(t, db)
	for _, tok := range []string{first, second} {
		if m, err := st.Authenticate(t.Context(), token.Hash(tok)); err != nil || m.ID != 1 {
			t.Errorf("%s during the overlap: merchant %d, %v", token.Redact(tok), m.ID, err)
		}
	}
	ts, err := st.ListTokens(t.Context(), 1)
	if err != nil || len(ts) != 2 {
		t.Fatalf("ListTokens: %v %+v", err, ts)
	}
	if exp := ts[0].ExpiresAt; exp.Before(before.Add(24*time.Hour).Add(-time.Second)) || exp.After(time.Now().Add(24*time.Hour)) {
		t.Errorf("old token expires at %v, want 24h from the rotation", exp)
	}
	if !strings.Contains(out, stamp(ts[0].ExpiresAt)) {
		t.Errorf("the old token's end is not printed:\n%s", out)
	}
	if !ts[1].ExpiresAt.IsZero() {
		t.Errorf("new token expires at %v, want never", ts[1].ExpiresAt)
	}

	// --overlap 0: the old token stops at once; flags go either side.
	out, _, err = vatgate(t, "token", "rotate", "--overlap", "0s", "--db", db, "2")
	third := lastLine(out)
	if err != nil || !token.LooksLikeToken(third) || !strings.Contains(out, "token 3 replaces token 2 of merchant 1, which no longer works;") {
		t.Fatalf("token rotate --overlap 0s: %v\n%s", err, out)
	}
	if _, err := st.Authenticate(t.Context(), token.Hash(second)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("token rotated without overlap still works: %v", err)
	}
	if _, err := st.Authenticate(t.Context(), token.Hash(third)); err != nil {
		t.Errorf("its replacement: %v", err)
	}
	out, _, err = vatgate(t, "token", "rotate", "3", "--overlap", "90m", "--db", db)
	if err != nil || !strings.Contains(out, "token 4 replaces token 3") {
		t.Fatalf("token rotate --overlap 90m: %v\n%s", err, out)
	}
	if ts, _ := st.ListTokens(t.Context(), 1); ts[2].ExpiresAt.After(time.Now().Add(90*time.Minute)) || ts[2].ExpiresAt.Before(time.Now().Add(89*time.Minute)) {
		t.Errorf("--overlap 90m: old token expires at %v", ts[2].ExpiresAt)
	}

	// A missing or revoked token cannot be rotated.
	if _, _, err := vatgate(t, "token", "revoke", "4", "--db", db); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"4", "99"} {
		_, _, err := vatgate(t, "token", "rotate", id, "--db", db)
		if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "no live token with id "+id) {
			t.Errorf("rotate %s: %v", id, err)
		}
	}
	// Usage mistakes.
	for _, args := range [][]string{
		{"token", "rotate", "--db", db},
		{"token", "rotate", "x", "--db", db},
		{"token", "rotate", "1", "--overlap", "-1h", "--db", db},
	} {
		if _, _, err := vatgate(t, args...); err == nil || exitCode(err) != 2 {
			t.Errorf("vatgate %v: %v, want a usage error", args, err)
		}
	}
	// Flags the flag package refuses (as every command's are).
	for _, args := range [][]string{
		{"token", "rotate", "1", "--overlap", "soon", "--db", db},
		{"token", "create", "1", "--overlap", "1h", "--db", db},
	} {
		if _, _, err := vatgate(t, args...); err == nil || !strings.Contains(err.Error(), "-overlap") {
			t.Errorf("vatgate %v: %v, want a flag error", args, err)
		}
	}
	if ts, _ := st.ListTokens(t.Context(), 1); len(ts) != 4 {
		t.Errorf("refused commands made tokens: %+v", ts)
	}
}

// openTestStore opens the database a test's commands use, closed at cleanup.
func openTestStore(t *testing.T, db string) store.Store {
	t.Helper()
	st, err := openStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
