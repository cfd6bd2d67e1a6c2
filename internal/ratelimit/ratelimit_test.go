package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vatgate/vatgate/internal/ratelimit/ratelimittest"
)

// env is a limiter under test and its way of letting time pass. The same
// suite runs on both implementations: their semantics are one.
type env struct {
	l Limiter
	// sleep lets d pass: the fake clock moves, or the test sleeps.
	sleep func(d time.Duration)
	// now is the clock the windows are aligned on.
	now func() time.Time
	// short is a window a test may wait out.
	short time.Duration
}

// fresh waits for the next window when less than need is left of the
// current one, so that a test counting to a limit stays in one window.
func (e env) fresh(window, need time.Duration) {
	ms, w := e.now().UnixMilli(), window.Milliseconds()
	if left := time.Duration((ms/w+1)*w-ms) * time.Millisecond; left < need {
		e.sleep(left + time.Millisecond)
	}
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// start is minute- and hour-aligned, like every window of the API.
var start = time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)

func memoryEnv(t *testing.T) env {
	clock := &fakeClock{t: start}
	return env{l: NewMemory(clock.Now), sleep: clock.Add, now: clock.Now, short: time.Minute}
}

func redisEnv(t *testing.T) env {
	c := ratelimittest.Client(t)
	return env{
		l:     NewRedis(c, ratelimittest.Prefix(t, c)),
		sleep: time.Sleep,
		now: func() time.Time {
			now, err := c.Time(context.Background()).Result()
			if err != nil {
				t.Fatal(err)
			}
			return now
		},
		short: 400 * time.Millisecond,
	}
}

func TestMemory(t *testing.T) { runSuite(t, memoryEnv) }
func TestRedis(t *testing.T)  { runSuite(t, redisEnv) }

func runSuite(t *testing.T, newEnv func(*testing.T) env) {
	ctx := context.Background()
	allow := func(t *testing.T, l Limiter, key string, limit int, window time.Duration) Decision {
		t.Helper()
		d, err := l.Allow(ctx, key, limit, window)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}

	// The 100th request of a window passes, the 101st and later are
	// refused; Remaining counts down to 0 and Reset is the rest of the
	// window.
	t.Run("boundary", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.fresh(time.Minute, 10*time.Second)
		for i := 1; i <= 100; i++ {
			d := allow(t, e.l, "tok", 100, time.Minute)
			if !d.Allowed || d.Limit != 100 || d.Remaining != 100-i {
				t.Fatalf("request %d: %+v, want allowed with %d remaining", i, d, 100-i)
			}
			if d.Reset <= 0 || d.Reset > time.Minute {
				t.Fatalf("request %d: reset %v, want within the minute", i, d.Reset)
			}
		}
		for i := 101; i <= 103; i++ {
			d := allow(t, e.l, "tok", 100, time.Minute)
			if d.Allowed || d.Remaining != 0 || d.Limit != 100 || d.Reset <= 0 || d.Reset > time.Minute {
				t.Fatalf("request %d: %+v, want refused, 0 remaining, a reset within the minute", i, d)
			}
		}
		// Another key, or the same key with another window, counts apart.
		if d := allow(t, e.l, "other", 100, time.Minute); !d.Allowed || d.Remaining != 99 {
			t.Errorf("another key: %+v", d)
		}
		if d := allow(t, e.l, "tok:hourly", 100, time.Hour); !d.Allowed || d.Remaining != 99 {
			t.Errorf("another window: %+v", d)
		}
	})

	// When the window ends, the count starts again.
	t.Run("reset", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		w := e.short
		e.fresh(w, w/2)
		var last Decision
		for i := 0; i < 6; i++ {
			last = allow(t, e.l, "tok", 5, w)
		}
		if last.Allowed {
			t.Fatalf("6th of 5: %+v", last)
		}
		e.sleep(last.Reset + 5*time.Millisecond)
		if d := allow(t, e.l, "tok", 5, w); !d.Allowed || d.Remaining != 4 {
			t.Fatalf("after the reset: %+v, want allowed with 4 remaining", d)
		}
	})

	// 50 clients sending 4 requests each at once against a limit of 100:
	// exactly 100 pass, each seeing a different remaining count.
	t.Run("concurrent", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.fresh(time.Minute, 10*time.Second)
		remaining := concurrently(t, 50, 4, func() (Decision, error) {
			return e.l.Allow(ctx, "tok", 100, time.Minute)
		})
		checkExactly(t, remaining, 100)
	})

	t.Run("invalid", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		for _, c := range []struct {
			limit  int
			window time.Duration
		}{{0, time.Minute}, {-1, time.Minute}, {1, 0}, {1, time.Microsecond}, {1, 1500 * time.Microsecond}} {
			if d, err := e.l.Allow(ctx, "tok", c.limit, c.window); err == nil || d.Allowed {
				t.Errorf("limit %d window %v: %+v, %v; want an error", c.limit, c.window, d, err)
			}
		}
	})
}

// concurrently runs clients goroutines sending n requests each, all
// released at once, and returns the Remaining of every allowed request.
func concurrently(t *testing.T, clients, n int, allow func() (Decision, error)) []int {
	t.Helper()
	var (
		mu        sync.Mutex
		remaining []int
		refused   atomic.Int64
		wg        sync.WaitGroup
		errs      = make(chan error, clients*n)
	)
	gate := make(chan struct{})
	for range clients {
		wg.Go(func() {
			<-gate
			for range n {
				d, err := allow()
				if err != nil {
					errs <- err
					return
				}
				if !d.Allowed {
					refused.Add(1)
					continue
				}
				mu.Lock()
				remaining = append(remaining, d.Remaining)
				mu.Unlock()
			}
		})
	}
	close(gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := int64(len(remaining)) + refused.Load(); got != int64(clients*n) {
		t.Fatalf("%d answers, want %d", got, clients*n)
	}
	return remaining
}

// checkExactly wants limit allowed requests that saw the remaining counts
// limit-1 down to 0, each once: no count was handed out twice.
func checkExactly(t *testing.T, remaining []int, limit int) {
	t.Helper()
	if len(remaining) != limit {
		t.Fatalf("%d allowed, want exactly %d", len(remaining), limit)
	}
	slices.Sort(remaining)
	for i, r := range remaining {
		if r != i {
			t.Fatalf("remaining counts %v, want 0..%d once each", remaining, limit-1)
		}
	}
}

// The last millisecond of a window still belongs to it; the next one
// starts a new count. The fake clock makes the instant exact.
func TestMemoryWindowEdge(t *testing.T) {
	clock := &fakeClock{t: start.Add(30 * time.Second)}
	l := NewMemory(clock.Now)
	ctx := context.Background()
	for range 3 {
		_, _ = l.Allow(ctx, "tok", 3, time.Minute)
	}
	d, _ := l.Allow(ctx, "tok", 3, time.Minute)
	if d.Allowed || d.Reset != 30*time.Second {
		t.Fatalf("4th of 3: %+v, want refused with 30s to reset", d)
	}
	clock.Add(30*time.Second - time.Millisecond)
	if d, _ := l.Allow(ctx, "tok", 3, time.Minute); d.Allowed || d.Reset != time.Millisecond {
		t.Fatalf("last millisecond: %+v, want refused with 1ms to reset", d)
	}
	clock.Add(time.Millisecond)
	if d, _ := l.Allow(ctx, "tok", 3, time.Minute); !d.Allowed || d.Remaining != 2 || d.Reset != time.Minute {
		t.Fatalf("next window: %+v, want allowed, 2 remaining, a minute to reset", d)
	}
}

// Counters of ended windows are dropped, so memory stays bounded by the
// keys of the current windows however many keys have come and gone.
func TestMemorySweep(t *testing.T) {
	clock := &fakeClock{t: start}
	l := NewMemory(clock.Now)
	ctx := context.Background()
	for i := range 1000 {
		_, _ = l.Allow(ctx, fmt.Sprintf("minute-%d", i), 100, time.Minute)
	}
	for i := range 10 {
		_, _ = l.Allow(ctx, fmt.Sprintf("hour-%d", i), 100, time.Hour)
	}
	if n := l.size(); n != 1010 {
		t.Fatalf("%d counters, want 1010", n)
	}
	// Within the sweep interval nothing is swept, even when windows end.
	clock.Add(59 * time.Second)
	_, _ = l.Allow(ctx, "late", 100, time.Minute)
	if n := l.size(); n != 1011 {
		t.Fatalf("%d counters before the sweep, want 1011", n)
	}
	// After it, the ended minute windows go, the hour windows stay.
	clock.Add(2 * time.Second)
	_, _ = l.Allow(ctx, "next", 100, time.Minute)
	if n := l.size(); n != 11 {
		t.Fatalf("%d counters after the sweep, want 11 (10 hourly and the new one)", n)
	}
	clock.Add(time.Hour)
	_, _ = l.Allow(ctx, "later", 100, time.Minute)
	if n := l.size(); n != 1 {
		t.Fatalf("%d counters an hour later, want 1", n)
	}
	// A swept key starts again from a fresh count.
	if d, _ := l.Allow(ctx, "minute-0", 100, time.Minute); !d.Allowed || d.Remaining != 99 {
		t.Fatalf("swept key: %+v", d)
	}
}

// Two instances, each with its own connection, share one limit: 60 + 60
// concurrent requests against a limit of 100 admit exactly 100.
func TestRedisTwoInstances(t *testing.T) {
	c1, c2 := ratelimittest.Client(t), ratelimittest.Client(t)
	prefix := ratelimittest.Prefix(t, c1)
	a, b := NewRedis(c1, prefix), NewRedis(c2, prefix)
	ratelimittest.FreshWindow(t, c1, time.Minute, 10*time.Second)
	ctx := context.Background()
	var turn atomic.Int64
	remaining := concurrently(t, 120, 1, func() (Decision, error) {
		if turn.Add(1)%2 == 0 {
			return a.Allow(ctx, "tok", 100, time.Minute)
		}
		return b.Allow(ctx, "tok", 100, time.Minute)
	})
	checkExactly(t, remaining, 100)
}

// The counters live under the prefix, one per key and window, and always
// expire with their window.
func TestRedisKeys(t *testing.T) {
	c := ratelimittest.Client(t)
	prefix := ratelimittest.Prefix(t, c)
	l := NewRedis(c, prefix)
	ctx := context.Background()
	d, err := l.Allow(ctx, "invoice:abc", 10, time.Minute)
	if err != nil || !d.Allowed {
		t.Fatalf("%+v, %v", d, err)
	}
	keys, err := ratelimittest.Keys(ctx, c, prefix)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || !strings.HasPrefix(keys[0], prefix+"invoice:abc:") {
		t.Fatalf("keys %v, want one under %sinvoice:abc:", keys, prefix)
	}
	ttl, err := c.PTTL(ctx, keys[0]).Result()
	if err != nil || ttl <= 0 || ttl > time.Minute {
		t.Fatalf("ttl %v, %v; want within the minute", ttl, err)
	}
	// A counter that lost its expiry (a PERSIST by hand) gets it back.
	if err := c.Persist(ctx, keys[0]).Err(); err != nil {
		t.Fatal(err)
	}
	if d, err := l.Allow(ctx, "invoice:abc", 10, time.Minute); err != nil || d.Reset <= 0 || d.Reset > time.Minute {
		t.Fatalf("after PERSIST: %+v, %v", d, err)
	}
	if ttl, _ := c.PTTL(ctx, keys[0]).Result(); ttl <= 0 {
		t.Fatalf("after PERSIST: ttl %v, want the window's rest", ttl)
	}
}

// With Redis unreachable the limiter says so: an error and no decision.
// (The API then fails open; see internal/api.)
func TestRedisDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1, DialTimeout: time.Second})
	defer c.Close()
	d, err := NewRedis(c, "x:").Allow(context.Background(), "tok", 100, time.Minute)
	if err == nil || d.Allowed {
		t.Fatalf("%+v, %v; want an error", d, err)
	}
	if !strings.HasPrefix(err.Error(), "ratelimit: redis: ") {
		t.Errorf("error %q, want it to name the redis limiter", err)
	}
	var opErr *net.OpError
	if !errors.As(err, &opErr) {
		t.Errorf("error %v does not wrap the connection error", err)
	}
}
