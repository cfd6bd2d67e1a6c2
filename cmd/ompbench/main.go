// Command ompbench measures OMP determinations per second (document 003,
// POST /api/omp/omp_invoice): in-process, calling the engine's Determine and
// the API handler directly, and over HTTP, with concurrent keep-alive
// clients posting to the real server (api.NewServer on a fresh SQLite
// database, authenticating every request) on a loopback listener.
//
// A rate alone says little about a machine we do not know, so each is set
// beside a baseline measured in the same run on the same machine: a bare
// net/http handler that reads the same request body, decodes it into a
// map[string]any and answers with the JSON encoding of a map holding the
// same answer, so it decodes and encodes JSON of the same sizes and does
// nothing else. OMP/baseline is then the share of the bare JSON round trip's
// rate that the real work (validation, authentication, the determination)
// leaves.
//
// The workload cycles through fixed requests covering the main rule
// families (the document's three examples, EU imports and distance sales,
// UK, US, Canada, Norway, Australia, digital services), several of which
// need a currency conversion. Every request's answer over HTTP is checked
// once against the engine's own answer before timing starts.
//
// Each measurement alternates an OMP run and a baseline run for --rounds
// rounds of --duration each and pools them, so a passing disturbance of a
// shared machine weighs on both alike.
//
// Usage:
//
//	go run ./cmd/ompbench [--clients 4] [--duration 3s] [--rounds 3] [--markdown]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"cloud.google.com/go/civil"

	"github.com/vatgate/vatgate/internal/api"
	"github.com/vatgate/vatgate/internal/fx"
	"github.com/vatgate/vatgate/internal/omp"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/store/sqlite"
	"github.com/vatgate/vatgate/internal/token"
)

// today is the server's clock in the benchmark: a day inside the embedded
// ECB snapshot, so that conversions have rates.
var today = civil.Date{Year: 2026, Month: 4, Day: 10}

type config struct {
	clients, rounds int
	duration        time.Duration
}

func main() {
	var cfg config
	flag.IntVar(&cfg.clients, "clients", 4, "concurrent keep-alive HTTP clients")
	flag.DurationVar(&cfg.duration, "duration", 3*time.Second, "length of one timed run")
	flag.IntVar(&cfg.rounds, "rounds", 3, "OMP and baseline runs per measurement, alternated and pooled")
	markdown := flag.Bool("markdown", false, "also print the tables for BENCHMARKS.md")
	flag.Parse()
	if cfg.clients < 1 || cfg.rounds < 1 || cfg.duration <= 0 || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	slog.SetDefault(slog.New(slog.DiscardHandler)) // the store logs its migrations
	if err := run(context.Background(), cfg, *markdown); err != nil {
		fmt.Fprintln(os.Stderr, "ompbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg config, markdown bool) error {
	engine := omp.New(fx.Snapshot())
	work, err := newWorkload(engine)
	if err != nil {
		return err
	}
	env, cleanup, err := newServers(ctx, engine, work)
	if err != nil {
		return err
	}
	defer cleanup()
	if err := env.check(work); err != nil {
		return err
	}

	workers := runtime.GOMAXPROCS(0)
	fmt.Printf("%d requests cycled (mean body %d bytes, mean answer %d bytes); %d rounds of %s; GOMAXPROCS=%d, %s\n\n",
		len(work), work.meanBody(), work.meanAnswer(), cfg.rounds, cfg.duration, workers, runtime.Version())

	var results []result
	for _, p := range []pair{
		{"in-process: engine.Determine", workers, work.determine(engine), work.bareInProcess()},
		{"in-process: API handler", workers, work.handlerInProcess(env.api, env.token), work.bareInProcess()},
		{fmt.Sprintf("HTTP: %d keep-alive clients", cfg.clients), cfg.clients, env.post(work, env.apiURL), env.post(work, env.bareURL)},
	} {
		r, err := p.measure(ctx, cfg)
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		r.print(os.Stdout)
		results = append(results, r)
	}
	if markdown {
		printMarkdown(os.Stdout, results)
	}
	return nil
}

// ---- workload ----

// item is one request of the workload: the typed request the engine takes,
// the JSON body a client sends, the answer the engine gives and that answer
// decoded into a map (what the baseline encodes).
type item struct {
	name      string
	req       omp.Request
	body      []byte
	answer    []byte
	answerMap map[string]any
}

type workload []item

func newWorkload(engine *omp.Engine) (workload, error) {
	var w workload
	for _, c := range cases() {
		ans, err := engine.Determine(c.req, today)
		if err != nil {
			return nil, fmt.Errorf("case %s: %w", c.name, err)
		}
		// The answer's own encoding, as the server writes it: json.Marshal
		// would escape "<=" again.
		out, err := ans.MarshalJSON()
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil {
			return nil, err
		}
		w = append(w, item{name: c.name, req: c.req, body: requestJSON(c.req), answer: out, answerMap: m})
	}
	return w, nil
}

func (w workload) meanBody() int {
	n := 0
	for _, it := range w {
		n += len(it.body)
	}
	return n / len(w)
}

func (w workload) meanAnswer() int {
	n := 0
	for _, it := range w {
		n += len(it.answer)
	}
	return n / len(w)
}

// op does request i of the workload (i cycles) as worker g.
type op func(g, i int) error

func (w workload) determine(engine *omp.Engine) op {
	return func(_, i int) error {
		_, err := engine.Determine(w[i%len(w)].req, today)
		return err
	}
}

// bare is the baseline handler: decode the body into a map, answer the
// map of the same answer. The request names its workload item in a header
// the real server ignores.
func (w workload) bare() http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		var req map[string]any
		if err := json.Unmarshal(body, &req); err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		var i int
		fmt.Sscan(r.Header.Get("X-Bench-Item"), &i)
		rw.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(rw).Encode(w[i%len(w)].answerMap)
	})
}

func (w workload) bareInProcess() op {
	h := w.bare()
	return func(_, i int) error { return serveInProcess(h, w, i, "") }
}

func (w workload) handlerInProcess(h http.Handler, tok string) op {
	return func(_, i int) error { return serveInProcess(h, w, i, tok) }
}

// serveInProcess calls a handler directly, without a network.
func serveInProcess(h http.Handler, w workload, i int, tok string) error {
	it := w[i%len(w)]
	req := httptest.NewRequest(http.MethodPost, "/api/omp/omp_invoice", bytes.NewReader(it.body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Bench-Item", fmt.Sprint(i%len(w)))
	if tok != "" {
		req.SetBasicAuth(tok, "")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return fmt.Errorf("%s: status %d: %s", it.name, rec.Code, rec.Body)
	}
	return nil
}

// ---- servers ----

// servers are the real API and the bare baseline, each on its own
// loopback listener.
type servers struct {
	api             http.Handler
	token           string
	apiURL, bareURL string
	client          *http.Client
}

func newServers(ctx context.Context, engine *omp.Engine, w workload) (*servers, func(), error) {
	dir, err := os.MkdirTemp("", "ompbench-")
	if err != nil {
		return nil, nil, err
	}
	var closers []func()
	cleanup := func() {
		for _, c := range slices.Backward(closers) {
			c()
		}
		os.RemoveAll(dir)
	}
	st, tok, err := storeWithToken(ctx, filepath.Join(dir, "vatgate.db"))
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	closers = append(closers, func() { st.Close() })
	s := &servers{token: tok, client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}}}
	s.api = api.NewServer(st, slog.New(slog.DiscardHandler), api.Config{OMP: engine, Now: func() time.Time {
		return today.In(time.UTC).Add(12 * time.Hour)
	}})
	for _, h := range []struct {
		handler http.Handler
		url     *string
	}{{s.api, &s.apiURL}, {w.bare(), &s.bareURL}} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			cleanup()
			return nil, nil, err
		}
		srv := &http.Server{Handler: h.handler, ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(ln)
		closers = append(closers, func() { srv.Close() })
		*h.url = "http://" + ln.Addr().String() + "/api/omp/omp_invoice"
	}
	closers = append(closers, s.client.CloseIdleConnections)
	return s, cleanup, nil
}

func storeWithToken(ctx context.Context, path string) (store.Store, string, error) {
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, "", err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, "", err
	}
	m, err := st.CreateMerchant(ctx, "ompbench", store.PlanAdvanced)
	if err != nil {
		st.Close()
		return nil, "", err
	}
	tok := token.New()
	if _, err := st.CreateToken(ctx, m.ID, token.Hash(tok), token.Redact(tok), time.Time{}); err != nil {
		st.Close()
		return nil, "", err
	}
	return st, tok, nil
}

// check insists that the server answers each request exactly as the
// engine does, and the baseline with a body of the same size: otherwise
// the two sides would not do the same work.
func (s *servers) check(w workload) error {
	for i, it := range w {
		got, err := s.do(s.apiURL, w, i)
		if err != nil {
			return err
		}
		if !bytes.Equal(bytes.TrimSpace(got), it.answer) {
			return fmt.Errorf("%s: the server answers\n%s\nthe engine\n%s", it.name, got, it.answer)
		}
		bare, err := s.do(s.bareURL, w, i)
		if err != nil {
			return err
		}
		if d := len(bare) - len(got); d < -len(got)/10 || d > len(got)/10 {
			return fmt.Errorf("%s: baseline answer %d bytes, server %d", it.name, len(bare), len(got))
		}
	}
	return nil
}

func (s *servers) post(w workload, url string) op {
	return func(_, i int) error {
		_, err := s.do(url, w, i)
		return err
	}
}

// do posts request i of the workload as an integrator does (Basic auth,
// JSON) and reads the whole answer so the connection is reused.
func (s *servers) do(url string, w workload, i int) ([]byte, error) {
	it := w[i%len(w)]
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(it.body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Bench-Item", fmt.Sprint(i%len(w)))
	req.SetBasicAuth(s.token, "")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: status %s: %s", it.name, resp.Status, body)
	}
	return body, nil
}

// ---- measuring ----

// pair is an OMP run and its baseline, done with the same workers.
type pair struct {
	name      string
	workers   int
	omp, bare op
}

// measurement is pooled timed runs: operations, wall time, latencies.
type measurement struct {
	ops       int64
	wall      time.Duration
	latencies []time.Duration // sorted
}

func (m measurement) add(o measurement) measurement {
	lat := slices.Concat(m.latencies, o.latencies)
	slices.Sort(lat)
	return measurement{ops: m.ops + o.ops, wall: m.wall + o.wall, latencies: lat}
}

func (m measurement) perSecond() float64 { return float64(m.ops) / m.wall.Seconds() }

// percentile is the nearest-rank p-th percentile of the latencies.
func (m measurement) percentile(p float64) time.Duration {
	i := int(math.Ceil(float64(len(m.latencies))*p/100)) - 1
	return m.latencies[min(max(i, 0), len(m.latencies)-1)]
}

type result struct {
	name      string
	workers   int
	omp, bare measurement
}

func (p pair) measure(ctx context.Context, cfg config) (result, error) {
	r := result{name: p.name, workers: p.workers}
	for range cfg.rounds {
		m, err := timed(ctx, p.workers, cfg.duration, p.omp)
		if err != nil {
			return r, err
		}
		b, err := timed(ctx, p.workers, cfg.duration, p.bare)
		if err != nil {
			return r, err
		}
		r.omp, r.bare = r.omp.add(m), r.bare.add(b)
	}
	return r, nil
}

// timed runs op in a loop on each of workers goroutines for d, each worker
// starting at a different request, and times every call and the whole.
func timed(ctx context.Context, workers int, d time.Duration, do op) (measurement, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var stop atomic.Bool
	lat := make([][]time.Duration, workers)
	var wg sync.WaitGroup
	start := time.Now()
	timer := time.AfterFunc(d, func() { stop.Store(true) })
	defer timer.Stop()
	for g := range workers {
		wg.Go(func() {
			for i := g * 7; !stop.Load(); i++ {
				t := time.Now()
				if err := do(g, i); err != nil {
					cancel(err)
					stop.Store(true)
					return
				}
				lat[g] = append(lat[g], time.Since(t))
			}
		})
	}
	wg.Wait()
	m := measurement{wall: time.Since(start)}
	if err := context.Cause(ctx); err != nil {
		return m, err
	}
	for _, l := range lat {
		m.latencies = append(m.latencies, l...)
	}
	m.ops = int64(len(m.latencies))
	slices.Sort(m.latencies)
	return m, nil
}

func (r result) ratio() float64 { return r.omp.perSecond() / r.bare.perSecond() }

func (r result) print(w io.Writer) {
	fmt.Fprintf(w, "%s (%d workers)\n", r.name, r.workers)
	for _, row := range []struct {
		name string
		m    measurement
	}{{"OMP", r.omp}, {"baseline", r.bare}} {
		fmt.Fprintf(w, "  %-9s %10.0f/s  p50 %s  p99 %s  (%d ops)\n", row.name, row.m.perSecond(),
			ms(row.m.percentile(50)), ms(row.m.percentile(99)), row.m.ops)
	}
	fmt.Fprintf(w, "  OMP/baseline throughput %.2f\n\n", r.ratio())
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d.Microseconds())/1000) }

func printMarkdown(w io.Writer, results []result) {
	fmt.Fprintln(w, "| measurement | OMP /s | baseline /s | OMP/baseline | OMP p50 | OMP p99 | baseline p50 | baseline p99 |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range results {
		fmt.Fprintf(w, "| %s | %.0f | %.0f | %.2f | %s | %s | %s | %s |\n", r.name, r.omp.perSecond(), r.bare.perSecond(), r.ratio(),
			ms(r.omp.percentile(50)), ms(r.omp.percentile(99)), ms(r.bare.percentile(50)), ms(r.bare.percentile(99)))
	}
}
