package api

import (
	"errors"
	"net/http"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/peppol/accesspoint"
	"github.com/vatgate/vatgate/internal/store"
)

// CallbackVerifier checks an access point's signed status callback and
// parses it: accesspoint.Client, when the http transport is configured.
type CallbackVerifier interface {
	VerifyCallback(r *http.Request, body []byte) (accesspoint.Callback, error)
}

// handleTransmissionCallback is where the access point reports a
// receiver's answer (delivered, or rejected with a reason) about a document
// we sent through it. It carries no merchant token: the access point's
// signature (accesspoint.VerifyCallback) authenticates it, and the message
// id names the document. The answers: 200 {"status":200} applied (or the
// same answer again); 401 a missing, invalid or stale signature; 400 a body
// that is not a callback; 404 no document has the message id; 409 the
// document already has another final status. Without the http transport
// (Config.Callbacks nil) the route does not exist.
func (s *Server) handleTransmissionCallback(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Callbacks == nil {
		writeJSON(w, http.StatusNotFound, errorf(http.StatusNotFound, "no such route"))
		return
	}
	body, err := readAll(http.MaxBytesReader(w, r.Body, accesspoint.MaxCallbackBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.fail(w, r, errorf(http.StatusRequestEntityTooLarge, "a callback body is at most %d bytes", accesspoint.MaxCallbackBody), nil)
			return
		}
		s.fail(w, r, errorf(http.StatusBadRequest, "reading the body: %v", err), nil)
		return
	}
	cb, err := s.cfg.Callbacks.VerifyCallback(r, body)
	switch {
	case errors.Is(err, accesspoint.ErrCallbackSignature), errors.Is(err, accesspoint.ErrCallbackStale):
		s.fail(w, r, errorf(http.StatusUnauthorized, "%v", err), nil)
		return
	case errors.Is(err, accesspoint.ErrCallbackBody):
		s.fail(w, r, errorf(http.StatusBadRequest, "%v", err), nil)
		return
	case err != nil:
		s.fail(w, r, nil, err)
		return
	}
	status := invoicing.EStatus(cb.Status)
	// Our message id first; the access point's when it gave only its own,
	// or when ours is unknown (an adapter that fills in a different one).
	err = store.ErrNotFound
	id := ""
	for _, candidate := range []string{cb.MessageID, cb.APMessageID} {
		if candidate == "" || !errors.Is(err, store.ErrNotFound) {
			continue
		}
		id = candidate
		err = s.store.SetStatusByMessageID(r.Context(), candidate, status, cb.Reason)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.fail(w, r, errorf(http.StatusNotFound, "no e-document has message id %q", id), nil)
		return
	case errors.Is(err, store.ErrConflict):
		s.fail(w, r, errorf(http.StatusConflict, "e-document with message id %q cannot become %s: %v", id, status, err), nil)
		return
	case err != nil:
		s.fail(w, r, nil, err)
		return
	}
	s.log.Info("transmission callback", "request_id", requestFrom(r.Context()).id, "message_id", id, "status", status)
	writeJSON(w, http.StatusOK, ordered{"status", http.StatusOK})
}
