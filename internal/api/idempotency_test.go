package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/api"
	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/store/postgres"
	"github.com/vatgate/vatgate/internal/store/sqlite"
	"github.com/vatgate/vatgate/internal/store/storetest"
	"github.com/vatgate/vatgate/internal/testdb"
)

// The Idempotency-Key rules (idempotency.go), on both backends.

const (
	inProgressAnswer = `{"status":409,"message":"a request with this Idempotency-Key is still being processed"}` + "\n"
	mismatchAnswer   = `{"status":422,"message":"Idempotency-Key was already used with a different request body"}` + "\n"
)

// hookStore is a real store whose next CreateDocuments first runs a hook:
// to hold a request inside its handler, fail it, or panic in it.
type hookStore struct {
	store.Store
	mu   sync.Mutex
	hook func(ctx context.Context) error
}

func (h *hookStore) setHook(f func(ctx context.Context) error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.hook = f
}

func (h *hookStore) CreateDocuments(ctx context.Context, merchantID int64, docs []invoicing.Document) ([]store.DocumentResult, error) {
	h.mu.Lock()
	hook := h.hook
	h.hook = nil
	h.mu.Unlock()
	if hook != nil {
		if err := hook(ctx); err != nil {
			return nil, err
		}
	}
	return h.Store.CreateDocuments(ctx, merchantID, docs)
}

// idemAPI is a test server over a hookStore whose database clock is c; it
// notifies into notified, resolves webhook hosts from webhookDNS and
// answers OMP.
type idemAPI struct {
	*testAPI
	hooks    *hookStore
	clock    *storetest.Clock
	notified *atomic.Int64
	// newAPI starts another server over the same store, as a second
	// instance, with now as its clock (testNow when nil).
	newAPI func(now func() time.Time) *testAPI
}

func forEachIdemBackend(t *testing.T, f func(t *testing.T, a *idemAPI)) {
	for _, b := range testdb.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			raw := b.Open(t)
			c := storetest.NewClock(time.Now().UTC())
			switch db := raw.(type) {
			case *sqlite.DB:
				db.Now = c.Now
			case *postgres.DB:
				db.Now = c.Now
			default:
				t.Fatalf("no clock to set on %T", raw)
			}
			hooks := &hookStore{Store: raw}
			notified := &atomic.Int64{}
			server := func(now func() time.Time) *testAPI {
				if now == nil {
					now = testNow
				}
				logs := &bytes.Buffer{}
				s := api.NewServer(hooks, slog.New(slog.NewJSONHandler(logs, nil)), api.Config{
					MaxBodyBytes: 1 << 16, OMP: testEngine(), Now: now, WebhookResolver: webhookDNS,
					Notify: func() { notified.Add(1) },
				})
				srv := httptest.NewServer(s)
				t.Cleanup(srv.Close)
				return &testAPI{t: t, url: srv.URL, store: hooks, server: s, logs: logs}
			}
			a := server(nil)
			a.token = mustMerchantToken(t, hooks, "Merchant A")
			a.tokenB = mustMerchantToken(t, hooks, "Merchant B")
			f(t, &idemAPI{testAPI: a, hooks: hooks, clock: c, notified: notified, newAPI: func(now func() time.Time) *testAPI {
				b := server(now)
				b.token, b.tokenB = a.token, a.tokenB
				return b
			}})
		})
	}
}

// unnumberedInvoices is a bulk body of n invoices without numbers: a second
// run would store n more (numbered on), never fail on a taken number.
func unnumberedInvoices(n int, customer string) string {
	records := make([]string, n)
	for i := range records {
		records[i] = fmt.Sprintf(`{"customer_name":%q,"invoice_date":"2024-05-01","status":"draft",`+
			`"line_items":[{"description":"line %d","quantity":1,"unit_price":10}],"subtotal":10,"total_tax":0,"total":10,"total_discount_amount":0}`, customer, i)
	}
	return "[" + strings.Join(records, ",") + "]"
}

// countInvoices is how many invoices the token's merchant has.
func countInvoices(t *testing.T, a *testAPI, tok string) int {
	t.Helper()
	var list struct {
		Invoices []json.RawMessage `json:"invoices"`
	}
	if err := json.Unmarshal([]byte(a.expect(200, "GET", root+"/invoices/"+tok+"?limit=100", "")), &list); err != nil {
		t.Fatal(err)
	}
	return len(list.Invoices)
}

// wantFirst fails unless ans is a first answer with status: run, not replayed.
func wantFirst(t *testing.T, what string, ans answer, status int) {
	t.Helper()
	if ans.status != status || ans.header.Get(api.IdempotentReplayedHeader) != "" {
		t.Fatalf("%s: %d, %s %q; want %d, not replayed; body: %s", what, ans.status,
			api.IdempotentReplayedHeader, ans.header.Get(api.IdempotentReplayedHeader), status, ans.body)
	}
}

// wantReplay fails unless ans is first again, byte for byte, marked replayed.
func wantReplay(t *testing.T, what string, ans, first answer) {
	t.Helper()
	if ans.status != first.status || ans.body != first.body || ans.header.Get(api.IdempotentReplayedHeader) != "true" ||
		ans.header.Get("Content-Type") != first.header.Get("Content-Type") {
		t.Fatalf("%s: %d %q %s %q\n%s\nwant the first answer replayed: %d %q\n%s", what, ans.status, ans.header.Get("Content-Type"),
			api.IdempotentReplayedHeader, ans.header.Get(api.IdempotentReplayedHeader), ans.body,
			first.status, first.header.Get("Content-Type"), first.body)
	}
}

func wantAnswer(t *testing.T, what string, ans answer, status int, body string) {
	t.Helper()
	if ans.status != status || ans.body != body {
		t.Fatalf("%s: %d %s, want %d %s", what, ans.status, ans.body, status, body)
	}
}

// A bulk invoice upload sent again under its key answers the first answer
// byte for byte, marked replayed, and stores nothing more, whatever way the
// token and path are written; another body under the key answers 422.
func TestIdempotencyReplay(t *testing.T) {
	forEachIdemBackend(t, func(t *testing.T, a *idemAPI) {
		body := unnumberedInvoices(3, "Replay")
		key := "order-2024-0001"
		first := a.mustSend("POST", root+"/invoices/"+a.token, body, api.IdempotencyKeyHeader, key)
		wantFirst(t, "first", first, 200)
		if !strings.Contains(first.body, `"invoice_number":"INV-000003"`) {
			t.Fatalf("first answer: %s", first.body)
		}
		for _, retry := range []struct {
			name, path string
			headers    []string
		}{
			{"token in the path", root + "/invoices/" + a.token, nil},
			{"Bearer token", root + "/invoices", []string{"Authorization", "Bearer " + a.token}},
			{"alias path", "/api/app/l_invoice/invoices/" + a.token + "/", nil},
		} {
			ans := a.mustSend("POST", retry.path, body, append(retry.headers, api.IdempotencyKeyHeader, key)...)
			wantReplay(t, retry.name, ans, first)
		}
		if n := countInvoices(t, a.testAPI, a.token); n != 3 {
			t.Fatalf("%d invoices after the replays, want 3", n)
		}

		ans := a.mustSend("POST", root+"/invoices/"+a.token, unnumberedInvoices(4, "Replay"), api.IdempotencyKeyHeader, key)
		wantAnswer(t, "another body under the key", ans, 422, mismatchAnswer)
		ans = a.mustSend("POST", root+"/credit_notes/"+a.token, body, api.IdempotencyKeyHeader, key)
		wantAnswer(t, "another route under the key", ans, 422, mismatchAnswer)
		if n := countInvoices(t, a.testAPI, a.token); n != 3 {
			t.Fatalf("%d invoices after the refusals, want 3", n)
		}
		// Without the header nothing changes: the same body stores again.
		wantFirst(t, "no key", a.mustSend("POST", root+"/invoices/"+a.token, body), 200)
		if n := countInvoices(t, a.testAPI, a.token); n != 6 {
			t.Fatalf("%d invoices after a request without a key, want 6", n)
		}
	})
}

// A PUT replayed answers its first answer and does not apply again: an
// update made in between stays.
func TestIdempotencyPUT(t *testing.T) {
	forEachIdemBackend(t, func(t *testing.T, a *idemAPI) {
		a.expect(200, "POST", root+"/invoices/"+a.token, unnumberedInvoices(1, "Put"))
		path := root + "/invoices/" + a.token + "/1"
		first := a.mustSend("PUT", path, `{"status":"sent"}`, api.IdempotencyKeyHeader, "put-1")
		wantFirst(t, "first PUT", first, 200)
		a.expect(200, "PUT", path, `{"status":"paid"}`)
		wantReplay(t, "PUT replayed", a.mustSend("PUT", path, `{"status":"sent"}`, api.IdempotencyKeyHeader, "put-1"), first)
		if got := a.expect(200, "GET", path, ""); !strings.Contains(got, `"status":"paid"`) {
			t.Fatalf("after the replay: %s, want the later update kept", got)
		}
		// The same body on another invoice is another request.
		a.expect(200, "POST", root+"/invoices/"+a.token, unnumberedInvoices(1, "Put"))
		wantAnswer(t, "same key, other id", a.mustSend("PUT", root+"/invoices/"+a.token+"/2", `{"status":"sent"}`,
			api.IdempotencyKeyHeader, "put-1"), 422, mismatchAnswer)
	})
}

// Two requests under one key at once: the second answers 409 while the
// first runs, another body 422; once the first is done, its answer is
// replayed; one upload stored.
func TestIdempotencyConcurrent(t *testing.T) {
	forEachIdemBackend(t, func(t *testing.T, a *idemAPI) {
		entered, release := make(chan struct{}), make(chan struct{})
		a.hooks.setHook(func(context.Context) error {
			close(entered)
			<-release
			return nil
		})
		body := unnumberedInvoices(2, "Slow")
		firstDone := make(chan answer)
		go func() {
			ans, err := a.send("POST", root+"/invoices/"+a.token, body, api.IdempotencyKeyHeader, "slow")
			if err != nil {
				t.Error(err)
			}
			firstDone <- ans
		}()
		select {
		case <-entered:
		case <-time.After(10 * time.Second):
			t.Fatal("the first request never reached the store")
		}
		second := a.mustSend("POST", root+"/invoices/"+a.token, body, api.IdempotencyKeyHeader, "slow")
		wantAnswer(t, "same request while the first runs", second, 409, inProgressAnswer)
		if ct := second.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("409 Content-Type %q", ct)
		}
		wantAnswer(t, "another body while the first runs", a.mustSend("POST", root+"/invoices/"+a.token,
			unnumberedInvoices(1, "Slow"), api.IdempotencyKeyHeader, "slow"), 422, mismatchAnswer)
		// Another instance of the server sees the same claim.
		other := a.newAPI(nil)
		wantAnswer(t, "same request on another instance", other.mustSend("POST", root+"/invoices/"+a.token, body,
			api.IdempotencyKeyHeader, "slow"), 409, inProgressAnswer)
		// The 409 is not kept: the first request was still free to finish.
		close(release)
		first := <-firstDone
		wantFirst(t, "the first request", first, 200)
		wantReplay(t, "after the first finished", a.mustSend("POST", root+"/invoices/"+a.token, body,
			api.IdempotencyKeyHeader, "slow"), first)
		if n := countInvoices(t, a.testAPI, a.token); n != 2 {
			t.Fatalf("%d invoices, want 2", n)
		}
	})
}

// The same key and body for two merchants are two requests: each runs and
// is replayed with its own answer.
func TestIdempotencyMerchants(t *testing.T) {
	forEachIdemBackend(t, func(t *testing.T, a *idemAPI) {
		body := unnumberedInvoices(1, "Scoped")
		a.expect(200, "POST", root+"/invoices/"+a.tokenB, unnumberedInvoices(2, "B first")) // B's ids run ahead
		firstA := a.mustSend("POST", root+"/invoices/"+a.token, body, api.IdempotencyKeyHeader, "shared-key")
		firstB := a.mustSend("POST", root+"/invoices/"+a.tokenB, body, api.IdempotencyKeyHeader, "shared-key")
		wantFirst(t, "A", firstA, 200)
		wantFirst(t, "B", firstB, 200)
		if firstA.body == firstB.body {
			t.Fatalf("A and B got the same answer: %s", firstA.body)
		}
		wantReplay(t, "A again", a.mustSend("POST", root+"/invoices/"+a.token, body, api.IdempotencyKeyHeader, "shared-key"), firstA)
		wantReplay(t, "B again", a.mustSend("POST", root+"/invoices/"+a.tokenB, body, api.IdempotencyKeyHeader, "shared-key"), firstB)
		if na, nb := countInvoices(t, a.testAPI, a.token), countInvoices(t, a.testAPI, a.tokenB); na != 1 || nb != 3 {
			t.Fatalf("A has %d invoices, B %d; want 1 and 3", na, nb)
		}
	})
}

// Answers that are not kept: a 5xx (the store failed, or the handler
// panicked) and a 4xx (nothing was stored) leave the key free, so a retry
// runs, even with a corrected body; what it answers is then kept.
func TestIdempotencyNotKept(t *testing.T) {
	forEachIdemBackend(t, func(t *testing.T, a *idemAPI) {
		body := unnumberedInvoices(1, "Retry")
		path := root + "/invoices/" + a.token
		a.hooks.setHook(func(context.Context) error { return errors.New("disk on fire") })
		ans := a.mustSend("POST", path, body, api.IdempotencyKeyHeader, "k5xx")
		if ans.status != 500 || ans.header.Get(api.IdempotentReplayedHeader) != "" {
			t.Fatalf("failing store: %d %s", ans.status, ans.body)
		}
		a.hooks.setHook(func(context.Context) error { panic("handler bug") })
		if ans := a.mustSend("POST", path, body, api.IdempotencyKeyHeader, "k5xx"); ans.status != 500 {
			t.Fatalf("panicking handler: %d %s", ans.status, ans.body)
		}
		first := a.mustSend("POST", path, body, api.IdempotencyKeyHeader, "k5xx")
		wantFirst(t, "retry after the 5xx answers", first, 200)
		wantReplay(t, "then kept", a.mustSend("POST", path, body, api.IdempotencyKeyHeader, "k5xx"), first)

		// A refused body, then the corrected one under the same key.
		bad := strings.Replace(body, `"invoice_date":"2024-05-01"`, `"invoice_date":"2024-13-01"`, 1)
		refused := a.mustSend("PUT", path+"/1", `{"invoice_date":"2024-13-01"}`, api.IdempotencyKeyHeader, "k4xx")
		wantFirst(t, "refused PUT", refused, 400)
		wantFirst(t, "refused PUT again", a.mustSend("PUT", path+"/1", `{"invoice_date":"2024-13-01"}`, api.IdempotencyKeyHeader, "k4xx"), 400)
		wantFirst(t, "corrected PUT", a.mustSend("PUT", path+"/1", `{"invoice_date":"2024-12-01"}`, api.IdempotencyKeyHeader, "k4xx"), 200)
		// A bulk upload with a refused record ran (the others would have
		// been stored): its 200 is kept.
		partial := a.mustSend("POST", path, "["+strings.Trim(bad, "[]")+","+strings.Trim(body, "[]")+"]", api.IdempotencyKeyHeader, "partial")
		wantFirst(t, "partly refused bulk", partial, 200)
		wantAnswer(t, "partly refused bulk, corrected", a.mustSend("POST", path, body, api.IdempotencyKeyHeader, "partial"), 422, mismatchAnswer)
		if n := countInvoices(t, a.testAPI, a.token); n != 2 {
			t.Fatalf("%d invoices, want 2", n)
		}
	})
}

// A request with no readable body (too large, or not JSON) is answered as
// it always was, and leaves the key unused.
func TestIdempotencyUnreadableBody(t *testing.T) {
	forEachIdemBackend(t, func(t *testing.T, a *idemAPI) {
		path := root + "/invoices/" + a.token
		huge := "[" + strings.Repeat(" ", 1<<16) + "]"
		plain, withKey := a.mustSend("POST", path, huge), a.mustSend("POST", path, huge, api.IdempotencyKeyHeader, "big")
		if plain.status != 413 || withKey.status != 413 || plain.body != withKey.body {
			t.Fatalf("too large: %d %s with a key, %d %s without", withKey.status, withKey.body, plain.status, plain.body)
		}
		plain = a.mustSend("POST", path, "{", "Content-Type", "text/plain")
		withKey = a.mustSend("POST", path, "{", "Content-Type", "text/plain", api.IdempotencyKeyHeader, "big")
		if plain.status != 415 || withKey.status != 415 || plain.body != withKey.body {
			t.Fatalf("not JSON: %d %s with a key, %d %s without", withKey.status, withKey.body, plain.status, plain.body)
		}
		wantFirst(t, "a readable body under the key", a.mustSend("POST", path, unnumberedInvoices(1, "Big"), api.IdempotencyKeyHeader, "big"), 200)
	})
}

// Keys are 1 to 255 printable ASCII characters, given once; anything else
// is refused before the handler runs.
func TestIdempotencyKeyFormat(t *testing.T) {
	forEachIdemBackend(t, func(t *testing.T, a *idemAPI) {
		path := root + "/invoices/" + a.token
		body := unnumberedInvoices(1, "Keys")
		for _, c := range []struct {
			name, key, message string
		}{
			{"empty", "", "must be 1 to 255 characters long"},
			{"too long", strings.Repeat("k", 256), "must be 1 to 255 characters long"},
			{"tab", "a\tb", "only printable ASCII characters are allowed"},
			{"not ASCII", "clé", "only printable ASCII characters are allowed"},
		} {
			ans := a.mustSend("POST", path, body, api.IdempotencyKeyHeader, c.key)
			wantAnswer(t, c.name, ans, 400, fmt.Sprintf(`{"status":400,"message":"Idempotency-Key: %s"}`+"\n", c.message))
		}
		req, _ := http.NewRequest("POST", a.url+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Add(api.IdempotencyKeyHeader, "one")
		req.Header.Add(api.IdempotencyKeyHeader, "two")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Fatalf("two keys: %d, want 400", resp.StatusCode)
		}
		if n := countInvoices(t, a.testAPI, a.token); n != 0 {
			t.Fatalf("%d invoices after refused keys, want 0", n)
		}
		for _, key := range []string{strings.Repeat("k", 255), "8f14e45f-ceea-467f-a0e6-c0b1c7a2e0c4", "with space ~!"} {
			wantFirst(t, "key "+key, a.mustSend("POST", path, body, api.IdempotencyKeyHeader, key), 200)
		}
	})
}

// A key is kept 24 hours on the store's clock: a day less a second later
// the answer is replayed; 25 hours later the key is new, the request runs
// and its answer is kept anew.
func TestIdempotencyExpiry(t *testing.T) {
	forEachIdemBackend(t, func(t *testing.T, a *idemAPI) {
		path, body := root+"/invoices/"+a.token, unnumberedInvoices(1, "Day")
		first := a.mustSend("POST", path, body, api.IdempotencyKeyHeader, "daily")
		wantFirst(t, "first", first, 200)
		a.clock.Advance(24*time.Hour - time.Second)
		wantReplay(t, "a day less a second later", a.mustSend("POST", path, body, api.IdempotencyKeyHeader, "daily"), first)
		a.clock.Advance(time.Hour + time.Second)
		again := a.mustSend("POST", path, body, api.IdempotencyKeyHeader, "daily")
		wantFirst(t, "25 hours later", again, 200)
		if again.body == first.body {
			t.Fatalf("25 hours later the same answer: %s", again.body)
		}
		wantReplay(t, "the new answer kept", a.mustSend("POST", path, body, api.IdempotencyKeyHeader, "daily"), again)
		if n := countInvoices(t, a.testAPI, a.token); n != 2 {
			t.Fatalf("%d invoices, want 2", n)
		}
	})
}

// A server that dies mid-request leaves its key claimed: another instance
// answers 409 while the claim's lock lasts, then runs the request (takes
// the key over) and keeps its answer. The dead request is simulated by one
// held inside the store, whose store call then fails; its giving up does
// not touch the new owner's answer.
func TestIdempotencyTakeover(t *testing.T) {
	forEachIdemBackend(t, func(t *testing.T, a *idemAPI) {
		entered, release := make(chan struct{}), make(chan struct{})
		a.hooks.setHook(func(context.Context) error {
			close(entered)
			<-release
			return errors.New("the process died")
		})
		path, body := root+"/invoices/"+a.token, unnumberedInvoices(1, "Crash")
		deadDone := make(chan answer)
		go func() {
			ans, _ := a.send("POST", path, body, api.IdempotencyKeyHeader, "crash")
			deadDone <- ans
		}()
		<-entered
		survivor := a.newAPI(nil)
		wantAnswer(t, "while the lock lasts", survivor.mustSend("POST", path, body, api.IdempotencyKeyHeader, "crash"), 409, inProgressAnswer)
		a.clock.Advance(2*time.Minute - time.Second)
		wantAnswer(t, "a second before the lock ends", survivor.mustSend("POST", path, body, api.IdempotencyKeyHeader, "crash"), 409, inProgressAnswer)
		a.clock.Advance(time.Second)
		wantAnswer(t, "another body after the lock", survivor.mustSend("POST", path, unnumberedInvoices(2, "Crash"),
			api.IdempotencyKeyHeader, "crash"), 422, mismatchAnswer)
		taken := survivor.mustSend("POST", path, body, api.IdempotencyKeyHeader, "crash")
		wantFirst(t, "taken over", taken, 200)

		close(release)
		if dead := <-deadDone; dead.status != 500 {
			t.Fatalf("the dead request: %d %s", dead.status, dead.body)
		}
		wantReplay(t, "after the dead request gave up", a.mustSend("POST", path, body, api.IdempotencyKeyHeader, "crash"), taken)
		if n := countInvoices(t, a.testAPI, a.token); n != 1 {
			t.Fatalf("%d invoices, want 1", n)
		}
	})
}

// Every POST and PUT behind a token takes a key: customers, credit notes,
// e-documents (the worker is not woken again by a replay), webhooks (201
// kept as 201), OMP (a replay is no OMP call).
func TestIdempotencyRoutes(t *testing.T) {
	forEachIdemBackend(t, func(t *testing.T, a *idemAPI) {
		for _, c := range []struct {
			name, method, path, body string
			status                   int
		}{
			{"customers", "POST", root + "/customers/" + a.token, example(t, "customers_bulk"), 200},
			{"customer update", "PUT", root + "/customers/" + a.token + "/1", example(t, "customers_update"), 200},
			{"credit notes", "POST", root + "/credit_notes/" + a.token, example(t, "credit_notes_bulk"), 200},
			{"credit note update", "PUT", root + "/credit_notes/" + a.token + "/1", example(t, "credit_notes_update"), 200},
			{"e-invoices", "POST", root + "/e_documents/invoices/" + a.token, example(t, "e_invoices_single"), 200},
			{"e-credit notes", "POST", root + "/e_documents/credit-notes/" + a.token, example(t, "e_credit_notes_single"), 200},
			{"webhooks", "POST", root + "/webhooks/" + a.token, `{"url":"https://hooks.example.com/idem"}`, 201},
			{"OMP", "POST", ompPath + "/" + a.token, ompExample(t, "example_1"), 200},
		} {
			key := "route-" + c.name
			notified, ompCalls := a.notified.Load(), a.server.OMPCalls(1)
			first := a.mustSend(c.method, c.path, c.body, api.IdempotencyKeyHeader, key)
			wantFirst(t, c.name, first, c.status)
			ranNotify, ranOMP := a.notified.Load()-notified, a.server.OMPCalls(1)-ompCalls
			wantReplay(t, c.name+" replayed", a.mustSend(c.method, c.path, c.body, api.IdempotencyKeyHeader, key), first)
			if a.notified.Load()-notified != ranNotify || a.server.OMPCalls(1)-ompCalls != ranOMP {
				t.Errorf("%s: the replay ran the handler (notified %d, OMP calls %d after it; %d, %d after the first)", c.name,
					a.notified.Load()-notified, a.server.OMPCalls(1)-ompCalls, ranNotify, ranOMP)
			}
		}
		list := a.expect(200, "GET", root+"/e_documents/"+a.token, "")
		if n := strings.Count(list, `"document_id"`); n != 2 {
			t.Errorf("%d e-documents listed, want 2: %s", n, list)
		}
		hooks := a.expect(200, "GET", root+"/webhooks/"+a.token, "")
		if strings.Count(hooks, "https://hooks.example.com/idem") != 1 {
			t.Errorf("webhooks: %s, want one", hooks)
		}
	})
}

// Expired keys are purged by a keyed request when the server's last purge
// is an hour old or more on its clock, and not more often.
func TestIdempotencyPurge(t *testing.T) {
	forEachIdemBackend(t, func(t *testing.T, a *idemAPI) {
		srv := a.newAPI(a.clock.Now) // the server and the store on one clock
		t0 := a.clock.Now()
		at := func(d time.Duration, key string) {
			t.Helper()
			a.clock.Advance(t0.Add(d).Sub(a.clock.Now()))
			wantFirst(t, key, srv.mustSend("POST", root+"/invoices/"+a.token, unnumberedInvoices(1, key), api.IdempotencyKeyHeader, key), 200)
		}
		// left purges what expired before t0+d itself: what the server left.
		left := func(d time.Duration, want int) {
			t.Helper()
			n, err := a.hooks.PurgeIdempotencyKeys(t.Context(), t0.Add(d))
			if err != nil || n != want {
				t.Fatalf("at +%v: %d keys expired before +%v left, %v; want %d", a.clock.Now().Sub(t0), n, d, err, want)
			}
		}
		at(0, "k0")             // purges (the first time): nothing expired
		at(25*time.Hour, "k25") // purges: k0 expired an hour ago
		left(25*time.Hour, 0)
		at(25*time.Hour+5*time.Minute, "k25b")
		at(48*time.Hour+30*time.Minute, "k48")  // purges: nothing expired yet (k25 expires at +49h)
		at(49*time.Hour+10*time.Minute, "k49")  // k25 and k25b expired, but the last purge is 40 minutes old
		left(49*time.Hour+time.Microsecond, 1)  // k25 was left
		at(49*time.Hour+40*time.Minute, "k49b") // purges: k25b
		left(49*time.Hour+40*time.Minute, 0)
	})
}
