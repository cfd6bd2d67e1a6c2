package webhook

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// headers are the three Standard Webhooks headers of a signed message.
func headers(msgID string, ts time.Time, sig string) http.Header {
	h := http.Header{}
	h.Set(standardwebhooks.HeaderWebhookID, msgID)
	h.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(standardwebhooks.HeaderWebhookSignature, sig)
	return h
}

// Every signature Sign makes is verified by the specification's own Go
// library, for secrets of several lengths and bodies of several kinds; a
// change of the body, id or timestamp, or another secret, is refused by it.
func TestSignVerifiedByStandardWebhooks(t *testing.T) {
	secrets := []string{
		NewSecret(),
		NewSecret(),
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", // the specification's example secret
		SecretPrefix + base64.StdEncoding.EncodeToString([]byte("24-byte-key-for-the-test")),
		SecretPrefix + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 64))),
	}
	bodies := [][]byte{
		[]byte(`{"type":"e_document.status_changed","timestamp":"2031-03-04T05:06:07Z","data":{"document_id":1,"previous_status":null,"document_status":"new","error":null}}`),
		[]byte(`{"type":"e_document.status_changed","data":{"invoice_number":"Ünïcødé – €","error":"line 1: \"quoted\"\nnext"}}`),
		[]byte(`{}`),
		[]byte(``),
	}
	now := time.Now()
	for i, secret := range secrets {
		wh, err := standardwebhooks.NewWebhook(secret)
		if err != nil {
			t.Fatalf("secret %d: the library refuses it: %v", i, err)
		}
		for j, body := range bodies {
			msgID := "msg_" + strconv.Itoa(100*i+j)
			sig, err := Sign(secret, msgID, now, body)
			if err != nil {
				t.Fatalf("Sign(secret %d, body %d): %v", i, j, err)
			}
			if !strings.HasPrefix(sig, "v1,") {
				t.Errorf("signature %q lacks the v1, prefix", sig)
			}
			if err := wh.Verify(body, headers(msgID, now, sig)); err != nil {
				t.Errorf("secret %d, body %d: the library refuses the signature: %v", i, j, err)
			}
			// The library's own signature is the same.
			if want, _ := wh.Sign(msgID, now, body); want != sig {
				t.Errorf("secret %d, body %d: signature %q, the library signs %q", i, j, sig, want)
			}

			tampered := append(append([]byte(nil), body...), ' ')
			if err := wh.Verify(tampered, headers(msgID, now, sig)); err == nil {
				t.Errorf("secret %d, body %d: a tampered body is accepted", i, j)
			}
			if err := wh.Verify(body, headers(msgID+"0", now, sig)); err == nil {
				t.Errorf("secret %d, body %d: another message id is accepted", i, j)
			}
			if err := wh.Verify(body, headers(msgID, now.Add(time.Second), sig)); err == nil {
				t.Errorf("secret %d, body %d: another timestamp is accepted", i, j)
			}
			other, _ := standardwebhooks.NewWebhook(secrets[(i+1)%len(secrets)])
			if err := other.Verify(body, headers(msgID, now, sig)); err == nil {
				t.Errorf("secret %d, body %d: verified with another secret", i, j)
			}
		}
	}
}

// The specification's worked example: fixed secret, id, timestamp and body.
func TestSignSpecificationExample(t *testing.T) {
	const (
		secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
		msgID  = "msg_p5jXN8AQM9LWM0D4loKWxJek"
		body   = `{"test": 2432232314}`
		want   = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	)
	got, err := Sign(secret, msgID, time.Unix(1614265330, 0), []byte(body))
	if err != nil || got != want {
		t.Errorf("Sign = %q, %v; want %q", got, err, want)
	}
}

func TestNewSecret(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		s := NewSecret()
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, SecretPrefix))
		if !strings.HasPrefix(s, SecretPrefix) || err != nil || len(key) < 24 || len(key) > 64 {
			t.Fatalf("NewSecret() = %q: want whsec_ and base64 of 24-64 bytes (%d bytes, %v)", s, len(key), err)
		}
		if seen[s] {
			t.Fatalf("NewSecret repeated %q", s)
		}
		seen[s] = true
	}
}

func TestSignRefusesBadSecret(t *testing.T) {
	for _, s := range []string{"", "whsec_", "whsec_not base64!", "whsec_" + "%%%%"} {
		if _, err := Sign(s, "msg_1", time.Now(), []byte("{}")); err == nil {
			t.Errorf("Sign with secret %q: no error", s)
		}
	}
}

func TestSecretHint(t *testing.T) {
	s := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	if got := SecretHint(s); got != "whsec_…LaSw" {
		t.Errorf("SecretHint = %q", got)
	}
	if got := SecretHint("whsec_ab"); got != "…" {
		t.Errorf("SecretHint of a short secret = %q", got)
	}
}
