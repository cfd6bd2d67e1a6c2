package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
)

// The fault tests (fault_*_test.go) run short versions in `go test ./...`
// and long ones with VATGATE_FAULT_LONG=1 (scripts/faults-long.sh): more
// cycles, longer outages, and the tests that need a PostgreSQL cluster of
// their own.
const faultLongEnv = "VATGATE_FAULT_LONG"

func faultLong() bool { return os.Getenv(faultLongEnv) != "" }

// faultClient bounds every request of the fault tests' clients, so a
// server that hangs fails the test instead of stalling it.
var faultClient = &http.Client{Timeout: 15 * time.Second}

// startFaultServer runs `vatgate serve` with the request limits lifted and
// args added, its log in logFile, and waits until /healthz answers.
func startFaultServer(t *testing.T, bin, db, addr, logFile string, args ...string) *exec.Cmd {
	t.Helper()
	f, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	argv := append([]string{"serve", "--addr", addr, "--db", db, "--rate-limit-invoice", "0"}, args...)
	cmd := exec.Command(bin, argv...)
	cmd.Stderr = f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	waitHealthy(t, addr)
	return cmd
}

// keptLogFile is a path for a server's log that outlives a failed test,
// which names it, and is removed after a passing one.
func keptLogFile(t *testing.T, name string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "vatgate-fault-logs")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the server's log is kept in %s", dir)
			return
		}
		os.RemoveAll(dir)
	})
	return filepath.Join(dir, name)
}

// faultLoad drives a server with clients that upload invoices in bulk and
// post e-invoices, and keeps what was acknowledged and how every request
// was answered.
type faultLoad struct {
	base, tok string
	lines     int // line items per invoice (default 1)

	mu       sync.Mutex
	invoices map[string]bool     // acknowledged invoice numbers
	edocs    map[string]ackedDoc // acknowledged e-documents by number
	answers  map[int]int         // requests by HTTP status; 0: no answer
	bodies   map[int]string      // the last body answered with each status but 200
}

func newFaultLoad(base, tok string) *faultLoad {
	return &faultLoad{base: base, tok: tok, invoices: map[string]bool{}, edocs: map[string]ackedDoc{},
		answers: map[int]int{}, bodies: map[int]string{}}
}

// faultRules are the sandbox receivers the e-invoices go to, with the
// status each ends in: accepted and delivered, never answered (stays sent),
// refused, rejected. (Not the receivers that fail first attempts, "96" and
// "97": each new process fails them again, the attempts add up across
// restarts and the backoff, doubling per attempt, outgrows a short wait;
// TestKillDuringTransmissions covers them.)
var faultRules = []struct {
	ending string
	final  invoicing.EStatus
}{
	{"01", invoicing.EStatusDelivered},
	{"95", invoicing.EStatusSent},
	{"98", invoicing.EStatusError},
	{"99", invoicing.EStatusRejected},
}

// run starts uploaders and posters, clients that send until ctx ends, and
// returns a wait for them to end. Numbers start with prefix, which must
// differ between runs on one database.
func (l *faultLoad) run(ctx context.Context, prefix string, uploaders, posters int) (wait func()) {
	var wg sync.WaitGroup
	for c := range uploaders {
		wg.Go(func() {
			for batch := 0; ctx.Err() == nil; batch++ {
				l.uploadInvoices(ctx, fmt.Sprintf("%s-U%d-%d", prefix, c, batch), 10)
			}
		})
	}
	for c := range posters {
		wg.Go(func() {
			for batch := 0; ctx.Err() == nil; batch++ {
				l.postEInvoices(ctx, fmt.Sprintf("%s-P%d-%d", prefix, c, batch), 5, c+batch)
				sleepCtx(ctx, 50*time.Millisecond)
			}
		})
	}
	return wg.Wait
}

// uploadInvoices uploads n invoices numbered prefix-0 ... in one request
// and returns its status (0 when there was no answer).
func (l *faultLoad) uploadInvoices(ctx context.Context, prefix string, n int) int {
	lines := max(l.lines, 1)
	line := `{"description":"Consulting services, hours at the agreed rate","quantity":1,"unit_price":10}`
	items := strings.TrimSuffix(strings.Repeat(line+",", lines), ",")
	recs := make([]string, n)
	for i := range n {
		recs[i] = fmt.Sprintf(`{"invoice_number":"%s-%d","customer_name":"Fault Test Customer","invoice_date":"2024-05-01","status":"draft",`+
			`"line_items":[%s],"subtotal":%d,"total_tax":0,"total":%d,"total_discount_amount":0}`, prefix, i, items, 10*lines, 10*lines)
	}
	var answer struct {
		Results []struct {
			Status string `json:"status"`
			Number string `json:"invoice_number"`
		} `json:"results"`
	}
	status := l.post(ctx, "/api/1/app/l_invoice/invoices/"+l.tok, "["+strings.Join(recs, ",")+"]", &answer)
	if status == http.StatusOK {
		l.mu.Lock()
		for _, r := range answer.Results {
			if r.Status == "success" {
				l.invoices[r.Number] = true
			}
		}
		l.mu.Unlock()
	}
	return status
}

// postEInvoices posts n e-invoices numbered prefix-0 ..., to receivers of
// the rules from the rule-th on, and returns the request's status.
func (l *faultLoad) postEInvoices(ctx context.Context, prefix string, n, rule int) int {
	recs := make([]string, n)
	finals := map[string]invoicing.EStatus{}
	for i := range n {
		r := faultRules[(rule+i)%len(faultRules)]
		num := fmt.Sprintf("%s-%d", prefix, i)
		finals[num] = r.final
		recs[i] = eInvoiceJSON(num, "0106:123456"+r.ending)
	}
	var answer struct {
		Results []struct {
			Status string `json:"status"`
			Data   struct {
				ID     int64  `json:"id"`
				Number string `json:"invoice_number"`
			} `json:"data"`
		} `json:"results"`
	}
	status := l.post(ctx, "/api/1/app/l_invoice/e_documents/invoices/"+l.tok+"/", "["+strings.Join(recs, ",")+"]", &answer)
	if status == http.StatusOK {
		l.mu.Lock()
		for _, r := range answer.Results {
			if r.Status == "success" {
				l.edocs[r.Data.Number] = ackedDoc{id: r.Data.ID, final: finals[r.Data.Number]}
			}
		}
		l.mu.Unlock()
	}
	return status
}

// post sends body, decodes a 200 answer into out, counts the answer, and
// returns its status: 0 when there was none (the server is down). A
// client whose request failed waits a little before its next.
func (l *faultLoad) post(ctx context.Context, path, body string, out any) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.base+path, strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := faultClient.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			l.count(0, err.Error())
			sleepCtx(ctx, 20*time.Millisecond)
		}
		return 0
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	status := resp.StatusCode
	if status == http.StatusOK && (err != nil || json.Unmarshal(b, out) != nil) {
		status = 0 // a 200 whose body broke off acknowledged nothing we can read
	}
	l.count(status, strings.TrimSpace(string(b)))
	if status != http.StatusOK {
		sleepCtx(ctx, 20*time.Millisecond)
	}
	return status
}

func (l *faultLoad) count(status int, body string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.answers[status]++
	if status != http.StatusOK {
		l.bodies[status] = body
	}
}

// takeAnswers returns how many requests were answered with each status
// since the last call, and the last body of each status but 200.
func (l *faultLoad) takeAnswers() (answers map[int]int, bodies map[int]string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	answers, bodies = l.answers, l.bodies
	l.answers, l.bodies = map[int]int{}, map[int]string{}
	return answers, bodies
}

// answerCounts are requests by the status they were answered with.
type answerCounts map[int]int

func (c answerCounts) add(o map[int]int) {
	for k, v := range o {
		c[k] += v
	}
}

// snapshot copies what was acknowledged so far.
func (l *faultLoad) snapshot() (invoices map[string]bool, edocs map[string]ackedDoc) {
	l.mu.Lock()
	defer l.mu.Unlock()
	invoices, edocs = map[string]bool{}, map[string]ackedDoc{}
	for k, v := range l.invoices {
		invoices[k] = v
	}
	for k, v := range l.edocs {
		edocs[k] = v
	}
	return invoices, edocs
}

// checkInvoices reads every invoice through the API and reports an
// acknowledged invoice that is missing and any number stored twice.
func (l *faultLoad) checkInvoices(t *testing.T, base string) (stored int) {
	t.Helper()
	return l.checkInvoiceNumbers(t, listInvoiceNumbers(t, base, l.tok))
}

// checkStoredInvoices does the same as checkInvoices, reading the store
// directly in pages of 1,000 (the API's are 100): the crash cycles store
// a hundred thousand invoices in their long version.
func (l *faultLoad) checkStoredInvoices(t *testing.T, st store.Store) (stored int) {
	t.Helper()
	seen := map[string]int{}
	for after := int64(0); ; {
		page, err := st.ListDocuments(t.Context(), 1, invoicing.KindInvoice, store.ListOptions{AfterID: after, Limit: 1000})
		if err != nil {
			t.Fatalf("ListDocuments: %v", err)
		}
		for _, d := range page {
			seen[d.Number]++
		}
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].ID
	}
	return l.checkInvoiceNumbers(t, seen)
}

func (l *faultLoad) checkInvoiceNumbers(t *testing.T, seen map[string]int) (stored int) {
	t.Helper()
	invoices, _ := l.snapshot()
	for num := range invoices {
		if seen[num] != 1 {
			t.Errorf("acknowledged invoice %s stored %d times", num, seen[num])
		}
	}
	for num, n := range seen {
		if n != 1 {
			t.Errorf("invoice %s stored %d times", num, n)
		}
	}
	return len(seen)
}

// checkEDocuments reports an acknowledged e-document the store does not
// have under its id and number.
func (l *faultLoad) checkEDocuments(t *testing.T, st store.Store) (stored int) {
	t.Helper()
	_, edocs := l.snapshot()
	docs := listAllEDocuments(t, st)
	for num, a := range edocs {
		if d, ok := docs[a.id]; !ok || d.Number != num {
			t.Errorf("acknowledged e-document %s (id %d) is missing (found %q)", num, a.id, d.Number)
		}
	}
	return len(docs)
}

// checkFinal waits until every e-document is final and no job is left
// (waitFinal), then checks that each acknowledged one ended as its
// receiver's rule says and that no two documents share a message id.
func (l *faultLoad) checkFinal(t *testing.T, st store.Store, within time.Duration) map[int64]invoicing.EDocument {
	t.Helper()
	final := waitAllFinal(t, st, within)
	_, edocs := l.snapshot()
	for num, a := range edocs {
		if d := final[a.id]; d.Status != a.final {
			t.Errorf("%s: %s (reason %q), want %s", num, d.Status, d.ErrorReason, a.final)
		}
	}
	ids := map[string]string{}
	for _, d := range final {
		if other, ok := ids[d.MessageID]; ok && d.MessageID != "" {
			t.Errorf("%s and %s share message id %s", d.Number, other, d.MessageID)
		}
		ids[d.MessageID] = d.Number
	}
	return final
}

// waitAllFinal waits until no document of merchant 1 is new or pending
// and no transmission job is left (a receipt check to come), and returns
// them all by id; past within it fails the test naming the busy ones.
func waitAllFinal(t *testing.T, st store.Store, within time.Duration) map[int64]invoicing.EDocument {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		// Jobs first: once none is left nothing changes any more (a
		// document and its job are written together), so the documents
		// read next are final. Read the other way round, a receipt check
		// finishing in between would leave a stale "sent".
		jobs, err := st.PendingTransmissions(t.Context())
		if err != nil {
			t.Fatalf("PendingTransmissions: %v", err)
		}
		docs := listAllEDocuments(t, st)
		var busy []string
		for _, d := range docs {
			if d.Status == invoicing.EStatusNew || d.Status == invoicing.EStatusPending {
				busy = append(busy, fmt.Sprintf("%s %s (%s)", d.Number, d.Status, d.ErrorReason))
			}
		}
		if len(busy) == 0 && jobs == 0 {
			return docs
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %d jobs open, documents not final: %s", within, jobs, strings.Join(busy, "; "))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// listAllEDocuments reads every e-document of merchant 1, by id.
func listAllEDocuments(t *testing.T, st store.Store) map[int64]invoicing.EDocument {
	t.Helper()
	docs := map[int64]invoicing.EDocument{}
	for after := int64(0); ; {
		page, err := st.ListEDocuments(t.Context(), 1, store.EDocumentListOptions{AfterID: after, Limit: 100})
		if err != nil {
			t.Fatalf("ListEDocuments: %v", err)
		}
		for _, d := range page {
			docs[d.ID] = d
		}
		if len(page) < 100 {
			return docs
		}
		after = page[len(page)-1].ID
	}
}

// openStoreT opens the database of a --db value beside the server; the
// caller closes it.
func openStoreT(t *testing.T, db string) store.Store {
	t.Helper()
	st, err := openStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// sqliteIntegrity opens the SQLite file read-only, as the crash left it
// (the WAL is read, nothing is written), and returns what
// PRAGMA integrity_check and PRAGMA foreign_key_check report: "ok" when
// all is well.
func sqliteIntegrity(t *testing.T, path string) string {
	t.Helper()
	dsn := (&url.URL{Scheme: "file", Path: path, RawQuery: "mode=ro"}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var problems []string
	for _, pragma := range []string{"PRAGMA integrity_check", "PRAGMA foreign_key_check"} {
		rows, err := db.Query(pragma)
		if err != nil {
			t.Fatalf("%s: %v", pragma, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			if s := fmt.Sprint(vals...); s != "ok" {
				problems = append(problems, pragma+": "+s)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%s: %v", pragma, err)
		}
		rows.Close()
	}
	if len(problems) == 0 {
		return "ok"
	}
	return strings.Join(problems, "; ")
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
