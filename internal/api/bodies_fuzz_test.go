package api_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/api"
)

// bodyRoutes are the routes FuzzJSONBodies sends bodies to: every route
// that reads a JSON body but OMP's, which FuzzOMPDecode has.
var bodyRoutes = []struct{ method, path string }{
	{"POST", root + "/customers"},
	{"POST", root + "/invoices"},
	{"POST", root + "/credit_notes"},
	{"POST", root + "/e_documents/invoices"},
	{"POST", root + "/e_documents/credit-notes"},
	{"PUT", root + "/customers/1"},
	{"PUT", root + "/invoices/2"},
	{"PUT", root + "/credit_notes/4"},
	{"POST", root + "/webhooks"},
}

// FuzzJSONBodies sends arbitrary bodies through the real handlers of every
// JSON body route (authentication, the strict check, the readers, the
// domain's rules, the store): whatever the body, the server never panics,
// hangs or answers 5xx, and every answer is JSON in its documented shape.
//
//	go test ./internal/api -run '^$' -fuzz '^FuzzJSONBodies$' -fuzztime 60s
func FuzzJSONBodies(f *testing.F) {
	st := testdbSQLite(f)
	logs := &bytes.Buffer{}
	srv := api.NewServer(st, slog.New(slog.NewJSONHandler(logs, nil)), api.Config{Now: testNow, WebhookResolver: webhookDNS})
	tok := mustMerchantToken(f, st, "Fuzz")
	// Records for the PUT routes: customer 1, invoices 1-2, credit notes 3-4.
	for _, seed := range []struct{ path, body string }{
		{"/customers", example(f, "customers_bulk")},
		{"/invoices", example(f, "invoices_bulk")},
		{"/credit_notes", example(f, "credit_notes_bulk")},
	} {
		req := httptest.NewRequest("POST", root+seed.path, strings.NewReader(seed.body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != 200 {
			f.Fatalf("seed %s: %d %s", seed.path, rec.Code, rec.Body)
		}
	}

	for i, name := range []string{"customers_bulk", "invoices_bulk", "credit_notes_bulk", "e_invoices_multiple", "e_credit_notes_single",
		"customers_update", "invoices_update", "credit_notes_update"} {
		f.Add(uint8(i), []byte(example(f, name)))
	}
	f.Add(uint8(8), []byte(`{"url":"https://hooks.example.com/x"}`))
	for i, c := range badInputs() {
		if len(c.body) < 1<<16 && (strings.HasPrefix(c.body, "[") || strings.HasPrefix(c.body, "{")) {
			f.Add(uint8(i), []byte(c.body))
		}
	}

	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		r := bodyRoutes[int(route)%len(bodyRoutes)]
		req := httptest.NewRequest(r.method, r.path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		logs.Reset()
		done := make(chan struct{})
		go func() { srv.ServeHTTP(rec, req); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s %s: no answer within 10s to %q", r.method, r.path, body)
		}
		out := rec.Body.Bytes()
		if rec.Code >= 500 || strings.Contains(logs.String(), `"msg":"panic"`) {
			t.Fatalf("%s %s: %d for %q: %s\n%s", r.method, r.path, rec.Code, body, out, logs)
		}
		var answer struct {
			Status  any    `json:"status"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(out, &answer); err != nil {
			t.Fatalf("%s %s: %d, answer not JSON: %q", r.method, r.path, rec.Code, out)
		}
		if rec.Code >= 400 && (answer.Status != float64(rec.Code) || answer.Message == "") {
			t.Fatalf("%s %s: %d with answer %s", r.method, r.path, rec.Code, out)
		}
	})
}
