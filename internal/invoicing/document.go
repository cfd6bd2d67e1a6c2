package invoicing

import (
	"fmt"
	"time"

	"cloud.google.com/go/civil"
	"github.com/vatgate/vatgate/internal/money"
)

// Kind tells an invoice from a credit note. Both share one shape (documents
// 001 and 002 differ only in field names and in whether due_date is required).
type Kind string

const (
	KindInvoice    Kind = "invoice"
	KindCreditNote Kind = "credit_note"
)

// NumberField, DateField, IDField and Label are the kind's words in the API.
func (k Kind) NumberField() string { return string(k) + "_number" }
func (k Kind) DateField() string   { return string(k) + "_date" }
func (k Kind) IDField() string     { return string(k) + "_id" }
func (k Kind) Label() string {
	if k == KindCreditNote {
		return "Credit note"
	}
	return "Invoice"
}

// NumberPrefix starts the numbers the server assigns when a request has none.
func (k Kind) NumberPrefix() string {
	if k == KindCreditNote {
		return "CN-"
	}
	return "INV-"
}

// FormatNumber writes the n-th number of the kind's gapless sequence.
func (k Kind) FormatNumber(n int64) string { return fmt.Sprintf("%s%06d", k.NumberPrefix(), n) }

// Document statuses (documents 001 and 002).
var Statuses = []string{"draft", "pending", "sent", "paid"}

// DefaultCurrency is used when a request gives none.
const DefaultCurrency = "EUR"

// Document is an invoice or a credit note. Amounts are stored as given: the
// invoice and credit note APIs check their form, not their arithmetic (the
// documents' own examples do not add up; see the contract README).
type Document struct {
	ID                  int64
	Kind                Kind
	Number              string
	CustomerID          int64 // 0: not linked to a stored customer
	CustomerName        string
	CustomerEmail       string
	CustomerCountry     string
	CustomerTaxNumber   string
	CustomerAddress     string
	Date                civil.Date
	DueDate             civil.Date // zero: none
	Currency            string
	Status              string
	TaxRate             *money.Decimal // percent, nil: not given
	LineItems           []LineItem
	Subtotal            money.Decimal
	TotalTax            money.Decimal
	Total               money.Decimal
	TotalDiscount       money.Decimal
	SupplierTaxNumber   string
	SupplierCountry     string
	SupplierCompanyName string
	SupplierAddress     string
	SupplierEmail       string
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// HasDueDate reports whether a due date is set.
func (d Document) HasDueDate() bool { return d.DueDate != (civil.Date{}) }

// LineItem is one line of a document.
type LineItem struct {
	Description string
	Quantity    money.Decimal
	UnitPrice   money.Decimal
	Taxable     bool
}

// DocumentInput is an invoice or credit note as a request gives it: nil
// means not given. Dates arrive as text so their format is checked here.
type DocumentInput struct {
	Number              *string
	CustomerID          *int64
	CustomerName        *string
	CustomerEmail       *string
	CustomerCountry     *string
	CustomerTaxNumber   *string
	CustomerAddress     *string
	Date                *string
	DueDate             *string // "" clears (invoices only)
	Currency            *string
	Status              *string
	TaxRate             *money.Decimal
	LineItems           *[]LineItemInput // replaces all lines when given
	Subtotal            *money.Decimal
	TotalTax            *money.Decimal
	Total               *money.Decimal
	TotalDiscount       *money.Decimal
	SupplierTaxNumber   *string
	SupplierCountry     *string
	SupplierCompanyName *string
	SupplierAddress     *string
	SupplierEmail       *string
}

// LineItemInput is a line as a request gives it. Taxable defaults to true.
type LineItemInput struct {
	Description *string
	Quantity    *money.Decimal
	UnitPrice   *money.Decimal
	Taxable     *bool
}

// NewDocument builds a document of kind k for the bulk upload: defaults
// applied, every rule of document 001 or 002 checked. Required fields that
// are absent are reported as such.
func NewDocument(k Kind, in DocumentInput) (Document, *ValidationError) {
	d := Document{Kind: k, Currency: DefaultCurrency}
	var p problems
	empty := ""
	if in.CustomerName == nil {
		in.CustomerName = &empty
	}
	if in.Date == nil {
		in.Date = &empty
	}
	if in.Status == nil {
		p.add("status", RuleRequired, "is required (one of %s)", quoteList(Statuses))
	}
	if in.LineItems == nil {
		p.add("line_items", RuleRequired, "is required (at least one item)")
	}
	if k == KindCreditNote && in.DueDate == nil {
		p.add("due_date", RuleRequired, "is required (a date as YYYY-MM-DD)")
	}
	for _, a := range []struct {
		field string
		v     *money.Decimal
	}{{"subtotal", in.Subtotal}, {"total_tax", in.TotalTax}, {"total", in.Total}, {"total_discount_amount", in.TotalDiscount}} {
		if a.v == nil {
			p.add(a.field, RuleRequired, "is required (a decimal with at most 2 places)")
		}
	}
	in.apply(&p, &d)
	return d, p.err()
}

// Apply changes d by the given fields only, checking each; line items, when
// given, replace the whole list. d is left unchanged when refused.
func (in DocumentInput) Apply(d *Document) *ValidationError {
	next := *d
	var p problems
	in.apply(&p, &next)
	if err := p.err(); err != nil {
		return err
	}
	*d = next
	return nil
}

func (in DocumentInput) apply(p *problems, d *Document) {
	k := d.Kind
	if in.Number != nil {
		d.Number = *in.Number
		checkMaxLen(p, k.NumberField(), d.Number, 255)
	}
	if in.CustomerID != nil {
		d.CustomerID = *in.CustomerID
		if d.CustomerID <= 0 {
			p.add("customer_id", RulePositive, "must be a positive customer id (got %d)", d.CustomerID)
		}
	}
	if in.CustomerName != nil {
		d.CustomerName = *in.CustomerName
		checkRequiredString(p, "customer_name", d.CustomerName, 255)
	}
	if in.CustomerEmail != nil {
		d.CustomerEmail = *in.CustomerEmail
		checkEmail(p, "customer_email", d.CustomerEmail)
	}
	if in.CustomerCountry != nil {
		d.CustomerCountry = normCountry(p, "customer_country", *in.CustomerCountry)
	}
	setMax(p, "customer_tax_number", in.CustomerTaxNumber, &d.CustomerTaxNumber, 25)
	setMax(p, "customer_address", in.CustomerAddress, &d.CustomerAddress, 255)
	if in.Date != nil {
		if date, ok := parseDate(p, k.DateField(), *in.Date); ok {
			d.Date = date
		}
	}
	if in.DueDate != nil {
		if *in.DueDate == "" && k == KindInvoice {
			d.DueDate = civil.Date{} // optional on invoices: "" clears it
		} else if date, ok := parseDate(p, "due_date", *in.DueDate); ok {
			d.DueDate = date
		}
	}
	if in.Currency != nil {
		d.Currency = DefaultCurrency
		if *in.Currency != "" {
			d.Currency = normCurrency(p, "currency", *in.Currency)
		}
	}
	if in.Status != nil {
		d.Status = *in.Status
		if d.Status == "" {
			p.add("status", RuleRequired, "is required (one of %s)", quoteList(Statuses))
		} else {
			checkEnum(p, "status", d.Status, Statuses...)
		}
	}
	if in.TaxRate != nil {
		r := *in.TaxRate
		d.TaxRate = &r
		if r.IsNegative() || r.GreaterThan(money.MustParse("100")) || money.Places(r) > 2 {
			p.add("tax_rate", RuleRange, "must be a percentage from 0 to 100 with at most 2 decimal places (got %s)", r.String())
		}
	}
	if in.LineItems != nil {
		d.LineItems = applyLineItems(p, *in.LineItems)
	}
	setAmount(p, "subtotal", in.Subtotal, &d.Subtotal)
	setAmount(p, "total_tax", in.TotalTax, &d.TotalTax)
	setAmount(p, "total", in.Total, &d.Total)
	setAmount(p, "total_discount_amount", in.TotalDiscount, &d.TotalDiscount)
	setMax(p, "supplier_tax_number", in.SupplierTaxNumber, &d.SupplierTaxNumber, 25)
	if in.SupplierCountry != nil {
		d.SupplierCountry = normCountry(p, "supplier_country", *in.SupplierCountry)
	}
	setMax(p, "supplier_company_name", in.SupplierCompanyName, &d.SupplierCompanyName, 255)
	setMax(p, "supplier_address", in.SupplierAddress, &d.SupplierAddress, 255)
	if in.SupplierEmail != nil {
		d.SupplierEmail = *in.SupplierEmail
		checkEmail(p, "supplier_email", d.SupplierEmail)
	}
}

func setAmount(p *problems, field string, in *money.Decimal, dst *money.Decimal) {
	if in == nil {
		return
	}
	*dst = *in
	checkAmount(p, field, *dst)
}

// MaxLineItems bounds one document's lines, so a single record cannot make a
// request unboundedly expensive.
const MaxLineItems = 1000

func applyLineItems(p *problems, in []LineItemInput) []LineItem {
	if len(in) == 0 {
		p.add("line_items", RuleMinItems, "must contain at least one item")
		return nil
	}
	if len(in) > MaxLineItems {
		p.add("line_items", RuleRange, "must contain at most %d items (got %d)", MaxLineItems, len(in))
		return nil
	}
	out := make([]LineItem, len(in))
	for i, li := range in {
		f := func(name string) string { return fmt.Sprintf("line_items[%d].%s", i, name) }
		item := LineItem{Taxable: true}
		if li.Description == nil {
			p.add(f("description"), RuleRequired, "is required")
		} else {
			item.Description = *li.Description
			checkRequiredString(p, f("description"), item.Description, 255)
		}
		if li.Quantity == nil {
			p.add(f("quantity"), RuleRequired, "is required (a positive number)")
		} else {
			item.Quantity = *li.Quantity
			checkPositive(p, f("quantity"), item.Quantity, maxQuantityPlaces)
		}
		if li.UnitPrice == nil {
			p.add(f("unit_price"), RuleRequired, "is required (a positive number)")
		} else {
			item.UnitPrice = *li.UnitPrice
			checkPositive(p, f("unit_price"), item.UnitPrice, 2)
		}
		if li.Taxable != nil {
			item.Taxable = *li.Taxable
		}
		out[i] = item
	}
	return out
}
