// Command loadtest holds a mixed workload against vatgate for a while and
// reports, per operation, the throughput, the p50 and p99 latency and the
// answers by status, and the server's memory.
//
// By default it starts vatgate in this process, as `serve` does: the API
// (api.NewServer, no request limits) on a loopback listener, the OMP engine
// on the embedded rates, and the transmission worker on the Peppol sandbox,
// over a fresh SQLite database in a temporary directory, or on PostgreSQL
// with --db (a fresh schema of its own, dropped at the end). With --url it
// drives a running server instead (start it with --rate-limit-invoice 0
// --rate-limit-omp-standard 0, or the limits answer 429), with --token.
//
// All clients work as one merchant unless --merchants spreads them over
// several (client i as merchant i mod N). On PostgreSQL one merchant's
// document writes take turns (they lock the merchant, for its gapless
// numbering), so with one merchant the writes measure the latency of a
// commit; with several they run side by side. On SQLite every write takes
// its turn at the one writer either way.
//
// The clients (--clients, each one request at a time, keep-alive) pick
// operations at random by weight (--mix):
//
//	bulk     POST 10 invoices of 3 lines (invoices/s = 10 x requests/s)
//	put      PUT a partial update (status, customer_email) of a known invoice
//	get      GET a known invoice
//	list     GET a page of 50 invoices
//	omp      POST an OMP determination (one of four requests)
//	edoc     POST an e-invoice, then sent through the sandbox by the worker
//
// Memory is the process's own when vatgate runs in it (the clients share
// it, and are small beside the server): the peaks of runtime.MemStats
// HeapInuse and Sys sampled every 100ms, and VmHWM, the peak resident set,
// from /proc/self/status. With --url it is the peak of the server's
// process_resident_memory_bytes and go_memstats_heap_inuse_bytes on its
// /metrics, scraped every second, when it answers them.
//
// Usage:
//
//	go run ./cmd/loadtest [--db sqlite:PATH | --db postgres://...] [--merchants 1]
//	    [--url URL --token TOKEN[,TOKEN...]]
//	    [--duration 30s] [--clients 8] [--mix bulk=10,put=20,get=25,list=10,omp=25,edoc=10]
//	    [--sandbox-delay 200ms] [--markdown] [--cpuprofile FILE]
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vatgate/vatgate/internal/api"
	"github.com/vatgate/vatgate/internal/fx"
	"github.com/vatgate/vatgate/internal/omp"
	"github.com/vatgate/vatgate/internal/peppol/sandbox"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/store/postgres"
	"github.com/vatgate/vatgate/internal/store/sqlite"
	"github.com/vatgate/vatgate/internal/token"
	"github.com/vatgate/vatgate/internal/transmit"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

type options struct {
	db           string
	url, token   string
	merchants    int
	duration     time.Duration
	clients      int
	mix          map[string]int
	sandboxDelay time.Duration
	markdown     bool
	cpuprofile   string
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	var o options
	fs.StringVar(&o.db, "db", "", "in-process vatgate on this database: sqlite:PATH or a postgres:// URL (a fresh schema is made in it and dropped); default a fresh SQLite file")
	fs.StringVar(&o.url, "url", "", "drive a running server at this base URL instead (needs --token)")
	fs.StringVar(&o.token, "token", "", "with --url: a merchant's API token, or several merchants' separated by commas")
	fs.IntVar(&o.merchants, "merchants", 1, "in-process: merchants to spread the clients over (client i works as merchant i mod N)")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "how long to hold the load")
	fs.IntVar(&o.clients, "clients", 8, "concurrent clients, one request at a time each")
	mix := fs.String("mix", defaultMix, "operations and their weights")
	fs.DurationVar(&o.sandboxDelay, "sandbox-delay", 200*time.Millisecond, "in-process: how long after the send a sandbox receiver answers")
	fs.BoolVar(&o.markdown, "markdown", false, "print the report as Markdown")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the run (server and clients, in-process) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var err error
	if o.mix, err = parseMix(*mix); err != nil {
		return err
	}
	switch {
	case o.clients < 1:
		return errors.New("--clients must be at least 1")
	case o.merchants < 1:
		return errors.New("--merchants must be at least 1")
	case o.url != "" && o.token == "":
		return errors.New("--url needs --token")
	case o.url != "" && o.db != "":
		return errors.New("--url and --db exclude each other")
	}

	tgt := &target{base: strings.TrimSuffix(o.url, "/"), tokens: strings.Split(o.token, ",")}
	desc := "server at " + o.url
	var st store.Store
	var merchants []int64
	if o.url == "" {
		var cleanup func()
		st, tgt, merchants, desc, cleanup, err = startInProcess(ctx, o)
		if err != nil {
			return err
		}
		defer cleanup()
	}

	w := newWorkload(tgt, o.mix)
	if err := w.prepare(ctx); err != nil {
		return err
	}
	var mem memory
	if o.url == "" {
		mem = startLocalMemory()
	} else {
		mem = startRemoteMemory(tgt.base)
	}
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	start := time.Now()
	w.run(ctx, o.clients, o.duration)
	elapsed := time.Since(start)
	if o.cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	m := mem.stop()

	r := report{desc: desc, clients: o.clients, merchants: len(tgt.tokens), elapsed: elapsed, ops: w.results(), mem: m}
	if st != nil {
		r.edocs = eDocumentStatuses(context.Background(), st, merchants)
	}
	r.print(out, o.markdown)
	return nil
}

// startInProcess opens the database, migrates it, makes the merchants and
// their tokens, and serves the API with the worker on a loopback listener.
func startInProcess(ctx context.Context, o options) (store.Store, *target, []int64, string, func(), error) {
	var cleanups []func()
	cleanup := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	fail := func(err error) (store.Store, *target, []int64, string, func(), error) {
		cleanup()
		return nil, nil, nil, "", nil, err
	}
	// Migrations log through the default logger; the report is all the
	// output there should be.
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	var st store.Store
	var desc string
	switch {
	case o.db == "" || strings.HasPrefix(o.db, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(o.db, "sqlite:"), "//")
		if path == "" {
			dir, err := os.MkdirTemp("", "vatgate-loadtest")
			if err != nil {
				return fail(err)
			}
			cleanups = append(cleanups, func() { os.RemoveAll(dir) })
			path = filepath.Join(dir, "vatgate.db")
		}
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			return fail(err)
		}
		st, desc = db, "in-process vatgate, SQLite (WAL, synchronous=FULL)"
	case strings.HasPrefix(o.db, "postgres://"), strings.HasPrefix(o.db, "postgresql://"):
		u, drop, err := freshSchema(ctx, o.db)
		if err != nil {
			return fail(err)
		}
		cleanups = append(cleanups, drop)
		db, err := postgres.Open(ctx, u)
		if err != nil {
			return fail(err)
		}
		st, desc = db, "in-process vatgate, PostgreSQL"
	default:
		return fail(fmt.Errorf("--db %q: want sqlite:PATH or a postgres:// URL", o.db))
	}
	cleanups = append(cleanups, func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		return fail(err)
	}
	tgt := &target{}
	var merchants []int64
	for i := range o.merchants {
		m, err := st.CreateMerchant(ctx, fmt.Sprintf("Load Test %d", i+1), store.PlanAdvanced)
		if err != nil {
			return fail(err)
		}
		tok := token.New()
		if _, err := st.CreateToken(ctx, m.ID, token.Hash(tok), token.Redact(tok), time.Time{}); err != nil {
			return fail(err)
		}
		tgt.tokens = append(tgt.tokens, tok)
		merchants = append(merchants, m.ID)
	}

	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	worker := &transmit.Worker{Store: st, Transport: sandbox.New(sandbox.Options{DeliveryDelay: o.sandboxDelay}), Logger: logger}
	wctx, stopWorker := context.WithCancel(context.Background())
	workerDone := make(chan struct{})
	go func() { defer close(workerDone); _ = worker.Run(wctx) }()
	cleanups = append(cleanups, func() { stopWorker(); <-workerDone })

	// As serve builds it, without a request limiter (api.Config.Limiter
	// nil limits nothing).
	handler := api.NewServer(st, logger, api.Config{OMP: omp.New(fx.Snapshot()), Now: time.Now, Notify: worker.Kick})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	cleanups = append(cleanups, func() { _ = srv.Close() })
	tgt.base = "http://" + ln.Addr().String()
	return st, tgt, merchants, desc, cleanup, nil
}

// freshSchema creates an empty schema in the database at base and returns
// base with search_path set to it, and a drop for the end.
func freshSchema(ctx context.Context, base string) (string, func(), error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, err
	}
	// The pool's own parameters (pool_max_conns, ...) mean nothing to a
	// single connection.
	admin := *u
	q := admin.Query()
	for k := range q {
		if strings.HasPrefix(k, "pool_") {
			q.Del(k)
		}
	}
	admin.RawQuery = q.Encode()
	base = admin.String()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, err
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "loadtest_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", nil, err
	}
	drop := func() {
		c, err := pgx.Connect(context.Background(), base)
		if err == nil {
			defer c.Close(context.Background())
			_, err = c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "loadtest: schema %s left behind: %v\n", schema, err)
		}
	}
	q = u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}

// memory samples a process's memory until stop.
type memory interface{ stop() memReport }

type memReport struct {
	source                 string
	heapInusePeak, sysPeak uint64 // bytes; 0: unknown
	rssPeak                uint64
}

type localMemory struct {
	done   chan struct{}
	result chan memReport
}

func startLocalMemory() memory {
	m := &localMemory{done: make(chan struct{}), result: make(chan memReport, 1)}
	go func() {
		var r memReport
		r.source = "this process (server and clients)"
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			r.heapInusePeak = max(r.heapInusePeak, ms.HeapInuse)
			r.sysPeak = max(r.sysPeak, ms.Sys)
			select {
			case <-m.done:
				r.rssPeak = procStatus("VmHWM")
				m.result <- r
				return
			case <-tick.C:
			}
		}
	}()
	return m
}

func (m *localMemory) stop() memReport {
	close(m.done)
	return <-m.result
}

// procStatus reads a "kB" field of /proc/self/status in bytes; 0 when
// there is none (not Linux).
func procStatus(field string) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			var kb uint64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb); err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

type remoteMemory struct {
	done   chan struct{}
	result chan memReport
}

func startRemoteMemory(base string) memory {
	m := &remoteMemory{done: make(chan struct{}), result: make(chan memReport, 1)}
	go func() {
		r := memReport{source: "the server (" + base + "/metrics)"}
		client := &http.Client{Timeout: 2 * time.Second}
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			if vals, err := scrape(client, base+"/metrics"); err == nil {
				r.rssPeak = max(r.rssPeak, uint64(vals["process_resident_memory_bytes"]))
				r.heapInusePeak = max(r.heapInusePeak, uint64(vals["go_memstats_heap_inuse_bytes"]))
				r.sysPeak = max(r.sysPeak, uint64(vals["go_memstats_sys_bytes"]))
			}
			select {
			case <-m.done:
				m.result <- r
				return
			case <-tick.C:
			}
		}
	}()
	return m
}

func (m *remoteMemory) stop() memReport {
	close(m.done)
	return <-m.result
}

// scrape reads the unlabelled samples of a Prometheus text exposition.
func scrape(client *http.Client, u string) (map[string]float64, error) {
	resp, err := client.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", u, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, err
	}
	vals := map[string]float64{}
	for line := range strings.Lines(string(b)) {
		name, value, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok || strings.HasPrefix(name, "#") || strings.Contains(name, "{") {
			continue
		}
		var v float64
		if _, err := fmt.Sscanf(value, "%g", &v); err == nil {
			vals[name] = v
		}
	}
	return vals, nil
}
