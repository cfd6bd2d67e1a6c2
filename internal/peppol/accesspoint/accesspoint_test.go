package accesspoint

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/xml"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/peppol/transport"
)

const ublInvoice = "\xEF\xBB\xBF" + `<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>INV-7</cbc:ID><cbc:Note>a &amp; b &lt; c</cbc:Note></Invoice>`

const ublCreditNote = `<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>CN-3</cbc:ID></CreditNote>`

var created = time.Date(2026, 2, 3, 10, 4, 5, 0, time.FixedZone("CET", 3600))

func message() transport.Message {
	return transport.Message{
		MessageID:     "3f1c2b9e-6a1d-4c55-9a8e-0d3a1b2c4d5e",
		Sender:        transport.Participant{Scheme: "9930", ID: "DE123456789"},
		Receiver:      transport.Participant{Scheme: "0192", ID: "987654321"},
		SenderCountry: "de",
		DocumentType:  transport.DocTypeInvoice,
		Process:       transport.ProcessBilling,
		UBL:           []byte(ublInvoice),
		CreatedAt:     created,
	}
}

// request is what the test access point received.
type request struct {
	method, path string
	header       http.Header
	body         []byte
}

// accessPoint is a TLS test server that records requests and answers with
// handler.
type accessPoint struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []request
}

func newAccessPoint(t *testing.T, handler func(w http.ResponseWriter, r *http.Request)) *accessPoint {
	t.Helper()
	ap := &accessPoint{}
	ap.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ap.mu.Lock()
		ap.reqs = append(ap.reqs, request{r.Method, r.URL.Path, r.Header.Clone(), body})
		ap.mu.Unlock()
		handler(w, r)
	}))
	ap.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted-certificate test's handshake errors
	ap.StartTLS()
	t.Cleanup(ap.Close)
	return ap
}

func (ap *accessPoint) requests() []request {
	ap.mu.Lock()
	defer ap.mu.Unlock()
	return append([]request(nil), ap.reqs...)
}

// trusting is a TLS config that trusts the test server's certificate.
func (ap *accessPoint) trusting() *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(ap.Certificate())
	return &tls.Config{RootCAs: pool}
}

func newClient(t *testing.T, ap *accessPoint, modify func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		URL:            ap.URL + "/peppol/outbound",
		Username:       "vatgate",
		Password:       "s3cret:with colon",
		TLS:            ap.trusting(),
		Timeout:        5 * time.Second,
		CallbackSecret: "whsec_test",
	}
	if modify != nil {
		modify(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func answer(status int, contentType, body string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// The envelope as the access point parses it, every name namespace-qualified.
type gotSBD struct {
	XMLName xml.Name `xml:"http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader StandardBusinessDocument"`
	Header  struct {
		HeaderVersion string `xml:"http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader HeaderVersion"`
		Sender        struct {
			Identifier gotIdentifier `xml:"http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader Identifier"`
		} `xml:"http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader Sender"`
		Receiver struct {
			Identifier gotIdentifier `xml:"http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader Identifier"`
		} `xml:"http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader Receiver"`
		DocumentIdentification struct {
			Standard            string `xml:"http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader Standard"`
			TypeVersion         string `xml:"http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader TypeVersion"`
			InstanceIdentifier  string `xml:"http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader InstanceIdentifier"`
			Type                string `xml:"http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader Type"`
			CreationDateAndTime string `xml:"http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader CreationDateAndTime"`
		} `xml:"http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader DocumentIdentification"`
		BusinessScope struct {
			Scopes []struct {
				Type               string `xml:"http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader Type"`
				InstanceIdentifier string `xml:"http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader InstanceIdentifier"`
				Identifier         string `xml:"http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader Identifier"`
			} `xml:"http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader Scope"`
		} `xml:"http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader BusinessScope"`
	} `xml:"http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader StandardBusinessDocumentHeader"`
	Invoice *struct {
		ID   string `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 ID"`
		Note string `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 Note"`
	} `xml:"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2 Invoice"`
	CreditNote *struct {
		ID string `xml:"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2 ID"`
	} `xml:"urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2 CreditNote"`
}

type gotIdentifier struct {
	Authority string `xml:"Authority,attr"`
	Value     string `xml:",chardata"`
}

type scopeWant struct{ typ, instance, identifier string }

func parseSBD(t *testing.T, body []byte) gotSBD {
	t.Helper()
	var got gotSBD
	if err := xml.Unmarshal(body, &got); err != nil {
		t.Fatalf("the access point cannot parse the envelope: %v\n%s", err, body)
	}
	return got
}

func TestSendEnvelope(t *testing.T) {
	ap := newAccessPoint(t, answer(http.StatusAccepted, "application/json", `{"messageId": "ap-0001", "other": 1}`))
	c := newClient(t, ap, nil)

	res, err := c.Send(context.Background(), message())
	if err != nil {
		t.Fatal(err)
	}
	if res != (transport.Result{Status: transport.StatusSent, APMessageID: "ap-0001"}) {
		t.Errorf("result = %+v", res)
	}

	reqs := ap.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.method != http.MethodPost || r.path != "/peppol/outbound" {
		t.Errorf("request %s %s", r.method, r.path)
	}
	for h, want := range map[string]string{
		"Content-Type":    "application/xml",
		"Idempotency-Key": "3f1c2b9e-6a1d-4c55-9a8e-0d3a1b2c4d5e",
		"Authorization":   "Basic dmF0Z2F0ZTpzM2NyZXQ6d2l0aCBjb2xvbg==", // vatgate:s3cret:with colon
	} {
		if got := r.header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	if !bytes.HasPrefix(r.body, []byte(`<?xml version="1.0" encoding="UTF-8"?>`+"\n<StandardBusinessDocument xmlns=\"http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader\">")) {
		t.Errorf("envelope opening:\n%s", r.body)
	}
	if bytes.Count(r.body, []byte("<?xml")) != 1 || bytes.Contains(r.body, []byte("\xEF\xBB\xBF")) {
		t.Errorf("the payload's XML declaration or BOM was not removed:\n%s", r.body)
	}

	got := parseSBD(t, r.body)
	h := got.Header
	checks := []struct{ name, got, want string }{
		{"HeaderVersion", h.HeaderVersion, "1.0"},
		{"Sender Authority", h.Sender.Identifier.Authority, "iso6523-actorid-upis"},
		{"Sender", h.Sender.Identifier.Value, "9930:DE123456789"},
		{"Receiver Authority", h.Receiver.Identifier.Authority, "iso6523-actorid-upis"},
		{"Receiver", h.Receiver.Identifier.Value, "0192:987654321"},
		{"Standard", h.DocumentIdentification.Standard, "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"},
		{"TypeVersion", h.DocumentIdentification.TypeVersion, "2.1"},
		{"InstanceIdentifier", h.DocumentIdentification.InstanceIdentifier, "3f1c2b9e-6a1d-4c55-9a8e-0d3a1b2c4d5e"},
		{"Type", h.DocumentIdentification.Type, "Invoice"},
		{"CreationDateAndTime", h.DocumentIdentification.CreationDateAndTime, "2026-02-03T09:04:05Z"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	wantScopes := []scopeWant{
		{"DOCUMENTID", "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1", "busdox-docid-qns"},
		{"PROCESSID", "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0", "cenbii-procid-ubl"},
		{"COUNTRY_C1", "DE", ""},
	}
	checkScopes(t, got, wantScopes)
	if got.Invoice == nil || got.Invoice.ID != "INV-7" || got.Invoice.Note != "a & b < c" {
		t.Errorf("payload = %+v, want the invoice INV-7 intact", got.Invoice)
	}
}

func checkScopes(t *testing.T, got gotSBD, want []scopeWant) {
	t.Helper()
	scopes := got.Header.BusinessScope.Scopes
	if len(scopes) != len(want) {
		t.Fatalf("%d scopes, want %d: %+v", len(scopes), len(want), scopes)
	}
	for i, w := range want {
		s := scopes[i]
		if s.Type != w.typ || s.InstanceIdentifier != w.instance || s.Identifier != w.identifier {
			t.Errorf("scope %d = %+v, want %+v", i, s, w)
		}
	}
}

func TestEnvelopeCreditNoteAndCountry(t *testing.T) {
	m := message()
	m.DocumentType = transport.DocTypeCreditNote
	m.UBL = []byte(ublCreditNote)
	m.SenderCountry = ""
	m.Sender = transport.Participant{Scheme: "0192", ID: "810305042"} // Norway's register: NO
	body, err := Envelope(m, created)
	if err != nil {
		t.Fatal(err)
	}
	got := parseSBD(t, body)
	if d := got.Header.DocumentIdentification; d.Standard != "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2" || d.Type != "CreditNote" || d.TypeVersion != "2.1" {
		t.Errorf("identification = %+v", d)
	}
	if got.CreditNote == nil || got.CreditNote.ID != "CN-3" {
		t.Errorf("payload = %+v", got.CreditNote)
	}
	checkScopes(t, got, []scopeWant{
		{"DOCUMENTID", transport.DocTypeCreditNote, "busdox-docid-qns"},
		{"PROCESSID", transport.ProcessBilling, "cenbii-procid-ubl"},
		{"COUNTRY_C1", "NO", ""},
	})

	// An international scheme (GLN) says nothing about the country: no C1.
	m.Sender = transport.Participant{Scheme: "0088", ID: "7300010000001"}
	body, err = Envelope(m, created)
	if err != nil {
		t.Fatal(err)
	}
	checkScopes(t, parseSBD(t, body), []scopeWant{
		{"DOCUMENTID", transport.DocTypeCreditNote, "busdox-docid-qns"},
		{"PROCESSID", transport.ProcessBilling, "cenbii-procid-ubl"},
	})

	// A wiring bug (alpha-3) is reported, not sent.
	m.SenderCountry = "DEU"
	if _, err := Envelope(m, created); !errors.As(err, new(*transport.PermanentError)) {
		t.Errorf("alpha-3 sender country: %v", err)
	}
}

func TestPayloadOf(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{`<a/>`, `<a/>`, ""},
		{"\n  <?xml version='1.0' encoding='utf-8' ?>\n<a/>", `<a/>`, ""},
		{`<?xml version="1.0"?><a/>`, `<a/>`, ""},
		{`<?xml version="1.0" encoding = "ISO-8859-1"?><a/>`, "", `encoding "ISO-8859-1"`},
		{`<?xml version="1.0"`, "", "unterminated"},
		{`<?xml version="1.0"?><!DOCTYPE a><a/>`, "", "DOCTYPE"},
	}
	for _, tt := range tests {
		got, err := payloadOf([]byte(tt.in))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("payloadOf(%q): %v, want error with %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("payloadOf(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestRetrySendsTheSameBytes(t *testing.T) {
	ap := newAccessPoint(t, answer(http.StatusServiceUnavailable, "", ""))
	now := created
	c := newClient(t, ap, func(cfg *Config) { cfg.Now = func() time.Time { return now } })
	m := message()
	for range 2 {
		if _, err := c.Send(context.Background(), m); !transport.IsTransient(err) {
			t.Fatalf("503: %v", err)
		}
		now = now.Add(time.Minute)
	}
	reqs := ap.requests()
	if len(reqs) != 2 || !bytes.Equal(reqs[0].body, reqs[1].body) || reqs[0].header.Get("Idempotency-Key") != reqs[1].header.Get("Idempotency-Key") {
		t.Errorf("a retry differs from the first attempt:\n%s\n%s", reqs[0].body, reqs[1].body)
	}
	// Without CreatedAt the clock supplies the time.
	m.CreatedAt = time.Time{}
	c.Send(context.Background(), m)
	got := parseSBD(t, ap.requests()[2].body)
	if ts := got.Header.DocumentIdentification.CreationDateAndTime; ts != now.UTC().Format(time.RFC3339) {
		t.Errorf("CreationDateAndTime = %s, want %s", ts, now.UTC().Format(time.RFC3339))
	}
}

func TestBearerToken(t *testing.T) {
	ap := newAccessPoint(t, answer(http.StatusOK, "application/xml", `<?xml version="1.0"?><SendResult><messageId> ap-xml-9 </messageId></SendResult>`))
	c := newClient(t, ap, func(cfg *Config) { cfg.Username, cfg.Password, cfg.BearerToken = "", "", "tok_abc" })
	res, err := c.Send(context.Background(), message())
	if err != nil {
		t.Fatal(err)
	}
	if res.APMessageID != "ap-xml-9" {
		t.Errorf("APMessageID from an XML answer = %q", res.APMessageID)
	}
	if got := ap.requests()[0].header.Get("Authorization"); got != "Bearer tok_abc" {
		t.Errorf("Authorization = %q", got)
	}
}

func TestAnswers(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		header     map[string]string
		body       string
		transient  bool
		permanent  bool
		reason     string // the error's text contains it
		apID       string
		retryAfter time.Duration
	}{
		{name: "200 json", status: 200, body: `{"messageId":"ap-77"}`, apID: "ap-77"},
		{name: "201 no body", status: 201, body: ``, apID: ""},
		{name: "200 unparseable", status: 200, body: `OK`, apID: ""},
		{name: "503", status: 503, header: map[string]string{"Retry-After": "120"}, transient: true, reason: "HTTP 503 Service Unavailable", retryAfter: 2 * time.Minute},
		{name: "503 date", status: 503, header: map[string]string{"Retry-After": created.Add(90 * time.Second).UTC().Format(http.TimeFormat)}, transient: true, retryAfter: 90 * time.Second},
		{name: "500", status: 500, body: `{"error":"database down"}`, transient: true, reason: "HTTP 500 Internal Server Error: database down"},
		{name: "502", status: 502, transient: true},
		{name: "408", status: 408, transient: true},
		{name: "409", status: 409, transient: true},
		{name: "429", status: 429, header: map[string]string{"Retry-After": "7"}, transient: true, reason: "HTTP 429 Too Many Requests", retryAfter: 7 * time.Second},
		{name: "400", status: 400, body: `{"error":"receiver 0192:987654321 is not registered in the SMP"}`, permanent: true,
			reason: "access point refused the document (HTTP 400 Bad Request): receiver 0192:987654321 is not registered in the SMP"},
		{name: "400 message", status: 400, body: `{"message":"schematron: [BR-CO-15] total"}`, permanent: true, reason: "[BR-CO-15] total"},
		{name: "400 nested", status: 400, body: `{"error":{"code":"E1","message":"bad payload"}}`, permanent: true, reason: ": bad payload"},
		{name: "422 problem", status: 422, header: map[string]string{"Content-Type": "application/problem+json"},
			body: `{"type":"about:blank","title":"Validation failed","detail":"PEPPOL-EN16931-R001"}`, permanent: true, reason: "Validation failed: PEPPOL-EN16931-R001"},
		{name: "404 text", status: 404, body: "no such\n  route", permanent: true, reason: "(HTTP 404 Not Found): no such route"},
		{name: "401", status: 401, permanent: true, reason: "access point refused our credentials (HTTP 401 Unauthorized)"},
		{name: "301", status: 301, header: map[string]string{"Location": "https://elsewhere.example/in"}, permanent: true, reason: "redirected (HTTP 301 Moved Permanently to https://elsewhere.example/in)"},
		{name: "long reason", status: 400, body: strings.Repeat("é", 400), permanent: true, reason: "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ap := newAccessPoint(t, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			})
			c := newClient(t, ap, func(cfg *Config) { cfg.Now = func() time.Time { return created } })
			res, err := c.Send(context.Background(), message())
			var te *transport.TransientError
			var pe *transport.PermanentError
			switch {
			case tt.transient:
				if !errors.As(err, &te) {
					t.Fatalf("err = %v, want transient", err)
				}
				if te.RetryAfter != tt.retryAfter {
					t.Errorf("RetryAfter = %v, want %v", te.RetryAfter, tt.retryAfter)
				}
			case tt.permanent:
				if !errors.As(err, &pe) {
					t.Fatalf("err = %v, want permanent", err)
				}
				if len(pe.Reason) > 600 {
					t.Errorf("reason of %d bytes", len(pe.Reason))
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				if res.Status != transport.StatusSent || res.APMessageID != tt.apID || res.ReceiptAfter != 0 {
					t.Errorf("result = %+v, want sent with %q", res, tt.apID)
				}
			}
			if tt.reason != "" && (err == nil || !strings.Contains(err.Error(), tt.reason)) {
				t.Errorf("err = %v, want it to contain %q", err, tt.reason)
			}
			if n := len(ap.requests()); n != 1 {
				t.Errorf("%d requests, want 1 (no redirects followed)", n)
			}
		})
	}
}

func TestTimeoutIsTransient(t *testing.T) {
	release := make(chan struct{})
	ap := newAccessPoint(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	c := newClient(t, ap, func(cfg *Config) { cfg.Timeout = 100 * time.Millisecond })
	start := time.Now()
	_, err := c.Send(context.Background(), message())
	var te *transport.TransientError
	if !errors.As(err, &te) || te.Reason != "access point did not answer within 100ms" {
		t.Errorf("err = %v, want a transient timeout", err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("took %v", el)
	}

	// The caller's deadline counts too.
	c = newClient(t, ap, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.Send(ctx, message())
	if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want a transient error from the context deadline", err)
	}
}

func TestNetworkErrorsAreTransient(t *testing.T) {
	ap := newAccessPoint(t, answer(200, "", `{"messageId":"x"}`))

	// A certificate we do not trust.
	c := newClient(t, ap, func(cfg *Config) { cfg.TLS = nil })
	_, err := c.Send(context.Background(), message())
	if !errors.As(err, new(*transport.TransientError)) || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("untrusted certificate: %v", err)
	}
	if strings.Contains(err.Error(), ap.URL) {
		t.Errorf("the reason repeats the URL: %v", err)
	}

	// Nobody listening.
	c = newClient(t, ap, nil)
	ap.Close()
	if _, err := c.Send(context.Background(), message()); !errors.As(err, new(*transport.TransientError)) {
		t.Errorf("closed server: %v", err)
	}
}

func TestInvalidMessageIsNotSent(t *testing.T) {
	ap := newAccessPoint(t, answer(200, "", ""))
	c := newClient(t, ap, nil)
	m := message()
	m.DocumentType = transport.DocTypeCreditNote // the UBL is an invoice
	if _, err := c.Send(context.Background(), m); !errors.As(err, new(*transport.PermanentError)) {
		t.Errorf("err = %v, want permanent", err)
	}
	if n := len(ap.requests()); n != 0 {
		t.Errorf("%d requests for an invalid message", n)
	}
}

func TestReceiptWaitsForCallbacks(t *testing.T) {
	ap := newAccessPoint(t, answer(200, "", ""))
	c := newClient(t, ap, nil)
	res, err := c.Receipt(context.Background(), "ap-1")
	if err != nil || res != (transport.Result{Status: transport.StatusSent}) {
		t.Errorf("Receipt = %+v, %v", res, err)
	}
	if c.Name() != "http" {
		t.Errorf("Name = %q", c.Name())
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		err  string
	}{
		{"ok", Config{URL: "https://ap.example/send", CallbackSecret: "s"}, ""},
		{"ok basic", Config{URL: "https://ap.example/send", Username: "u", Password: "p", CallbackSecret: "s"}, ""},
		{"ok insecure for tests", Config{URL: "http://127.0.0.1:8080/send", AllowInsecure: true, CallbackSecret: "s"}, ""},
		{"no URL", Config{CallbackSecret: "s"}, "no URL"},
		{"http", Config{URL: "http://ap.example/send", CallbackSecret: "s"}, "https"},
		{"other scheme", Config{URL: "ftp://ap.example/send", AllowInsecure: true, CallbackSecret: "s"}, "https"},
		{"no host", Config{URL: "https:///send", CallbackSecret: "s"}, "no host"},
		{"bad URL", Config{URL: "https://ap.example/%zz", CallbackSecret: "s"}, "URL"},
		{"credentials in URL", Config{URL: "https://u:p@ap.example/send", CallbackSecret: "s"}, "credentials"},
		{"both auths", Config{URL: "https://ap.example", Username: "u", BearerToken: "t", CallbackSecret: "s"}, "not both"},
		{"password only", Config{URL: "https://ap.example", Password: "p", CallbackSecret: "s"}, "without a user name"},
		{"no secret", Config{URL: "https://ap.example"}, "callback secret"},
		{"negative timeout", Config{URL: "https://ap.example", CallbackSecret: "s", Timeout: -1}, "timeout"},
	}
	for _, tt := range tests {
		_, err := New(tt.cfg)
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.err)
		}
	}
	// The caller's TLS config is not modified, and old versions are refused.
	mine := &tls.Config{MinVersion: tls.VersionTLS10}
	c, err := New(Config{URL: "https://ap.example", CallbackSecret: "s", TLS: mine})
	if err != nil {
		t.Fatal(err)
	}
	if mine.MinVersion != tls.VersionTLS10 {
		t.Error("New modified the caller's tls.Config")
	}
	if got := c.http.Transport.(*http.Transport).TLSClientConfig.MinVersion; got != tls.VersionTLS12 {
		t.Errorf("MinVersion = %x, want TLS 1.2", got)
	}
	if c.http.Timeout != DefaultTimeout {
		t.Errorf("default timeout = %v", c.http.Timeout)
	}
}
