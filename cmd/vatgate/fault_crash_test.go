package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/testdb"
)

// crashArgs pace the sandbox for the crash cycles: receivers answer 200ms
// after the send, a dead instance's leases end 3s after its claims, eight
// transmissions run at once.
var crashArgs = []string{"--sandbox-delay", "200ms", "--transmit-lease", "3s", "--workers", "8"}

// TestFaultCrashCycles kills the server with SIGKILL, cycle after cycle,
// while clients upload invoices in bulk and post e-invoices that the
// pipeline transmits. After each kill the SQLite file, opened read-only as
// the crash left it, passes PRAGMA integrity_check and foreign_key_check;
// after each restart every acknowledged invoice is there exactly once,
// every acknowledged e-document is there, and within a short wait every
// e-document reaches its receiver's final state (sent, for the receiver
// that never answers), no job is left, and no two share a message id.
func TestFaultCrashCycles(t *testing.T) {
	cycles := 3
	if faultLong() {
		cycles = 20
	}
	bin := vatgateBinary(t)
	dir := t.TempDir()
	dbs := map[string]string{"sqlite": "sqlite:" + filepath.Join(dir, "cycles.db")}
	if os.Getenv(testdb.PostgresEnv) != "" {
		dbs["postgres"] = testdb.PostgresSchemaURL(t)
	}
	for name, db := range dbs {
		t.Run(name, func(t *testing.T) {
			tok := newMerchant(t, db)
			logFile := keptLogFile(t, "serve.log")
			load := newFaultLoad("", tok)
			total := answerCounts{}
			for cycle := range cycles {
				addr := freeAddr(t)
				srv := startFaultServer(t, bin, db, addr, logFile, crashArgs...)
				base := "http://" + addr
				if cycle > 0 {
					checkAfterRestart(t, load, base, db)
				}

				load.base = base
				ctx, cancel := context.WithCancel(context.Background())
				wait := load.run(ctx, fmt.Sprintf("K%d", cycle), 3, 2)
				time.Sleep(time.Duration(600+rand.IntN(900)) * time.Millisecond)
				if err := srv.Process.Kill(); err != nil { // SIGKILL: no shutdown, no flush, leases held
					t.Fatal(err)
				}
				_ = srv.Wait()
				cancel()
				wait()
				// Requests answered before the kill succeeded; the others
				// got no answer (0).
				answers, bodies := load.takeAnswers()
				for status, n := range answers {
					if status != 200 && status != 0 {
						t.Errorf("cycle %d: %d requests answered %d: %s", cycle, n, status, bodies[status])
					}
				}
				total.add(answers)

				if name == "sqlite" {
					if got := sqliteIntegrity(t, filepath.Join(dir, "cycles.db")); got != "ok" {
						t.Fatalf("cycle %d: after the kill: %s", cycle, got)
					}
				}
				if t.Failed() {
					t.FailNow()
				}
			}
			addr := freeAddr(t)
			startFaultServer(t, bin, db, addr, logFile, crashArgs...)
			invoices, edocs := checkAfterRestart(t, load, "http://"+addr, db)
			acked, ackedE := load.snapshot()
			t.Logf("%d kills: %d invoices and %d e-documents acknowledged, %d and %d stored; answers by status %v",
				cycles, len(acked), len(ackedE), invoices, edocs, total)
			if len(acked) == 0 || len(ackedE) == 0 {
				t.Errorf("nothing acknowledged: the clients did not get through")
			}
		})
	}
}

// checkAfterRestart checks the records after a restart: every acknowledged
// invoice once, every acknowledged e-document there, and all of them final
// within a short wait.
func checkAfterRestart(t *testing.T, load *faultLoad, base, db string) (invoices, edocs int) {
	t.Helper()
	if status, body := faultDo(t, "GET", base+"/api/1/app/l_invoice/invoices/"+load.tok+"?limit=100", ""); status != 200 {
		t.Fatalf("after the restart: list answered %d %s", status, body)
	}
	st := openStoreT(t, db)
	defer st.Close()
	invoices = load.checkStoredInvoices(t, st)
	edocs = load.checkEDocuments(t, st)
	start := time.Now()
	load.checkFinal(t, st, 20*time.Second)
	t.Logf("restart: %d invoices, %d e-documents, all final after %v", invoices, edocs, time.Since(start).Round(time.Millisecond))
	return invoices, edocs
}
