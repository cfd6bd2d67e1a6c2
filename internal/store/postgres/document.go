package postgres

import (
	"context"
	"errors"
	"fmt"
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

// createDocuments stores docs in a few round trips however many there are,
// not one or more per record: the statements go in pipelined batches.
// Everything a record's fate depends on (the lock, its customer, the free
// numbers) is read first; the records are then decided in order, as if
// inserted one by one, and the inserts sent together. A record can still be
// refused by its insert only for a number it was given: those inserts keep
// ON CONFLICT DO NOTHING and execute in the batch's order, so a number given
// twice is refused the second time, as before.
func createDocuments(ctx context.Context, tx pgx.Tx, merchantID int64, docs []invoicing.Document, now time.Time) ([]store.DocumentResult, error) {
	var first pgx.Batch
	queueLockDocuments(&first, merchantID)
	known := queueKnownCustomers(&first, merchantID, customerIDs(docs))
	seq := newNumbering(merchantID)
	toNumber := map[invoicing.Kind]int{} // per kind, how many records have no number
	for _, d := range docs {
		if d.Number == "" {
			if toNumber[d.Kind] == 0 {
				seq.queueLock(&first, d.Kind)
			}
			toNumber[d.Kind]++
		}
	}
	// With nothing to learn before deciding the records, the inserts follow
	// the lock in the same round trip.
	inserts := &first
	var second pgx.Batch
	if first.Len() > 1 {
		if err := tx.SendBatch(ctx, &first).Close(); err != nil {
			return nil, err
		}
		inserts = &second
	}

	results := make([]store.DocumentResult, len(docs))
	stored := make([]invoicing.Document, 0, len(docs)) // the records sent for insertion, in order
	storedAt := make([]int, 0, len(docs))              // their indexes in docs
	// given holds, per kind, the numbers given to records already decided
	// (stored, or refused because their number is taken): a number drawn
	// later skips them, as it would skip them once stored.
	given := map[invoicing.Kind]map[string]bool{}
	for i, d := range docs {
		results[i].Document = d // as given, unless stored
		d.CreatedAt, d.UpdatedAt = now, now
		draw := d.Number == ""
		if draw {
			toNumber[d.Kind]-- // now: how many come after this one
		}
		if d.CustomerID != 0 && !known[d.CustomerID] {
			results[i].Err = unknownCustomer(d.CustomerID)
			continue
		}
		if draw {
			var err error
			if d.Number, err = seq.next(ctx, tx, d.Kind, given[d.Kind], toNumber[d.Kind]+1); err != nil {
				return nil, err
			}
		} else {
			if given[d.Kind] == nil {
				given[d.Kind] = map[string]bool{}
			}
			given[d.Kind][d.Number] = true
		}
		stored = append(stored, d)
		storedAt = append(storedAt, i)
	}
	refused := make([]bool, len(stored))
	for j := range stored {
		d := &stored[j]
		drawn := docs[storedAt[j]].Number == ""
		inserts.Queue(insertDocument, documentArgs(merchantID, *d)...).QueryRow(func(row pgx.Row) error {
			err := row.Scan(&d.ID)
			switch {
			case errors.Is(err, pgx.ErrNoRows) && drawn:
				// The number was checked free under the lock.
				return fmt.Errorf("postgres: number %q drawn for a %s is taken", d.Number, d.Kind)
			case errors.Is(err, pgx.ErrNoRows):
				refused[j] = true
				return nil
			}
			return err
		})
	}
	seq.queueSave(inserts)
	if err := tx.SendBatch(ctx, inserts).Close(); err != nil {
		return nil, err
	}

	kept := stored[:0]
	for j, d := range stored {
		i := storedAt[j]
		if refused[j] {
			results[i].Err = numberTaken(d)
			continue
		}
		results[i].Document = d
		kept = append(kept, d)
	}
	if err := insertLineItems(ctx, tx, kept); err != nil {
		return nil, err
	}
	return results, nil
}

// customerIDs returns the distinct customer ids docs refer to.
func customerIDs(docs []invoicing.Document) []int64 {
	var ids []int64
	seen := map[int64]bool{}
	for _, d := range docs {
		if d.CustomerID != 0 && !seen[d.CustomerID] {
			seen[d.CustomerID] = true
			ids = append(ids, d.CustomerID)
		}
	}
	return ids
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
	var b pgx.Batch
	queueLockDocuments(&b, merchantID)
	return tx.SendBatch(ctx, &b).Close()
}

// queueLockDocuments queues lockDocuments' statement; it must come first in
// the batch, so that everything after it runs under the lock.
func queueLockDocuments(b *pgx.Batch, merchantID int64) {
	b.Queue(`SELECT id FROM merchants WHERE id = $1 FOR NO KEY UPDATE`, merchantID).
		QueryRow(func(row pgx.Row) error {
			var id int64
			return row.Scan(&id)
		})
}

// insertDocument stores a document and returns its id; it returns no row,
// and stores nothing, when the merchant already has a document of its kind
// and number. Its arguments are documentArgs.
const insertDocument = `
	INSERT INTO documents (merchant_id, kind, created_at, ` + documentFields + `)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
		$17, $18, $19, $20, $21, $22, $23, $24, $25)
	ON CONFLICT ON CONSTRAINT ` + numberConstraint + ` DO NOTHING
	RETURNING id`

func documentArgs(merchantID int64, d invoicing.Document) []any {
	return append([]any{merchantID, string(d.Kind), d.CreatedAt}, documentValues(d)...)
}

// numbering draws one merchant's document numbers within a transaction that
// holds lockDocuments, so the numbers it finds free stay free until commit.
// Nothing else is refused after a number is drawn, or the transaction rolls
// back whole: no drawn number is lost and the sequence stays gapless.
type numbering struct {
	merchantID int64
	seqs       map[invoicing.Kind]*sequence // the kinds whose sequence is locked
}

// sequence is one kind's sequence as a transaction draws from it.
type sequence struct {
	last  int64 // the last value drawn, or the stored one before any is
	drawn bool  // whether last was drawn, and must be saved
	// The values up to, not including, checkedTo have been checked against
	// the merchant's stored numbers; stored holds those found taken.
	checkedTo, window int64
	stored            map[string]bool
}

func newNumbering(merchantID int64) *numbering {
	return &numbering{merchantID: merchantID, seqs: map[invoicing.Kind]*sequence{}}
}

// lockSequenceSQL locks the sequence row of a kind, creating it at 0 when
// missing (which means the same as no row), and returns its last value.
// lockDocuments already serializes the merchant's writers; the row lock
// keeps the read-modify-write of the sequence safe on its own. The no-op
// update is what takes the row lock when the row exists.
const lockSequenceSQL = `
	INSERT INTO number_sequences (merchant_id, kind, last_value) VALUES ($1, $2, 0)
	ON CONFLICT (merchant_id, kind) DO UPDATE SET last_value = number_sequences.last_value
	RETURNING last_value`

// queueLock queues the lock of kind k's sequence, for next to draw from.
func (n *numbering) queueLock(b *pgx.Batch, k invoicing.Kind) {
	s := &sequence{}
	n.seqs[k] = s
	b.Queue(lockSequenceSQL, n.merchantID, string(k)).QueryRow(func(row pgx.Row) error {
		err := row.Scan(&s.last)
		s.checkedTo = s.last + 1
		return err
	})
}

// next draws the next number of kind k: the first value after the last
// drawn whose number the merchant has not stored (given explicitly, before
// this transaction) and that is not in given (numbers of the transaction's
// records that come first). want is how many numbers of kind k are still to
// draw, this one included, so that one query checks enough of them.
func (n *numbering) next(ctx context.Context, tx pgx.Tx, k invoicing.Kind, given map[string]bool, want int) (string, error) {
	s, locked := n.seqs[k]
	if !locked {
		var b pgx.Batch
		n.queueLock(&b, k)
		if err := tx.SendBatch(ctx, &b).Close(); err != nil {
			return "", err
		}
		s = n.seqs[k]
	}
	for v := s.last + 1; ; v++ {
		if v >= s.checkedTo {
			s.window = min(max(int64(want), 2*s.window, 1), maxFreeWindow)
			if err := s.check(ctx, tx, n.merchantID, k, v); err != nil {
				return "", err
			}
		}
		number := k.FormatNumber(v)
		if !s.stored[number] && !given[number] {
			s.last, s.drawn = v, true
			return number, nil
		}
	}
}

// maxFreeWindow bounds how many numbers one query checks.
const maxFreeWindow = 1024

// check finds which numbers of the window from on the merchant has stored.
// The first window is as large as the numbers wanted, the usual answer when
// none is taken; later ones grow, so a long run of explicitly given numbers
// costs few round trips.
func (s *sequence) check(ctx context.Context, tx pgx.Tx, merchantID int64, k invoicing.Kind, from int64) error {
	candidates := make([]string, s.window)
	for i := range candidates {
		candidates[i] = k.FormatNumber(from + int64(i))
	}
	rows, _ := tx.Query(ctx, `SELECT number FROM documents
		WHERE merchant_id = $1 AND kind = $2 AND number = ANY($3)`, merchantID, string(k), candidates)
	if s.stored == nil {
		s.stored = map[string]bool{}
	}
	var number string
	if _, err := pgx.ForEachRow(rows, []any{&number}, func() error { s.stored[number] = true; return nil }); err != nil {
		return err
	}
	s.checkedTo = from + s.window
	return nil
}

// queueSave queues the saving of the last number drawn of each sequence
// drawn from.
func (n *numbering) queueSave(b *pgx.Batch) {
	for k, s := range n.seqs {
		if s.drawn {
			b.Queue(`UPDATE number_sequences SET last_value = $3
				WHERE merchant_id = $1 AND kind = $2`, n.merchantID, string(k), s.last)
		}
	}
}

// save saves what queueSave queues, in a round trip of its own.
func (n *numbering) save(ctx context.Context, tx pgx.Tx) error {
	var b pgx.Batch
	n.queueSave(&b)
	return tx.SendBatch(ctx, &b).Close()
}

// knownCustomers reports which of ids are the merchant's customers.
// Customers are never deleted, so the answer holds until commit.
func knownCustomers(ctx context.Context, tx pgx.Tx, merchantID int64, ids []int64) (map[int64]bool, error) {
	var b pgx.Batch
	known := queueKnownCustomers(&b, merchantID, ids)
	return known, tx.SendBatch(ctx, &b).Close()
}

// queueKnownCustomers queues knownCustomers' query; the map it returns is
// filled in once the batch is closed. It queues nothing for no ids.
func queueKnownCustomers(b *pgx.Batch, merchantID int64, ids []int64) map[int64]bool {
	known := make(map[int64]bool, len(ids))
	if len(ids) == 0 {
		return known
	}
	b.Queue(`SELECT id FROM customers WHERE merchant_id = $1 AND id = ANY($2)`, merchantID, ids).
		Query(func(rows pgx.Rows) error {
			var id int64
			_, err := pgx.ForEachRow(rows, []any{&id}, func() error { known[id] = true; return nil })
			return err
		})
	return known
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

// insertLineItems stores the line items of docs, which have their ids.
func insertLineItems(ctx context.Context, tx pgx.Tx, docs []invoicing.Document) error {
	rows := make([]linesOf, len(docs))
	for i, d := range docs {
		rows[i] = linesOf{d.ID, d.LineItems}
	}
	return copyLines(ctx, tx, "line_items", rows)
}

// linesOf is a document's id with its lines.
type linesOf struct {
	docID int64
	lines []invoicing.LineItem
}

// copyLines stores the lines of many documents into table (line_items or
// e_document_lines) with COPY: one statement for a whole upload. Positions
// are the items' indexes, as in the API's field paths ("line_items[0]").
func copyLines(ctx context.Context, tx pgx.Tx, table string, docs []linesOf) error {
	var rows [][]any
	for _, d := range docs {
		for i, li := range d.lines {
			rows = append(rows, []any{d.docID, i, li.Description, numeric(li.Quantity), numeric(li.UnitPrice), li.Taxable})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{table},
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
		if after.Number, err = seq.next(ctx, tx, after.Kind, nil, 1); err != nil {
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
