package invoicing

import (
	"fmt"
	"time"

	"cloud.google.com/go/civil"
	"github.com/vatgate/vatgate/internal/money"
)

// EStatus is where an e-document is in its life: new (stored) -> pending
// (being converted, validated, transmitted) -> sent (accepted by the Peppol
// access point) -> delivered or rejected (answer from the receiver); error
// when conversion, validation, participant lookup or transmission fails for
// good, with the reason kept.
type EStatus string

const (
	EStatusNew       EStatus = "new"
	EStatusPending   EStatus = "pending"
	EStatusSent      EStatus = "sent"
	EStatusDelivered EStatus = "delivered"
	EStatusRejected  EStatus = "rejected"
	EStatusError     EStatus = "error"
)

// EStatuses lists every status, for validating filters.
var EStatuses = []EStatus{EStatusNew, EStatusPending, EStatusSent, EStatusDelivered, EStatusRejected, EStatusError}

// Final reports whether no further change is expected without a new request.
func (s EStatus) Final() bool {
	return s == EStatusDelivered || s == EStatusRejected || s == EStatusError
}

// E-document subtypes (the status API's "type").
const (
	ETypeVATInvoice      = "vat_invoice"
	ETypeSalesTaxInvoice = "sales_tax_invoice"
	ETypeCreditNote      = "credit-note"
)

// Party is the supplier or the customer of an e-document (document 004).
type Party struct {
	Name       string
	Street     string
	City       string
	PostalCode string
	PeppolID   string // as given: "0192:123", "iso6523-actorid-upis::0192:123" or bare "DE123456789"
	TaxNumber  string
	Country    string // ISO 3166-1 alpha-3, "" when not given
}

// EDocument is an e-invoice or e-credit note: stored as given, turned into a
// Peppol BIS Billing 3.0 UBL document and transmitted by the pipeline.
// Unlike the invoice API, its amounts must add up under EN 16931.
type EDocument struct {
	ID                 int64
	Kind               Kind // KindInvoice or KindCreditNote
	Number             string
	CreatedDate        civil.Date // the issue date
	DueDate            civil.Date // zero: none
	Currency           string
	RecipientReference string
	Customer           Party
	Supplier           Party
	LineItems          []LineItem
	Subtotal           money.Decimal
	Tax                money.Decimal
	Total              money.Decimal
	TaxRate            money.Decimal // percent

	Status      EStatus
	ErrorReason string // why the document is in error, or why the receiver rejected it
	MessageID   string // the transmission's message id, reused on every retry
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Type is the status API's subtype: US sales tax when the supplier or the
// customer is in the USA (contract README), else VAT; credit notes are
// "credit-note".
func (d EDocument) Type() string {
	switch {
	case d.Kind == KindCreditNote:
		return ETypeCreditNote
	case d.Supplier.Country == "USA" || d.Customer.Country == "USA":
		return ETypeSalesTaxInvoice
	default:
		return ETypeVATInvoice
	}
}

// HasDueDate reports whether a due date is set.
func (d EDocument) HasDueDate() bool { return d.DueDate != (civil.Date{}) }

// LineNet is a line's net amount, quantity x unit price rounded to the cent
// (half away from zero), as EN 16931 carries it (BT-131, two decimals).
func LineNet(li LineItem) money.Decimal {
	return li.Quantity.Mul(li.UnitPrice).Round(2)
}

// Sums are the amounts an e-document's lines and rate imply.
type Sums struct {
	Subtotal    money.Decimal // Σ line nets (BR-CO-10)
	TaxableBase money.Decimal // Σ nets of taxable lines
	ExemptBase  money.Decimal // Σ nets of non-taxable lines
	Tax         money.Decimal // taxable base x rate, to the cent (BR-S-09)
	Total       money.Decimal // subtotal + tax (BR-CO-15)
}

// ComputeSums derives the amounts from the lines and the rate.
func ComputeSums(lines []LineItem, ratePercent money.Decimal) Sums {
	var s Sums
	for _, li := range lines {
		net := LineNet(li)
		s.Subtotal = s.Subtotal.Add(net)
		if li.Taxable {
			s.TaxableBase = s.TaxableBase.Add(net)
		} else {
			s.ExemptBase = s.ExemptBase.Add(net)
		}
	}
	s.Tax = s.TaxableBase.Mul(ratePercent).Div(money.MustParse("100")).Round(2)
	s.Total = s.Subtotal.Add(s.Tax)
	return s
}

// EDocumentInput is an e-document as a request gives it (nil: not given).
type EDocumentInput struct {
	Number             *string
	CreatedDate        *string
	DueDate            *string
	Currency           *string
	RecipientReference *string
	Customer           PartyInput
	Supplier           PartyInput
	LineItems          *[]LineItemInput
	Subtotal           *money.Decimal
	Tax                *money.Decimal
	Total              *money.Decimal
	TaxRate            *money.Decimal
}

// PartyInput is a party as a request gives it.
type PartyInput struct {
	Name, Street, City, PostalCode, PeppolID, TaxNumber, Country *string
}

// NewEDocument builds an e-document of kind k from a request: every rule of
// document 004's tables, then the EN 16931 arithmetic, which is refused with
// the figures that disagree.
func NewEDocument(k Kind, in EDocumentInput) (EDocument, *ValidationError) {
	d := EDocument{Kind: k, Currency: DefaultCurrency, Status: EStatusNew}
	var p problems
	if in.Number != nil {
		d.Number = *in.Number
		checkMaxLen(&p, k.NumberField(), d.Number, 255)
	}
	created := ""
	if in.CreatedDate != nil {
		created = *in.CreatedDate
	}
	if date, ok := parseDate(&p, "created_date", created); ok {
		d.CreatedDate = date
	}
	if in.DueDate != nil && *in.DueDate != "" {
		if date, ok := parseDate(&p, "due_date", *in.DueDate); ok {
			d.DueDate = date
			if d.DueDate.Before(d.CreatedDate) {
				p.add("due_date", RuleRange, "must not be before created_date (%s < %s)", d.DueDate, d.CreatedDate)
			}
		}
	}
	if in.Currency != nil && *in.Currency != "" {
		d.Currency = normCurrency(&p, "currency", *in.Currency)
	}
	setMax(&p, "recipient_reference", in.RecipientReference, &d.RecipientReference, 255)
	d.Customer = in.Customer.party(&p, "customer")
	d.Supplier = in.Supplier.party(&p, "supplier")
	if in.LineItems == nil {
		p.add("line_items", RuleRequired, "is required (at least one item)")
	} else {
		d.LineItems = applyLineItems(&p, *in.LineItems)
	}
	d.Subtotal = requiredAmount(&p, "subtotal", in.Subtotal)
	d.Tax = requiredAmount(&p, "tax", in.Tax)
	d.Total = requiredAmount(&p, "total", in.Total)
	if in.TaxRate == nil {
		p.add("tax_rate", RuleRequired, "is required (a percentage from 0 to 100)")
	} else {
		d.TaxRate = *in.TaxRate
		if d.TaxRate.IsNegative() || d.TaxRate.GreaterThan(money.MustParse("100")) || money.Places(d.TaxRate) > 2 {
			p.add("tax_rate", RuleRange, "must be a percentage from 0 to 100 with at most 2 decimal places (got %s)", d.TaxRate.String())
		}
	}
	if len(p) == 0 {
		checkArithmetic(&p, d)
	}
	return d, p.err()
}

// party reads one party; prefix is "customer" or "supplier", which is also
// the name field's JSON name.
func (in PartyInput) party(p *problems, prefix string) Party {
	var out Party
	req := func(field string, v *string, dst *string, max int) {
		s := ""
		if v != nil {
			s = *v
		}
		*dst = s
		checkRequiredString(p, field, s, max)
	}
	req(prefix, in.Name, &out.Name, 255)
	req(prefix+"_street", in.Street, &out.Street, 255)
	req(prefix+"_city", in.City, &out.City, 255)
	req(prefix+"_postal_code", in.PostalCode, &out.PostalCode, 12)
	req(prefix+"_peppol_id", in.PeppolID, &out.PeppolID, 255)
	setMax(p, prefix+"_tax_number", in.TaxNumber, &out.TaxNumber, 25)
	if in.Country != nil {
		out.Country = normCountry(p, prefix+"_country", *in.Country)
	}
	return out
}

func requiredAmount(p *problems, field string, v *money.Decimal) money.Decimal {
	if v == nil {
		p.add(field, RuleRequired, "is required (a decimal with at most 2 places)")
		return money.Zero
	}
	checkAmount(p, field, *v)
	return *v
}

// RuleArithmetic names the EN 16931 sums an e-document must satisfy.
const RuleArithmetic = "arithmetic"

// checkArithmetic refuses amounts that do not add up under EN 16931, naming
// the figures that disagree and the business rule.
func checkArithmetic(p *problems, d EDocument) {
	s := ComputeSums(d.LineItems, d.TaxRate)
	if !s.Subtotal.Equal(d.Subtotal) {
		p.add("subtotal", RuleArithmetic, "is %s but the line items add up to %s (Σ quantity × unit_price per line, each rounded to the cent; EN 16931 BR-CO-10)",
			money.Fixed2(d.Subtotal), money.Fixed2(s.Subtotal))
	}
	if !s.Tax.Equal(d.Tax) {
		p.add("tax", RuleArithmetic, "is %s but %s%% of the taxable lines' %s is %s (EN 16931 BR-S-09)",
			money.Fixed2(d.Tax), d.TaxRate.String(), money.Fixed2(s.TaxableBase), money.Fixed2(s.Tax))
	}
	if want := d.Subtotal.Add(d.Tax); !want.Equal(d.Total) {
		p.add("total", RuleArithmetic, "is %s but subtotal %s + tax %s is %s (EN 16931 BR-CO-15)",
			money.Fixed2(d.Total), money.Fixed2(d.Subtotal), money.Fixed2(d.Tax), money.Fixed2(want))
	}
}

// ErrorRecoveryMessage is the "updated" result's message (document 004).
func ErrorRecoveryMessage(k Kind, number string) string {
	return fmt.Sprintf("%s %s was in error status and has been updated and queued for sending again", eLabel(k), number)
}

func eLabel(k Kind) string {
	if k == KindCreditNote {
		return "E-credit note"
	}
	return "E-invoice"
}
