package main

import (
	"bufio"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/token"
)

// serve --demo on an empty database prints a working token; SIGTERM stops
// the server cleanly; a second --demo start creates no second merchant.
func TestServeDemoAndSIGTERM(t *testing.T) {
	bin := vatgateBinary(t)
	db := "sqlite:" + filepath.Join(t.TempDir(), "demo.db")
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve", "--demo", "--addr", addr, "--db", db)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	tok := ""
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); token.LooksLikeToken(line) {
			tok = line
			break
		}
	}
	if tok == "" {
		t.Fatal("serve --demo printed no token")
	}
	go io.Copy(io.Discard, stdout)
	waitHealthy(t, addr)
	resp, err := http.Post("http://"+addr+"/api/1/app/l_invoice/customers/"+tok, "application/json", strings.NewReader(`[{"name":"Acme"}]`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("demo token does not work: %v %v", err, resp)
	}
	resp.Body.Close()

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve did not exit cleanly on SIGTERM: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}

	out, err := exec.Command(bin, "merchant", "list", "--db", db).Output()
	if err != nil || strings.Count(string(out), "Demo Merchant") != 1 {
		t.Fatalf("merchant list after demo: %v\n%s", err, out)
	}
	// A second --demo start finds merchants and says so instead of creating one.
	addr2 := freeAddr(t)
	again := exec.Command(bin, "serve", "--demo", "--addr", addr2, "--db", db)
	stdout2, _ := again.StdoutPipe()
	again.Stderr = io.Discard
	if err := again.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = again.Process.Kill(); _ = again.Wait() })
	line, _ := bufio.NewReader(stdout2).ReadString('\n')
	if !strings.Contains(line, "already has merchants") {
		t.Errorf("second --demo start printed %q", line)
	}
}

func waitHealthy(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("server did not become healthy")
}
