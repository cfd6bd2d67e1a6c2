// Package api is vatgate's HTTP surface: the Lovat-compatible routes of the
// contract in shared/spec, their path aliases, authentication, JSON decoding
// and the documented answer shapes. It depends on the store seam and, for
// the OMP route, on the OMP engine.
package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/vatgate/vatgate/internal/metrics"
	"github.com/vatgate/vatgate/internal/omp"
	"github.com/vatgate/vatgate/internal/ratelimit"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/webhook"
)

// Config holds the server's tunables and its optional dependencies.
type Config struct {
	// MaxBodyBytes bounds a request body (413 above it).
	MaxBodyBytes int64
	// Metrics records every request by route pattern, method and status;
	// nil records nothing.
	Metrics *metrics.Registry
	// ServeMetrics answers GET /metrics with Metrics, without a token
	// (serve's default; with --metrics-addr serve answers scrapes on a
	// listener of its own instead, and /metrics here does not exist).
	ServeMetrics bool
	// OMP answers the OMP route; nil answers it with 503.
	OMP *omp.Engine
	// Now is the clock: the OMP route takes "today" from it (the order
	// date when none is given). Nil means time.Now.
	Now func() time.Time
	// WebhooksAllowPrivate accepts webhook URLs that use http or lead to
	// loopback, private and other non-public addresses (webhook.CheckURL).
	WebhooksAllowPrivate bool
	// WebhookResolver resolves webhook URL hosts; nil means
	// net.DefaultResolver. Tests pass a fake.
	WebhookResolver webhook.Resolver
	// Limiter counts requests against Limits (ratelimit.go); nil, as in
	// the zero Config of tests and benchmarks, limits nothing.
	Limiter ratelimit.Limiter
	// Limits are the requests per minute per token; 0 leaves a class
	// unlimited. DefaultLimits are the documented ones.
	Limits Limits
	// Notify, when set, is called after e-documents were stored, to wake
	// the transmission worker (transmit.Worker.Kick) so a document is sent
	// at once rather than at the worker's next poll. It must not block.
	Notify func()
	// Callbacks verifies the access point's signed status callbacks; nil
	// (no http transport configured) leaves the callback route answering
	// 404.
	Callbacks CallbackVerifier
}

// DefaultMaxBodyBytes fits 100 invoices of 1,000 lines with room to spare.
const DefaultMaxBodyBytes = 16 << 20

// Server answers the API. Its dependencies arrive through NewServer.
type Server struct {
	store    store.Store
	log      *slog.Logger
	cfg      Config
	mux      *http.ServeMux
	ompCalls callCounter

	limiterHealth limiterHealth
	idemPurge     idemPurge // idempotency.go
}

// NewServer builds the API handler over a store; cfg brings the tunables,
// the OMP engine and the clock.
func NewServer(st store.Store, logger *slog.Logger, cfg Config) *Server {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{store: st, log: slog.New(LogHandler(logger.Handler())), cfg: cfg, mux: http.NewServeMux()}
	s.routes()
	return s
}

var readAll = io.ReadAll

type ctxKey int

const requestKey ctxKey = iota

// request is what the server learns about a request before its handler runs.
type request struct {
	id        string
	pathToken string // token found in the path, "" when none
	logPath   string // the path with any token redacted
	route     string // the router's pattern, "" when none matched
	merchant  store.Merchant
	tokenHash string // token.Hash of the request's token, once authenticated
}

func requestFrom(ctx context.Context) *request {
	if rq, ok := ctx.Value(requestKey).(*request); ok {
		return rq
	}
	return &request{}
}

// ServeHTTP resolves path aliases once, before the router, so the router
// holds only canonical patterns; then logs, recovers, dispatches and counts.
// The request id (the client's X-Request-Id when it is a safe short token,
// else a new one) is answered in X-Request-Id and rides in the context, where
// LogHandler puts it on every log line written for the request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rq := &request{id: requestID(r.Header.Get("X-Request-Id"))}
	canonical, tok, logPath := canonicalPath(r.URL.Path)
	rq.pathToken, rq.logPath = tok, logPath
	r = r.WithContext(context.WithValue(r.Context(), requestKey, rq))
	r.URL.Path, r.URL.RawPath = canonical, ""
	w.Header().Set("X-Request-Id", rq.id)
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}

	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.ErrorContext(r.Context(), "panic", "method", r.Method, "path", rq.logPath, "panic", v, "stack", string(debug.Stack()))
			if !rec.wrote {
				writeJSON(rec, http.StatusInternalServerError, errorf(http.StatusInternalServerError, "%s (request id %s)", internalMessage, rq.id))
			}
		}
		elapsed := time.Since(start)
		s.log.InfoContext(r.Context(), "request", "method", r.Method, "path", rq.logPath,
			"status", rec.status, "duration_ms", float64(elapsed.Microseconds())/1000, "merchant_id", rq.merchant.ID)
		if s.cfg.Metrics != nil {
			s.cfg.Metrics.ObserveRequest(rq.route, r.Method, rec.status, elapsed)
		}
	}()
	s.dispatch(rec, r)
}

// dispatch answers unknown paths and wrong methods with JSON, which the
// ServeMux would answer with text.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.mux.Handler(r); pattern != "" {
		requestFrom(r.Context()).route = pattern // the metrics' label: never a raw path
		s.mux.ServeHTTP(w, r)
		return
	}
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "" {
			writeJSON(w, http.StatusMethodNotAllowed, errorf(http.StatusMethodNotAllowed, "method %s is not allowed here", r.Method))
			return
		}
	}
	writeJSON(w, http.StatusNotFound, errorf(http.StatusNotFound, "no such route"))
}

// fail answers an error; an internal one is logged and answered generically,
// with 503 or 507 when the store cannot serve for now (storageFault), else
// 500.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, e *apiError, internal error) {
	if e == nil {
		e = storageFault(internal)
	}
	if e == nil || (internal != nil && e.Status >= http.StatusInternalServerError) {
		rq := requestFrom(r.Context())
		s.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", rq.logPath, "err", internal)
		if e == nil {
			e = errorf(http.StatusInternalServerError, "%s (request id %s)", internalMessage, rq.id)
		}
	}
	writeJSON(w, e.Status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // a failed write means the client went away
}

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// statusRecorder remembers the status for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}
