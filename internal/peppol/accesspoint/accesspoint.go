// Package accesspoint is the "http" Peppol transport: it hands each document,
// wrapped in a Standard Business Document Header (SBDH), to a Peppol access
// point over HTTPS, and verifies the access point's signed status callbacks.
//
// The exchange with the access point, which it must implement (or a thin
// adapter in front of it):
//
// Sending. POST <URL>, body the Standard Business Document (the Peppol
// Envelope Specification's SBDH followed by the UBL invoice or credit note),
// with
//
//	Content-Type:    application/xml
//	Idempotency-Key: <our message id>   (also the SBDH InstanceIdentifier)
//	Authorization:   Basic ... or Bearer ...  (as configured)
//
// A retry carries the same message id and byte-identical body, so the access
// point can answer it as it answered the first (the IETF Idempotency-Key
// header draft) and the receiver sees one document. The answers:
//
//	2xx                   accepted; the document is "sent". The body is JSON
//	                      {"messageId": "<the access point's id>"} (or XML with a
//	                      <messageId> child of the root); the id is optional.
//	408, 409, 425, 429,   transient: tried again later with backoff, honouring a
//	5xx, no answer        Retry-After header. 409 is the Idempotency-Key draft's
//	                      "the first request with this key is still in flight".
//	other 3xx and 4xx     permanent: the document ends in error, with the reason
//	                      the access point gave (a JSON "message", "error",
//	                      "detail"/"title" or "reason", else the body's text).
//
// Status callbacks. The access point POSTs the receiver's answer to our
// callback route, with body
//
//	{"messageId": "<our message id>", "apMessageId": "<its id>",
//	 "status": "delivered" | "rejected", "reason": "<why, when rejected>"}
//
// (at least one of the two ids; vatgate matches on messageId) and the header
//
//	X-AP-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>
//
// where secret is the shared CallbackSecret. More than one v1 may be given
// (while a secret is being rotated); one must match. A callback more than five
// minutes older or newer than our clock is refused, so a captured callback
// cannot be replayed later. This is the scheme Stripe's webhooks use.
//
// Hand-written on net/http, crypto/tls, encoding/xml and crypto/hmac: the
// SBDH is a fixed handful of elements, and Peppol's own libraries (phax's
// peppol-commons, Oxalis) are Java.
package accesspoint

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vatgate/vatgate/internal/peppol/transport"
)

// DefaultTimeout bounds one POST to the access point, connection included.
const DefaultTimeout = 30 * time.Second

// maxAnswer bounds how much of an access point's answer is read.
const maxAnswer = 64 << 10

// Config configures the client. URL and CallbackSecret are required.
type Config struct {
	URL string // where documents are POSTed; https
	// HTTP Basic credentials, or a bearer token; not both.
	Username, Password string
	BearerToken        string
	Timeout            time.Duration // per request (default DefaultTimeout)
	TLS                *tls.Config   // nil: the system's roots; client certificates go here
	// CallbackSecret is the shared secret the access point signs status
	// callbacks with.
	CallbackSecret string
	// AllowInsecure permits an http:// URL, for tests only: documents carry
	// tax data, and credentials travel with them.
	AllowInsecure bool
	// Now is the clock for SBDH timestamps and callback freshness (default
	// time.Now).
	Now func() time.Time
}

// Client is the "http" transport.
type Client struct {
	url    string
	auth   string // the Authorization header value, "" for none
	secret []byte
	http   *http.Client
	now    func() time.Time
}

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.URL)
	switch {
	case cfg.URL == "":
		return nil, errors.New("accesspoint: no URL")
	case err != nil:
		return nil, fmt.Errorf("accesspoint: URL: %w", err)
	case u.Scheme != "https" && !(u.Scheme == "http" && cfg.AllowInsecure):
		return nil, fmt.Errorf("accesspoint: URL %q: the access point must be reached over https", cfg.URL)
	case u.Host == "":
		return nil, fmt.Errorf("accesspoint: URL %q has no host", cfg.URL)
	case u.User != nil:
		return nil, errors.New("accesspoint: URL carries credentials; configure them as user name and password instead")
	case cfg.BearerToken != "" && (cfg.Username != "" || cfg.Password != ""):
		return nil, errors.New("accesspoint: configure either HTTP Basic credentials or a bearer token, not both")
	case cfg.Password != "" && cfg.Username == "":
		return nil, errors.New("accesspoint: a password without a user name")
	case cfg.CallbackSecret == "":
		return nil, errors.New("accesspoint: no callback secret: status callbacks could not be verified")
	case cfg.Timeout < 0:
		return nil, errors.New("accesspoint: negative timeout")
	}
	c := &Client{url: u.String(), secret: []byte(cfg.CallbackSecret), now: cfg.Now}
	if c.now == nil {
		c.now = time.Now
	}
	switch {
	case cfg.BearerToken != "":
		c.auth = "Bearer " + cfg.BearerToken
	case cfg.Username != "":
		r := http.Request{Header: http.Header{}}
		r.SetBasicAuth(cfg.Username, cfg.Password)
		c.auth = r.Header.Get("Authorization")
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tlsConf := &tls.Config{}
	if cfg.TLS != nil {
		tlsConf = cfg.TLS.Clone()
	}
	if tlsConf.MinVersion < tls.VersionTLS12 {
		tlsConf.MinVersion = tls.VersionTLS12
	}
	tr.TLSClientConfig = tlsConf
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	c.http = &http.Client{
		Transport: tr,
		Timeout:   timeout,
		// A redirected POST either turns into a GET or is re-sent somewhere
		// not configured; neither is what an operator wants.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c, nil
}

// Name is the transport's configuration name.
func (c *Client) Name() string { return "http" }

// Send POSTs m, in its SBDH envelope, to the access point.
func (c *Client) Send(ctx context.Context, m transport.Message) (transport.Result, error) {
	if err := m.Validate(); err != nil {
		return transport.Result{}, err
	}
	created := m.CreatedAt
	if created.IsZero() {
		created = c.now()
	}
	body, err := Envelope(m, created)
	if err != nil {
		return transport.Result{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return transport.Result{}, transport.Permanent("access point request: " + err.Error())
	}
	req.Header.Set("Content-Type", "application/xml")
	req.Header.Set("Accept", "application/json, application/xml;q=0.9")
	req.Header.Set("Idempotency-Key", m.MessageID)
	req.Header.Set("User-Agent", "vatgate")
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return transport.Result{}, c.networkError(ctx, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		// The status decides. An accepted document whose answer broke off
		// has lost only the access point's id: callbacks name ours too.
		answer = nil
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer)) // let the connection be reused

	code := resp.StatusCode
	switch {
	case code/100 == 2:
		return transport.Result{Status: transport.StatusSent, APMessageID: apMessageID(answer)}, nil
	case code == http.StatusRequestTimeout, code == http.StatusConflict, code == http.StatusTooEarly,
		code == http.StatusTooManyRequests, code/100 == 5:
		return transport.Result{}, &transport.TransientError{
			Reason:     "access point answered " + statusText(code) + withReason(answer),
			RetryAfter: retryAfter(resp.Header.Get("Retry-After"), c.now()),
		}
	case code/100 == 3:
		return transport.Result{}, transport.Permanent("access point redirected (" + statusText(code) + " to " +
			resp.Header.Get("Location") + "); configure the URL it redirects to")
	case code == http.StatusUnauthorized, code == http.StatusForbidden:
		return transport.Result{}, transport.Permanent("access point refused our credentials (" + statusText(code) + ")" + withReason(answer))
	default:
		return transport.Result{}, transport.Permanent("access point refused the document (" + statusText(code) + ")" + withReason(answer))
	}
}

// Receipt answers "sent": an access point reports the receiver's answer by
// callback (VerifyCallback), not when asked.
func (c *Client) Receipt(ctx context.Context, messageID string) (transport.Result, error) {
	return transport.Result{Status: transport.StatusSent}, nil
}

func (c *Client) networkError(ctx context.Context, err error) error {
	reason := "access point unreachable: " + errorText(err)
	switch {
	case ctx.Err() != nil:
		reason = "sending interrupted: " + ctx.Err().Error()
	case isTimeout(err):
		reason = fmt.Sprintf("access point did not answer within %v", c.http.Timeout)
	}
	return &transport.TransientError{Reason: reason, Err: err}
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// errorText drops the *url.Error's "Post <url>:" prefix: the URL is
// configuration, not news, and the reason ends up in front of merchants.
func errorText(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return "HTTP " + strconv.Itoa(code) + " " + t
	}
	return "HTTP " + strconv.Itoa(code)
}

// apMessageID reads the access point's id from a 2xx answer: JSON
// {"messageId": ...} or XML with a <messageId> child of its root.
func apMessageID(answer []byte) string {
	answer = bytes.TrimSpace(answer)
	switch {
	case len(answer) == 0:
		return ""
	case answer[0] == '{':
		var v struct {
			MessageID string `json:"messageId"`
		}
		if json.Unmarshal(answer, &v) == nil {
			return strings.TrimSpace(v.MessageID)
		}
	case answer[0] == '<':
		var v struct {
			MessageID string `xml:"messageId"`
		}
		if xml.Unmarshal(answer, &v) == nil {
			return strings.TrimSpace(v.MessageID)
		}
	}
	return ""
}

// withReason formats what an error answer says, for the document's error
// reason: ": <reason>", or "" when it says nothing usable.
func withReason(answer []byte) string {
	r := reasonOf(answer)
	if r == "" {
		return ""
	}
	return ": " + r
}

func reasonOf(answer []byte) string {
	answer = bytes.TrimSpace(answer)
	if len(answer) == 0 {
		return ""
	}
	if answer[0] == '{' {
		var v struct {
			Message string `json:"message"`
			Error   any    `json:"error"`
			Title   string `json:"title"`  // RFC 9457 problem details
			Detail  string `json:"detail"` // likewise
			Reason  string `json:"reason"`
		}
		if json.Unmarshal(answer, &v) == nil {
			errText := ""
			switch e := v.Error.(type) {
			case string:
				errText = e
			case map[string]any:
				errText, _ = e["message"].(string)
			}
			switch {
			case v.Message != "":
				return clip(v.Message)
			case errText != "":
				return clip(errText)
			case v.Detail != "" && v.Title != "":
				return clip(v.Title + ": " + v.Detail)
			case v.Detail != "":
				return clip(v.Detail)
			case v.Title != "":
				return clip(v.Title)
			case v.Reason != "":
				return clip(v.Reason)
			}
		}
	}
	return clip(string(answer))
}

// clip makes text fit an error reason: one line, at most 500 bytes, cut at
// a rune boundary.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const max = 500
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(min(s, 7*24*3600)) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return min(t.Sub(now), 7*24*time.Hour)
	}
	return 0
}

var _ transport.Transport = (*Client)(nil)
