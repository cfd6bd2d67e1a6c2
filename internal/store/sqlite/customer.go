package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
)

// customerColumns are read by scanCustomer and written by customerValues, in
// this order.
var customerColumns = []string{
	"name", "email", "country", "tax_number", "peppol_id", "contact_person", "language",
	"city", "state", "address_line_1", "address_line_2", "postal_code", "sending_method",
	"created_at", "updated_at",
}

var (
	selectCustomer = `SELECT id, ` + strings.Join(customerColumns, ", ") + ` FROM customers`
	insertCustomer = `INSERT INTO customers (merchant_id, ` + strings.Join(customerColumns, ", ") + `)
		VALUES (?, ` + placeholders(len(customerColumns)) + `) RETURNING id`
	updateCustomer = `UPDATE customers SET (` + strings.Join(customerColumns, ", ") + `) = (` +
		placeholders(len(customerColumns)) + `) WHERE merchant_id = ? AND id = ?`
)

func customerValues(c invoicing.Customer) []any {
	return []any{c.Name, c.Email, c.Country, c.TaxNumber, c.PeppolID, c.ContactPerson, c.Language,
		c.City, c.State, c.AddressLine1, c.AddressLine2, c.PostalCode, c.SendingMethod,
		timeText(c.CreatedAt), timeText(c.UpdatedAt)}
}

func scanCustomer(row interface{ Scan(...any) error }) (invoicing.Customer, error) {
	var c invoicing.Customer
	err := row.Scan(&c.ID, &c.Name, &c.Email, &c.Country, &c.TaxNumber, &c.PeppolID, &c.ContactPerson, &c.Language,
		&c.City, &c.State, &c.AddressLine1, &c.AddressLine2, &c.PostalCode, &c.SendingMethod,
		timeColumn{&c.CreatedAt}, timeColumn{&c.UpdatedAt})
	return c, err
}

// CreateCustomers stores cs in one transaction, in order, so their ids
// ascend in request order.
func (db *DB) CreateCustomers(ctx context.Context, merchantID int64, cs []invoicing.Customer) ([]invoicing.Customer, error) {
	now := db.now()
	out := make([]invoicing.Customer, len(cs))
	err := db.write(ctx, func(tx *sql.Tx) error {
		for i, c := range cs {
			c.CreatedAt, c.UpdatedAt = now, now
			err := tx.QueryRowContext(ctx, insertCustomer, append([]any{merchantID}, customerValues(c)...)...).Scan(&c.ID)
			if err != nil {
				return err
			}
			out[i] = c
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateCustomer applies in to the stored customer inside one writer
// transaction, so concurrent updates of different fields all survive.
func (db *DB) UpdateCustomer(ctx context.Context, merchantID, id int64, in invoicing.CustomerInput) (before, after invoicing.Customer, err error) {
	err = db.write(ctx, func(tx *sql.Tx) error {
		before, err = getCustomer(ctx, tx, merchantID, id)
		if err != nil {
			return err
		}
		after = before
		if verr := in.Apply(&after); verr != nil {
			return verr
		}
		after.UpdatedAt = db.now()
		_, err := tx.ExecContext(ctx, updateCustomer, append(customerValues(after), merchantID, id)...)
		return err
	})
	if err != nil {
		return invoicing.Customer{}, invoicing.Customer{}, err
	}
	return before, after, nil
}

// GetCustomer returns one of the merchant's customers.
func (db *DB) GetCustomer(ctx context.Context, merchantID, id int64) (invoicing.Customer, error) {
	var c invoicing.Customer
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = getCustomer(ctx, tx, merchantID, id)
		return err
	})
	return c, err
}

func getCustomer(ctx context.Context, tx *sql.Tx, merchantID, id int64) (invoicing.Customer, error) {
	return scanCustomer(tx.QueryRowContext(ctx,
		selectCustomer+` WHERE merchant_id = ? AND id = ?`, merchantID, id))
}

// ListCustomers returns one page of the merchant's customers, oldest first.
func (db *DB) ListCustomers(ctx context.Context, merchantID int64, opt store.ListOptions) ([]invoicing.Customer, error) {
	var out []invoicing.Customer
	err := db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx,
			selectCustomer+` WHERE merchant_id = ? AND id > ? AND updated_at >= ? ORDER BY id LIMIT ?`,
			merchantID, opt.AfterID, sinceText(opt), opt.Limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanCustomer(rows)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// sinceText is the lower bound of updated_at for a list: the empty string,
// below every timestamp, when there is no filter, which keeps one query text
// for both cases. A bound finer than the stored microseconds is rounded up,
// so a record stored just before it is not let in.
func sinceText(opt store.ListOptions) string {
	if opt.UpdatedSince.IsZero() {
		return ""
	}
	since := micro(opt.UpdatedSince)
	if since.Before(opt.UpdatedSince) {
		since = since.Add(time.Microsecond)
	}
	return timeText(since)
}
