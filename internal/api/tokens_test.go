package api_test

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/vatgate/vatgate/internal/api"
	"github.com/vatgate/vatgate/internal/metrics"
	"github.com/vatgate/vatgate/internal/testdb"
	"github.com/vatgate/vatgate/internal/token"
)

// Tokens never reach the log, an answer or a metric label. Every route
// class is called with tokens in every form (the path, either order with
// an id, Bearer, Basic as user or password) on its success and error paths
// (401, 404, 405, 415, 422), with valid tokens and wrong ones; paths are
// logged with the token reduced to its prefix and last 4 characters.
func TestTokensNotLogged(t *testing.T) {
	for _, b := range testdb.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			testTokensNotLogged(t, b)
		})
	}
}

func testTokensNotLogged(t *testing.T, b testdb.Backend) {
	st := b.Open(t)
	logs := &bytes.Buffer{}
	server := api.NewServer(st, slog.New(slog.NewJSONHandler(logs, nil)), api.Config{
		MaxBodyBytes: 1 << 20, OMP: testEngine(), Now: testNow, WebhookResolver: webhookDNS,
		Metrics: metrics.New(st), ServeMetrics: true,
	})
	srv := httptest.NewServer(server)
	t.Cleanup(srv.Close)
	a := &testAPI{t: t, url: srv.URL, store: st, server: server, logs: logs}
	a.token = mustMerchantToken(t, st, "Merchant A")
	a.tokenB = mustMerchantToken(t, st, "Merchant B")
	wrong := token.New() // never stored
	tokA, tokB := a.token, a.tokenB
	bearer := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }
	basicUser := func(tok string) []string { return []string{"Authorization", basic(tok, "")} }
	basicPass := func(tok string) []string { return []string{"Authorization", basic("merchant", tok)} }
	textPlain := []string{"Content-Type", "text/plain"}

	var answers []string
	call := func(status int, method, path, body string, headers ...string) {
		t.Helper()
		answers = append(answers, a.expect(status, method, path, body, headers...))
	}
	// Customers.
	call(200, "POST", root+"/customers/"+tokA, example(t, "customers_bulk"))
	call(200, "PUT", root+"/customers/1/"+tokA, `{"city":"Rome"}`)
	call(200, "GET", root+"/customers/"+tokA+"/1", "")
	call(200, "GET", "/api/app/l_invoice/customers/"+tokA+"/", "")
	call(200, "GET", root+"/customers", "", basicUser(tokA)...)
	call(404, "GET", root+"/customers/"+tokA+"/999", "")
	call(404, "GET", root+"/customers/1", "", bearer(tokB)...)
	call(415, "POST", root+"/customers/"+tokA, `[{"name":"X"}]`, textPlain...)
	call(401, "GET", root+"/customers/"+wrong, "")
	call(401, "GET", root+"/customers", "", bearer(wrong)...)
	call(405, "DELETE", root+"/customers/"+tokA, "")
	// Invoices.
	call(200, "POST", root+"/invoices/"+tokA, example(t, "invoices_bulk"))
	call(200, "GET", root+"/invoices/1/"+tokA, "")
	call(200, "PUT", root+"/invoices/"+tokA+"/1", `{"status":"paid"}`)
	call(200, "GET", root+"/invoices", "", bearer(tokA)...)
	call(404, "GET", root+"/invoices/"+tokB+"/1", "")
	call(415, "PUT", root+"/invoices/1/"+tokA, `{}`, textPlain...)
	call(401, "GET", root+"/invoices/"+wrong+"/1", "")
	// Credit notes.
	call(200, "POST", root+"/credit_notes/"+tokA, example(t, "credit_notes_bulk"))
	cn := regexp.MustCompile(`"credit_note_id":(\d+)`).FindStringSubmatch(answers[len(answers)-1])[1]
	call(200, "GET", root+"/credit_notes/"+tokA+"/"+cn, "")
	call(200, "GET", root+"/credit_notes", "", basicPass(tokA)...)
	call(401, "GET", "/api/app/l_invoice/credit_notes/"+wrong+"/1", "")
	call(401, "GET", root+"/credit_notes", "", basicPass(wrong)...)
	call(404, "PUT", root+"/credit_notes/999/"+tokA, `{"status":"paid"}`)
	// OMP.
	call(200, "POST", ompPath+"/"+tokA, ompExample(t, "example_1"))
	call(200, "POST", ompPath, ompExample(t, "example_1"), basicUser(tokA)...)
	call(401, "POST", ompPath+"/"+wrong, ompExample(t, "example_1"))
	call(404, "POST", ompPath+"/"+tokA+"/extra", ompExample(t, "example_1"))
	call(415, "POST", ompPath+"/"+tokA, ompExample(t, "example_1"), textPlain...)
	// E-documents.
	call(200, "POST", root+"/e_documents/invoices/"+tokA, example(t, "e_invoices_single"))
	call(200, "GET", root+"/e_documents/status-by-id/"+tokA+"/1", "")
	call(200, "GET", "/api/app/l_invoice/edocuments/status-by-id/1/"+tokA+"/", "")
	call(200, "GET", root+"/e_documents/"+tokA, "")
	call(404, "GET", root+"/e_documents/ubl/"+tokA+"/1", "")
	call(401, "POST", root+"/e_documents/credit-notes", example(t, "e_credit_notes_single"), bearer(wrong)...)
	call(415, "POST", root+"/e_documents/invoices/"+tokA, example(t, "e_invoices_single"), textPlain...)
	// Webhooks.
	call(201, "POST", root+"/webhooks/"+tokA, `{"url":"https://hooks.example.com/x"}`)
	call(200, "GET", root+"/webhooks/"+tokA, "")
	call(200, "GET", root+"/e_documents/webhooks/"+tokA+"/1/deliveries", "")
	call(404, "GET", root+"/webhooks/"+tokB+"/1/deliveries", "")
	call(404, "DELETE", root+"/webhooks/"+tokA+"/999", "")
	call(422, "POST", root+"/webhooks/"+tokA, `{"url":"http://internal.example/x"}`)
	call(401, "DELETE", root+"/webhooks/1", "", basicUser(wrong)...)
	// No such route, a token somewhere in it.
	call(404, "GET", root+"/nowhere/"+tokA+"/x", "")
	call(404, "GET", "/"+tokA, "")
	call(404, "GET", "/api/1/app/"+wrong+"/customers", "")
	call(405, "PATCH", root+"/invoices/"+tokA+"/1", `{}`)
	call(200, "GET", "/metrics", "")
	metricsText := answers[len(answers)-1]

	logText := logs.String()
	for _, tok := range []string{tokA, tokB, wrong} {
		secret := tok[len(token.Prefix):] // the random part, without the prefix
		for where, text := range map[string]string{"the log": logText, "/metrics": metricsText} {
			if strings.Contains(text, secret) || strings.Contains(text, secret[:16]) || strings.Contains(text, secret[16:]) {
				t.Errorf("token %s reached %s", token.Redact(tok), where)
			}
		}
		for i, answer := range answers {
			if strings.Contains(answer, secret[:16]) || strings.Contains(answer, secret[16:]) {
				t.Errorf("answer %d shows token %s: %s", i, token.Redact(tok), answer)
			}
		}
	}
	for _, tok := range []string{tokA, tokB, wrong} {
		if !strings.Contains(logText, `"path":"`) || !strings.Contains(logText, token.Redact(tok)) {
			t.Errorf("the log does not show %s redacted", token.Redact(tok))
		}
	}
	if n := strings.Count(logText, `"msg":"request"`); n != len(answers) {
		t.Errorf("%d access log lines for %d requests", n, len(answers))
	}
}
