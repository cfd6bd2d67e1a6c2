package api_test

import (
	"bytes"
	"context"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/api"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/testdb"
	"github.com/vatgate/vatgate/internal/token"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// testAPI is a running server over a fresh store with two merchants.
type testAPI struct {
	t      testing.TB
	url    string
	store  store.Store
	server *api.Server
	token  string // merchant A
	tokenB string // merchant B
	logs   *bytes.Buffer
}

func newTestAPI(t testing.TB, st store.Store) *testAPI {
	t.Helper()
	logs := &bytes.Buffer{}
	server := api.NewServer(st, slog.New(slog.NewJSONHandler(logs, nil)), api.Config{MaxBodyBytes: 1 << 20, OMP: testEngine(), Now: testNow})
	srv := httptest.NewServer(server)
	t.Cleanup(srv.Close)
	a := &testAPI{t: t, url: srv.URL, store: st, server: server, logs: logs}
	a.token = mustMerchantToken(t, st, "Merchant A")
	a.tokenB = mustMerchantToken(t, st, "Merchant B")
	return a
}

func mustMerchantToken(t testing.TB, st store.Store, name string) string {
	t.Helper()
	ctx := context.Background()
	m, err := st.CreateMerchant(ctx, name, store.PlanStandard)
	if err != nil {
		t.Fatal(err)
	}
	tok := token.New()
	if _, err := st.CreateToken(ctx, m.ID, token.Hash(tok), token.Redact(tok), time.Time{}); err != nil {
		t.Fatal(err)
	}
	return tok
}

// do sends a request and returns the status and body. A body is sent as
// application/json unless headers say otherwise (pairs of name, value).
func (a *testAPI) do(method, path, body string, headers ...string) (int, string) {
	a.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, a.url+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// expect checks the status of a request and returns its body.
func (a *testAPI) expect(status int, method, path, body string, headers ...string) string {
	a.t.Helper()
	got, b := a.do(method, path, body, headers...)
	if got != status {
		a.t.Fatalf("%s %s: status %d, want %d; body: %s", method, redactIn(path), got, status, b)
	}
	return b
}

func redactIn(path string) string {
	return regexp.MustCompile(`vgt_[0-9A-Za-z]{32}`).ReplaceAllStringFunc(path, token.Redact)
}

func example(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "examples", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var timestamps = regexp.MustCompile(`"(created_at|updated_at)":"[^"]+"`)

// golden compares got with testdata/golden/NAME.golden (timestamps masked);
// -update rewrites it.
func golden(t testing.TB, name, got string) {
	t.Helper()
	got = timestamps.ReplaceAllString(got, `"$1":"<time>"`)
	path := filepath.Join("testdata", "golden", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/api -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s:\n got: %s\nwant: %s", name, path, got, want)
	}
}

// forEachBackend runs f on a fresh server over each backend.
func forEachBackend(t *testing.T, f func(t *testing.T, a *testAPI)) {
	for _, b := range testdb.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			f(t, newTestAPI(t, b.Open(t)))
		})
	}
}

func basic(user, pass string) string {
	req, _ := http.NewRequest("GET", "/", nil)
	req.SetBasicAuth(user, pass)
	return req.Header.Get("Authorization")
}

func testdbSQLite(t testing.TB) store.Store { return testdb.SQLite(t) }
