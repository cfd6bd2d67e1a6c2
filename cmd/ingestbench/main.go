// Command ingestbench measures bulk invoice ingestion through the real
// server: several concurrent clients POST requests of 100 invoices (3 lines
// each by default) to the invoice bulk route of api.NewServer, served over a
// loopback HTTP listener in this process, on SQLite and on PostgreSQL. It
// reports invoices per second and the p50/p99 latency of a request.
//
// A throughput alone says little about a machine we do not know, so every
// server run is set beside a floor measured in the same run, on the same
// machine and a fresh database migrated by the same backend: the same rows
// written straight into the same schema by a minimal program (floor.go)
// with the same number of concurrent workers and one transaction per 100
// invoices. The floor does only what no implementation can avoid (the
// INSERTs, the indexes and constraints of the schema, a durable commit) and
// nothing the server adds (HTTP, JSON, validation, authentication,
// per-record duplicate handling, numbering). server/floor is then the share
// of the database's own capacity that the server delivers.
//
// Each backend does several rounds of a server run then a floor run, each on
// a fresh database, and pools them (all invoices over all wall time,
// percentiles over all requests), so a passing disturbance of a shared
// machine weighs on both sides alike.
//
// Usage:
//
//	go run ./cmd/ingestbench [--backend all|sqlite|postgres] [--postgres URL]
//	    [--clients 4] [--requests 25] [--lines 3] [--rounds 5] [--markdown] [--cpuprofile FILE]
//
// PostgreSQL needs --postgres or VATGATE_TEST_POSTGRES; each run works in a
// schema of its own, created and dropped by the command.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vatgate/vatgate/internal/api"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/store/postgres"
	"github.com/vatgate/vatgate/internal/store/sqlite"
	"github.com/vatgate/vatgate/internal/token"
)

// perRequest is the number of invoices in a request, and in a floor
// transaction: the most the bulk route accepts.
const perRequest = api.MaxBulkRecords

type config struct {
	clients, requests, lines, rounds int
	cpuprofile                       string
}

func main() {
	backendFlag := flag.String("backend", "all", "sqlite, postgres or all")
	pgURL := flag.String("postgres", "", "PostgreSQL `URL` (default $VATGATE_TEST_POSTGRES)")
	var cfg config
	flag.IntVar(&cfg.clients, "clients", 4, "concurrent clients, and floor workers")
	flag.IntVar(&cfg.requests, "requests", 25, "requests of 100 invoices per client")
	flag.IntVar(&cfg.lines, "lines", 3, "line items per invoice")
	flag.IntVar(&cfg.rounds, "rounds", 5, "server and floor runs per backend, alternated and pooled")
	markdown := flag.Bool("markdown", false, "also print the rows for BENCHMARKS.md")
	flag.StringVar(&cfg.cpuprofile, "cpuprofile", "", "write a CPU profile of each backend's first server run to `FILE`, with the backend's name inserted before the extension")
	flag.Parse()
	if cfg.clients < 1 || cfg.requests < 1 || cfg.lines < 1 || cfg.rounds < 1 || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}

	if *pgURL == "" {
		*pgURL = os.Getenv("VATGATE_TEST_POSTGRES")
	}
	var backends []backend
	switch *backendFlag {
	case "sqlite", "postgres", "all":
		if *backendFlag != "postgres" {
			backends = append(backends, sqliteBackend())
		}
		if *backendFlag != "sqlite" {
			if *pgURL == "" {
				fatal(errors.New("postgres needs --postgres or VATGATE_TEST_POSTGRES"))
			}
			backends = append(backends, postgresBackend(*pgURL))
		}
	default:
		fmt.Fprintf(os.Stderr, "ingestbench: --backend must be sqlite, postgres or all (got %q)\n", *backendFlag)
		os.Exit(2)
	}

	// The backends log their migrations through the default logger.
	slog.SetDefault(slog.New(slog.DiscardHandler))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	work := workload(cfg)
	fmt.Printf("%d rounds of %d clients x %d requests x %d invoices x %d lines; GOMAXPROCS=%d, %s\n\n",
		cfg.rounds, cfg.clients, cfg.requests, perRequest, cfg.lines, runtime.GOMAXPROCS(0), runtime.Version())
	var results []result
	for _, b := range backends {
		r, err := runBackend(ctx, b, cfg, work)
		if err != nil {
			fatal(fmt.Errorf("%s: %w", b.name, err))
		}
		results = append(results, r)
		r.print(os.Stdout)
	}
	if *markdown {
		printMarkdown(os.Stdout, results)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "ingestbench:", err)
	os.Exit(1)
}

// backend is what differs between SQLite and PostgreSQL.
type backend struct {
	name string
	// fresh makes an empty database and returns its address (file path
	// or URL) and how to remove it.
	fresh func(ctx context.Context) (addr string, drop func(), err error)
	open  func(ctx context.Context, addr string) (store.Store, error)
	// floor writes the workload straight into a migrated database.
	floor func(ctx context.Context, addr string, work [][][]invoice) (measurement, error)
}

func sqliteBackend() backend {
	return backend{
		name: "sqlite",
		fresh: func(ctx context.Context) (string, func(), error) {
			dir, err := os.MkdirTemp("", "ingestbench-")
			if err != nil {
				return "", nil, err
			}
			return filepath.Join(dir, "vatgate.db"), func() { os.RemoveAll(dir) }, nil
		},
		open: func(ctx context.Context, path string) (store.Store, error) {
			return sqlite.Open(ctx, path)
		},
		floor: sqliteFloor,
	}
}

func postgresBackend(base string) backend {
	return backend{
		name:  "postgres",
		fresh: func(ctx context.Context) (string, func(), error) { return freshSchema(ctx, base) },
		open: func(ctx context.Context, u string) (store.Store, error) {
			return postgres.Open(ctx, u)
		},
		floor: postgresFloor,
	}
}

// freshSchema creates an empty schema and returns base with search_path set
// to it, as internal/testdb does for tests.
func freshSchema(ctx context.Context, base string) (string, func(), error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, err
	}
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, err
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "ingestbench_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", nil, err
	}
	drop := func() {
		// ctx may be cancelled by now; the schema must go anyway.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			fmt.Fprintf(os.Stderr, "ingestbench: schema %s left behind: %v\n", schema, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			fmt.Fprintf(os.Stderr, "ingestbench: schema %s left behind: %v\n", schema, err)
		}
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}

// freshStore makes a fresh database and opens it migrated.
func freshStore(ctx context.Context, b backend) (store.Store, string, func(), error) {
	addr, drop, err := b.fresh(ctx)
	if err != nil {
		return nil, "", nil, fmt.Errorf("create database: %w", err)
	}
	st, err := b.open(ctx, addr)
	if err != nil {
		drop()
		return nil, "", nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		drop()
		return nil, "", nil, err
	}
	return st, addr, drop, nil
}

// invoice is one generated invoice. Amounts are decimal strings
// (json.Number): the JSON body carries them as number literals and the floor
// binds them as text, so no float ever touches them.
type invoice struct {
	Number          string      `json:"invoice_number"`
	CustomerName    string      `json:"customer_name"`
	CustomerEmail   string      `json:"customer_email"`
	CustomerCountry string      `json:"customer_country"`
	Date            string      `json:"invoice_date"`
	DueDate         string      `json:"due_date"`
	Currency        string      `json:"currency"`
	Status          string      `json:"status"`
	Lines           []line      `json:"line_items"`
	Subtotal        json.Number `json:"subtotal"`
	TotalTax        json.Number `json:"total_tax"`
	Total           json.Number `json:"total"`
	TotalDiscount   json.Number `json:"total_discount_amount"`
}

type line struct {
	Description string      `json:"description"`
	Quantity    json.Number `json:"quantity"`
	UnitPrice   json.Number `json:"unit_price"`
	Taxable     bool        `json:"tax"`
}

// workload returns each client's requests of perRequest invoices, with
// unique numbers and amounts that add up, computed in cents.
func workload(cfg config) [][][]invoice {
	work := make([][][]invoice, cfg.clients)
	n := 0
	for c := range work {
		work[c] = make([][]invoice, cfg.requests)
		for r := range work[c] {
			batch := make([]invoice, perRequest)
			for i := range batch {
				n++
				var subtotal, taxable int64
				lines := make([]line, cfg.lines)
				for j := range lines {
					qty := int64(1 + (n+j)%5)
					price := int64(100 + (n*37+j*101)%99900) // cents
					lines[j] = line{
						Description: fmt.Sprintf("Service %d of invoice %d", j+1, n),
						Quantity:    json.Number(fmt.Sprint(qty)),
						UnitPrice:   json.Number(cents(price)),
						Taxable:     j%3 != 2,
					}
					subtotal += qty * price
					if lines[j].Taxable {
						taxable += qty * price
					}
				}
				tax := (taxable*19 + 50) / 100 // 19 %, half up
				batch[i] = invoice{
					Number:          fmt.Sprintf("BENCH-%02d-%04d-%03d", c, r, i),
					CustomerName:    fmt.Sprintf("Customer %d GmbH", n%500),
					CustomerEmail:   fmt.Sprintf("billing%d@example.com", n%500),
					CustomerCountry: "DEU",
					Date:            "2025-03-14",
					DueDate:         "2025-04-13",
					Currency:        "EUR",
					Status:          "draft",
					Lines:           lines,
					Subtotal:        json.Number(cents(subtotal)),
					TotalTax:        json.Number(cents(tax)),
					Total:           json.Number(cents(subtotal + tax)),
					TotalDiscount:   "0.00",
				}
			}
			work[c][r] = batch
		}
	}
	return work
}

func cents(c int64) string { return fmt.Sprintf("%d.%02d", c/100, c%100) }

// measurement is one timed run: how many invoices, in how long, and the
// latency of each request (or floor transaction).
type measurement struct {
	invoices  int
	wall      time.Duration
	latencies []time.Duration // sorted
}

// add pools two runs: their invoices, their wall times, their latencies.
func (m measurement) add(o measurement) measurement {
	lat := slices.Concat(m.latencies, o.latencies)
	slices.Sort(lat)
	return measurement{invoices: m.invoices + o.invoices, wall: m.wall + o.wall, latencies: lat}
}

func (m measurement) perSecond() float64 { return float64(m.invoices) / m.wall.Seconds() }

// percentile is the nearest-rank p-th percentile of the latencies.
func (m measurement) percentile(p float64) time.Duration {
	i := int(math.Ceil(float64(len(m.latencies))*p/100)) - 1
	return m.latencies[min(max(i, 0), len(m.latencies)-1)]
}

// drive runs one goroutine per client, each doing its batches in order with
// do, and times every call and the whole. The first error stops everyone.
func drive(ctx context.Context, work [][][]invoice, do func(ctx context.Context, client, req int) error) (measurement, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	lat := make([][]time.Duration, len(work))
	var wg sync.WaitGroup
	start := time.Now()
	for c := range work {
		wg.Go(func() {
			for r := range work[c] {
				t := time.Now()
				if err := do(ctx, c, r); err != nil {
					cancel(fmt.Errorf("client %d, request %d: %w", c, r, err))
					return
				}
				lat[c] = append(lat[c], time.Since(t))
			}
		})
	}
	wg.Wait()
	m := measurement{wall: time.Since(start)}
	if err := context.Cause(ctx); err != nil {
		return m, err
	}
	for c := range work {
		m.latencies = append(m.latencies, lat[c]...)
		for _, batch := range work[c] {
			m.invoices += len(batch)
		}
	}
	slices.Sort(m.latencies)
	return m, nil
}

// result is one backend's pair of runs.
type result struct {
	backend       string
	server, floor measurement
}

// runBackend alternates server and floor runs, each on a fresh database, so
// that a passing disturbance of the machine weighs on both alike.
func runBackend(ctx context.Context, b backend, cfg config, work [][][]invoice) (result, error) {
	res := result{backend: b.name}
	for round := range cfg.rounds {
		profile := ""
		if round == 0 {
			profile = cfg.cpuprofile
		}
		server, err := serverRun(ctx, b, cfg.clients, profile, work)
		if err != nil {
			return res, fmt.Errorf("server run: %w", err)
		}
		floor, err := floorRun(ctx, b, work)
		if err != nil {
			return res, fmt.Errorf("floor run: %w", err)
		}
		res.server, res.floor = res.server.add(server), res.floor.add(floor)
	}
	return res, nil
}

// serverRun posts the workload to a server on a fresh database.
func serverRun(ctx context.Context, b backend, clients int, cpuprofile string, work [][][]invoice) (measurement, error) {
	st, _, drop, err := freshStore(ctx, b)
	if err != nil {
		return measurement{}, err
	}
	defer drop()
	defer st.Close()
	m, err := st.CreateMerchant(ctx, "ingestbench", store.PlanStandard)
	if err != nil {
		return measurement{}, err
	}
	tok := token.New()
	if _, err := st.CreateToken(ctx, m.ID, token.Hash(tok), token.Redact(tok), time.Time{}); err != nil {
		return measurement{}, err
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return measurement{}, err
	}
	srv := &http.Server{
		Handler:           api.NewServer(st, slog.New(slog.DiscardHandler), api.Config{}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go srv.Serve(ln)
	defer srv.Close()

	// Bodies are encoded before the clock starts: the client's JSON is not
	// the server's work.
	bodies := make([][][]byte, len(work))
	for c := range work {
		for _, batch := range work[c] {
			body, err := json.Marshal(batch)
			if err != nil {
				return measurement{}, err
			}
			bodies[c] = append(bodies[c], body)
		}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	defer client.CloseIdleConnections()
	target := "http://" + ln.Addr().String() + "/api/1/app/l_invoice/invoices/" + tok

	if cpuprofile != "" {
		ext := filepath.Ext(cpuprofile)
		f, err := os.Create(strings.TrimSuffix(cpuprofile, ext) + "." + b.name + ext)
		if err != nil {
			return measurement{}, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return measurement{}, err
		}
		defer pprof.StopCPUProfile()
	}
	return drive(ctx, work, func(ctx context.Context, c, r int) error {
		return post(ctx, client, target, bodies[c][r], len(work[c][r]))
	})
}

// post sends one bulk request and insists that every invoice was stored.
func post(ctx context.Context, client *http.Client, target string, body []byte, want int) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return fmt.Errorf("status %s: %s", resp.Status, msg)
	}
	var answer struct {
		Results []struct {
			Index   int    `json:"index"`
			Status  string `json:"status"`
			Message string `json:"message"`
		} `json:"results"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body) // so the connection is reused
	if len(answer.Results) != want {
		return fmt.Errorf("%d results for %d invoices", len(answer.Results), want)
	}
	for _, r := range answer.Results {
		if r.Status != "success" {
			return fmt.Errorf("invoice %d: %s: %s", r.Index, r.Status, r.Message)
		}
	}
	return nil
}

// floorRun writes the workload straight into a fresh database that the
// backend itself has migrated.
func floorRun(ctx context.Context, b backend, work [][][]invoice) (measurement, error) {
	st, addr, drop, err := freshStore(ctx, b)
	if err != nil {
		return measurement{}, err
	}
	defer drop()
	if err := st.Close(); err != nil {
		return measurement{}, err
	}
	return b.floor(ctx, addr, work)
}

type run struct {
	name string
	m    measurement
}

func (r result) runs() []run { return []run{{"server", r.server}, {"floor", r.floor}} }

// ratios are server/floor of throughput and of median latency.
func (r result) ratios() (throughput, p50 float64) {
	return r.server.perSecond() / r.floor.perSecond(),
		float64(r.server.percentile(50)) / float64(r.floor.percentile(50))
}

func (r result) print(w io.Writer) {
	fmt.Fprintf(w, "%-9s %-7s %9s %9s %12s %9s %9s\n", "backend", "run", "invoices", "wall", "invoices/s", "p50", "p99")
	for _, run := range r.runs() {
		fmt.Fprintf(w, "%-9s %-7s %9d %9s %12.0f %9s %9s\n", r.backend, run.name, run.m.invoices,
			run.m.wall.Round(time.Millisecond), run.m.perSecond(), ms(run.m.percentile(50)), ms(run.m.percentile(99)))
	}
	throughput, p50 := r.ratios()
	fmt.Fprintf(w, "%s server/floor: throughput %.2f, p50 latency %.2f\n\n", r.backend, throughput, p50)
}

func printMarkdown(w io.Writer, results []result) {
	fmt.Fprintln(w, "| backend | run | invoices/s | p50 | p99 |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|")
	for _, r := range results {
		for _, run := range r.runs() {
			fmt.Fprintf(w, "| %s | %s | %.0f | %s | %s |\n", r.backend, run.name,
				run.m.perSecond(), ms(run.m.percentile(50)), ms(run.m.percentile(99)))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| backend | server/floor throughput | server/floor p50 latency |")
	fmt.Fprintln(w, "|---|---:|---:|")
	for _, r := range results {
		throughput, p50 := r.ratios()
		fmt.Fprintf(w, "| %s | %.2f | %.2f |\n", r.backend, throughput, p50)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
