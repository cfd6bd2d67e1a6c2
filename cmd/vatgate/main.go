// Command vatgate is the vatgate server and its administration commands.
// main only calls run, which takes everything from the outside world as
// arguments so tests can drive it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "vatgate:", err)
		}
		os.Exit(exitCode(err))
	}
}

const usage = `vatgate: a Lovat-compatible invoicing and VAT compliance server

Usage:
  vatgate serve [--addr :8080] [--db sqlite:vatgate.db] [--demo] [--fx-file PATH] [--webhooks-allow-private]
                [--transport sandbox|http] [--sandbox-delay 2s] [--ap-url URL] [--ap-user USER]
                [--ap-timeout 30s] [--workers 4] [--no-worker] [--transmit-lease 2m]
                [--metrics-addr ADDR]
  vatgate migrate [--db URL]
  vatgate merchant create --name NAME [--plan standard|advanced] [--db URL]
  vatgate merchant list [--db URL]
  vatgate token create MERCHANT_ID [--db URL]
  vatgate token list MERCHANT_ID [--db URL]
  vatgate token revoke TOKEN_ID [--db URL]
  vatgate token rotate TOKEN_ID [--overlap 24h] [--db URL]
  vatgate webhook add MERCHANT_ID URL [--allow-private] [--db URL]
  vatgate webhook list MERCHANT_ID [--db URL]
  vatgate webhook remove MERCHANT_ID ENDPOINT_ID [--db URL]
  vatgate webhook log MERCHANT_ID ENDPOINT_ID [--after DELIVERY_ID] [--limit N] [--db URL]
  vatgate rates [--date YYYY-MM-DD] [--country XXX|USA-XX|CAN-XX]

--db is sqlite:PATH (the default, sqlite:vatgate.db) or a postgres:// URL;
VATGATE_DB and VATGATE_ADDR set the defaults of --db and --addr.
--fx-file (env VATGATE_FX_FILE) is a newer ECB reference rates file (CSV, XML
or zip, as https://www.ecb.europa.eu/stats/eurofxref/ publishes them) merged
over the snapshot built in, for the OMP API's currency conversions.
rates prints the tax rates the OMP API answers from, in force on --date
(default today).
serve logs JSON lines on stderr, those written for a request with its
request_id. GET /healthz answers while it runs, GET /readyz when the database
answers and its migrations are current, and GET /metrics (Prometheus, no
token) on --addr, or on --metrics-addr (env VATGATE_METRICS_ADDR) alone.
token rotate makes a new token for the merchant of TOKEN_ID (printed alone on
the last line) and lets the old one work for --overlap more, then stop.
Every status change of a merchant's e-documents is POSTed to its webhook
endpoints, signed as Standard Webhooks says (webhook add prints the whsec_
secret once) and retried for up to 3 days; webhook log shows the attempts.
URLs must be https and resolve only to public addresses unless
--webhooks-allow-private (serve) / --allow-private (webhook add), env
VATGATE_WEBHOOKS_ALLOW_PRIVATE=true, allows http and private addresses.
E-documents are sent over Peppol by --transport (env VATGATE_TRANSPORT): the
sandbox (default), a simulated network, or http, an access point at --ap-url
(env VATGATE_AP_URL) with HTTP Basic credentials (--ap-user, env
VATGATE_AP_USER; the password in VATGATE_AP_PASSWORD) or a bearer token
(VATGATE_AP_TOKEN), whose signed status callbacks are checked with
VATGATE_AP_CALLBACK_SECRET. Instances sharing one PostgreSQL database share
the work; --no-worker makes an instance that only serves the API.
`

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg + "\n\n" + usage }

func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		return usageError{"no command given"}
	}
	env := environment{getenv: getenv, stdout: stdout, stderr: stderr}
	cmd, rest := args[1], args[2:]
	switch cmd {
	case "serve":
		return runServe(ctx, env, rest)
	case "migrate":
		return runMigrate(ctx, env, rest)
	case "merchant":
		return runMerchant(ctx, env, rest)
	case "token":
		return runToken(ctx, env, rest)
	case "webhook":
		return runWebhook(ctx, env, rest)
	case "rates":
		return runRates(env, rest)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return usageError{fmt.Sprintf("unknown command %q", cmd)}
	}
}

// environment is what every subcommand may use of the outside world.
type environment struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
}

// envOr returns the environment variable, or def when it is unset.
func (e environment) envOr(name, def string) string {
	if v := e.getenv(name); v != "" {
		return v
	}
	return def
}

// newFlagSet makes a subcommand's flag set with the --db flag every
// subcommand takes.
func (e environment) newFlagSet(name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("vatgate "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	db := fs.String("db", e.envOr("VATGATE_DB", defaultDB), "database: sqlite:PATH or a postgres:// URL (env VATGATE_DB)")
	return fs, db
}

// parseArgs parses flags placed before or after the positional arguments
// ("token create 1 --db X" as well as "token create --db X 1").
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}
