package ubl

import (
	"testing"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/money"
)

// tdoc is an e-document as a test writes it; edoc turns it into the domain
// value through invoicing.NewEDocument, so every test input is one the API
// would accept.
type tdoc struct {
	Kind     invoicing.Kind
	Number   string
	Created  string
	Due      string
	Currency string
	Ref      string
	Customer tparty
	Supplier tparty
	Lines    []tline
	Rate     string
	// Subtotal, Tax and Total default to what the lines and rate imply.
	Subtotal, Tax, Total string
}

type tparty struct {
	Name, Street, City, Postal, PeppolID, Tax, Country string
}

type tline struct {
	Desc, Qty, Price string
	Exempt           bool
}

func sp(s string) *string { return &s }

func dp(s string) *money.Decimal {
	d := money.MustParse(s)
	return &d
}

func (p tparty) input() invoicing.PartyInput {
	in := invoicing.PartyInput{
		Name: sp(p.Name), Street: sp(p.Street), City: sp(p.City), PostalCode: sp(p.Postal), PeppolID: sp(p.PeppolID),
	}
	if p.Tax != "" {
		in.TaxNumber = sp(p.Tax)
	}
	if p.Country != "" {
		in.Country = sp(p.Country)
	}
	return in
}

func (d tdoc) edoc(tb testing.TB) invoicing.EDocument {
	tb.Helper()
	kind := d.Kind
	if kind == "" {
		kind = invoicing.KindInvoice
	}
	in := invoicing.EDocumentInput{
		Number:      sp(d.Number),
		CreatedDate: sp(d.Created),
		Customer:    d.Customer.input(),
		Supplier:    d.Supplier.input(),
		TaxRate:     dp(d.Rate),
	}
	if d.Due != "" {
		in.DueDate = sp(d.Due)
	}
	if d.Currency != "" {
		in.Currency = sp(d.Currency)
	}
	if d.Ref != "" {
		in.RecipientReference = sp(d.Ref)
	}
	var lines []invoicing.LineItemInput
	var items []invoicing.LineItem
	for _, l := range d.Lines {
		taxable := !l.Exempt
		lines = append(lines, invoicing.LineItemInput{Description: sp(l.Desc), Quantity: dp(l.Qty), UnitPrice: dp(l.Price), Taxable: &taxable})
		items = append(items, invoicing.LineItem{Quantity: money.MustParse(l.Qty), UnitPrice: money.MustParse(l.Price), Taxable: taxable})
	}
	in.LineItems = &lines
	sums := invoicing.ComputeSums(items, money.MustParse(d.Rate))
	pick := func(s string, def money.Decimal) *money.Decimal {
		if s != "" {
			return dp(s)
		}
		return &def
	}
	in.Subtotal = pick(d.Subtotal, sums.Subtotal)
	in.Tax = pick(d.Tax, sums.Tax)
	in.Total = pick(d.Total, sums.Total)
	doc, verr := invoicing.NewEDocument(kind, in)
	if verr != nil {
		tb.Fatalf("NewEDocument(%s): %v", d.Number, verr)
	}
	return doc
}
