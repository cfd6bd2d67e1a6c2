package store_test

import (
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
)

func TestEventPayload(t *testing.T) {
	at := time.Date(2025, 6, 7, 8, 9, 10, 123456789, time.FixedZone("CEST", 2*3600))
	for _, c := range []struct {
		name     string
		doc      invoicing.EDocument
		previous invoicing.EStatus
		want     string
	}{
		{"new invoice", invoicing.EDocument{ID: 7, Kind: invoicing.KindInvoice, Number: "EINV-000001", Status: invoicing.EStatusNew}, "",
			`{"type":"e_document.status_changed","timestamp":"2025-06-07T06:09:10Z","data":{"document_id":7,"invoice_number":"EINV-000001","invoice_type":"invoice","type":"vat_invoice","previous_status":null,"document_status":"new","error":null}}`},
		{"US invoice in error", invoicing.EDocument{ID: 8, Kind: invoicing.KindInvoice, Number: "A<&>\"1", Status: invoicing.EStatusError,
			ErrorReason: "participant \"x\" not found", Customer: invoicing.Party{Country: "USA"}}, invoicing.EStatusPending,
			`{"type":"e_document.status_changed","timestamp":"2025-06-07T06:09:10Z","data":{"document_id":8,"invoice_number":"A\u003c\u0026\u003e\"1","invoice_type":"invoice","type":"sales_tax_invoice","previous_status":"pending","document_status":"error","error":"participant \"x\" not found"}}`},
		{"credit note delivered", invoicing.EDocument{ID: 9, Kind: invoicing.KindCreditNote, Number: "ECN-000001", Status: invoicing.EStatusDelivered}, invoicing.EStatusSent,
			`{"type":"e_document.status_changed","timestamp":"2025-06-07T06:09:10Z","data":{"document_id":9,"invoice_number":"ECN-000001","invoice_type":"credit_note","type":"credit-note","previous_status":"sent","document_status":"delivered","error":null}}`},
	} {
		got, err := store.EventPayload(c.doc, c.previous, at)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if string(got) != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

func TestAdvances(t *testing.T) {
	order := []invoicing.EStatus{invoicing.EStatusNew, invoicing.EStatusPending, invoicing.EStatusSent}
	finals := []invoicing.EStatus{invoicing.EStatusDelivered, invoicing.EStatusRejected, invoicing.EStatusError}
	for i, from := range order {
		for j, to := range order {
			if got := store.Advances(from, to); got != (j > i) {
				t.Errorf("Advances(%s, %s) = %v", from, to, got)
			}
		}
		for _, to := range finals {
			if !store.Advances(from, to) || store.Advances(to, from) {
				t.Errorf("%s and %s: want only forward", from, to)
			}
		}
	}
	for _, from := range finals {
		for _, to := range finals {
			if store.Advances(from, to) {
				t.Errorf("Advances(%s, %s): one final status replaced another", from, to)
			}
		}
	}
}

func TestNewMessageID(t *testing.T) {
	a, b := store.NewMessageID(), store.NewMessageID()
	if a == b || len(a) != 36 || a[14] != '4' {
		t.Errorf("message ids %q, %q: want two different version 4 UUIDs", a, b)
	}
}
