package api

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/vatgate/vatgate/internal/store"
)

// The documented request limits, per access token:
//
//   - "invoice": the invoice, credit note and customer APIs, 100 requests
//     per minute (documents 001 and 002; the customer document says "no
//     specific rate limit" but vatgate holds it to the same), counted
//     together: one token, one budget;
//   - "omp": the OMP API, 100 per minute on the standard plan and 1,000 on
//     the advanced plan (document 003), by the merchant's plan.
//
// E-document and webhook routes are documented with "no specific rate
// limit" and have none. A limit is checked after authentication, so it is
// the token's, and before the handler, so a refused request reads no body
// and stores nothing. The counters are kept under the token's hash, never
// the token.

// Limits are requests per minute per token; 0 leaves a class unlimited.
type Limits struct {
	Invoice     int // customers, invoices and credit notes together
	OMPStandard int // OMP, merchants on the standard plan
	OMPAdvanced int // OMP, merchants on the advanced plan
}

// DefaultLimits are the documented limits.
var DefaultLimits = Limits{Invoice: 100, OMPStandard: 100, OMPAdvanced: 1000}

// rateWindow is the documents' "per minute".
const rateWindow = time.Minute

// limitClass names a group of routes sharing one budget per token.
type limitClass string

const (
	invoiceClass limitClass = "invoice"
	ompClass     limitClass = "omp"
)

// limitOf is a class's limit for a merchant.
func (l Limits) limitOf(c limitClass, m store.Merchant) int {
	switch {
	case c == invoiceClass:
		return l.Invoice
	case m.Plan == store.PlanAdvanced:
		return l.OMPAdvanced
	default:
		return l.OMPStandard
	}
}

// limiterHealth counts the requests served without their limit because the
// limiter failed, and paces the warnings about it.
type limiterHealth struct {
	failures atomic.Uint64
	lastWarn atomic.Int64 // Unix nanoseconds of the last warning
}

// limiterWarnEvery paces the failure warnings: an unreachable Redis fails
// every limited request, and one line per request would drown the log.
const limiterWarnEvery = 10 * time.Second

// RateLimitFailures is how many requests were served without their limit
// because the limiter failed (Redis unreachable): the count to alert on.
func (s *Server) RateLimitFailures() uint64 { return s.limiterHealth.failures.Load() }

// limited wraps an authenticated handler with its class's limit. Without a
// limiter it is the handler itself, so an unconfigured server pays nothing.
//
// The answer carries the limit in the form of the IETF HTTPAPI draft
// "RateLimit header fields for HTTP", draft-ietf-httpapi-ratelimit-headers-10
// (the shape of -08 to -10): RateLimit-Policy: "invoice";q=100;w=60 names
// the policy, its quota and window in seconds; RateLimit: "invoice";r=42;t=17
// has the requests remaining and the seconds until the window resets. A
// refused request is answered 429 with a Retry-After of the same seconds.
//
// If the limiter fails, the request is served anyway (fail open), with a
// paced warning in the log and RateLimitFailures counting it: a limit
// protects the service, and refusing every invoice because Redis is down
// would make the limiter the outage. The policy header is still sent; the
// RateLimit header, which nobody knows, is not.
func (s *Server) limited(c limitClass, h http.HandlerFunc) http.HandlerFunc {
	if s.cfg.Limiter == nil {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		rq := requestFrom(r.Context())
		limit := s.cfg.Limits.limitOf(c, rq.merchant)
		if limit <= 0 {
			h(w, r)
			return
		}
		window := int(rateWindow / time.Second)
		hdr := w.Header()
		hdr.Set("RateLimit-Policy", strconv.Quote(string(c))+";q="+strconv.Itoa(limit)+";w="+strconv.Itoa(window))
		d, err := s.cfg.Limiter.Allow(r.Context(), string(c)+":"+rq.tokenHash, limit, rateWindow)
		if err != nil {
			if r.Context().Err() != nil {
				return // the client went away; nobody to answer
			}
			s.limiterFailed(r.Context(), err)
			h(w, r)
			return
		}
		// Whole seconds, rounded up: a client waiting t seconds finds the
		// new window open. At least 1, so that nobody retries at once.
		t := max(int((d.Reset+time.Second-1)/time.Second), 1)
		hdr.Set("RateLimit", strconv.Quote(string(c))+";r="+strconv.Itoa(d.Remaining)+";t="+strconv.Itoa(t))
		if !d.Allowed {
			hdr.Set("Retry-After", strconv.Itoa(t))
			writeJSON(w, http.StatusTooManyRequests, errorf(http.StatusTooManyRequests,
				"rate limit of %d requests per minute exceeded; retry in %d s", limit, t))
			return
		}
		h(w, r)
	}
}

func (s *Server) limiterFailed(ctx context.Context, err error) {
	n := s.limiterHealth.failures.Add(1)
	now := time.Now().UnixNano()
	last := s.limiterHealth.lastWarn.Load()
	if now-last < int64(limiterWarnEvery) || !s.limiterHealth.lastWarn.CompareAndSwap(last, now) {
		return
	}
	s.log.WarnContext(ctx, "rate limiter failed: requests are served without their limit (failing open)",
		"err", err, "failures", n)
}
