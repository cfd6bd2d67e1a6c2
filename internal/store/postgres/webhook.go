package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
)

// queueStatusEvent queues on b, for the transaction of the change, one
// delivery per endpoint of the merchant of the event that doc moved from
// previous to its status. The body is built once, so every endpoint gets
// the same bytes.
func queueStatusEvent(b *pgx.Batch, merchantID int64, doc invoicing.EDocument, previous invoicing.EStatus, now time.Time) error {
	payload, err := store.EventPayload(doc, previous, now)
	if err != nil {
		return err
	}
	b.Queue(`INSERT INTO webhook_deliveries (endpoint_id, merchant_id, event_type, payload, created_at, next_attempt)
		SELECT id, merchant_id, $2, $3, $4, $4 FROM webhook_endpoints WHERE merchant_id = $1 ORDER BY id`,
		merchantID, store.EventEDocumentStatusChanged, string(payload), now)
	return nil
}

// CreateWebhookEndpoint stores an endpoint; an unknown merchant fails the
// foreign key: store.ErrNotFound.
func (db *DB) CreateWebhookEndpoint(ctx context.Context, merchantID int64, url, secret string) (store.WebhookEndpoint, error) {
	e := store.WebhookEndpoint{MerchantID: merchantID, URL: url, Secret: secret, CreatedAt: db.now()}
	err := db.pool.QueryRow(ctx, `INSERT INTO webhook_endpoints (merchant_id, url, secret, created_at)
		VALUES ($1, $2, $3, $4) RETURNING id`, e.MerchantID, e.URL, e.Secret, e.CreatedAt).Scan(&e.ID)
	if err != nil {
		return store.WebhookEndpoint{}, interpret(err)
	}
	return e, nil
}

// ListWebhookEndpoints returns the merchant's endpoints, oldest first.
func (db *DB) ListWebhookEndpoints(ctx context.Context, merchantID int64) ([]store.WebhookEndpoint, error) {
	rows, _ := db.pool.Query(ctx, `SELECT id, merchant_id, url, secret, created_at
		FROM webhook_endpoints WHERE merchant_id = $1 ORDER BY id`, merchantID)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.WebhookEndpoint, error) {
		var e store.WebhookEndpoint
		err := row.Scan(&e.ID, &e.MerchantID, &e.URL, &e.Secret, timeCol{&e.CreatedAt})
		return e, err
	})
	if err != nil {
		return nil, interpret(err)
	}
	return out, nil
}

// DeleteWebhookEndpoint deletes one of the merchant's endpoints and, by the
// foreign key's cascade, its deliveries: those still pending stop.
func (db *DB) DeleteWebhookEndpoint(ctx context.Context, merchantID, id int64) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM webhook_endpoints WHERE merchant_id = $1 AND id = $2`, merchantID, id)
	if err != nil {
		return interpret(err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

const deliveryColumns = `id, endpoint_id, merchant_id, event_type, payload::text, created_at, attempts, next_attempt,
	delivered_at IS NOT NULL, gave_up_at IS NOT NULL, last_status, last_error, coalesce(owner, ''), lease_until`

func scanDelivery(row pgx.CollectableRow) (store.WebhookDelivery, error) {
	var d store.WebhookDelivery
	var payload string
	err := row.Scan(&d.ID, &d.EndpointID, &d.MerchantID, &d.EventType, &payload, timeCol{&d.CreatedAt},
		&d.Attempts, timeCol{&d.NextAttempt}, &d.Delivered, &d.GaveUp, &d.LastStatus, &d.LastError,
		&d.Owner, timeCol{&d.LeaseUntil})
	d.Payload = []byte(payload)
	return d, err
}

// ClaimWebhookDeliveries leases up to limit due deliveries, oldest due
// first, FOR UPDATE SKIP LOCKED like ClaimTransmissions.
func (db *DB) ClaimWebhookDeliveries(ctx context.Context, owner string, lease time.Duration, limit int) ([]store.WebhookDelivery, error) {
	if lease <= 0 {
		return nil, fmt.Errorf("postgres: claim webhook deliveries: lease %v is not positive", lease)
	}
	if limit <= 0 {
		return nil, nil
	}
	now := db.now()
	until := now.Add(lease).Truncate(time.Microsecond)
	// due names its column apart, so RETURNING's names are unambiguous.
	rows, _ := db.pool.Query(ctx, `WITH due AS (
			SELECT id AS due_id FROM webhook_deliveries
			WHERE delivered_at IS NULL AND gave_up_at IS NULL AND next_attempt <= $1
				AND (lease_until IS NULL OR lease_until < $1)
			ORDER BY next_attempt, id LIMIT $2
			FOR UPDATE SKIP LOCKED)
		UPDATE webhook_deliveries SET owner = $3, lease_until = $4
		FROM due WHERE id = due_id
		RETURNING `+deliveryColumns, now, limit, owner, until)
	out, err := pgx.CollectRows(rows, scanDelivery)
	if err != nil {
		return nil, interpret(err)
	}
	// RETURNING keeps no order.
	slices.SortFunc(out, func(a, b store.WebhookDelivery) int {
		return cmp.Or(a.NextAttempt.Compare(b.NextAttempt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// FinishWebhookDelivery records an attempt if d's lease is still held: the
// delivery is open and its owner and lease are d's (a new claim always
// moves the lease on), else store.ErrConflict.
func (db *DB) FinishWebhookDelivery(ctx context.Context, d store.WebhookDelivery, res store.WebhookResult) error {
	now := db.now()
	var deliveredAt, gaveUpAt, nextAttempt time.Time // zero: NULL, or next_attempt unchanged
	switch {
	case res.Delivered:
		deliveredAt = now
	case res.RetryAt.IsZero():
		gaveUpAt = now
	default:
		nextAttempt = res.RetryAt
	}
	tag, err := db.pool.Exec(ctx, `UPDATE webhook_deliveries SET
			attempts = attempts + 1, delivered_at = $4, gave_up_at = $5, next_attempt = coalesce($6, next_attempt),
			last_status = $7, last_error = $8, owner = NULL, lease_until = NULL
		WHERE id = $1 AND owner = $2 AND lease_until = $3 AND delivered_at IS NULL AND gave_up_at IS NULL`,
		d.ID, d.Owner, d.LeaseUntil, timestamp(deliveredAt), timestamp(gaveUpAt), timestamp(nextAttempt),
		res.StatusCode, res.Error)
	if err != nil {
		return interpret(err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrConflict
	}
	return nil
}

// ListWebhookDeliveries returns a page of the log of one of the merchant's
// endpoints, oldest first; store.ErrNotFound when the endpoint is not the
// merchant's.
func (db *DB) ListWebhookDeliveries(ctx context.Context, merchantID, endpointID int64, opt store.ListOptions) ([]store.WebhookDelivery, error) {
	var out []store.WebhookDelivery
	err := db.inSnapshot(ctx, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM webhook_endpoints WHERE merchant_id = $1 AND id = $2`, merchantID, endpointID).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries
			WHERE merchant_id = $1 AND endpoint_id = $2 AND id > $3 ORDER BY id LIMIT $4`,
			merchantID, endpointID, opt.AfterID, opt.Limit)
		out, err = pgx.CollectRows(rows, scanDelivery)
		return err
	})
	if err != nil {
		return nil, interpret(err)
	}
	return out, nil
}
