package webhook

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vatgate/vatgate/internal/metrics"
	"github.com/vatgate/vatgate/internal/peppol/transport"
	"github.com/vatgate/vatgate/internal/store"
)

// Store is what the Deliverer needs of the store.
type Store interface {
	ClaimWebhookDeliveries(ctx context.Context, owner string, lease time.Duration, limit int) ([]store.WebhookDelivery, error)
	FinishWebhookDelivery(ctx context.Context, d store.WebhookDelivery, res store.WebhookResult) error
	ListWebhookEndpoints(ctx context.Context, merchantID int64) ([]store.WebhookEndpoint, error)
}

// The retry policy of a delivery whose attempt failed (no answer, or not a
// 2xx): exponential backoff with full jitter (transport.Backoff, the
// transmission pipeline's), from RetryBase doubling up to RetryMax, for
// RetryWindow from the event.
//
//   - RetryBase 5s: a receiver that restarts or drops one request gets the
//     event again within seconds.
//   - RetryMax 1h: a receiver that is down for long is asked about twice an
//     hour per event (full jitter halves the mean) and gets its events
//     within the hour after it is back.
//   - RetryWindow 72h: three days, as issue 4 asks; they span a weekend.
//     Then the delivery gives up, which its endpoint's log shows.
const (
	RetryBase   = 5 * time.Second
	RetryMax    = time.Hour
	RetryWindow = 72 * time.Hour
)

// Defaults of the Deliverer's tunables.
const (
	DefaultLease     = 2 * time.Minute
	DefaultBatch     = 16
	DefaultPollEvery = time.Second
	DefaultTimeout   = 10 * time.Second
)

// UserAgent is sent with every delivery.
const UserAgent = "vatgate-webhooks/1"

// maxErrorText bounds what an attempt's last_error keeps of a receiver's
// answer or a transport error.
const maxErrorText = 300

// Deliverer POSTs queued webhook deliveries to their endpoints. It runs in
// its own goroutine (Run); the API and the pipeline only write deliveries
// to the store, in the transactions of the status changes, so a slow or
// dead receiver never slows them. Several Deliverers (one per server
// instance) may share a store: each claims deliveries under a lease.
//
// Zero fields take the defaults above; set them before Run.
type Deliverer struct {
	Store  Store
	Client *http.Client // nil: NewClient(AllowPrivate, nil)
	// Owner names this deliverer in the leases it takes; "" makes one up
	// from the host name and a random suffix.
	Owner string
	// Lease is how long a claimed delivery is this deliverer's; another
	// takes it over after that (a crash). It must outlast an attempt, so
	// it is raised to at least twice Timeout.
	Lease time.Duration
	// Batch is how many deliveries one round claims and sends at once.
	Batch int
	// PollEvery is the wait between rounds that found nothing more due.
	PollEvery time.Duration
	// Timeout bounds one attempt, connection and answer included.
	Timeout time.Duration
	// AllowPrivate lets deliveries go to addresses that are not public and
	// over plain http (see CheckURL).
	AllowPrivate bool
	// Clock stamps the attempts (webhook-timestamp) and sets retry times;
	// nil means time.Now.
	Clock  func() time.Time
	Logger *slog.Logger // nil: slog.Default()

	// The retry policy; zero means RetryBase, RetryMax, RetryWindow. Rand
	// is the jitter's source (nil: math/rand/v2).
	RetryBase, RetryMax, RetryWindow time.Duration
	Rand                             func() float64

	once sync.Once
	kick chan struct{}
}

func (d *Deliverer) init() {
	d.once.Do(func() {
		d.kick = make(chan struct{}, 1)
		if d.Owner == "" {
			host, _ := os.Hostname()
			b := make([]byte, 4)
			_, _ = rand.Read(b)
			d.Owner = "webhook:" + host + ":" + hex.EncodeToString(b)
		}
		if d.Timeout <= 0 {
			d.Timeout = DefaultTimeout
		}
		if d.Lease <= 0 {
			d.Lease = DefaultLease
		}
		d.Lease = max(d.Lease, 2*d.Timeout)
		if d.Batch <= 0 {
			d.Batch = DefaultBatch
		}
		if d.PollEvery <= 0 {
			d.PollEvery = DefaultPollEvery
		}
		if d.Client == nil {
			d.Client = NewClient(d.AllowPrivate, nil)
		}
		if d.Clock == nil {
			d.Clock = time.Now
		}
		if d.Logger == nil {
			d.Logger = slog.Default()
		}
		if d.RetryBase <= 0 {
			d.RetryBase = RetryBase
		}
		if d.RetryMax <= 0 {
			d.RetryMax = RetryMax
		}
		if d.RetryWindow <= 0 {
			d.RetryWindow = RetryWindow
		}
	})
}

// Kick wakes a waiting Run at once, for a caller that has just queued
// deliveries. It never blocks.
func (d *Deliverer) Kick() {
	d.init()
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// Run delivers until ctx is done, then returns once the attempts under way
// are finished and recorded (each is bounded by Timeout): a stop loses no
// attempt and leaves no lease to wait out. Store errors are logged and the
// round retried after PollEvery.
func (d *Deliverer) Run(ctx context.Context) error {
	d.init()
	d.Logger.Info("webhook deliverer started", "owner", d.Owner, "allow_private", d.AllowPrivate)
	defer d.Logger.Info("webhook deliverer stopped", "owner", d.Owner)
	wait := time.NewTimer(0)
	defer wait.Stop()
	for {
		n, err := d.Round(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			d.Logger.Error("webhook deliveries: claim", "err", err)
		}
		if err == nil && n == d.Batch {
			continue // more may be due
		}
		wait.Reset(d.PollEvery)
		select {
		case <-ctx.Done():
			return nil
		case <-d.kick:
		case <-wait.C:
		}
	}
}

// Round claims up to Batch due deliveries, attempts them all at once and
// records each outcome; it returns how many it claimed. The attempts do not
// stop when ctx is done (they are bounded by Timeout), so what was claimed
// is recorded.
func (d *Deliverer) Round(ctx context.Context) (int, error) {
	d.init()
	ds, err := d.Store.ClaimWebhookDeliveries(ctx, d.Owner, d.Lease, d.Batch)
	if err != nil || len(ds) == 0 {
		return 0, err
	}
	work := context.WithoutCancel(ctx)
	endpoints := d.endpoints(work, ds)
	var wg sync.WaitGroup
	for _, del := range ds {
		wg.Go(func() { d.deliver(work, del, endpoints) })
	}
	wg.Wait()
	return len(ds), nil
}

// endpoints looks up the endpoints of the claimed deliveries, once per
// merchant. A merchant whose endpoints cannot be read is missing from the
// map: its deliveries wait for their lease to end and are claimed again.
func (d *Deliverer) endpoints(ctx context.Context, ds []store.WebhookDelivery) map[int64]*store.WebhookEndpoint {
	out := map[int64]*store.WebhookEndpoint{}
	seen := map[int64]bool{}
	for _, del := range ds {
		if seen[del.MerchantID] {
			continue
		}
		seen[del.MerchantID] = true
		eps, err := d.Store.ListWebhookEndpoints(ctx, del.MerchantID)
		if err != nil {
			d.Logger.Error("webhook deliveries: endpoints", "merchant_id", del.MerchantID, "err", err)
			continue
		}
		for i := range eps {
			out[eps[i].ID] = &eps[i]
		}
	}
	return out
}

// deliver makes one attempt and records it.
func (d *Deliverer) deliver(ctx context.Context, del store.WebhookDelivery, endpoints map[int64]*store.WebhookEndpoint) {
	ep := endpoints[del.EndpointID]
	if ep == nil {
		// Deleted since the claim (its deliveries went with it), or its
		// merchant's endpoints could not be read: nothing to record.
		return
	}
	res := d.attempt(ctx, del, ep)
	log := d.Logger.With("delivery_id", del.ID, "endpoint_id", del.EndpointID, "merchant_id", del.MerchantID, "attempt", del.Attempts+1)
	switch err := d.Store.FinishWebhookDelivery(ctx, del, res); {
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrNotFound):
		log.Warn("webhook delivery: lease lost before the attempt was recorded", "err", err)
	case err != nil:
		log.Error("webhook delivery: record the attempt", "err", err)
	case res.Delivered:
		metrics.CountWebhookDelivery(metrics.WebhookDelivered)
		log.Debug("webhook delivered", "status", res.StatusCode)
	case res.RetryAt.IsZero():
		metrics.CountWebhookDelivery(metrics.WebhookGaveUp)
		log.Warn("webhook delivery given up", "status", res.StatusCode, "error", res.Error)
	default:
		metrics.CountWebhookDelivery(metrics.WebhookRetry)
		log.Info("webhook delivery failed; will retry", "status", res.StatusCode, "error", res.Error, "retry_at", res.RetryAt)
	}
}

// attempt POSTs the delivery once and says what to record.
func (d *Deliverer) attempt(ctx context.Context, del store.WebhookDelivery, ep *store.WebhookEndpoint) store.WebhookResult {
	now := d.Clock()
	// The URL was checked when it was registered; the server may have been
	// restarted without --webhooks-allow-private since. The addresses are
	// checked again by the client's dialer, on every connection.
	if _, err := parseURL(ep.URL, d.AllowPrivate); err != nil {
		return d.failed(del, now, 0, err.Error(), 0)
	}
	msgID := "msg_" + strconv.FormatInt(del.ID, 10)
	sig, err := Sign(ep.Secret, msgID, now, del.Payload)
	if err != nil {
		// A stored secret that cannot be read will not heal: give up.
		return store.WebhookResult{Error: "the endpoint's secret is not a whsec_ base64 key"}
	}
	ctx, cancel := context.WithTimeout(ctx, d.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(del.Payload))
	if err != nil {
		return d.failed(del, now, 0, "url: "+err.Error(), 0)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set(HeaderID, msgID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(HeaderSignature, sig)
	resp, err := d.Client.Do(req)
	if err != nil {
		return d.failed(del, now, 0, describe(err, d.Timeout), 0)
	}
	defer resp.Body.Close()
	// Read a little of the answer: a failure's text helps the merchant, and
	// a drained body lets the connection be reused.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return store.WebhookResult{Delivered: true, StatusCode: resp.StatusCode}
	}
	msg := "HTTP " + strconv.Itoa(resp.StatusCode)
	if text := clean(string(body)); text != "" {
		msg += ": " + text
	}
	return d.failed(del, now, resp.StatusCode, msg, retryAfter(resp))
}

// failed is the result of a failed attempt: a retry time by the policy
// (not before the receiver's Retry-After, when it sent one), or none, to
// give up, when that time falls outside the window from the event.
func (d *Deliverer) failed(del store.WebhookDelivery, now time.Time, status int, msg string, after time.Duration) store.WebhookResult {
	res := store.WebhookResult{StatusCode: status, Error: truncate(msg, maxErrorText)}
	wait := transport.Backoff(del.Attempts+1, d.RetryBase, d.RetryMax, d.Rand)
	wait = max(wait, min(after, d.RetryMax))
	if at := now.Add(wait); at.Sub(del.CreatedAt) <= d.RetryWindow {
		res.RetryAt = at
	}
	return res
}

// retryAfter reads a 429's or 503's Retry-After in seconds (the date form
// is rare from receivers and ignored).
func retryAfter(resp *http.Response) time.Duration {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After")))
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}

// describe turns a client error into a line for the delivery log.
func describe(err error, timeout time.Duration) string {
	var uerr *URLError
	switch {
	case errors.As(err, &uerr):
		return uerr.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("no answer within %s", timeout)
	}
	// Drop the `Post "URL": ` the client puts first: the log is the
	// endpoint's, its URL is known.
	var ue *url.Error
	if errors.As(err, &ue) {
		return clean(ue.Err.Error())
	}
	return clean(err.Error())
}

// clean makes text from a receiver safe and short for the log: valid UTF-8,
// no control characters, space collapsed.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, s)
	return truncate(strings.Join(strings.Fields(s), " "), maxErrorText)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}
