// Package ratelimittest connects tests to the real Redis server the Redis
// limiter is tested against: the one VATGATE_TEST_REDIS names, else a
// local one at redis://127.0.0.1:6379/0 when it answers.
package ratelimittest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisEnv names the variable holding the Redis test URL.
const RedisEnv = "VATGATE_TEST_REDIS"

const localURL = "redis://127.0.0.1:6379/0"

// Client returns a new client of the test Redis, closed at cleanup. With
// VATGATE_TEST_REDIS set, a Redis that does not answer fails the test;
// without it, the test is skipped unless a local Redis answers.
func Client(tb testing.TB) *redis.Client {
	tb.Helper()
	c, _ := connect(tb)
	return c
}

// URL is the test Redis's URL, for code that connects by itself; it
// fails or skips as Client does.
func URL(tb testing.TB) string {
	tb.Helper()
	_, url := connect(tb)
	return url
}

func connect(tb testing.TB) (*redis.Client, string) {
	tb.Helper()
	url, required := os.Getenv(RedisEnv), true
	if url == "" {
		url, required = localURL, false
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		tb.Fatalf("%s: %v", RedisEnv, err)
	}
	c := redis.NewClient(opts)
	tb.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		if required {
			tb.Fatalf("redis at %s (%s): %v", url, RedisEnv, err)
		}
		tb.Skipf("no redis at %s and %s unset: %v", url, RedisEnv, err)
	}
	return c, url
}

// Prefix returns a fresh random key prefix; every key under it is deleted
// at cleanup, so tests run in parallel and leave nothing behind.
func Prefix(tb testing.TB, c *redis.Client) string {
	tb.Helper()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	prefix := "vatgate-test:" + hex.EncodeToString(b) + ":"
	tb.Cleanup(func() {
		ctx := context.Background()
		keys, err := Keys(ctx, c, prefix)
		if err != nil {
			tb.Errorf("list test keys: %v", err)
			return
		}
		if len(keys) > 0 {
			if err := c.Del(ctx, keys...).Err(); err != nil {
				tb.Errorf("delete test keys: %v", err)
			}
		}
	})
	return prefix
}

// Keys lists the keys under prefix.
func Keys(ctx context.Context, c *redis.Client, prefix string) ([]string, error) {
	var keys []string
	iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	return keys, iter.Err()
}

// FreshWindow waits, when less than need is left of the current window of
// length window on Redis's clock, until the next window starts: tests that
// count up to a limit must not straddle a boundary.
func FreshWindow(tb testing.TB, c *redis.Client, window, need time.Duration) {
	tb.Helper()
	now, err := c.Time(context.Background()).Result()
	if err != nil {
		tb.Fatal(err)
	}
	ms, w := now.UnixMilli(), window.Milliseconds()
	left := time.Duration((ms/w+1)*w-ms) * time.Millisecond
	if left < need {
		time.Sleep(left + time.Millisecond)
	}
}
