package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/testdb"
)

// buildBinary compiles vatgate once per test run.
var buildOnce struct {
	sync.Once
	path string
	err  error
}

func vatgateBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "vatgate-bin")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.path = filepath.Join(dir, "vatgate")
		out, err := exec.Command("go", "build", "-o", buildOnce.path, ".").CombinedOutput()
		if err != nil {
			buildOnce.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildOnce.err != nil {
		t.Fatal(buildOnce.err)
	}
	return buildOnce.path
}

// binaryMerchantToken creates a merchant with the built binary and returns
// its token, the last line of the command's output.
func binaryMerchantToken(t *testing.T, bin, db, name string) string {
	t.Helper()
	out, err := exec.Command(bin, "merchant", "create", "--name", name, "--db", db).Output()
	if err != nil {
		t.Fatalf("merchant create: %v", err)
	}
	return lastLine(string(out))
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServer runs `vatgate serve` and waits until /healthz answers. The
// clients below send far more than 100 uploads a minute with one token:
// the request limit is lifted so that the kill lands during uploads.
func startServer(t *testing.T, bin, db, addr string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", addr, "--db", db, "--rate-limit-invoice", "0")
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	waitHealthy(t, addr)
	return cmd
}

// TestKillDuringBulkUploads kills the server with SIGKILL while clients
// stream bulk uploads, restarts it, and checks that every invoice whose
// upload was acknowledged is there exactly once.
func TestKillDuringBulkUploads(t *testing.T) {
	bin := vatgateBinary(t)
	dbs := map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "crash.db")}
	if os.Getenv(testdb.PostgresEnv) != "" {
		dbs["postgres"] = testdb.PostgresSchemaURL(t)
	}
	for name, db := range dbs {
		t.Run(name, func(t *testing.T) {
			tok := binaryMerchantToken(t, bin, db, "Crash Test")
			addr := freeAddr(t)
			srv := startServer(t, bin, db, addr)

			acked := streamUntilKilled(t, "http://"+addr, tok, srv)
			if len(acked) == 0 {
				t.Fatal("no upload was acknowledged before the kill")
			}
			_ = srv.Wait()

			addr = freeAddr(t)
			startServer(t, bin, db, addr)
			stored := listInvoiceNumbers(t, "http://"+addr, tok)
			for num := range acked {
				if stored[num] != 1 {
					t.Errorf("acknowledged invoice %s stored %d times", num, stored[num])
				}
			}
			for num, n := range stored {
				if n != 1 {
					t.Errorf("invoice %s stored %d times", num, n)
				}
			}
			t.Logf("%d invoices acknowledged before the kill, %d stored", len(acked), len(stored))
		})
	}
}

// streamUntilKilled runs four clients uploading batches of 10 invoices,
// kills the server after a while, and returns the acknowledged numbers.
func streamUntilKilled(t *testing.T, base, tok string, srv *exec.Cmd) map[string]bool {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	acked := map[string]bool{}
	var wg sync.WaitGroup
	for c := 0; c < 4; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := 0; ctx.Err() == nil; batch++ {
				var nums []string
				var recs []string
				for i := 0; i < 10; i++ {
					num := fmt.Sprintf("C%d-B%d-%d", c, batch, i)
					nums = append(nums, num)
					recs = append(recs, fmt.Sprintf(`{"invoice_number":%q,"customer_name":"Crash","invoice_date":"2024-05-01","status":"draft","line_items":[{"description":"x","quantity":1,"unit_price":10}],"subtotal":10,"total_tax":0,"total":10,"total_discount_amount":0}`, num))
				}
				resp, err := http.Post(base+"/api/1/app/l_invoice/invoices/"+tok, "application/json", strings.NewReader("["+strings.Join(recs, ",")+"]"))
				if err != nil {
					return // the server is gone
				}
				var answer struct {
					Results []struct {
						Status string `json:"status"`
						Number string `json:"invoice_number"`
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
						acked[r.Number] = true
					}
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	if err := srv.Process.Kill(); err != nil { // SIGKILL: no shutdown, no flush
		t.Fatal(err)
	}
	wg.Wait()
	return acked
}

// listInvoiceNumbers reads every invoice through the paginated list.
func listInvoiceNumbers(t *testing.T, base, tok string) map[string]int {
	t.Helper()
	seen := map[string]int{}
	cursor := ""
	for {
		resp, err := http.Get(base + "/api/1/app/l_invoice/invoices/" + tok + "?limit=100&cursor=" + cursor)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var page struct {
			Invoices []struct {
				Number string `json:"invoice_number"`
			} `json:"invoices"`
			NextCursor *string `json:"next_cursor"`
		}
		if err := json.NewDecoder(bytes.NewReader(body)).Decode(&page); err != nil {
			t.Fatalf("list: %v: %s", err, body)
		}
		for _, inv := range page.Invoices {
			seen[inv.Number]++
		}
		if page.NextCursor == nil {
			return seen
		}
		cursor = *page.NextCursor
	}
}
