package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
)

const root = "/api/1/app/l_invoice"

// defaultMix is the workload of the recorded runs: mostly small requests
// (reads, updates, determinations), with bulk uploads and e-invoices
// beside them.
const defaultMix = "bulk=10,put=20,get=25,list=10,omp=25,edoc=10"

// opNames are the operations in report order.
var opNames = []string{"bulk", "put", "get", "list", "omp", "edoc"}

func parseMix(s string) (map[string]int, error) {
	mix := map[string]int{}
	total := 0
	for part := range strings.SplitSeq(s, ",") {
		name, w, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.Atoi(w)
		if !ok || err != nil || n < 0 || !slices.Contains(opNames, name) {
			return nil, fmt.Errorf("--mix %q: want name=weight,... with names among %s", s, strings.Join(opNames, ", "))
		}
		mix[name] = n
		total += n
	}
	if total == 0 {
		return nil, fmt.Errorf("--mix %q: no weight", s)
	}
	return mix, nil
}

// target is the server the clients talk to, and the tokens of the
// merchants whose data they work on: client i uses tokens[i % len(tokens)].
type target struct {
	base   string
	tokens []string
}

// opStats are one operation's answers.
type opStats struct {
	mu        sync.Mutex
	latencies []time.Duration
	statuses  map[int]int // 0: no answer
}

func (s *opStats) record(d time.Duration, status int) {
	s.mu.Lock()
	s.latencies = append(s.latencies, d)
	s.statuses[status]++
	s.mu.Unlock()
}

type workload struct {
	t      *target
	client *http.Client
	picks  []string // one entry per unit of weight
	stats  map[string]*opStats

	mu  sync.Mutex
	ids [][]int64 // by token: invoices known to exist

	seq atomic.Int64
}

func newWorkload(t *target, mix map[string]int) *workload {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 1024
	w := &workload{t: t, client: &http.Client{Transport: tr, Timeout: time.Minute}, stats: map[string]*opStats{},
		ids: make([][]int64, len(t.tokens))}
	for _, name := range opNames {
		w.stats[name] = &opStats{statuses: map[int]int{}}
		for range mix[name] {
			w.picks = append(w.picks, name)
		}
	}
	return w
}

// prepare uploads a first 100 invoices for the updates and reads to find,
// and checks every OMP request once, so a misconfigured target fails
// before the run rather than filling the report with errors.
func (w *workload) prepare(ctx context.Context) error {
	for tok := range w.t.tokens {
		for range 10 {
			if status, body := w.bulk(ctx, tok); status != http.StatusOK {
				return fmt.Errorf("preparing: an invoice upload answered %d: %s", status, body)
			}
		}
	}
	for i := range ompBodies {
		status, body := w.do(ctx, http.MethodPost, "/api/omp/omp_invoice/"+w.t.tokens[0], ompBodies[i])
		if status != http.StatusOK {
			return fmt.Errorf("preparing: OMP request %d answered %d: %s", i, status, body)
		}
	}
	return nil
}

// run holds the load with clients until d has passed or ctx ends.
func (w *workload) run(ctx context.Context, clients int, d time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var wg sync.WaitGroup
	for c := range clients {
		tok := c % len(w.t.tokens)
		wg.Go(func() {
			for ctx.Err() == nil {
				op := w.picks[rand.IntN(len(w.picks))]
				start := time.Now()
				status := w.one(ctx, op, tok)
				if ctx.Err() != nil && status == 0 {
					return // cut off by the end of the run
				}
				w.stats[op].record(time.Since(start), status)
			}
		})
	}
	wg.Wait()
}

// one runs operation op as the tok-th merchant and returns the answer's
// status.
func (w *workload) one(ctx context.Context, op string, tok int) int {
	token := w.t.tokens[tok]
	var status int
	switch op {
	case "bulk":
		status, _ = w.bulk(ctx, tok)
	case "put":
		body := fmt.Sprintf(`{"status":%q,"customer_email":"buyer%d@example.com"}`, invoicing.Statuses[rand.IntN(4)], w.seq.Add(1))
		status, _ = w.do(ctx, http.MethodPut, fmt.Sprintf("%s/invoices/%s/%d", root, token, w.someID(tok)), body)
	case "get":
		status, _ = w.do(ctx, http.MethodGet, fmt.Sprintf("%s/invoices/%s/%d", root, token, w.someID(tok)), "")
	case "list":
		status, _ = w.do(ctx, http.MethodGet, root+"/invoices/"+token+"?limit=50", "")
	case "omp":
		status, _ = w.do(ctx, http.MethodPost, "/api/omp/omp_invoice/"+token, ompBodies[rand.IntN(len(ompBodies))])
	case "edoc":
		n := w.seq.Add(1)
		body := "[" + eInvoice(fmt.Sprintf("LT-E-%d", n), fmt.Sprintf("0106:123456%02d", n%90)) + "]"
		status, _ = w.do(ctx, http.MethodPost, root+"/e_documents/invoices/"+token, body)
	}
	return status
}

// bulk uploads 10 invoices of 3 lines as the tok-th merchant and keeps
// their ids.
func (w *workload) bulk(ctx context.Context, tok int) (int, string) {
	recs := make([]string, 10)
	for i := range recs {
		recs[i] = fmt.Sprintf(`{"invoice_number":"LT-%d","customer_name":"Load Test Customer %d","customer_email":"buyer@example.com",`+
			`"invoice_date":"2026-03-02","due_date":"2026-04-01","currency":"EUR","status":"sent","line_items":[`+
			`{"description":"Consulting, March","quantity":12,"unit_price":95.50},`+
			`{"description":"Travel expenses","quantity":1,"unit_price":240.00,"is_taxable":false},`+
			`{"description":"Licence","quantity":3,"unit_price":49.99}],`+
			`"subtotal":1535.97,"total_tax":246.23,"total":1782.20,"total_discount_amount":0}`, w.seq.Add(1), i)
	}
	status, body := w.do(ctx, http.MethodPost, root+"/invoices/"+w.t.tokens[tok], "["+strings.Join(recs, ",")+"]")
	if status == http.StatusOK {
		var answer struct {
			Results []struct {
				ID int64 `json:"invoice_id"`
			} `json:"results"`
		}
		if json.Unmarshal([]byte(body), &answer) == nil {
			w.mu.Lock()
			for _, r := range answer.Results {
				if r.ID != 0 {
					w.ids[tok] = append(w.ids[tok], r.ID)
				}
			}
			w.mu.Unlock()
		}
	}
	return status, body
}

func (w *workload) someID(tok int) int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ids[tok][rand.IntN(len(w.ids[tok]))]
}

// do sends a request and returns its status (0 without an answer) and body.
func (w *workload) do(ctx context.Context, method, path, body string) (int, string) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, w.t.base+path, rd)
	if err != nil {
		return 0, err.Error()
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err.Error()
	}
	return resp.StatusCode, string(b)
}

// ompBodies are the determinations asked: the document's B2B example, an
// EU sale by a non-EU vendor, a UK sale below GBP 135, and a digital
// service to a consumer; each with its order date, so the answer does not
// depend on the day of the run.
var ompBodies = []string{
	`{"invoice_id":"LT-1","marketplace_establishment_country_id":"DEU","vendor_establishment_country_id":"POL","order_date":"2026-03-02",` +
		`"order_amount":1120.50,"order_currency":"EUR","departure_country":"POL","arrival_country":"LVA","vat_number_of_customer":"LV9875234"}`,
	`{"invoice_id":"LT-2","marketplace_establishment_country_id":"DEU","vendor_establishment_country_id":"CHN","order_date":"2026-03-02",` +
		`"order_amount":120.50,"order_currency":"EUR","departure_country":"POL","arrival_country":"FRA"}`,
	`{"invoice_id":"LT-3","marketplace_establishment_country_id":"GBR","vendor_establishment_country_id":"CHN","order_date":"2026-03-02",` +
		`"order_amount":120,"shipping_fee":4.99,"order_currency":"GBP","departure_country":"CHN","arrival_country":"GBR"}`,
	`{"invoice_id":"LT-4","marketplace_establishment_country_id":"GBR","vendor_establishment_country_id":"GBR","order_date":"2026-03-02",` +
		`"order_amount":120.50,"order_currency":"GBP","departure_country":"GBR","arrival_country":"DEU",` +
		`"items":[{"item_code":"1","item_price":51,"item_quantity":1,"good_code":"62160000"},{"item_code":"2","item_price":67.20,"item_quantity":1,"good_code":"62380000"}]}`,
}

// eInvoice is a valid e-invoice to a Dutch customer with peppolID; a
// sandbox receiver ending 00-89 delivers it.
func eInvoice(number, peppolID string) string {
	return fmt.Sprintf(`{"invoice_number":%q,"created_date":"2026-03-02","currency":"EUR",`+
		`"customer":"Klant BV","customer_street":"Keizersgracht 1","customer_city":"Amsterdam","customer_postal_code":"1015 CJ",`+
		`"customer_peppol_id":%q,"customer_country":"NLD",`+
		`"supplier":"Your Company Ltd","supplier_street":"456 Supplier Avenue","supplier_city":"London","supplier_postal_code":"SW1A 1AA",`+
		`"supplier_peppol_id":"GB987654321","supplier_tax_number":"GB987654321","supplier_country":"GBR",`+
		`"subtotal":100.00,"tax":20.00,"total":120.00,"tax_rate":20.0,`+
		`"line_items":[{"description":"Services","quantity":1,"unit_price":100.00,"is_taxable":true}]}`, number, peppolID)
}

// opResult is one operation's figures.
type opResult struct {
	name     string
	requests int
	p50, p99 time.Duration
	statuses map[int]int
}

func (w *workload) results() []opResult {
	var out []opResult
	for _, name := range opNames {
		s := w.stats[name]
		s.mu.Lock()
		lat := slices.Clone(s.latencies)
		r := opResult{name: name, requests: len(lat), statuses: maps(s.statuses)}
		s.mu.Unlock()
		if len(lat) == 0 {
			continue
		}
		slices.Sort(lat)
		r.p50, r.p99 = percentile(lat, 50), percentile(lat, 99)
		out = append(out, r)
	}
	return out
}

func maps(m map[int]int) map[int]int {
	out := make(map[int]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// percentile is the nearest-rank percentile of sorted latencies.
func percentile(sorted []time.Duration, p int) time.Duration {
	rank := (p*len(sorted) + 99) / 100
	return sorted[max(rank, 1)-1]
}

// eDocumentStatuses counts the e-documents of the merchants by status at
// the end of the run: how far the pipeline kept up.
func eDocumentStatuses(ctx context.Context, st store.Store, merchants []int64) map[invoicing.EStatus]int {
	out := map[invoicing.EStatus]int{}
	for _, m := range merchants {
		for after := int64(0); ; {
			page, err := st.ListEDocuments(ctx, m, store.EDocumentListOptions{AfterID: after, Limit: 100})
			if err != nil {
				return out
			}
			for _, d := range page {
				out[d.Status]++
			}
			if len(page) < 100 {
				break
			}
			after = page[len(page)-1].ID
		}
	}
	return out
}

type report struct {
	desc      string
	clients   int
	merchants int
	elapsed   time.Duration
	ops       []opResult
	mem       memReport
	edocs     map[invoicing.EStatus]int
}

func (r report) print(out io.Writer, markdown bool) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s, %d clients, %d merchant(s), %v\n\n", r.desc, r.clients, r.merchants, r.elapsed.Round(time.Millisecond))
	rows := [][]string{{"operation", "requests", "req/s", "p50", "p99", "answers"}}
	total := 0
	for _, o := range r.ops {
		total += o.requests
		rate := float64(o.requests) / r.elapsed.Seconds()
		rows = append(rows, []string{o.name, strconv.Itoa(o.requests), fmt.Sprintf("%.0f", rate),
			ms(o.p50), ms(o.p99), statusText(o.statuses)})
	}
	rows = append(rows, []string{"all", strconv.Itoa(total), fmt.Sprintf("%.0f", float64(total)/r.elapsed.Seconds()), "", "", ""})
	if markdown {
		fmt.Fprintln(&b, "| "+strings.Join(rows[0], " | ")+" |")
		fmt.Fprintln(&b, "|---|---:|---:|---:|---:|---|")
		for _, row := range rows[1:] {
			fmt.Fprintln(&b, "| "+strings.Join(row, " | ")+" |")
		}
	} else {
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		for _, row := range rows {
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
		tw.Flush()
	}
	for _, o := range r.ops {
		if o.name == "bulk" {
			fmt.Fprintf(&b, "\nbulk: %.0f invoices/s stored (10 per request)\n", float64(10*o.statuses[200])/r.elapsed.Seconds())
		}
	}
	fmt.Fprintf(&b, "\nmemory of %s: heap in use peak %s, Sys peak %s, RSS peak %s\n",
		r.mem.source, mib(r.mem.heapInusePeak), mib(r.mem.sysPeak), mib(r.mem.rssPeak))
	if len(r.edocs) > 0 {
		var parts []string
		for _, s := range []invoicing.EStatus{invoicing.EStatusNew, invoicing.EStatusPending, invoicing.EStatusSent,
			invoicing.EStatusDelivered, invoicing.EStatusRejected, invoicing.EStatusError} {
			if n := r.edocs[s]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", s, n))
			}
		}
		fmt.Fprintf(&b, "e-documents at the end of the run: %s\n", strings.Join(parts, ", "))
	}
	_, _ = out.Write(b.Bytes())
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func mib(n uint64) string {
	if n == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
}

// statusText writes answers by status, most frequent first: "200: 950,
// 503: 2"; "none" stands for requests that got no answer.
func statusText(m map[int]int) string {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] || m[keys[i]] == m[keys[j]] && keys[i] < keys[j] })
	parts := make([]string, len(keys))
	for i, k := range keys {
		name := strconv.Itoa(k)
		if k == 0 {
			name = "none"
		}
		parts[i] = fmt.Sprintf("%s: %d", name, m[k])
	}
	return strings.Join(parts, ", ")
}
