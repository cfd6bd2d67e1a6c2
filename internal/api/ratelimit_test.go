package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vatgate/vatgate/internal/api"
	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/ratelimit"
	"github.com/vatgate/vatgate/internal/ratelimit/ratelimittest"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/token"
)

// The per-token request limits of the invoice, credit note, customer and
// OMP APIs (ratelimit.go).

// limitClock is the limiter's fake clock in these tests.
type limitClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *limitClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *limitClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newLimitedAPI is newTestAPI with a limiter and limits in the config.
func newLimitedAPI(t testing.TB, st store.Store, limiter ratelimit.Limiter, limits api.Limits) *testAPI {
	t.Helper()
	logs := &bytes.Buffer{}
	server := api.NewServer(st, slog.New(slog.NewJSONHandler(logs, nil)), api.Config{
		MaxBodyBytes: 1 << 20, OMP: testEngine(), Now: testNow, Limiter: limiter, Limits: limits})
	srv := httptest.NewServer(server)
	t.Cleanup(srv.Close)
	return &testAPI{t: t, url: srv.URL, store: st, server: server, logs: logs}
}

// answer is a response with its headers.
type answer struct {
	status int
	header http.Header
	body   string
}

// send is do with the response headers; safe from several goroutines.
func (a *testAPI) send(method, path, body string, headers ...string) (answer, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, a.url+path, rd)
	if err != nil {
		return answer{}, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(b)}, err
}

func (a *testAPI) mustSend(method, path, body string, headers ...string) answer {
	a.t.Helper()
	ans, err := a.send(method, path, body, headers...)
	if err != nil {
		a.t.Fatal(err)
	}
	return ans
}

// checkHeaders wants the RateLimit-Policy and RateLimit fields, or none
// when policy is "".
func checkHeaders(t testing.TB, what string, ans answer, policy, ratelimit string) {
	t.Helper()
	if got := ans.header.Get("RateLimit-Policy"); got != policy {
		t.Errorf("%s: RateLimit-Policy %q, want %q", what, got, policy)
	}
	if got := ans.header.Get("RateLimit"); got != ratelimit {
		t.Errorf("%s: RateLimit %q, want %q", what, got, ratelimit)
	}
}

func oneInvoice(number string) string {
	return fmt.Sprintf(`[{"invoice_number":%q,"customer_name":"Limits","invoice_date":"2024-05-01","status":"draft",`+
		`"line_items":[{"description":"x","quantity":1,"unit_price":10}],"subtotal":10,"total_tax":0,"total":10,"total_discount_amount":0}]`, number)
}

func mustMerchant(t testing.TB, st store.Store, tok string) store.Merchant {
	t.Helper()
	m, err := st.Authenticate(context.Background(), token.Hash(tok))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// storedNumbers lists a merchant's documents of a kind.
func storedNumbers(t testing.TB, st store.Store, merchantID int64, k invoicing.Kind) []string {
	t.Helper()
	var nums []string
	var after int64
	for {
		docs, err := st.ListDocuments(context.Background(), merchantID, k, store.ListOptions{AfterID: after, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			nums = append(nums, d.Number)
			after = d.ID
		}
		if len(docs) < 100 {
			return nums
		}
	}
}

// 100 invoice requests pass with RateLimit counting down, the 101st is
// refused with 429 and Retry-After, and nothing of it is stored. The
// customer and credit note routes share the budget; other tokens, the OMP
// class, e-documents and webhooks do not.
func TestRateLimitInvoices(t *testing.T) {
	clock := &limitClock{t: time.Date(2026, 4, 1, 12, 0, 30, 0, time.UTC)} // 30 s left of the minute
	a := newLimitedAPI(t, testdbSQLite(t), ratelimit.NewMemory(clock.Now), api.DefaultLimits)
	a.token = mustMerchantToken(t, a.store, "Merchant A")
	a.tokenB = mustMerchantToken(t, a.store, "Merchant B")
	const policy = `"invoice";q=100;w=60`
	invoicesPath := "/api/1/app/l_invoice/invoices/" + a.token

	for i := 1; i <= 100; i++ {
		ans := a.mustSend("POST", invoicesPath, oneInvoice(fmt.Sprintf("RL-%03d", i)))
		if ans.status != 200 {
			t.Fatalf("request %d: status %d: %s", i, ans.status, ans.body)
		}
		checkHeaders(t, fmt.Sprintf("request %d", i), ans, policy, fmt.Sprintf(`"invoice";r=%d;t=30`, 100-i))
		if ans.header.Get("Retry-After") != "" {
			t.Errorf("request %d: Retry-After on a 200", i)
		}
	}
	ans := a.mustSend("POST", invoicesPath, oneInvoice("RL-101"))
	if ans.status != 429 {
		t.Fatalf("101st: status %d, want 429: %s", ans.status, ans.body)
	}
	checkHeaders(t, "101st", ans, policy, `"invoice";r=0;t=30`)
	if got := ans.header.Get("Retry-After"); got != "30" {
		t.Errorf("101st: Retry-After %q, want 30", got)
	}
	if want := `{"status":429,"message":"rate limit of 100 requests per minute exceeded; retry in 30 s"}` + "\n"; ans.body != want {
		t.Errorf("101st: body %s, want %s", ans.body, want)
	}
	if ct := ans.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("101st: Content-Type %q", ct)
	}

	mA := mustMerchant(t, a.store, a.token)
	if nums := storedNumbers(t, a.store, mA.ID, invoicing.KindInvoice); len(nums) != 100 || nums[99] != "RL-100" {
		t.Fatalf("stored %d invoices (last %v), want RL-001..RL-100", len(nums), nums[len(nums)-1:])
	}

	// One budget for the token on every route of the class, whichever way
	// the token comes.
	for _, c := range []struct{ method, path, body, auth string }{
		{"POST", "/api/1/app/l_invoice/credit_notes", strings.ReplaceAll(oneInvoice("CN-1"), "invoice_", "credit_note_"), "Bearer " + a.token},
		{"GET", "/api/1/app/l_invoice/customers", "", basic(a.token, "")},
		{"PUT", "/api/1/app/l_invoice/invoices/1", `{"status":"sent"}`, "Bearer " + a.token},
		{"GET", "/api/1/app/l_invoice/invoices/" + a.token + "?limit=1", "", ""},
	} {
		ans := a.mustSend(c.method, c.path, c.body, "Authorization", c.auth)
		if ans.status != 429 || ans.header.Get("Retry-After") != "30" {
			t.Errorf("%s %s: status %d Retry-After %q, want 429 and 30", c.method, c.path, ans.status, ans.header.Get("Retry-After"))
		}
	}
	if nums := storedNumbers(t, a.store, mA.ID, invoicing.KindCreditNote); len(nums) != 0 {
		t.Errorf("refused credit note stored: %v", nums)
	}
	if doc, err := a.store.GetDocument(context.Background(), mA.ID, invoicing.KindInvoice, 1); err != nil || doc.Status != "draft" {
		t.Errorf("refused update applied: %v %v", doc.Status, err)
	}

	// Another token has its own budget.
	ans = a.mustSend("GET", "/api/1/app/l_invoice/customers/"+a.tokenB, "")
	if ans.status != 200 {
		t.Errorf("merchant B: status %d", ans.status)
	}
	checkHeaders(t, "merchant B", ans, policy, `"invoice";r=99;t=30`)

	// The OMP class counts apart; e-documents and webhooks are unlimited;
	// a request without a valid token is answered 401 before any limit.
	ans = a.mustSend("POST", ompPath, ompExample(t, "example_1"), "Authorization", "Bearer "+a.token)
	if ans.status != 200 {
		t.Errorf("omp: status %d: %s", ans.status, ans.body)
	}
	checkHeaders(t, "omp", ans, `"omp";q=100;w=60`, `"omp";r=99;t=30`)
	for _, path := range []string{"/api/1/app/l_invoice/e_documents/", "/api/1/app/l_invoice/webhooks/"} {
		ans := a.mustSend("GET", path+a.token, "")
		if ans.status != 200 {
			t.Errorf("%s: status %d: %s", path, ans.status, ans.body)
		}
		checkHeaders(t, path, ans, "", "")
	}
	ans = a.mustSend("GET", "/api/1/app/l_invoice/invoices", "", "Authorization", "Bearer vgt_nope")
	if ans.status != 401 {
		t.Errorf("bad token: status %d, want 401", ans.status)
	}
	checkHeaders(t, "bad token", ans, "", "")

	// The next minute opens a new window.
	clock.Add(30 * time.Second)
	ans = a.mustSend("POST", invoicesPath, oneInvoice("RL-101"))
	if ans.status != 200 {
		t.Fatalf("next minute: status %d: %s", ans.status, ans.body)
	}
	checkHeaders(t, "next minute", ans, policy, `"invoice";r=99;t=60`)
}

// sendConcurrently sends n requests from 16 clients and counts the
// answers by status.
func sendConcurrently(t *testing.T, n int, send func(i int) (answer, error)) map[int]int {
	t.Helper()
	var (
		mu     sync.Mutex
		counts = map[int]int{}
		wg     sync.WaitGroup
		next   = make(chan int)
		errs   = make(chan error, n)
	)
	for range 16 {
		wg.Go(func() {
			for i := range next {
				ans, err := send(i)
				if err != nil {
					errs <- err
					continue
				}
				mu.Lock()
				counts[ans.status]++
				mu.Unlock()
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return counts
}

// The OMP limit follows the merchant's plan: 100 a minute on the standard
// plan, 1,000 on the advanced plan, exact under concurrent clients; refused
// calls never reach the handler (OMPCalls does not count them).
func TestRateLimitOMPPlans(t *testing.T) {
	clock := &limitClock{t: time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)}
	a := newLimitedAPI(t, testdbSQLite(t), ratelimit.NewMemory(clock.Now), api.DefaultLimits)
	ctx := context.Background()
	body := ompExample(t, "example_1")
	for _, c := range []struct {
		plan  string
		limit int
	}{{store.PlanStandard, 100}, {store.PlanAdvanced, 1000}} {
		t.Run(c.plan, func(t *testing.T) {
			m, err := a.store.CreateMerchant(ctx, "OMP "+c.plan, c.plan)
			if err != nil {
				t.Fatal(err)
			}
			tok := token.New()
			if _, err := a.store.CreateToken(ctx, m.ID, token.Hash(tok), token.Redact(tok), time.Time{}); err != nil {
				t.Fatal(err)
			}
			counts := sendConcurrently(t, c.limit+10, func(int) (answer, error) {
				return a.send("POST", ompPath, body, "Authorization", "Bearer "+tok)
			})
			if counts[200] != c.limit || counts[429] != 10 || len(counts) != 2 {
				t.Fatalf("answers by status %v, want %d x 200 and 10 x 429", counts, c.limit)
			}
			if got := a.server.OMPCalls(m.ID); got != uint64(c.limit) {
				t.Errorf("OMPCalls %d, want %d: a refused call reached the handler", got, c.limit)
			}
			ans := a.mustSend("POST", ompPath, body, "Authorization", "Bearer "+tok)
			if ans.status != 429 {
				t.Fatalf("status %d, want 429", ans.status)
			}
			checkHeaders(t, c.plan, ans, fmt.Sprintf(`"omp";q=%d;w=60`, c.limit), `"omp";r=0;t=60`)
			want := fmt.Sprintf(`"rate limit of %d requests per minute exceeded; retry in 60 s"`, c.limit)
			if !strings.Contains(ans.body, want) || ans.header.Get("Retry-After") != "60" {
				t.Errorf("body %s Retry-After %q, want %s and 60", ans.body, ans.header.Get("Retry-After"), want)
			}
		})
	}
}

// Two API servers sharing one Redis (each with its own client, as two
// instances would) enforce one limit: 60 requests to each at once, exactly
// 100 pass. Redis holds the token's hash, never the token.
func TestRateLimitSharedRedis(t *testing.T) {
	c1, c2 := ratelimittest.Client(t), ratelimittest.Client(t)
	prefix := ratelimittest.Prefix(t, c1)
	st := testdbSQLite(t)
	a := newLimitedAPI(t, st, ratelimit.NewRedis(c1, prefix), api.DefaultLimits)
	b := newLimitedAPI(t, st, ratelimit.NewRedis(c2, prefix), api.DefaultLimits)
	a.token = mustMerchantToken(t, st, "Shared")
	ratelimittest.FreshWindow(t, c1, time.Minute, 10*time.Second)

	counts := sendConcurrently(t, 120, func(i int) (answer, error) {
		server := a
		if i%2 == 1 {
			server = b
		}
		return server.send("POST", "/api/1/app/l_invoice/invoices", oneInvoice(fmt.Sprintf("SH-%03d", i)), "Authorization", "Bearer "+a.token)
	})
	if counts[200] != 100 || counts[429] != 20 || len(counts) != 2 {
		t.Fatalf("answers by status %v, want 100 x 200 and 20 x 429", counts)
	}
	m := mustMerchant(t, st, a.token)
	if nums := storedNumbers(t, st, m.ID, invoicing.KindInvoice); len(nums) != 100 {
		t.Fatalf("%d invoices stored, want 100", len(nums))
	}
	for _, server := range []*testAPI{a, b} {
		ans := server.mustSend("GET", "/api/1/app/l_invoice/customers", "", "Authorization", "Bearer "+a.token)
		if ans.status != 429 || ans.header.Get("Retry-After") == "" {
			t.Errorf("after the limit: status %d Retry-After %q", ans.status, ans.header.Get("Retry-After"))
		}
	}

	keys, err := ratelimittest.Keys(context.Background(), c1, prefix)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || !strings.HasPrefix(keys[0], prefix+"invoice:"+token.Hash(a.token)+":") {
		t.Fatalf("keys %v, want one for the token's hash", keys)
	}
	if strings.Contains(keys[0], a.token) || strings.Contains(keys[0], a.token[len(token.Prefix):]) {
		t.Fatalf("key %s holds the token", keys[0])
	}
}

// With Redis unreachable, requests are served without their limit (fail
// open): the policy is still announced, RateLimitFailures counts them, and
// one paced warning is logged.
func TestRateLimitFailOpen(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1, DialTimeout: time.Second})
	t.Cleanup(func() { c.Close() })
	a := newLimitedAPI(t, testdbSQLite(t), ratelimit.NewRedis(c, "x:"), api.Limits{Invoice: 2})
	a.token = mustMerchantToken(t, a.store, "Open")

	for i := range 5 {
		ans := a.mustSend("POST", "/api/1/app/l_invoice/invoices/"+a.token, oneInvoice(fmt.Sprintf("FO-%d", i)))
		if ans.status != 200 {
			t.Fatalf("request %d: status %d, want 200 (fail open): %s", i, ans.status, ans.body)
		}
		checkHeaders(t, "fail open", ans, `"invoice";q=2;w=60`, "")
	}
	if got := a.server.RateLimitFailures(); got != 5 {
		t.Errorf("RateLimitFailures %d, want 5", got)
	}
	if n := strings.Count(a.logs.String(), "rate limiter failed"); n != 1 {
		t.Errorf("%d warnings, want 1 (paced): %s", n, a.logs)
	}
	for _, line := range strings.Split(a.logs.String(), "\n") {
		if strings.Contains(line, "rate limiter failed") && !strings.Contains(line, `"request_id":"`) {
			t.Errorf("the warning has no request id: %s", line)
		}
	}
	if m := mustMerchant(t, a.store, a.token); len(storedNumbers(t, a.store, m.ID, invoicing.KindInvoice)) != 5 {
		t.Error("not every request was served")
	}
}

// Without a limiter (the zero Config of the other tests and the
// benchmarks) nothing is limited or announced; a limit of 0 leaves its
// class unlimited while the others keep theirs.
func TestRateLimitDisabled(t *testing.T) {
	st := testdbSQLite(t)
	a := newTestAPI(t, st)
	ans := a.mustSend("GET", "/api/1/app/l_invoice/customers/"+a.token, "")
	if ans.status != 200 {
		t.Fatalf("status %d", ans.status)
	}
	checkHeaders(t, "no limiter", ans, "", "")

	b := newLimitedAPI(t, st, ratelimit.NewMemory(nil), api.Limits{Invoice: 0, OMPStandard: 1})
	for i := range 3 {
		ans := b.mustSend("GET", "/api/1/app/l_invoice/customers/"+a.token, "")
		if ans.status != 200 {
			t.Fatalf("request %d: status %d", i, ans.status)
		}
		checkHeaders(t, "invoice limit 0", ans, "", "")
	}
	if ans := b.mustSend("POST", ompPath, ompExample(t, "example_1"), "Authorization", "Bearer "+a.token); ans.status != 200 {
		t.Fatalf("omp: status %d", ans.status)
	}
	if ans := b.mustSend("POST", ompPath, ompExample(t, "example_1"), "Authorization", "Bearer "+a.token); ans.status != 429 {
		t.Fatalf("omp over a limit of 1: status %d", ans.status)
	}
}
