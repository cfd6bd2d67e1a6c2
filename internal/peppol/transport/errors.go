package transport

import (
	"errors"
	"time"
)

// TransientError is a failed attempt that may succeed if repeated: the
// access point was unreachable, timed out, was overloaded or failed
// internally.
type TransientError struct {
	Reason string
	// RetryAfter is the earliest retry the other side asked for (an HTTP
	// Retry-After), 0 when it said nothing. RetryAt honours it.
	RetryAfter time.Duration
	Err        error // the cause, if any
}

func (e *TransientError) Error() string { return e.Reason }
func (e *TransientError) Unwrap() error { return e.Err }

// PermanentError is a failure that repeating the same message cannot fix:
// an unknown receiver, a document the access point refuses, bad credentials.
// The document ends in status error with Reason.
type PermanentError struct {
	Reason string
	Err    error // the cause, if any
}

func (e *PermanentError) Error() string { return e.Reason }
func (e *PermanentError) Unwrap() error { return e.Err }

// Transient returns a *TransientError with reason.
func Transient(reason string) error { return &TransientError{Reason: reason} }

// Permanent returns a *PermanentError with reason.
func Permanent(reason string) error { return &PermanentError{Reason: reason} }

// IsTransient reports whether an attempt that failed with err may succeed
// later. Every error but a *PermanentError is: an unclassified error (a
// context cancelled at shutdown, a bug in a transport) is retried within the
// retry window rather than failing a document that might well go through.
func IsTransient(err error) bool {
	if err == nil {
		return false
	}
	var p *PermanentError
	return !errors.As(err, &p)
}
