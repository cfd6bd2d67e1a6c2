package webhook

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

// fakeResolver answers from a table; a host not in it does not resolve.
type fakeResolver map[string][]string

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	ips, ok := f[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var out []netip.Addr
	for _, ip := range ips {
		out = append(out, netip.MustParseAddr(ip))
	}
	return out, nil
}

var testResolver = fakeResolver{
	"hooks.example.com":     {"93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"},
	"loopback.example":      {"127.0.0.1"},
	"ten.example":           {"10.0.0.5"},
	"home.example":          {"192.168.1.10"},
	"metadata.example":      {"169.254.169.254"},
	"v6loop.example":        {"::1"},
	"ula.example":           {"fc00::1"},
	"mapped.example":        {"::ffff:127.0.0.1"},
	"cgnat.example":         {"100.64.0.1"},
	"mixed.example":         {"93.184.215.14", "10.1.2.3"}, // one private answer is enough to refuse
	"zero.example":          {"0.0.0.0"},
	"v6zero.example":        {"::"},
	"multicast.example":     {"224.0.0.1"},
	"linklocal6.example":    {"fe80::1"},
	"nat64.example":         {"64:ff9b::a00:1"},     // 10.0.0.1 through NAT64
	"nat64public.example":   {"64:ff9b::5db8:d70e"}, // 93.184.215.14 through NAT64
	"sixtofour.example":     {"2002:c0a8:0101::1"},  // 192.168.1.1 through 6to4
	"broadcast.example":     {"255.255.255.255"},
	"private172.example":    {"172.16.5.4"},
	"public172.example":     {"172.32.0.1"},
	"documentation.example": {"192.0.2.1"},
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		url string
		// want: "" accepted; else a part of the refusal's message.
		want    string
		private bool // the refusal is one allowPrivate lifts
		// wantAllowed is want with allowPrivate: the refusals that are
		// not about the address or the scheme.
		wantAllowed string
	}{
		{url: "https://hooks.example.com/vatgate"},
		{url: "https://hooks.example.com:8443/a/b?c=d"},
		{url: "https://93.184.215.14/hook"},
		{url: "https://public172.example/hook"},
		{url: "https://nat64public.example/hook"},
		{url: "https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/hook"},

		{url: "http://hooks.example.com/hook", want: "must use https", private: true},
		{url: "https://loopback.example/x", want: "resolves to a loopback address 127.0.0.1", private: true},
		{url: "https://localhost.invalid/x", want: "host localhost.invalid does not resolve"},
		{url: "https://127.0.0.1/x", want: "resolves to a loopback address 127.0.0.1", private: true},
		{url: "https://127.1.2.3:9000/x", want: "a loopback address 127.1.2.3", private: true},
		{url: "https://ten.example/x", want: "resolves to a private address 10.0.0.5", private: true},
		{url: "https://10.0.0.5/x", want: "resolves to a private address 10.0.0.5", private: true},
		{url: "https://home.example/x", want: "a private address 192.168.1.10", private: true},
		{url: "https://private172.example/x", want: "a private address 172.16.5.4", private: true},
		{url: "https://metadata.example/latest", want: "a link-local address 169.254.169.254", private: true},
		{url: "https://169.254.169.254/latest", want: "a link-local address 169.254.169.254", private: true},
		{url: "https://v6loop.example/x", want: "a loopback address ::1", private: true},
		{url: "https://[::1]/x", want: "a loopback address ::1", private: true},
		{url: "https://ula.example/x", want: "a private address fc00::1", private: true},
		{url: "https://[fd12:3456::1]/x", want: "a private address fd12:3456::1", private: true},
		{url: "https://mapped.example/x", want: "a loopback address 127.0.0.1", private: true},
		{url: "https://[::ffff:127.0.0.1]/x", want: "a loopback address", private: true},
		{url: "https://[::ffff:10.0.0.1]/x", want: "a private address", private: true},
		{url: "https://cgnat.example/x", want: "a shared (carrier-grade NAT) address 100.64.0.1", private: true},
		{url: "https://100.127.255.254/x", want: "carrier-grade NAT", private: true},
		{url: "https://mixed.example/x", want: "a private address 10.1.2.3", private: true},
		{url: "https://zero.example/x", want: "an unspecified address 0.0.0.0", private: true},
		{url: "https://v6zero.example/x", want: "an unspecified address ::", private: true},
		{url: "https://0.1.2.3/x", want: "a reserved address 0.1.2.3", private: true},
		{url: "https://multicast.example/x", want: "a multicast address 224.0.0.1", private: true},
		{url: "https://239.1.1.1/x", want: "a multicast address 239.1.1.1", private: true},
		{url: "https://linklocal6.example/x", want: "a link-local address fe80::1", private: true},
		{url: "https://nat64.example/x", want: "a private address 64:ff9b::a00:1", private: true},
		{url: "https://sixtofour.example/x", want: "a private address 2002:c0a8:101::1", private: true},
		{url: "https://broadcast.example/x", want: "a reserved address 255.255.255.255", private: true},
		{url: "https://documentation.example/x", want: "a reserved address 192.0.2.1", private: true},

		{url: "", want: "is required", wantAllowed: "is required"},
		{url: " https://hooks.example.com/", want: "white space", wantAllowed: "white space"},
		{url: "https://user:pw@hooks.example.com/x", want: "must not contain credentials", wantAllowed: "must not contain credentials"},
		{url: "https://token@hooks.example.com/x", want: "must not contain credentials", wantAllowed: "must not contain credentials"},
		{url: "ftp://hooks.example.com/x", want: `scheme "ftp" is not https`, wantAllowed: `scheme "ftp"`},
		{url: "hooks.example.com/x", want: "is not an absolute URL", wantAllowed: "is not an absolute URL"},
		{url: "/relative", want: "is not an absolute URL", wantAllowed: "is not an absolute URL"},
		{url: "mailto:a@b.c", want: "is not an absolute URL", wantAllowed: "is not an absolute URL"},
		{url: "https:///path", want: "has no host", wantAllowed: "has no host"},
		{url: "https://hooks.example.com:0/", want: "port 0", wantAllowed: "port 0"},
		{url: "https://hooks.example.com/" + strings.Repeat("a", MaxURLLength), want: "longer than", wantAllowed: "longer than"},
	}
	ctx := context.Background()
	for _, tt := range tests {
		err := CheckURL(ctx, tt.url, false, testResolver)
		check(t, tt.url, false, err, tt.want, tt.private)
		// allowPrivate lifts the address and scheme refusals, and does not
		// resolve the host; the rest stands.
		err = CheckURL(ctx, tt.url, true, testResolver)
		check(t, tt.url, true, err, tt.wantAllowed, false)
	}
}

func check(t *testing.T, url string, allowPrivate bool, err error, want string, private bool) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Errorf("CheckURL(%.60q, allowPrivate=%v) = %v; want it accepted", url, allowPrivate, err)
		}
		return
	}
	var uerr *URLError
	if !errors.As(err, &uerr) {
		t.Errorf("CheckURL(%.60q, allowPrivate=%v) = %v; want a *URLError containing %q", url, allowPrivate, err, want)
		return
	}
	if !strings.HasPrefix(err.Error(), "url: ") || !strings.Contains(err.Error(), want) || uerr.Private != private {
		t.Errorf("CheckURL(%.60q, allowPrivate=%v) = %q (private %v); want %q (private %v)", url, allowPrivate, err, uerr.Private, want, private)
	}
}

func TestNonPublic(t *testing.T) {
	public := []string{"1.1.1.1", "8.8.8.8", "93.184.215.14", "172.15.255.255", "172.32.0.0", "100.63.255.255", "100.128.0.0",
		"2606:4700:4700::1111", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8", "64:ff9b::808:808"}
	for _, s := range public {
		if got := NonPublic(netip.MustParseAddr(s)); got != "" {
			t.Errorf("NonPublic(%s) = %q, want public", s, got)
		}
	}
	private := []string{"127.0.0.1", "10.255.255.255", "172.16.0.0", "172.31.255.255", "192.168.0.1", "169.254.0.1",
		"100.64.0.0", "100.127.255.255", "0.0.0.0", "255.255.255.255", "224.0.0.251", "::", "::1", "fe80::1%eth0",
		"fc00::", "fdff:ffff::1", "ff02::1", "::ffff:192.168.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "2001:db8::1",
		"64:ff9b::7f00:1", "2002:7f00:1::"}
	for _, s := range private {
		if got := NonPublic(netip.MustParseAddr(s)); got == "" {
			t.Errorf("NonPublic(%s) = \"\", want refused", s)
		}
	}
}

// The client's dialer checks the addresses again on every connection and
// dials only those it checked: a host that resolved to a public address
// when it was registered and to a private one now (DNS rebinding) is not
// connected to, and no redirect is followed.
func TestClientRefusesPrivateOnDial(t *testing.T) {
	var hits int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())

	rebinding := fakeResolver{"rebind.example": {"127.0.0.1"}}
	c := NewClient(false, rebinding)
	for _, u := range []string{"http://rebind.example:" + port + "/", "http://127.0.0.1:" + port + "/", "http://[::ffff:127.0.0.1]:" + port + "/"} {
		resp, err := c.Post(u, "application/json", strings.NewReader("{}"))
		if err == nil {
			resp.Body.Close()
			t.Errorf("POST %s: connected; want refused", u)
			continue
		}
		var uerr *URLError
		if !errors.As(err, &uerr) || !strings.Contains(err.Error(), "loopback") {
			t.Errorf("POST %s: %v; want a loopback refusal", u, err)
		}
	}
	if hits != 0 {
		t.Errorf("the receiver was reached %d times", hits)
	}

	// allowPrivate: the same request goes through; a redirect is answered,
	// not followed.
	redirect := httptest.NewServer(http.RedirectHandler(srv.URL, http.StatusTemporaryRedirect))
	defer redirect.Close()
	resp, err := NewClient(true, rebinding).Post(redirect.URL, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatalf("POST with allowPrivate: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTemporaryRedirect || hits != 0 {
		t.Errorf("redirect: status %d, receiver hit %d times; want 307 and no hit", resp.StatusCode, hits)
	}
}
