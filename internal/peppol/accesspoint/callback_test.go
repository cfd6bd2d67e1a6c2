package accesspoint

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/peppol/transport"
)

func TestVerifyCallback(t *testing.T) {
	now := time.Date(2026, 2, 3, 10, 0, 0, 0, time.UTC)
	c, err := New(Config{URL: "https://ap.example", CallbackSecret: "whsec_test", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	const body = `{"messageId":"3f1c2b9e","apMessageId":"ap-0001","status":"rejected","reason":"unknown order reference"}`
	sig := SignCallback("whsec_test", now.Add(-time.Minute), []byte(body))
	ts := sig[:strings.Index(sig, ",")]
	v1 := sig[strings.Index(sig, ",")+1:]
	wrongSig := SignCallback("other secret", now, []byte(body))
	wrongV1 := wrongSig[strings.Index(wrongSig, ",")+1:]

	tests := []struct {
		name   string
		header string // "-": none
		body   string
		want   Callback
		err    error
	}{
		{"valid", sig, body, Callback{MessageID: "3f1c2b9e", APMessageID: "ap-0001", Status: "rejected", Reason: "unknown order reference"}, nil},
		{"valid, rotating secrets", ts + "," + wrongV1 + "," + v1, body, Callback{MessageID: "3f1c2b9e", APMessageID: "ap-0001", Status: "rejected", Reason: "unknown order reference"}, nil},
		{"valid, spaces and unknown keys", " " + ts + " , v0=abc, " + v1, body, Callback{MessageID: "3f1c2b9e", APMessageID: "ap-0001", Status: "rejected", Reason: "unknown order reference"}, nil},
		{"no header", "-", body, Callback{}, ErrCallbackSignature},
		{"empty header", "", body, Callback{}, ErrCallbackSignature},
		{"wrong secret", wrongSig, body, Callback{}, ErrCallbackSignature},
		{"no timestamp", v1, body, Callback{}, ErrCallbackSignature},
		{"no v1", ts, body, Callback{}, ErrCallbackSignature},
		{"two timestamps", ts + "," + ts + "," + v1, body, Callback{}, ErrCallbackSignature},
		{"bad hex", ts + ",v1=zz", body, Callback{}, ErrCallbackSignature},
		{"timestamp changed", "t=" + timestamp(now) + "," + v1, body, Callback{}, ErrCallbackSignature},
		{"tampered body", sig, strings.Replace(body, "rejected", "delivered", 1), Callback{}, ErrCallbackSignature},
		{"stale", SignCallback("whsec_test", now.Add(-5*time.Minute-time.Second), []byte(body)), body, Callback{}, ErrCallbackStale},
		{"from the future", SignCallback("whsec_test", now.Add(6*time.Minute), []byte(body)), body, Callback{}, ErrCallbackStale},
		{"just fresh", SignCallback("whsec_test", now.Add(-5*time.Minute), []byte(body)), body, Callback{MessageID: "3f1c2b9e", APMessageID: "ap-0001", Status: "rejected", Reason: "unknown order reference"}, nil},
		{"delivered, AP id only", signed(now, `{"apMessageId":"ap-9","status":"delivered"}`), `{"apMessageId":"ap-9","status":"delivered"}`, Callback{APMessageID: "ap-9", Status: "delivered"}, nil},
		{"bad status", signed(now, `{"messageId":"m","status":"sent"}`), `{"messageId":"m","status":"sent"}`, Callback{}, ErrCallbackBody},
		{"no ids", signed(now, `{"status":"delivered"}`), `{"status":"delivered"}`, Callback{}, ErrCallbackBody},
		{"not JSON", signed(now, `status=delivered`), `status=delivered`, Callback{}, ErrCallbackBody},
		{"trailing data", signed(now, `{"messageId":"m","status":"delivered"} {}`), `{"messageId":"m","status":"delivered"} {}`, Callback{}, ErrCallbackBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/peppol/callback", strings.NewReader(tt.body))
			if tt.header != "-" {
				r.Header.Set(SignatureHeader, tt.header)
			}
			got, err := c.VerifyCallback(r, []byte(tt.body))
			if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if got != tt.want {
				t.Errorf("callback = %+v, want %+v", got, tt.want)
			}
		})
	}
	if _, err := c.VerifyCallback(nil, []byte(body)); !errors.Is(err, ErrCallbackSignature) {
		t.Errorf("nil request: %v", err)
	}
	if transport.StatusDelivered != "delivered" || transport.StatusRejected != "rejected" {
		t.Error("status spellings changed; the callback format documents them")
	}
}

func signed(t time.Time, body string) string { return SignCallback("whsec_test", t, []byte(body)) }

func timestamp(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// TestSignatureFormat pins the header format an access point implements.
func TestSignatureFormat(t *testing.T) {
	// printf '%s' '1770112800.{"messageId":"m","status":"delivered"}' | openssl dgst -sha256 -hmac whsec_test
	got := SignCallback("whsec_test", time.Unix(1770112800, 0), []byte(`{"messageId":"m","status":"delivered"}`))
	const want = "t=1770112800,v1=3dce934e4115f5f1ff5e233bf6bd3e3cd305c21c1853684dc4247ffa51c020c1"
	if got != want {
		t.Fatalf("header = %q, want %q", got, want)
	}
}
