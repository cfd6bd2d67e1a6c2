package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// runServeInProcess runs serve in-process with args and env until the test ends
// (or stop is called), and returns its log.
func runServeInProcess(t *testing.T, env map[string]string, args ...string) (logs *lockedBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs = &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"vatgate", "serve"}, args...), func(k string) string { return env[k] },
			strings.NewReader(""), io.Discard, logs)
	}()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v\n%s", err, logs)
			}
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop")
		}
	}
	t.Cleanup(stop)
	return logs, stop
}

func getURL(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// serve answers /readyz and /metrics on its listener, logs JSON lines with
// the request id of every request, and counts the requests it answered.
func TestServeReadyzMetricsLogs(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "ops.db")
	out, _, err := vatgate(t, "merchant", "create", "--name", "Shop", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	tok := lastLine(out)
	addr := freeAddr(t)
	logs, stop := runServeInProcess(t, nil, "--addr", addr, "--db", db)
	waitHealthy(t, addr)
	if status, body := getURL(t, "http://"+addr+"/readyz"); status != 200 || body != `{"status":"ready"}`+"\n" {
		t.Errorf("/readyz: %d %s", status, body)
	}
	req, _ := http.NewRequest("POST", "http://"+addr+"/api/1/app/l_invoice/customers/"+tok, strings.NewReader(`[{"name":"Acme"}]`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Request-Id", "ops-test-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("X-Request-Id") != "ops-test-1" {
		t.Fatalf("create customer: %v %v", err, resp)
	}
	resp.Body.Close()
	status, text := getURL(t, "http://"+addr+"/metrics")
	if status != 200 {
		t.Fatalf("/metrics: %d", status)
	}
	for _, l := range []string{
		`http_requests_total{method="GET",route="GET /readyz",status="200"} 1`,
		`http_requests_total{method="POST",route="POST /api/1/app/l_invoice/customers",status="200"} 1`,
		`vatgate_transmission_queue_depth 0`,
	} {
		if !strings.Contains(text, "\n"+l+"\n") {
			t.Errorf("/metrics lacks %s", l)
		}
	}
	if strings.Contains(text, tok[4:]) {
		t.Error("/metrics shows the token")
	}
	stop()

	var sawRequest bool
	for line := range strings.SplitSeq(strings.TrimSpace(logs.String()), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("log line is not JSON: %s", line)
		}
		if e["msg"] == "request" {
			if id, _ := e["request_id"].(string); id == "" {
				t.Errorf("access log line without request_id: %s", line)
			}
			if e["request_id"] == "ops-test-1" {
				sawRequest = true
			}
		}
	}
	if !sawRequest {
		t.Errorf("the client's request id is not logged:\n%s", logs)
	}
	if strings.Contains(logs.String(), tok[4:]) {
		t.Error("the token reached the log")
	}
}

// --metrics-addr (or VATGATE_METRICS_ADDR) moves /metrics to a listener of
// its own: the API's listener no longer answers it, and the requests it
// answered are counted there.
func TestServeMetricsAddr(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "ops.db")
	for _, viaEnv := range []bool{false, true} {
		addr, metricsAddr := freeAddr(t), freeAddr(t)
		args := []string{"--addr", addr, "--db", db}
		var env map[string]string
		if viaEnv {
			env = map[string]string{"VATGATE_METRICS_ADDR": metricsAddr}
		} else {
			args = append(args, "--metrics-addr", metricsAddr)
		}
		logs, stop := runServeInProcess(t, env, args...)
		waitHealthy(t, addr)
		if status, body := getURL(t, "http://"+addr+"/metrics"); status != 404 || !strings.Contains(body, "no such route") {
			t.Errorf("/metrics on --addr: %d %s", status, body)
		}
		status, text := getURL(t, "http://"+metricsAddr+"/metrics")
		if status != 200 || !strings.Contains(text, `http_requests_total{method="GET",route="GET /metrics",status="404"} 1`) ||
			!strings.Contains(text, `route="GET /healthz"`) {
			t.Errorf("/metrics on --metrics-addr: %d\n%s", status, text)
		}
		if status, _ := getURL(t, "http://"+metricsAddr+"/healthz"); status != 404 {
			t.Errorf("the metrics listener answers the API: %d", status)
		}
		stop()
		if !strings.Contains(logs.String(), `"msg":"serving metrics","addr":"`+metricsAddr+`"`) {
			t.Errorf("the metrics listener is not logged:\n%s", logs)
		}
	}
	// An address that cannot be listened on stops the start.
	_, _, err := vatgate(t, "serve", "--addr", "127.0.0.1:0", "--db", db, "--metrics-addr", "256.0.0.1:1")
	if err == nil || !strings.Contains(err.Error(), "--metrics-addr") {
		t.Errorf("a bad --metrics-addr: %v", err)
	}
}

// The worker and the deliverer count their outcomes on the metrics serve
// exports: a document sent through the sandbox, its events delivered.
func TestServeCountsOutcomes(t *testing.T) {
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer rcv.Close()
	db := "sqlite:" + filepath.Join(t.TempDir(), "ops.db")
	out, _, err := vatgate(t, "merchant", "create", "--name", "Shop", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	tok := lastLine(out)
	if _, _, err := vatgate(t, "webhook", "add", "1", rcv.URL+"/hook", "--allow-private", "--db", db); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	runServeInProcess(t, map[string]string{allowPrivateEnv: "1"}, "--addr", addr, "--db", db, "--sandbox-delay", "50ms")
	waitHealthy(t, addr)
	scrape := func() (transmissions, delivered float64) {
		_, text := getURL(t, "http://"+addr+"/metrics")
		for line := range strings.SplitSeq(text, "\n") {
			name, v, _ := strings.Cut(line, " ")
			f, _ := strconv.ParseFloat(v, 64)
			switch {
			case strings.HasPrefix(name, "vatgate_transmissions_total{"):
				transmissions += f
			case name == `vatgate_webhook_deliveries_total{outcome="delivered"}`:
				delivered = f
			}
		}
		return transmissions, delivered
	}
	t0, d0 := scrape()

	body, err := os.ReadFile(filepath.Join("..", "..", "internal", "api", "testdata", "examples", "e_invoices_single.json"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post("http://"+addr+"/api/1/app/l_invoice/e_documents/invoices/"+tok, "application/json", bytes.NewReader(body))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("create e-document: %v %v", err, resp)
	}
	resp.Body.Close()
	deadline := time.Now().Add(20 * time.Second)
	for {
		tr, d := scrape()
		if tr > t0 && d > d0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20s: %v transmission outcomes (from %v), %v webhooks delivered (from %v)", tr, t0, d, d0)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
