package omp

import (
	"errors"
	"fmt"
)

// Kind classifies an Error so the HTTP layer can map it to a status with one
// table: KindInvalid, KindMissingRate and KindUnsupported are 422 (document
// 003: "409, 422 Invalid request parameters"), KindRequired is 400 ("a
// required parameter missing").
type Kind int

const (
	// KindInvalid: a value that cannot be right (unknown country, currency
	// or state code, a negative amount, a shipping fee above the order
	// amount).
	KindInvalid Kind = iota + 1
	// KindRequired: a field the documented API marks optional that this
	// particular request needs (arrival_state for USA and Canada).
	KindRequired
	// KindMissingRate: a currency conversion the answer needs has no ECB
	// reference rate (RULES §17.3). The fx error is wrapped.
	KindMissingRate
	// KindUnsupported: the jurisdiction has no rate in tax-rates.json.
	KindUnsupported
)

func (k Kind) String() string {
	switch k {
	case KindInvalid:
		return "invalid"
	case KindRequired:
		return "required"
	case KindMissingRate:
		return "missing_exchange_rate"
	case KindUnsupported:
		return "unsupported"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error is every error Determine returns. Field is the request field at
// fault in the API's spelling ("arrival_country", "Item[1].item_price").
type Error struct {
	Kind    Kind
	Field   string
	Message string // a sentence for people, without the field name
	Err     error  // the cause, e.g. an fx.MissingRateError
}

func (e *Error) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of an error from this package, or 0.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

func invalid(field, format string, args ...any) *Error {
	return &Error{Kind: KindInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

func required(field, format string, args ...any) *Error {
	return &Error{Kind: KindRequired, Field: field, Message: fmt.Sprintf(format, args...)}
}

func unsupported(field, format string, args ...any) *Error {
	return &Error{Kind: KindUnsupported, Field: field, Message: fmt.Sprintf(format, args...)}
}
