package faulttest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
)

// Cluster is a PostgreSQL server of the test's own: initdb into a
// temporary directory, pg_ctl start on a free loopback port. It can be
// stopped hard (pg_ctl stop -m immediate: a crash, with recovery at the
// next start) without touching the machine's shared PostgreSQL, which
// other tests use at the same time.
type Cluster struct {
	Dir  string // the data directory
	Port int

	bin    string   // the directory of initdb and pg_ctl
	runAs  []string // runuser -u postgres -- when we are root (PostgreSQL refuses to run as root)
	logTo  string
	socket string
}

// StartCluster initialises and starts a cluster, stopped and removed at the
// end of the test. It skips the test when PostgreSQL's server programs are
// not installed.
func StartCluster(tb testing.TB) *Cluster {
	tb.Helper()
	bin, err := serverBin()
	if err != nil {
		tb.Skipf("a private PostgreSQL cluster needs initdb and pg_ctl: %v", err)
	}
	c := &Cluster{bin: bin}
	base, err := os.MkdirTemp("", "vatgate-pg")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(base) })
	c.Dir, c.socket, c.logTo = filepath.Join(base, "data"), filepath.Join(base, "sock"), filepath.Join(base, "server.log")
	if err := os.Mkdir(c.socket, 0o700); err != nil {
		tb.Fatal(err)
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			tb.Skipf("running as root, and there is no postgres user to run the cluster: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		for _, p := range []string{base, c.socket} {
			if err := os.Chown(p, uid, gid); err != nil {
				tb.Fatal(err)
			}
		}
		c.runAs = []string{"runuser", "-u", "postgres", "--"}
	}
	if out, err := c.run("initdb", "-D", c.Dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"); err != nil {
		tb.Fatalf("initdb: %v\n%s", err, out)
	}
	c.Port = freePort(tb)
	tb.Cleanup(func() { _ = c.Stop("immediate") })
	if err := c.Start(); err != nil {
		tb.Fatal(err)
	}
	return c
}

// URL is the address of database db on the cluster.
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.Port, db)
}

// Start starts the server and waits until it accepts connections.
func (c *Cluster) Start() error {
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=60 -c shared_buffers=32MB", c.Port, c.socket)
	if out, err := c.run("pg_ctl", "start", "-D", c.Dir, "-w", "-t", "60", "-l", c.logTo, "-o", opts); err != nil {
		return fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, c.Log())
	}
	return nil
}

// Stop stops the server in mode smart, fast or immediate; immediate is a
// crash: no checkpoint, backends killed, recovery at the next start.
func (c *Cluster) Stop(mode string) error {
	if out, err := c.run("pg_ctl", "stop", "-D", c.Dir, "-w", "-t", "60", "-m", mode); err != nil {
		return fmt.Errorf("pg_ctl stop -m %s: %v\n%s", mode, err, out)
	}
	return nil
}

// Log is the server's log so far.
func (c *Cluster) Log() string {
	b, _ := os.ReadFile(c.logTo)
	return string(b)
}

func (c *Cluster) run(prog string, args ...string) ([]byte, error) {
	argv := append(append([]string{}, c.runAs...), append([]string{filepath.Join(c.bin, prog)}, args...)...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = os.TempDir() // a directory the postgres user may enter
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

// serverBin finds the directory holding initdb and pg_ctl: on the PATH, or
// the newest of Debian's /usr/lib/postgresql/*/bin.
func serverBin() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "pg_ctl")); err == nil {
			return dirs[i], nil
		}
	}
	return "", fmt.Errorf("pg_ctl not on the PATH nor in /usr/lib/postgresql/*/bin")
}

// freePort is a loopback TCP port free a moment ago.
func freePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
