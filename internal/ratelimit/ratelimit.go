// Package ratelimit owns request limits: how many requests a key may make
// per time window, counted in this process (Memory) or in Redis, so that
// several instances enforce one limit (Redis). Both count the same way.
//
// # Fixed windows
//
// Time is cut into windows of the limit's length aligned to the Unix epoch
// (a one-minute window runs from :00 to :59.999 of a wall-clock minute), and
// each key has one counter per window. A request is admitted when the
// counter, after counting it, is at most the limit: the 100th request of a
// window passes and the 101st is refused, exactly, whatever the
// concurrency, because the count and the check are one atomic step (one
// mutex-guarded update in memory, one Lua script in Redis). That is what
// makes the documented "100 requests per minute" testable at its boundary,
// and it costs one integer per key.
//
// What fixed windows give up: a client may spend its limit at the end of one
// window and again at the start of the next, so up to twice the limit can
// pass within a span of one window length across a boundary. A sliding
// window (a log of request times, or the two-window weighted estimate)
// would cap every span of one window length, at the price of a timestamp
// per request (the log) or of an approximate, non-testable boundary (the
// estimate), and its "reset" would no longer be one instant a client can be
// told in a Retry-After. The documents state per-minute limits, which fixed
// minutes meet.
//
// Every attempt counts, refused ones too: a client hammering a closed
// window does not earn anything by it, and the window still ends on time.
//
// Keys are opaque to this package: callers pass a hash of the credential
// (the API passes token.Hash), never a raw token, since Redis keys are
// readable by whoever administers Redis.
package ratelimit

import (
	"context"
	"fmt"
	"time"
)

// Limiter counts a request against key's limit for the current window.
type Limiter interface {
	// Allow counts one request for key and tells whether it is within
	// limit requests per window. An error means nothing is known: the
	// caller chooses to fail open or closed.
	Allow(ctx context.Context, key string, limit int, window time.Duration) (Decision, error)
}

// Decision is the outcome of one Allow.
type Decision struct {
	Allowed bool
	// Limit is the limit the request was counted against.
	Limit int
	// Remaining is how many more requests the window admits (0 when
	// refused).
	Remaining int
	// Reset is the time until the current window ends and the count
	// starts again.
	Reset time.Duration
}

// decide turns a window's count (this request included) into a Decision.
func decide(count int64, limit int, reset time.Duration) Decision {
	d := Decision{Allowed: count <= int64(limit), Limit: limit, Reset: max(reset, 0)}
	if d.Allowed {
		d.Remaining = limit - int(count)
	}
	return d
}

// checkArgs refuses limits and windows neither implementation can honour:
// windows are counted in whole milliseconds (Redis expiries are).
func checkArgs(limit int, window time.Duration) error {
	if limit < 1 {
		return fmt.Errorf("ratelimit: limit %d, want at least 1", limit)
	}
	if window < time.Millisecond || window%time.Millisecond != 0 {
		return fmt.Errorf("ratelimit: window %v, want a whole number of milliseconds", window)
	}
	return nil
}
