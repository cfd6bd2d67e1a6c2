package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/metrics"
	"github.com/vatgate/vatgate/internal/store"
)

type queue struct {
	n   int
	err error
}

func (q queue) PendingTransmissions(context.Context) (int, error) { return q.n, q.err }

// scrape answers one scrape of m in the text format.
func scrape(t *testing.T, m *metrics.Registry) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("scrape: %d %s", rec.Code, rec.Body)
	}
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

func wantLines(t *testing.T, text string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(text, "\n"+l+"\n") {
			t.Errorf("scrape lacks %q", l)
		}
	}
}

func TestRequests(t *testing.T) {
	m := metrics.New(nil)
	m.ObserveRequest("POST /api/1/app/l_invoice/invoices", "POST", 200, 30*time.Millisecond)
	m.ObserveRequest("POST /api/1/app/l_invoice/invoices", "POST", 200, 3*time.Second)
	m.ObserveRequest("", "GET", 404, time.Millisecond)
	m.ObserveRequest("", "BREW", 404, time.Millisecond) // a client's made-up method is not a label
	text := scrape(t, m)
	wantLines(t, text,
		`http_requests_total{method="POST",route="POST /api/1/app/l_invoice/invoices",status="200"} 2`,
		`http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`http_requests_total{method="other",route="unmatched",status="404"} 1`,
		`http_request_duration_seconds_bucket{method="POST",route="POST /api/1/app/l_invoice/invoices",le="0.05"} 1`,
		`http_request_duration_seconds_bucket{method="POST",route="POST /api/1/app/l_invoice/invoices",le="+Inf"} 2`,
		`http_request_duration_seconds_count{method="POST",route="POST /api/1/app/l_invoice/invoices"} 2`,
	)
	if strings.Contains(text, "BREW") {
		t.Error("an unknown method became a label value")
	}
	if strings.Contains(text, "vatgate_transmission_queue_depth") {
		t.Error("queue depth exported without a queue")
	}
	// The Go runtime and process collectors are there.
	names := []string{"go_goroutines", "go_memstats_alloc_bytes"}
	if runtime.GOOS == "linux" {
		names = append(names, "process_cpu_seconds_total", "process_open_fds")
	}
	for _, name := range names {
		if !strings.Contains(text, "\n"+name+" ") {
			t.Errorf("scrape lacks %s", name)
		}
	}
}

func TestQueueDepth(t *testing.T) {
	wantLines(t, scrape(t, metrics.New(queue{n: 7})), `vatgate_transmission_queue_depth 7`)
	wantLines(t, scrape(t, metrics.New(queue{err: errors.New("down")})), `vatgate_transmission_queue_depth NaN`)
}

func TestOutcomes(t *testing.T) {
	m := metrics.New(nil)
	before := scrape(t, m)
	// Every known outcome is there from the start.
	for _, l := range []string{
		`vatgate_transmissions_total{outcome="sent"}`, `vatgate_transmissions_total{outcome="retry"}`,
		`vatgate_webhook_deliveries_total{outcome="delivered"}`, `vatgate_webhook_deliveries_total{outcome="gave_up"}`,
	} {
		if !strings.Contains(before, l+" ") {
			t.Errorf("scrape lacks %s before any event", l)
		}
	}
	sent := value(t, before, `vatgate_transmissions_total{outcome="sent"}`)
	gaveUp := value(t, before, `vatgate_webhook_deliveries_total{outcome="gave_up"}`)

	metrics.CountTransmission(metrics.TransmissionSent)
	metrics.CountTransmission(metrics.TransmissionSent)
	metrics.CountTransmission("made up")
	metrics.CountWebhookDelivery(metrics.WebhookGaveUp)
	after := scrape(t, m)
	if got := value(t, after, `vatgate_transmissions_total{outcome="sent"}`); got != sent+2 {
		t.Errorf("sent: %v, want %v", got, sent+2)
	}
	if got := value(t, after, `vatgate_webhook_deliveries_total{outcome="gave_up"}`); got != gaveUp+1 {
		t.Errorf("gave_up: %v, want %v", got, gaveUp+1)
	}
	if strings.Contains(after, "made up") || !strings.Contains(after, `vatgate_transmissions_total{outcome="other"}`) {
		t.Error("an unknown outcome is not counted as other")
	}
	// The counters are the process's: a second registry exports them too.
	if got := value(t, scrape(t, metrics.New(nil)), `vatgate_transmissions_total{outcome="sent"}`); got != sent+2 {
		t.Errorf("sent on a second registry: %v, want %v", got, sent+2)
	}
}

func TestTransmissionOutcome(t *testing.T) {
	m := metrics.New(nil)
	series := func(o string) string { return `vatgate_transmissions_total{outcome="` + o + `"}` }
	before := scrape(t, m)
	later := time.Now().Add(time.Hour)
	for _, c := range []struct {
		receipt bool
		out     store.Outcome
	}{
		{false, store.Outcome{Status: invoicing.EStatusSent}},
		{false, store.Outcome{Status: invoicing.EStatusSent, ReceiptAt: later}},
		{false, store.Outcome{Status: invoicing.EStatusDelivered}},
		{false, store.Outcome{Status: invoicing.EStatusRejected, Reason: "no"}},
		{false, store.Outcome{Status: invoicing.EStatusError, Reason: "bad"}},
		{false, store.Outcome{Status: invoicing.EStatusPending, RetryAt: later}},
		{true, store.Outcome{Status: invoicing.EStatusDelivered}},
		{true, store.Outcome{Status: invoicing.EStatusSent, ReceiptAt: later}}, // no answer yet: not counted
		{true, store.Outcome{Status: invoicing.EStatusSent}},                   // stop asking: not counted
		{true, store.Outcome{Status: invoicing.EStatusPending, RetryAt: later}},
	} {
		metrics.CountTransmissionOutcome(c.receipt, c.out)
	}
	after := scrape(t, m)
	for o, want := range map[string]float64{
		metrics.TransmissionSent: 2, metrics.TransmissionDelivered: 2, metrics.TransmissionRejected: 1,
		metrics.TransmissionError: 1, metrics.TransmissionRetry: 2,
	} {
		if got := value(t, after, series(o)) - value(t, before, series(o)); got != want {
			t.Errorf("%s: counted %v, want %v", o, got, want)
		}
	}
}

// value reads the sample of series from a scrape.
func value(t *testing.T, text, series string) float64 {
	t.Helper()
	for line := range strings.SplitSeq(text, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %q: %v", series, v, err)
			}
			return f
		}
	}
	t.Fatalf("scrape lacks %s", series)
	return 0
}
