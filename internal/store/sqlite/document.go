package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
)

// documentColumns are read by scanDocument and written by documentValues, in
// this order.
var documentColumns = []string{
	"kind", "number", "customer_id", "customer_name", "customer_email", "customer_country",
	"customer_tax_number", "customer_address", "doc_date", "due_date", "currency", "status",
	"tax_rate", "subtotal", "total_tax", "total", "total_discount", "supplier_tax_number",
	"supplier_country", "supplier_company_name", "supplier_address", "supplier_email",
	"created_at", "updated_at",
}

var (
	selectDocument = `SELECT id, ` + strings.Join(documentColumns, ", ") + ` FROM documents`
	// A taken number makes the insert return no row instead of failing,
	// so the record is refused and the transaction goes on with the next.
	insertDocument = `INSERT INTO documents (merchant_id, ` + strings.Join(documentColumns, ", ") + `)
		VALUES (?, ` + placeholders(len(documentColumns)) + `)
		ON CONFLICT (merchant_id, kind, number) DO NOTHING RETURNING id`
	updateDocument = `UPDATE documents SET (` + strings.Join(documentColumns, ", ") + `) = (` +
		placeholders(len(documentColumns)) + `) WHERE merchant_id = ? AND id = ?`
)

func documentValues(d invoicing.Document) []any {
	var customerID any // NULL: no linked customer
	if d.CustomerID != 0 {
		customerID = d.CustomerID
	}
	return []any{
		string(d.Kind), d.Number, customerID, d.CustomerName, d.CustomerEmail, d.CustomerCountry,
		d.CustomerTaxNumber, d.CustomerAddress, d.Date.String(), nullDateText(d.DueDate), d.Currency, d.Status,
		nullDecimalText(d.TaxRate), d.Subtotal.String(), d.TotalTax.String(), d.Total.String(), d.TotalDiscount.String(), d.SupplierTaxNumber,
		d.SupplierCountry, d.SupplierCompanyName, d.SupplierAddress, d.SupplierEmail,
		timeText(d.CreatedAt), timeText(d.UpdatedAt),
	}
}

func scanDocument(row interface{ Scan(...any) error }) (invoicing.Document, error) {
	var d invoicing.Document
	var customerID sql.NullInt64
	err := row.Scan(&d.ID,
		(*string)(&d.Kind), &d.Number, &customerID, &d.CustomerName, &d.CustomerEmail, &d.CustomerCountry,
		&d.CustomerTaxNumber, &d.CustomerAddress, dateColumn{&d.Date}, dateColumn{&d.DueDate}, &d.Currency, &d.Status,
		nullDecimalColumn{&d.TaxRate}, decimalColumn{&d.Subtotal}, decimalColumn{&d.TotalTax}, decimalColumn{&d.Total}, decimalColumn{&d.TotalDiscount}, &d.SupplierTaxNumber,
		&d.SupplierCountry, &d.SupplierCompanyName, &d.SupplierAddress, &d.SupplierEmail,
		timeColumn{&d.CreatedAt}, timeColumn{&d.UpdatedAt})
	d.CustomerID = customerID.Int64
	return d, err
}

// CreateDocuments stores docs in one writer transaction, each on its own: a
// refused document is answered in its result and the others go on.
func (db *DB) CreateDocuments(ctx context.Context, merchantID int64, docs []invoicing.Document) ([]store.DocumentResult, error) {
	now := db.now()
	results := make([]store.DocumentResult, len(docs))
	err := db.write(ctx, func(tx *sql.Tx) error {
		st := newStmts(tx)
		for i, d := range docs {
			d.CreatedAt, d.UpdatedAt = now, now
			var err error
			if results[i], err = createDocument(ctx, st, merchantID, d); err != nil {
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

// createDocument stores one document of a batch. Refusals go in the result;
// the error is for failures that must abort the whole batch. The checks run
// before a number is drawn, so a refused document takes none.
func createDocument(ctx context.Context, st *stmts, merchantID int64, d invoicing.Document) (store.DocumentResult, error) {
	if d.CustomerID != 0 {
		ok, err := customerExists(ctx, st, merchantID, d.CustomerID)
		if err != nil {
			return store.DocumentResult{}, err
		}
		if !ok {
			return store.DocumentResult{Err: unknownCustomer(d.CustomerID)}, nil
		}
	}
	var seq int64 // the sequence value drawn; 0 when the number was given
	if d.Number == "" {
		var err error
		if seq, err = documentSequence(d.Kind).next(ctx, st, merchantID); err != nil {
			return store.DocumentResult{}, err
		}
		d.Number = d.Kind.FormatNumber(seq)
	}
	err := st.queryRow(ctx, insertDocument, append([]any{merchantID}, documentValues(d)...), &d.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return store.DocumentResult{Err: numberTaken(d.Kind, d.Number)}, nil
	}
	if err != nil {
		return store.DocumentResult{}, err
	}
	if seq != 0 {
		if err := documentSequence(d.Kind).save(ctx, st, merchantID, seq); err != nil {
			return store.DocumentResult{}, err
		}
	}
	if err := insertLineItems(ctx, st, d.ID, d.LineItems); err != nil {
		return store.DocumentResult{}, err
	}
	return store.DocumentResult{Document: d}, nil
}

// UpdateDocument applies in to the stored document inside one writer
// transaction, so concurrent updates of different fields all survive.
func (db *DB) UpdateDocument(ctx context.Context, merchantID int64, k invoicing.Kind, id int64, in invoicing.DocumentInput) (before, after invoicing.Document, err error) {
	err = db.write(ctx, func(tx *sql.Tx) error {
		before, err = getDocument(ctx, tx, merchantID, k, id)
		if err != nil {
			return err
		}
		after = before
		if verr := in.Apply(&after); verr != nil {
			return verr
		}
		st := newStmts(tx)
		if err := settleReferences(ctx, st, merchantID, before, &after); err != nil {
			return err
		}
		after.UpdatedAt = db.now()
		if _, err := tx.ExecContext(ctx, updateDocument, append(documentValues(after), merchantID, id)...); err != nil {
			return err
		}
		if in.LineItems == nil {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM line_items WHERE document_id = ?`, id); err != nil {
			return err
		}
		return insertLineItems(ctx, st, id, after.LineItems)
	})
	if err != nil {
		return invoicing.Document{}, invoicing.Document{}, err
	}
	return before, after, nil
}

// settleReferences checks what only the database knows about an updated
// document: a newly linked customer must be the merchant's, and a changed
// number must be free. A number cleared to "" draws the next of the sequence,
// as on upload, so no stored document is ever without one.
func settleReferences(ctx context.Context, st *stmts, merchantID int64, before invoicing.Document, after *invoicing.Document) error {
	if after.CustomerID != before.CustomerID && after.CustomerID != 0 {
		ok, err := customerExists(ctx, st, merchantID, after.CustomerID)
		if err != nil {
			return err
		}
		if !ok {
			return unknownCustomer(after.CustomerID)
		}
	}
	switch {
	case after.Number == "":
		seq, err := documentSequence(after.Kind).next(ctx, st, merchantID)
		if err != nil {
			return err
		}
		after.Number = after.Kind.FormatNumber(seq)
		return documentSequence(after.Kind).save(ctx, st, merchantID, seq)
	case after.Number != before.Number:
		taken, err := isNumberTaken(ctx, st, merchantID, after.Kind, after.Number, after.ID)
		if err != nil {
			return err
		}
		if taken {
			return numberTaken(after.Kind, after.Number)
		}
	}
	return nil
}

// GetDocument returns one of the merchant's documents of kind k.
func (db *DB) GetDocument(ctx context.Context, merchantID int64, k invoicing.Kind, id int64) (invoicing.Document, error) {
	var d invoicing.Document
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		d, err = getDocument(ctx, tx, merchantID, k, id)
		return err
	})
	return d, err
}

func getDocument(ctx context.Context, tx *sql.Tx, merchantID int64, k invoicing.Kind, id int64) (invoicing.Document, error) {
	d, err := scanDocument(tx.QueryRowContext(ctx,
		selectDocument+` WHERE merchant_id = ? AND kind = ? AND id = ?`, merchantID, string(k), id))
	if err != nil {
		return invoicing.Document{}, err
	}
	docs := []invoicing.Document{d}
	err = loadLineItems(ctx, tx, merchantID, docs)
	return docs[0], err
}

// ListDocuments returns one page of the merchant's documents of kind k,
// oldest first, with their line items.
func (db *DB) ListDocuments(ctx context.Context, merchantID int64, k invoicing.Kind, opt store.ListOptions) ([]invoicing.Document, error) {
	var out []invoicing.Document
	err := db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx,
			selectDocument+` WHERE merchant_id = ? AND kind = ? AND id > ? AND updated_at >= ? ORDER BY id LIMIT ?`,
			merchantID, string(k), opt.AfterID, sinceText(opt), opt.Limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanDocument(rows)
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return loadLineItems(ctx, tx, merchantID, out)
	})
	return out, err
}

// loadLineItems fills in the line items of docs with one query. The ids
// travel as one JSON array argument, so the query text does not depend on
// how many there are.
func loadLineItems(ctx context.Context, tx *sql.Tx, merchantID int64, docs []invoicing.Document) error {
	if len(docs) == 0 {
		return nil
	}
	index := make(map[int64]*invoicing.Document, len(docs))
	ids := make([]int64, len(docs))
	for i := range docs {
		index[docs[i].ID] = &docs[i]
		ids[i] = docs[i].ID
	}
	idsJSON, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	// CROSS JOIN fixes SQLite's join order: from the requested ids through
	// line_items' primary key. Left to itself the planner started from the
	// merchant's documents, a scan that grew with every invoice stored.
	rows, err := tx.QueryContext(ctx,
		`SELECT li.document_id, li.description, li.quantity, li.unit_price, li.taxable
		FROM json_each(?) j
		CROSS JOIN line_items li ON li.document_id = j.value
		JOIN documents d ON d.id = li.document_id AND d.merchant_id = ?
		ORDER BY li.document_id, li.position`, string(idsJSON), merchantID)
	if err != nil {
		return err
	}
	return scanLines(rows, func(docID int64) *[]invoicing.LineItem { return &index[docID].LineItems })
}

// scanLines reads rows of (document_id, description, quantity, unit_price,
// taxable) in order, appending each line to its document's list; it serves
// the lines of documents and of e-documents alike.
func scanLines(rows *sql.Rows, linesOf func(docID int64) *[]invoicing.LineItem) error {
	defer rows.Close()
	for rows.Next() {
		var docID int64
		var li invoicing.LineItem
		if err := rows.Scan(&docID, &li.Description, decimalColumn{&li.Quantity}, decimalColumn{&li.UnitPrice}, &li.Taxable); err != nil {
			return err
		}
		lines := linesOf(docID)
		*lines = append(*lines, li)
	}
	return rows.Err()
}

// insertLineItem stores one line of a document; positions are the items'
// indexes, as in the API's field paths ("line_items[0]").
const insertLineItem = `INSERT INTO line_items (document_id, position, description, quantity, unit_price, taxable)
	VALUES (?, ?, ?, ?, ?, ?)`

func insertLineItems(ctx context.Context, st *stmts, docID int64, items []invoicing.LineItem) error {
	for i, li := range items {
		if err := st.exec(ctx, insertLineItem, docID, i, li.Description, li.Quantity.String(), li.UnitPrice.String(), li.Taxable); err != nil {
			return err
		}
	}
	return nil
}

// sequence is one gapless per-merchant numbering: invoices, credit notes,
// e-invoices and e-credit notes each have their own row in number_sequences
// and take their numbers from their own table.
type sequence struct {
	key    string             // number_sequences.kind
	table  string             // the table whose numbers it must not repeat
	kind   invoicing.Kind     // the documents' kind in that table
	format func(int64) string // the number of a sequence value
}

func documentSequence(k invoicing.Kind) sequence {
	return sequence{key: string(k), table: "documents", kind: k, format: k.FormatNumber}
}

func eDocumentSequence(k invoicing.Kind) sequence {
	return sequence{key: k.ESequence(), table: "e_documents", kind: k, format: k.ENumber}
}

// next returns the next value of the merchant's sequence whose number is not
// taken yet. Only the writer transaction reads and advances a sequence, so no
// two documents can draw the same value.
func (s sequence) next(ctx context.Context, st *stmts, merchantID int64) (int64, error) {
	var last int64
	err := st.queryRow(ctx,
		`SELECT COALESCE((SELECT last_value FROM number_sequences WHERE merchant_id = ? AND kind = ?), 0)`,
		[]any{merchantID, s.key}, &last)
	if err != nil {
		return 0, err
	}
	for n := last + 1; ; n++ {
		var taken bool
		err := st.queryRow(ctx,
			`SELECT EXISTS (SELECT 1 FROM `+s.table+` WHERE merchant_id = ? AND kind = ? AND number = ?)`,
			[]any{merchantID, string(s.kind), s.format(n)}, &taken)
		if err != nil {
			return 0, err
		}
		if !taken {
			return n, nil
		}
	}
}

// save records seq as the last value drawn; it is called only once the
// document that drew it is stored, so a refusal leaves no gap.
func (s sequence) save(ctx context.Context, st *stmts, merchantID, seq int64) error {
	return st.exec(ctx,
		`INSERT INTO number_sequences (merchant_id, kind, last_value) VALUES (?, ?, ?)
		ON CONFLICT (merchant_id, kind) DO UPDATE SET last_value = excluded.last_value`,
		merchantID, s.key, seq)
}

// isNumberTaken reports whether another document (not exceptID) of the
// merchant and kind has number.
func isNumberTaken(ctx context.Context, st *stmts, merchantID int64, k invoicing.Kind, number string, exceptID int64) (bool, error) {
	var taken bool
	err := st.queryRow(ctx,
		`SELECT EXISTS (SELECT 1 FROM documents WHERE merchant_id = ? AND kind = ? AND number = ? AND id <> ?)`,
		[]any{merchantID, string(k), number, exceptID}, &taken)
	return taken, err
}

func customerExists(ctx context.Context, st *stmts, merchantID, customerID int64) (bool, error) {
	var ok bool
	err := st.queryRow(ctx,
		`SELECT EXISTS (SELECT 1 FROM customers WHERE merchant_id = ? AND id = ?)`,
		[]any{merchantID, customerID}, &ok)
	return ok, err
}

func numberTaken(k invoicing.Kind, number string) *invoicing.ValidationError {
	return invoicing.Invalid(k.NumberField(), invoicing.RuleUnique,
		"%q is already the number of another %s of this merchant", number, strings.ToLower(k.Label()))
}

func unknownCustomer(id int64) *invoicing.ValidationError {
	return invoicing.Invalid("customer_id", invoicing.RuleExists, "no customer with id %d", id)
}
