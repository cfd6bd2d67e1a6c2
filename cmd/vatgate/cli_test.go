package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vatgate/vatgate/internal/token"
)

// vatgate runs the command in-process with an empty environment.
func vatgate(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"vatgate"}, args...), func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), err
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestMerchantAndTokenCommands(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "cli.db")
	out, _, err := vatgate(t, "merchant", "create", "--name", "Acme Shop", "--plan", "advanced", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	tok := lastLine(out)
	if !token.LooksLikeToken(tok) || !strings.Contains(out, `merchant 1 "Acme Shop" created (plan advanced)`) {
		t.Fatalf("merchant create printed:\n%s", out)
	}
	out, _, err = vatgate(t, "merchant", "list", "--db", db)
	if err != nil || !strings.Contains(out, "Acme Shop") || !strings.Contains(out, "advanced") {
		t.Fatalf("merchant list: %v\n%s", err, out)
	}
	// Flags after the positional argument work too.
	out, _, err = vatgate(t, "token", "create", "1", "--db", db)
	tok2 := lastLine(out)
	if err != nil || !token.LooksLikeToken(tok2) || tok2 == tok {
		t.Fatalf("token create: %v\n%s", err, out)
	}
	out, _, err = vatgate(t, "token", "list", "--db", db, "1")
	if err != nil || strings.Contains(out, tok) || strings.Contains(out, tok2) || !strings.Contains(out, token.Redact(tok2)) {
		t.Fatalf("token list must show hints only: %v\n%s", err, out)
	}
	if out, _, err = vatgate(t, "token", "revoke", "2", "--db", db); err != nil || !strings.Contains(out, "token 2 revoked") {
		t.Fatalf("token revoke: %v\n%s", err, out)
	}
	if out, _, _ = vatgate(t, "token", "list", "1", "--db", db); strings.Count(out, "\n") != 3 || !strings.Contains(out, "-\n") {
		t.Fatalf("token list after revoke:\n%s", out)
	}
	if _, _, err = vatgate(t, "token", "revoke", "99", "--db", db); err == nil || !strings.Contains(err.Error(), "no token with id 99") {
		t.Fatalf("revoke of a missing token: %v", err)
	}
	if _, _, err = vatgate(t, "token", "create", "42", "--db", db); err == nil || !strings.Contains(err.Error(), "no merchant with id 42") {
		t.Fatalf("token for a missing merchant: %v", err)
	}
}

func TestUsageErrors(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "cli.db")
	for _, args := range [][]string{
		{}, {"frobnicate"}, {"merchant"}, {"merchant", "create", "--db", db},
		{"merchant", "create", "--name", "X", "--plan", "gold", "--db", db},
		{"token", "create", "--db", db}, {"token", "create", "abc", "--db", db}, {"token", "explode", "1"},
	} {
		_, _, err := vatgate(t, args...)
		if err == nil || exitCode(err) != 2 {
			t.Errorf("vatgate %v: err %v, exit %d; want a usage error", args, err, exitCode(err))
		}
	}
	if _, _, err := vatgate(t, "migrate", "--db", "mysql://x"); err == nil || exitCode(err) != 1 {
		t.Errorf("unsupported database: %v", err)
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:secret@h/db": "postgres://u:***@h/db",
		"postgres://u@h/db":        "postgres://u@h/db",
		"sqlite:x.db":              "sqlite:x.db",
	} {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q", in, got)
		}
	}
}
