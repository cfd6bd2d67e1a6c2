package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
)

// MustCreateWebhookEndpoint stores an endpoint for merchantID.
func MustCreateWebhookEndpoint(tb testing.TB, s store.EDocumentStore, merchantID int64) store.WebhookEndpoint {
	tb.Helper()
	e, err := s.CreateWebhookEndpoint(tb.Context(), merchantID, "https://hooks.example/vatgate?m="+fmt.Sprint(merchantID), "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		tb.Fatalf("CreateWebhookEndpoint: %v", err)
	}
	return e
}

// allDeliveries reads an endpoint's whole delivery log, page by page.
func allDeliveries(tb testing.TB, s store.EDocumentStore, merchantID, endpointID int64) []store.WebhookDelivery {
	tb.Helper()
	var out []store.WebhookDelivery
	after := int64(0)
	for {
		page, err := s.ListWebhookDeliveries(tb.Context(), merchantID, endpointID, store.ListOptions{AfterID: after, Limit: 100})
		if err != nil {
			tb.Fatalf("ListWebhookDeliveries: %v", err)
		}
		if len(page) == 0 {
			return out
		}
		out = append(out, page...)
		after = page[len(page)-1].ID
	}
}

// statusEvent is the body of an e_document.status_changed event, with
// pointers where the event may carry null.
type statusEvent struct {
	Type      *string `json:"type"`
	Timestamp *string `json:"timestamp"`
	Data      struct {
		DocumentID     *int64  `json:"document_id"`
		InvoiceNumber  *string `json:"invoice_number"`
		InvoiceType    *string `json:"invoice_type"`
		Type           *string `json:"type"`
		PreviousStatus *string `json:"previous_status"`
		DocumentStatus *string `json:"document_status"`
		Error          *string `json:"error"`
	} `json:"data"`
}

func parseEvent(tb testing.TB, d store.WebhookDelivery) statusEvent {
	tb.Helper()
	var e statusEvent
	if err := json.Unmarshal(d.Payload, &e); err != nil {
		tb.Fatalf("delivery %d: payload %s: %v", d.ID, d.Payload, err)
	}
	if e.Type == nil || e.Data.DocumentID == nil || e.Data.DocumentStatus == nil {
		tb.Fatalf("delivery %d: payload %s lacks type, document_id or document_status", d.ID, d.Payload)
	}
	return e
}

// transition writes an event as "previous->status" ("->new" when there is
// no previous status).
func (e statusEvent) transition() string {
	prev := ""
	if e.Data.PreviousStatus != nil {
		prev = *e.Data.PreviousStatus
	}
	return prev + "->" + *e.Data.DocumentStatus
}

// wantTransitions fails unless the endpoint's log holds exactly these
// status changes of the document, in order.
func wantTransitions(tb testing.TB, s store.EDocumentStore, merchantID, endpointID, docID int64, want ...string) {
	tb.Helper()
	var got []string
	for _, d := range allDeliveries(tb, s, merchantID, endpointID) {
		if e := parseEvent(tb, d); *e.Data.DocumentID == docID {
			got = append(got, e.transition())
		}
	}
	if !slices.Equal(want, got) {
		tb.Errorf("status changes of document %d: %q, want %q", docID, got, want)
	}
}

// mustClaimDeliveries claims up to limit due deliveries for owner.
func mustClaimDeliveries(tb testing.TB, s store.EDocumentStore, owner string, limit int) []store.WebhookDelivery {
	tb.Helper()
	ds, err := s.ClaimWebhookDeliveries(tb.Context(), owner, testLease, limit)
	if err != nil {
		tb.Fatalf("ClaimWebhookDeliveries: %v", err)
	}
	return ds
}

func mustFinishDelivery(tb testing.TB, s store.EDocumentStore, d store.WebhookDelivery, res store.WebhookResult) {
	tb.Helper()
	if err := s.FinishWebhookDelivery(tb.Context(), d, res); err != nil {
		tb.Fatalf("FinishWebhookDelivery(%d): %v", d.ID, err)
	}
}

func deliveryID(d store.WebhookDelivery) int64 { return d.ID }
func endpointID(e store.WebhookEndpoint) int64 { return e.ID }

var webhookTests = []test{
	{"EndpointCreateList", testEndpointCreateList},
	{"EndpointDelete", testEndpointDelete},
	{"EventPerEndpoint", testEventPerEndpoint},
	{"EventPayload", testEventPayload},
	{"NoEndpointNoEvent", testNoEndpointNoEvent},
	{"ClaimDeliveries", testClaimDeliveries},
	{"FinishDelivery", testFinishDelivery},
	{"FinishDeliveryConflict", testFinishDeliveryConflict},
	{"DeliveryLeaseExpires", testDeliveryLeaseExpires},
	{"ListDeliveries", testListDeliveries},
	{"ConcurrentDeliveryClaims", testConcurrentDeliveryClaims},
}

func testEndpointCreateList(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	other := MustCreateMerchant(t, s)
	a, err := s.CreateWebhookEndpoint(ctx, m.ID, "https://a.example/hook", "whsec_a")
	if err != nil {
		t.Fatalf("CreateWebhookEndpoint: %v", err)
	}
	theirs := MustCreateWebhookEndpoint(t, s, other.ID)
	b := MustCreateWebhookEndpoint(t, s, m.ID)
	if a.ID <= 0 || a.MerchantID != m.ID || a.URL != "https://a.example/hook" || a.Secret != "whsec_a" || a.CreatedAt.IsZero() {
		t.Errorf("created %+v", a)
	}
	wantAscending(t, "endpoints", []int64{a.ID, theirs.ID, b.ID})
	list, err := s.ListWebhookEndpoints(ctx, m.ID)
	if err != nil {
		t.Fatalf("ListWebhookEndpoints: %v", err)
	}
	wantEqual(t, "ListWebhookEndpoints", []store.WebhookEndpoint{a, b}, list)
	list, err = s.ListWebhookEndpoints(ctx, other.ID)
	if err != nil {
		t.Fatalf("ListWebhookEndpoints: %v", err)
	}
	wantEqual(t, "the other merchant's endpoints", []store.WebhookEndpoint{theirs}, list)
	_, err = s.CreateWebhookEndpoint(ctx, other.ID+1000, "https://x.example", "whsec_x")
	wantErrIs(t, "CreateWebhookEndpoint for an unknown merchant", err, store.ErrNotFound)
}

func testEndpointDelete(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	other := MustCreateMerchant(t, s)
	gone := MustCreateWebhookEndpoint(t, s, m.ID)
	kept := MustCreateWebhookEndpoint(t, s, m.ID)
	theirs := MustCreateWebhookEndpoint(t, s, other.ID)
	MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, "H-1"))
	MustCreateEDocuments(t, s, other.ID, MinimalEDocument(invoicing.KindInvoice, "H-1"))

	wantErrIs(t, "DeleteWebhookEndpoint of another merchant's endpoint", s.DeleteWebhookEndpoint(ctx, m.ID, theirs.ID), store.ErrNotFound)
	wantErrIs(t, "DeleteWebhookEndpoint of a missing endpoint", s.DeleteWebhookEndpoint(ctx, m.ID, theirs.ID+1000), store.ErrNotFound)
	if err := s.DeleteWebhookEndpoint(ctx, m.ID, gone.ID); err != nil {
		t.Fatalf("DeleteWebhookEndpoint: %v", err)
	}
	wantErrIs(t, "DeleteWebhookEndpoint again", s.DeleteWebhookEndpoint(ctx, m.ID, gone.ID), store.ErrNotFound)
	list, err := s.ListWebhookEndpoints(ctx, m.ID)
	if err != nil {
		t.Fatalf("ListWebhookEndpoints: %v", err)
	}
	wantIDs(t, "endpoints after the delete", []int64{kept.ID}, ids(list, endpointID))
	_, err = s.ListWebhookDeliveries(ctx, m.ID, gone.ID, store.ListOptions{Limit: 100})
	wantErrIs(t, "ListWebhookDeliveries of a deleted endpoint", err, store.ErrNotFound)

	// The deleted endpoint's pending delivery is not delivered.
	var endpoints []int64
	for _, d := range mustClaimDeliveries(t, s, "w", 100) {
		endpoints = append(endpoints, d.EndpointID)
	}
	wantIDs(t, "endpoints of the claimed deliveries", []int64{kept.ID, theirs.ID}, endpoints)
	// Nor are later events.
	MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, "H-2"))
	endpoints = nil
	for _, d := range mustClaimDeliveries(t, s, "w", 100) {
		endpoints = append(endpoints, d.EndpointID)
	}
	wantIDs(t, "endpoints of later deliveries", []int64{kept.ID}, endpoints)
}

// testEventPerEndpoint: a status change queues one delivery per endpoint of
// the merchant, in the change's transaction, with the same body.
func testEventPerEndpoint(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	other := MustCreateMerchant(t, s)
	e1 := MustCreateWebhookEndpoint(t, s, m.ID)
	e2 := MustCreateWebhookEndpoint(t, s, m.ID)
	theirs := MustCreateWebhookEndpoint(t, s, other.ID)
	d := MustCreateEDocuments(t, s, m.ID, SampleEDocument(invoicing.KindCreditNote, "EV-1"))[0]

	l1, l2 := allDeliveries(t, s, m.ID, e1.ID), allDeliveries(t, s, m.ID, e2.ID)
	if len(l1) != 1 || len(l2) != 1 {
		t.Fatalf("deliveries after a new document: %d and %d, want one per endpoint", len(l1), len(l2))
	}
	if string(l1[0].Payload) != string(l2[0].Payload) {
		t.Errorf("payloads differ between endpoints:\n%s\n%s", l1[0].Payload, l2[0].Payload)
	}
	for i, del := range []store.WebhookDelivery{l1[0], l2[0]} {
		want := store.WebhookDelivery{
			ID: del.ID, EndpointID: []int64{e1.ID, e2.ID}[i], MerchantID: m.ID,
			EventType: store.EventEDocumentStatusChanged, Payload: del.Payload,
			CreatedAt: d.CreatedAt, NextAttempt: d.CreatedAt,
		}
		wantEqual(t, fmt.Sprintf("delivery %d", i), want, del)
	}
	if got := allDeliveries(t, s, other.ID, theirs.ID); len(got) != 0 {
		t.Errorf("the other merchant's endpoint got %d deliveries", len(got))
	}

	tr := mustClaim(t, s, "w", 1)[0]
	mustFinish(t, s, tr, store.Outcome{Status: invoicing.EStatusError, Reason: "participant 0106:12345678 not found"})
	l1, l2 = allDeliveries(t, s, m.ID, e1.ID), allDeliveries(t, s, m.ID, e2.ID)
	if len(l1) != 3 || len(l2) != 3 {
		t.Fatalf("deliveries after two changes: %d and %d, want 3 each", len(l1), len(l2))
	}
	for i := range l1 {
		if string(l1[i].Payload) != string(l2[i].Payload) {
			t.Errorf("event %d: payloads differ between endpoints", i)
		}
	}
	wantTransitions(t, s, m.ID, e2.ID, d.ID, "->new", "new->pending", "pending->error")
	last := parseEvent(t, l1[2])
	if last.Data.Error == nil || *last.Data.Error != "participant 0106:12345678 not found" {
		t.Errorf("error of the error event = %v, want the reason", last.Data.Error)
	}
}

func testEventPayload(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	ep := MustCreateWebhookEndpoint(t, s, m.ID)
	us := SampleEDocument(invoicing.KindInvoice, "US-1")
	us.Supplier.Country = "USA"
	docs := MustCreateEDocuments(t, s, m.ID, us, SampleEDocument(invoicing.KindCreditNote, "CN-1"), MinimalEDocument(invoicing.KindInvoice, ""))
	trs := claimByDocument(t, s)
	mustFinish(t, s, trs[docs[0].ID], store.Outcome{Status: invoicing.EStatusSent})
	answer(t, s, docs[0].MessageID, invoicing.EStatusRejected, "Rejected: \"quoted\" <reason>")

	str := func(s string) *string { return &s }
	for _, c := range []struct {
		doc                        invoicing.EDocument
		invoiceType, typ           string
		previous, status, errorMsg *string
	}{
		{docs[0], "invoice", invoicing.ETypeSalesTaxInvoice, nil, str("new"), nil},
		{docs[0], "invoice", invoicing.ETypeSalesTaxInvoice, str("new"), str("pending"), nil},
		{docs[0], "invoice", invoicing.ETypeSalesTaxInvoice, str("pending"), str("sent"), nil},
		{docs[0], "invoice", invoicing.ETypeSalesTaxInvoice, str("sent"), str("rejected"), str("Rejected: \"quoted\" <reason>")},
		{docs[1], "credit_note", invoicing.ETypeCreditNote, nil, str("new"), nil},
		{docs[2], "invoice", invoicing.ETypeVATInvoice, nil, str("new"), nil},
	} {
		var found bool
		for _, d := range allDeliveries(t, s, m.ID, ep.ID) {
			e := parseEvent(t, d)
			if *e.Data.DocumentID != c.doc.ID || !equalPtr(e.Data.PreviousStatus, c.previous) {
				continue
			}
			found = true
			what := fmt.Sprintf("event %s of %s", e.transition(), c.doc.Number)
			wantEqual(t, what+": type", store.EventEDocumentStatusChanged, *e.Type)
			if e.Timestamp == nil {
				t.Fatalf("%s: no timestamp", what)
			}
			ts, err := time.Parse(time.RFC3339, *e.Timestamp)
			if err != nil || ts.Sub(d.CreatedAt).Abs() >= time.Second {
				t.Errorf("%s: timestamp %q (%v), want the change's time in RFC 3339 (%v)", what, *e.Timestamp, err, d.CreatedAt)
			}
			wantEqual(t, what+": invoice_number", &c.doc.Number, e.Data.InvoiceNumber)
			wantEqual(t, what+": invoice_type", &c.invoiceType, e.Data.InvoiceType)
			wantEqual(t, what+": type", &c.typ, e.Data.Type)
			wantEqual(t, what+": document_status", c.status, e.Data.DocumentStatus)
			wantEqual(t, what+": error", c.errorMsg, e.Data.Error)
			// null, not absent
			var raw struct {
				Data map[string]json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(d.Payload, &raw); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"previous_status", "error"} {
				if _, ok := raw.Data[k]; !ok {
					t.Errorf("%s: data.%s is absent, want it even when null", what, k)
				}
			}
		}
		if !found {
			t.Errorf("no event of %s from %v", c.doc.Number, c.previous)
		}
	}
	if docs[2].Number != "EINV-000001" {
		t.Errorf("number %q", docs[2].Number)
	}
}

func equalPtr[T comparable](a, b *T) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func testNoEndpointNoEvent(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	d := MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, "N-1"))[0]
	if got := mustClaimDeliveries(t, s, "w", 100); len(got) != 0 {
		t.Fatalf("a merchant without endpoints got deliveries: %+v", got)
	}
	// An endpoint hears of the changes after it was made, not before.
	ep := MustCreateWebhookEndpoint(t, s, m.ID)
	mustFinish(t, s, mustClaim(t, s, "w", 1)[0], store.Outcome{Status: invoicing.EStatusSent})
	wantTransitions(t, s, m.ID, ep.ID, d.ID, "new->pending", "pending->sent")
}

func testClaimDeliveries(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	ep := MustCreateWebhookEndpoint(t, s, m.ID)
	MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, ""), MinimalEDocument(invoicing.KindInvoice, ""), MinimalEDocument(invoicing.KindInvoice, ""))
	log := allDeliveries(t, s, m.ID, ep.ID)
	before := time.Now()
	first, err := s.ClaimWebhookDeliveries(t.Context(), "w1", time.Minute, 2)
	if err != nil {
		t.Fatalf("ClaimWebhookDeliveries: %v", err)
	}
	wantIDs(t, "first claim", ids(log[:2], deliveryID), ids(first, deliveryID))
	for i, d := range first {
		if d.Owner != "w1" || d.LeaseUntil.Before(before.Add(time.Minute-time.Second)) || d.LeaseUntil.After(time.Now().Add(time.Minute+time.Second)) {
			t.Errorf("claimed owner %q, lease until %v; want w1, a minute from now", d.Owner, d.LeaseUntil)
		}
		want := log[i]
		want.Owner, want.LeaseUntil = d.Owner, d.LeaseUntil
		wantEqual(t, "claimed delivery", want, d)
	}
	// The log shows the lease.
	wantEqual(t, "the log after the claim", first, allDeliveries(t, s, m.ID, ep.ID)[:2])
	second := mustClaimDeliveries(t, s, "w2", 10)
	wantIDs(t, "second claim", ids(log[2:], deliveryID), ids(second, deliveryID))
	if third := mustClaimDeliveries(t, s, "w3", 10); len(third) != 0 {
		t.Errorf("leased deliveries claimed again: %+v", third)
	}
	if ds, err := s.ClaimWebhookDeliveries(t.Context(), "w", time.Minute, 0); err != nil || len(ds) != 0 {
		t.Errorf("ClaimWebhookDeliveries with limit 0: %d, %v", len(ds), err)
	}
}

func testFinishDelivery(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	ep := MustCreateWebhookEndpoint(t, s, m.ID)
	MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, ""), MinimalEDocument(invoicing.KindInvoice, ""), MinimalEDocument(invoicing.KindInvoice, ""))
	ds := mustClaimDeliveries(t, s, "w", 10)
	if len(ds) != 3 {
		t.Fatalf("claimed %d deliveries, want 3", len(ds))
	}
	retryAt := pastRetry().Add(123456 * time.Nanosecond)
	mustFinishDelivery(t, s, ds[0], store.WebhookResult{Delivered: true, StatusCode: 204})
	mustFinishDelivery(t, s, ds[1], store.WebhookResult{StatusCode: 503, Error: "Service Unavailable", RetryAt: retryAt})
	mustFinishDelivery(t, s, ds[2], store.WebhookResult{Error: "dial tcp: connection refused"})

	log := allDeliveries(t, s, m.ID, ep.ID)
	clear := func(d store.WebhookDelivery) store.WebhookDelivery {
		d.Owner, d.LeaseUntil = "", time.Time{}
		d.Attempts++
		return d
	}
	delivered := clear(ds[0])
	delivered.Delivered, delivered.LastStatus = true, 204
	retry := clear(ds[1])
	retry.NextAttempt, retry.LastStatus, retry.LastError = retryAt.Truncate(time.Microsecond), 503, "Service Unavailable"
	gaveUp := clear(ds[2])
	gaveUp.GaveUp, gaveUp.LastError = true, "dial tcp: connection refused"
	wantEqual(t, "the log after the attempts", []store.WebhookDelivery{delivered, retry, gaveUp}, log)

	// Only the retry is due again; it keeps its count of attempts.
	again := mustClaimDeliveries(t, s, "w", 10)
	wantIDs(t, "claimed again", []int64{ds[1].ID}, ids(again, deliveryID))
	mustFinishDelivery(t, s, again[0], store.WebhookResult{Delivered: true, StatusCode: 200})
	got := allDeliveries(t, s, m.ID, ep.ID)[1]
	if !got.Delivered || got.Attempts != 2 || got.LastStatus != 200 || got.Owner != "" {
		t.Errorf("after the second attempt: %+v", got)
	}
	if more := mustClaimDeliveries(t, s, "w", 10); len(more) != 0 {
		t.Errorf("finished deliveries claimed again: %+v", more)
	}
}

func testFinishDeliveryConflict(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	MustCreateWebhookEndpoint(t, s, m.ID)
	MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, ""))
	d := mustClaimDeliveries(t, s, "owner", 1)[0]
	for name, bad := range map[string]func(*store.WebhookDelivery){
		"another owner":    func(d *store.WebhookDelivery) { d.Owner = "intruder" },
		"another lease":    func(d *store.WebhookDelivery) { d.LeaseUntil = d.LeaseUntil.Add(time.Second) },
		"another delivery": func(d *store.WebhookDelivery) { d.ID += 1000 },
	} {
		forged := d
		bad(&forged)
		err := s.FinishWebhookDelivery(ctx, forged, store.WebhookResult{Delivered: true, StatusCode: 200})
		wantErrIs(t, "FinishWebhookDelivery with "+name, err, store.ErrConflict)
	}
	mustFinishDelivery(t, s, d, store.WebhookResult{Delivered: true, StatusCode: 200})
	wantErrIs(t, "FinishWebhookDelivery twice",
		s.FinishWebhookDelivery(ctx, d, store.WebhookResult{Delivered: true, StatusCode: 200}), store.ErrConflict)
}

func testDeliveryLeaseExpires(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	ep := MustCreateWebhookEndpoint(t, s, m.ID)
	MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, ""))
	crashed, err := s.ClaimWebhookDeliveries(ctx, "crashed", time.Millisecond, 1)
	if err != nil || len(crashed) != 1 {
		t.Fatalf("ClaimWebhookDeliveries: %d, %v", len(crashed), err)
	}
	time.Sleep(10 * time.Millisecond)
	taken := mustClaimDeliveries(t, s, "survivor", 10)
	if len(taken) != 1 || taken[0].ID != crashed[0].ID || taken[0].Owner != "survivor" {
		t.Fatalf("after the lease expired: claimed %+v, want the delivery", taken)
	}
	wantErrIs(t, "FinishWebhookDelivery by the worker whose lease expired",
		s.FinishWebhookDelivery(ctx, crashed[0], store.WebhookResult{Delivered: true, StatusCode: 200}), store.ErrConflict)
	mustFinishDelivery(t, s, taken[0], store.WebhookResult{Delivered: true, StatusCode: 200})
	if got := allDeliveries(t, s, m.ID, ep.ID)[0]; !got.Delivered || got.Attempts != 1 {
		t.Errorf("after delivery: %+v, want delivered after one recorded attempt", got)
	}
}

func testListDeliveries(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	other := MustCreateMerchant(t, s)
	e1 := MustCreateWebhookEndpoint(t, s, m.ID)
	e2 := MustCreateWebhookEndpoint(t, s, m.ID)
	theirs := MustCreateWebhookEndpoint(t, s, other.ID)
	for range 3 {
		MustCreateEDocuments(t, s, m.ID, MinimalEDocument(invoicing.KindInvoice, ""))
		MustCreateEDocuments(t, s, other.ID, MinimalEDocument(invoicing.KindInvoice, ""))
	}
	all := allDeliveries(t, s, m.ID, e1.ID)
	if len(all) != 3 {
		t.Fatalf("%d deliveries, want 3", len(all))
	}
	wantAscending(t, "deliveries", ids(all, deliveryID))
	for _, d := range all {
		if d.EndpointID != e1.ID || d.MerchantID != m.ID {
			t.Errorf("delivery of endpoint %d, merchant %d in the log of endpoint %d", d.EndpointID, d.MerchantID, e1.ID)
		}
	}
	page, err := s.ListWebhookDeliveries(ctx, m.ID, e1.ID, store.ListOptions{AfterID: all[0].ID, Limit: 1})
	if err != nil {
		t.Fatalf("ListWebhookDeliveries: %v", err)
	}
	wantEqual(t, "second page of one", all[1:2], page)
	if got := allDeliveries(t, s, m.ID, e2.ID); len(got) != 3 {
		t.Errorf("second endpoint: %d deliveries, want 3", len(got))
	}
	for name, c := range map[string]struct{ merchant, endpoint int64 }{
		"another merchant's endpoint": {m.ID, theirs.ID},
		"one's endpoint as another":   {other.ID, e1.ID},
		"a missing endpoint":          {m.ID, theirs.ID + 1000},
	} {
		_, err := s.ListWebhookDeliveries(ctx, c.merchant, c.endpoint, store.ListOptions{Limit: 100})
		wantErrIs(t, "ListWebhookDeliveries of "+name, err, store.ErrNotFound)
	}
}

func testConcurrentDeliveryClaims(t *testing.T, s store.Store) {
	const docs, endpoints, claimers = 30, 2, 4
	m := MustCreateMerchant(t, s)
	for range endpoints {
		MustCreateWebhookEndpoint(t, s, m.ID)
	}
	batch := make([]invoicing.EDocument, docs)
	for i := range batch {
		batch[i] = MinimalEDocument(invoicing.KindCreditNote, "")
	}
	MustCreateEDocuments(t, s, m.ID, batch...)
	var (
		mu      sync.Mutex
		claimed = map[int64]int{}
		wg      sync.WaitGroup
		errs    = make(chan error, claimers)
	)
	for w := range claimers {
		wg.Go(func() {
			for {
				ds, err := s.ClaimWebhookDeliveries(t.Context(), fmt.Sprint("w", w), testLease, 3)
				if err != nil {
					errs <- err
					return
				}
				if len(ds) == 0 {
					return
				}
				for _, d := range ds {
					mu.Lock()
					claimed[d.ID]++
					mu.Unlock()
					if err := s.FinishWebhookDelivery(t.Context(), d, store.WebhookResult{Delivered: true, StatusCode: 200}); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(claimed) != docs*endpoints {
		t.Errorf("%d deliveries claimed, want %d", len(claimed), docs*endpoints)
	}
	for id, n := range claimed {
		if n != 1 {
			t.Errorf("delivery %d claimed %d times", id, n)
		}
	}
}
