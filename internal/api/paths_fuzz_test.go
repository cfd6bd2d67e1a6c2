package api_test

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vatgate/vatgate/internal/api"
)

// FuzzCanonicalPath sends requests whose paths hold a live token anywhere
// (before + token + after, fuzzed) through the server: path resolution never
// panics, nothing answers 5xx, and the token appears neither in the log (the
// access log's path, or any other line) nor in the answer.
//
//	go test ./internal/api -run '^$' -fuzz '^FuzzCanonicalPath$' -fuzztime 60s
func FuzzCanonicalPath(f *testing.F) {
	st := testdbSQLite(f)
	logs := &bytes.Buffer{}
	srv := api.NewServer(st, slog.New(slog.NewJSONHandler(logs, nil)), api.Config{OMP: testEngine(), Now: testNow})
	tok := mustMerchantToken(f, st, "Fuzz")

	for _, p := range []string{
		root + "/customers/", root + "/invoices/12/", "/api/app/l_invoice/edocuments/invoices/",
		root + "/e_documents/status-by-id/", root + "/e_documents/ubl/7/", root + "/webhooks/",
		root + "/webhooks/7/deliveries/", "/api/1/app/l_invoice/e_documents/webhooks/", ompPath + "/",
		"/api/omp/omp_invoices/", "/healthz/", "/", root + "//customers/", "/API/1/app/l_invoice/customers/",
	} {
		for _, after := range []string{"", "/", "/1", "/1/deliveries", "/x", "?limit=1", "/" + strings.Repeat("a", 12), "%00"} {
			f.Add(p, after, uint8(0))
		}
	}
	methods := []string{"GET", "POST", "PUT", "DELETE", "PATCH"}

	f.Fuzz(func(t *testing.T, before, after string, method uint8) {
		m := methods[int(method)%len(methods)]
		req := httptest.NewRequest(m, "/", strings.NewReader(`{}`))
		req.URL.Path, req.URL.RawPath = before+tok+after, ""
		if !strings.HasPrefix(req.URL.Path, "/") {
			// net/http answers 400 itself to a request-target that is
			// not a path.
			req.URL.Path = "/" + req.URL.Path
		}
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		logs.Reset()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: %d %s", m, req.URL.Path, rec.Code, rec.Body)
		}
		if strings.Contains(logs.String(), tok) {
			t.Fatalf("%s %q: the token is in the log:\n%s", m, req.URL.Path, logs)
		}
		if strings.Contains(rec.Body.String(), tok) {
			t.Fatalf("%s %q: the token is in the answer: %s", m, req.URL.Path, rec.Body)
		}
	})
}
