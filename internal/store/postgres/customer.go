package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
)

const customerColumns = `id, name, email, country, tax_number, peppol_id, contact_person,
	language, city, state, address_line_1, address_line_2, postal_code, sending_method,
	created_at, updated_at`

func scanCustomer(row pgx.CollectableRow) (invoicing.Customer, error) {
	var c invoicing.Customer
	err := row.Scan(&c.ID, &c.Name, &c.Email, &c.Country, &c.TaxNumber, &c.PeppolID, &c.ContactPerson,
		&c.Language, &c.City, &c.State, &c.AddressLine1, &c.AddressLine2, &c.PostalCode, &c.SendingMethod,
		timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt})
	return c, err
}

// CreateCustomers sends all inserts as one batch: one round trip, executed
// in order, so the ids ascend in request order.
func (db *DB) CreateCustomers(ctx context.Context, merchantID int64, cs []invoicing.Customer) ([]invoicing.Customer, error) {
	now := db.now()
	out := make([]invoicing.Customer, len(cs))
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var b pgx.Batch
		for i, c := range cs {
			c.CreatedAt, c.UpdatedAt = now, now
			out[i] = c
			b.Queue(`
				INSERT INTO customers (merchant_id, name, email, country, tax_number, peppol_id,
					contact_person, language, city, state, address_line_1, address_line_2,
					postal_code, sending_method, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)
				RETURNING id`,
				merchantID, c.Name, c.Email, c.Country, c.TaxNumber, c.PeppolID,
				c.ContactPerson, c.Language, c.City, c.State, c.AddressLine1, c.AddressLine2,
				c.PostalCode, c.SendingMethod, now,
			).QueryRow(func(row pgx.Row) error { return row.Scan(&out[i].ID) })
		}
		return tx.SendBatch(ctx, &b).Close()
	})
	if err != nil {
		return nil, interpret(err)
	}
	return out, nil
}

// UpdateCustomer locks the row while the input is applied, so concurrent
// partial updates queue and each sees the other's changes. NO KEY UPDATE,
// as the id is never changed, leaves uploads free to link the customer
// meanwhile (their foreign key check takes a KEY SHARE lock).
func (db *DB) UpdateCustomer(ctx context.Context, merchantID, id int64, in invoicing.CustomerInput) (before, after invoicing.Customer, err error) {
	now := db.now()
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT `+customerColumns+` FROM customers
			WHERE merchant_id = $1 AND id = $2 FOR NO KEY UPDATE`, merchantID, id)
		c, err := pgx.CollectExactlyOneRow(rows, scanCustomer)
		if err != nil {
			return err
		}
		before, after = c, c
		if verr := in.Apply(&after); verr != nil {
			return verr
		}
		after.UpdatedAt = now
		return updateCustomer(ctx, tx, after)
	})
	if err != nil {
		return invoicing.Customer{}, invoicing.Customer{}, interpret(err)
	}
	return before, after, nil
}

// updateCustomer writes every field of c to its row.
func updateCustomer(ctx context.Context, tx pgx.Tx, c invoicing.Customer) error {
	_, err := tx.Exec(ctx, `
		UPDATE customers SET name = $2, email = $3, country = $4, tax_number = $5,
			peppol_id = $6, contact_person = $7, language = $8, city = $9, state = $10,
			address_line_1 = $11, address_line_2 = $12, postal_code = $13,
			sending_method = $14, updated_at = $15
		WHERE id = $1`,
		c.ID, c.Name, c.Email, c.Country, c.TaxNumber,
		c.PeppolID, c.ContactPerson, c.Language, c.City, c.State,
		c.AddressLine1, c.AddressLine2, c.PostalCode,
		c.SendingMethod, c.UpdatedAt)
	return err
}

func (db *DB) GetCustomer(ctx context.Context, merchantID, id int64) (invoicing.Customer, error) {
	rows, _ := db.pool.Query(ctx, `SELECT `+customerColumns+` FROM customers
		WHERE merchant_id = $1 AND id = $2`, merchantID, id)
	c, err := pgx.CollectExactlyOneRow(rows, scanCustomer)
	return c, interpret(err)
}

func (db *DB) ListCustomers(ctx context.Context, merchantID int64, opt store.ListOptions) ([]invoicing.Customer, error) {
	rows, _ := db.pool.Query(ctx, `SELECT `+customerColumns+` FROM customers
		WHERE merchant_id = $1 AND id > $2 AND ($3::timestamptz IS NULL OR updated_at >= $3)
		ORDER BY id LIMIT $4`,
		merchantID, opt.AfterID, timestamp(opt.UpdatedSince), opt.Limit)
	cs, err := pgx.CollectRows(rows, scanCustomer)
	return cs, interpret(err)
}
