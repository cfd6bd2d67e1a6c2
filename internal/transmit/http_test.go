package transmit_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/api"
	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/peppol/accesspoint"
	"github.com/vatgate/vatgate/internal/store/storetest"
	"github.com/vatgate/vatgate/internal/testdb"
	"github.com/vatgate/vatgate/internal/transmit"
)

// fakeAP plays a Peppol access point over TLS: it refuses the first POST
// of each message with 503 (so a retry is seen), accepts the next with its
// own message id, and then reports the receiver's answer to our callback
// route, signed, as the http transport's documentation describes.
type fakeAP struct {
	t           *testing.T
	secret      string
	callbackURL string
	answer      func(ourID string) (status, reason string, byAPIDOnly bool)

	mu       sync.Mutex
	bodies   map[string][][]byte // by Idempotency-Key
	problems []string
	wg       sync.WaitGroup
}

func (ap *fakeAP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	key := r.Header.Get("Idempotency-Key")
	ap.mu.Lock()
	defer ap.mu.Unlock()
	switch {
	case r.Header.Get("Authorization") != "Bearer ap-token":
		ap.problems = append(ap.problems, "authorization "+r.Header.Get("Authorization"))
	case r.Header.Get("Content-Type") != "application/xml":
		ap.problems = append(ap.problems, "content type "+r.Header.Get("Content-Type"))
	case !bytes.Contains(body, []byte("<InstanceIdentifier>"+key+"</InstanceIdentifier>")):
		ap.problems = append(ap.problems, "no SBDH instance identifier "+key)
	case !bytes.Contains(body, []byte("urn:oasis:names:specification:ubl:schema:xsd:Invoice-2")):
		ap.problems = append(ap.problems, "no UBL invoice in the envelope")
	}
	ap.bodies[key] = append(ap.bodies[key], body)
	if len(ap.bodies[key]) == 1 {
		w.Header().Set("Retry-After", "0")
		http.Error(w, `{"message":"node restarting"}`, http.StatusServiceUnavailable)
		return
	}
	apID := "ap-" + key
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	fmt.Fprintf(w, `{"messageId":%q}`, apID)
	if len(ap.bodies[key]) == 2 {
		ap.wg.Go(func() { ap.callBack(key, apID) })
	}
}

// callBack POSTs the receiver's answer, retrying while we do not know the
// message yet (the accepting answer may still be on its way to the store).
func (ap *fakeAP) callBack(ourID, apID string) {
	status, reason, apOnly := ap.answer(ourID)
	msg := map[string]string{"apMessageId": apID, "status": status, "reason": reason}
	if !apOnly {
		msg["messageId"] = ourID
	}
	body, _ := json.Marshal(msg)
	for range 100 {
		time.Sleep(20 * time.Millisecond)
		req, _ := http.NewRequest(http.MethodPost, ap.callbackURL, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(accesspoint.SignatureHeader, accesspoint.SignCallback(ap.secret, time.Now(), body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			continue
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK && string(bytes.TrimSpace(answer)) == `{"status":200}` {
			return
		}
		if resp.StatusCode != http.StatusNotFound {
			ap.mu.Lock()
			ap.problems = append(ap.problems, fmt.Sprintf("callback answered %d %s", resp.StatusCode, answer))
			ap.mu.Unlock()
			return
		}
	}
}

// TestHTTPTransport sends through the http transport to an access point
// over TLS, which accepts on the second attempt and reports the answers by
// signed callback to our API: one delivered (named by our id), one
// rejected (named by its own id only).
func TestHTTPTransport(t *testing.T) {
	for _, b := range testdb.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			const secret = "callback-secret"
			s := b.Open(t)
			m := storetest.MustCreateMerchant(t, s)
			ep := storetest.MustCreateWebhookEndpoint(t, s, m.ID)
			docs := storetest.MustCreateEDocuments(t, s, m.ID,
				eDoc(invoicing.KindInvoice, "H-1", receiver("01")), eDoc(invoicing.KindInvoice, "H-2", receiver("02")))

			ap := &fakeAP{t: t, secret: secret, bodies: map[string][][]byte{}}
			ap.answer = func(ourID string) (string, string, bool) {
				if ourID == docs[1].MessageID {
					return "rejected", "buyer unknown", true
				}
				return "delivered", "", false
			}
			apSrv := httptest.NewTLSServer(ap)
			t.Cleanup(apSrv.Close)
			roots := x509.NewCertPool()
			roots.AddCert(apSrv.Certificate())
			client, err := accesspoint.New(accesspoint.Config{URL: apSrv.URL + "/documents", BearerToken: "ap-token",
				CallbackSecret: secret, TLS: &tls.Config{RootCAs: roots}, Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			ours := httptest.NewServer(api.NewServer(s, testLogger(t), api.Config{Callbacks: client}))
			t.Cleanup(ours.Close)
			ap.callbackURL = ours.URL + "/api/1/app/l_invoice/e_documents/callback"

			startWorker(t, &transmit.Worker{Store: s, Transport: client})
			delivered := waitStatus(t, s, m.ID, docs[0].ID, invoicing.EStatusDelivered)
			rejected := waitStatus(t, s, m.ID, docs[1].ID, invoicing.EStatusRejected)
			ap.wg.Wait()
			if rejected.ErrorReason != "buyer unknown" {
				t.Errorf("rejection reason %q", rejected.ErrorReason)
			}
			ap.mu.Lock()
			defer ap.mu.Unlock()
			for _, p := range ap.problems {
				t.Error("access point: " + p)
			}
			for _, d := range []invoicing.EDocument{delivered, rejected} {
				bodies := ap.bodies[d.MessageID]
				if len(bodies) != 2 || !bytes.Equal(bodies[0], bodies[1]) {
					t.Errorf("%s: %d POSTs; want 2 with the same body", d.Number, len(bodies))
				}
				want := []string{"->new", "new->pending", "pending->sent", "sent->" + string(d.Status)}
				if p := transitions(t, s, m.ID, ep.ID, d.ID); !slices.Equal(p, want) {
					t.Errorf("%s: status changes %q, want %q", d.Number, p, want)
				}
			}
			if len(ap.bodies) != 2 {
				t.Errorf("the access point saw %d message ids, want 2", len(ap.bodies))
			}
			waitNoJobs(t, s)
		})
	}
}
