package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/api"
	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/store/storetest"
	"github.com/vatgate/vatgate/internal/testdb"
	"github.com/vatgate/vatgate/internal/token"
)

// dnsTable is a resolver for the webhook tests: no test reaches real DNS.
type dnsTable map[string]string

func (d dnsTable) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	ip, ok := d[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return []netip.Addr{netip.MustParseAddr(ip)}, nil
}

var webhookDNS = dnsTable{
	"hooks.example.com":   "93.184.215.14",
	"other.example.com":   "93.184.215.15",
	"internal.example":    "10.0.0.5",
	"rebinding.example":   "127.0.0.1",
	"carrier.example.net": "100.64.0.1",
}

// newWebhookAPI is a test server with a fake resolver and the operator's
// allow-private setting.
func newWebhookAPI(t testing.TB, st store.Store, allowPrivate bool) *testAPI {
	t.Helper()
	logs := &bytes.Buffer{}
	server := api.NewServer(st, slog.New(slog.NewJSONHandler(logs, nil)), api.Config{
		MaxBodyBytes: 1 << 20, Now: testNow, WebhooksAllowPrivate: allowPrivate, WebhookResolver: webhookDNS,
	})
	srv := httptest.NewServer(server)
	t.Cleanup(srv.Close)
	a := &testAPI{t: t, url: srv.URL, store: st, server: server, logs: logs}
	a.token = mustMerchantToken(t, st, "Merchant A")
	a.tokenB = mustMerchantToken(t, st, "Merchant B")
	return a
}

func forEachWebhookBackend(t *testing.T, allowPrivate bool, f func(t *testing.T, a *testAPI)) {
	for _, b := range testdb.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			f(t, newWebhookAPI(t, b.Open(t), allowPrivate))
		})
	}
}

type createdWebhook struct {
	Status  int `json:"status"`
	Webhook struct {
		ID        int64     `json:"id"`
		URL       string    `json:"url"`
		Secret    string    `json:"secret"`
		CreatedAt time.Time `json:"created_at"`
	} `json:"webhook"`
}

func (a *testAPI) createWebhook(tok, url string) createdWebhook {
	a.t.Helper()
	body := a.expect(201, "POST", root+"/webhooks/"+tok, fmt.Sprintf(`{"url":%q}`, url))
	var c createdWebhook
	if err := json.Unmarshal([]byte(body), &c); err != nil {
		a.t.Fatalf("create webhook: %v: %s", err, body)
	}
	return c
}

var (
	secrets       = regexp.MustCompile(`"secret":"whsec_[A-Za-z0-9+/=]+"`)
	webhookTimes  = regexp.MustCompile(`"(timestamp|next_attempt)":"[^"]+"`)
	webhookIDs    = regexp.MustCompile(`"(id|document_id)":\d+`)
	webhookMsgIDs = regexp.MustCompile(`"webhook_id":"msg_\d+"`)
	secretHints   = regexp.MustCompile(`"secret_hint":"whsec_…[^"]{4}"`)
	cursors       = regexp.MustCompile(`"next_cursor":"[^"]+"`)
)

// maskWebhook hides what differs between runs and backends.
func maskWebhook(s string) string {
	s = secrets.ReplaceAllString(s, `"secret":"<secret>"`)
	s = webhookTimes.ReplaceAllString(s, `"$1":"<time>"`)
	s = webhookIDs.ReplaceAllString(s, `"$1":<id>`)
	s = secretHints.ReplaceAllString(s, `"secret_hint":"whsec_…<hint>"`)
	s = cursors.ReplaceAllString(s, `"next_cursor":"<cursor>"`)
	return webhookMsgIDs.ReplaceAllString(s, `"webhook_id":"msg_<id>"`)
}

// Create shows the secret once; the list shows a hint of it; delete
// removes the endpoint; every spelling of the route and the Bearer form
// reach the same endpoints.
func TestWebhookCreateListDelete(t *testing.T) {
	forEachWebhookBackend(t, false, func(t *testing.T, a *testAPI) {
		body := a.expect(201, "POST", root+"/webhooks/"+a.token, `{"url":"https://hooks.example.com/vatgate?tenant=7"}`)
		golden(t, "webhooks_create", maskWebhook(body))
		var first createdWebhook
		if err := json.Unmarshal([]byte(body), &first); err != nil {
			t.Fatal(err)
		}
		if first.Status != 201 || first.Webhook.ID <= 0 || first.Webhook.URL != "https://hooks.example.com/vatgate?tenant=7" ||
			!strings.HasPrefix(first.Webhook.Secret, "whsec_") || first.Webhook.CreatedAt.IsZero() {
			t.Errorf("created: %s", body)
		}
		second := a.createWebhook(a.token, "https://other.example.com/hook")
		if second.Webhook.Secret == first.Webhook.Secret {
			t.Error("two endpoints got the same secret")
		}

		list := a.expect(200, "GET", root+"/webhooks/"+a.token, "")
		golden(t, "webhooks_list", maskWebhook(list))
		for _, c := range []createdWebhook{first, second} {
			if strings.Contains(list, c.Webhook.Secret) || strings.Contains(list, c.Webhook.Secret[6:20]) {
				t.Errorf("the list shows a secret: %s", list)
			}
			hint := "whsec_…" + c.Webhook.Secret[len(c.Webhook.Secret)-4:]
			if !strings.Contains(list, `"secret_hint":"`+hint+`"`) {
				t.Errorf("the list lacks the hint %s: %s", hint, list)
			}
		}
		// Other spellings and the Bearer form.
		for _, path := range []string{"/api/app/l_invoice/e_documents/webhooks/" + a.token + "/", root + "/edocuments/webhooks/" + a.token} {
			if got := a.expect(200, "GET", path, ""); got != list {
				t.Errorf("GET %s: %s, want %s", redactIn(path), got, list)
			}
		}
		if got := a.expect(200, "GET", root+"/webhooks", "", "Authorization", "Bearer "+a.token); got != list {
			t.Errorf("GET with Bearer: %s", got)
		}

		id := fmt.Sprint(first.Webhook.ID)
		a.expect(200, "DELETE", root+"/webhooks/"+a.token+"/"+id, "")
		got := a.expect(404, "DELETE", root+"/webhooks/"+id+"/"+a.token, "")
		if want := `{"status":404,"message":"Webhook endpoint with ID ` + id + ` not found"}` + "\n"; got != want {
			t.Errorf("delete again: %s, want %s", got, want)
		}
		a.expect(404, "GET", root+"/webhooks/"+a.token+"/"+id+"/deliveries", "")
		list = a.expect(200, "GET", root+"/webhooks/"+a.token, "")
		if strings.Contains(list, `"id":`+id+`,`) || !strings.Contains(list, "other.example.com") {
			t.Errorf("after the delete: %s", list)
		}

		// Methods the routes do not take are 405, with JSON.
		a.expect(405, "PUT", root+"/webhooks/"+a.token+"/"+id, `{"url":"https://hooks.example.com/"}`)
		a.expect(405, "PATCH", root+"/webhooks/"+a.token+"/"+id, `{}`)
		a.expect(405, "DELETE", root+"/webhooks/"+a.token, "")
		a.expect(405, "POST", root+"/webhooks/"+a.token+"/"+id+"/deliveries", `{}`)
		a.expect(401, "GET", root+"/webhooks", "")
	})
}

// Another merchant's endpoint answers exactly like a missing one, on every
// route with an id, and is in no list but its merchant's.
func TestWebhookIsolation(t *testing.T) {
	forEachWebhookBackend(t, false, func(t *testing.T, a *testAPI) {
		theirs := a.createWebhook(a.token, "https://hooks.example.com/a")
		id := fmt.Sprint(theirs.Webhook.ID)
		const missing = "987654321"
		for _, r := range []struct{ method, suffix string }{{"DELETE", ""}, {"GET", "/deliveries"}} {
			sMissing, bMissing := a.do(r.method, root+"/webhooks/"+a.tokenB+"/"+missing+r.suffix, "")
			sOther, bOther := a.do(r.method, root+"/webhooks/"+a.tokenB+"/"+id+r.suffix, "")
			if sOther != 404 || sOther != sMissing || strings.Replace(bMissing, missing, id, 1) != bOther {
				t.Errorf("%s%s of another merchant's endpoint: %d %s; a missing one: %d %s", r.method, r.suffix, sOther, bOther, sMissing, bMissing)
			}
		}
		if b := a.expect(200, "GET", root+"/webhooks/"+a.tokenB, ""); b != `{"status":200,"webhooks":[]}`+"\n" {
			t.Errorf("merchant B lists: %s", b)
		}
		if b := a.expect(200, "GET", root+"/webhooks/"+a.token, ""); !strings.Contains(b, `"id":`+id+`,`) {
			t.Errorf("merchant A's endpoint is gone: %s", b)
		}
	})
}

// A URL the server will not POST to is refused with 422 naming the reason;
// with --webhooks-allow-private the private ones are accepted.
func TestWebhookURLRefused(t *testing.T) {
	refused := []struct{ url, message, rule string }{
		{"https://internal.example/hook", "url: resolves to a private address 10.0.0.5; start the server with --webhooks-allow-private to allow it", "private"},
		{"https://rebinding.example/hook", "url: resolves to a loopback address 127.0.0.1; start the server with --webhooks-allow-private to allow it", "private"},
		{"https://carrier.example.net/hook", "url: resolves to a shared (carrier-grade NAT) address 100.64.0.1; start the server with --webhooks-allow-private to allow it", "private"},
		{"https://[::1]:8443/hook", "url: resolves to a loopback address ::1; start the server with --webhooks-allow-private to allow it", "private"},
		{"https://169.254.169.254/latest/meta-data", "url: resolves to a link-local address 169.254.169.254; start the server with --webhooks-allow-private to allow it", "private"},
		{"http://hooks.example.com/hook", "url: must use https; start the server with --webhooks-allow-private to allow it", "private"},
		{"https://nowhere.example/hook", "url: host nowhere.example does not resolve", "url"},
		{"https://user:pw@hooks.example.com/hook", "url: must not contain credentials (user:password@); authenticate the requests by their signature", "url"},
		{"ftp://hooks.example.com/hook", `url: scheme "ftp" is not https`, "url"},
		{"hooks.example.com/hook", `url: "hooks.example.com/hook" is not an absolute URL`, "url"},
	}
	forEachWebhookBackend(t, false, func(t *testing.T, a *testAPI) {
		for _, tt := range refused {
			got := a.expect(422, "POST", root+"/webhooks/"+a.token, fmt.Sprintf(`{"url":%q}`, tt.url))
			var e struct {
				Status  int    `json:"status"`
				Message string `json:"message"`
				Errors  []struct{ Field, Rule, Message string }
			}
			if err := json.Unmarshal([]byte(got), &e); err != nil {
				t.Fatal(err)
			}
			if e.Status != 422 || e.Message != tt.message || len(e.Errors) != 1 || e.Errors[0].Field != "url" || e.Errors[0].Rule != tt.rule {
				t.Errorf("POST %s: %s; want 422 %q, rule %s", tt.url, got, tt.message, tt.rule)
			}
			if tt.url == "https://internal.example/hook" {
				golden(t, "webhooks_refused_private", got)
			}
		}
		for _, body := range []string{`{}`, `{"url":null}`, `{"url":""}`, `{"url":42}`, `[]`, `"x"`} {
			a.expect(400, "POST", root+"/webhooks/"+a.token, body)
		}
		a.expect(415, "POST", root+"/webhooks/"+a.token, `{"url":"https://hooks.example.com/"}`, "Content-Type", "text/plain")
		if b := a.expect(200, "GET", root+"/webhooks/"+a.token, ""); b != `{"status":200,"webhooks":[]}`+"\n" {
			t.Errorf("a refused URL was stored: %s", b)
		}
	})
	forEachWebhookBackend(t, true, func(t *testing.T, a *testAPI) {
		for _, tt := range refused {
			status, body := a.do("POST", root+"/webhooks/"+a.token, fmt.Sprintf(`{"url":%q}`, tt.url))
			want := 422
			if tt.rule == "private" || strings.Contains(tt.url, "nowhere") {
				want = 201 // not looked up when private addresses are allowed
			}
			if status != want {
				t.Errorf("allow-private: POST %s: %d %s; want %d", tt.url, status, body, want)
			}
		}
	})
}

// A merchant has at most api.MaxWebhookEndpoints endpoints.
func TestWebhookEndpointLimit(t *testing.T) {
	a := newWebhookAPI(t, testdb.SQLite(t), false)
	for i := range api.MaxWebhookEndpoints {
		a.createWebhook(a.token, fmt.Sprintf("https://hooks.example.com/%d", i))
	}
	got := a.expect(422, "POST", root+"/webhooks/"+a.token, `{"url":"https://hooks.example.com/one-more"}`)
	if !strings.Contains(got, "at most 10 webhook endpoints") {
		t.Errorf("the 11th endpoint: %s", got)
	}
	a.createWebhook(a.tokenB, "https://hooks.example.com/b") // per merchant
}

// The delivery log pages through an endpoint's deliveries, oldest first,
// with the state of each: queued, retrying, delivered, given up.
func TestWebhookDeliveryLog(t *testing.T) {
	forEachWebhookBackend(t, false, func(t *testing.T, a *testAPI) {
		ctx := t.Context()
		ep := a.createWebhook(a.token, "https://hooks.example.com/log")
		other := a.createWebhook(a.token, "https://other.example.com/log")
		m, err := a.store.Authenticate(ctx, token.Hash(a.token))
		if err != nil {
			t.Fatal(err)
		}
		for range 4 {
			storetest.MustCreateEDocuments(t, a.store, m.ID, storetest.MinimalEDocument(invoicing.KindInvoice, ""))
		}
		// Four events for each endpoint. Of this endpoint's: the first is
		// delivered at the second attempt, the second is retrying, the
		// third given up, the fourth still queued.
		claimed, err := a.store.ClaimWebhookDeliveries(ctx, "test", time.Minute, 100)
		if err != nil {
			t.Fatal(err)
		}
		var mine []store.WebhookDelivery
		for _, d := range claimed {
			if d.EndpointID == ep.Webhook.ID {
				mine = append(mine, d)
			}
		}
		if len(mine) != 4 {
			t.Fatalf("claimed %d deliveries of the endpoint, want 4", len(mine))
		}
		finish := func(d store.WebhookDelivery, res store.WebhookResult) {
			t.Helper()
			if err := a.store.FinishWebhookDelivery(ctx, d, res); err != nil {
				t.Fatal(err)
			}
		}
		finish(mine[0], store.WebhookResult{StatusCode: 503, Error: "HTTP 503: busy", RetryAt: time.Now().Add(-time.Second)})
		finish(mine[1], store.WebhookResult{Error: "dial tcp: connection refused", RetryAt: time.Now().Add(time.Hour)})
		finish(mine[2], store.WebhookResult{StatusCode: 410, Error: "HTTP 410"})
		again, err := a.store.ClaimWebhookDeliveries(ctx, "test", time.Minute, 100)
		if err != nil || len(again) != 1 || again[0].ID != mine[0].ID {
			t.Fatalf("claim again: %+v, %v", again, err)
		}
		finish(again[0], store.WebhookResult{Delivered: true, StatusCode: 204})

		id := fmt.Sprint(ep.Webhook.ID)
		page1 := a.expect(200, "GET", root+"/webhooks/"+a.token+"/"+id+"/deliveries?limit=3", "")
		golden(t, "webhooks_deliveries", maskWebhook(page1))
		var p struct {
			Deliveries []struct {
				ID          int64           `json:"id"`
				WebhookID   string          `json:"webhook_id"`
				EventType   string          `json:"event_type"`
				Attempts    int             `json:"attempts"`
				Delivered   bool            `json:"delivered"`
				GaveUp      bool            `json:"gave_up"`
				LastStatus  *int            `json:"last_status"`
				LastError   *string         `json:"last_error"`
				NextAttempt *time.Time      `json:"next_attempt"`
				Payload     json.RawMessage `json:"payload"`
			} `json:"deliveries"`
			HasMore    bool    `json:"has_more"`
			NextCursor *string `json:"next_cursor"`
		}
		if err := json.Unmarshal([]byte(page1), &p); err != nil {
			t.Fatal(err)
		}
		if len(p.Deliveries) != 3 || !p.HasMore || p.NextCursor == nil {
			t.Fatalf("page 1: %s", page1)
		}
		d0, d1, d2 := p.Deliveries[0], p.Deliveries[1], p.Deliveries[2]
		if d0.ID != mine[0].ID || d0.WebhookID != fmt.Sprintf("msg_%d", d0.ID) || d0.EventType != store.EventEDocumentStatusChanged ||
			!d0.Delivered || d0.Attempts != 2 || *d0.LastStatus != 204 || d0.LastError != nil || d0.NextAttempt != nil {
			t.Errorf("delivered: %+v", d0)
		}
		if d1.Delivered || d1.GaveUp || d1.Attempts != 1 || d1.LastStatus != nil || *d1.LastError != "dial tcp: connection refused" || d1.NextAttempt == nil {
			t.Errorf("retrying: %+v", d1)
		}
		if !d2.GaveUp || d2.Delivered || *d2.LastStatus != 410 || d2.NextAttempt != nil {
			t.Errorf("given up: %+v", d2)
		}
		if !bytes.Contains(d0.Payload, []byte(`"type":"e_document.status_changed"`)) {
			t.Errorf("payload: %s", d0.Payload)
		}
		page2 := a.expect(200, "GET", root+"/webhooks/"+a.token+"/"+id+"/deliveries?limit=3&cursor="+*p.NextCursor, "")
		if err := json.Unmarshal([]byte(page2), &p); err != nil {
			t.Fatal(err)
		}
		if len(p.Deliveries) != 1 || p.HasMore || p.NextCursor != nil || p.Deliveries[0].ID != mine[3].ID ||
			p.Deliveries[0].Attempts != 0 || p.Deliveries[0].NextAttempt == nil {
			t.Errorf("page 2: %s", page2)
		}
		// The other endpoint's log holds its own four.
		otherLog := a.expect(200, "GET", root+"/webhooks/"+a.token+"/"+fmt.Sprint(other.Webhook.ID)+"/deliveries", "")
		if n := strings.Count(otherLog, `"event_type"`); n != 4 {
			t.Errorf("the other endpoint's log has %d entries: %s", n, otherLog)
		}
		a.expect(400, "GET", root+"/webhooks/"+a.token+"/"+id+"/deliveries?limit=0", "")
		a.expect(400, "GET", root+"/webhooks/"+a.token+"/"+id+"/deliveries?cursor=nope", "")
	})
}
