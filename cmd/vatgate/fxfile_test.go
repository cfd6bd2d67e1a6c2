package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// serve --fx-file (or VATGATE_FX_FILE) extends the embedded ECB snapshot,
// which ends 2026-04-13, with a newer ECB file: an OMP answer that needs a
// rate of a later day is refused without it and given with it.
func TestServeFXFile(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "fx.db")
	out, _, err := vatgate(t, "merchant", "create", "--name", "Shop", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	tok := lastLine(out)
	// The ECB's one-day file, as eurofxref.csv is published.
	file := filepath.Join(dir, "eurofxref.csv")
	if err := os.WriteFile(file, []byte("Date, USD, JPY, GBP, \n20 November 2026, 1.1500, 180.00, 0.87000, \n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Pounds into Germany on 2026-11-20: the EUR 150 threshold needs GBP.
	body := `{"invoice_id":"GB-1","marketplace_establishment_country_id":"GBR","vendor_establishment_country_id":"GBR",
		"order_currency":"GBP","order_date":"2026-11-20","order_amount":87,"arrival_country":"DEU","departure_country":"GBR"}`

	status, answer, logs := serveOnce(t, nil, tok, body, "--db", db)
	if status != 422 || !strings.Contains(answer, "no exchange rate for GBP on 2026-11-20") {
		t.Errorf("without --fx-file: %d %s", status, answer)
	}
	if !strings.Contains(logs, `"msg":"exchange rates","first":"1999-01-04","last":"2026-04-13"`) {
		t.Errorf("the span in force is not logged:\n%s", logs)
	}

	status, answer, logs = serveOnce(t, nil, tok, body, "--db", db, "--fx-file", file)
	if status != 200 || !strings.Contains(answer, `"converted_value":100,`) ||
		!strings.Contains(answer, `{"currency":"GBP","per_eur":0.87,"published":"2026-11-20"}`) {
		t.Errorf("with --fx-file: %d %s", status, answer)
	}
	if !strings.Contains(logs, `"msg":"exchange rates","first":"1999-01-04","last":"2026-11-20","file":"`+file+`"`) {
		t.Errorf("the span in force is not logged:\n%s", logs)
	}

	env := map[string]string{"VATGATE_FX_FILE": file}
	if status, answer, _ = serveOnce(t, env, tok, body, "--db", db); status != 200 {
		t.Errorf("with VATGATE_FX_FILE: %d %s", status, answer)
	}
}

// A file that is not an ECB file stops the start, naming it.
func TestServeFXFileBroken(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "rates.csv")
	if err := os.WriteFile(file, []byte("Day,USD\n2026-11-20,1.15\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{file, filepath.Join(dir, "missing.csv")} {
		_, _, err := vatgate(t, "serve", "--addr", "127.0.0.1:0", "--db", "sqlite:"+filepath.Join(dir, "x.db"), "--fx-file", f)
		if err == nil || !strings.Contains(err.Error(), "--fx-file") || exitCode(err) != 1 {
			t.Errorf("--fx-file %s: %v", f, err)
		}
	}
}

// serveOnce runs serve in-process with args and env, sends one OMP request
// with tok, stops the server and returns the answer and the log.
func serveOnce(t *testing.T, env map[string]string, tok, body string, args ...string) (int, string, string) {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	logs := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"vatgate", "serve", "--addr", addr}, args...), func(k string) string { return env[k] },
			strings.NewReader(""), io.Discard, logs)
	}()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v\n%s", err, logs)
			}
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop")
		}
	}()
	waitHealthy(t, addr)
	req, _ := http.NewRequest("POST", "http://"+addr+"/api/omp/omp_invoice", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(tok, "")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), logs.String()
}

// lockedBuffer is a log the server writes while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
