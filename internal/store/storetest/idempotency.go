package storetest

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/store"
)

// idempotencyTests run on the backend's real clock, with locks and expiries
// long enough never to run out during a test; the clocked cases below move
// time across them.
var idempotencyTests = []test{
	{"States", testIdemStates},
	{"FinishAbandon", testIdemFinishAbandon},
	{"MerchantScope", testIdemMerchantScope},
	{"UnknownMerchant", testIdemUnknownMerchant},
	{"ResponseBytes", testIdemResponseBytes},
	{"Concurrent", testIdemConcurrent},
}

// The API's values: a key lives a day; a claim is presumed alive a minute
// (the clocked tests), or an hour where it must not run out.
const (
	idemTTL  = 24 * time.Hour
	idemLock = time.Minute
	longLock = time.Hour
)

// idemReq is a request under key whose hash is "hash-"+body.
func idemReq(key, body string) store.IdemRequest {
	return store.IdemRequest{Key: key, Method: "POST", Path: "/api/1/app/l_invoice/invoices", Hash: "hash-" + body}
}

// mustBegin begins req and fails unless the outcome is want.
func mustBegin(tb testing.TB, s store.Store, merchantID int64, req store.IdemRequest, lock time.Duration, want store.IdemKind) store.IdemState {
	tb.Helper()
	st, err := s.BeginIdempotent(tb.Context(), merchantID, req, idemTTL, lock)
	if err != nil {
		tb.Fatalf("BeginIdempotent(%q, %q): %v", req.Key, req.Hash, err)
	}
	if st.Kind != want {
		tb.Fatalf("BeginIdempotent(%q, %q) = %s, want %s", req.Key, req.Hash, kindName(st.Kind), kindName(want))
	}
	return st
}

func mustFinishIdem(tb testing.TB, s store.Store, merchantID int64, req store.IdemRequest, resp store.IdemResponse) {
	tb.Helper()
	if err := s.FinishIdempotent(tb.Context(), merchantID, req.Key, req.Hash, resp); err != nil {
		tb.Fatalf("FinishIdempotent(%q): %v", req.Key, err)
	}
}

func kindName(k store.IdemKind) string {
	switch k {
	case store.IdemStarted:
		return "started"
	case store.IdemReplay:
		return "replay"
	case store.IdemInProgress:
		return "in progress"
	case store.IdemMismatch:
		return "mismatch"
	}
	return fmt.Sprintf("kind %d", k)
}

// wantResponse fails unless a replay gave back want, byte for byte.
func wantResponse(tb testing.TB, what string, got store.IdemState, want store.IdemResponse) {
	tb.Helper()
	r := got.Response
	if r.Status != want.Status || r.ContentType != want.ContentType || !bytes.Equal(r.Body, want.Body) {
		tb.Errorf("%s: replayed %d %q %q, want %d %q %q", what, r.Status, r.ContentType, r.Body, want.Status, want.ContentType, want.Body)
	}
}

var idemOK = store.IdemResponse{Status: 200, ContentType: "application/json", Body: []byte(`{"status":"done"}` + "\n")}

// testIdemStates walks a key through every state: a new key starts; the
// same request again is in progress while it runs, and a different one a
// mismatch; once finished the same request replays the answer and a
// different one is still a mismatch.
func testIdemStates(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	req, other := idemReq("k1", "a"), idemReq("k1", "b")
	if st := mustBegin(t, s, m.ID, req, longLock, store.IdemStarted); st.Response.Status != 0 || st.Response.Body != nil {
		t.Errorf("started with a response %+v", st.Response)
	}
	mustBegin(t, s, m.ID, req, longLock, store.IdemInProgress)
	mustBegin(t, s, m.ID, other, longLock, store.IdemMismatch)
	// Another path with the same body is another request: the hash says so.
	mustBegin(t, s, m.ID, store.IdemRequest{Key: "k1", Method: "PUT", Path: "/x", Hash: "hash-c"}, longLock, store.IdemMismatch)

	mustFinishIdem(t, s, m.ID, req, idemOK)
	for range 2 {
		st := mustBegin(t, s, m.ID, req, longLock, store.IdemReplay)
		wantResponse(t, "replay", st, idemOK)
	}
	mustBegin(t, s, m.ID, other, longLock, store.IdemMismatch)
	// A different key is unrelated.
	mustBegin(t, s, m.ID, idemReq("k2", "a"), longLock, store.IdemStarted)
}

// testIdemFinishAbandon: only the running claim with the request's hash can
// be finished or abandoned; abandoning frees the key for any request, and
// leaves a finished key alone.
func testIdemFinishAbandon(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	req := idemReq("k", "a")
	wantErrIs(t, "FinishIdempotent of an unknown key", s.FinishIdempotent(ctx, m.ID, "k", req.Hash, idemOK), store.ErrNotFound)
	if err := s.AbandonIdempotent(ctx, m.ID, "k", req.Hash); err != nil {
		t.Fatalf("AbandonIdempotent of an unknown key: %v", err)
	}

	mustBegin(t, s, m.ID, req, longLock, store.IdemStarted)
	wantErrIs(t, "FinishIdempotent with another hash", s.FinishIdempotent(ctx, m.ID, "k", "hash-b", idemOK), store.ErrNotFound)
	if err := s.AbandonIdempotent(ctx, m.ID, "k", "hash-b"); err != nil {
		t.Fatalf("AbandonIdempotent with another hash: %v", err)
	}
	mustBegin(t, s, m.ID, req, longLock, store.IdemInProgress) // still claimed
	if err := s.AbandonIdempotent(ctx, m.ID, "k", req.Hash); err != nil {
		t.Fatalf("AbandonIdempotent: %v", err)
	}
	wantErrIs(t, "FinishIdempotent after abandoning", s.FinishIdempotent(ctx, m.ID, "k", req.Hash, idemOK), store.ErrNotFound)
	// Free again, even for another body: the first request left nothing.
	other := idemReq("k", "b")
	mustBegin(t, s, m.ID, other, longLock, store.IdemStarted)
	mustFinishIdem(t, s, m.ID, other, idemOK)
	wantErrIs(t, "FinishIdempotent twice", s.FinishIdempotent(ctx, m.ID, "k", other.Hash, idemOK), store.ErrNotFound)
	if err := s.AbandonIdempotent(ctx, m.ID, "k", other.Hash); err != nil {
		t.Fatalf("AbandonIdempotent of a finished key: %v", err)
	}
	st := mustBegin(t, s, m.ID, other, longLock, store.IdemReplay)
	wantResponse(t, "replay after abandoning a finished key", st, idemOK)
}

// testIdemMerchantScope: two merchants' equal keys never meet: each claims,
// finishes and replays its own, and neither can finish or abandon the
// other's.
func testIdemMerchantScope(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := MustCreateMerchant(t, s), MustCreateMerchant(t, s)
	reqA, reqB := idemReq("shared", "a"), idemReq("shared", "b")
	mustBegin(t, s, a.ID, reqA, longLock, store.IdemStarted)
	mustBegin(t, s, b.ID, reqA, longLock, store.IdemStarted) // same key and body: still B's own
	if err := s.AbandonIdempotent(ctx, b.ID, "shared", reqA.Hash); err != nil {
		t.Fatal(err)
	}
	mustBegin(t, s, a.ID, reqA, longLock, store.IdemInProgress) // A's claim survived B's abandon
	mustBegin(t, s, b.ID, reqB, longLock, store.IdemStarted)

	respA := store.IdemResponse{Status: 200, ContentType: "application/json", Body: []byte(`"a"`)}
	respB := store.IdemResponse{Status: 201, ContentType: "application/json", Body: []byte(`"b"`)}
	wantErrIs(t, "FinishIdempotent of A's claim as B", s.FinishIdempotent(ctx, b.ID, "shared", reqA.Hash, respB), store.ErrNotFound)
	mustFinishIdem(t, s, a.ID, reqA, respA)
	mustFinishIdem(t, s, b.ID, reqB, respB)
	wantResponse(t, "A's replay", mustBegin(t, s, a.ID, reqA, longLock, store.IdemReplay), respA)
	wantResponse(t, "B's replay", mustBegin(t, s, b.ID, reqB, longLock, store.IdemReplay), respB)
	mustBegin(t, s, a.ID, reqB, longLock, store.IdemMismatch)
}

// testIdemUnknownMerchant: a key needs its merchant.
func testIdemUnknownMerchant(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	_, err := s.BeginIdempotent(t.Context(), m.ID+1000, idemReq("k", "a"), idemTTL, idemLock)
	wantErrIs(t, "BeginIdempotent for an unknown merchant", err, store.ErrNotFound)
}

// testIdemResponseBytes: the answer comes back exactly, every byte value,
// an empty body, any status and content type.
func testIdemResponseBytes(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	all := make([]byte, 512)
	for i := range all {
		all[i] = byte(i)
	}
	for i, resp := range []store.IdemResponse{
		{Status: 201, ContentType: "application/octet-stream", Body: all},
		{Status: 204, ContentType: "", Body: nil},
		{Status: 200, ContentType: "application/xml; charset=utf-8", Body: []byte("<a>é\x00</a>")},
	} {
		req := idemReq(fmt.Sprintf("bytes-%d", i), "x")
		mustBegin(t, s, m.ID, req, longLock, store.IdemStarted)
		mustFinishIdem(t, s, m.ID, req, resp)
		st := mustBegin(t, s, m.ID, req, longLock, store.IdemReplay)
		wantResponse(t, req.Key, st, resp)
		if len(st.Response.Body) != len(resp.Body) {
			t.Errorf("%s: %d bytes back, want %d", req.Key, len(st.Response.Body), len(resp.Body))
		}
	}
}

// testIdemConcurrent: of many simultaneous first requests under one key,
// exactly one starts; the rest find it in progress, or, with another body,
// a mismatch.
func testIdemConcurrent(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	const n = 16
	got := make([]store.IdemKind, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			body := "same"
			if i%4 == 3 {
				body = fmt.Sprintf("other-%d", i)
			}
			st, err := s.BeginIdempotent(t.Context(), m.ID, idemReq("race", body), idemTTL, longLock)
			got[i], errs[i] = st.Kind, err
		})
	}
	close(start)
	wg.Wait()
	started := 0
	for i, k := range got {
		if errs[i] != nil {
			t.Fatalf("request %d: %v", i, errs[i])
		}
		switch {
		case k == store.IdemStarted:
			started++
		case k == store.IdemInProgress && i%4 == 3:
			t.Errorf("request %d with another body: in progress, want a mismatch (or the start)", i)
		case k != store.IdemInProgress && k != store.IdemMismatch:
			t.Errorf("request %d: %s", i, kindName(k))
		}
	}
	if started != 1 {
		t.Errorf("%d requests started, want exactly 1 (%v)", started, got)
	}
}

// testClockedIdemExpiry: a finished key replays until its 24 hours are up,
// to the microsecond, and is a new key from then on, for any request; a
// running one expires the same way.
func testClockedIdemExpiry(t *testing.T, c *Clock, s store.Store, _ func() store.Store) {
	m := MustCreateMerchant(t, s)
	req := idemReq("day", "a")
	mustBegin(t, s, m.ID, req, idemLock, store.IdemStarted)
	c.Advance(time.Second) // the answer comes later; the day counts from the claim
	mustFinishIdem(t, s, m.ID, req, idemOK)
	c.Advance(idemTTL - time.Second - time.Microsecond)
	wantResponse(t, "the last microsecond", mustBegin(t, s, m.ID, req, idemLock, store.IdemReplay), idemOK)
	mustBegin(t, s, m.ID, idemReq("day", "b"), idemLock, store.IdemMismatch)
	c.Advance(time.Microsecond)
	// Expired: another body may have the key, and it starts a fresh day.
	mustBegin(t, s, m.ID, idemReq("day", "b"), idemLock, store.IdemStarted)
	mustFinishIdem(t, s, m.ID, idemReq("day", "b"), idemOK)
	mustBegin(t, s, m.ID, req, idemLock, store.IdemMismatch)
	c.Advance(idemTTL + time.Hour)
	mustBegin(t, s, m.ID, req, idemLock, store.IdemStarted)

	// A claim whose process died and whose key nobody used for a day.
	dead := idemReq("dead", "a")
	mustBegin(t, s, m.ID, dead, idemLock, store.IdemStarted)
	c.Advance(25 * time.Hour)
	mustBegin(t, s, m.ID, idemReq("dead", "b"), idemLock, store.IdemStarted)
}

// testClockedIdemTakeover: a running claim is in progress while its lock
// lasts, to its last microsecond; then the same request takes it over
// (its server died mid-request) with a new lock, and only the same
// request: another body is still a mismatch.
func testClockedIdemTakeover(t *testing.T, c *Clock, s store.Store, _ func() store.Store) {
	m := MustCreateMerchant(t, s)
	req := idemReq("k", "a")
	mustBegin(t, s, m.ID, req, idemLock, store.IdemStarted)
	c.Advance(idemLock - time.Microsecond)
	mustBegin(t, s, m.ID, req, idemLock, store.IdemInProgress)
	c.Advance(time.Microsecond)
	mustBegin(t, s, m.ID, idemReq("k", "b"), idemLock, store.IdemMismatch)
	mustBegin(t, s, m.ID, req, idemLock, store.IdemStarted) // taken over
	mustBegin(t, s, m.ID, req, idemLock, store.IdemInProgress)
	c.Advance(idemLock - time.Microsecond)
	mustBegin(t, s, m.ID, req, idemLock, store.IdemInProgress) // the new lock counts from the takeover
	mustFinishIdem(t, s, m.ID, req, idemOK)
	c.Advance(time.Hour) // a finished key has no lock to run out
	wantResponse(t, "after the takeover", mustBegin(t, s, m.ID, req, idemLock, store.IdemReplay), idemOK)
}

// testClockedIdemRestart: a claim left running by a process that died is
// still there after a restart, in progress until its lock runs out, then
// taken over; a finished key still replays.
func testClockedIdemRestart(t *testing.T, c *Clock, s store.Store, reopen func() store.Store) {
	m := MustCreateMerchant(t, s)
	running, done := idemReq("running", "a"), idemReq("done", "a")
	mustBegin(t, s, m.ID, running, idemLock, store.IdemStarted)
	mustBegin(t, s, m.ID, done, idemLock, store.IdemStarted)
	mustFinishIdem(t, s, m.ID, done, idemOK)
	s = reopen()
	c.Advance(time.Second)
	mustBegin(t, s, m.ID, running, idemLock, store.IdemInProgress)
	wantResponse(t, "after the restart", mustBegin(t, s, m.ID, done, idemLock, store.IdemReplay), idemOK)
	c.Advance(idemLock)
	mustBegin(t, s, m.ID, running, idemLock, store.IdemStarted)
	mustFinishIdem(t, s, m.ID, running, idemOK)
}

// testClockedIdemPurge: the purge deletes the keys of every merchant that
// expired before the given time, running or finished, and no other.
func testClockedIdemPurge(t *testing.T, c *Clock, s store.Store, _ func() store.Store) {
	ctx := t.Context()
	a, b := MustCreateMerchant(t, s), MustCreateMerchant(t, s)
	t0 := micro(c.Now())
	mustBegin(t, s, a.ID, idemReq("old-done", "a"), idemLock, store.IdemStarted)
	mustFinishIdem(t, s, a.ID, idemReq("old-done", "a"), idemOK)
	mustBegin(t, s, b.ID, idemReq("old-running", "a"), idemLock, store.IdemStarted)
	c.Advance(time.Hour)
	mustBegin(t, s, a.ID, idemReq("new", "a"), idemLock, store.IdemStarted)
	mustFinishIdem(t, s, a.ID, idemReq("new", "a"), idemOK)

	purge := func(before time.Time, want int) {
		t.Helper()
		n, err := s.PurgeIdempotencyKeys(ctx, before)
		if err != nil || n != want {
			t.Fatalf("PurgeIdempotencyKeys(%v) = %d, %v; want %d", before, n, err, want)
		}
	}
	purge(t0.Add(idemTTL), 0)      // expiring at that instant is not expired before it
	c.Advance(idemTTL - time.Hour) // the old ones expire now, the new one in an hour
	purge(t0.Add(idemTTL).Add(time.Microsecond), 2)
	purge(t0.Add(idemTTL).Add(time.Microsecond), 0)
	wantResponse(t, "the key the purge kept", mustBegin(t, s, a.ID, idemReq("new", "a"), idemLock, store.IdemReplay), idemOK)
	c.Advance(time.Hour)
	purge(c.Now().Add(time.Microsecond), 1)
	mustBegin(t, s, a.ID, idemReq("old-done", "b"), idemLock, store.IdemStarted)
	mustBegin(t, s, b.ID, idemReq("old-running", "b"), idemLock, store.IdemStarted)
}
