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
	// message id, the access point's id of the old message forgotten) and
	// queued again (document 004's error recovery).
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

// Transmission is one claimed unit of pipeline work on one e-document:
// convert, check and send it, or (Receipt) ask the transport for the
// receiver's answer to a document already sent. The claim is a lease:
// another worker (on this or another instance) may take the work over once
// LeaseUntil has passed, and every write about it names the lease so a
// worker that lost it cannot overwrite the new owner's progress.
type Transmission struct {
	JobID int64
	// Document is the document as the claim left it. For a send it is
	// pending, and its UpdatedAt is the time of the first attempt at its
	// current message id (the claim that moved it from new to pending;
	// retries and takeovers leave it alone): the start of the retry window.
	// For a receipt check it is sent, and UpdatedAt is when it became so.
	Document   invoicing.EDocument
	MerchantID int64
	Attempt    int // 1 on the first try; receipt checks go on counting
	Owner      string
	LeaseUntil time.Time
	// Receipt: the document was sent and the transport asked to be asked
	// later for the receiver's answer (Outcome.ReceiptAt). The claim left
	// the document's status alone.
	Receipt bool
	// APMessageID is the access point's id for the message, once an
	// outcome recorded one ("" before, and when the access point gave none).
	APMessageID string
}

// Outcome is what a worker learned from one attempt.
//
// After a send: EStatusSent (the access point accepted it), EStatusDelivered
// / EStatusRejected (a transport that answers at once), EStatusError (a
// permanent failure, Reason says why; the documented error recovery resends
// it), or EStatusPending with RetryAt (a transient failure: try again then;
// the document stays pending). EStatusSent with ReceiptAt keeps the job open
// as a receipt check due at ReceiptAt; without, the job ends and the
// receiver's answer can only come through SetStatusByMessageID.
//
// After a receipt check (Transmission.Receipt), which never moves the
// document back nor puts it in error: EStatusDelivered / EStatusRejected
// (the answer), EStatusSent with ReceiptAt (no answer yet: ask again then),
// EStatusSent without ReceiptAt (stop asking; the document stays sent), or
// EStatusPending with RetryAt (the transport could not answer: ask again
// then). EStatusError is refused.
//
// The document's ErrorReason holds Reason when the status is error or
// rejected (the error or the rejection reason), and is cleared otherwise.
type Outcome struct {
	Status  invoicing.EStatus
	Reason  string    // the error or rejection reason; with EStatusPending, the transient failure (kept on the job only)
	RetryAt time.Time // with EStatusPending
	UBL     []byte    // the document as converted (kept once converted)
	// APMessageID is the access point's id for the message, when it gave
	// one; kept on the document, and SetStatusByMessageID finds it by it.
	APMessageID string
	// ReceiptAt, with EStatusSent only: when to ask the transport for the
	// receiver's answer (transport.Result.ReceiptAfter from now).
	ReceiptAt time.Time
}

// Finish is one outcome of a batch for FinishTransmissions.
type Finish struct {
	Transmission Transmission
	Outcome      Outcome
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

	// ClaimTransmissions leases up to limit due jobs (oldest due first) to
	// owner for lease, and moves the documents of send jobs from new to
	// pending; receipt checks leave their documents' status alone. Jobs
	// whose lease expired (a worker died) are claimable again, with the next
	// attempt: after a restart nothing stays pending.
	ClaimTransmissions(ctx context.Context, owner string, lease time.Duration, limit int) ([]Transmission, error)
	// FinishTransmission records an attempt's outcome (see Outcome) if t's
	// lease is still held (ErrConflict otherwise: the lease expired and
	// another worker took the job, or an answer by message id ended it) and
	// queues the webhook events. A job ends with a final status, or with
	// sent and no ReceiptAt; a transient failure or a ReceiptAt keeps it,
	// unleased, due at RetryAt or ReceiptAt.
	FinishTransmission(ctx context.Context, t Transmission, out Outcome) error
	// FinishTransmissions records several outcomes in one transaction (one
	// commit for a worker's batch), each as FinishTransmission would. errs[i]
	// is the i-th outcome's refusal (ErrConflict, or an invalid outcome:
	// IsRefusal), which leaves the others recorded; err is a failure of the
	// whole, which records none.
	FinishTransmissions(ctx context.Context, fs []Finish) (errs []error, err error)
	// SetStatusByMessageID applies a receiver's answer (sent, delivered, or
	// rejected with a reason kept as the document's ErrorReason) that
	// arrives later, by message id: ours, or else the access point's
	// (Outcome.APMessageID). ErrNotFound when no document has it; ErrConflict
	// when the answer would move the document back or from one final status
	// to another, or when two documents carry that access point id. The
	// same answer again changes nothing. A status change ends the
	// transmission: a job still queued (a retry, a receipt check, or an
	// attempt in flight, whose finish then conflicts) is removed.
	SetStatusByMessageID(ctx context.Context, messageID string, status invoicing.EStatus, reason string) error
	// PendingTransmissions counts queued jobs, receipt checks included (for
	// metrics and tests).
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
