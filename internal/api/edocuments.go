package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/money"
	"github.com/vatgate/vatgate/internal/store"
)

// eRoute is what differs between the E-Invoices and the E-Credit Notes APIs
// of document 004: the kind, and the words of messages.
type eRoute struct {
	kind   invoicing.Kind
	noun   string // one record in messages: "e-invoice"
	plural string // "e-invoices"
}

var (
	eInvoices    = eRoute{kind: invoicing.KindInvoice, noun: "e-invoice", plural: "e-invoices"}
	eCreditNotes = eRoute{kind: invoicing.KindCreditNote, noun: "e-credit note", plural: "e-credit notes"}
)

// eDocumentNotFound is document 004's answer to an id the merchant does not
// have, whether it does not exist or is another merchant's.
func eDocumentNotFound(status int, id string) *apiError {
	return errorf(status, "E-document with ID %s not found", id)
}

// eDocumentInput reads an e-invoice or e-credit note object of document 004.
func eDocumentInput(k invoicing.Kind, o object) invoicing.EDocumentInput {
	in := invoicing.EDocumentInput{
		Number:             o.str(k.NumberField()),
		CreatedDate:        o.str("created_date"),
		DueDate:            o.str("due_date"),
		Currency:           o.str("currency"),
		RecipientReference: o.str("recipient_reference"),
		Customer:           partyInput(o, "customer"),
		Supplier:           partyInput(o, "supplier"),
		Total:              o.decimal("total"),
		Subtotal:           o.decimal("subtotal"),
		Tax:                o.decimal("tax"),
		TaxRate:            o.decimal("tax_rate"),
	}
	in.LineItems = lineItemsInput(o)
	return in
}

// partyInput reads the customer_* or supplier_* fields; the name is the
// prefix itself ("customer").
func partyInput(o object, prefix string) invoicing.PartyInput {
	return invoicing.PartyInput{
		Name:       o.str(prefix),
		Street:     o.str(prefix + "_street"),
		City:       o.str(prefix + "_city"),
		PostalCode: o.str(prefix + "_postal_code"),
		PeppolID:   o.str(prefix + "_peppol_id"),
		TaxNumber:  o.str(prefix + "_tax_number"),
		Country:    o.str(prefix + "_country"),
	}
}

// eResult is one record's answer in an e-document upload, in document 004's
// shape: "success" or "updated" with data, or "error" with the message in
// "error" (documented) and the refused fields in "errors" (ours, additive).
type eResult struct {
	route   eRoute
	index   int
	doc     invoicing.EDocument
	updated bool
	err     *invoicing.ValidationError
}

func (e eResult) MarshalJSON() ([]byte, error) {
	if e.err != nil {
		return orderedJSON("index", e.index, "status", "error", "error", e.err.Error(), "errors", e.err.Problems)
	}
	// Document 004's credit note example names the number
	// "credit_note_number" here (the status endpoint says "invoice_number"
	// for both kinds).
	data := ordered{
		"id", e.doc.ID,
		e.route.kind.NumberField(), e.doc.Number,
		"status", e.doc.Status,
		"created_at", eTime(e.doc.CreatedAt),
	}
	if e.updated {
		return orderedJSON("index", e.index, "status", "updated",
			"message", invoicing.ErrorRecoveryMessage(e.route.kind, e.doc.Number), "data", data)
	}
	return orderedJSON("index", e.index, "status", "success", "data", data)
}

// eTime writes a timestamp as document 004 does: UTC, to the second
// ("2024-01-15T10:30:00Z").
func eTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (s *Server) handleCreateEDocuments(d eRoute) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		records, aerr := s.readBulk(w, r, d.plural)
		if aerr != nil {
			// Document 004's form of a refused request.
			aerr.Message = fmt.Sprintf("Error processing bulk %s creation: %s", d.noun, aerr.Message)
			s.fail(w, r, aerr, nil)
			return
		}
		results := make([]eResult, len(records))
		var valid []invoicing.EDocument
		var validAt []int
		for i, raw := range records {
			var decoded []invoicing.FieldError
			doc, verr := invoicing.EDocument{}, (*invoicing.ValidationError)(nil)
			if o, ok := newObject(raw, "", string(d.kind), &decoded); ok {
				doc, verr = invoicing.NewEDocument(d.kind, eDocumentInput(d.kind, o))
			}
			results[i] = eResult{route: d, index: i, err: merge(decoded, verr)}
			if results[i].err == nil {
				valid = append(valid, doc)
				validAt = append(validAt, i)
			}
		}
		if len(valid) > 0 {
			stored, err := s.store.CreateEDocuments(r.Context(), merchantID(r), valid)
			if err != nil {
				s.fail(w, r, errorFor(err, ""), err)
				return
			}
			if len(stored) != len(valid) {
				s.fail(w, r, nil, fmt.Errorf("CreateEDocuments answered %d of %d e-documents", len(stored), len(valid)))
				return
			}
			for j, res := range stored {
				i := validAt[j]
				results[i].doc, results[i].updated = res.Document, res.Updated
				if res.Err != nil {
					results[i].err = asValidation(res.Err)
				}
			}
			if s.cfg.Notify != nil {
				s.cfg.Notify() // queued: wake the transmission worker
			}
		}
		failed := 0
		for _, res := range results {
			if res.err != nil {
				failed++
			}
		}
		writeJSON(w, http.StatusOK, ordered{
			"status", http.StatusOK,
			"message", fmt.Sprintf("Processed %d %s(s)", len(results), d.noun),
			"results", results,
			"total_processed", len(results),
			"successful", len(results) - failed,
			"failed", failed,
		})
	}
}

// eDocumentJSON is an e-document as the status endpoint's "data" shows it
// (document 004), and as the list shows each one.
//
// "error" is ours, additive: the reason the store keeps for a document in
// error (and for one the receiver rejected). It is always present, null
// when there is no reason, rather than present only in error status: every
// answer then has one shape, which suits clients that bind the JSON to a
// class (the documents' C#, Java and Go examples), and the list's entries
// are alike.
func eDocumentJSON(d invoicing.EDocument) ordered {
	return ordered{
		"document_id", d.ID,
		"invoice_number", d.Number,
		"document_status", d.Status,
		"invoice_type", string(d.Kind), // "invoice" or "credit_note"
		"type", d.Type(),
		"customer", d.Customer.Name,
		"supplier", d.Supplier.Name,
		"total", money.Fixed2(d.Total),
		"created_date", d.CreatedDate.String(),
		"created_at", eTime(d.CreatedAt),
		"updated_at", eTime(d.UpdatedAt),
		"error", opt(d.ErrorReason),
	}
}

// handleEDocumentStatus is Get E-Document Status. Document 004 answers an id
// the merchant does not have with HTTP 400, not 404; another merchant's id
// answers the same.
func (s *Server) handleEDocumentStatus(w http.ResponseWriter, r *http.Request) {
	notFound := eDocumentNotFound(http.StatusBadRequest, r.PathValue("id"))
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, notFound, nil)
		return
	}
	d, err := s.store.GetEDocument(r.Context(), merchantID(r), id)
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, notFound, nil)
		return
	}
	if err != nil {
		s.fail(w, r, errorFor(err, notFound.Message), err)
		return
	}
	writeJSON(w, http.StatusOK, ordered{"status", http.StatusOK, "data", eDocumentJSON(d)})
}

// handleEDocumentUBL answers the UBL exactly as it was transmitted. An id
// the merchant does not have is 404 here (the route is ours, not document
// 004's), and so is a document not converted yet, with a message saying so.
func (s *Server) handleEDocumentUBL(w http.ResponseWriter, r *http.Request) {
	notFound := eDocumentNotFound(http.StatusNotFound, r.PathValue("id"))
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, notFound, nil)
		return
	}
	// The store answers ErrNotFound both for a missing document and for one
	// without UBL; the document itself tells them apart.
	d, err := s.store.GetEDocument(r.Context(), merchantID(r), id)
	if err != nil {
		s.fail(w, r, errorFor(err, notFound.Message), err)
		return
	}
	ubl, err := s.store.EDocumentUBL(r.Context(), merchantID(r), id)
	if errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, errorf(http.StatusNotFound, "%s", noUBL(d)), nil)
		return
	}
	if err != nil {
		s.fail(w, r, errorFor(err, notFound.Message), err)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(ubl) // a failed write means the client went away
}

// noUBL says why a document has no UBL, from its status.
func noUBL(d invoicing.EDocument) string {
	switch d.Status {
	case invoicing.EStatusNew, invoicing.EStatusPending:
		return fmt.Sprintf("E-document %d has no UBL yet: it is still being converted", d.ID)
	case invoicing.EStatusError:
		msg := fmt.Sprintf("E-document %d has no UBL: it failed before conversion", d.ID)
		if d.ErrorReason != "" {
			msg += " (" + d.ErrorReason + ")"
		}
		return msg
	default:
		return fmt.Sprintf("E-document %d has no UBL (status %s)", d.ID, d.Status)
	}
}

// handleListEDocuments lists the merchant's e-documents, oldest first:
// ?status= (one of invoicing.EStatuses), ?limit=, ?cursor=.
func (s *Server) handleListEDocuments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Has("updated_since") {
		s.fail(w, r, errorf(http.StatusBadRequest, "updated_since: not supported on the e-document list; filter by status, or page with cursor"), nil)
		return
	}
	lo, limit, aerr := listOptions(r)
	if aerr != nil {
		s.fail(w, r, aerr, nil)
		return
	}
	opt := store.EDocumentListOptions{AfterID: lo.AfterID, Limit: lo.Limit}
	if v := q.Get("status"); v != "" {
		st, ok := eStatus(v)
		if !ok {
			s.fail(w, r, eStatusRefused(v), nil)
			return
		}
		opt.Status = st
	}
	docs, err := s.store.ListEDocuments(r.Context(), merchantID(r), opt)
	if err != nil {
		s.fail(w, r, errorFor(err, ""), err)
		return
	}
	docs, next := page(docs, limit, func(d invoicing.EDocument) int64 { return d.ID })
	out := make([]json.Marshaler, len(docs))
	for i, d := range docs {
		out[i] = eDocumentJSON(d)
	}
	writeJSON(w, http.StatusOK, ordered{"status", http.StatusOK, "e_documents", out, "has_more", next != nil, "next_cursor", next})
}

// eStatus reads a status filter, exactly as the status endpoint spells it.
func eStatus(v string) (invoicing.EStatus, bool) {
	for _, st := range invoicing.EStatuses {
		if string(st) == v {
			return st, true
		}
	}
	return "", false
}

func eStatusRefused(v string) *apiError {
	names := make([]string, len(invoicing.EStatuses))
	for i, st := range invoicing.EStatuses {
		names[i] = string(st)
	}
	msg := fmt.Sprintf("status: must be one of %s (got %q)", strings.Join(names, ", "), v)
	return &apiError{Status: http.StatusBadRequest, Message: msg,
		Errors: []invoicing.FieldError{{Field: "status", Rule: invoicing.RuleEnum, Message: msg}}}
}
