package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
)

// eDocumentContent are the columns an e-document's content fills, written by
// eDocumentContentValues in this order; error recovery rewrites exactly
// these.
var eDocumentContent = []string{
	"created_date", "due_date", "currency", "recipient_reference",
	"customer_name", "customer_street", "customer_city", "customer_postal_code",
	"customer_peppol_id", "customer_tax_number", "customer_country",
	"supplier_name", "supplier_street", "supplier_city", "supplier_postal_code",
	"supplier_peppol_id", "supplier_tax_number", "supplier_country",
	"subtotal", "tax", "total", "tax_rate",
	"status", "error_reason", "message_id", "updated_at",
}

var (
	selectEDocument = `SELECT id, kind, number, created_at, ` + strings.Join(eDocumentContent, ", ") + ` FROM e_documents`
	insertEDocument = `INSERT INTO e_documents (merchant_id, kind, number, created_at, ` + strings.Join(eDocumentContent, ", ") + `)
		VALUES (?, ?, ?, ?, ` + placeholders(len(eDocumentContent)) + `) RETURNING id`
	// Replacing the content drops the UBL converted from the old one and
	// the access point's id of the old message.
	replaceEDocument = `UPDATE e_documents SET (` + strings.Join(eDocumentContent, ", ") + `, ubl, ap_message_id) = (` +
		placeholders(len(eDocumentContent)) + `, NULL, NULL) WHERE id = ?`
)

func eDocumentContentValues(d invoicing.EDocument) []any {
	return []any{
		d.CreatedDate.String(), nullDateText(d.DueDate), d.Currency, d.RecipientReference,
		d.Customer.Name, d.Customer.Street, d.Customer.City, d.Customer.PostalCode,
		d.Customer.PeppolID, d.Customer.TaxNumber, d.Customer.Country,
		d.Supplier.Name, d.Supplier.Street, d.Supplier.City, d.Supplier.PostalCode,
		d.Supplier.PeppolID, d.Supplier.TaxNumber, d.Supplier.Country,
		d.Subtotal.String(), d.Tax.String(), d.Total.String(), d.TaxRate.String(),
		string(d.Status), d.ErrorReason, d.MessageID, timeText(d.UpdatedAt),
	}
}

func scanEDocument(row interface{ Scan(...any) error }) (invoicing.EDocument, error) {
	var d invoicing.EDocument
	err := row.Scan(&d.ID, (*string)(&d.Kind), &d.Number, timeColumn{&d.CreatedAt},
		dateColumn{&d.CreatedDate}, dateColumn{&d.DueDate}, &d.Currency, &d.RecipientReference,
		&d.Customer.Name, &d.Customer.Street, &d.Customer.City, &d.Customer.PostalCode,
		&d.Customer.PeppolID, &d.Customer.TaxNumber, &d.Customer.Country,
		&d.Supplier.Name, &d.Supplier.Street, &d.Supplier.City, &d.Supplier.PostalCode,
		&d.Supplier.PeppolID, &d.Supplier.TaxNumber, &d.Supplier.Country,
		decimalColumn{&d.Subtotal}, decimalColumn{&d.Tax}, decimalColumn{&d.Total}, decimalColumn{&d.TaxRate},
		(*string)(&d.Status), &d.ErrorReason, &d.MessageID, timeColumn{&d.UpdatedAt})
	return d, err
}

// CreateEDocuments stores docs in one writer transaction, each on its own,
// and with each stored one its transmission job and its first webhook
// events: nothing is answered as stored that is not also queued.
func (db *DB) CreateEDocuments(ctx context.Context, merchantID int64, docs []invoicing.EDocument) ([]store.EDocumentResult, error) {
	now := db.now()
	results := make([]store.EDocumentResult, len(docs))
	err := db.write(ctx, func(tx *sql.Tx) error {
		st := newStmts(tx)
		for i, d := range docs {
			var err error
			if results[i], err = createEDocument(ctx, st, merchantID, d, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

// createEDocument stores one e-document of a batch: a new one, or the
// replacement of the merchant's document of that number in error status.
// A refusal goes in the result; the error aborts the whole batch.
func createEDocument(ctx context.Context, st *stmts, merchantID int64, d invoicing.EDocument, now time.Time) (store.EDocumentResult, error) {
	var seq int64 // the sequence value drawn; 0 when the number was given
	if d.Number == "" {
		var err error
		if seq, err = eDocumentSequence(d.Kind).next(ctx, st, merchantID); err != nil {
			return store.EDocumentResult{}, err
		}
		d.Number = d.Kind.ENumber(seq)
	}
	var (
		existingID      int64
		existingStatus  invoicing.EStatus
		existingCreated time.Time
	)
	err := st.queryRow(ctx, `SELECT id, status, created_at FROM e_documents WHERE merchant_id = ? AND kind = ? AND number = ?`,
		[]any{merchantID, string(d.Kind), d.Number}, &existingID, (*string)(&existingStatus), timeColumn{&existingCreated})
	switch {
	case errors.Is(err, sql.ErrNoRows):
		existingID = 0
	case err != nil:
		return store.EDocumentResult{}, err
	case existingStatus != invoicing.EStatusError:
		return store.EDocumentResult{Document: d, Err: eNumberTaken(d.Kind, d.Number)}, nil
	}

	d.Status, d.ErrorReason, d.MessageID = invoicing.EStatusNew, "", store.NewMessageID()
	d.CreatedAt, d.UpdatedAt = now, now
	var previous invoicing.EStatus // "" for a new document
	if existingID == 0 {
		args := append([]any{merchantID, string(d.Kind), d.Number, timeText(d.CreatedAt)}, eDocumentContentValues(d)...)
		if err := st.queryRow(ctx, insertEDocument, args, &d.ID); err != nil {
			return store.EDocumentResult{}, err
		}
		if seq != 0 {
			if err := eDocumentSequence(d.Kind).save(ctx, st, merchantID, seq); err != nil {
				return store.EDocumentResult{}, err
			}
		}
	} else {
		d.ID, d.CreatedAt, previous = existingID, existingCreated, existingStatus
		if err := st.exec(ctx, replaceEDocument, append(eDocumentContentValues(d), d.ID)...); err != nil {
			return store.EDocumentResult{}, err
		}
		if err := st.exec(ctx, `DELETE FROM e_document_lines WHERE document_id = ?`, d.ID); err != nil {
			return store.EDocumentResult{}, err
		}
	}
	if err := insertELines(ctx, st, d.ID, d.LineItems); err != nil {
		return store.EDocumentResult{}, err
	}
	if err := queueTransmission(ctx, st, merchantID, d.ID, now); err != nil {
		return store.EDocumentResult{}, err
	}
	if err := queueStatusEvent(ctx, st, merchantID, d, previous, now); err != nil {
		return store.EDocumentResult{}, err
	}
	return store.EDocumentResult{Document: d, Updated: previous != ""}, nil
}

// queueTransmission queues the transmission of a document, due at once. A
// document in error has no job (the outcome that put it there removed it);
// the upsert resets one anyway rather than trust that.
func queueTransmission(ctx context.Context, st *stmts, merchantID, docID int64, now time.Time) error {
	return st.exec(ctx, `INSERT INTO transmission_jobs (document_id, merchant_id, run_at, attempt, created_at)
		VALUES (?, ?, ?, 0, ?)
		ON CONFLICT (document_id) DO UPDATE SET
			run_at = excluded.run_at, attempt = 0, owner = NULL, lease_until = NULL, last_error = '', receipt = 0`,
		docID, merchantID, timeText(now), timeText(now))
}

// eNumberTaken words the refusal of a number in use, as the postgres
// backend does.
func eNumberTaken(k invoicing.Kind, number string) *invoicing.ValidationError {
	return invoicing.Invalid(k.NumberField(), invoicing.RuleUnique,
		"%q is already the number of another e-%s of this merchant that is not in error status",
		number, strings.ToLower(k.Label()))
}

const insertELine = `INSERT INTO e_document_lines (document_id, position, description, quantity, unit_price, taxable)
	VALUES (?, ?, ?, ?, ?, ?)`

// insertELines stores a document's lines; positions are the items' indexes.
func insertELines(ctx context.Context, st *stmts, docID int64, items []invoicing.LineItem) error {
	for i, li := range items {
		if err := st.exec(ctx, insertELine, docID, i, li.Description, li.Quantity.String(), li.UnitPrice.String(), li.Taxable); err != nil {
			return err
		}
	}
	return nil
}

// loadELines fills in the lines of docs with one query; the ids travel as
// one JSON array, so the query text does not depend on their number.
func loadELines(ctx context.Context, tx *sql.Tx, docs []invoicing.EDocument) error {
	if len(docs) == 0 {
		return nil
	}
	index := make(map[int64]*invoicing.EDocument, len(docs))
	ids := make([]int64, len(docs))
	for i := range docs {
		index[docs[i].ID] = &docs[i]
		ids[i] = docs[i].ID
	}
	idsJSON, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx,
		`SELECT document_id, description, quantity, unit_price, taxable FROM e_document_lines
		WHERE document_id IN (SELECT value FROM json_each(?)) ORDER BY document_id, position`, string(idsJSON))
	if err != nil {
		return err
	}
	return scanLines(rows, func(docID int64) *[]invoicing.LineItem { return &index[docID].LineItems })
}

// GetEDocument returns one of the merchant's e-documents.
func (db *DB) GetEDocument(ctx context.Context, merchantID, id int64) (invoicing.EDocument, error) {
	var d invoicing.EDocument
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		d, err = getEDocument(ctx, tx, merchantID, id)
		return err
	})
	return d, err
}

// getEDocument reads one of the merchant's e-documents with its lines.
func getEDocument(ctx context.Context, tx *sql.Tx, merchantID, id int64) (invoicing.EDocument, error) {
	d, err := scanEDocument(tx.QueryRowContext(ctx, selectEDocument+` WHERE merchant_id = ? AND id = ?`, merchantID, id))
	if err != nil {
		return invoicing.EDocument{}, err
	}
	docs := []invoicing.EDocument{d}
	err = loadELines(ctx, tx, docs)
	return docs[0], err
}

// EDocumentUBL returns the UBL stored for the merchant's e-document.
func (db *DB) EDocumentUBL(ctx context.Context, merchantID, id int64) ([]byte, error) {
	var ubl []byte
	err := db.read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT ubl FROM e_documents WHERE merchant_id = ? AND id = ? AND ubl IS NOT NULL`,
			merchantID, id).Scan(&ubl)
	})
	if err != nil {
		return nil, err
	}
	return ubl, nil
}

// ListEDocuments returns one page of the merchant's e-documents, oldest
// first, with their lines.
func (db *DB) ListEDocuments(ctx context.Context, merchantID int64, opt store.EDocumentListOptions) ([]invoicing.EDocument, error) {
	var out []invoicing.EDocument
	err := db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, selectEDocument+`
			WHERE merchant_id = ? AND (? = '' OR status = ?) AND id > ? ORDER BY id LIMIT ?`,
			merchantID, string(opt.Status), string(opt.Status), opt.AfterID, opt.Limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanEDocument(rows)
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return loadELines(ctx, tx, out)
	})
	return out, err
}

// setEStatus moves doc to status at now, keeping reason where the status
// keeps one (store.KeptReason), and queues the webhook events when the
// status really changes. doc is updated in place.
func setEStatus(ctx context.Context, st *stmts, merchantID int64, doc *invoicing.EDocument, status invoicing.EStatus, reason string, now time.Time) error {
	reason = store.KeptReason(status, reason)
	if doc.Status == status && doc.ErrorReason == reason {
		return nil
	}
	previous := doc.Status
	err := st.exec(ctx, `UPDATE e_documents SET status = ?, error_reason = ?, updated_at = ? WHERE id = ?`,
		string(status), reason, timeText(now), doc.ID)
	if err != nil {
		return err
	}
	doc.Status, doc.ErrorReason, doc.UpdatedAt = status, reason, now
	if previous == status {
		return nil
	}
	return queueStatusEvent(ctx, st, merchantID, *doc, previous, now)
}
