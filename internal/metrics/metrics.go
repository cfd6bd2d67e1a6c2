// Package metrics owns vatgate's Prometheus metrics: HTTP requests and
// their latencies by route, the depth of the transmission queue, and the
// outcomes of transmissions and webhook deliveries. They live on a registry
// of their own (never the global default), beside the Go runtime and process
// collectors, and are written out by github.com/prometheus/client_golang.
//
// Every label takes its values from a short fixed set: route patterns (never
// a raw path), methods, status codes and outcome names. No token, record id
// or address can become a label, and no client can grow the label space.
package metrics

import (
	"context"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
)

// Outcomes of one transmission attempt: the values of the outcome label of
// vatgate_transmissions_total.
const (
	TransmissionSent      = "sent"      // the access point accepted the document
	TransmissionDelivered = "delivered" // the receiver accepted it (a transport that answers at once, or a receipt)
	TransmissionRejected  = "rejected"  // the receiver refused it
	TransmissionError     = "error"     // a permanent failure: the document is in error
	TransmissionRetry     = "retry"     // a transient failure: tried again later
)

// Outcomes of one webhook delivery attempt: the values of the outcome label
// of vatgate_webhook_deliveries_total.
const (
	WebhookDelivered = "delivered" // the receiver answered 2xx
	WebhookRetry     = "retry"     // it failed and will be tried again
	WebhookGaveUp    = "gave_up"   // it failed and the retry window is over
)

// other is the label of an outcome or method outside the known set.
const other = "other"

var (
	transmissionOutcomes = []string{TransmissionSent, TransmissionDelivered, TransmissionRejected, TransmissionError, TransmissionRetry}
	webhookOutcomes      = []string{WebhookDelivered, WebhookRetry, WebhookGaveUp}

	// The outcome counters are the process's own: the pipeline worker and
	// the webhook deliverer count through the functions below without a
	// registry handed to them, and every Registry exports them.
	transmissions = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "vatgate_transmissions_total",
		Help: "Transmission attempts of e-documents, by outcome (" + strings.Join(transmissionOutcomes, ", ") + ").",
	}, []string{"outcome"})
	webhookDeliveries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "vatgate_webhook_deliveries_total",
		Help: "Webhook delivery attempts, by outcome (" + strings.Join(webhookOutcomes, ", ") + ").",
	}, []string{"outcome"})
)

func init() {
	// Every known outcome is exported from the start, at zero, so a rate
	// over it has a series before the first event.
	for _, o := range transmissionOutcomes {
		transmissions.WithLabelValues(o)
	}
	for _, o := range webhookOutcomes {
		webhookDeliveries.WithLabelValues(o)
	}
}

// CountTransmission counts one transmission attempt by its outcome, one of
// the Transmission* constants (anything else is counted as "other").
func CountTransmission(outcome string) {
	transmissions.WithLabelValues(known(outcome, transmissionOutcomes)).Inc()
}

// CountTransmissionOutcome counts the outcome of one attempt of a
// transmission job that the store recorded (receipt: the job was a receipt
// check, store.Transmission.Receipt). A transient failure (pending) counts
// as retry; a receipt check counts only when it brings the receiver's
// answer (delivered, rejected) or could not ask (retry), not when the answer
// is still to come.
func CountTransmissionOutcome(receipt bool, o store.Outcome) {
	switch {
	case o.Status == invoicing.EStatusPending:
		CountTransmission(TransmissionRetry)
	case receipt && o.Status == invoicing.EStatusSent:
	default:
		CountTransmission(string(o.Status))
	}
}

// CountWebhookDelivery counts one webhook delivery attempt by its outcome,
// one of the Webhook* constants (anything else is counted as "other").
func CountWebhookDelivery(outcome string) {
	webhookDeliveries.WithLabelValues(known(outcome, webhookOutcomes)).Inc()
}

// Queue is what the queue depth gauge reads; store.Store is one.
type Queue interface {
	// PendingTransmissions counts the queued transmission jobs.
	PendingTransmissions(ctx context.Context) (int, error)
}

// queueTimeout bounds the count behind one scrape of the queue depth.
const queueTimeout = 2 * time.Second

// Registry is vatgate's metrics on a registry of their own.
type Registry struct {
	reg       *prometheus.Registry
	handler   http.Handler
	requests  *prometheus.CounterVec
	durations *prometheus.HistogramVec
}

// New builds the registry: the HTTP metrics, the queue depth read from
// queue at every scrape (nil: not exported), the outcome counters, and the
// Go runtime and process collectors.
func New(queue Queue) *Registry {
	m := &Registry{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total",
			Help: "HTTP requests answered, by route pattern (\"unmatched\" for none), method and status.",
		}, []string{"route", "method", "status"}),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern and method.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method"}),
	}
	m.reg.MustRegister(m.requests, m.durations, transmissions, webhookDeliveries,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if queue != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "vatgate_transmission_queue_depth",
			Help: "Transmission jobs queued (sends and receipt checks, leased or not); NaN when the database did not answer in time.",
		}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), queueTimeout)
			defer cancel()
			n, err := queue.PendingTransmissions(ctx)
			if err != nil {
				return math.NaN()
			}
			return float64(n)
		}))
	}
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
	return m
}

// Gatherer is the registry, for tests and for other exporters.
func (m *Registry) Gatherer() prometheus.Gatherer { return m.reg }

// Handler answers a scrape in Prometheus' text (or negotiated) format.
func (m *Registry) Handler() http.Handler { return m.handler }

// ObserveRequest records one answered request. route is the router's
// pattern ("POST /api/1/app/l_invoice/invoices"), or "" when no route
// matched; methods outside the standard set are counted as "other".
func (m *Registry) ObserveRequest(route, method string, status int, elapsed time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	method = knownMethod(method)
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.durations.WithLabelValues(route, method).Observe(elapsed.Seconds())
}

func knownMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return other
}

func known(outcome string, set []string) string {
	if slices.Contains(set, outcome) {
		return outcome
	}
	return other
}
