package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/omp"
	"github.com/vatgate/vatgate/internal/store"
)

// apiError is an answer of the form {"status": N, "message": "..."}, with the
// refused fields when there are any.
type apiError struct {
	Status  int                    `json:"status"`
	Message string                 `json:"message"`
	Errors  []invoicing.FieldError `json:"errors,omitempty"`
}

func errorf(status int, format string, args ...any) *apiError {
	return &apiError{Status: status, Message: fmt.Sprintf(format, args...)}
}

// internalMessage is all a client learns of an internal error; the detail
// goes to the log with the request id.
const internalMessage = "internal server error"

// errorFor maps an error from the store or the domain to its answer: the one
// table of error kinds to HTTP statuses. notFound is the message for
// store.ErrNotFound, which names the record the request asked for.
func errorFor(err error, notFound string) *apiError {
	var verr *invoicing.ValidationError
	var oerr *omp.Error
	switch {
	case storageFault(err) != nil:
		return storageFault(err)
	case errors.As(err, &oerr):
		return ompError(oerr)
	case errors.Is(err, store.ErrNotFound):
		return errorf(http.StatusNotFound, "%s", notFound)
	case errors.As(err, &verr) && verr.HasRule(invoicing.RuleUnique):
		return &apiError{Status: http.StatusConflict, Message: verr.Error(), Errors: verr.Problems}
	case errors.As(err, &verr):
		return &apiError{Status: http.StatusBadRequest, Message: verr.Error(), Errors: verr.Problems}
	case errors.Is(err, store.ErrConflict):
		return errorf(http.StatusConflict, "the request conflicts with a stored record")
	default:
		return nil // internal: the caller logs it and answers 500
	}
}

// storageFault answers a store that cannot serve for now: 503 when the
// database is unreachable or refuses to serve (a client should retry
// later), 507 Insufficient Storage when its disk is full (RFC 4918: the
// server cannot store what the request needs; the write was rolled back,
// reads still work). Nil for any other error. Like an internal error, its
// detail goes to the log only.
func storageFault(err error) *apiError {
	switch {
	case errors.Is(err, store.ErrUnavailable):
		return errorf(http.StatusServiceUnavailable, "database unavailable; retry later")
	case errors.Is(err, store.ErrStorageFull):
		return errorf(http.StatusInsufficientStorage, "storage full; retry later")
	}
	return nil
}

// ompStatus maps the OMP engine's error kinds as document 003 lists its
// codes: 400 "a required parameter missing", 422 "invalid request
// parameters" (a rate that cannot be found is a parameter we cannot serve,
// not a server fault: RULES §17.3).
var ompStatus = map[omp.Kind]int{
	omp.KindRequired:    http.StatusBadRequest,
	omp.KindInvalid:     http.StatusUnprocessableEntity,
	omp.KindMissingRate: http.StatusUnprocessableEntity,
	omp.KindUnsupported: http.StatusUnprocessableEntity,
}

func ompError(e *omp.Error) *apiError {
	status, ok := ompStatus[e.Kind]
	if !ok {
		return nil
	}
	fe := invoicing.FieldError{Field: e.Field, Rule: e.Kind.String(), Message: e.Error()}
	return &apiError{Status: status, Message: e.Error(), Errors: []invoicing.FieldError{fe}}
}
