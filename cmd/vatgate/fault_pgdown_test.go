package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/faulttest"
	"github.com/vatgate/vatgate/internal/testdb"
)

// unavailableBody is the answer of every request that needs the database
// while it is down.
const unavailableBody = `{"status":503,"message":"database unavailable; retry later"}`

// TestFaultPostgresDown puts a TCP proxy between vatgate and PostgreSQL
// (the machine's PostgreSQL is shared with other tests and stays up) and
// cuts it under load: every open connection reset, new ones refused. While
// it is cut, requests answer 503 unavailableBody at once and /readyz 503;
// nothing answers 500 and the server keeps running. Once the proxy is back,
// requests succeed again without a restart, every acknowledged invoice is
// there exactly once and the e-documents posted before the cut all reach
// their final state.
func TestFaultPostgresDown(t *testing.T) {
	base := testdb.PostgresSchemaURL(t) // skips without VATGATE_TEST_POSTGRES
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	proxy := faulttest.StartProxy(t, u.Host)
	db, err := faulttest.WithHost(base, proxy.Addr())
	if err != nil {
		t.Fatal(err)
	}
	outages := 1
	downFor := 1500 * time.Millisecond
	if faultLong() {
		outages, downFor = 5, 15*time.Second
	}
	outage := func() (restore func()) {
		proxy.Cut()
		return func() {
			if err := proxy.Restore(); err != nil {
				t.Fatal(err)
			}
		}
	}
	runOutages(t, db, outages, downFor, outage)
}

// TestFaultPostgresStopped is the long version: a PostgreSQL cluster of the
// test's own, stopped with `pg_ctl stop -m immediate` (a crash: backends
// killed, no checkpoint) under load and started again (crash recovery,
// then "the database system is starting up" until it accepts), several
// times. The same answers are expected as with the proxy.
// VATGATE_FAULT_LONG=1 (scripts/faults-long.sh) runs it.
func TestFaultPostgresStopped(t *testing.T) {
	if !faultLong() {
		t.Skip("stops a PostgreSQL cluster of its own; set " + faultLongEnv + "=1 (scripts/faults-long.sh)")
	}
	cluster := faulttest.StartCluster(t)
	outage := func() (restore func()) {
		if err := cluster.Stop("immediate"); err != nil {
			t.Fatal(err)
		}
		return func() {
			if err := cluster.Start(); err != nil {
				t.Fatal(err)
			}
		}
	}
	runOutages(t, cluster.URL("postgres"), 3, 10*time.Second, outage)
}

// runOutages serves db under load and, outages times, takes the database
// away with outage for downFor, checking the answers while it is away and
// after it is back, then the records.
func runOutages(t *testing.T, db string, outages int, downFor time.Duration, outage func() (restore func())) {
	bin := vatgateBinary(t)
	tok := newMerchant(t, db)
	addr := freeAddr(t)
	srv := startFaultServer(t, bin, db, addr, keptLogFile(t, "serve.log"),
		"--sandbox-delay", "200ms", "--transmit-lease", "3s")
	base := "http://" + addr
	load := newFaultLoad(base, tok)

	ctx, cancel := context.WithCancel(context.Background())
	wait := load.run(ctx, "B0", 2, 1)
	time.Sleep(700 * time.Millisecond)
	for o := range outages {
		restore := outage()
		cutAt := time.Now()
		load.takeAnswers() // the answers from here on are the outage's
		// Give the pool time to lose every connection, then probe.
		time.Sleep(300 * time.Millisecond)
		for _, p := range []struct{ method, path, body string }{
			{"GET", "/api/1/app/l_invoice/invoices/" + tok, ""},
			{"POST", "/api/1/app/l_invoice/invoices/" + tok, `[{"invoice_number":"PROBE-` + fmt.Sprint(o) + `","customer_name":"P","invoice_date":"2024-05-01",` +
				`"status":"draft","line_items":[{"description":"x","quantity":1,"unit_price":1}],"subtotal":1,"total_tax":0,"total":1,"total_discount_amount":0}]`},
			{"PUT", "/api/1/app/l_invoice/invoices/" + tok + "/1", `{"status":"paid"}`},
			{"GET", "/api/1/app/l_invoice/e_documents/" + tok, ""},
		} {
			start := time.Now()
			status, body := faultDo(t, p.method, base+p.path, p.body)
			if took := time.Since(start); status != 503 || body != unavailableBody || took > 3*time.Second {
				t.Errorf("outage %d: %s %s answered %d %s after %v; want 503 %s at once", o, p.method, strings.SplitN(p.path, "/", 6)[5], status, body, took, unavailableBody)
			}
		}
		if status, body := faultDo(t, "GET", base+"/readyz", ""); status != 503 {
			t.Errorf("outage %d: /readyz answered %d %s; want 503", o, status, body)
		}
		time.Sleep(time.Until(cutAt.Add(downFor)))

		restore()
		backAt := time.Now()
		down, bodies := load.takeAnswers()
		checkOutageAnswers(t, fmt.Sprintf("outage %d, while down", o), down, bodies, true)

		// Back without a restart: a request succeeds within a few seconds
		// (the pool drops the connections it still holds from before).
		for {
			status, body := faultDo(t, "GET", base+"/api/1/app/l_invoice/invoices/"+tok+"?limit=1", "")
			if status == 200 {
				break
			}
			if status != 503 || time.Since(backAt) > 10*time.Second {
				t.Fatalf("outage %d: %v after the database came back: %d %s", o, time.Since(backAt), status, body)
			}
			time.Sleep(50 * time.Millisecond)
		}
		recovered := time.Since(backAt)
		load.takeAnswers()
		time.Sleep(1 * time.Second)
		back, bodies := load.takeAnswers()
		checkOutageAnswers(t, fmt.Sprintf("outage %d, once back", o), back, bodies, false)
		t.Logf("outage %d: down %v, answers meanwhile %v; requests succeed %v after it came back; in the next second %v",
			o, downFor.Round(time.Millisecond), down, recovered.Round(time.Millisecond), back)
	}
	cancel()
	wait()
	if srv.ProcessState != nil {
		t.Fatalf("the server exited: %v", srv.ProcessState)
	}
	invoices := load.checkInvoices(t, base)
	st := openStoreT(t, db)
	defer st.Close()
	load.checkEDocuments(t, st)
	load.checkFinal(t, st, 20*time.Second)
	acked, ackedE := load.snapshot()
	t.Logf("%d invoices and %d e-documents acknowledged, %d invoices stored", len(acked), len(ackedE), invoices)
}

// checkOutageAnswers checks the load's answers: while down, 200 (answered
// before the cut) or 503 with unavailableBody, and some 503; once back,
// 200 only. Never 500, never no answer: the server stays up.
func checkOutageAnswers(t *testing.T, phase string, answers map[int]int, bodies map[int]string, down bool) {
	t.Helper()
	for status, n := range answers {
		switch {
		case status == 200:
		case status == 503 && down && bodies[503] == unavailableBody:
		default:
			t.Errorf("%s: %d requests answered %d: %s", phase, n, status, bodies[status])
		}
	}
	if down && answers[503] == 0 {
		t.Errorf("%s: no request answered 503 (answers %v)", phase, answers)
	}
}

// faultDo sends one request and returns its status and body without the
// trailing newline.
func faultDo(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := faultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}
