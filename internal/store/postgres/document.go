package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
)

const documentColumns = `id, kind, number, coalesce(customer_id, 0), customer_name, customer_email,
	customer_country, customer_tax_number, customer_address, doc_date, due_date, currency, status,
	tax_rate, subtotal, total_tax, total, total_discount, supplier_tax_number, supplier_country,
	supplier_company_name, supplier_address, supplier_email, created_at, updated_at`

const selectDocument = `SELECT ` + documentColumns + ` FROM documents
	WHERE merchant_id = $1 AND kind = $2 AND id = $3`

func scanDocument(row pgx.CollectableRow) (invoicing.Document, error) {
	var d invoicing.Document
	err := row.Scan(&d.ID, &d.Kind, &d.Number, &d.CustomerID, &d.CustomerName, &d.CustomerEmail,
		&d.CustomerCountry, &d.CustomerTaxNumber, &d.CustomerAddress, dateCol{&d.Date}, dateCol{&d.DueDate},
		&d.Currency, &d.Status, optDecimalCol{&d.TaxRate}, decimalCol{&d.Subtotal}, decimalCol{&d.TotalTax},
		decimalCol{&d.Total}, decimalCol{&d.TotalDiscount}, &d.SupplierTaxNumber, &d.SupplierCountry,
		&d.SupplierCompanyName, &d.SupplierAddress, &d.SupplierEmail, timeCol{&d.CreatedAt}, timeCol{&d.UpdatedAt})
	return d, err
}

// documentFields are the columns every write sets, in documentValues' order.
const documentFields = `number, customer_id, customer_name, customer_email, customer_country,
	customer_tax_number, customer_address, doc_date, due_date, currency, status, tax_rate,
	subtotal, total_tax, total, total_discount, supplier_tax_number, supplier_country,
	supplier_company_name, supplier_address, supplier_email, updated_at`

func documentValues(d invoicing.Document) []any {
	return []any{d.Number, nullID(d.CustomerID), d.CustomerName, d.CustomerEmail, d.CustomerCountry,
		d.CustomerTaxNumber, d.CustomerAddress, date(d.Date), date(d.DueDate), d.Currency, d.Status,
		optNumeric(d.TaxRate), numeric(d.Subtotal), numeric(d.TotalTax), numeric(d.Total),
		numeric(d.TotalDiscount), d.SupplierTaxNumber, d.SupplierCountry, d.SupplierCompanyName,
		d.SupplierAddress, d.SupplierEmail, d.UpdatedAt}
}

// numberConstraint is the unique constraint on a merchant's numbers of a kind.
const numberConstraint = "documents_number_key"

// CreateDocuments decides each record on its own within one transaction: a
// taken number or an unknown customer refuses that record only, because the
// insert's ON CONFLICT DO NOTHING and the up-front customer check never
// raise the error that would abort the transaction.
func (db *DB) CreateDocuments(ctx context.Context, merchantID int64, docs []invoicing.Document) ([]store.DocumentResult, error) {
	now := db.now()
	var results []store.DocumentResult
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		results, err = createDocuments(ctx, tx, merchantID, docs, now)
		return err
	})
	if err != nil {
		return nil, interpret(err)
	}
	return results, nil
}

func createDocuments(ctx context.Context, tx pgx.Tx, merchantID int64, docs []invoicing.Document, now time.Time) ([]store.DocumentResult, error) {
	if err := lockDocuments(ctx, tx, merchantID); err != nil {
		return nil, err
	}
	var customerIDs []int64
	for _, d := range docs {
		if d.CustomerID != 0 {
			customerIDs = append(customerIDs, d.CustomerID)
		}
	}
	known, err := knownCustomers(ctx, tx, merchantID, customerIDs)
	if err != nil {
		return nil, err
	}
	seq := newNumbering(merchantID)
	results := make([]store.DocumentResult, len(docs))
	var stored []invoicing.Document
	for i, d := range docs {
		results[i].Document = d // as given, unless stored
		d.CreatedAt, d.UpdatedAt = now, now
		if d.CustomerID != 0 && !known[d.CustomerID] {
			results[i].Err = unknownCustomer(d.CustomerID)
			continue
		}
		if d.Number == "" {
			if d.Number, err = seq.next(ctx, tx, d.Kind); err != nil {
				return nil, err
			}
		}
		ok, err := insertDocument(ctx, tx, merchantID, &d)
		if err != nil {
			return nil, err
		}
		if !ok {
			results[i].Err = numberTaken(d)
			continue
		}
		results[i].Document = d
		stored = append(stored, d)
	}
	if err := insertLineItems(ctx, tx, stored); err != nil {
		return nil, err
	}
	return results, seq.save(ctx, tx)
}

// lockDocuments makes the transaction the only one writing the merchant's
// documents until it ends (ErrNotFound when there is no such merchant).
// Without it, two uploads storing the same numbers in opposite orders each
// wait for a number the other holds, and PostgreSQL aborts one of them as
// deadlocked; a number update can cross an upload the same way. Writers of
// one merchant queue instead; other merchants' writers never wait. NO KEY
// UPDATE does not block the merchant's other records, whose foreign keys
// only take KEY SHARE locks on the merchant row.
func lockDocuments(ctx context.Context, tx pgx.Tx, merchantID int64) error {
	var id int64
	return tx.QueryRow(ctx, `SELECT id FROM merchants WHERE id = $1 FOR NO KEY UPDATE`, merchantID).Scan(&id)
}

// insertDocument stores d and sets its id; ok is false, and nothing is
// stored, when the merchant already has a document of d's kind and number.
func insertDocument(ctx context.Context, tx pgx.Tx, merchantID int64, d *invoicing.Document) (ok bool, err error) {
	args := append([]any{merchantID, string(d.Kind), d.CreatedAt}, documentValues(*d)...)
	err = tx.QueryRow(ctx, `
		INSERT INTO documents (merchant_id, kind, created_at, `+documentFields+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
			$17, $18, $19, $20, $21, $22, $23, $24, $25)
		ON CONFLICT ON CONSTRAINT `+numberConstraint+` DO NOTHING
		RETURNING id`, args...).Scan(&d.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// numbering draws one merchant's document numbers within a transaction that
// holds lockDocuments, so the numbers it finds free stay free until commit.
// Nothing else is refused after a number is drawn, or the transaction rolls
// back whole: no drawn number is lost and the sequence stays gapless.
type numbering struct {
	merchantID int64
	last       map[invoicing.Kind]int64 // per kind drawn from so far: the last number drawn
}

func newNumbering(merchantID int64) *numbering {
	return &numbering{merchantID: merchantID, last: map[invoicing.Kind]int64{}}
}

// next draws the next number of kind k, skipping the numbers the merchant
// has stored already (given explicitly, in this transaction or before).
func (n *numbering) next(ctx context.Context, tx pgx.Tx, k invoicing.Kind) (string, error) {
	last, locked := n.last[k]
	if !locked {
		var err error
		if last, err = lockSequence(ctx, tx, n.merchantID, k); err != nil {
			return "", err
		}
	}
	free, err := firstFree(ctx, tx, n.merchantID, k, last+1)
	if err != nil {
		return "", err
	}
	n.last[k] = free
	return k.FormatNumber(free), nil
}

// lockSequence locks the sequence row of kind k, creating it at 0 when
// missing, and returns its last value. lockDocuments already serializes
// the merchant's writers; the row lock keeps the read-modify-write of the
// sequence safe on its own.
func lockSequence(ctx context.Context, tx pgx.Tx, merchantID int64, k invoicing.Kind) (int64, error) {
	// The no-op update is what takes the row lock when the row exists.
	var last int64
	err := tx.QueryRow(ctx, `
		INSERT INTO number_sequences (merchant_id, kind, last_value) VALUES ($1, $2, 0)
		ON CONFLICT (merchant_id, kind) DO UPDATE SET last_value = number_sequences.last_value
		RETURNING last_value`, merchantID, string(k)).Scan(&last)
	return last, err
}

// maxFreeWindow bounds how many numbers firstFree checks in one query.
const maxFreeWindow = 1024

// firstFree returns the first sequence value, from on, whose number the
// merchant has not stored. It checks one number first, the usual answer,
// then ever larger windows, so a long run of explicitly given numbers
// costs few round trips.
func firstFree(ctx context.Context, tx pgx.Tx, merchantID int64, k invoicing.Kind, from int64) (int64, error) {
	for window := 1; ; from, window = from+int64(window), min(2*window, maxFreeWindow) {
		candidates := make([]string, window)
		for i := range candidates {
			candidates[i] = k.FormatNumber(from + int64(i))
		}
		rows, _ := tx.Query(ctx, `SELECT number FROM documents
			WHERE merchant_id = $1 AND kind = $2 AND number = ANY($3)`, merchantID, string(k), candidates)
		taken := make(map[string]bool)
		var number string
		if _, err := pgx.ForEachRow(rows, []any{&number}, func() error { taken[number] = true; return nil }); err != nil {
			return 0, err
		}
		for i, c := range candidates {
			if !taken[c] {
				return from + int64(i), nil
			}
		}
	}
}

// save records the last number drawn of each sequence drawn from.
func (n *numbering) save(ctx context.Context, tx pgx.Tx) error {
	for k, last := range n.last {
		_, err := tx.Exec(ctx, `UPDATE number_sequences SET last_value = $3
			WHERE merchant_id = $1 AND kind = $2`, n.merchantID, string(k), last)
		if err != nil {
			return err
		}
	}
	return nil
}

// knownCustomers reports which of ids are the merchant's customers.
// Customers are never deleted, so the answer holds until commit.
func knownCustomers(ctx context.Context, tx pgx.Tx, merchantID int64, ids []int64) (map[int64]bool, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, _ := tx.Query(ctx, `SELECT id FROM customers WHERE merchant_id = $1 AND id = ANY($2)`,
		merchantID, ids)
	found, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	known := make(map[int64]bool, len(found))
	for _, id := range found {
		known[id] = true
	}
	return known, nil
}

// unknownCustomer and numberTaken word their refusals as the SQLite backend
// does, so the API answers alike on either.
func unknownCustomer(id int64) *invoicing.ValidationError {
	return invoicing.Invalid("customer_id", invoicing.RuleExists, "no customer with id %d", id)
}

func numberTaken(d invoicing.Document) *invoicing.ValidationError {
	return invoicing.Invalid(d.Kind.NumberField(), invoicing.RuleUnique,
		"%q is already the number of another %s of this merchant", d.Number, strings.ToLower(d.Kind.Label()))
}

// insertLineItems stores the line items of docs, which have their ids, with
// COPY: one statement for a whole upload. Positions are the items' indexes,
// as in the API's field paths ("line_items[0]").
func insertLineItems(ctx context.Context, tx pgx.Tx, docs []invoicing.Document) error {
	var rows [][]any
	for _, d := range docs {
		for i, li := range d.LineItems {
			rows = append(rows, []any{d.ID, i, li.Description, numeric(li.Quantity), numeric(li.UnitPrice), li.Taxable})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"line_items"},
		[]string{"document_id", "position", "description", "quantity", "unit_price", "taxable"},
		pgx.CopyFromRows(rows))
	return err
}

// loadLineItems fills in the line items of docs.
func loadLineItems(ctx context.Context, tx pgx.Tx, docs []invoicing.Document) error {
	index := make(map[int64]int, len(docs))
	ids := make([]int64, len(docs))
	for i, d := range docs {
		index[d.ID], ids[i] = i, d.ID
	}
	rows, _ := tx.Query(ctx, `SELECT document_id, description, quantity, unit_price, taxable
		FROM line_items WHERE document_id = ANY($1) ORDER BY document_id, position`, ids)
	var docID int64
	var li invoicing.LineItem
	_, err := pgx.ForEachRow(rows,
		[]any{&docID, &li.Description, decimalCol{&li.Quantity}, decimalCol{&li.UnitPrice}, &li.Taxable},
		func() error {
			d := &docs[index[docID]]
			d.LineItems = append(d.LineItems, li)
			return nil
		})
	return err
}

// UpdateDocument locks the row while the input is applied, so concurrent
// partial updates queue and each sees the other's changes (see lockDocuments
// for why the merchant's other document writers wait too).
func (db *DB) UpdateDocument(ctx context.Context, merchantID int64, k invoicing.Kind, id int64, in invoicing.DocumentInput) (before, after invoicing.Document, err error) {
	now := db.now()
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockDocuments(ctx, tx, merchantID); err != nil {
			return err
		}
		d, err := getDocument(ctx, tx, selectDocument+` FOR NO KEY UPDATE`, merchantID, k, id)
		if err != nil {
			return err
		}
		before, after = d, d
		if verr := in.Apply(&after); verr != nil {
			return verr
		}
		after.UpdatedAt = now
		if err := updateDocument(ctx, tx, merchantID, before, &after); err != nil {
			return err
		}
		if in.LineItems == nil {
			return nil
		}
		if _, err := tx.Exec(ctx, `DELETE FROM line_items WHERE document_id = $1`, id); err != nil {
			return err
		}
		return insertLineItems(ctx, tx, []invoicing.Document{after})
	})
	if err != nil {
		return invoicing.Document{}, invoicing.Document{}, interpret(err)
	}
	return before, after, nil
}

// updateDocument writes after's fields, line items aside, over before's
// locked row. A number cleared by the update is replaced by the next of the
// sequence, as for an upload without one, so no document lacks a number.
func updateDocument(ctx context.Context, tx pgx.Tx, merchantID int64, before invoicing.Document, after *invoicing.Document) error {
	if after.CustomerID != before.CustomerID {
		known, err := knownCustomers(ctx, tx, merchantID, []int64{after.CustomerID})
		if err != nil {
			return err
		}
		if !known[after.CustomerID] {
			return unknownCustomer(after.CustomerID)
		}
	}
	seq := newNumbering(merchantID)
	if after.Number == "" {
		var err error
		if after.Number, err = seq.next(ctx, tx, after.Kind); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, `UPDATE documents SET (`+documentFields+`) = ROW($2, $3, $4, $5,
		$6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)
		WHERE id = $1`, append([]any{after.ID}, documentValues(*after)...)...)
	if isViolationOf(err, numberConstraint) {
		// The error spoils the transaction, but it ends with this refusal.
		return numberTaken(*after)
	}
	if err != nil {
		return err
	}
	return seq.save(ctx, tx)
}

func (db *DB) GetDocument(ctx context.Context, merchantID int64, k invoicing.Kind, id int64) (invoicing.Document, error) {
	var d invoicing.Document
	err := db.inSnapshot(ctx, func(tx pgx.Tx) error {
		var err error
		d, err = getDocument(ctx, tx, selectDocument, merchantID, k, id)
		return err
	})
	return d, interpret(err)
}

// getDocument reads one document, by query (selectDocument, perhaps
// locking), with its line items.
func getDocument(ctx context.Context, tx pgx.Tx, query string, merchantID int64, k invoicing.Kind, id int64) (invoicing.Document, error) {
	rows, _ := tx.Query(ctx, query, merchantID, string(k), id)
	d, err := pgx.CollectExactlyOneRow(rows, scanDocument)
	if err != nil {
		return d, err
	}
	docs := []invoicing.Document{d}
	err = loadLineItems(ctx, tx, docs)
	return docs[0], err
}

func (db *DB) ListDocuments(ctx context.Context, merchantID int64, k invoicing.Kind, opt store.ListOptions) ([]invoicing.Document, error) {
	var docs []invoicing.Document
	err := db.inSnapshot(ctx, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT `+documentColumns+` FROM documents
			WHERE merchant_id = $1 AND kind = $2 AND id > $3
				AND ($4::timestamptz IS NULL OR updated_at >= $4)
			ORDER BY id LIMIT $5`,
			merchantID, string(k), opt.AfterID, timestamp(opt.UpdatedSince), opt.Limit)
		var err error
		if docs, err = pgx.CollectRows(rows, scanDocument); err != nil {
			return err
		}
		return loadLineItems(ctx, tx, docs)
	})
	if err != nil {
		return nil, interpret(err)
	}
	return docs, nil
}
