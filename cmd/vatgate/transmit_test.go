package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/testdb"
)

// pipelineArgs run the sandbox at a pace that leaves documents in every
// state when the server is killed: receivers answer a second after the
// send, a dead instance's leases run out three seconds after its claim (so
// a first send to a "96" receiver times out after 1.5s), and eight
// transmissions run at once.
var pipelineArgs = []string{"--sandbox-delay", "1s", "--transmit-lease", "3s", "--workers", "8"}

// receiverRules are the sandbox endings the test posts to, with the status
// each document must end in.
var receiverRules = []struct {
	ending string
	final  invoicing.EStatus
}{
	{"01", invoicing.EStatusDelivered},
	{"42", invoicing.EStatusDelivered},
	{"88", invoicing.EStatusDelivered},
	{"95", invoicing.EStatusSent}, // never answered
	{"96", invoicing.EStatusDelivered},
	{"97", invoicing.EStatusDelivered},
	{"98", invoicing.EStatusError},
	{"99", invoicing.EStatusRejected},
}

// TestKillDuringTransmissions kills the server with SIGKILL while clients
// post e-invoices and the pipeline transmits them, restarts it, and checks
// that every acknowledged document reaches its receiver's final state with
// one message id, recorded as sent once, and that no job is left.
func TestKillDuringTransmissions(t *testing.T) {
	bin := vatgateBinary(t)
	dbs := map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "pipeline.db")}
	if os.Getenv(testdb.PostgresEnv) != "" {
		dbs["postgres"] = testdb.PostgresSchemaURL(t)
	}
	for name, db := range dbs {
		t.Run(name, func(t *testing.T) {
			tok := binaryMerchantToken(t, bin, db, "Pipeline Crash")
			logs := filepath.Join(t.TempDir(), "serve")

			addr := freeAddr(t)
			srv := startPipelineServer(t, bin, db, addr, logs+"-1.log")
			acked := postUntilKilled(t, "http://"+addr, tok, srv)
			if len(acked) == 0 {
				t.Fatal("no e-document was acknowledged before the kill")
			}
			_ = srv.Wait()

			addr = freeAddr(t)
			srv = startPipelineServer(t, bin, db, addr, logs+"-2.log")
			st := mustOpenStore(t, db)
			restarted := time.Now()
			final := waitFinal(t, st, 60*time.Second)
			t.Logf("all final %v after the restart", time.Since(restarted))
			if err := srv.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			_ = srv.Wait()

			messageIDs := map[string]int64{}
			for id, d := range final {
				if d.MessageID == "" {
					t.Errorf("%s has no message id", d.Number)
				} else if other, ok := messageIDs[d.MessageID]; ok {
					t.Errorf("%s and document %d share message id %s", d.Number, other, d.MessageID)
				}
				messageIDs[d.MessageID] = id
			}
			for number, a := range acked {
				d, ok := final[a.id]
				switch {
				case !ok:
					t.Errorf("acknowledged %s (document %d) is missing", number, a.id)
				case d.Number != number:
					t.Errorf("document %d is %s, acknowledged as %s", a.id, d.Number, number)
				case d.Status != a.final:
					t.Errorf("%s: %s (reason %q), want %s", number, d.Status, d.ErrorReason, a.final)
				}
			}
			if n, err := st.PendingTransmissions(t.Context()); err != nil || n != 0 {
				t.Errorf("PendingTransmissions = %d, %v; want 0", n, err)
			}
			// Both runs' logs: every message id was recorded as accepted by
			// the access point (or refused) once, never twice.
			recorded := map[string]int{}
			for _, f := range []string{logs + "-1.log", logs + "-2.log"} {
				for _, e := range transmissionLog(t, f) {
					if !e.ReceiptCheck && e.Status != string(invoicing.EStatusPending) {
						recorded[e.MessageID]++
					}
				}
			}
			for id, n := range recorded {
				if n != 1 {
					t.Errorf("message id %s recorded as sent %d times", id, n)
				}
				if _, ok := messageIDs[id]; !ok {
					t.Errorf("the log names message id %s, which no document has", id)
				}
			}
			// A kill between the commit of a batch of outcomes and their log
			// lines loses those lines: the worker records outcomes in batches
			// of what arrived during the previous commit, at most the jobs it
			// holds at once (4 x --workers = 32).
			const maxUnlogged = 4 * 8
			unlogged := 0
			for id := range messageIDs {
				if recorded[id] == 0 {
					unlogged++
				}
			}
			if unlogged > maxUnlogged {
				t.Errorf("%d documents' transmissions are not in the logs", unlogged)
			}
			t.Logf("%d e-documents acknowledged before the kill, %d stored, all final", len(acked), len(final))
		})
	}
}

// startPipelineServer runs `vatgate serve` with the sandbox at test pace,
// its log in logFile, and waits until /healthz answers.
func startPipelineServer(t *testing.T, bin, db, addr, logFile string) *exec.Cmd {
	t.Helper()
	f, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	cmd := exec.Command(bin, append([]string{"serve", "--addr", addr, "--db", db}, pipelineArgs...)...)
	cmd.Stderr = f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	waitHealthy(t, addr)
	return cmd
}

type ackedDoc struct {
	id    int64
	final invoicing.EStatus
}

// postUntilKilled runs two clients posting batches of five e-invoices to
// receivers of every rule, kills the server after a while, and returns the
// acknowledged documents by number.
func postUntilKilled(t *testing.T, base, tok string, srv *exec.Cmd) map[string]ackedDoc {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	acked := map[string]ackedDoc{}
	var wg sync.WaitGroup
	for c := range 2 {
		wg.Go(func() {
			for batch := 0; ctx.Err() == nil; batch++ {
				var recs []string
				finals := map[string]invoicing.EStatus{}
				for i := range 5 {
					rule := receiverRules[(c+batch*5+i)%len(receiverRules)]
					num := fmt.Sprintf("K%d-%d-%d", c, batch, i)
					finals[num] = rule.final
					recs = append(recs, eInvoiceJSON(num, "0106:123456"+rule.ending))
				}
				resp, err := http.Post(base+"/api/1/app/l_invoice/e_documents/invoices/"+tok+"/", "application/json",
					strings.NewReader("["+strings.Join(recs, ",")+"]"))
				if err != nil {
					return // the server is gone
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
				err = json.NewDecoder(resp.Body).Decode(&answer)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 {
					return
				}
				mu.Lock()
				for _, r := range answer.Results {
					if r.Status == "success" {
						acked[r.Data.Number] = ackedDoc{id: r.Data.ID, final: finals[r.Data.Number]}
					}
				}
				mu.Unlock()
				time.Sleep(100 * time.Millisecond)
			}
		})
	}
	time.Sleep(2500 * time.Millisecond)
	if err := srv.Process.Kill(); err != nil { // SIGKILL: no shutdown, leases held
		t.Fatal(err)
	}
	wg.Wait()
	return acked
}

// eInvoiceJSON is a valid e-invoice to a Dutch customer with peppolID.
func eInvoiceJSON(number, peppolID string) string {
	return fmt.Sprintf(`{"invoice_number":%q,"created_date":"2024-01-15","currency":"EUR",
		"customer":"Klant BV","customer_street":"Keizersgracht 1","customer_city":"Amsterdam","customer_postal_code":"1015 CJ",
		"customer_peppol_id":%q,"customer_country":"NLD",
		"supplier":"Your Company Ltd","supplier_street":"456 Supplier Avenue","supplier_city":"London","supplier_postal_code":"SW1A 1AA",
		"supplier_peppol_id":"GB987654321","supplier_tax_number":"GB987654321","supplier_country":"GBR",
		"subtotal":100.00,"tax":20.00,"total":120.00,"tax_rate":20.0,
		"line_items":[{"description":"Services","quantity":1,"unit_price":100.00,"is_taxable":true}]}`, number, peppolID)
}

// mustOpenStore opens the database of a --db value alongside the server.
func mustOpenStore(t *testing.T, db string) store.Store {
	t.Helper()
	s, err := openStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// finalStore is what waitFinal reads.
type finalStore interface {
	ListEDocuments(ctx context.Context, merchantID int64, opt store.EDocumentListOptions) ([]invoicing.EDocument, error)
	PendingTransmissions(ctx context.Context) (int, error)
}

// waitFinal waits until no document of merchant 1 is new or pending, and
// none is sent with a job still open (a receipt check to come), and
// returns them all by id.
//
// It counts the jobs before it reads the documents: once no job is left
// nothing changes any more (a document's status and its job are written
// in one transaction, and the test posts nothing after the restart), so
// the documents read next are final. Read the other way round, a receipt
// check that ends between the two reads (document delivered, job deleted)
// leaves a stale "sent" in a snapshot that looks final.
func waitFinal(t *testing.T, st finalStore, within time.Duration) map[int64]invoicing.EDocument {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		jobs, err := st.PendingTransmissions(t.Context())
		if err != nil {
			t.Fatalf("PendingTransmissions: %v", err)
		}
		docs := map[int64]invoicing.EDocument{}
		busy := 0
		for after := int64(0); ; {
			page, err := st.ListEDocuments(t.Context(), 1, store.EDocumentListOptions{AfterID: after, Limit: 100})
			if err != nil {
				t.Fatalf("ListEDocuments: %v", err)
			}
			for _, d := range page {
				docs[d.ID] = d
				if d.Status == invoicing.EStatusNew || d.Status == invoicing.EStatusPending {
					busy++
				}
			}
			if len(page) < 100 {
				break
			}
			after = page[len(page)-1].ID
		}
		if busy == 0 && jobs == 0 {
			return docs
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %d documents new or pending, %d jobs open", within, busy, jobs)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// receiptEndsWhileListed is a store whose one document is sent with its
// receipt check open until the documents are first listed; the check ends
// (delivered, job deleted) right after that read, as it did in the flaky
// runs of TestKillDuringTransmissions.
type receiptEndsWhileListed struct {
	mu     sync.Mutex
	doc    invoicing.EDocument
	jobs   int
	listed bool
}

func (s *receiptEndsWhileListed) ListEDocuments(context.Context, int64, store.EDocumentListOptions) ([]invoicing.EDocument, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	page := []invoicing.EDocument{s.doc}
	if !s.listed {
		s.listed = true
		s.doc.Status, s.jobs = invoicing.EStatusDelivered, 0
	}
	return page, nil
}

func (s *receiptEndsWhileListed) PendingTransmissions(context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.jobs, nil
}

// TestWaitFinalNotStale: a receipt check ending between waitFinal's reads
// does not make it return the document as sent.
func TestWaitFinalNotStale(t *testing.T) {
	st := &receiptEndsWhileListed{doc: invoicing.EDocument{ID: 1, Number: "K0-0-0", Status: invoicing.EStatusSent}, jobs: 1}
	final := waitFinal(t, st, 5*time.Second)
	if got := final[1].Status; got != invoicing.EStatusDelivered {
		t.Errorf("waitFinal returned %s, want delivered", got)
	}
}

// logEntry is a "transmission" line of the server's JSON log.
type logEntry struct {
	Msg          string `json:"msg"`
	MessageID    string `json:"message_id"`
	Status       string `json:"status"`
	ReceiptCheck bool   `json:"receipt_check"`
}

func transmissionLog(t *testing.T, path string) []logEntry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []logEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e logEntry
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.Msg == "transmission" {
			out = append(out, e)
		}
	}
	return out
}

// TestServeTransportFlags: a transport that cannot be configured stops
// serve before it opens the database, naming the mistake.
func TestServeTransportFlags(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "never.db")
	tests := []struct {
		args  []string
		usage bool   // exit code 2
		want  string // in the error
	}{
		{[]string{"--transport", "smtp"}, true, `--transport "smtp": want sandbox or http`},
		{[]string{"--ap-url", "https://ap.example"}, true, "--ap-* settings are for --transport http"},
		{[]string{"--workers", "0"}, true, "--workers must be at least 1"},
		{[]string{"--transmit-lease", "1s"}, true, "--transmit-lease must be at least 2s"},
		{[]string{"--transport", "http"}, false, "accesspoint: no URL"},
		{[]string{"--transport", "http", "--ap-url", "http://ap.example"}, false, "must be reached over https"},
		{[]string{"--transport", "http", "--ap-url", "https://ap.example"}, false, "no callback secret"},
		{[]string{"--transport", "http", "--ap-url", "https://ap.example", "--ap-timeout", "90s"}, true,
			"--transmit-lease 2m0s must be at least twice --ap-timeout 1m30s"},
	}
	for _, tt := range tests {
		_, _, err := vatgate(t, append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, tt.args...)...)
		if err == nil || !strings.Contains(err.Error(), tt.want) || (exitCode(err) == 2) != tt.usage {
			t.Errorf("serve %v: %v (exit %d), want %q (usage %v)", tt.args, err, exitCode(err), tt.want, tt.usage)
		}
	}
	if _, err := os.Stat(strings.TrimPrefix(db, "sqlite:")); !os.IsNotExist(err) {
		t.Errorf("the database was created: %v", err)
	}
}
