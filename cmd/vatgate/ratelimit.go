package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vatgate/vatgate/internal/api"
	"github.com/vatgate/vatgate/internal/ratelimit"
)

// redisPrefix is where the limiter's counters live in Redis.
const redisPrefix = "vatgate:ratelimit:"

// Timeouts for a Redis URL that sets none. The limiter fails open, so a
// Redis that is down or slow costs each limited request at most about
// this much, rather than go-redis's defaults (seconds, with retries).
const (
	redisDialTimeout = time.Second
	redisIOTimeout   = 500 * time.Millisecond
)

// rateLimitFlags are serve's request limit flags.
type rateLimitFlags struct {
	redisURL                          *string
	invoice, ompStandard, ompAdvanced *int
}

func addRateLimitFlags(fs *flag.FlagSet, env environment) *rateLimitFlags {
	d := api.DefaultLimits
	return &rateLimitFlags{
		redisURL:    fs.String("redis", env.envOr("VATGATE_REDIS", ""), "count the request limits in this Redis (redis://[:password@]host:6379/0), so every instance using it enforces one limit; empty counts in memory, per instance (env VATGATE_REDIS)"),
		invoice:     fs.Int("rate-limit-invoice", d.Invoice, "requests per minute per token on the customer, invoice and credit note APIs together; 0 disables"),
		ompStandard: fs.Int("rate-limit-omp-standard", d.OMPStandard, "OMP requests per minute per token, standard plan; 0 disables"),
		ompAdvanced: fs.Int("rate-limit-omp-advanced", d.OMPAdvanced, "OMP requests per minute per token, advanced plan; 0 disables"),
	}
}

// build returns the limits and the limiter counting them: none when every
// limit is 0, Redis when --redis is given (a Redis that does not answer
// stops the start: a mistyped URL must not quietly leave every limit
// unenforced), else memory. release closes the Redis client.
func (f *rateLimitFlags) build(ctx context.Context, logger *slog.Logger) (_ ratelimit.Limiter, _ api.Limits, release func(), _ error) {
	limits := api.Limits{Invoice: *f.invoice, OMPStandard: *f.ompStandard, OMPAdvanced: *f.ompAdvanced}
	release = func() {}
	for _, l := range []struct {
		name string
		v    int
	}{{"rate-limit-invoice", limits.Invoice}, {"rate-limit-omp-standard", limits.OMPStandard}, {"rate-limit-omp-advanced", limits.OMPAdvanced}} {
		if l.v < 0 {
			return nil, limits, release, usageError{fmt.Sprintf("--%s %d: want 0 (no limit) or more", l.name, l.v)}
		}
	}
	attrs := []any{"invoice", limits.Invoice, "omp_standard", limits.OMPStandard, "omp_advanced", limits.OMPAdvanced}
	if limits == (api.Limits{}) {
		logger.Warn("request limits disabled (every --rate-limit-* is 0)")
		return nil, limits, release, nil
	}
	if *f.redisURL == "" {
		logger.Info("request limits per token and minute, counted in memory", attrs...)
		return ratelimit.NewMemory(time.Now), limits, release, nil
	}
	shown := redactURL(*f.redisURL)
	opts, err := redis.ParseURL(*f.redisURL)
	if err != nil {
		var uerr *url.Error // it quotes the URL, password and all
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, limits, release, fmt.Errorf("--redis %s: %w", shown, err)
	}
	if opts.DialTimeout == 0 {
		opts.DialTimeout = redisDialTimeout
	}
	if opts.ReadTimeout == 0 {
		opts.ReadTimeout = redisIOTimeout
	}
	if opts.WriteTimeout == 0 {
		opts.WriteTimeout = redisIOTimeout
	}
	opts.DialerRetries = 1
	client := redis.NewClient(opts)
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := client.Ping(pingCtx).Err(); err != nil {
		client.Close()
		return nil, limits, release, fmt.Errorf("--redis %s: %w", shown, err)
	}
	logger.Info("request limits per token and minute, counted in redis", append(attrs, "redis", shown)...)
	return ratelimit.NewRedis(client, redisPrefix), limits, func() { client.Close() }, nil
}
