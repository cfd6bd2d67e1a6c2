package transport

import (
	"errors"
	"math/rand/v2"
	"time"
)

// The retry policy of a transmission that fails transiently.
//
//   - RetryBase 2s: the first retries come quickly, so a dropped connection
//     or one restarting access point node costs seconds, not minutes.
//   - RetryMax 1h: the ceiling doubles per failure (2s, 4s, ... 34m after
//     the 11th) and stays at an hour from the 12th; an access point that is down for
//     long is then asked about twice an hour (full jitter halves the mean),
//     which costs nothing and finds it back soon after it recovers.
//   - RetryWindow 72h: a document that could not be handed over within three
//     days of its first attempt ends in error. Three days span a weekend-long
//     outage of an access point, and they are still well inside the time a
//     merchant can react and send the invoice another way; beyond that, a
//     silent "pending" does more harm than a visible error (which the
//     documented error recovery can resend). A window of time rather than a
//     number of attempts, because with full jitter the time a given number of
//     attempts takes varies widely, and the merchant cares about time.
const (
	RetryBase   = 2 * time.Second
	RetryMax    = time.Hour
	RetryWindow = 72 * time.Hour
)

// Backoff is how long to wait after the attempt-th failed attempt (1 after
// the first failure) before trying again: exponential backoff with "full
// jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter"): a
// uniformly random duration in [0, min(max, base·2^(attempt-1))). The first
// retry thus waits up to base. Full jitter spreads the retries of many
// documents that failed together (an access point outage) instead of
// bringing them back in waves.
//
// rnd returns a float in [0, 1) (math/rand/v2.Float64 when nil); the result
// is a pure function of the arguments, so tests pass a fixed rnd.
func Backoff(attempt int, base, max time.Duration, rnd func() float64) time.Duration {
	if base <= 0 || max <= 0 {
		return 0
	}
	if attempt < 1 {
		attempt = 1
	}
	ceiling := min(base, max)
	for i := 1; i < attempt && ceiling < max; i++ {
		if ceiling > max/2 {
			ceiling = max
			break
		}
		ceiling *= 2
	}
	if rnd == nil {
		rnd = rand.Float64
	}
	f := rnd()
	if !(f >= 0) { // also NaN
		f = 0
	}
	if f >= 1 {
		f = 0.999999999
	}
	return time.Duration(f * float64(ceiling))
}

// RetryAt is when to try a transmission again after its attempt-th attempt
// failed with a transient err at now, the first attempt having been made at
// first. ok is false when the retry would fall outside RetryWindow: give up,
// the document ends in error. The wait is Backoff with the policy constants,
// but never shorter than a TransientError's RetryAfter.
func RetryAt(now, first time.Time, attempt int, err error, rnd func() float64) (at time.Time, ok bool) {
	wait := Backoff(attempt, RetryBase, RetryMax, rnd)
	var te *TransientError
	if errors.As(err, &te) && te.RetryAfter > wait {
		wait = te.RetryAfter
	}
	at = now.Add(wait)
	if at.Sub(first) > RetryWindow {
		return time.Time{}, false
	}
	return at, true
}
