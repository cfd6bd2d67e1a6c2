// Package transport owns what every Peppol transport shares: the message
// handed to an access point, the result it answers with, the two kinds of
// failure (transient: try again; permanent: the document ends in error) and
// the retry policy with its backoff.
//
// Two transports implement Transport: package sandbox, a simulated Peppol
// network for development and tests, and package accesspoint, which hands
// documents to a real access point over HTTPS. The worker that drives them
// declares the interface it needs; Transport is here so both implementations
// can be checked against one definition.
package transport

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"strings"
	"time"
)

// Peppol BIS Billing 3.0 identifiers (Peppol code lists, document types and
// processes). The document type id is "<root namespace>::<root element>##<customization id>::<UBL version>".
const (
	DocTypeInvoice    = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1"
	DocTypeCreditNote = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1"
	ProcessBilling    = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
)

// Statuses a Result carries; they are the e-document statuses of the same
// names (invoicing.EStatusSent, ...).
const (
	StatusSent      = "sent"      // accepted by the access point; the receiver has not answered
	StatusDelivered = "delivered" // the receiver has it
	StatusRejected  = "rejected"  // the receiver refused it (Result.Reason says why)
)

// Participant is a Peppol participant id: an ISO 6523 ICD scheme ("0192")
// and the identifier within it ("123456789"). Parsing and resolving the
// forms users type is the peppol package's job; transports take it parsed.
type Participant struct {
	Scheme, ID string
}

// String is the "scheme:id" form the Peppol network routes on.
func (p Participant) String() string { return p.Scheme + ":" + p.ID }

// IsZero reports whether p is unset.
func (p Participant) IsZero() bool { return p.Scheme == "" && p.ID == "" }

// Message is one document to transmit.
type Message struct {
	// MessageID is ours, chosen once per transmission and reused on every
	// retry, so the access point (and the receiver) can drop duplicates.
	// It becomes the SBDH InstanceIdentifier and the Idempotency-Key.
	MessageID        string
	Sender, Receiver Participant
	// SenderCountry is the sender's (Peppol corner 1's) ISO 3166-1 alpha-2
	// country, for the SBDH COUNTRY_C1 scope; "" when not known.
	SenderCountry string
	DocumentType  string // DocTypeInvoice or DocTypeCreditNote
	Process       string // ProcessBilling
	UBL           []byte
	// CreatedAt is when the message was first built (zero: now). Keep it
	// across retries so that every retry sends the same bytes: an access
	// point that stores idempotency keys may refuse a key reused with a
	// different body.
	CreatedAt time.Time
}

// Validate checks what a transport needs before it can send m: ids set, a
// document type it can parse, and a UBL document whose root element is the
// one the document type names. Its errors are *PermanentError: resending the
// same message cannot fix them.
func (m Message) Validate() error {
	switch {
	case strings.TrimSpace(m.MessageID) == "":
		return Permanent("message has no message id")
	case m.Sender.Scheme == "" || m.Sender.ID == "":
		return Permanent("message has no sender participant id")
	case m.Receiver.Scheme == "" || m.Receiver.ID == "":
		return Permanent("message has no receiver participant id")
	case m.Process == "":
		return Permanent("message has no process id")
	case len(bytes.TrimSpace(m.UBL)) == 0:
		return Permanent("message has no document")
	}
	ns, local, ok := DocumentRoot(m.DocumentType)
	if !ok {
		return Permanent(fmt.Sprintf("document type id %q is not of the form namespace::element##customization::version", m.DocumentType))
	}
	root, err := rootElement(m.UBL)
	if err != nil {
		return Permanent("document is not XML: " + err.Error())
	}
	if root.Space != ns || root.Local != local {
		return Permanent(fmt.Sprintf("document root is {%s}%s, document type %q wants {%s}%s", root.Space, root.Local, m.DocumentType, ns, local))
	}
	return nil
}

// DocumentRoot splits a Peppol document type id into the namespace and
// local name of the document's root element:
// "urn:...:Invoice-2::Invoice##..." -> "urn:...:Invoice-2", "Invoice".
func DocumentRoot(docType string) (namespace, local string, ok bool) {
	root, _, found := strings.Cut(docType, "##")
	if !found {
		return "", "", false
	}
	i := strings.LastIndex(root, "::")
	if i <= 0 || i+2 == len(root) {
		return "", "", false
	}
	return root[:i], root[i+2:], true
}

func rootElement(doc []byte) (xml.Name, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := d.Token()
		if err != nil {
			return xml.Name{}, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name, nil
		}
	}
}

// Result is a transport's answer about one message.
type Result struct {
	Status      string // StatusSent, StatusDelivered or StatusRejected
	Reason      string // with StatusRejected: the receiver's reason
	APMessageID string // the access point's id for the message, when it gives one
	// ReceiptAfter: when to ask Receipt for the receiver's answer. 0 means
	// do not ask: the answer is final, or it arrives by callback, or (a
	// "sent" answer from Receipt) none will come.
	ReceiptAfter time.Duration
}

// Transport moves messages onto the Peppol network.
type Transport interface {
	// Name is the configuration name ("sandbox", "http").
	Name() string
	// Send transmits m once. A retry of the same document must carry the
	// same MessageID. Errors are *TransientError or *PermanentError.
	Send(ctx context.Context, m Message) (Result, error)
	// Receipt asks for the receiver's answer to a message sent earlier, by
	// the Result's APMessageID (preferred: a transport may be able to answer
	// from it alone, after a restart) or by our MessageID. Status "sent"
	// means no answer yet; ask again after ReceiptAfter if it is not 0. An
	// error never changes the document: a transient one means ask later, a
	// permanent one means stop asking (the answer can only come by callback).
	Receipt(ctx context.Context, messageID string) (Result, error)
}
