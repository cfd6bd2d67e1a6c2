package webhook_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/store/postgres"
	"github.com/vatgate/vatgate/internal/store/storetest"
	"github.com/vatgate/vatgate/internal/testdb"
	"github.com/vatgate/vatgate/internal/webhook"
)

// backend opens a fresh store on the test clock, and reopens the same
// database as a restarted server would.
type backend struct {
	name string
	open func(t *testing.T, now func() time.Time) (s store.Store, reopen func() store.Store)
}

var backends = []backend{
	{"sqlite", func(t *testing.T, now func() time.Time) (store.Store, func() store.Store) {
		path := filepath.Join(t.TempDir(), "vatgate.db")
		db := testdb.SQLiteAt(t, path)
		db.Now = now
		return db, func() store.Store {
			db.Close()
			db = testdb.SQLiteAt(t, path)
			db.Now = now
			return db
		}
	}},
	{"postgres", func(t *testing.T, now func() time.Time) (store.Store, func() store.Store) {
		u := testdb.PostgresSchemaURL(t)
		open := func() *postgres.DB {
			db, err := postgres.Open(context.Background(), u)
			if err != nil {
				t.Fatalf("open postgres: %v", err)
			}
			t.Cleanup(func() { db.Close() })
			if err := db.Migrate(context.Background()); err != nil {
				t.Fatalf("migrate postgres: %v", err)
			}
			db.Now = now
			return db
		}
		db := open()
		return db, func() store.Store {
			db.Close()
			db = open()
			return db
		}
	}},
}

// fixture is a store on a test clock with one merchant and a receiver.
type fixture struct {
	t        *testing.T
	clock    *storetest.Clock
	st       store.Store
	reopen   func() store.Store
	merchant store.Merchant
	rcv      *receiver
	endpoint store.WebhookEndpoint
}

// forEachBackend runs f on every backend (PostgreSQL when its URL is set), with a
// clock that starts now (so the library's 5-minute timestamp tolerance
// holds until a test moves it on).
func forEachBackend(t *testing.T, f func(t *testing.T, fx *fixture)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			if b.name == "postgres" && !hasPostgres() {
				t.Skipf("PostgreSQL tests need %s", testdb.PostgresEnv)
			}
			t.Parallel()
			clock := storetest.NewClock(time.Now().UTC())
			s, reopen := b.open(t, clock.Now)
			fx := &fixture{t: t, clock: clock, st: s, reopen: reopen}
			fx.merchant = storetest.MustCreateMerchant(t, s)
			fx.rcv = newReceiver(t)
			fx.endpoint = fx.addEndpoint(fx.rcv.srv.URL + "/hook")
			f(t, fx)
		})
	}
}

func hasPostgres() bool {
	for _, b := range testdb.Backends() {
		if b.Name == "postgres" {
			return true
		}
	}
	return false
}

func (fx *fixture) addEndpoint(url string) store.WebhookEndpoint {
	fx.t.Helper()
	ep, err := fx.st.CreateWebhookEndpoint(fx.t.Context(), fx.merchant.ID, url, webhook.NewSecret())
	if err != nil {
		fx.t.Fatalf("CreateWebhookEndpoint: %v", err)
	}
	return ep
}

// event stores an e-document, which queues its "new" event for every
// endpoint.
func (fx *fixture) event() invoicing.EDocument {
	fx.t.Helper()
	return storetest.MustCreateEDocuments(fx.t, fx.st, fx.merchant.ID, storetest.MinimalEDocument(invoicing.KindInvoice, ""))[0]
}

// deliverer is a Deliverer on the fixture's store and clock, with a fixed
// jitter (half the ceiling) and a short timeout.
func (fx *fixture) deliverer() *webhook.Deliverer {
	return &webhook.Deliverer{
		Store:        fx.st,
		Owner:        "test",
		AllowPrivate: true, // httptest listens on loopback
		Clock:        fx.clock.Now,
		Timeout:      2 * time.Second,
		PollEvery:    10 * time.Millisecond,
		Rand:         func() float64 { return 0.5 },
		Logger:       slog.New(slog.DiscardHandler),
	}
}

func (fx *fixture) round(d *webhook.Deliverer) int {
	fx.t.Helper()
	n, err := d.Round(fx.t.Context())
	if err != nil {
		fx.t.Fatalf("Round: %v", err)
	}
	return n
}

// log is the endpoint's whole delivery log.
func (fx *fixture) log(ep store.WebhookEndpoint) []store.WebhookDelivery {
	fx.t.Helper()
	ds, err := fx.st.ListWebhookDeliveries(fx.t.Context(), fx.merchant.ID, ep.ID, store.ListOptions{Limit: 100})
	if err != nil {
		fx.t.Fatalf("ListWebhookDeliveries: %v", err)
	}
	return ds
}

func (fx *fixture) only(ep store.WebhookEndpoint) store.WebhookDelivery {
	fx.t.Helper()
	ds := fx.log(ep)
	if len(ds) != 1 {
		fx.t.Fatalf("%d deliveries, want 1: %+v", len(ds), ds)
	}
	return ds[0]
}

// receiver is a merchant's endpoint: it verifies every request with the
// Standard Webhooks library and answers from a script of statuses (200
// when the script has run out).
type receiver struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	secret   map[string]string // path -> secret, for verifying
	script   []int
	requests []received
	hold     chan struct{} // when set, requests wait for it to close
	arrived  chan struct{}
}

type received struct {
	header    http.Header
	body      string
	status    int
	verified  error // the library's verdict, timestamp ignored
	inWindow  error // the library's verdict with its timestamp tolerance
	timestamp time.Time
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t, secret: map[string]string{}, arrived: make(chan struct{}, 100)}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	hold := r.hold
	status := http.StatusOK
	if len(r.script) > 0 {
		status, r.script = r.script[0], r.script[1:]
	}
	rec := received{header: req.Header.Clone(), body: string(body), status: status}
	if secret, ok := r.secret[req.URL.Path]; ok {
		wh, err := standardwebhooks.NewWebhook(secret)
		if err != nil {
			r.t.Errorf("the library refuses the secret: %v", err)
		} else {
			rec.verified = wh.VerifyIgnoringTimestamp(body, req.Header)
			rec.inWindow = wh.Verify(body, req.Header)
		}
	}
	if n, err := strconv.ParseInt(req.Header.Get("webhook-timestamp"), 10, 64); err == nil {
		rec.timestamp = time.Unix(n, 0)
	}
	r.requests = append(r.requests, rec)
	r.mu.Unlock()
	r.arrived <- struct{}{}
	if hold != nil {
		<-hold
	}
	w.WriteHeader(status)
	if status >= 300 {
		io.WriteString(w, "receiver says\tno\x00 ")
	}
}

func (r *receiver) verifyWith(path, secret string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secret[path] = secret
}

func (r *receiver) answer(statuses ...int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.script = append(r.script, statuses...)
}

func (r *receiver) got() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.requests...)
}

// A delivery is POSTed as JSON with the three Standard Webhooks headers;
// the library verifies the signature (timestamp tolerance included) with
// the endpoint's secret, and the body is the event stored for it.
func TestDeliverSigned(t *testing.T) {
	forEachBackend(t, func(t *testing.T, fx *fixture) {
		fx.rcv.verifyWith("/hook", fx.endpoint.Secret)
		second := fx.addEndpoint(fx.rcv.srv.URL + "/second")
		fx.rcv.verifyWith("/second", second.Secret)
		doc := fx.event()

		d := fx.deliverer()
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- d.Run(ctx) }()
		for range 2 {
			select {
			case <-fx.rcv.arrived:
			case <-time.After(10 * time.Second):
				t.Fatal("no delivery within 10s")
			}
		}
		waitFor(t, "both delivered", func() bool { return fx.only(fx.endpoint).Delivered && fx.only(second).Delivered })
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Run: %v", err)
		}

		got := fx.rcv.got()
		if len(got) != 2 {
			t.Fatalf("%d requests, want 2 (one per endpoint)", len(got))
		}
		for _, ep := range []store.WebhookEndpoint{fx.endpoint, second} {
			del := fx.only(ep)
			var req *received
			for i := range got {
				if got[i].header.Get("webhook-id") == "msg_"+strconv.FormatInt(del.ID, 10) {
					req = &got[i]
				}
			}
			if req == nil {
				t.Fatalf("no request with webhook-id msg_%d", del.ID)
			}
			if req.verified != nil || req.inWindow != nil {
				t.Errorf("endpoint %d: the library refuses the signature: %v / %v", ep.ID, req.verified, req.inWindow)
			}
			if req.body != string(del.Payload) || !strings.Contains(req.body, `"document_id":`+strconv.FormatInt(doc.ID, 10)) {
				t.Errorf("endpoint %d: body %s, want the stored payload %s", ep.ID, req.body, del.Payload)
			}
			if ct := req.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if !req.timestamp.Equal(fx.clock.Now().Truncate(time.Second)) {
				t.Errorf("webhook-timestamp %v, want the clock's %v", req.timestamp, fx.clock.Now())
			}
			if !del.Delivered || del.GaveUp || del.Attempts != 1 || del.LastStatus != 200 || del.LastError != "" {
				t.Errorf("endpoint %d: log %+v; want delivered at the first attempt with 200", ep.ID, del)
			}
		}
		// Delivered is final: nothing more to claim.
		if n := fx.round(fx.deliverer()); n != 0 {
			t.Errorf("claimed %d deliveries after all were delivered", n)
		}
	})
}

// A receiver that fails three times (a 500, a timeout, a 503) is tried
// again after backoffs that double, with the same webhook-id and a fresh
// signature each time, and the event is delivered once.
func TestDeliverRetriesWithBackoff(t *testing.T) {
	forEachBackend(t, func(t *testing.T, fx *fixture) {
		fx.rcv.verifyWith("/hook", fx.endpoint.Secret)
		fx.event()
		d := fx.deliverer()
		d.RetryBase = 10 * time.Second
		d.Timeout = 300 * time.Millisecond

		fx.rcv.answer(500)
		if n := fx.round(d); n != 1 {
			t.Fatalf("first round claimed %d", n)
		}
		del := fx.only(fx.endpoint)
		if del.Delivered || del.GaveUp || del.Attempts != 1 || del.LastStatus != 500 || del.LastError != "HTTP 500: receiver says no" {
			t.Fatalf("after a 500: %+v", del)
		}
		// Full jitter at 0.5 of a ceiling that doubles: 5s, 10s, 20s.
		wantNext(t, del, fx.clock.Now().Add(5*time.Second))
		if n := fx.round(d); n != 0 {
			t.Fatalf("claimed %d before the retry time", n)
		}

		fx.clock.Advance(5 * time.Second)
		hold := make(chan struct{})
		fx.rcv.mu.Lock()
		fx.rcv.hold = hold
		fx.rcv.script = []int{http.StatusGatewayTimeout} // never seen: the client gave up first
		fx.rcv.mu.Unlock()
		fx.round(d) // times out
		close(hold)
		fx.rcv.mu.Lock()
		fx.rcv.hold = nil
		fx.rcv.mu.Unlock()
		del = fx.only(fx.endpoint)
		if del.Attempts != 2 || del.LastStatus != 0 || !strings.Contains(del.LastError, "no answer within 300ms") {
			t.Fatalf("after a timeout: %+v", del)
		}
		wantNext(t, del, fx.clock.Now().Add(10*time.Second))

		fx.clock.Advance(10 * time.Second)
		fx.rcv.answer(503)
		fx.round(d)
		del = fx.only(fx.endpoint)
		wantNext(t, del, fx.clock.Now().Add(20*time.Second))

		fx.clock.Advance(20 * time.Second)
		fx.round(d) // 200
		del = fx.only(fx.endpoint)
		if !del.Delivered || del.Attempts != 4 || del.LastStatus != 200 || del.LastError != "" {
			t.Fatalf("after the 200: %+v", del)
		}
		fx.clock.Advance(time.Hour)
		if n := fx.round(d); n != 0 {
			t.Errorf("claimed %d after delivery", n)
		}

		got := fx.rcv.got()
		if len(got) != 4 {
			t.Fatalf("%d requests, want 4", len(got))
		}
		delivered := 0
		for i, r := range got {
			if r.header.Get("webhook-id") != "msg_"+strconv.FormatInt(del.ID, 10) {
				t.Errorf("attempt %d: webhook-id %q", i+1, r.header.Get("webhook-id"))
			}
			if r.verified != nil {
				t.Errorf("attempt %d: the library refuses the signature: %v", i+1, r.verified)
			}
			if r.status < 300 {
				delivered++
			}
		}
		if delivered != 1 {
			t.Errorf("answered 2xx %d times, want once", delivered)
		}
		if !got[3].timestamp.After(got[0].timestamp) {
			t.Errorf("the retry's timestamp %v is not after the first's %v", got[3].timestamp, got[0].timestamp)
		}
	})
}

// A receiver that is down (nothing listens) is tried with the default
// policy until the next try would fall more than three days after the
// event; then the delivery gives up, and its log says so.
func TestDeliverGivesUpAfterThreeDays(t *testing.T) {
	forEachBackend(t, func(t *testing.T, fx *fixture) {
		down := httptest.NewServer(http.NotFoundHandler())
		down.Close()
		ep := fx.addEndpoint(down.URL + "/gone")
		fx.event()
		d := fx.deliverer()
		d.Timeout = time.Second

		start := fx.clock.Now()
		var attempts int
		for attempts = 1; attempts < 1000; attempts++ {
			fx.round(d)
			del := fx.only(ep)
			if del.GaveUp {
				break
			}
			if del.Attempts != attempts || del.NextAttempt.Sub(del.CreatedAt) > webhook.RetryWindow {
				t.Fatalf("attempt %d: %+v", attempts, del)
			}
			fx.clock.Advance(del.NextAttempt.Sub(fx.clock.Now()))
		}
		del := fx.only(ep)
		if !del.GaveUp || del.Delivered || del.Attempts != attempts || del.LastStatus != 0 || !strings.Contains(del.LastError, "refused") {
			t.Fatalf("after %d attempts: %+v; want given up, connection refused", attempts, del)
		}
		// The last attempt was within the window, and the next would have
		// been past it (the ceiling is an hour, the jitter half of it).
		elapsed := fx.clock.Now().Sub(start)
		if elapsed > webhook.RetryWindow || elapsed < webhook.RetryWindow-webhook.RetryMax {
			t.Errorf("gave up %v after the event, want within the last hour of %v", elapsed, webhook.RetryWindow)
		}
		// With the ceiling at an hour and the jitter at half of it, three
		// days take about 72*2 attempts and the first doublings.
		if attempts < 140 || attempts > 160 {
			t.Errorf("%d attempts in three days", attempts)
		}
		fx.clock.Advance(24 * time.Hour)
		if n := fx.round(d); n != 0 {
			t.Errorf("claimed %d after giving up", n)
		}
		// The other endpoint, which answers, got its event at once.
		if got := fx.only(fx.endpoint); !got.Delivered || got.Attempts != 1 {
			t.Errorf("the working endpoint: %+v", got)
		}
	})
}

// After a restart, a new Deliverer on the same database delivers what was
// queued at once, and what a dead deliverer had claimed once its lease is
// over.
func TestDeliverResumesAfterRestart(t *testing.T) {
	forEachBackend(t, func(t *testing.T, fx *fixture) {
		fx.rcv.verifyWith("/hook", fx.endpoint.Secret)
		fx.event()
		fx.event()
		fx.event()
		held, err := fx.st.ClaimWebhookDeliveries(t.Context(), "dead", time.Minute, 1)
		if err != nil || len(held) != 1 {
			t.Fatalf("ClaimWebhookDeliveries: %d, %v", len(held), err)
		}
		fx.clock.Advance(time.Second)
		fx.rcv.answer(500)
		if n := fx.round(fx.deliverer()); n != 2 {
			t.Fatalf("before the restart: claimed %d, want 2", n)
		}

		fx.st = fx.reopen()
		d := fx.deliverer()
		d.Owner = "" // a new process names itself
		if n := fx.round(d); n != 0 {
			t.Fatalf("claimed %d at once after the restart; want none due", n)
		}
		fx.clock.Advance(time.Minute)
		if n := fx.round(d); n != 2 {
			t.Fatalf("after the dead lease and the retry time: claimed %d, want 2", n)
		}
		for _, del := range fx.log(fx.endpoint) {
			if !del.Delivered {
				t.Errorf("not delivered after the restart: %+v", del)
			}
		}
		if got := fx.rcv.got(); len(got) != 4 {
			t.Errorf("%d requests, want 4 (one failed, three delivered)", len(got))
		}
		for _, r := range fx.rcv.got() {
			if r.verified != nil {
				t.Errorf("the library refuses a signature: %v", r.verified)
			}
		}
	})
}

// Without AllowPrivate, a delivery to a URL that the server would not
// accept now (http, a loopback address: stored while the operator allowed
// them) is not sent; the attempt's error says why and it is retried.
func TestDeliverRefusesPrivateWhenNotAllowed(t *testing.T) {
	forEachBackend(t, func(t *testing.T, fx *fixture) {
		https := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			t.Errorf("a loopback receiver was reached")
		}))
		defer https.Close()
		ep := fx.addEndpoint(https.URL + "/tls")
		fx.event()
		d := fx.deliverer()
		d.AllowPrivate = false
		fx.round(d)
		if got := fx.rcv.got(); len(got) != 0 {
			t.Errorf("the http receiver got %d requests", len(got))
		}
		plain := fx.only(fx.endpoint)
		if plain.Delivered || plain.LastError != "url: must use https" || plain.NextAttempt.IsZero() {
			t.Errorf("http endpoint: %+v", plain)
		}
		tls := fx.only(ep)
		if tls.Delivered || !strings.Contains(tls.LastError, "url: resolves to a loopback address 127.0.0.1") {
			t.Errorf("https loopback endpoint: %+v", tls)
		}
	})
}

// Run stops when its context is done, but only after the attempts under
// way are answered and recorded.
func TestRunFinishesInFlightOnStop(t *testing.T) {
	forEachBackend(t, func(t *testing.T, fx *fixture) {
		hold := make(chan struct{})
		fx.rcv.mu.Lock()
		fx.rcv.hold = hold
		fx.rcv.mu.Unlock()
		fx.event()
		d := fx.deliverer()
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- d.Run(ctx) }()
		select {
		case <-fx.rcv.arrived:
		case <-time.After(10 * time.Second):
			t.Fatal("no delivery within 10s")
		}
		cancel()
		select {
		case <-done:
			t.Fatal("Run returned with an attempt under way")
		case <-time.After(100 * time.Millisecond):
		}
		close(hold)
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after the attempt")
		}
		if del := fx.only(fx.endpoint); !del.Delivered || del.Attempts != 1 {
			t.Errorf("the in-flight attempt was not recorded: %+v", del)
		}
	})
}

// Kick wakes a waiting Run at once.
func TestKick(t *testing.T) {
	forEachBackend(t, func(t *testing.T, fx *fixture) {
		d := fx.deliverer()
		d.PollEvery = time.Hour
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- d.Run(ctx) }()
		time.Sleep(50 * time.Millisecond) // the first round found nothing
		fx.event()
		d.Kick()
		select {
		case <-fx.rcv.arrived:
		case <-time.After(10 * time.Second):
			t.Fatal("Kick did not wake the deliverer")
		}
		cancel()
		<-done
	})
}

// A deleted endpoint's queued deliveries are not sent.
func TestDeliverDeletedEndpoint(t *testing.T) {
	forEachBackend(t, func(t *testing.T, fx *fixture) {
		fx.event()
		if err := fx.st.DeleteWebhookEndpoint(t.Context(), fx.merchant.ID, fx.endpoint.ID); err != nil {
			t.Fatal(err)
		}
		if n := fx.round(fx.deliverer()); n != 0 {
			t.Errorf("claimed %d deliveries of a deleted endpoint", n)
		}
		if got := fx.rcv.got(); len(got) != 0 {
			t.Errorf("%d requests to a deleted endpoint", len(got))
		}
	})
}

func wantNext(t *testing.T, del store.WebhookDelivery, want time.Time) {
	t.Helper()
	if d := del.NextAttempt.Sub(want); d < -time.Millisecond || d > time.Millisecond {
		t.Errorf("next attempt %v, want %v", del.NextAttempt, want)
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
