package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/token"
)

// LogHandler wraps h so that every record logged with the context of a
// request this package is answering carries the request's id, first, as
// "request_id": the access log, the internal error and panic lines, and
// anything deeper down that logs with slog's *Context methods and the
// request's context. serve installs it as the default handler; NewServer
// wraps the logger it is given unless it already is. Inside a WithGroup the
// id lands in the group.
func LogHandler(h slog.Handler) slog.Handler {
	if _, ok := h.(requestIDHandler); ok {
		return h
	}
	return requestIDHandler{h}
}

type requestIDHandler struct{ inner slog.Handler }

func (h requestIDHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	rq, ok := ctx.Value(requestKey).(*request)
	if !ok || rq.id == "" {
		return h.inner.Handle(ctx, r)
	}
	// A new record rather than r.AddAttrs: r's attributes may share
	// storage with the caller's, and the id reads best first.
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	out.AddAttrs(slog.String("request_id", rq.id))
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(a)
		return true
	})
	return h.inner.Handle(ctx, out)
}

func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.inner.WithAttrs(as)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.inner.WithGroup(name)}
}

// maxRequestIDLen bounds a request id taken from the client.
const maxRequestIDLen = 64

// requestID is the id of a request: the client's X-Request-Id when it is a
// short token of letters, digits, "-" and "_" (so it can go into a log line
// and a header as is), else a new one. A value that looks like an API token
// is refused too: a client that sends one there must not have it logged.
func requestID(given string) string {
	if len(given) == 0 || len(given) > maxRequestIDLen || token.LooksLikeToken(given) {
		return newRequestID()
	}
	for i := range len(given) {
		switch c := given[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return newRequestID()
		}
	}
	return given
}

// readyTimeout bounds the readiness check, well inside a probe's timeout.
const readyTimeout = 3 * time.Second

// handleReadyz answers whether this instance can serve: the database
// answers and its migrations are current (store.Ready). /healthz only says
// the process is up.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	err := s.store.Ready(ctx)
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	case errors.Is(err, store.ErrMigrationsPending):
		s.log.WarnContext(r.Context(), "not ready", "err", err)
		// The store's message names the versions, and nothing secret.
		writeJSON(w, http.StatusServiceUnavailable, errorf(http.StatusServiceUnavailable, "%s", pendingMessage(err)))
	default:
		s.log.WarnContext(r.Context(), "not ready", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, errorf(http.StatusServiceUnavailable, "database unreachable"))
	}
}

// pendingMessage is the part of a store's ErrMigrationsPending error from
// "migrations pending" on, without the backend's prefix.
func pendingMessage(err error) string {
	msg, marker := err.Error(), store.ErrMigrationsPending.Error()
	if i := strings.Index(msg, marker); i >= 0 {
		return msg[i:]
	}
	return marker
}

// handleMetrics answers a Prometheus scrape when Config.ServeMetrics is set
// (no token: keep it off the public internet, or serve it on a listener of
// its own with serve --metrics-addr); otherwise the route does not exist.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.ServeMetrics || s.cfg.Metrics == nil {
		writeJSON(w, http.StatusNotFound, errorf(http.StatusNotFound, "no such route"))
		return
	}
	s.cfg.Metrics.Handler().ServeHTTP(w, r)
}
