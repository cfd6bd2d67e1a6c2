package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"cloud.google.com/go/civil"

	"github.com/vatgate/vatgate/internal/api"
	"github.com/vatgate/vatgate/internal/fx"
	"github.com/vatgate/vatgate/internal/metrics"
	"github.com/vatgate/vatgate/internal/omp"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/webhook"
)

// shutdownGrace is how long in-flight requests may take after SIGTERM.
const shutdownGrace = 30 * time.Second

func runServe(ctx context.Context, env environment, args []string) error {
	fs, db := env.newFlagSet("serve")
	addr := fs.String("addr", env.envOr("VATGATE_ADDR", ":8080"), "listen address (env VATGATE_ADDR)")
	demo := fs.Bool("demo", false, "on an empty database, create a demo merchant and print its token")
	maxBody := fs.Int64("max-body", api.DefaultMaxBodyBytes, "largest request body in bytes (413 above)")
	metricsAddr := fs.String("metrics-addr", env.envOr("VATGATE_METRICS_ADDR", ""), "answer Prometheus scrapes at /metrics on this address, not on --addr (env VATGATE_METRICS_ADDR)")
	fxFile := fs.String("fx-file", env.envOr("VATGATE_FX_FILE", ""), "a newer ECB reference rates file (CSV, XML or zip) to merge over the embedded snapshot (env VATGATE_FX_FILE)")
	allowDefault, err := envBool(env, allowPrivateEnv)
	if err != nil {
		return err
	}
	allowPrivate := fs.Bool("webhooks-allow-private", allowDefault, "accept and deliver webhooks to http URLs and to loopback, private and other non-public addresses (env "+allowPrivateEnv+")")
	tf := addTransmitFlags(fs, env)
	rl := addRateLimitFlags(fs, env)
	if pos, err := parseArgs(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return usageError{"serve takes no positional arguments"}
	}
	if err := tf.resolve(env); err != nil {
		return err
	}
	// Every line logged with a request's context carries its request_id.
	logger := slog.New(api.LogHandler(slog.NewJSONHandler(env.stderr, nil)))
	slog.SetDefault(logger) // libraries (migrations) log through the default logger

	// The rates come first: a broken --fx-file stops the start before any
	// database work.
	rates, err := loadFX(*fxFile)
	if err != nil {
		return err
	}
	logFX(logger, rates, *fxFile, time.Now())
	// So does a transport that cannot be configured.
	transport, callbacks, err := tf.build(logger)
	if err != nil {
		return err
	}
	// And a Redis for the request limits that does not answer.
	limiter, limits, releaseLimiter, err := rl.build(ctx, logger)
	if err != nil {
		return err
	}
	defer releaseLimiter()

	st, err := openMigrated(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	if *demo {
		if err := createDemo(ctx, env, st, *addr); err != nil {
			return err
		}
	}

	reg := metrics.New(st)
	stopMetrics, err := serveMetrics(*metricsAddr, reg, logger)
	if err != nil {
		return err
	}
	defer stopMetrics()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	worker := tf.newWorker(st, transport, logger)
	srv := &http.Server{
		Handler: api.NewServer(st, logger, api.Config{MaxBodyBytes: *maxBody, Metrics: reg, ServeMetrics: *metricsAddr == "", OMP: omp.New(rates), Now: time.Now,
			WebhooksAllowPrivate: *allowPrivate, Notify: notify(worker), Callbacks: callbacks, Limiter: limiter, Limits: limits}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("serving", "addr", ln.Addr().String(), "db", redactURL(*db))
	if *allowPrivate {
		logger.Warn("webhooks may be sent over http and to loopback and private addresses (--webhooks-allow-private)")
	}
	// The deliverer stops after the HTTP server (below, and deferred for
	// the early returns), so the requests in flight queue their events
	// first; its own in-flight attempts finish before the store closes.
	stopWebhooks := startWebhooks(st, *allowPrivate, logger)
	defer stopWebhooks()
	// The transmission worker stops after the HTTP server too, and before
	// the deliverer, so the events of its last outcomes are queued first.
	stopTransmit := startTransmit(worker)
	defer stopTransmit()

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	// Stop accepting, let in-flight requests finish, then close the database
	// (deferred above) so every acknowledged write is on disk.
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	stopTransmit()
	stopWebhooks()
	logger.Info("stopped")
	return nil
}

// startWebhooks runs the webhook deliverer in its own goroutine; the
// returned stop cancels it and waits until its attempts under way are
// recorded. stop may be called more than once.
func startWebhooks(st store.Store, allowPrivate bool, logger *slog.Logger) (stop func()) {
	d := &webhook.Deliverer{Store: st, AllowPrivate: allowPrivate, Logger: logger}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = d.Run(ctx) // Run logs its own errors and returns nil
	}()
	return sync.OnceFunc(func() {
		cancel()
		<-done
	})
}

// createDemo makes a demo merchant on an empty database and prints its token,
// so a newcomer can run the documents' examples at once.
func createDemo(ctx context.Context, env environment, st store.Store, addr string) error {
	ms, err := st.ListMerchants(ctx)
	if err != nil {
		return err
	}
	if len(ms) > 0 {
		fmt.Fprintf(env.stdout, "demo: the database already has merchants; make a token with: vatgate token create %d\n", ms[0].ID)
		return nil
	}
	m, err := st.CreateMerchant(ctx, "Demo Merchant", store.PlanStandard)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "demo merchant %d %q created; try:\n", m.ID, m.Name)
	host := addr
	if h, port, err := net.SplitHostPort(addr); err == nil && (h == "" || h == "0.0.0.0" || h == "::") {
		host = "localhost:" + port
	}
	fmt.Fprintf(env.stdout, "  curl -X POST http://%s/api/1/app/l_invoice/customers/$TOKEN -H 'Content-Type: application/json' -d '[{\"name\":\"Acme Corporation\"}]'\n", host)
	return issueToken(ctx, env, st, m.ID)
}

// loadFX is the table of ECB reference rates the OMP engine converts with:
// the snapshot embedded in the binary, extended by a newer ECB file when one
// is given (its days win where both have one).
func loadFX(path string) (*fx.Table, error) {
	if path == "" {
		return fx.Snapshot(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--fx-file: %w", err)
	}
	defer f.Close()
	newer, err := fx.Parse(f)
	if err != nil {
		return nil, fmt.Errorf("--fx-file %s: %w", path, err)
	}
	return fx.Snapshot().Merge(newer), nil
}

// logFX logs the span of exchange rates in force, and warns when it ends
// so long before today that answers needing a conversion will be refused
// (RULES §17.3): the operator's cue to load a newer ECB file.
func logFX(logger *slog.Logger, rates *fx.Table, path string, now time.Time) {
	first, last := rates.Span()
	attrs := []any{"first", first.String(), "last", last.String()}
	if path != "" {
		attrs = append(attrs, "file", path)
	}
	logger.Info("exchange rates", attrs...)
	if today := civil.DateOf(now.UTC()); today.After(last.AddDays(fx.MaxStaleness)) {
		logger.Warn("exchange rates end more than a week ago: OMP requests that need a conversion after "+
			last.AddDays(fx.MaxStaleness).String()+" are refused with 422; load a newer ECB file with --fx-file",
			"last", last.String(), "today", today.String())
	}
}
