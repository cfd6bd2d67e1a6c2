package transmit_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/peppol/sandbox"
	"github.com/vatgate/vatgate/internal/peppol/transport"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/store/postgres"
	"github.com/vatgate/vatgate/internal/store/sqlite"
	"github.com/vatgate/vatgate/internal/store/storetest"
	"github.com/vatgate/vatgate/internal/testdb"
	"github.com/vatgate/vatgate/internal/transmit"
)

// Test pacing: the sandbox answers 200ms after the accepting send (2s for
// a slow receiver) and its first send to a "96" receiver hangs 300ms;
// retries wait 1% of their backoff ceiling (20ms, 40ms, ...).
const (
	testDelay   = 200 * time.Millisecond
	testTimeout = 300 * time.Millisecond
	waitFor     = 15 * time.Second
)

func testNetwork() *sandbox.Network {
	return sandbox.New(sandbox.Options{DeliveryDelay: testDelay, Timeout: testTimeout})
}

func fixedRand() float64 { return 0.01 }

// testLogger writes the worker's log to the test log when -v is given.
func testLogger(t testing.TB) *slog.Logger {
	if !testing.Verbose() {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// startWorker runs a worker with test settings (fields of w left zero are
// filled in) until the test ends, and returns it.
func startWorker(t testing.TB, w *transmit.Worker) *transmit.Worker {
	t.Helper()
	if w.PollEvery == 0 {
		w.PollEvery = 50 * time.Millisecond
	}
	if w.Rand == nil {
		w.Rand = fixedRand
	}
	if w.Logger == nil {
		w.Logger = testLogger(t)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-stopped:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(waitFor):
			t.Errorf("the worker did not stop")
		}
	})
	return w
}

// eDoc is a valid e-invoice (or credit note) whose customer has the
// Peppol id peppolID; with a KvK number (0106, eight digits, no check
// digit) any two-digit ending picks a sandbox rule.
func eDoc(k invoicing.Kind, number, peppolID string) invoicing.EDocument {
	d := storetest.SampleEDocument(k, number)
	d.Customer.PeppolID = peppolID
	return d
}

// receiver is a customer Peppol id ending in the two digits of rule.
func receiver(rule string) string { return "0106:123456" + rule }

// waitStatus waits until the document has status want and returns it.
func waitStatus(t testing.TB, s store.EDocumentStore, merchantID, id int64, want invoicing.EStatus) invoicing.EDocument {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		d := storetest.MustGetEDocument(t, s, merchantID, id)
		if d.Status == want {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("document %d (%s) is %s (reason %q) after %v, want %s", id, d.Number, d.Status, d.ErrorReason, waitFor, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitNoJobs waits until the store has no transmission job left.
func waitNoJobs(t testing.TB, s store.EDocumentStore) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		n, err := s.PendingTransmissions(t.Context())
		if err != nil {
			t.Fatalf("PendingTransmissions: %v", err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d transmission jobs left after %v", n, waitFor)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// transitions lists a document's status changes as the webhook events
// tell them: "->new", "new->pending", ...
func transitions(t testing.TB, s store.EDocumentStore, merchantID, endpointID, docID int64) []string {
	t.Helper()
	ds, err := s.ListWebhookDeliveries(t.Context(), merchantID, endpointID, store.ListOptions{Limit: 100})
	if err != nil {
		t.Fatalf("ListWebhookDeliveries: %v", err)
	}
	var out []string
	for _, d := range ds {
		var e struct {
			Data struct {
				DocumentID     int64   `json:"document_id"`
				PreviousStatus *string `json:"previous_status"`
				DocumentStatus string  `json:"document_status"`
			} `json:"data"`
		}
		if err := json.Unmarshal(d.Payload, &e); err != nil {
			t.Fatalf("event payload %s: %v", d.Payload, err)
		}
		if e.Data.DocumentID != docID {
			continue
		}
		prev := ""
		if e.Data.PreviousStatus != nil {
			prev = *e.Data.PreviousStatus
		}
		out = append(out, prev+"->"+e.Data.DocumentStatus)
	}
	return out
}

// sharedStores opens one fresh database twice, as two server instances
// would: two SQLite handles on one file, or two PostgreSQL pools on one
// schema.
func sharedStores(t testing.TB, b testdb.Backend) (store.Store, store.Store) {
	t.Helper()
	switch b.Name {
	case "sqlite":
		path := t.TempDir() + "/shared.db"
		return testdb.SQLiteAt(t, path), testdb.SQLiteAt(t, path)
	case "postgres":
		u := testdb.PostgresSchemaURL(t)
		open := func() store.Store {
			db, err := postgres.Open(context.Background(), u)
			if err != nil {
				t.Fatalf("open postgres: %v", err)
			}
			t.Cleanup(func() { db.Close() })
			if err := db.Migrate(context.Background()); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			return db
		}
		return open(), open()
	}
	t.Fatalf("unknown backend %s", b.Name)
	return nil, nil
}

// clockedSQLite is a SQLite store on the test clock c.
func clockedSQLite(t testing.TB, c *storetest.Clock) *sqlite.DB {
	db := testdb.SQLite(t)
	db.Now = c.Now
	return db
}

// gate is a transport that hands each Send to the sandbox only when the
// test releases it, and tells when a Send has begun.
type gate struct {
	*sandbox.Network
	started chan string // message ids, as sends begin
	release chan struct{}
}

func newGate(n *sandbox.Network) *gate {
	return &gate{Network: n, started: make(chan string, 100), release: make(chan struct{})}
}

func (g *gate) Send(ctx context.Context, m transport.Message) (transport.Result, error) {
	g.started <- m.MessageID
	<-g.release
	return g.Network.Send(ctx, m)
}

// scripted is a transport whose answers the test sets.
type scripted struct {
	mu      sync.Mutex
	send    func(transport.Message) (transport.Result, error)
	receipt func(string) (transport.Result, error)
	sends   []transport.Message
	asked   []string
}

func (s *scripted) Name() string { return "scripted" }

func (s *scripted) Send(ctx context.Context, m transport.Message) (transport.Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sends = append(s.sends, m)
	return s.send(m)
}

func (s *scripted) Receipt(ctx context.Context, id string) (transport.Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asked = append(s.asked, id)
	return s.receipt(id)
}

func (s *scripted) sent() []transport.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]transport.Message(nil), s.sends...)
}

// counting is the sandbox, counting the sends made through it; a send
// takes 5ms, as a network round trip would, so that two workers on one
// queue both get their share.
type counting struct {
	*sandbox.Network
	sends atomic.Int64
}

func (c *counting) Send(ctx context.Context, m transport.Message) (transport.Result, error) {
	c.sends.Add(1)
	time.Sleep(5 * time.Millisecond)
	return c.Network.Send(ctx, m)
}
