// Command pipelinebench measures the e-document pipeline, each figure
// beside a baseline measured in the same run, on the same machine:
//
//   - UBL: documents generated and checked per second by ubl.Generate
//     (which builds the UBL, marshals it with encoding/xml and runs
//     vatgate's rule checks on the output), and by ubl.Check alone, beside
//     encoding/xml.Marshal of a plain struct with as many elements (header
//     and per line) as the generated document. The baseline is the XML
//     encoding no generator can avoid; Generate/baseline is what mapping the
//     domain onto UBL and checking it cost on top.
//   - Pipeline: e-documents per second from POST to "sent" on the sandbox
//     transport: the real server (api.NewServer on a fresh SQLite database,
//     over a loopback listener in this process) with a transmit.Worker
//     kicked by the API, and several concurrent clients POSTing batches of
//     e-invoices. A document's latency runs from the start of its POST to
//     the moment the store recorded it as sent (its updated_at, on the same
//     clock); throughput is the documents over the time from the first POST
//     to the last "sent". The baseline is the same number of documents, in
//     the same batches from the same clients, POSTed to the plain invoice
//     API, which stores them and nothing more: its latency is the request's.
//     The sandbox answers for the receiver after an hour, so no receipt
//     check runs during a measurement. A last run posts one request at a
//     time and waits until its documents are sent before the next: the
//     latency of a document that finds the pipeline idle.
//
// Each pipeline measurement does several rounds (a pipeline run, then a
// baseline run, each on a fresh database) and pools them.
//
// Usage:
//
//	go run ./cmd/pipelinebench [--lines 3] [--ubl-docs 2000]
//	    [--clients 4] [--requests 10] [--batch 20] [--workers 4] [--rounds 3] [--markdown]
//	    [--only ubl|pipeline|all] [--cpuprofile FILE]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"time"
)

type config struct {
	lines    int // line items per document
	ublDocs  int // documents per UBL measurement
	clients  int
	requests int // per client
	batch    int // documents per request
	workers  int // transmission goroutines
	rounds   int
}

func main() {
	var cfg config
	flag.IntVar(&cfg.lines, "lines", 3, "line items per document")
	flag.IntVar(&cfg.ublDocs, "ubl-docs", 2000, "documents per UBL measurement (per goroutine: divided over GOMAXPROCS)")
	flag.IntVar(&cfg.clients, "clients", 4, "concurrent clients posting")
	flag.IntVar(&cfg.requests, "requests", 10, "requests per client")
	flag.IntVar(&cfg.batch, "batch", 20, "e-documents per request (at most 100)")
	flag.IntVar(&cfg.workers, "workers", 4, "transmissions in flight at once")
	flag.IntVar(&cfg.rounds, "rounds", 3, "pipeline and baseline runs, alternated and pooled")
	markdown := flag.Bool("markdown", false, "also print the rows for BENCHMARKS.md")
	only := flag.String("only", "all", "ubl, pipeline or all")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to `FILE`")
	flag.Parse()
	if cfg.lines < 1 || cfg.ublDocs < 1 || cfg.clients < 1 || cfg.requests < 1 || cfg.batch < 1 || cfg.batch > 100 ||
		cfg.workers < 1 || cfg.rounds < 1 || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	slog.SetDefault(slog.New(slog.DiscardHandler)) // migrations log through it
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	fmt.Printf("GOMAXPROCS=%d, %s, %d lines per document\n\n", runtime.GOMAXPROCS(0), runtime.Version(), cfg.lines)
	var ublRes *ublResult
	var pipeRes *pipelineResult
	if *only == "all" || *only == "ubl" {
		r, err := benchUBL(cfg)
		if err != nil {
			fatal(err)
		}
		r.print(os.Stdout)
		ublRes = &r
	}
	if *only == "all" || *only == "pipeline" {
		r, err := benchPipeline(ctx, cfg)
		if err != nil {
			fatal(err)
		}
		r.print(os.Stdout)
		pipeRes = &r
	}
	if *markdown {
		printMarkdown(os.Stdout, ublRes, pipeRes)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "pipelinebench:", err)
	os.Exit(1)
}

// measurement is a timed run: how many documents, in how long, and one
// latency per document (sorted), if measured.
type measurement struct {
	docs      int
	wall      time.Duration
	latencies []time.Duration
}

func (m measurement) add(o measurement) measurement {
	lat := slices.Concat(m.latencies, o.latencies)
	slices.Sort(lat)
	return measurement{docs: m.docs + o.docs, wall: m.wall + o.wall, latencies: lat}
}

func (m measurement) perSecond() float64 { return float64(m.docs) / m.wall.Seconds() }

// percentile is the nearest-rank p-th percentile of the latencies.
func (m measurement) percentile(p float64) time.Duration {
	if len(m.latencies) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(m.latencies))+0.999999999) - 1
	return m.latencies[min(max(rank, 0), len(m.latencies)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func printMarkdown(w io.Writer, u *ublResult, p *pipelineResult) {
	if u != nil {
		fmt.Fprintln(w, "| UBL | docs/s | µs/doc | vs baseline |")
		fmt.Fprintln(w, "|---|---:|---:|---:|")
		base := u.baseline.perSecond()
		for _, r := range []struct {
			name string
			m    measurement
		}{{"ubl.Generate (build, marshal, Check)", u.generate}, {"ubl.Check alone", u.check}, {"baseline: xml.Marshal, same elements", u.baseline}} {
			fmt.Fprintf(w, "| %s | %.0f | %.0f | %.2f |\n", r.name, r.m.perSecond(), 1e6/r.m.perSecond(), r.m.perSecond()/base)
		}
		fmt.Fprintln(w)
	}
	if p != nil {
		fmt.Fprintln(w, "| run | docs/s | p50 | p99 |")
		fmt.Fprintln(w, "|---|---:|---:|---:|")
		fmt.Fprintf(w, "| pipeline: POST → sent | %.0f | %s | %s |\n", p.pipeline.perSecond(), ms(p.pipeline.percentile(50)), ms(p.pipeline.percentile(99)))
		fmt.Fprintf(w, "| baseline: invoice API, stored | %.0f | %s | %s |\n", p.baseline.perSecond(), ms(p.baseline.percentile(50)), ms(p.baseline.percentile(99)))
		fmt.Fprintf(w, "| pipeline, one request at a time: POST → sent | – | %s | %s |\n", ms(p.idle.percentile(50)), ms(p.idle.percentile(99)))
		fmt.Fprintln(w)
		fmt.Fprintf(w, "pipeline/baseline: throughput %.2f, p50 latency %.2f, p99 latency %.2f\n",
			p.pipeline.perSecond()/p.baseline.perSecond(),
			float64(p.pipeline.percentile(50))/float64(p.baseline.percentile(50)),
			float64(p.pipeline.percentile(99))/float64(p.baseline.percentile(99)))
	}
}
