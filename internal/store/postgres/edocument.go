package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
)

// Lock order. Every transaction that writes e-documents or their jobs takes
// row locks in one order, so none waits in a cycle: the merchant row (uploads
// only, which serializes a merchant's uploads and so its numbering), then
// the transmission job, then the document. Claims skip jobs locked by
// others; a recovered document, in error, has no job anyone could hold.

// eDocumentColumns are read by scanEDocument, in this order.
const eDocumentColumns = `id, kind, number, created_at, created_date, due_date, currency, recipient_reference,
	customer_name, customer_street, customer_city, customer_postal_code,
	customer_peppol_id, customer_tax_number, customer_country,
	supplier_name, supplier_street, supplier_city, supplier_postal_code,
	supplier_peppol_id, supplier_tax_number, supplier_country,
	subtotal, tax, total, tax_rate, status, error_reason, message_id, updated_at`

func scanEDocument(row pgx.CollectableRow) (invoicing.EDocument, error) {
	var d invoicing.EDocument
	err := row.Scan(&d.ID, &d.Kind, &d.Number, timeCol{&d.CreatedAt},
		dateCol{&d.CreatedDate}, dateCol{&d.DueDate}, &d.Currency, &d.RecipientReference,
		&d.Customer.Name, &d.Customer.Street, &d.Customer.City, &d.Customer.PostalCode,
		&d.Customer.PeppolID, &d.Customer.TaxNumber, &d.Customer.Country,
		&d.Supplier.Name, &d.Supplier.Street, &d.Supplier.City, &d.Supplier.PostalCode,
		&d.Supplier.PeppolID, &d.Supplier.TaxNumber, &d.Supplier.Country,
		decimalCol{&d.Subtotal}, decimalCol{&d.Tax}, decimalCol{&d.Total}, decimalCol{&d.TaxRate},
		&d.Status, &d.ErrorReason, &d.MessageID, timeCol{&d.UpdatedAt})
	return d, err
}

// eDocumentContent are the columns an e-document's content fills, set by
// eDocumentContentValues in this order ($1 and up, after any leading
// arguments); error recovery rewrites exactly these.
const eDocumentContent = `created_date, due_date, currency, recipient_reference,
	customer_name, customer_street, customer_city, customer_postal_code,
	customer_peppol_id, customer_tax_number, customer_country,
	supplier_name, supplier_street, supplier_city, supplier_postal_code,
	supplier_peppol_id, supplier_tax_number, supplier_country,
	subtotal, tax, total, tax_rate, status, error_reason, message_id, updated_at`

func eDocumentContentValues(d invoicing.EDocument) []any {
	return []any{date(d.CreatedDate), date(d.DueDate), d.Currency, d.RecipientReference,
		d.Customer.Name, d.Customer.Street, d.Customer.City, d.Customer.PostalCode,
		d.Customer.PeppolID, d.Customer.TaxNumber, d.Customer.Country,
		d.Supplier.Name, d.Supplier.Street, d.Supplier.City, d.Supplier.PostalCode,
		d.Supplier.PeppolID, d.Supplier.TaxNumber, d.Supplier.Country,
		numeric(d.Subtotal), numeric(d.Tax), numeric(d.Total), numeric(d.TaxRate),
		string(d.Status), d.ErrorReason, d.MessageID, d.UpdatedAt}
}

// params returns the n parameters $from, ..., $(from+n-1).
func params(from, n int) string {
	ps := make([]string, n)
	for i := range ps {
		ps[i] = fmt.Sprintf("$%d", from+i)
	}
	return strings.Join(ps, ", ")
}

var (
	insertEDocument = `INSERT INTO e_documents (merchant_id, kind, number, created_at, ` + eDocumentContent + `)
		VALUES ($1, $2, $3, $4, ` + params(5, 26) + `) RETURNING id`
	// Replacing the content drops the UBL converted from the old one and
	// the access point's id of the old message. Only
	// a document in error is replaced; error is final, so nothing but a
	// later upload (which the merchant lock serializes) changes it.
	replaceEDocument = `UPDATE e_documents SET (` + eDocumentContent + `, ubl, ap_message_id) = (` + params(2, 26) + `, NULL, NULL)
		WHERE id = $1 AND status = 'error'`
)

// CreateEDocuments stores docs in one transaction, each on its own, and
// with each stored one its transmission job and its first webhook events:
// nothing is answered as stored that is not also queued.
func (db *DB) CreateEDocuments(ctx context.Context, merchantID int64, docs []invoicing.EDocument) ([]store.EDocumentResult, error) {
	now := db.now()
	results := make([]store.EDocumentResult, len(docs))
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		// The merchant lock serializes the merchant's uploads: their
		// numbering, and uploads of the same numbers in opposite orders,
		// which would otherwise deadlock on the unique index.
		var id int64
		if err := tx.QueryRow(ctx, `SELECT id FROM merchants WHERE id = $1 FOR NO KEY UPDATE`, merchantID).Scan(&id); err != nil {
			return err
		}
		seqs := eSequences{merchantID: merchantID, last: map[invoicing.Kind]int64{}, drawn: map[invoicing.Kind]bool{}}
		var stored []invoicing.EDocument
		for i, d := range docs {
			var err error
			if results[i], err = createEDocument(ctx, tx, merchantID, d, now, &seqs); err != nil {
				return err
			}
			if results[i].Err == nil {
				stored = append(stored, results[i].Document)
			}
		}
		if err := insertELines(ctx, tx, stored); err != nil {
			return err
		}
		return seqs.save(ctx, tx)
	})
	if err != nil {
		return nil, interpret(err)
	}
	return results, nil
}

// createEDocument stores one e-document of a batch, its lines aside: a new
// one, or the replacement of the merchant's document of that number in
// error status. A refusal goes in the result; the error aborts the batch.
func createEDocument(ctx context.Context, tx pgx.Tx, merchantID int64, d invoicing.EDocument, now time.Time, seqs *eSequences) (store.EDocumentResult, error) {
	if d.Number == "" {
		var err error
		if d.Number, err = seqs.next(ctx, tx, d.Kind); err != nil {
			return store.EDocumentResult{}, err
		}
	}
	var existing struct {
		id      int64
		status  invoicing.EStatus
		created time.Time
	}
	err := tx.QueryRow(ctx, `SELECT id, status, created_at FROM e_documents WHERE merchant_id = $1 AND kind = $2 AND number = $3`,
		merchantID, string(d.Kind), d.Number).Scan(&existing.id, &existing.status, timeCol{&existing.created})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return store.EDocumentResult{}, err
	case existing.status != invoicing.EStatusError:
		return store.EDocumentResult{Document: d, Err: eNumberTaken(d.Kind, d.Number)}, nil
	}

	d.Status, d.ErrorReason, d.MessageID = invoicing.EStatusNew, "", store.NewMessageID()
	d.CreatedAt, d.UpdatedAt = now, now
	var previous invoicing.EStatus // "" for a new document
	var b pgx.Batch
	if existing.id == 0 {
		args := append([]any{merchantID, string(d.Kind), d.Number, d.CreatedAt}, eDocumentContentValues(d)...)
		if err := tx.QueryRow(ctx, insertEDocument, args...).Scan(&d.ID); err != nil {
			return store.EDocumentResult{}, err
		}
	} else {
		d.ID, d.CreatedAt, previous = existing.id, existing.created, existing.status
		b.Queue(replaceEDocument, append([]any{d.ID}, eDocumentContentValues(d)...)...).Exec(func(tag pgconn.CommandTag) error {
			if tag.RowsAffected() != 1 {
				return fmt.Errorf("postgres: e-document %d left error status during its recovery", d.ID)
			}
			return nil
		})
		b.Queue(`DELETE FROM e_document_lines WHERE document_id = $1`, d.ID)
	}
	b.Queue(`INSERT INTO transmission_jobs (document_id, merchant_id, run_at, attempt, created_at)
		VALUES ($1, $2, $3, 0, $3)
		ON CONFLICT (document_id) DO UPDATE SET
			run_at = excluded.run_at, attempt = 0, owner = NULL, lease_until = NULL, last_error = '', receipt = false`,
		d.ID, merchantID, now)
	if err := queueStatusEvent(&b, merchantID, d, previous, now); err != nil {
		return store.EDocumentResult{}, err
	}
	if err := tx.SendBatch(ctx, &b).Close(); err != nil {
		return store.EDocumentResult{}, err
	}
	return store.EDocumentResult{Document: d, Updated: previous != ""}, nil
}

// eSequences draws a merchant's e-document numbers within a transaction
// that holds the merchant lock, so the numbers it finds free stay free.
// Nothing is refused after a number is drawn, so none is lost.
type eSequences struct {
	merchantID int64
	last       map[invoicing.Kind]int64 // by kind: the last value drawn, or the stored one
	drawn      map[invoicing.Kind]bool  // by kind: whether last must be saved
}

// next returns the next free number of kind k's sequence.
func (s *eSequences) next(ctx context.Context, tx pgx.Tx, k invoicing.Kind) (string, error) {
	last, ok := s.last[k]
	if !ok {
		// Creating the row at 0 means the same as no row; the row lock
		// keeps the sequence's read-modify-write safe on its own.
		err := tx.QueryRow(ctx, `INSERT INTO number_sequences (merchant_id, kind, last_value) VALUES ($1, $2, 0)
			ON CONFLICT (merchant_id, kind) DO UPDATE SET last_value = number_sequences.last_value
			RETURNING last_value`, s.merchantID, k.ESequence()).Scan(&last)
		if err != nil {
			return "", err
		}
		s.last[k] = last
	}
	for n := last + 1; ; n++ {
		var taken bool
		err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM e_documents WHERE merchant_id = $1 AND kind = $2 AND number = $3)`,
			s.merchantID, string(k), k.ENumber(n)).Scan(&taken)
		if err != nil {
			return "", err
		}
		if !taken {
			s.last[k], s.drawn[k] = n, true
			return k.ENumber(n), nil
		}
	}
}

// save stores the last value drawn of each kind.
func (s *eSequences) save(ctx context.Context, tx pgx.Tx) error {
	var b pgx.Batch
	for k := range s.drawn {
		b.Queue(`UPDATE number_sequences SET last_value = $3 WHERE merchant_id = $1 AND kind = $2`,
			s.merchantID, k.ESequence(), s.last[k])
	}
	return tx.SendBatch(ctx, &b).Close()
}

// eNumberTaken words the refusal of a number in use, as the SQLite
// backend does.
func eNumberTaken(k invoicing.Kind, number string) *invoicing.ValidationError {
	return invoicing.Invalid(k.NumberField(), invoicing.RuleUnique,
		"%q is already the number of another e-%s of this merchant that is not in error status",
		number, strings.ToLower(k.Label()))
}

// insertELines stores the lines of docs, which have their ids.
func insertELines(ctx context.Context, tx pgx.Tx, docs []invoicing.EDocument) error {
	rows := make([]linesOf, len(docs))
	for i, d := range docs {
		rows[i] = linesOf{d.ID, d.LineItems}
	}
	return copyLines(ctx, tx, "e_document_lines", rows)
}

// selectEDocuments reads the e-documents a condition on the table selects
// (its arguments from $1), in id order, with their lines.
func selectEDocuments(ctx context.Context, tx pgx.Tx, where string, args ...any) ([]invoicing.EDocument, error) {
	rows, _ := tx.Query(ctx, `SELECT `+eDocumentColumns+` FROM e_documents WHERE `+where, args...)
	docs, err := pgx.CollectRows(rows, scanEDocument)
	if err != nil || len(docs) == 0 {
		return docs, err
	}
	index := make(map[int64]int, len(docs))
	ids := make([]int64, len(docs))
	for i, d := range docs {
		index[d.ID], ids[i] = i, d.ID
	}
	rows, _ = tx.Query(ctx, `SELECT document_id, description, quantity, unit_price, taxable
		FROM e_document_lines WHERE document_id = ANY($1) ORDER BY document_id, position`, ids)
	var docID int64
	var li invoicing.LineItem
	_, err = pgx.ForEachRow(rows,
		[]any{&docID, &li.Description, decimalCol{&li.Quantity}, decimalCol{&li.UnitPrice}, &li.Taxable},
		func() error {
			d := &docs[index[docID]]
			d.LineItems = append(d.LineItems, li)
			return nil
		})
	return docs, err
}

// selectEDocument reads the one e-document a condition selects;
// pgx.ErrNoRows when there is none.
func selectEDocument(ctx context.Context, tx pgx.Tx, where string, args ...any) (invoicing.EDocument, error) {
	docs, err := selectEDocuments(ctx, tx, where, args...)
	if err != nil {
		return invoicing.EDocument{}, err
	}
	if len(docs) != 1 {
		return invoicing.EDocument{}, pgx.ErrNoRows
	}
	return docs[0], nil
}

func (db *DB) GetEDocument(ctx context.Context, merchantID, id int64) (invoicing.EDocument, error) {
	var d invoicing.EDocument
	err := db.inSnapshot(ctx, func(tx pgx.Tx) error {
		var err error
		d, err = selectEDocument(ctx, tx, `merchant_id = $1 AND id = $2`, merchantID, id)
		return err
	})
	return d, interpret(err)
}

func (db *DB) EDocumentUBL(ctx context.Context, merchantID, id int64) ([]byte, error) {
	var ubl []byte
	err := db.pool.QueryRow(ctx, `SELECT ubl FROM e_documents WHERE merchant_id = $1 AND id = $2 AND ubl IS NOT NULL`,
		merchantID, id).Scan(&ubl)
	if err != nil {
		return nil, interpret(err)
	}
	return ubl, nil
}

func (db *DB) ListEDocuments(ctx context.Context, merchantID int64, opt store.EDocumentListOptions) ([]invoicing.EDocument, error) {
	var docs []invoicing.EDocument
	err := db.inSnapshot(ctx, func(tx pgx.Tx) error {
		var err error
		docs, err = selectEDocuments(ctx, tx, `merchant_id = $1 AND ($2 = '' OR status = $2) AND id > $3 ORDER BY id LIMIT $4`,
			merchantID, string(opt.Status), opt.AfterID, opt.Limit)
		return err
	})
	if err != nil {
		return nil, interpret(err)
	}
	return docs, nil
}

// setEStatus moves doc, whose row the transaction has locked, to status
// at now, keeping reason where the status keeps one, and queues on b the
// update and, when the status really changes, the webhook events. doc is
// updated in place.
func setEStatus(b *pgx.Batch, merchantID int64, doc *invoicing.EDocument, status invoicing.EStatus, reason string, now time.Time) error {
	reason = store.KeptReason(status, reason)
	if doc.Status == status && doc.ErrorReason == reason {
		return nil
	}
	previous := doc.Status
	b.Queue(`UPDATE e_documents SET status = $2, error_reason = $3, updated_at = $4 WHERE id = $1`,
		doc.ID, string(status), reason, now)
	doc.Status, doc.ErrorReason, doc.UpdatedAt = status, reason, now
	if previous == status {
		return nil
	}
	return queueStatusEvent(b, merchantID, *doc, previous, now)
}
