package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/vatgate/vatgate/internal/api"
	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/metrics"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/store/sqlite"
)

// syncBuffer is a log written by the server's goroutines and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// logLines parses a JSON log into its entries.
func logLines(t testing.TB, logs string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(logs), "\n") {
		if line == "" {
			continue
		}
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatalf("log line is not JSON: %s", line)
		}
		out = append(out, entry)
	}
	return out
}

// opsAPI is a test server with metrics served on /metrics, over st, its
// log going to logs.
func opsAPI(t testing.TB, st store.Store, cfg api.Config) (*httptest.Server, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	cfg.MaxBodyBytes, cfg.OMP, cfg.Now = 1<<20, testEngine(), testNow
	srv := httptest.NewServer(api.NewServer(st, slog.New(slog.NewJSONHandler(logs, nil)), cfg))
	t.Cleanup(srv.Close)
	return srv, logs
}

func get(t testing.TB, url string, headers ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp, b.String()
}

var generatedID = regexp.MustCompile(`^[0-9a-f]{16}$`)

// A client's X-Request-Id is kept when it is a short safe token, else
// replaced; either way it is answered and on the access log line.
func TestRequestID(t *testing.T) {
	srv, logs := opsAPI(t, testdbSQLite(t), api.Config{})
	for _, c := range []struct {
		given string
		keep  bool
	}{
		{"", false},
		{"abc-DEF_123", true},
		{strings.Repeat("a", 64), true},
		{strings.Repeat("a", 65), false},
		{"has space", false},
		{"semi;colon", false},
		{`"quoted"`, false},
		{"ünïcode", false},
		{"vgt_" + strings.Repeat("A", 32), false}, // looks like a token: never logged
	} {
		var headers []string
		if c.given != "" {
			headers = []string{"X-Request-Id", c.given}
		}
		resp, _ := get(t, srv.URL+"/healthz", headers...)
		got := resp.Header.Get("X-Request-Id")
		if c.keep && got != c.given || !c.keep && !generatedID.MatchString(got) {
			t.Errorf("X-Request-Id %q answered %q", c.given, got)
		}
		entries := logLines(t, logs.String())
		if last := entries[len(entries)-1]; last["request_id"] != got {
			t.Errorf("X-Request-Id %q: access log has request_id %v, want %q", c.given, last["request_id"], got)
		}
	}
	if strings.Contains(logs.String(), "vgt_"+strings.Repeat("A", 32)) {
		t.Error("a token sent as X-Request-Id reached the log")
	}
}

// failingStore makes a store fail, panic or log deep down on the customer
// routes, the way a broken database or a bug would.
type failingStore struct {
	store.Store
	log *slog.Logger
}

func (f failingStore) ListCustomers(ctx context.Context, merchantID int64, opt store.ListOptions) ([]invoicing.Customer, error) {
	f.log.InfoContext(ctx, "deep down", "merchant_id", merchantID)
	return nil, errors.New("disk on fire")
}

func (f failingStore) GetCustomer(ctx context.Context, merchantID, id int64) (invoicing.Customer, error) {
	panic("bug in GetCustomer")
}

// Every line logged while serving a request carries its request id: the
// access log, the internal error and panic lines, and a line logged deep
// down with the request's context through a logger on api.LogHandler.
func TestRequestIDOnEveryLogLine(t *testing.T) {
	st := testdbSQLite(t)
	tok := mustMerchantToken(t, st, "Merchant A")
	logs := &syncBuffer{}
	deep := slog.New(api.LogHandler(slog.NewJSONHandler(logs, nil)))
	srv := httptest.NewServer(api.NewServer(failingStore{st, deep}, slog.New(slog.NewJSONHandler(logs, nil)), api.Config{}))
	t.Cleanup(srv.Close)

	resp, body := get(t, srv.URL+root+"/customers", "Authorization", "Bearer "+tok, "X-Request-Id", "req-internal")
	if resp.StatusCode != 500 || !strings.Contains(body, "(request id req-internal)") || strings.Contains(body, "disk on fire") {
		t.Errorf("internal error: %d %s", resp.StatusCode, body)
	}
	resp, body = get(t, srv.URL+root+"/customers/1", "Authorization", "Bearer "+tok, "X-Request-Id", "req-panic")
	if resp.StatusCode != 500 || !strings.Contains(body, "(request id req-panic)") {
		t.Errorf("panic: %d %s", resp.StatusCode, body)
	}
	entries := logLines(t, logs.String())
	// Once per line: NewServer did not wrap a handler twice.
	if n := strings.Count(logs.String(), `"request_id"`); n != len(entries) {
		t.Fatalf("%d request_id attributes on %d lines", n, len(entries))
	}
	seen := map[string]bool{}
	for _, e := range entries {
		id, _ := e["request_id"].(string)
		if id == "" {
			t.Errorf("log line without request_id: %v", e)
		}
		seen[e["msg"].(string)+" "+id] = true
	}
	for _, want := range []string{"deep down req-internal", "internal error req-internal", "request req-internal", "panic req-panic", "request req-panic"} {
		if _, ok := seen[want]; !ok {
			t.Errorf("no %q line; lines: %v", want, seen)
		}
	}
	// A logger on LogHandler outside any request logs no request_id.
	deep.Info("outside")
	entries = logLines(t, logs.String())
	if last := entries[len(entries)-1]; last["msg"] != "outside" || last["request_id"] != nil {
		t.Errorf("outside a request: %v", last)
	}
}

// /readyz answers ready on a migrated store, 503 with the versions on a
// database nobody migrated, and 503 "database unreachable" when the
// database does not answer; /healthz answers ok throughout.
func TestReadyz(t *testing.T) {
	srv, _ := opsAPI(t, testdbSQLite(t), api.Config{})
	if resp, body := get(t, srv.URL+"/readyz"); resp.StatusCode != 200 || body != `{"status":"ready"}`+"\n" {
		t.Errorf("migrated: %d %s", resp.StatusCode, body)
	}

	empty, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "empty.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { empty.Close() })
	srv, logs := opsAPI(t, empty, api.Config{})
	resp, body := get(t, srv.URL+"/readyz")
	if resp.StatusCode != 503 || !strings.HasPrefix(body, `{"status":503,"message":"migrations pending: versions 1, 2`) ||
		strings.Contains(body, "sqlite") {
		t.Errorf("unmigrated: %d %s", resp.StatusCode, body)
	}
	if !strings.Contains(logs.String(), `"msg":"not ready"`) {
		t.Errorf("not logged:\n%s", logs)
	}
	if resp, _ := get(t, srv.URL+"/healthz"); resp.StatusCode != 200 {
		t.Errorf("healthz unmigrated: %d", resp.StatusCode)
	}

	closed := testdbSQLite(t)
	closed.Close()
	srv, _ = opsAPI(t, closed, api.Config{})
	if resp, body := get(t, srv.URL+"/readyz"); resp.StatusCode != 503 || body != `{"status":503,"message":"database unreachable"}`+"\n" {
		t.Errorf("closed: %d %s", resp.StatusCode, body)
	}
	if resp, _ := get(t, srv.URL+"/healthz"); resp.StatusCode != 200 {
		t.Errorf("healthz closed: %d", resp.StatusCode)
	}
}

// /metrics counts requests by route pattern, never by raw path, and
// exports the queue depth; without ServeMetrics the route does not exist
// while requests are still counted.
func TestMetrics(t *testing.T) {
	st := testdbSQLite(t)
	reg := metrics.New(st)
	srv, _ := opsAPI(t, st, api.Config{Metrics: reg, ServeMetrics: true})
	a := &testAPI{t: t, url: srv.URL, store: st}
	a.token = mustMerchantToken(t, st, "Merchant A")
	a.expect(200, "POST", root+"/customers/"+a.token, example(t, "customers_bulk"))
	a.expect(200, "GET", "/api/app/l_invoice/customers/1/"+a.token+"/", "")
	a.expect(200, "GET", root+"/customers/"+a.token+"/2", "")
	a.expect(404, "GET", root+"/customers/"+a.token+"/424242", "")
	a.expect(404, "GET", root+"/nowhere/"+a.token, "")
	a.expect(405, "DELETE", root+"/customers/"+a.token, "")
	a.expect(200, "POST", root+"/e_documents/invoices/"+a.token, example(t, "e_invoices_single"))

	resp, text := get(t, srv.URL+"/metrics")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, l := range []string{
		`http_requests_total{method="POST",route="POST /api/1/app/l_invoice/customers",status="200"} 1`,
		`http_requests_total{method="GET",route="GET /api/1/app/l_invoice/customers/{id}",status="200"} 2`,
		`http_requests_total{method="GET",route="GET /api/1/app/l_invoice/customers/{id}",status="404"} 1`,
		`http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`http_requests_total{method="DELETE",route="unmatched",status="405"} 1`,
		`http_requests_total{method="POST",route="POST /api/1/app/l_invoice/e_documents/invoices",status="200"} 1`,
		`http_request_duration_seconds_count{method="GET",route="GET /api/1/app/l_invoice/customers/{id}"} 3`,
		`vatgate_transmission_queue_depth 1`,
	} {
		if !strings.Contains(text, "\n"+l+"\n") {
			t.Errorf("/metrics lacks %s", l)
		}
	}
	for _, leak := range []string{a.token, a.token[4:], "424242", "nowhere", "/customers/1", "/customers/2"} {
		if strings.Contains(text, leak) {
			t.Errorf("/metrics shows %q", leak)
		}
	}
	for _, name := range []string{"go_goroutines", "vatgate_transmissions_total", "vatgate_webhook_deliveries_total"} {
		if !strings.Contains(text, "\n# TYPE "+name+" ") {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	// The scrape itself is counted on its own route.
	if _, text := get(t, srv.URL+"/metrics"); !strings.Contains(text, `http_requests_total{method="GET",route="GET /metrics",status="200"} 1`) {
		t.Error("the scrape is not counted")
	}

	// Served elsewhere (serve --metrics-addr): no /metrics here, requests
	// still counted.
	reg = metrics.New(st)
	srv, _ = opsAPI(t, st, api.Config{Metrics: reg})
	if resp, body := get(t, srv.URL+"/metrics"); resp.StatusCode != 404 || !strings.Contains(body, "no such route") {
		t.Errorf("/metrics without ServeMetrics: %d %s", resp.StatusCode, body)
	}
	get(t, srv.URL+"/readyz")
	rec := httptest.NewRecorder()
	reg.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(rec.Body.String(), `http_requests_total{method="GET",route="GET /readyz",status="200"} 1`) {
		t.Errorf("requests not counted without ServeMetrics:\n%s", rec.Body)
	}
}
