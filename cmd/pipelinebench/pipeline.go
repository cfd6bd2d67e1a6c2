package main

// Documents per second from POST to "sent" on the sandbox transport,
// beside the same POSTs to the plain invoice API.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/vatgate/vatgate/internal/api"
	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/peppol/sandbox"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/store/sqlite"
	"github.com/vatgate/vatgate/internal/token"
	"github.com/vatgate/vatgate/internal/transmit"
)

type pipelineResult struct {
	pipeline, baseline measurement
	// idle: one request at a time, each waited for until sent: the
	// latency of a document that finds the pipeline free.
	idle measurement
}

func benchPipeline(ctx context.Context, cfg config) (pipelineResult, error) {
	var r pipelineResult
	for round := range cfg.rounds {
		m, err := runOnce(ctx, cfg, round, true, false)
		if err != nil {
			return r, fmt.Errorf("pipeline run: %w", err)
		}
		r.pipeline = r.pipeline.add(m)
		m, err = runOnce(ctx, cfg, round, false, false)
		if err != nil {
			return r, fmt.Errorf("baseline run: %w", err)
		}
		r.baseline = r.baseline.add(m)
	}
	m, err := runOnce(ctx, cfg, 0, true, true)
	if err != nil {
		return r, fmt.Errorf("idle run: %w", err)
	}
	r.idle = m
	return r, nil
}

// runOnce serves a fresh SQLite database and has the clients POST their
// requests: e-invoices with the pipeline running, or plain invoices. idle
// (with pipeline): one client, each request's documents waited for until
// sent before the next request.
func runOnce(ctx context.Context, cfg config, round int, pipeline, idle bool) (measurement, error) {
	if idle {
		cfg.clients = 1
	}
	dir, err := os.MkdirTemp("", "pipelinebench-")
	if err != nil {
		return measurement{}, err
	}
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(ctx, filepath.Join(dir, "vatgate.db"))
	if err != nil {
		return measurement{}, err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return measurement{}, err
	}
	m, err := db.CreateMerchant(ctx, "Bench", store.PlanAdvanced)
	if err != nil {
		return measurement{}, err
	}
	tok := token.New()
	if _, err := db.CreateToken(ctx, m.ID, token.Hash(tok), token.Redact(tok), time.Time{}); err != nil {
		return measurement{}, err
	}

	logger := slog.New(slog.DiscardHandler)
	var worker *transmit.Worker
	cfgAPI := api.Config{}
	if pipeline {
		// The receiver answers after an hour: nothing but sends runs.
		worker = &transmit.Worker{Store: db, Transport: sandbox.New(sandbox.Options{DeliveryDelay: time.Hour}),
			Workers: cfg.workers, Logger: logger}
		cfgAPI.Notify = worker.Kick
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return measurement{}, err
	}
	srv := &http.Server{Handler: api.NewServer(db, logger, cfgAPI)}
	go srv.Serve(ln)
	defer srv.Close()
	var stopWorker func()
	if worker != nil {
		wctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); _ = worker.Run(wctx) }()
		stopWorker = func() { cancel(); <-done }
		defer stopWorker()
	}

	route := "/api/1/app/l_invoice/invoices/"
	if pipeline {
		route = "/api/1/app/l_invoice/e_documents/invoices/"
	}
	url := "http://" + ln.Addr().String() + route + tok
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.clients}}

	// Bodies are built before the clock starts.
	bodies := make([][][]byte, cfg.clients)
	for c := range bodies {
		bodies[c] = make([][]byte, cfg.requests)
		for q := range bodies[c] {
			var recs []string
			for i := range cfg.batch {
				n := ((round*cfg.clients+c)*cfg.requests+q)*cfg.batch + i
				if pipeline {
					recs = append(recs, eInvoiceJSON(n, cfg.lines))
				} else {
					recs = append(recs, invoiceJSON(n, cfg.lines))
				}
			}
			bodies[c][q] = []byte("[" + strings.Join(recs, ",") + "]")
		}
	}

	var (
		mu       sync.Mutex
		postedAt = map[string]time.Time{} // by document number: its request's start
		reqLat   []time.Duration
		firstErr error
		wg       sync.WaitGroup
	)
	start := time.Now()
	for c := range cfg.clients {
		wg.Go(func() {
			for q := range cfg.requests {
				t0 := time.Now()
				numbers, err := post(client, url, bodies[c][q])
				lat := time.Since(t0)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				for _, n := range numbers {
					postedAt[n] = t0
				}
				for range numbers {
					reqLat = append(reqLat, lat)
				}
				mu.Unlock()
				if err != nil {
					return
				}
				if idle {
					if err := waitSent(ctx, db, m.ID); err != nil {
						mu.Lock()
						firstErr = err
						mu.Unlock()
						return
					}
				}
			}
		})
	}
	wg.Wait()
	posted := time.Since(start)
	if firstErr != nil {
		return measurement{}, firstErr
	}
	total := cfg.clients * cfg.requests * cfg.batch
	if len(postedAt) != total {
		return measurement{}, fmt.Errorf("%d of %d documents stored", len(postedAt), total)
	}
	if !pipeline {
		return measurement{docs: total, wall: posted, latencies: sortedCopy(reqLat)}, nil
	}

	// Wait until every document is sent, then read when each became so.
	if err := waitSent(ctx, db, m.ID); err != nil {
		return measurement{}, err
	}
	stopWorker()
	var lat []time.Duration
	var last time.Time
	for after := int64(0); ; {
		docs, err := db.ListEDocuments(ctx, m.ID, store.EDocumentListOptions{AfterID: after, Limit: 100})
		if err != nil {
			return measurement{}, err
		}
		for _, d := range docs {
			if d.Status != invoicing.EStatusSent {
				return measurement{}, fmt.Errorf("%s is %s (%s), want sent", d.Number, d.Status, d.ErrorReason)
			}
			lat = append(lat, d.UpdatedAt.Sub(postedAt[d.Number]))
			if d.UpdatedAt.After(last) {
				last = d.UpdatedAt
			}
		}
		if len(docs) < 100 {
			break
		}
		after = docs[len(docs)-1].ID
	}
	if len(lat) != total {
		return measurement{}, fmt.Errorf("%d of %d documents found", len(lat), total)
	}
	return measurement{docs: total, wall: last.Sub(start), latencies: sortedCopy(lat)}, nil
}

// waitSent waits until none of the merchant's documents is new or pending.
// It polls: the measurement reads the times the store recorded, so the
// polling adds load, not latency.
func waitSent(ctx context.Context, db *sqlite.DB, merchantID int64) error {
	deadline := time.Now().Add(5 * time.Minute)
	for {
		busy := 0
		for _, st := range []invoicing.EStatus{invoicing.EStatusNew, invoicing.EStatusPending} {
			docs, err := db.ListEDocuments(ctx, merchantID, store.EDocumentListOptions{Status: st, Limit: 1})
			if err != nil {
				return err
			}
			busy += len(docs)
		}
		if busy == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("documents still unsent after 5 minutes")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func sortedCopy(d []time.Duration) []time.Duration {
	return measurement{}.add(measurement{latencies: d}).latencies
}

// post sends one bulk request and returns the numbers of the records it
// answers as stored.
func post(client *http.Client, url string, body []byte) ([]string, error) {
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d: %.300s", resp.StatusCode, raw)
	}
	var answer struct {
		Results []struct {
			Status string `json:"status"`
			Number string `json:"invoice_number"` // invoice API
			Data   struct {
				Number string `json:"invoice_number"` // e-document API
			} `json:"data"`
		} `json:"results"`
	}
	if err := json.Unmarshal(raw, &answer); err != nil {
		return nil, err
	}
	var out []string
	for _, r := range answer.Results {
		if r.Status != "success" {
			return out, fmt.Errorf("a record was refused: %.300s", raw)
		}
		n := r.Data.Number
		if n == "" {
			n = r.Number
		}
		out = append(out, n)
	}
	return out, nil
}

// eInvoiceJSON is the n-th benchmark e-invoice as the e-document API takes
// it: eDocument(n, lines) in document 004's fields.
func eInvoiceJSON(n, lines int) string {
	d := eDocument(n, lines)
	items := make([]string, len(d.LineItems))
	for i, li := range d.LineItems {
		items[i] = fmt.Sprintf(`{"description":%q,"quantity":%s,"unit_price":%s,"is_taxable":%t}`,
			li.Description, li.Quantity.String(), li.UnitPrice.String(), li.Taxable)
	}
	return fmt.Sprintf(`{"invoice_number":%q,"created_date":"2025-03-14","due_date":"2025-04-13","currency":"EUR",`+
		`"customer":%q,"customer_street":"Keizersgracht 1","customer_city":"Amsterdam","customer_postal_code":"1015 CJ",`+
		`"customer_peppol_id":"0106:12345601","customer_country":"NLD",`+
		`"supplier":"Your Company Ltd","supplier_street":"456 Supplier Avenue","supplier_city":"London","supplier_postal_code":"SW1A 1AA",`+
		`"supplier_peppol_id":"GB987654321","supplier_tax_number":"GB987654321","supplier_country":"GBR",`+
		`"subtotal":%s,"tax":%s,"total":%s,"tax_rate":20,"line_items":[%s]}`,
		d.Number, d.Customer.Name, d.Subtotal.String(), d.Tax.String(), d.Total.String(), strings.Join(items, ","))
}

// invoiceJSON is the same document as the invoice API (document 001)
// takes it.
func invoiceJSON(n, lines int) string {
	d := eDocument(n, lines)
	items := make([]string, len(d.LineItems))
	for i, li := range d.LineItems {
		items[i] = fmt.Sprintf(`{"description":%q,"quantity":%s,"unit_price":%s,"tax":%t}`,
			li.Description, li.Quantity.String(), li.UnitPrice.String(), li.Taxable)
	}
	return fmt.Sprintf(`{"invoice_number":%q,"customer_name":%q,"customer_country":"NLD","invoice_date":"2025-03-14",`+
		`"due_date":"2025-04-13","currency":"EUR","status":"draft","line_items":[%s],`+
		`"subtotal":%s,"total_tax":%s,"total":%s,"total_discount_amount":0}`,
		d.Number, d.Customer.Name, strings.Join(items, ","), d.Subtotal.String(), d.Tax.String(), d.Total.String())
}

func (r pipelineResult) print(w io.Writer) {
	fmt.Fprintf(w, "%-32s %7s %9s %9s %9s %9s\n", "run", "docs", "wall", "docs/s", "p50", "p99")
	for _, run := range []struct {
		name string
		m    measurement
	}{{"pipeline: POST -> sent", r.pipeline}, {"baseline: invoice API, stored", r.baseline}} {
		fmt.Fprintf(w, "%-32s %7d %9s %9.0f %9s %9s\n", run.name, run.m.docs, run.m.wall.Round(time.Millisecond),
			run.m.perSecond(), ms(run.m.percentile(50)), ms(run.m.percentile(99)))
	}
	fmt.Fprintf(w, "%-32s %7d %9s %9s %9s %9s\n", "pipeline, one request at a time", r.idle.docs, "-", "-",
		ms(r.idle.percentile(50)), ms(r.idle.percentile(99)))
	fmt.Fprintf(w, "pipeline/baseline: throughput %.2f, p50 latency %.2f, p99 latency %.2f\n\n",
		r.pipeline.perSecond()/r.baseline.perSecond(),
		float64(r.pipeline.percentile(50))/float64(r.baseline.percentile(50)),
		float64(r.pipeline.percentile(99))/float64(r.baseline.percentile(99)))
}
