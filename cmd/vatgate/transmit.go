package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/vatgate/vatgate/internal/api"
	"github.com/vatgate/vatgate/internal/peppol/accesspoint"
	"github.com/vatgate/vatgate/internal/peppol/sandbox"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/transmit"
)

// transmitFlags are serve's settings of the Peppol transport and the
// transmission worker.
type transmitFlags struct {
	transport    *string
	sandboxDelay *time.Duration
	apURL        *string
	apUser       *string
	apPassword   *string
	apToken      *string
	apTimeout    *time.Duration
	apSecret     *string
	workers      *int
	noWorker     *bool
	lease        *time.Duration

	passwordOnCommandLine bool
}

// addTransmitFlags defines the flags on fs. Secrets are best given in the
// environment: command lines are visible to every user of the machine.
func addTransmitFlags(fs *flag.FlagSet, env environment) *transmitFlags {
	return &transmitFlags{
		transport:    fs.String("transport", env.envOr("VATGATE_TRANSPORT", "sandbox"), "Peppol transport: sandbox (simulated, nothing leaves the machine) or http (an access point) (env VATGATE_TRANSPORT)"),
		sandboxDelay: fs.Duration("sandbox-delay", sandbox.DefaultDeliveryDelay, "how long after the send a sandbox receiver answers"),
		apURL:        fs.String("ap-url", env.envOr("VATGATE_AP_URL", ""), "http transport: the access point's https URL documents are POSTed to (env VATGATE_AP_URL)"),
		apUser:       fs.String("ap-user", env.envOr("VATGATE_AP_USER", ""), "http transport: HTTP Basic user name (env VATGATE_AP_USER)"),
		apPassword:   fs.String("ap-password", "", "http transport: HTTP Basic password; prefer the env VATGATE_AP_PASSWORD"),
		apToken:      fs.String("ap-token", "", "http transport: bearer token instead of Basic credentials; prefer the env VATGATE_AP_TOKEN"),
		apTimeout:    fs.Duration("ap-timeout", accesspoint.DefaultTimeout, "http transport: bound on one POST to the access point"),
		apSecret:     fs.String("ap-callback-secret", "", "http transport: the secret the access point signs status callbacks with; prefer the env VATGATE_AP_CALLBACK_SECRET"),
		workers:      fs.Int("workers", transmit.DefaultWorkers, "transmissions in flight at once in this instance"),
		noWorker:     fs.Bool("no-worker", false, "transmit nothing from this instance (an API-only instance; another one sends)"),
		lease:        fs.Duration("transmit-lease", transmit.DefaultLease, "how long a claimed transmission is this instance's alone; after a crash, others resume its work then"),
	}
}

// resolve fills secrets from the environment where the command line left
// them empty and checks the combination. Call it after parsing.
func (f *transmitFlags) resolve(env environment) error {
	for _, s := range []struct {
		v    *string
		name string
	}{{f.apPassword, "VATGATE_AP_PASSWORD"}, {f.apToken, "VATGATE_AP_TOKEN"}, {f.apSecret, "VATGATE_AP_CALLBACK_SECRET"}} {
		if *s.v == "" {
			*s.v = env.getenv(s.name)
		} else if s.name == "VATGATE_AP_PASSWORD" {
			f.passwordOnCommandLine = true
		}
	}
	switch {
	case *f.workers < 1:
		return usageError{"--workers must be at least 1 (use --no-worker for an instance that transmits nothing)"}
	case *f.lease < 2*time.Second:
		return usageError{"--transmit-lease must be at least 2s"}
	case *f.sandboxDelay <= 0:
		return usageError{"--sandbox-delay must be positive"}
	}
	switch *f.transport {
	case "sandbox":
		if *f.apURL != "" || *f.apUser != "" || *f.apPassword != "" || *f.apToken != "" || *f.apSecret != "" {
			return usageError{"--ap-* settings are for --transport http; the sandbox needs none"}
		}
	case "http":
		if *f.lease < 2**f.apTimeout {
			return usageError{fmt.Sprintf("--transmit-lease %v must be at least twice --ap-timeout %v, or a slow send could outlive its lease", *f.lease, *f.apTimeout)}
		}
	default:
		return usageError{fmt.Sprintf("--transport %q: want sandbox or http", *f.transport)}
	}
	return nil
}

// build makes the transport, and the callback verifier the API mounts when
// the transport is http (nil otherwise).
func (f *transmitFlags) build(logger *slog.Logger) (transmit.Transport, api.CallbackVerifier, error) {
	if *f.transport == "sandbox" {
		logger.Info("transport: the Peppol sandbox; nothing leaves this machine", "delivery_delay", f.sandboxDelay.String())
		return sandbox.New(sandbox.Options{DeliveryDelay: *f.sandboxDelay}), nil, nil
	}
	c, err := accesspoint.New(accesspoint.Config{
		URL:      *f.apURL,
		Username: *f.apUser, Password: *f.apPassword, BearerToken: *f.apToken,
		Timeout:        *f.apTimeout,
		CallbackSecret: *f.apSecret,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("--transport http: %w", err)
	}
	if f.passwordOnCommandLine {
		logger.Warn("--ap-password is visible in the process list; set VATGATE_AP_PASSWORD instead")
	}
	logger.Info("transport: http access point", "url", redactURL(*f.apURL), "timeout", f.apTimeout.String())
	return c, c, nil
}

// newWorker is the instance's transmission worker, nil with --no-worker.
func (f *transmitFlags) newWorker(st store.Store, tr transmit.Transport, logger *slog.Logger) *transmit.Worker {
	if *f.noWorker {
		logger.Info("no transmission worker in this instance (--no-worker): documents are sent by other instances")
		return nil
	}
	return &transmit.Worker{Store: st, Transport: tr, Workers: *f.workers, Lease: *f.lease, Logger: logger}
}

// startTransmit runs w (if any) in its own goroutine; the returned stop
// stops it claiming and waits until the sends in flight are recorded. stop
// may be called more than once.
func startTransmit(w *transmit.Worker) (stop func()) {
	if w == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = w.Run(ctx) // Run logs its own errors
	}()
	return sync.OnceFunc(func() {
		cancel()
		<-done
	})
}

// notify is the API's Notify for w: nil without a worker.
func notify(w *transmit.Worker) func() {
	if w == nil {
		return nil
	}
	return w.Kick
}
