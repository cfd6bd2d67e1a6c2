package main

// The floors: the workload's rows written with the driver alone, one
// transaction per request's worth of invoices: a plain INSERT ... RETURNING
// id per document, then a plain INSERT per line item. Nothing is checked and
// nothing is read back; the values are what the server stores for the same
// invoices.

import (
	"context"
	"database/sql"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "modernc.org/sqlite" // the driver the sqlite backend uses
)

const (
	floorMerchant = `INSERT INTO merchants (name, plan, created_at) VALUES ('floor', 'standard', $1) RETURNING id`
	floorDocument = `INSERT INTO documents (merchant_id, kind, number, customer_name, customer_email,
		customer_country, doc_date, due_date, currency, status, subtotal, total_tax, total,
		total_discount, created_at, updated_at)
		VALUES ($1, 'invoice', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)
		RETURNING id`
	floorLine = `INSERT INTO line_items (document_id, position, description, quantity, unit_price, taxable)
		VALUES ($1, $2, $3, $4, $5, $6)`
)

func documentArgs(merchantID int64, inv invoice, now any) []any {
	return []any{merchantID, inv.Number, inv.CustomerName, inv.CustomerEmail, inv.CustomerCountry,
		inv.Date, inv.DueDate, inv.Currency, inv.Status, inv.Subtotal.String(), inv.TotalTax.String(),
		inv.Total.String(), inv.TotalDiscount.String(), now}
}

// sqliteFloor opens the file as the backend does (WAL, synchronous=FULL,
// foreign keys on, BEGIN IMMEDIATE) through one connection: SQLite admits
// one writer at a time, so more connections would only wait on its lock
// (by polling). The workers queue for it, as the server's requests do for
// the backend's single writer. Statements are prepared once.
func sqliteFloor(ctx context.Context, path string, work [][][]invoice) (measurement, error) {
	q := url.Values{"_pragma": {"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(ON)"}}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: path, RawQuery: q.Encode()}).String())
	if err != nil {
		return measurement{}, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	// The backend's timestamp text: fixed-width UTC with microseconds.
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000000Z")
	var merchantID int64
	if err := db.QueryRowContext(ctx, floorMerchant, now).Scan(&merchantID); err != nil {
		return measurement{}, err
	}
	insDoc, err := db.PrepareContext(ctx, floorDocument)
	if err != nil {
		return measurement{}, err
	}
	defer insDoc.Close()
	insLine, err := db.PrepareContext(ctx, floorLine)
	if err != nil {
		return measurement{}, err
	}
	defer insLine.Close()

	return drive(ctx, work, func(ctx context.Context, c, r int) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		doc, line := tx.StmtContext(ctx, insDoc), tx.StmtContext(ctx, insLine)
		for _, inv := range work[c][r] {
			var id int64
			if err := doc.QueryRowContext(ctx, documentArgs(merchantID, inv, now)...).Scan(&id); err != nil {
				return err
			}
			for i, li := range inv.Lines {
				taxable := 0
				if li.Taxable {
					taxable = 1
				}
				if _, err := line.ExecContext(ctx, id, i, li.Description, li.Quantity.String(), li.UnitPrice.String(), taxable); err != nil {
					return err
				}
			}
		}
		return tx.Commit()
	})
}

// postgresFloor uses a pgx pool of one connection per worker. Each
// transaction sends its INSERTs as two pipelined batches (the documents,
// whose ids the lines need, then the lines): still one plain statement per
// row, but two round trips instead of one per row, so the floor is not made
// of network waits the server does not have.
func postgresFloor(ctx context.Context, u string, work [][][]invoice) (measurement, error) {
	cfg, err := pgxpool.ParseConfig(u)
	if err != nil {
		return measurement{}, err
	}
	cfg.MaxConns = int32(len(work))
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return measurement{}, err
	}
	defer pool.Close()

	now := time.Now()
	var merchantID int64
	if err := pool.QueryRow(ctx, floorMerchant, now).Scan(&merchantID); err != nil {
		return measurement{}, err
	}
	return drive(ctx, work, func(ctx context.Context, c, r int) error {
		batch := work[c][r]
		return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			var docs pgx.Batch
			for _, inv := range batch {
				docs.Queue(floorDocument, documentArgs(merchantID, inv, now)...)
			}
			ids := make([]int64, len(batch))
			res := tx.SendBatch(ctx, &docs)
			for i := range ids {
				if err := res.QueryRow().Scan(&ids[i]); err != nil {
					res.Close()
					return err
				}
			}
			if err := res.Close(); err != nil {
				return err
			}
			var lines pgx.Batch
			for i, inv := range batch {
				for j, li := range inv.Lines {
					lines.Queue(floorLine, ids[i], j, li.Description, li.Quantity.String(), li.UnitPrice.String(), li.Taxable)
				}
			}
			return tx.SendBatch(ctx, &lines).Close()
		})
	})
}
