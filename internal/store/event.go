// What the backends share about e-document status changes: the webhook
// event body, message ids, and the rules of which changes are allowed.

package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/vatgate/vatgate/internal/invoicing"
)

// EventEDocumentStatusChanged is the event type of every e-document status
// change, the only event webhooks carry so far.
const EventEDocumentStatusChanged = "e_document.status_changed"

// statusChangedEvent is the JSON body of EventEDocumentStatusChanged.
type statusChangedEvent struct {
	Type      string            `json:"type"`
	Timestamp string            `json:"timestamp"`
	Data      statusChangedData `json:"data"`
}

type statusChangedData struct {
	DocumentID     int64              `json:"document_id"`
	InvoiceNumber  string             `json:"invoice_number"`
	InvoiceType    invoicing.Kind     `json:"invoice_type"` // "invoice" or "credit_note"
	Type           string             `json:"type"`
	PreviousStatus *invoicing.EStatus `json:"previous_status"` // null for a new document
	DocumentStatus invoicing.EStatus  `json:"document_status"`
	Error          *string            `json:"error"` // the error or rejection reason, else null
}

// EventPayload is the webhook body announcing that doc (as it is after the
// change) moved from previous ("" for a document just stored) to doc.Status
// at at. Every backend builds it here, once per change, and stores the same
// bytes for every endpoint: the body is fixed when the event happens, not
// when it is delivered.
func EventPayload(doc invoicing.EDocument, previous invoicing.EStatus, at time.Time) ([]byte, error) {
	e := statusChangedEvent{
		Type:      EventEDocumentStatusChanged,
		Timestamp: at.UTC().Format(time.RFC3339),
		Data: statusChangedData{
			DocumentID:     doc.ID,
			InvoiceNumber:  doc.Number,
			InvoiceType:    doc.Kind,
			Type:           doc.Type(),
			DocumentStatus: doc.Status,
		},
	}
	if previous != "" {
		e.Data.PreviousStatus = &previous
	}
	if doc.ErrorReason != "" {
		e.Data.Error = &doc.ErrorReason
	}
	return json.Marshal(e)
}

// NewMessageID returns a fresh transmission message id, a random UUID
// (version 4, from crypto/rand). A document keeps its message id on every
// retry of the same content and gets a new one when error recovery replaces
// the content, so a receiver's answer always names the content it judged.
func NewMessageID() string { return uuid.NewString() }

// statusRank orders the statuses along the life of a document: a status
// change may only go up. The three final statuses share the top rank, so
// none of them ever replaces another.
func statusRank(s invoicing.EStatus) int {
	switch s {
	case invoicing.EStatusNew:
		return 0
	case invoicing.EStatusPending:
		return 1
	case invoicing.EStatusSent:
		return 2
	default: // delivered, rejected, error
		return 3
	}
}

// Advances reports whether a document may move from status from to status
// to: forward only (new -> pending -> sent -> delivered, rejected or error),
// never back, never from one final status to another.
func Advances(from, to invoicing.EStatus) bool { return statusRank(to) > statusRank(from) }

// KeptReason is the ErrorReason a document keeps on moving to status: the
// reason of an error or a rejection; any other status clears it.
func KeptReason(status invoicing.EStatus, reason string) string {
	if status == invoicing.EStatusError || status == invoicing.EStatusRejected {
		return reason
	}
	return ""
}

// ErrInvalidOutcome is wrapped by CheckOutcome's and CheckReceiptOutcome's
// refusals: an outcome no backend records.
var ErrInvalidOutcome = errors.New("store: invalid transmission outcome")

// IsRefusal reports whether err refuses one outcome of a batch
// (FinishTransmissions) on its own: a lost lease or an invalid outcome.
func IsRefusal(err error) bool {
	return errors.Is(err, ErrConflict) || errors.Is(err, ErrInvalidOutcome)
}

// CheckOutcome refuses an outcome no backend can record: a status a
// transmission attempt cannot end in, a retry without its time, or a
// receipt time on anything but sent.
func CheckOutcome(out Outcome) error {
	if !out.ReceiptAt.IsZero() && out.Status != invoicing.EStatusSent {
		return fmt.Errorf("%w: a receipt time goes with a sent outcome, not %q", ErrInvalidOutcome, out.Status)
	}
	switch out.Status {
	case invoicing.EStatusSent, invoicing.EStatusDelivered, invoicing.EStatusRejected, invoicing.EStatusError:
		return nil
	case invoicing.EStatusPending:
		if out.RetryAt.IsZero() {
			return fmt.Errorf("%w: a pending outcome needs RetryAt", ErrInvalidOutcome)
		}
		return nil
	}
	return fmt.Errorf("%w: %q is not the outcome of a transmission attempt", ErrInvalidOutcome, out.Status)
}

// CheckReceiptOutcome refuses, beyond CheckOutcome, what a receipt check
// cannot end in: an error (a receipt check never fails a document that was
// sent).
func CheckReceiptOutcome(out Outcome) error {
	if out.Status == invoicing.EStatusError {
		return fmt.Errorf("%w: a receipt check cannot put a sent document in error", ErrInvalidOutcome)
	}
	return nil
}

// CheckAnswer refuses a status that is not a receiver's (or an access
// point's) later answer about a transmitted document.
func CheckAnswer(status invoicing.EStatus) error {
	switch status {
	case invoicing.EStatusSent, invoicing.EStatusDelivered, invoicing.EStatusRejected:
		return nil
	}
	return fmt.Errorf("store: %q is not an answer about a transmitted document", status)
}
