// Package webhook owns the delivery of e-document events to the URLs
// merchants register: secrets and signatures as the Standard Webhooks
// specification (https://www.standardwebhooks.com) says, the check that an
// endpoint URL does not lead into the operator's own network, and the
// Deliverer, the background loop that claims queued deliveries from the
// store, POSTs them and records each attempt with its retry time.
//
// Files: sign.go (secrets and signatures), url.go (CheckURL and the HTTP
// client whose dialer repeats the check on every connection), deliverer.go
// (the loop and the retry policy).
//
// The signing is written by hand: it is one HMAC over three joined fields,
// and the only Go library of the specification (its reference code) is a
// v0.0.1 without releases since; the tests verify every signature with it.
package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// SecretPrefix starts every endpoint secret, as the specification
// recommends, so a leaked one is easy to recognize.
const SecretPrefix = "whsec_"

// secretBytes is the length of a secret's key: 32 bytes, the size of the
// SHA-256 block's digest, inside the 24-64 the specification asks for.
const secretBytes = 32

// The Standard Webhooks headers.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// NewSecret returns a fresh endpoint secret: "whsec_" and the standard
// base64 of 32 bytes from crypto/rand.
func NewSecret() string {
	key := make([]byte, secretBytes)
	if _, err := rand.Read(key); err != nil {
		panic("webhook: crypto/rand failed: " + err.Error()) // never happens on supported platforms
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(key)
}

// ErrSecret: the secret is not "whsec_" (optional) and standard base64.
var ErrSecret = errors.New("webhook: secret is not a whsec_ base64 key")

// secretKey decodes a secret into its HMAC key. The prefix is optional, as
// in the specification's libraries.
func secretKey(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil || len(key) == 0 {
		return nil, ErrSecret
	}
	return key, nil
}

// Sign returns the webhook-signature header value of a message: "v1,"
// and the standard base64 of the HMAC-SHA256, keyed with the secret's
// decoded key, of "msgID.timestamp.body" (timestamp in Unix seconds).
func Sign(secret, msgID string, ts time.Time, body []byte) (string, error) {
	key, err := secretKey(secret)
	if err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msgID))
	mac.Write([]byte{'.'})
	mac.Write(strconv.AppendInt(nil, ts.Unix(), 10))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// SecretHint shows a secret the way listings may: its prefix and last four
// characters ("whsec_…Aw=="), enough to tell two apart, not to sign.
func SecretHint(secret string) string {
	const keep = 4
	if len(secret) < len(SecretPrefix)+2*keep {
		return "…"
	}
	head := ""
	if strings.HasPrefix(secret, SecretPrefix) {
		head = SecretPrefix
	}
	return head + "…" + secret[len(secret)-keep:]
}
