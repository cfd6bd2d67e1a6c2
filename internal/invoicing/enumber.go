package invoicing

import "fmt"

// E-documents are numbered apart from the invoice and credit note APIs: a
// merchant's e-invoices run EINV-000001, EINV-000002, ... whatever its
// invoices are numbered, so the two sequences never compete for a number.

// ESequence names kind k's e-document number sequence in the store
// ("e_invoice", "e_credit_note"), beside the invoice API's "invoice" and
// "credit_note".
func (k Kind) ESequence() string { return "e_" + string(k) }

// ENumberPrefix starts the e-document numbers the server assigns when a
// request has none.
func (k Kind) ENumberPrefix() string {
	if k == KindCreditNote {
		return "ECN-"
	}
	return "EINV-"
}

// ENumber writes the n-th number of kind k's e-document sequence.
func (k Kind) ENumber(n int64) string { return fmt.Sprintf("%s%06d", k.ENumberPrefix(), n) }
