package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// allowScript counts one request in one Redis round trip, atomically: Redis
// runs a script to its end before any other command, so concurrent
// instances never both see the same count and never over-admit.
//
// The window comes from Redis's own clock (TIME), not from the instances':
// instances whose clocks disagree by a second would otherwise count the
// same second in different windows around every boundary. The window's
// counter is KEYS[1] suffixed with the window's index, so a late request of
// one window can never add to the next; it expires when its window ends.
// The derived key shares KEYS[1]'s hash slot only under a hash tag, which
// matters to Redis Cluster alone (this limiter talks to one Redis).
//
// ARGV[1] is the window in milliseconds. The answer is {count, ms to reset}.
var allowScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local w = tonumber(ARGV[1])
local idx = math.floor(now / w)
local key = KEYS[1] .. ':' .. string.format('%d', idx)
local n = redis.call('INCR', key)
if n == 1 then
  redis.call('PEXPIRE', key, (idx + 1) * w - now)
end
local ttl = redis.call('PTTL', key)
if ttl < 0 then
  -- never without an expiry, whatever touched the key
  ttl = (idx + 1) * w - now
  redis.call('PEXPIRE', key, ttl)
end
return {n, ttl}
`)

// Redis counts in a Redis server shared by every instance. Its errors are
// returned as they are: whether to fail open or closed is the caller's
// choice (the API fails open).
type Redis struct {
	client *redis.Client
	prefix string
}

// NewRedis returns a limiter storing its counters under prefix (for
// example "vatgate:ratelimit:") in client's database. The client is the
// caller's to close.
func NewRedis(client *redis.Client, prefix string) *Redis {
	return &Redis{client: client, prefix: prefix}
}

// Allow implements Limiter.
func (l *Redis) Allow(ctx context.Context, key string, limit int, window time.Duration) (Decision, error) {
	if err := checkArgs(limit, window); err != nil {
		return Decision{}, err
	}
	res, err := allowScript.Run(ctx, l.client, []string{l.prefix + key}, window.Milliseconds()).Int64Slice()
	if err != nil {
		return Decision{}, fmt.Errorf("ratelimit: redis: %w", err)
	}
	if len(res) != 2 {
		return Decision{}, fmt.Errorf("ratelimit: redis: script answered %v", res)
	}
	return decide(res[0], limit, time.Duration(res[1])*time.Millisecond), nil
}
