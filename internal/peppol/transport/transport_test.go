package transport

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	one := func() float64 { return 0.999999999999 } // the top of [0, 1)
	half := func() float64 { return 0.5 }
	zero := func() float64 { return 0 }
	tests := []struct {
		attempt   int
		base, max time.Duration
		rnd       func() float64
		want      time.Duration
	}{
		{1, 2 * time.Second, time.Hour, half, time.Second},
		{2, 2 * time.Second, time.Hour, half, 2 * time.Second},
		{3, 2 * time.Second, time.Hour, half, 4 * time.Second},
		{11, 2 * time.Second, time.Hour, half, 1024 * time.Second},
		{12, 2 * time.Second, time.Hour, half, 30 * time.Minute}, // 4096s capped at 1h
		{1000, 2 * time.Second, time.Hour, half, 30 * time.Minute},
		{0, 2 * time.Second, time.Hour, half, time.Second},  // < 1 counts as 1
		{-5, 2 * time.Second, time.Hour, half, time.Second}, // likewise
		{3, 2 * time.Second, time.Hour, zero, 0},            // full jitter reaches 0
		{5, time.Hour, time.Second, half, 500 * time.Millisecond},
		{200, time.Second, math.MaxInt64, half, math.MaxInt64 / 2}, // no overflow
		{3, 0, time.Hour, half, 0},
		{3, time.Second, time.Hour, func() float64 { return 7 }, 3999999999},         // out-of-range rnd clamped below the ceiling
		{3, time.Second, time.Hour, func() float64 { return -1 }, 0},                 // and above 0
		{3, time.Second, time.Hour, func() float64 { return math.NaN() }, 0},         // NaN
		{4, time.Second, time.Hour, func() float64 { return 0.25 }, 2 * time.Second}, // 8s * 0.25
		{4, time.Second, 5 * time.Second, func() float64 { return 0.5 }, 2500 * time.Millisecond},
	}
	for _, tt := range tests {
		got := Backoff(tt.attempt, tt.base, tt.max, tt.rnd)
		if d := got - tt.want; d < -time.Microsecond || d > time.Microsecond {
			t.Errorf("Backoff(%d, %v, %v) = %v, want %v", tt.attempt, tt.base, tt.max, got, tt.want)
		}
	}
	// Bounds: for every attempt, [0, min(max, base*2^(attempt-1))).
	for attempt := 1; attempt <= 40; attempt++ {
		ceiling := RetryMax
		if attempt <= 11 {
			ceiling = RetryBase << (attempt - 1)
		}
		if got := Backoff(attempt, RetryBase, RetryMax, zero); got != 0 {
			t.Errorf("attempt %d, rnd 0: %v, want 0", attempt, got)
		}
		if got := Backoff(attempt, RetryBase, RetryMax, one); got >= ceiling || got < ceiling-time.Millisecond {
			t.Errorf("attempt %d, rnd ~1: %v, want just under %v", attempt, got, ceiling)
		}
		if got := Backoff(attempt, RetryBase, RetryMax, nil); got < 0 || got >= ceiling {
			t.Errorf("attempt %d, random: %v outside [0, %v)", attempt, got, ceiling)
		}
	}
}

func TestRetryAt(t *testing.T) {
	first := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	half := func() float64 { return 0.5 }

	at, ok := RetryAt(first, first, 1, Transient("down"), half)
	if !ok || !at.Equal(first.Add(time.Second)) {
		t.Errorf("first retry = %v, %v; want %v", at, ok, first.Add(time.Second))
	}
	// Retry-After wins when longer than the backoff, not when shorter.
	err := &TransientError{Reason: "429", RetryAfter: time.Minute}
	if at, _ := RetryAt(first, first, 1, err, half); !at.Equal(first.Add(time.Minute)) {
		t.Errorf("with Retry-After 1m: %v", at)
	}
	err = &TransientError{Reason: "503", RetryAfter: time.Millisecond}
	if at, _ := RetryAt(first, first, 1, fmt.Errorf("wrapped: %w", err), half); !at.Equal(first.Add(time.Second)) {
		t.Errorf("with short Retry-After: %v", at)
	}
	// Past the window: give up.
	now := first.Add(RetryWindow - 10*time.Minute)
	if _, ok := RetryAt(now, first, 50, Transient("down"), half); ok {
		t.Error("retry 30m later, past the 72h window, still allowed")
	}
	if _, ok := RetryAt(now, first, 50, Transient("down"), func() float64 { return 0.1 }); !ok {
		t.Error("retry 6m later, inside the window, refused")
	}
}

func TestErrors(t *testing.T) {
	cause := errors.New("connection refused")
	te := &TransientError{Reason: "access point unreachable", Err: cause}
	pe := &PermanentError{Reason: "unknown participant"}
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{te, true},
		{fmt.Errorf("send: %w", te), true},
		{pe, false},
		{fmt.Errorf("send: %w", pe), false},
		{context.Canceled, true},
		{errors.New("unclassified"), true},
	}
	for _, tt := range tests {
		if got := IsTransient(tt.err); got != tt.want {
			t.Errorf("IsTransient(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
	if !errors.Is(te, cause) {
		t.Error("TransientError does not unwrap to its cause")
	}
	if te.Error() != "access point unreachable" || pe.Error() != "unknown participant" {
		t.Errorf("messages: %q, %q", te, pe)
	}
}

func TestParticipant(t *testing.T) {
	p := Participant{Scheme: "0192", ID: "123"}
	if p.String() != "0192:123" {
		t.Errorf("String = %q", p)
	}
	if p.IsZero() || !(Participant{}).IsZero() {
		t.Error("IsZero")
	}
}

func TestDocumentRoot(t *testing.T) {
	tests := []struct {
		docType, ns, local string
		ok                 bool
	}{
		{DocTypeInvoice, "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2", "Invoice", true},
		{DocTypeCreditNote, "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2", "CreditNote", true},
		{"urn:x::Invoice", "", "", false}, // no customization
		{"::Invoice##c::2.1", "", "", false},
		{"urn:x::##c::2.1", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		ns, local, ok := DocumentRoot(tt.docType)
		if ns != tt.ns || local != tt.local || ok != tt.ok {
			t.Errorf("DocumentRoot(%q) = %q, %q, %v", tt.docType, ns, local, ok)
		}
	}
}

const invoiceUBL = `<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>1</ID></Invoice>`

func TestValidate(t *testing.T) {
	good := Message{
		MessageID:    "m-1",
		Sender:       Participant{"0192", "1"},
		Receiver:     Participant{"0192", "2"},
		DocumentType: DocTypeInvoice,
		Process:      ProcessBilling,
		UBL:          []byte(invoiceUBL),
	}
	if err := good.Validate(); err != nil {
		t.Fatalf("good message: %v", err)
	}
	tests := []struct {
		name   string
		modify func(*Message)
		want   string
	}{
		{"no message id", func(m *Message) { m.MessageID = " " }, "no message id"},
		{"no sender", func(m *Message) { m.Sender.ID = "" }, "no sender"},
		{"no receiver", func(m *Message) { m.Receiver = Participant{} }, "no receiver"},
		{"no process", func(m *Message) { m.Process = "" }, "no process"},
		{"no UBL", func(m *Message) { m.UBL = []byte("\n") }, "no document"},
		{"bad doc type", func(m *Message) { m.DocumentType = "Invoice" }, "not of the form"},
		{"not XML", func(m *Message) { m.UBL = []byte("{}") }, "not XML"},
		{"wrong root", func(m *Message) { m.DocumentType = DocTypeCreditNote }, "document root is {urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice"},
	}
	for _, tt := range tests {
		m := good
		tt.modify(&m)
		err := m.Validate()
		var pe *PermanentError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want a PermanentError containing %q", tt.name, err, tt.want)
		}
	}
}
