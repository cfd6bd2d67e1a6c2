package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// storageFullBody is the answer of a write refused because the database's
// disk is full.
const storageFullBody = `{"status":507,"message":"storage full; retry later"}`

// TestFaultDiskFull puts the SQLite database on a small tmpfs beside
// filler files, and uploads invoices until the disk is full. Every upload
// is then answered 200 (a write that still fits) or 507 storageFullBody,
// never 500; reads and /healthz still answer; the server keeps running.
// Once a filler is removed, uploads succeed again without a restart (and
// fill the disk again, round after round with VATGATE_FAULT_LONG).
// After a kill -9 the file passes PRAGMA integrity_check, and every
// acknowledged invoice is there exactly once, and no invoice of a refused
// upload is (the refused transaction left nothing behind).
//
// Mounting needs root; without it the test skips (a filesystem that does
// not fill proves nothing). CI runs as root.
func TestFaultDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	rounds := 1
	if faultLong() {
		rounds = 4
	}
	mnt := filepath.Join(t.TempDir(), "small")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%dm", 6+2*rounds), "tmpfs", mnt).CombinedOutput(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("mount tmpfs: %v: %s", err, out)
		}
		t.Skipf("mount tmpfs (root, but not allowed here): %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount: %v: %s", err, out)
		}
	})
	path := filepath.Join(mnt, "vatgate.db")
	db := "sqlite:" + path
	bin := vatgateBinary(t)
	tok := newMerchant(t, db)
	logFile := keptLogFile(t, "serve.log")
	addr := freeAddr(t)
	srv := startFaultServer(t, bin, db, addr, logFile, "--no-worker")
	base := "http://" + addr
	load := newFaultLoad(base, tok)
	load.lines = 5
	refused := map[string]bool{} // prefixes of uploads answered 507

	// One filler file per round, removed to free space at the round's end:
	// 2 MiB, more than a checkpoint of the WAL (at most 4 MiB, about half
	// of it new pages) takes of what it frees.
	fillers := make([]string, rounds)
	for i := range fillers {
		fillers[i] = filepath.Join(mnt, fmt.Sprintf("filler-%d", i))
		if err := os.WriteFile(fillers[i], make([]byte, 2<<20), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for round, filler := range fillers {
		// Fill the disk: upload until one is refused.
		full := false
		for batch := 0; batch < 2000 && !full; batch++ {
			prefix := fmt.Sprintf("F%d-%d", round, batch)
			switch status := load.uploadInvoices(context.Background(), prefix, 100); status {
			case 200:
			case 507:
				refused[prefix], full = true, true
			default:
				t.Fatalf("round %d: upload %d answered %d, want 200 or 507", round, batch, status)
			}
		}
		if !full {
			t.Fatalf("round %d: the disk never filled", round)
		}
		// Full: writes are refused (or fit), reads and health answer.
		for i := range 5 {
			prefix := fmt.Sprintf("G%d-%d", round, i)
			switch status := load.uploadInvoices(context.Background(), prefix, 100); status {
			case 200:
			case 507:
				refused[prefix] = true
			default:
				t.Errorf("round %d: upload on a full disk answered %d", round, status)
			}
		}
		if status, body := faultDo(t, "GET", base+"/api/1/app/l_invoice/invoices/"+tok+"?limit=100", ""); status != 200 {
			t.Errorf("round %d: a read on a full disk answered %d %s", round, status, body)
		}
		if status, _ := faultDo(t, "GET", base+"/healthz", ""); status != 200 {
			t.Errorf("round %d: /healthz on a full disk answered %d", round, status)
		}
		answers, bodies := load.takeAnswers()
		if answers[507] == 0 || bodies[507] != storageFullBody {
			t.Errorf("round %d: answers %v, 507 body %s; want some 507 %s", round, answers, bodies[507], storageFullBody)
		}

		// Space returns: uploads succeed again, at once.
		if err := os.Remove(filler); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if status := load.uploadInvoices(context.Background(), fmt.Sprintf("H%d-%d", round, i), 20); status != 200 {
				_, bodies := load.takeAnswers()
				t.Fatalf("round %d: upload %d after space returned answered %d %s", round, i, status, bodies[status])
			}
		}
		t.Logf("round %d: full after %d uploads of 100 invoices; answers %v", round, answers[200], answers)
		if srv.ProcessState != nil {
			t.Fatalf("the server exited: %v", srv.ProcessState)
		}
	}

	if err := srv.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = srv.Wait()
	if got := sqliteIntegrity(t, path); got != "ok" {
		t.Fatalf("after the kill: %s", got)
	}
	addr = freeAddr(t)
	startFaultServer(t, bin, db, addr, logFile, "--no-worker")
	stored := load.checkInvoices(t, "http://"+addr)
	seen := listInvoiceNumbers(t, "http://"+addr, tok)
	for num := range seen {
		prefix := num[:strings.LastIndex(num, "-")]
		if refused[prefix] {
			t.Errorf("invoice %s of a refused upload is stored", num)
		}
	}
	acked, _ := load.snapshot()
	t.Logf("%d invoices acknowledged, %d stored; %d uploads refused", len(acked), stored, len(refused))
}
