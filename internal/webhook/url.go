package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Resolver looks a host name up; *net.Resolver is one. Tests pass a fake.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// MaxURLLength bounds an endpoint URL.
const MaxURLLength = 2048

// URLError is why an endpoint URL is refused. Its message starts with
// "url: ", so it reads as a field error.
type URLError struct {
	Reason string
	// Private: the URL leads to an address of the operator's network (or
	// uses http), which the operator may allow (--webhooks-allow-private).
	Private bool
}

func (e *URLError) Error() string { return "url: " + e.Reason }

// CheckURL refuses an endpoint URL that is not an absolute https URL
// without credentials, or whose host does not resolve, or resolves to any
// address that is not public (see NonPublic): a webhook must not become a
// way to make the server POST into its own network (SSRF). allowPrivate
// lets those addresses and plain http through (development, or an
// operator whose receivers are internal); the host is then not resolved,
// so a receiver that is not up yet can be registered. resolver nil means
// net.DefaultResolver. A refusal is a *URLError; other errors are the
// context's.
//
// The check holds when it is made; DNS may answer otherwise later, so the
// Deliverer's client repeats it on every connection (NewClient).
func CheckURL(ctx context.Context, raw string, allowPrivate bool, resolver Resolver) error {
	u, err := parseURL(raw, allowPrivate)
	if err != nil || allowPrivate {
		return err
	}
	_, err = publicAddrs(ctx, u.Hostname(), resolver)
	return err
}

// parseURL makes the checks that need no lookup.
func parseURL(raw string, allowPrivate bool) (*url.URL, error) {
	switch {
	case raw == "":
		return nil, &URLError{Reason: "is required"}
	case len(raw) > MaxURLLength:
		return nil, &URLError{Reason: fmt.Sprintf("is longer than %d characters", MaxURLLength)}
	case strings.TrimSpace(raw) != raw:
		return nil, &URLError{Reason: "must not start or end with white space"}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || !u.IsAbs() {
		return nil, &URLError{Reason: fmt.Sprintf("%q is not an absolute URL", raw)}
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !allowPrivate {
			return nil, &URLError{Reason: "must use https", Private: true}
		}
	default:
		return nil, &URLError{Reason: fmt.Sprintf("scheme %q is not https", u.Scheme)}
	}
	if u.User != nil {
		return nil, &URLError{Reason: "must not contain credentials (user:password@); authenticate the requests by their signature"}
	}
	if u.Hostname() == "" {
		return nil, &URLError{Reason: "has no host"}
	}
	if p := u.Port(); p != "" && (p == "0" || len(p) > 5) {
		return nil, &URLError{Reason: fmt.Sprintf("port %s is not a port", p)}
	}
	return u, nil
}

// publicAddrs resolves host (an IP literal stands for itself) and returns
// its addresses if every one is public.
func publicAddrs(ctx context.Context, host string, resolver Resolver) ([]netip.Addr, error) {
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		if resolver == nil {
			resolver = net.DefaultResolver
		}
		addrs, err = resolver.LookupNetIP(ctx, "ip", host)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil || len(addrs) == 0 {
			return nil, &URLError{Reason: fmt.Sprintf("host %s does not resolve", host)}
		}
	}
	// Resolvers may answer IPv4 addresses in their IPv4-mapped IPv6 form:
	// named and dialled as the IPv4 addresses they are.
	for i, a := range addrs {
		addrs[i] = a.Unmap()
		if kind := NonPublic(a); kind != "" {
			return nil, &URLError{Reason: fmt.Sprintf("resolves to %s address %s", kind, a.Unmap().WithZone("")), Private: true}
		}
	}
	return addrs, nil
}

// Special-purpose ranges (IANA's registries) that net/netip has no method
// for and that no receiver on the internet sits in.
var (
	cgnat    = netip.MustParsePrefix("100.64.0.0/10")
	reserved = []netip.Prefix{
		netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
		netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
		netip.MustParsePrefix("192.0.2.0/24"),    // documentation
		netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
		netip.MustParsePrefix("198.51.100.0/24"), // documentation
		netip.MustParsePrefix("203.0.113.0/24"),  // documentation
		netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and the broadcast address
		netip.MustParsePrefix("::/96"),           // IPv4-compatible (deprecated)
		netip.MustParsePrefix("100::/64"),        // discard-only
		netip.MustParsePrefix("2001::/23"),       // IETF protocol assignments (Teredo among them)
		netip.MustParsePrefix("2001:db8::/32"),   // documentation
		netip.MustParsePrefix("fec0::/10"),       // site-local (deprecated)
	}
	// IPv6 ranges that embed an IPv4 address, which is what is reached.
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// NonPublic names the kind of a's range when a is not a public unicast
// address ("a loopback", "a private", ...), or returns "" when it is.
// IPv4-mapped IPv6 addresses (::ffff:10.0.0.1) are judged as the IPv4
// address they are, and so are the NAT64 and 6to4 forms that embed one.
func NonPublic(a netip.Addr) string {
	a = a.WithZone("").Unmap()
	switch {
	case a.Is6() && nat64.Contains(a):
		b := a.As16()
		return NonPublic(netip.AddrFrom4([4]byte(b[12:16])))
	case a.Is6() && sixToFour.Contains(a):
		b := a.As16()
		return NonPublic(netip.AddrFrom4([4]byte(b[2:6])))
	case !a.IsValid():
		return "an invalid"
	case a.IsUnspecified():
		return "an unspecified"
	case a.IsLoopback():
		return "a loopback"
	case a.IsPrivate():
		return "a private"
	case cgnat.Contains(a):
		return "a shared (carrier-grade NAT)"
	case a.IsMulticast():
		return "a multicast"
	case a.IsLinkLocalUnicast():
		return "a link-local"
	}
	for _, p := range reserved {
		if p.Contains(a) {
			return "a reserved"
		}
	}
	if !a.IsGlobalUnicast() {
		return "a reserved"
	}
	return ""
}

// NewClient returns the HTTP client deliveries are made with: no proxy
// (the check is about where the request goes), redirects not followed (a
// 3xx is a failed attempt, as the specification says, and cannot lead the
// request elsewhere), and, unless allowPrivate, a dialer that resolves the
// host itself, refuses it when any address is not public, and connects
// only to the addresses it checked, so a DNS answer that changes after
// CheckURL (DNS rebinding) cannot lead into the network. resolver nil
// means net.DefaultResolver. Timeouts are per request (the Deliverer's).
func NewClient(allowPrivate bool, resolver Resolver) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ExpectContinueTimeout: time.Second,
		ResponseHeaderTimeout: 10 * time.Second,
	}
	if !allowPrivate {
		tr.DialContext = (&safeDialer{dialer: dialer, resolver: resolver}).DialContext
	}
	return &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// safeDialer connects only to public addresses (see NewClient).
type safeDialer struct {
	dialer   *net.Dialer
	resolver Resolver
}

func (d *safeDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	addrs, err := publicAddrs(ctx, host, d.resolver)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, a := range addrs {
		conn, err := d.dialer.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}
