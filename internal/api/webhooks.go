package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/webhook"
)

// MaxWebhookEndpoints bounds a merchant's endpoints: every status change is
// delivered to each, so their number multiplies the deliverer's work.
const MaxWebhookEndpoints = 10

// checkURLTimeout bounds the DNS lookup of a URL being registered.
const checkURLTimeout = 5 * time.Second

// The rules of a refused webhook URL's field error.
const (
	ruleURL     = "url"     // not an absolute https URL without credentials, or no such host
	rulePrivate = "private" // leads to an address that is not public, or uses http
)

// webhookJSON is an endpoint; Secret is shown once, when it is made, and
// SecretHint in listings.
type webhookJSON struct {
	ID         int64     `json:"id"`
	URL        string    `json:"url"`
	Secret     string    `json:"secret,omitempty"`
	SecretHint string    `json:"secret_hint,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

func webhookNotFound(id string) *apiError {
	return errorf(http.StatusNotFound, "Webhook endpoint with ID %s not found", id)
}

// handleCreateWebhook registers {"url": "..."} and answers with the secret
// the receiver verifies signatures with; it is never shown again.
func (s *Server) handleCreateWebhook(w http.ResponseWriter, r *http.Request) {
	body, aerr := s.readJSONBody(w, r)
	if aerr != nil {
		s.fail(w, r, aerr, nil)
		return
	}
	var decoded []invoicing.FieldError
	o, ok := newObject(json.RawMessage(body), "", "body", &decoded)
	if !ok {
		s.fail(w, r, errorf(http.StatusBadRequest, "request body must be a JSON object with a url"), nil)
		return
	}
	u := o.str("url")
	if !o.has("url") || (u != nil && *u == "") {
		o.problem("url", invoicing.RuleRequired, "is required")
	}
	if len(decoded) > 0 {
		verr := &invoicing.ValidationError{Problems: decoded}
		s.fail(w, r, &apiError{Status: http.StatusBadRequest, Message: verr.Error(), Errors: decoded}, nil)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), checkURLTimeout)
	err := webhook.CheckURL(ctx, *u, s.cfg.WebhooksAllowPrivate, s.cfg.WebhookResolver)
	cancel()
	if aerr := urlRefusal(err); aerr != nil {
		s.fail(w, r, aerr, nil)
		return
	}
	if err != nil {
		s.fail(w, r, nil, err)
		return
	}
	mid := merchantID(r)
	existing, err := s.store.ListWebhookEndpoints(r.Context(), mid)
	if err != nil {
		s.fail(w, r, nil, err)
		return
	}
	if len(existing) >= MaxWebhookEndpoints {
		s.fail(w, r, errorf(http.StatusUnprocessableEntity, "at most %d webhook endpoints per merchant; delete one first", MaxWebhookEndpoints), nil)
		return
	}
	ep, err := s.store.CreateWebhookEndpoint(r.Context(), mid, *u, webhook.NewSecret())
	if err != nil {
		s.fail(w, r, errorFor(err, ""), err)
		return
	}
	writeJSON(w, http.StatusCreated, struct {
		Status  int         `json:"status"`
		Webhook webhookJSON `json:"webhook"`
	}{http.StatusCreated, webhookJSON{ID: ep.ID, URL: ep.URL, Secret: ep.Secret, CreatedAt: ep.CreatedAt.UTC()}})
}

// urlRefusal is the 422 of a URL CheckURL refused, nil for anything else.
func urlRefusal(err error) *apiError {
	var uerr *webhook.URLError
	if !errors.As(err, &uerr) {
		return nil
	}
	msg, rule := uerr.Error(), ruleURL
	if uerr.Private {
		msg += "; start the server with --webhooks-allow-private to allow it"
		rule = rulePrivate
	}
	return &apiError{Status: http.StatusUnprocessableEntity, Message: msg,
		Errors: []invoicing.FieldError{{Field: "url", Rule: rule, Message: msg}}}
}

// handleListWebhooks lists the merchant's endpoints, oldest first, with
// their secrets' hints.
func (s *Server) handleListWebhooks(w http.ResponseWriter, r *http.Request) {
	eps, err := s.store.ListWebhookEndpoints(r.Context(), merchantID(r))
	if err != nil {
		s.fail(w, r, errorFor(err, ""), err)
		return
	}
	out := make([]webhookJSON, len(eps))
	for i, ep := range eps {
		out[i] = webhookJSON{ID: ep.ID, URL: ep.URL, SecretHint: webhook.SecretHint(ep.Secret), CreatedAt: ep.CreatedAt.UTC()}
	}
	writeJSON(w, http.StatusOK, struct {
		Status   int           `json:"status"`
		Webhooks []webhookJSON `json:"webhooks"`
	}{http.StatusOK, out})
}

// handleDeleteWebhook deletes an endpoint; its deliveries still queued are
// not sent.
func (s *Server) handleDeleteWebhook(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, webhookNotFound(r.PathValue("id")), nil)
		return
	}
	if err := s.store.DeleteWebhookEndpoint(r.Context(), merchantID(r), id); err != nil {
		s.fail(w, r, errorFor(err, webhookNotFound(r.PathValue("id")).Message), err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Status  int    `json:"status"`
		Message string `json:"message"`
	}{http.StatusOK, fmt.Sprintf("Webhook endpoint %d deleted", id)})
}

// deliveryJSON is one entry of an endpoint's delivery log. NextAttempt is
// null once the delivery is over (delivered or given up); LastStatus is
// null when no attempt got an answer.
type deliveryJSON struct {
	ID          int64           `json:"id"`
	MessageID   string          `json:"webhook_id"`
	EventType   string          `json:"event_type"`
	CreatedAt   time.Time       `json:"created_at"`
	Attempts    int             `json:"attempts"`
	Delivered   bool            `json:"delivered"`
	GaveUp      bool            `json:"gave_up"`
	LastStatus  *int            `json:"last_status"`
	LastError   *string         `json:"last_error"`
	NextAttempt *time.Time      `json:"next_attempt"`
	Payload     json.RawMessage `json:"payload"`
}

func deliveryToJSON(d store.WebhookDelivery) deliveryJSON {
	out := deliveryJSON{
		ID: d.ID, MessageID: fmt.Sprintf("msg_%d", d.ID), EventType: d.EventType, CreatedAt: d.CreatedAt.UTC(),
		Attempts: d.Attempts, Delivered: d.Delivered, GaveUp: d.GaveUp, LastError: opt(d.LastError),
	}
	if d.LastStatus != 0 {
		out.LastStatus = &d.LastStatus
	}
	if !d.Delivered && !d.GaveUp {
		next := d.NextAttempt.UTC()
		out.NextAttempt = &next
	}
	if json.Valid(d.Payload) {
		out.Payload = d.Payload
	} else {
		out.Payload = json.RawMessage("null")
	}
	return out
}

// handleListWebhookDeliveries pages through an endpoint's delivery log,
// oldest first.
func (s *Server) handleListWebhookDeliveries(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, webhookNotFound(r.PathValue("id")), nil)
		return
	}
	opt, limit, aerr := listOptions(r)
	if aerr != nil {
		s.fail(w, r, aerr, nil)
		return
	}
	ds, err := s.store.ListWebhookDeliveries(r.Context(), merchantID(r), id, opt)
	if err != nil {
		s.fail(w, r, errorFor(err, webhookNotFound(r.PathValue("id")).Message), err)
		return
	}
	ds, next := page(ds, limit, func(d store.WebhookDelivery) int64 { return d.ID })
	out := make([]deliveryJSON, len(ds))
	for i, d := range ds {
		out[i] = deliveryToJSON(d)
	}
	writeJSON(w, http.StatusOK, struct {
		Status     int            `json:"status"`
		Deliveries []deliveryJSON `json:"deliveries"`
		HasMore    bool           `json:"has_more"`
		NextCursor *string        `json:"next_cursor"`
	}{http.StatusOK, out, next != nil, next})
}
