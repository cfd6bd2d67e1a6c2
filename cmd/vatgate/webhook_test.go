package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/store/storetest"
	"github.com/vatgate/vatgate/internal/testdb"
	"github.com/vatgate/vatgate/internal/webhook"
)

// vatgateEnv runs the command in-process with the given environment.
func vatgateEnv(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out strings.Builder
	err := run(context.Background(), append([]string{"vatgate"}, args...), func(k string) string { return env[k] },
		strings.NewReader(""), &out, io.Discard)
	return out.String(), err
}

func TestWebhookCommands(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cli.db")
	db := "sqlite:" + path
	if _, _, err := vatgate(t, "merchant", "create", "--name", "Acme", "--db", db); err != nil {
		t.Fatal(err)
	}

	// A public IP literal needs no DNS.
	out, _, err := vatgate(t, "webhook", "add", "1", "https://93.184.215.14/hooks/vatgate", "--db", db)
	if err != nil {
		t.Fatalf("webhook add: %v", err)
	}
	secret := lastLine(out)
	if !strings.HasPrefix(secret, webhook.SecretPrefix) || !strings.Contains(out, "webhook endpoint 1 added for merchant 1: https://93.184.215.14/hooks/vatgate") {
		t.Fatalf("webhook add printed:\n%s", out)
	}
	if _, err := standardwebhooks.NewWebhook(secret); err != nil {
		t.Errorf("the library refuses the secret %q: %v", secret, err)
	}

	// Refused: private, loopback, http; the message says how to allow it.
	for _, u := range []string{"https://10.0.0.5/x", "https://127.0.0.1:8443/x", "http://93.184.215.14/x", "https://[::ffff:192.168.1.1]/x"} {
		_, _, err := vatgate(t, "webhook", "add", "1", u, "--db", db)
		if err == nil || !strings.HasPrefix(err.Error(), "url: ") || !strings.Contains(err.Error(), "pass --allow-private") || exitCode(err) != 1 {
			t.Errorf("webhook add %s: %v", u, err)
		}
	}
	_, _, err = vatgate(t, "webhook", "add", "1", "https://user:pw@93.184.215.14/x", "--db", db)
	if err == nil || !strings.Contains(err.Error(), "credentials") || strings.Contains(err.Error(), "allow-private") {
		t.Errorf("webhook add with credentials: %v", err)
	}
	// Allowed by the flag, or by the environment.
	if out, _, err = vatgate(t, "webhook", "add", "--allow-private", "1", "http://127.0.0.1:9/x", "--db", db); err != nil || !strings.Contains(out, "webhook endpoint 2 added") {
		t.Fatalf("webhook add --allow-private: %v\n%s", err, out)
	}
	env := map[string]string{"VATGATE_DB": db, allowPrivateEnv: "true"}
	if out, err = vatgateEnv(t, env, "webhook", "add", "1", "https://10.0.0.5/x"); err != nil || !strings.Contains(out, "webhook endpoint 3 added") {
		t.Fatalf("webhook add with %s=true: %v\n%s", allowPrivateEnv, err, out)
	}
	if _, err = vatgateEnv(t, map[string]string{allowPrivateEnv: "maybe"}, "webhook", "list", "1", "--db", db); err == nil || !strings.Contains(err.Error(), allowPrivateEnv) {
		t.Errorf("a bad %s: %v", allowPrivateEnv, err)
	}
	if _, _, err = vatgate(t, "webhook", "add", "42", "https://93.184.215.14/x", "--db", db); err == nil || !strings.Contains(err.Error(), "no merchant with id 42") {
		t.Errorf("webhook add for a missing merchant: %v", err)
	}

	out, _, err = vatgate(t, "webhook", "list", "1", "--db", db)
	if err != nil || strings.Contains(out, secret) || !strings.Contains(out, webhook.SecretHint(secret)) ||
		!strings.Contains(out, "https://93.184.215.14/hooks/vatgate") || strings.Count(out, "\n") != 4 {
		t.Fatalf("webhook list must show hints only: %v\n%s", err, out)
	}

	// The log: events queued by e-documents of the merchant.
	st := testdb.SQLiteAt(t, path)
	for range 3 {
		storetest.MustCreateEDocuments(t, st, 1, storetest.MinimalEDocument(invoicing.KindInvoice, ""))
	}
	st.Close()
	out, _, err = vatgate(t, "webhook", "log", "1", "1", "--db", db)
	if err != nil || strings.Count(out, "e_document.status_changed") != 3 || !strings.Contains(out, "pending") || strings.Contains(out, "more:") {
		t.Fatalf("webhook log:\n%v\n%s", err, out)
	}
	out, _, err = vatgate(t, "webhook", "log", "1", "1", "--limit", "2", "--db", db)
	if err != nil || strings.Count(out, "e_document.status_changed") != 2 || !strings.Contains(out, "more: vatgate webhook log 1 1 --after 4") {
		t.Fatalf("webhook log --limit 2:\n%v\n%s", err, out)
	}
	out, _, err = vatgate(t, "webhook", "log", "1", "1", "--after", "4", "--db", db)
	if err != nil || strings.Count(out, "e_document.status_changed") != 1 {
		t.Fatalf("webhook log --after 4:\n%v\n%s", err, out)
	}

	if out, _, err = vatgate(t, "webhook", "remove", "1", "1", "--db", db); err != nil || !strings.Contains(out, "webhook endpoint 1 removed") {
		t.Fatalf("webhook remove: %v\n%s", err, out)
	}
	for _, args := range [][]string{{"remove", "1", "1"}, {"log", "1", "1"}, {"remove", "2", "2"}} {
		_, _, err = vatgate(t, append(append([]string{"webhook"}, args...), "--db", db)...)
		if err == nil || !strings.Contains(err.Error(), "has no webhook endpoint") {
			t.Errorf("webhook %v: %v", args, err)
		}
	}

	for _, args := range [][]string{
		{"webhook"}, {"webhook", "explode", "1"}, {"webhook", "add", "1"}, {"webhook", "list"}, {"webhook", "remove", "1"},
		{"webhook", "log", "x", "1"}, {"webhook", "log", "1", "1", "--limit", "0"}, {"webhook", "add", "0", "https://93.184.215.14/"},
	} {
		_, _, err := vatgate(t, append(args, "--db", db)...)
		if err == nil || exitCode(err) != 2 {
			t.Errorf("vatgate %v: err %v, exit %d; want a usage error", args, err, exitCode(err))
		}
	}
}

// serve runs the deliverer: an e-document's event reaches the endpoint,
// signed so the Standard Webhooks library verifies it; the deliverer stops
// with the server.
func TestServeDeliversWebhooks(t *testing.T) {
	var mu sync.Mutex
	var secret string
	got := make(chan error, 10)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		wh, err := standardwebhooks.NewWebhook(secret)
		mu.Unlock()
		if err == nil {
			err = wh.Verify(body, r.Header)
		}
		got <- err
	}))
	defer rcv.Close()

	path := filepath.Join(t.TempDir(), "serve.db")
	db := "sqlite:" + path
	if _, _, err := vatgate(t, "merchant", "create", "--name", "Acme", "--db", db); err != nil {
		t.Fatal(err)
	}
	out, _, err := vatgate(t, "webhook", "add", "1", rcv.URL+"/hook", "--allow-private", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	secret = lastLine(out)
	mu.Unlock()

	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		// --no-worker: no transmission, so the one event is the document's first.
		done <- run(ctx, []string{"vatgate", "serve", "--addr", addr, "--db", db, "--no-worker"},
			func(k string) string { return map[string]string{allowPrivateEnv: "1"}[k] }, strings.NewReader(""), io.Discard, logs)
	}()
	waitHealthy(t, addr)

	st := testdb.SQLiteAt(t, path)
	storetest.MustCreateEDocuments(t, st, 1, storetest.MinimalEDocument(invoicing.KindInvoice, ""))
	select {
	case err := <-got:
		if err != nil {
			t.Errorf("the library refuses the delivery: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("no delivery within 15s\n%s", logs)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v\n%s", err, logs)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	l := logs.String()
	if !strings.Contains(l, "webhook deliverer started") || !strings.Contains(l, "webhook deliverer stopped") ||
		strings.Index(l, "webhook deliverer stopped") > strings.Index(l, `"msg":"stopped"`) {
		t.Errorf("the deliverer did not start and stop with the server:\n%s", l)
	}
	ds, err := st.ListWebhookDeliveries(t.Context(), 1, 1, store.ListOptions{Limit: 100})
	if err != nil || len(ds) != 1 || !ds[0].Delivered {
		t.Errorf("delivery log: %+v, %v", ds, err)
	}
}
