package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/api"
	"github.com/vatgate/vatgate/internal/faulttest"
	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/peppol/accesspoint"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/store/postgres"
	"github.com/vatgate/vatgate/internal/store/sqlite"
	"github.com/vatgate/vatgate/internal/store/storetest"
	"github.com/vatgate/vatgate/internal/testdb"
	"github.com/vatgate/vatgate/internal/transmit"
)

// fakeClock is the store's, the worker's, the API's and the access point
// client's clock in the access point outage test: the test moves it on,
// hours in seconds.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// outageAP plays an access point that is down (503 with Retry-After) until
// up is set, then accepts. It keeps every POST by message id (the
// Idempotency-Key), to check that retries resend the same bytes under the
// same id and that each id is accepted once.
type outageAP struct {
	up atomic.Bool

	mu       sync.Mutex
	bodies   map[string][]byte // the first body of each message id
	attempts map[string]int
	accepted map[string]int
	problems []string
}

func (ap *outageAP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	key := r.Header.Get("Idempotency-Key")
	ap.mu.Lock()
	defer ap.mu.Unlock()
	ap.attempts[key]++
	if first, ok := ap.bodies[key]; !ok {
		ap.bodies[key] = body
	} else if !bytes.Equal(first, body) {
		ap.problems = append(ap.problems, "message "+key+" resent with other bytes")
	}
	if !bytes.Contains(body, []byte("<InstanceIdentifier>"+key+"</InstanceIdentifier>")) {
		ap.problems = append(ap.problems, "message "+key+": the SBDH does not carry the key")
	}
	if !ap.up.Load() {
		w.Header().Set("Retry-After", "120")
		http.Error(w, `{"message":"access point down for maintenance"}`, http.StatusServiceUnavailable)
		return
	}
	ap.accepted[key]++
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	fmt.Fprintf(w, `{"messageId":"ap-%s"}`, key)
}

// TestFaultAccessPointDown runs the http transport against an access point
// that is down for a long simulated time (30 hours; 70 with
// VATGATE_FAULT_LONG, near the 72-hour retry window): it answers 503, and
// for ten of those hours its port is closed altogether. E-invoices are
// posted before and during the outage. Once it is back every document is
// accepted, each message id exactly once and always with the same bytes,
// and the receivers' answers, reported by signed callback, make every
// document delivered: none lost, none given up.
func TestFaultAccessPointDown(t *testing.T) {
	outage := 30 * time.Hour
	if faultLong() {
		outage = 70 * time.Hour
	}
	for _, b := range testdb.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			st := b.Open(t)
			clock := &fakeClock{now: time.Now().UTC().Truncate(time.Second)}
			switch db := st.(type) {
			case *sqlite.DB:
				db.Now = clock.Now
			case *postgres.DB:
				db.Now = clock.Now
			default:
				t.Fatalf("no clock to set on %T", st)
			}
			m := storetest.MustCreateMerchant(t, st)
			_, tok := storetest.MustCreateToken(t, st, m.ID, time.Time{})

			ap := &outageAP{bodies: map[string][]byte{}, attempts: map[string]int{}, accepted: map[string]int{}}
			apSrv := httptest.NewServer(ap)
			t.Cleanup(apSrv.Close)
			proxy := faulttest.StartProxy(t, strings.TrimPrefix(apSrv.URL, "http://"))
			const secret = "callback-secret"
			client, err := accesspoint.New(accesspoint.Config{URL: "http://" + proxy.Addr() + "/documents", AllowInsecure: true,
				BearerToken: "ap-token", CallbackSecret: secret, Timeout: 5 * time.Second, Now: clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
			w := &transmit.Worker{Store: st, Transport: client, Workers: 4, Lease: 24 * time.Hour,
				PollEvery: 5 * time.Millisecond, Clock: clock.Now, Rand: func() float64 { return 0.5 }, Logger: logger}
			ours := httptest.NewServer(api.NewServer(st, logger, api.Config{Callbacks: client, Notify: w.Kick, Now: clock.Now}))
			t.Cleanup(ours.Close)
			ctx, stop := context.WithCancel(context.Background())
			stopped := make(chan struct{})
			go func() { defer close(stopped); _ = w.Run(ctx) }()
			t.Cleanup(func() { stop(); <-stopped })

			post := func(prefix string, n int) {
				t.Helper()
				recs := make([]string, n)
				for i := range recs {
					recs[i] = eInvoiceJSON(fmt.Sprintf("%s-%d", prefix, i), fmt.Sprintf("0106:123456%02d", i))
				}
				status, body := faultDo(t, "POST", ours.URL+"/api/1/app/l_invoice/e_documents/invoices/"+tok, "["+strings.Join(recs, ",")+"]")
				if status != 200 || strings.Count(body, `"status":"success"`) != n {
					t.Fatalf("posting %s: %d %s", prefix, status, body)
				}
			}

			// The outage, hours in real seconds: 5 simulated minutes every
			// 5ms. Documents arrive before it and at its 12th hour; the
			// port is closed from its 10th to its 20th hour.
			start := clock.Now()
			post("AP-BEFORE", 10)
			real := time.Now()
			for clock.Now().Sub(start) < outage {
				time.Sleep(5 * time.Millisecond)
				clock.Advance(5 * time.Minute)
				switch clock.Now().Sub(start) {
				case 10 * time.Hour:
					proxy.Cut()
				case 12 * time.Hour:
					post("AP-DURING", 5)
				case 20 * time.Hour:
					if err := proxy.Restore(); err != nil {
						t.Fatal(err)
					}
				}
			}
			ap.up.Store(true)
			downReal := time.Since(real)

			// Back: every document is accepted (sent) at its next retry,
			// at most an hour of simulated time later.
			docs := waitStatuses(t, st, m.ID, 15, invoicing.EStatusSent, func() { clock.Advance(time.Minute) })
			for _, d := range docs {
				if d.Status != invoicing.EStatusSent {
					t.Fatalf("%s is %s (%s), want sent", d.Number, d.Status, d.ErrorReason)
				}
			}
			// The receivers answer: the access point reports by signed
			// callback, timed by the (now still) simulated clock.
			for _, d := range docs {
				body := fmt.Sprintf(`{"messageId":%q,"apMessageId":"ap-%s","status":"delivered"}`, d.MessageID, d.MessageID)
				req, _ := http.NewRequest("POST", ours.URL+"/api/1/app/l_invoice/e_documents/callback", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set(accesspoint.SignatureHeader, accesspoint.SignCallback(secret, clock.Now(), []byte(body)))
				resp, err := faultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				answer, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Errorf("callback for %s: %d %s", d.Number, resp.StatusCode, answer)
				}
			}
			docs = waitStatuses(t, st, m.ID, 15, invoicing.EStatusDelivered, nil)
			deadline := time.Now().Add(10 * time.Second)
			for {
				n, err := st.PendingTransmissions(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%d transmission jobs left", n)
				}
				clock.Advance(time.Minute)
				time.Sleep(10 * time.Millisecond)
			}

			ap.mu.Lock()
			defer ap.mu.Unlock()
			for _, p := range ap.problems {
				t.Error("access point: " + p)
			}
			minAttempts, maxAttempts := 1<<30, 0
			for _, d := range docs {
				if d.Status != invoicing.EStatusDelivered {
					t.Errorf("%s is %s (%s), want delivered", d.Number, d.Status, d.ErrorReason)
				}
				if n := ap.accepted[d.MessageID]; n != 1 {
					t.Errorf("%s: message id %s accepted %d times, want once", d.Number, d.MessageID, n)
				}
				minAttempts, maxAttempts = min(minAttempts, ap.attempts[d.MessageID]), max(maxAttempts, ap.attempts[d.MessageID])
			}
			if len(ap.attempts) != len(docs) {
				t.Errorf("the access point saw %d message ids for %d documents", len(ap.attempts), len(docs))
			}
			if minAttempts < 2 {
				t.Errorf("a document was accepted at its first attempt: the outage was not seen")
			}
			t.Logf("%v of outage in %v: %d documents delivered, each accepted once; POSTs that reached the access point per document: %d to %d",
				outage, downReal.Round(time.Millisecond), len(docs), minAttempts, maxAttempts)
		})
	}
}

// waitStatuses waits until merchant's n e-documents all have status want,
// calling tick (if any) between looks, and returns them.
func waitStatuses(t *testing.T, st store.Store, merchantID int64, n int, want invoicing.EStatus, tick func()) []invoicing.EDocument {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		docs, err := st.ListEDocuments(t.Context(), merchantID, store.EDocumentListOptions{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		done := len(docs) == n
		var not []string
		for _, d := range docs {
			if d.Status != want {
				done = false
				not = append(not, fmt.Sprintf("%s %s (%s)", d.Number, d.Status, d.ErrorReason))
			}
		}
		if done {
			return docs
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d documents; not %s: %s", len(docs), want, strings.Join(not, "; "))
		}
		if tick != nil {
			tick()
		}
		time.Sleep(10 * time.Millisecond)
	}
}
