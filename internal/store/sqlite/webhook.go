package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
)

// queueStatusEvent queues, in the transaction of the change, one delivery
// per endpoint of the merchant of the event that doc moved from previous
// to its status. The body is built once, so every endpoint gets the same
// bytes.
func queueStatusEvent(ctx context.Context, st *stmts, merchantID int64, doc invoicing.EDocument, previous invoicing.EStatus, now time.Time) error {
	payload, err := store.EventPayload(doc, previous, now)
	if err != nil {
		return err
	}
	return st.exec(ctx, `INSERT INTO webhook_deliveries (endpoint_id, merchant_id, event_type, payload, created_at, next_attempt)
		SELECT id, merchant_id, ?, ?, ?, ? FROM webhook_endpoints WHERE merchant_id = ? ORDER BY id`,
		store.EventEDocumentStatusChanged, string(payload), timeText(now), timeText(now), merchantID)
}

// CreateWebhookEndpoint stores an endpoint; an unknown merchant fails the
// foreign key: store.ErrNotFound.
func (db *DB) CreateWebhookEndpoint(ctx context.Context, merchantID int64, url, secret string) (store.WebhookEndpoint, error) {
	e := store.WebhookEndpoint{MerchantID: merchantID, URL: url, Secret: secret, CreatedAt: db.now()}
	err := db.write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx,
			`INSERT INTO webhook_endpoints (merchant_id, url, secret, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			e.MerchantID, e.URL, e.Secret, timeText(e.CreatedAt)).Scan(&e.ID)
	})
	if err != nil {
		return store.WebhookEndpoint{}, err
	}
	return e, nil
}

// ListWebhookEndpoints returns the merchant's endpoints, oldest first.
func (db *DB) ListWebhookEndpoints(ctx context.Context, merchantID int64) ([]store.WebhookEndpoint, error) {
	var out []store.WebhookEndpoint
	err := db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, merchant_id, url, secret, created_at
			FROM webhook_endpoints WHERE merchant_id = ? ORDER BY id`, merchantID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e store.WebhookEndpoint
			if err := rows.Scan(&e.ID, &e.MerchantID, &e.URL, &e.Secret, timeColumn{&e.CreatedAt}); err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// DeleteWebhookEndpoint deletes one of the merchant's endpoints and, by the
// foreign key's cascade, its deliveries: those still pending stop.
func (db *DB) DeleteWebhookEndpoint(ctx context.Context, merchantID, id int64) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM webhook_endpoints WHERE merchant_id = ? AND id = ?`, merchantID, id)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err == nil && n == 0 {
			err = store.ErrNotFound
		}
		return err
	})
}

const deliveryColumns = `id, endpoint_id, merchant_id, event_type, payload, created_at, attempts, next_attempt,
	delivered_at IS NOT NULL, gave_up_at IS NOT NULL, last_status, last_error, coalesce(owner, ''), lease_until`

func scanDelivery(row interface{ Scan(...any) error }) (store.WebhookDelivery, error) {
	var d store.WebhookDelivery
	var payload string
	err := row.Scan(&d.ID, &d.EndpointID, &d.MerchantID, &d.EventType, &payload, timeColumn{&d.CreatedAt},
		&d.Attempts, timeColumn{&d.NextAttempt}, &d.Delivered, &d.GaveUp, &d.LastStatus, &d.LastError,
		&d.Owner, timeColumn{&d.LeaseUntil})
	d.Payload = []byte(payload)
	return d, err
}

// ClaimWebhookDeliveries leases up to limit due deliveries, oldest due
// first, in one writer transaction, like ClaimTransmissions.
func (db *DB) ClaimWebhookDeliveries(ctx context.Context, owner string, lease time.Duration, limit int) ([]store.WebhookDelivery, error) {
	if lease <= 0 {
		return nil, fmt.Errorf("sqlite: claim webhook deliveries: lease %v is not positive", lease)
	}
	if limit <= 0 {
		return nil, nil
	}
	now := db.now()
	until := micro(now.Add(lease))
	var out []store.WebhookDelivery
	err := db.write(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries
			WHERE delivered_at IS NULL AND gave_up_at IS NULL AND next_attempt <= ?
				AND (lease_until IS NULL OR lease_until < ?)
			ORDER BY next_attempt, id LIMIT ?`, timeText(now), timeText(now), limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			d, err := scanDelivery(rows)
			if err != nil {
				rows.Close()
				return err
			}
			d.Owner, d.LeaseUntil = owner, until
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		st := newStmts(tx)
		for _, d := range out {
			err := st.exec(ctx, `UPDATE webhook_deliveries SET owner = ?, lease_until = ? WHERE id = ?`,
				owner, timeText(until), d.ID)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FinishWebhookDelivery records an attempt if d's lease is still held: the
// delivery is open and its owner and lease are d's (a new claim always
// moves the lease on), else store.ErrConflict.
func (db *DB) FinishWebhookDelivery(ctx context.Context, d store.WebhookDelivery, res store.WebhookResult) error {
	now := db.now()
	var deliveredAt, gaveUpAt, nextAttempt any // NULL / unchanged unless set below
	switch {
	case res.Delivered:
		deliveredAt = timeText(now)
	case res.RetryAt.IsZero():
		gaveUpAt = timeText(now)
	default:
		nextAttempt = timeText(micro(res.RetryAt))
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET
				attempts = attempts + 1, delivered_at = ?, gave_up_at = ?, next_attempt = coalesce(?, next_attempt),
				last_status = ?, last_error = ?, owner = NULL, lease_until = NULL
			WHERE id = ? AND owner = ? AND lease_until = ? AND delivered_at IS NULL AND gave_up_at IS NULL`,
			deliveredAt, gaveUpAt, nextAttempt, res.StatusCode, res.Error,
			d.ID, d.Owner, timeText(micro(d.LeaseUntil)))
		if err != nil {
			return err
		}
		n, err := r.RowsAffected()
		if err == nil && n == 0 {
			err = store.ErrConflict
		}
		return err
	})
}

// ListWebhookDeliveries returns a page of the log of one of the merchant's
// endpoints, oldest first; store.ErrNotFound when the endpoint is not the
// merchant's.
func (db *DB) ListWebhookDeliveries(ctx context.Context, merchantID, endpointID int64, opt store.ListOptions) ([]store.WebhookDelivery, error) {
	var out []store.WebhookDelivery
	err := db.read(ctx, func(tx *sql.Tx) error {
		var exists bool
		err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM webhook_endpoints WHERE merchant_id = ? AND id = ?)`,
			merchantID, endpointID).Scan(&exists)
		if err != nil {
			return err
		}
		if !exists {
			return store.ErrNotFound
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries
			WHERE merchant_id = ? AND endpoint_id = ? AND id > ? ORDER BY id LIMIT ?`,
			merchantID, endpointID, opt.AfterID, opt.Limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanDelivery(rows)
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	return out, err
}
