package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/money"
)

// docRoute is what differs between the invoice API (001) and the credit
// note API (002): the kind, and the words of messages.
type docRoute struct {
	kind   invoicing.Kind
	plural string // "invoices"
	key    string // JSON key of one record in answers: "invoice"
	listed string // JSON key of a list: "invoices"
}

var (
	invoices    = docRoute{kind: invoicing.KindInvoice, plural: "invoices", key: "invoice", listed: "invoices"}
	creditNotes = docRoute{kind: invoicing.KindCreditNote, plural: "credit notes", key: "credit_note", listed: "credit_notes"}
)

func (d docRoute) notFound(id string) *apiError {
	return errorf(http.StatusNotFound, "%s with ID %s not found", d.kind.Label(), id)
}

// documentInput reads an invoice or credit note object of document 001/002.
func documentInput(k invoicing.Kind) func(o object) invoicing.DocumentInput {
	return func(o object) invoicing.DocumentInput {
		in := invoicing.DocumentInput{
			Number:              o.str(k.NumberField()),
			CustomerID:          o.integer("customer_id"),
			CustomerName:        o.str("customer_name"),
			CustomerEmail:       o.str("customer_email"),
			CustomerCountry:     o.str("customer_country"),
			CustomerTaxNumber:   o.str("customer_tax_number"),
			CustomerAddress:     o.str("customer_address"),
			Date:                o.str(k.DateField()),
			DueDate:             o.str("due_date"),
			Currency:            o.str("currency"),
			Status:              o.str("status"),
			TaxRate:             o.decimal("tax_rate"),
			Subtotal:            o.decimal("subtotal"),
			TotalTax:            o.decimal("total_tax"),
			Total:               o.decimal("total"),
			TotalDiscount:       o.decimal("total_discount_amount"),
			SupplierTaxNumber:   o.str("supplier_tax_number"),
			SupplierCountry:     o.str("supplier_country"),
			SupplierCompanyName: o.str("supplier_company_name"),
			SupplierAddress:     o.str("supplier_address"),
			SupplierEmail:       o.str("supplier_email"),
		}
		in.LineItems = lineItemsInput(o)
		return in
	}
}

// lineItemsInput reads the line_items array (nil when not given), shared by
// the invoice, credit note and e-document routes.
func lineItemsInput(o object) *[]invoicing.LineItemInput {
	items, ok := o.array("line_items")
	if !ok {
		return nil
	}
	lines := make([]invoicing.LineItemInput, len(items))
	for i, raw := range items {
		lines[i] = lineItemInput(raw, fmt.Sprintf("line_items[%d]", i), o.problems)
	}
	return &lines
}

// lineItemInput reads one line. The documents' examples say "tax" where
// their tables say "is_taxable"; both are read, and refused if they disagree.
func lineItemInput(raw json.RawMessage, path string, problems *[]invoicing.FieldError) invoicing.LineItemInput {
	o, ok := newObject(raw, path+".", "", problems)
	if !ok {
		return invoicing.LineItemInput{}
	}
	in := invoicing.LineItemInput{
		Description: o.str("description"),
		Quantity:    o.decimal("quantity"),
		UnitPrice:   o.decimal("unit_price"),
		Taxable:     o.boolean("is_taxable"),
	}
	if tax := o.boolean("tax"); tax != nil {
		if in.Taxable != nil && *in.Taxable != *tax {
			o.problem("tax", invoicing.RuleFormat, "conflicts with is_taxable (they are the same flag)")
		}
		in.Taxable = tax
	}
	return in
}

// docResult is one record's answer in a bulk upload (documents 001/002).
type docResult struct {
	route docRoute
	index int
	doc   invoicing.Document
	err   *invoicing.ValidationError
}

// MarshalJSON writes the documented key order: index, status, then the
// kind's id and number keys, then total.
func (d docResult) MarshalJSON() ([]byte, error) {
	if d.err != nil {
		return json.Marshal(struct {
			Index   int                    `json:"index"`
			Status  string                 `json:"status"`
			Message string                 `json:"message"`
			Errors  []invoicing.FieldError `json:"errors"`
		}{d.index, "error", d.err.Error(), d.err.Problems})
	}
	return orderedJSON(
		"index", d.index,
		"status", "success",
		d.route.kind.IDField(), d.doc.ID,
		d.route.kind.NumberField(), d.doc.Number,
		"total", money.Short(d.doc.Total),
	)
}

func (s *Server) handleCreateDocuments(d docRoute) http.HandlerFunc {
	read := documentInput(d.kind)
	return func(w http.ResponseWriter, r *http.Request) {
		records, aerr := s.readBulk(w, r, d.plural)
		if aerr != nil {
			s.fail(w, r, aerr, nil)
			return
		}
		results := make([]docResult, len(records))
		var valid []invoicing.Document
		var validAt []int
		for i, raw := range records {
			var decoded []invoicing.FieldError
			doc, verr := invoicing.Document{}, (*invoicing.ValidationError)(nil)
			if o, ok := newObject(raw, "", d.key, &decoded); ok {
				doc, verr = invoicing.NewDocument(d.kind, read(o))
			}
			results[i] = docResult{route: d, index: i, err: merge(decoded, verr)}
			if results[i].err == nil {
				valid = append(valid, doc)
				validAt = append(validAt, i)
			}
		}
		if len(valid) > 0 {
			stored, err := s.store.CreateDocuments(r.Context(), merchantID(r), valid)
			if err != nil {
				s.fail(w, r, errorFor(err, ""), err)
				return
			}
			for j, res := range stored {
				i := validAt[j]
				results[i].doc = res.Document
				if res.Err != nil {
					results[i].err = asValidation(res.Err)
				}
			}
		}
		writeJSON(w, http.StatusOK, bulkAnswer[docResult]{Status: "done", Results: results})
	}
}

// asValidation turns a per-record store refusal into the record's error.
func asValidation(err error) *invoicing.ValidationError {
	if v, ok := err.(*invoicing.ValidationError); ok {
		return v
	}
	return &invoicing.ValidationError{Problems: []invoicing.FieldError{{Field: "", Rule: "stored", Message: err.Error()}}}
}

func (s *Server) handleUpdateDocument(d docRoute) http.HandlerFunc {
	read := documentInput(d.kind)
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r)
		if !ok {
			s.fail(w, r, d.notFound(r.PathValue("id")), nil)
			return
		}
		in, aerr := decodeUpdate(s, w, r, read)
		if aerr != nil {
			s.fail(w, r, aerr, nil)
			return
		}
		before, after, err := s.store.UpdateDocument(r.Context(), merchantID(r), d.kind, id, in)
		if err != nil {
			s.fail(w, r, errorFor(err, d.notFound(r.PathValue("id")).Message), err)
			return
		}
		if d.kind == invoicing.KindCreditNote {
			// Document 002 answers a credit note update in the bulk shape.
			writeJSON(w, http.StatusOK, bulkAnswer[docResult]{Status: "done", Results: []docResult{{route: d, doc: after}}})
			return
		}
		writeJSON(w, http.StatusOK, struct {
			Status  int            `json:"status"`
			Message string         `json:"message"`
			Invoice invoiceSummary `json:"invoice"`
		}{
			Status:  http.StatusOK,
			Message: fmt.Sprintf("Invoice '%s' (ID: %d) updated successfully", before.Number, after.ID),
			Invoice: summarizeInvoice(after),
		})
	}
}

// invoiceSummary is the invoice in the update answer of document 001;
// created_date is the invoice date.
type invoiceSummary struct {
	ID           int64   `json:"id"`
	Number       string  `json:"invoice_number"`
	CustomerName string  `json:"customer_name"`
	Total        string  `json:"total"`
	Currency     string  `json:"currency"`
	CreatedDate  string  `json:"created_date"`
	DueDate      *string `json:"due_date"`
}

func summarizeInvoice(d invoicing.Document) invoiceSummary {
	return invoiceSummary{
		ID: d.ID, Number: d.Number, CustomerName: d.CustomerName, Total: money.Short(d.Total),
		Currency: d.Currency, CreatedDate: d.Date.String(), DueDate: dueDate(d),
	}
}

func dueDate(d invoicing.Document) *string {
	if !d.HasDueDate() {
		return nil
	}
	s := d.DueDate.String()
	return &s
}

// documentJSON writes the full document of the read-back routes, with the
// same field names a request uses.
func documentJSON(d invoicing.Document) json.Marshaler {
	var customerID, taxRate any
	if d.CustomerID != 0 {
		customerID = d.CustomerID
	}
	if d.TaxRate != nil {
		taxRate = money.Short(*d.TaxRate)
	}
	lines := make([]json.Marshaler, len(d.LineItems))
	for i, li := range d.LineItems {
		lines[i] = ordered{"description", li.Description, "quantity", money.Short(li.Quantity),
			"unit_price", money.Short(li.UnitPrice), "is_taxable", li.Taxable}
	}
	k := d.Kind
	return ordered{
		"id", d.ID,
		k.NumberField(), d.Number,
		"customer_id", customerID,
		"customer_name", d.CustomerName,
		"customer_email", opt(d.CustomerEmail),
		"customer_country", opt(d.CustomerCountry),
		"customer_tax_number", opt(d.CustomerTaxNumber),
		"customer_address", opt(d.CustomerAddress),
		k.DateField(), d.Date.String(),
		"due_date", dueDate(d),
		"currency", d.Currency,
		"status", d.Status,
		"tax_rate", taxRate,
		"line_items", lines,
		"subtotal", money.Short(d.Subtotal),
		"total_tax", money.Short(d.TotalTax),
		"total", money.Short(d.Total),
		"total_discount_amount", money.Short(d.TotalDiscount),
		"supplier_tax_number", opt(d.SupplierTaxNumber),
		"supplier_country", opt(d.SupplierCountry),
		"supplier_company_name", opt(d.SupplierCompanyName),
		"supplier_address", opt(d.SupplierAddress),
		"supplier_email", opt(d.SupplierEmail),
		"created_at", d.CreatedAt.UTC().Format(time.RFC3339Nano),
		"updated_at", d.UpdatedAt.UTC().Format(time.RFC3339Nano),
	}
}

func (s *Server) handleGetDocument(d docRoute) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(r)
		if !ok {
			s.fail(w, r, d.notFound(r.PathValue("id")), nil)
			return
		}
		doc, err := s.store.GetDocument(r.Context(), merchantID(r), d.kind, id)
		if err != nil {
			s.fail(w, r, errorFor(err, d.notFound(r.PathValue("id")).Message), err)
			return
		}
		writeJSON(w, http.StatusOK, ordered{"status", http.StatusOK, d.key, documentJSON(doc)})
	}
}

func (s *Server) handleListDocuments(d docRoute) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		opt, limit, aerr := listOptions(r)
		if aerr != nil {
			s.fail(w, r, aerr, nil)
			return
		}
		docs, err := s.store.ListDocuments(r.Context(), merchantID(r), d.kind, opt)
		if err != nil {
			s.fail(w, r, errorFor(err, ""), err)
			return
		}
		docs, next := page(docs, limit, func(x invoicing.Document) int64 { return x.ID })
		out := make([]json.Marshaler, len(docs))
		for i, doc := range docs {
			out[i] = documentJSON(doc)
		}
		writeJSON(w, http.StatusOK, ordered{"status", http.StatusOK, d.listed, out, "has_more", next != nil, "next_cursor", next})
	}
}

// ordered is a JSON object written with its keys in the given order
// (alternating key, value), for answers whose key order the documents show.
type ordered []any

func (o ordered) MarshalJSON() ([]byte, error) { return orderedJSON(o...) }

func orderedJSON(kv ...any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(kv[i])
		if err != nil {
			return nil, err
		}
		v, err := marshalNoEscape(kv[i+1])
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshalNoEscape is json.Marshal without HTML escaping, like writeJSON.
func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
