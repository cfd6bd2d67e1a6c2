package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/ratelimit/ratelimittest"
	"github.com/vatgate/vatgate/internal/token"
)

// startServe runs serve in-process with args and env until the test ends,
// and returns its address and log.
func startServe(t *testing.T, env map[string]string, args ...string) (string, *lockedBuffer) {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	logs := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"vatgate", "serve", "--addr", addr, "--no-worker"}, args...), func(k string) string { return env[k] },
			strings.NewReader(""), io.Discard, logs)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v\n%s", err, logs)
			}
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop")
		}
	})
	waitHealthy(t, addr)
	return addr, logs
}

// getCustomers lists customers with tok and returns the status and the
// rate limit fields.
func getCustomers(t *testing.T, addr, tok string) (int, http.Header) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/api/1/app/l_invoice/customers/" + tok)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header
}

func newMerchant(t *testing.T, db string) string {
	t.Helper()
	out, _, err := vatgate(t, "merchant", "create", "--name", "Limits", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	return lastLine(out)
}

// serve enforces the documented limits by default, counted in memory;
// --rate-limit-* change them and 0 lifts one.
func TestServeRateLimits(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "rl.db")
	tok := newMerchant(t, db)

	addr, logs := startServe(t, nil, "--db", db)
	status, h := getCustomers(t, addr, tok)
	if status != 200 || h.Get("RateLimit-Policy") != `"invoice";q=100;w=60` || !strings.HasPrefix(h.Get("RateLimit"), `"invoice";r=99;t=`) {
		t.Fatalf("defaults: status %d, fields %q %q", status, h.Get("RateLimit-Policy"), h.Get("RateLimit"))
	}
	if !strings.Contains(logs.String(), `"msg":"request limits per token and minute, counted in memory","invoice":100,"omp_standard":100,"omp_advanced":1000`) {
		t.Errorf("the limits are not logged:\n%s", logs)
	}

	addr, _ = startServe(t, nil, "--db", db, "--rate-limit-invoice", "2")
	for i, want := range []int{200, 200, 429} {
		status, h := getCustomers(t, addr, tok)
		if status != want {
			t.Fatalf("request %d: status %d, want %d", i+1, status, want)
		}
		if want == 429 && h.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}

	addr, logs = startServe(t, nil, "--db", db, "--rate-limit-invoice", "0", "--rate-limit-omp-standard", "0", "--rate-limit-omp-advanced", "0")
	for range 3 {
		if status, h := getCustomers(t, addr, tok); status != 200 || h.Get("RateLimit-Policy") != "" {
			t.Fatalf("limits off: status %d, RateLimit-Policy %q", status, h.Get("RateLimit-Policy"))
		}
	}
	if !strings.Contains(logs.String(), "request limits disabled") {
		t.Errorf("no warning that the limits are off:\n%s", logs)
	}

	_, _, err := vatgate(t, "serve", "--db", db, "--addr", "127.0.0.1:0", "--rate-limit-omp-advanced", "-1")
	var u usageError
	if !errors.As(err, &u) || !strings.Contains(err.Error(), "--rate-limit-omp-advanced -1") {
		t.Errorf("a negative limit: %v, want a usage error naming it", err)
	}
}

// With --redis (or VATGATE_REDIS) two serve instances count one limit.
func TestServeRateLimitsRedis(t *testing.T) {
	url := ratelimittest.URL(t)
	c := ratelimittest.Client(t)
	db := "sqlite:" + filepath.Join(t.TempDir(), "rl.db")
	tok := newMerchant(t, db)
	t.Cleanup(func() {
		keys, _ := ratelimittest.Keys(context.Background(), c, redisPrefix+"invoice:"+token.Hash(tok))
		if len(keys) > 0 {
			c.Del(context.Background(), keys...)
		}
	})

	a, logs := startServe(t, nil, "--db", db, "--redis", url, "--rate-limit-invoice", "3")
	b, _ := startServe(t, map[string]string{"VATGATE_REDIS": url}, "--db", db, "--rate-limit-invoice", "3")
	if !strings.Contains(logs.String(), "counted in redis") {
		t.Errorf("the Redis limiter is not logged:\n%s", logs)
	}
	ratelimittest.FreshWindow(t, c, time.Minute, 10*time.Second)
	for i, step := range []struct {
		addr string
		want int
	}{{a, 200}, {b, 200}, {a, 200}, {b, 429}, {a, 429}} {
		if status, _ := getCustomers(t, step.addr, tok); status != step.want {
			t.Fatalf("request %d: status %d, want %d", i+1, status, step.want)
		}
	}
	keys, err := ratelimittest.Keys(context.Background(), c, redisPrefix+"invoice:"+token.Hash(tok))
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys %v, %v; want the token's one counter", keys, err)
	}
}

// A Redis that does not answer stops the start, and its password is not
// shown.
func TestServeRedisDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	db := "sqlite:" + filepath.Join(t.TempDir(), "rl.db")
	for _, url := range []string{
		"redis://:s3cret@127.0.0.1:" + strconv.Itoa(port) + "/0",
		"redis://:s3cret@127.0.0.1:" + strconv.Itoa(port) + "/0?dial_timeout=nonsense",
		"http://:s3cret@127.0.0.1/0",
	} {
		_, _, err := vatgate(t, "serve", "--db", db, "--addr", "127.0.0.1:0", "--redis", url)
		if err == nil || !strings.HasPrefix(err.Error(), "--redis redis://:***@") && !strings.HasPrefix(err.Error(), "--redis http://:***@") {
			t.Errorf("%s: %v, want an error naming --redis", redactURL(url), err)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("the error shows the password: %v", err)
		}
	}
}
