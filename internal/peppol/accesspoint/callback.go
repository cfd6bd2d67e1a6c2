package accesspoint

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vatgate/vatgate/internal/peppol/transport"
)

// Callback signing (see the package comment).
const (
	SignatureHeader   = "X-AP-Signature"
	CallbackTolerance = 5 * time.Minute
	// MaxCallbackBody is the most a callback route should read.
	MaxCallbackBody = 64 << 10
)

// Why VerifyCallback refuses a callback. A route answers the first two with
// 401 (nothing about our secret is revealed either way) and the last with 400.
var (
	ErrCallbackSignature = errors.New("callback signature missing or invalid")
	ErrCallbackStale     = errors.New("callback timestamp outside the tolerance of 5 minutes")
	ErrCallbackBody      = errors.New("callback body invalid")
)

// Callback is an access point's report of the receiver's answer.
type Callback struct {
	MessageID   string // ours (the SBDH InstanceIdentifier); "" if the access point gave only its own
	APMessageID string // the access point's, if given
	Status      string // transport.StatusDelivered or transport.StatusRejected
	Reason      string // why, with rejected
}

// VerifyCallback checks the signature on a status callback whose body the
// caller has read (at most MaxCallbackBody bytes), then parses it. The
// signature is checked before anything in the body is trusted, and compared
// in constant time.
func (c *Client) VerifyCallback(r *http.Request, body []byte) (Callback, error) {
	if r == nil {
		return Callback{}, ErrCallbackSignature
	}
	ts, sigs, ok := parseSignature(r.Header.Get(SignatureHeader))
	if !ok {
		return Callback{}, ErrCallbackSignature
	}
	want := sign(c.secret, ts, body)
	match := false
	for _, s := range sigs {
		// hmac.Equal is constant-time; every candidate is compared.
		match = hmac.Equal(s, want) || match
	}
	if !match {
		return Callback{}, ErrCallbackSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return Callback{}, ErrCallbackSignature
	}
	if age := c.now().Sub(time.Unix(sec, 0)); age > CallbackTolerance || age < -CallbackTolerance {
		return Callback{}, ErrCallbackStale
	}

	var v struct {
		MessageID   string `json:"messageId"`
		APMessageID string `json:"apMessageId"`
		Status      string `json:"status"`
		Reason      string `json:"reason"`
	}
	d := json.NewDecoder(bytes.NewReader(body))
	if err := d.Decode(&v); err != nil {
		return Callback{}, fmt.Errorf("%w: %v", ErrCallbackBody, err)
	}
	if d.More() {
		return Callback{}, fmt.Errorf("%w: data after the JSON object", ErrCallbackBody)
	}
	cb := Callback{
		MessageID:   strings.TrimSpace(v.MessageID),
		APMessageID: strings.TrimSpace(v.APMessageID),
		Status:      v.Status,
		Reason:      strings.TrimSpace(v.Reason),
	}
	switch {
	case cb.MessageID == "" && cb.APMessageID == "":
		return Callback{}, fmt.Errorf("%w: no messageId", ErrCallbackBody)
	case cb.Status != transport.StatusDelivered && cb.Status != transport.StatusRejected:
		return Callback{}, fmt.Errorf("%w: status %q, want %q or %q", ErrCallbackBody, cb.Status, transport.StatusDelivered, transport.StatusRejected)
	}
	return cb, nil
}

// SignCallback is the X-AP-Signature header value for body sent at t, as an
// access point computes it; for tests and for adapters written in Go.
func SignCallback(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(sign([]byte(secret), ts, body))
}

func sign(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return m.Sum(nil)
}

// parseSignature splits "t=<unix>,v1=<hex>[,v1=<hex>...]"; other keys are
// ignored (room for a future v2).
func parseSignature(h string) (ts string, sigs [][]byte, ok bool) {
	for part := range strings.SplitSeq(h, ",") {
		k, v, found := strings.Cut(strings.TrimSpace(part), "=")
		if !found {
			continue
		}
		switch k {
		case "t":
			if ts != "" || v == "" || strings.Trim(v, "0123456789") != "" {
				return "", nil, false
			}
			ts = v
		case "v1":
			if b, err := hex.DecodeString(v); err == nil && len(b) == sha256.Size {
				sigs = append(sigs, b)
			}
		}
	}
	return ts, sigs, ts != "" && len(sigs) > 0
}
