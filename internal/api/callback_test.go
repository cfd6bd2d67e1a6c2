package api_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/api"
	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/peppol/accesspoint"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/store/storetest"
	"github.com/vatgate/vatgate/internal/testdb"
)

const (
	callbackPath   = "/api/1/app/l_invoice/e_documents/callback"
	callbackSecret = "cb-secret-for-tests"
)

// callbackAPI is a server with the http transport's callback verifier.
func callbackAPI(t *testing.T, st store.Store, notify func()) string {
	t.Helper()
	ap, err := accesspoint.New(accesspoint.Config{URL: "https://ap.example", CallbackSecret: callbackSecret})
	if err != nil {
		t.Fatal(err)
	}
	server := api.NewServer(st, slog.New(slog.NewJSONHandler(io.Discard, nil)),
		api.Config{Now: testNow, Callbacks: ap, Notify: notify})
	srv := httptest.NewServer(server)
	t.Cleanup(srv.Close)
	return srv.URL
}

// postCallback POSTs body signed at signedAt with secret ("" for no
// signature) and returns the status and the answer.
func postCallback(t *testing.T, base, body, secret string, signedAt time.Time) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+callbackPath, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(accesspoint.SignatureHeader, accesspoint.SignCallback(secret, signedAt, []byte(body)))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// sentDocuments stores n e-invoices and records them as sent, the i-th
// with access point id "ap-<i>".
func sentDocuments(t *testing.T, st store.Store, merchantID int64, numbers ...string) []invoicing.EDocument {
	t.Helper()
	var docs []invoicing.EDocument
	for _, n := range numbers {
		docs = append(docs, storetest.MinimalEDocument(invoicing.KindInvoice, n))
	}
	docs = storetest.MustCreateEDocuments(t, st, merchantID, docs...)
	trs, err := st.ClaimTransmissions(t.Context(), "w", time.Hour, len(docs))
	if err != nil || len(trs) != len(docs) {
		t.Fatalf("claim: %d, %v", len(trs), err)
	}
	for _, tr := range trs {
		if err := st.FinishTransmission(t.Context(), tr, store.Outcome{Status: invoicing.EStatusSent, APMessageID: "ap-" + tr.Document.Number}); err != nil {
			t.Fatal(err)
		}
	}
	return docs
}

func TestTransmissionCallback(t *testing.T) {
	for _, b := range testdb.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			st := b.Open(t)
			base := callbackAPI(t, st, nil)
			m := storetest.MustCreateMerchant(t, st)
			docs := sentDocuments(t, st, m.ID, "CB-1", "CB-2", "CB-3")
			now := time.Now()
			ok := `{"status":200}`

			// By our message id.
			body := `{"messageId":"` + docs[0].MessageID + `","apMessageId":"ap-CB-1","status":"delivered"}`
			if code, got := postCallback(t, base, body, callbackSecret, now); code != 200 || got != ok {
				t.Fatalf("delivered: %d %s", code, got)
			}
			// The same answer again (an access point retrying): 200.
			if code, got := postCallback(t, base, body, callbackSecret, now); code != 200 || got != ok {
				t.Errorf("the same answer again: %d %s", code, got)
			}
			// By the access point's id alone, rejected with a reason.
			body = `{"apMessageId":"ap-CB-2","status":"rejected","reason":"PO number unknown"}`
			if code, got := postCallback(t, base, body, callbackSecret, now); code != 200 || got != ok {
				t.Fatalf("rejected: %d %s", code, got)
			}
			// Ours unknown (an adapter's own id), the access point's known.
			body = `{"messageId":"adapter-77","apMessageId":"ap-CB-3","status":"delivered"}`
			if code, got := postCallback(t, base, body, callbackSecret, now); code != 200 {
				t.Fatalf("by the access point id after an unknown id: %d %s", code, got)
			}
			for i, want := range []struct {
				status invoicing.EStatus
				reason string
			}{{invoicing.EStatusDelivered, ""}, {invoicing.EStatusRejected, "PO number unknown"}, {invoicing.EStatusDelivered, ""}} {
				got := storetest.MustGetEDocument(t, st, m.ID, docs[i].ID)
				if got.Status != want.status || got.ErrorReason != want.reason {
					t.Errorf("%s: %s %q, want %s %q", got.Number, got.Status, got.ErrorReason, want.status, want.reason)
				}
			}

			refusals := []struct {
				name, body, secret string
				at                 time.Time
				code               int
			}{
				{"a backwards move", `{"messageId":"` + docs[0].MessageID + `","status":"rejected"}`, callbackSecret, now, http.StatusConflict},
				{"an unknown message id", `{"messageId":"nope","status":"delivered"}`, callbackSecret, now, http.StatusNotFound},
				{"no signature", `{"messageId":"x","status":"delivered"}`, "", now, http.StatusUnauthorized},
				{"a wrong secret", `{"messageId":"x","status":"delivered"}`, "guessed", now, http.StatusUnauthorized},
				{"a stale signature", `{"messageId":"x","status":"delivered"}`, callbackSecret, now.Add(-10 * time.Minute), http.StatusUnauthorized},
				{"a status that is no answer", `{"messageId":"x","status":"sent"}`, callbackSecret, now, http.StatusBadRequest},
				{"no message id", `{"status":"delivered"}`, callbackSecret, now, http.StatusBadRequest},
				{"not JSON", `delivered`, callbackSecret, now, http.StatusBadRequest},
			}
			for _, r := range refusals {
				code, got := postCallback(t, base, r.body, r.secret, r.at)
				if code != r.code || !strings.Contains(got, `"status":`) || !strings.Contains(got, `"message":`) {
					t.Errorf("%s: %d %s, want %d with a message", r.name, code, got, r.code)
				}
			}
			if got := storetest.MustGetEDocument(t, st, m.ID, docs[0].ID); got.Status != invoicing.EStatusDelivered {
				t.Errorf("after the refusals: %s, want delivered", got.Status)
			}
			// Too large a body.
			big := `{"messageId":"x","status":"delivered","reason":"` + strings.Repeat("a", accesspoint.MaxCallbackBody) + `"}`
			if code, _ := postCallback(t, base, big, callbackSecret, now); code != http.StatusRequestEntityTooLarge {
				t.Errorf("a body over the limit: %d, want 413", code)
			}
		})
	}
}

// TestTransmissionCallbackNotConfigured: without the http transport the
// route does not exist, and "callback" is never read as a token.
func TestTransmissionCallbackNotConfigured(t *testing.T) {
	a := newTestAPI(t, testdb.SQLite(t))
	body := `{"messageId":"x","status":"delivered"}`
	sig := accesspoint.SignCallback(callbackSecret, time.Now(), []byte(body))
	got := a.expect(http.StatusNotFound, http.MethodPost, callbackPath, body, accesspoint.SignatureHeader, sig)
	if got != `{"status":404,"message":"no such route"}`+"\n" {
		t.Errorf("answer %q", got)
	}
	a.expect(http.StatusMethodNotAllowed, http.MethodGet, callbackPath, "")
	a.expect(http.StatusNotFound, http.MethodPost, "/api/app/l_invoice/edocuments/callback/", body)
}

// TestNotifyAfterEDocuments: storing e-documents wakes the transmission
// worker; a request that stores nothing does not.
func TestNotifyAfterEDocuments(t *testing.T) {
	st := testdb.SQLite(t)
	var calls atomic.Int32
	base := callbackAPI(t, st, func() { calls.Add(1) })
	tok := mustMerchantToken(t, st, "Notified")
	post := func(body string) int {
		resp, err := http.Post(base+"/api/1/app/l_invoice/e_documents/invoices/"+tok+"/", "application/json", bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(example(t, "e_invoices_single")); code != 200 || calls.Load() != 1 {
		t.Errorf("after storing: %d, %d notifications; want 200, 1", code, calls.Load())
	}
	if code := post(`[{"invoice_number":"x"}]`); code != 200 || calls.Load() != 1 {
		t.Errorf("after an all-invalid request: %d, %d notifications; want 200, still 1", code, calls.Load())
	}
}
