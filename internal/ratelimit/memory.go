package ratelimit

import (
	"context"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
)

// shardCount spreads keys over this many independently locked maps, so
// concurrent requests of different tokens rarely wait for each other.
const shardCount = 64

// sweepEvery is how often the counters of ended windows are dropped. Memory
// is then bounded by the keys seen within one window plus this interval.
const sweepEvery = time.Minute

// Memory counts in this process: the default, for a single instance.
type Memory struct {
	now    func() time.Time
	seed   maphash.Seed
	shards [shardCount]shard
	// nextSweep is the Unix millisecond after which the next Allow sweeps.
	nextSweep atomic.Int64
}

type shard struct {
	mu       sync.Mutex
	counters map[string]counter
	_        [48]byte // pad to 64 bytes: neighbouring shards' locks on separate cache lines
}

// counter is one key's count in one window.
type counter struct {
	window int64 // window length in milliseconds
	index  int64 // which window: Unix milliseconds / window
	count  int64
}

// end is the Unix millisecond at which the counter's window ends.
func (c counter) end() int64 { return (c.index + 1) * c.window }

// NewMemory returns an in-memory limiter on the given clock (nil means
// time.Now).
func NewMemory(clock func() time.Time) *Memory {
	if clock == nil {
		clock = time.Now
	}
	m := &Memory{now: clock, seed: maphash.MakeSeed()}
	for i := range m.shards {
		m.shards[i].counters = make(map[string]counter)
	}
	m.nextSweep.Store(clock().UnixMilli() + sweepEvery.Milliseconds())
	return m
}

// Allow implements Limiter.
func (m *Memory) Allow(_ context.Context, key string, limit int, window time.Duration) (Decision, error) {
	if err := checkArgs(limit, window); err != nil {
		return Decision{}, err
	}
	now := m.now()
	ms := now.UnixMilli()
	m.maybeSweep(ms)

	w := window.Milliseconds()
	sh := &m.shards[maphash.String(m.seed, key)%shardCount]
	sh.mu.Lock()
	c := sh.counters[key]
	if idx := ms / w; c.window != w || c.index != idx {
		c = counter{window: w, index: idx}
	}
	c.count++
	sh.counters[key] = c
	sh.mu.Unlock()

	return decide(c.count, limit, time.UnixMilli(c.end()).Sub(now)), nil
}

// maybeSweep lets one caller per sweepEvery drop the ended windows. The
// sweep runs inline, one shard lock at a time: its cost is one pass over
// the live counters per interval, with no goroutine to stop.
func (m *Memory) maybeSweep(ms int64) {
	next := m.nextSweep.Load()
	if ms < next || !m.nextSweep.CompareAndSwap(next, ms+sweepEvery.Milliseconds()) {
		return
	}
	for i := range m.shards {
		sh := &m.shards[i]
		sh.mu.Lock()
		for k, c := range sh.counters {
			if c.end() <= ms {
				delete(sh.counters, k)
			}
		}
		sh.mu.Unlock()
	}
}

// size is the number of counters held (for tests).
func (m *Memory) size() int {
	n := 0
	for i := range m.shards {
		m.shards[i].mu.Lock()
		n += len(m.shards[i].counters)
		m.shards[i].mu.Unlock()
	}
	return n
}
