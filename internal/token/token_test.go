package token

import (
	"strings"
	"testing"
)

func TestNew(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		tok := New()
		if !LooksLikeToken(tok) {
			t.Fatalf("New() = %q does not look like a token", tok)
		}
		if strings.Trim(tok, "0123456789") == "" {
			t.Fatalf("token %q is all digits", tok)
		}
		if seen[tok] {
			t.Fatalf("duplicate token %q", tok)
		}
		seen[tok] = true
	}
}

func TestHash(t *testing.T) {
	a, b := New(), New()
	if Hash(a) == Hash(b) || Hash(a) != Hash(a) || len(Hash(a)) != 64 || strings.Contains(Hash(a), a) {
		t.Fatal("Hash is not a stable digest")
	}
}

func TestRedact(t *testing.T) {
	tok := "vgt_abcdefghijklmnopqrstuvwxyz012345"
	if got := Redact(tok); got != "vgt_…2345" {
		t.Errorf("Redact = %q", got)
	}
	if got := Redact("short"); got != "…" {
		t.Errorf("Redact(short) = %q", got)
	}
	if got := Redact("your-access-token"); got != "…oken" {
		t.Errorf("Redact(foreign) = %q", got)
	}
}

func TestLooksLikeToken(t *testing.T) {
	for s, want := range map[string]bool{
		New(): true, "vgt_": false, "1234": false, "vgt_abcdefghijklmnopqrstuvwxyz01234!": false,
		"xyz_abcdefghijklmnopqrstuvwxyz012345": false,
	} {
		if got := LooksLikeToken(s); got != want {
			t.Errorf("LooksLikeToken(%q) = %v", s, got)
		}
	}
}
