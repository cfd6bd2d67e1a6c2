package store

import (
	"context"
	"time"

	"github.com/vatgate/vatgate/internal/invoicing"
)

// EDocumentResult is the outcome of one e-document of a bulk upload.
type EDocumentResult struct {
	Document invoicing.EDocument
	// Updated: a document with this number was in error status; it was
	// replaced by this one (same id, status new, reason cleared, a new
	// message id) and queued again (document 004's error recovery).
	Updated bool
	// Err is a *invoicing.ValidationError: the number belongs to a document
	// that is not in error status (rule unique).
	Err error
}

// EDocumentListOptions select one page of e-documents, oldest first.
type EDocumentListOptions struct {
	Status  invoicing.EStatus // "": any
	AfterID int64
	Limit   int
}

// Transmission is one claimed unit of pipeline work: convert, check and
// send one e-document. The claim is a lease: another worker (on this or
// another instance) may take the work over once LeaseUntil has passed, and
// every write about it names the lease so a worker that lost it cannot
// overwrite the new owner's progress.
type Transmission struct {
	JobID      int64
	Document   invoicing.EDocument
	MerchantID int64
	Attempt    int // 1 on the first try
	Owner      string
	LeaseUntil time.Time
}

// Outcome is what a worker learned from one attempt.
type Outcome struct {
	// Status: EStatusSent (the access point accepted it), EStatusDelivered /
	// EStatusRejected (a transport that answers at once), EStatusError (a
	// permanent failure), or EStatusPending with RetryAt set (a transient
	// failure: try again then).
	Status  invoicing.EStatus
	Reason  string    // the error or rejection reason
	RetryAt time.Time // with EStatusPending
	UBL     []byte    // the document as converted (kept once converted)
}

// WebhookEndpoint is a URL of a merchant's to which every status change of
// its e-documents is POSTed, signed with Secret (a Standard Webhooks
// "whsec_" secret).
type WebhookEndpoint struct {
	ID         int64
	MerchantID int64
	URL        string
	Secret     string
	CreatedAt  time.Time
}

// WebhookDelivery is one event for one endpoint, with its delivery state.
type WebhookDelivery struct {
	ID          int64 // also the Standard Webhooks "webhook-id" (as "msg_<id>")
	EndpointID  int64
	MerchantID  int64
	EventType   string // e.g. "e_document.status_changed"
	Payload     []byte // the JSON body, fixed when the event happened
	CreatedAt   time.Time
	Attempts    int
	NextAttempt time.Time
	Delivered   bool
	GaveUp      bool
	LastStatus  int    // HTTP status of the last attempt, 0 if none answered
	LastError   string // why the last attempt failed
	Owner       string // lease holder while being delivered
	LeaseUntil  time.Time
}

// WebhookResult is what a deliverer learned from one attempt.
type WebhookResult struct {
	Delivered  bool
	StatusCode int
	Error      string
	RetryAt    time.Time // zero with !Delivered: give up (past the retry window)
}

// EDocumentStore is the part of the store behind the e-document APIs, the
// transmission pipeline and webhooks. Status changes and the webhook events
// they cause are written in one transaction, like a document and its
// transmission job: nothing is acknowledged that is not durably queued.
type EDocumentStore interface {
	// CreateEDocuments stores valid e-documents (status new) and queues the
	// transmission of each in the same transaction; a document without a
	// number gets the next of its merchant's gapless sequence for
	// e-invoices or e-credit notes. See EDocumentResult for recovery.
	CreateEDocuments(ctx context.Context, merchantID int64, docs []invoicing.EDocument) ([]EDocumentResult, error)
	GetEDocument(ctx context.Context, merchantID, id int64) (invoicing.EDocument, error)
	// EDocumentUBL is the UBL as transmitted; ErrNotFound before conversion.
	EDocumentUBL(ctx context.Context, merchantID, id int64) ([]byte, error)
	ListEDocuments(ctx context.Context, merchantID int64, opt EDocumentListOptions) ([]invoicing.EDocument, error)

	// ClaimTransmissions leases up to limit due jobs to owner for lease and
	// moves their documents to pending. Jobs whose lease expired (a worker
	// died) are claimable again: after a restart nothing stays pending.
	ClaimTransmissions(ctx context.Context, owner string, lease time.Duration, limit int) ([]Transmission, error)
	// FinishTransmission records an attempt's outcome if t's lease is still
	// held (ErrConflict otherwise) and queues the webhook events.
	FinishTransmission(ctx context.Context, t Transmission, out Outcome) error
	// SetStatusByMessageID applies a receiver's answer (delivered or
	// rejected, with a reason) that arrives later, by message id;
	// ErrNotFound when no document has it. Idempotent.
	SetStatusByMessageID(ctx context.Context, messageID string, status invoicing.EStatus, reason string) error
	// PendingTransmissions counts queued jobs (for metrics and tests).
	PendingTransmissions(ctx context.Context) (int, error)

	CreateWebhookEndpoint(ctx context.Context, merchantID int64, url, secret string) (WebhookEndpoint, error)
	ListWebhookEndpoints(ctx context.Context, merchantID int64) ([]WebhookEndpoint, error)
	DeleteWebhookEndpoint(ctx context.Context, merchantID, id int64) error
	// ClaimWebhookDeliveries leases due deliveries, like ClaimTransmissions.
	ClaimWebhookDeliveries(ctx context.Context, owner string, lease time.Duration, limit int) ([]WebhookDelivery, error)
	// FinishWebhookDelivery records an attempt if the lease is still held.
	FinishWebhookDelivery(ctx context.Context, d WebhookDelivery, res WebhookResult) error
	// ListWebhookDeliveries is an endpoint's delivery log, oldest first.
	ListWebhookDeliveries(ctx context.Context, merchantID, endpointID int64, opt ListOptions) ([]WebhookDelivery, error)
}
