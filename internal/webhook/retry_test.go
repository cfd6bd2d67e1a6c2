package webhook

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/store"
)

// The retry policy: full-jitter backoff from the attempt count, never
// sooner than a receiver's Retry-After (capped at RetryMax), and no retry
// past three days from the event.
func TestFailedRetryPolicy(t *testing.T) {
	created := time.Date(2031, 3, 4, 5, 6, 7, 0, time.UTC)
	d := &Deliverer{Rand: func() float64 { return 0.5 }}
	d.init()
	tests := []struct {
		attempts int           // recorded before this one
		now      time.Duration // after the event
		after    time.Duration // Retry-After
		want     time.Duration // wait; -1: give up
	}{
		{0, 0, 0, 2500 * time.Millisecond},
		{1, 0, 0, 5 * time.Second},
		{2, 0, 0, 10 * time.Second},
		{20, 0, 0, 30 * time.Minute},
		{0, 0, 2 * time.Minute, 2 * time.Minute},
		{0, 0, 5 * time.Hour, time.Hour},
		{40, RetryWindow - 31*time.Minute, 0, 30 * time.Minute},
		{40, RetryWindow - 30*time.Minute, 0, 30 * time.Minute},
		{40, RetryWindow - 29*time.Minute, 0, -1},
		{0, RetryWindow, 0, -1},
	}
	for _, tt := range tests {
		del := store.WebhookDelivery{CreatedAt: created, Attempts: tt.attempts}
		now := created.Add(tt.now)
		res := d.failed(del, now, 500, "HTTP 500", tt.after)
		if res.Delivered || res.StatusCode != 500 || res.Error != "HTTP 500" {
			t.Errorf("%+v: result %+v", tt, res)
		}
		switch {
		case tt.want < 0 && !res.RetryAt.IsZero():
			t.Errorf("%+v: retry at %v, want to give up", tt, res.RetryAt)
		case tt.want >= 0 && !res.RetryAt.Equal(now.Add(tt.want)):
			t.Errorf("%+v: retry after %v, want %v", tt, res.RetryAt.Sub(now), tt.want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		status int
		header string
		want   time.Duration
	}{
		{429, "120", 2 * time.Minute},
		{503, " 7 ", 7 * time.Second},
		{500, "120", 0},
		{429, "Wed, 21 Oct 2015 07:28:00 GMT", 0},
		{429, "-5", 0},
		{429, "", 0},
	}
	for _, tt := range tests {
		resp := &http.Response{StatusCode: tt.status, Header: http.Header{"Retry-After": {tt.header}}}
		if got := retryAfter(resp); got != tt.want {
			t.Errorf("retryAfter(%d, %q) = %v, want %v", tt.status, tt.header, got, tt.want)
		}
	}
}

func TestCleanAndTruncate(t *testing.T) {
	if got := clean("  a\tb\r\n\x00c \xff "); got != "a b c \uFFFD" {
		t.Errorf("clean = %q", got)
	}
	long := strings.Repeat("é", maxErrorText)
	got := clean(long)
	if !strings.HasSuffix(got, "…") || len(got) > maxErrorText+len("…") || !strings.HasPrefix(got, "éé") {
		t.Errorf("clean of a long text = %q (%d bytes)", got, len(got))
	}
	if got := describe(&URLError{Reason: "resolves to a private address 10.0.0.1"}, time.Second); got != "url: resolves to a private address 10.0.0.1" {
		t.Errorf("describe = %q", got)
	}
	if got := describe(errors.New("x\ny"), time.Second); got != "x y" {
		t.Errorf("describe = %q", got)
	}
}
