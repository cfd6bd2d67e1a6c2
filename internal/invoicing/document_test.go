package invoicing_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"cloud.google.com/go/civil"
	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/money"
)

var kinds = []invoicing.Kind{invoicing.KindInvoice, invoicing.KindCreditNote}

// Field names that depend on the kind are written with placeholders.
const (
	numberF = "{number}" // invoice_number / credit_note_number
	dateF   = "{date}"   // invoice_date / credit_note_date
)

func fieldName(k invoicing.Kind, field string) string {
	return strings.NewReplacer(numberF, k.NumberField(), dateF, k.DateField()).Replace(field)
}

func item(desc, qty, price string) invoicing.LineItemInput {
	return invoicing.LineItemInput{Description: new(desc), Quantity: dec(qty), UnitPrice: dec(price)}
}

// validDocument is the first record of the bulk example of document 001 (or
// 002 for credit notes), with the supplier fields the credit note examples
// add. Each call builds fresh values, so two calls share nothing.
func validDocument(k invoicing.Kind) invoicing.DocumentInput {
	taxed, untaxed := item("Web Development Services", "40", "75.00"), item("Domain Registration", "1", "15.00")
	taxed.Taxable, untaxed.Taxable = new(true), new(false)
	return invoicing.DocumentInput{
		Number:              new(k.NumberPrefix() + "2024-001"),
		CustomerName:        new("Acme Corporation"),
		CustomerEmail:       new("contact@acme.com"),
		CustomerCountry:     new("USA"),
		CustomerTaxNumber:   new("123456789"),
		CustomerAddress:     new("123 Business Ave, New York, NY 10001"),
		Date:                new("2024-01-15"),
		DueDate:             new("2024-02-15"),
		Currency:            new("USD"),
		Status:              new("draft"),
		LineItems:           &[]invoicing.LineItemInput{taxed, untaxed},
		Subtotal:            dec("3015.00"),
		TotalTax:            dec("663.30"),
		Total:               dec("3678.30"),
		TotalDiscount:       dec("0.00"),
		SupplierTaxNumber:   new("987654321"),
		SupplierCountry:     new("USA"),
		SupplierCompanyName: new("Supplier GmbH"),
		SupplierAddress:     new("1 Supplier Road"),
		SupplierEmail:       new("billing@supplier.example"),
	}
}

func documentStringField(in *invoicing.DocumentInput, field string) **string {
	switch field {
	case numberF:
		return &in.Number
	case "customer_name":
		return &in.CustomerName
	case "customer_email":
		return &in.CustomerEmail
	case "customer_country":
		return &in.CustomerCountry
	case "customer_tax_number":
		return &in.CustomerTaxNumber
	case "customer_address":
		return &in.CustomerAddress
	case dateF:
		return &in.Date
	case "due_date":
		return &in.DueDate
	case "currency":
		return &in.Currency
	case "status":
		return &in.Status
	case "supplier_tax_number":
		return &in.SupplierTaxNumber
	case "supplier_country":
		return &in.SupplierCountry
	case "supplier_company_name":
		return &in.SupplierCompanyName
	case "supplier_address":
		return &in.SupplierAddress
	case "supplier_email":
		return &in.SupplierEmail
	}
	panic("unknown document field " + field)
}

func documentStringValue(d invoicing.Document, field string) string {
	switch field {
	case numberF:
		return d.Number
	case "customer_name":
		return d.CustomerName
	case "customer_email":
		return d.CustomerEmail
	case "customer_country":
		return d.CustomerCountry
	case "customer_tax_number":
		return d.CustomerTaxNumber
	case "customer_address":
		return d.CustomerAddress
	case dateF:
		return d.Date.String()
	case "due_date":
		if !d.HasDueDate() {
			return ""
		}
		return d.DueDate.String()
	case "currency":
		return d.Currency
	case "status":
		return d.Status
	case "supplier_tax_number":
		return d.SupplierTaxNumber
	case "supplier_country":
		return d.SupplierCountry
	case "supplier_company_name":
		return d.SupplierCompanyName
	case "supplier_address":
		return d.SupplierAddress
	case "supplier_email":
		return d.SupplierEmail
	}
	panic("unknown document field " + field)
}

var amountFields = []string{"subtotal", "total_tax", "total", "total_discount_amount"}

func documentAmountField(in *invoicing.DocumentInput, field string) **money.Decimal {
	switch field {
	case "subtotal":
		return &in.Subtotal
	case "total_tax":
		return &in.TotalTax
	case "total":
		return &in.Total
	case "total_discount_amount":
		return &in.TotalDiscount
	}
	panic("unknown amount field " + field)
}

func documentAmountValue(d invoicing.Document, field string) money.Decimal {
	switch field {
	case "subtotal":
		return d.Subtotal
	case "total_tax":
		return d.TotalTax
	case "total":
		return d.Total
	case "total_discount_amount":
		return d.TotalDiscount
	}
	panic("unknown amount field " + field)
}

// stringDocumentCases are the rules on the documents' text fields, for kind k.
func stringDocumentCases(k invoicing.Kind) []fieldCase {
	var cs []fieldCase
	cs = append(cs, lengthCases(numberF, 255)...)
	cs = append(cs, ok(numberF, "INV-2024-001"), fieldCase{field: numberF, stored: ""})

	cs = append(cs, lengthCases("customer_name", 255)...)
	cs = append(cs,
		fieldCase{field: "customer_name", rule: invoicing.RuleRequired},
		bad("customer_name", "", invoicing.RuleRequired),
		bad("customer_name", "   ", invoicing.RuleRequired),
	)
	cs = append(cs, emailCases("customer_email")...)
	cs = append(cs, emailCases("supplier_email")...)
	cs = append(cs, countryCases("customer_country")...)
	cs = append(cs, countryCases("supplier_country")...)
	cs = append(cs, lengthCases("customer_tax_number", 25)...)
	cs = append(cs, lengthCases("supplier_tax_number", 25)...)
	cs = append(cs, lengthCases("customer_address", 255)...)
	// Not in the tables (the credit note examples send them): bounded by the
	// package's default maximum.
	cs = append(cs, lengthCases("supplier_company_name", invoicing.DefaultMaxLength)...)
	cs = append(cs, lengthCases("supplier_address", invoicing.DefaultMaxLength)...)

	// currency: optional, default EUR, at most 3 characters, ISO 4217.
	cs = append(cs,
		ok("currency", "USD"),
		ok("currency", "EUR"),
		okAs("currency", "usd", "USD"),
		okAs("currency", "gbP", "GBP"),
		fieldCase{field: "currency", stored: invoicing.DefaultCurrency},
		okAs("currency", "", invoicing.DefaultCurrency),
		bad("currency", "EURO", invoicing.RuleMaxLength),
		bad("currency", "ABC", invoicing.RuleCode),
		bad("currency", "US", invoicing.RuleCode),
		bad("currency", "XAU", invoicing.RuleCode), // gold: no minor units, not payable
		bad("currency", "XTS", invoicing.RuleCode), // the test code
		bad("currency", "xxx", invoicing.RuleCode), // "no currency"
		bad("currency", "uſd", invoicing.RuleCode), // ſ upper-cases to S: not an ISO code
		bad("currency", "ınr", invoicing.RuleCode), // dotless ı upper-cases to I
	)

	// status: required, exactly one of the four values.
	for _, s := range []string{"draft", "pending", "sent", "paid"} {
		cs = append(cs, ok("status", s))
	}
	cs = append(cs,
		fieldCase{field: "status", rule: invoicing.RuleRequired},
		bad("status", "void", invoicing.RuleEnum),
		bad("status", "Draft", invoicing.RuleEnum),
		bad("status", "PAID", invoicing.RuleEnum),
		bad("status", "", invoicing.RuleRequired),
	)

	// dates: YYYY-MM-DD, real calendar dates. The document date is
	// required; due_date is required on credit notes only.
	for _, f := range []string{dateF, "due_date"} {
		cs = append(cs,
			ok(f, "2024-01-15"),
			ok(f, "2024-02-29"), // leap day
			ok(f, "2000-02-29"), // leap century
			ok(f, "2024-12-31"),
			bad(f, "2023-02-29", invoicing.RuleFormat),
			bad(f, "1900-02-29", invoicing.RuleFormat),
			bad(f, "2024-02-30", invoicing.RuleFormat),
			bad(f, "2024-04-31", invoicing.RuleFormat),
			bad(f, "2024-13-01", invoicing.RuleFormat),
			bad(f, "2024-00-10", invoicing.RuleFormat),
			bad(f, "2024-01-00", invoicing.RuleFormat),
			bad(f, "2024-1-5", invoicing.RuleFormat),
			bad(f, "15-01-2024", invoicing.RuleFormat),
			bad(f, "2024/01/15", invoicing.RuleFormat),
			bad(f, "2024-01-15T00:00:00Z", invoicing.RuleFormat),
			bad(f, " 2024-01-15", invoicing.RuleFormat),
			bad(f, "0000-01-01", invoicing.RuleFormat),
		)
	}
	cs = append(cs,
		bad(dateF, "", invoicing.RuleRequired),
		fieldCase{field: dateF, rule: invoicing.RuleRequired},
	)
	if k == invoicing.KindCreditNote {
		cs = append(cs,
			bad("due_date", "", invoicing.RuleRequired),
			fieldCase{field: "due_date", rule: invoicing.RuleRequired},
		)
	} else {
		cs = append(cs, ok("due_date", ""), fieldCase{field: "due_date", stored: ""})
	}
	return cs
}

func TestNewDocumentStringRules(t *testing.T) {
	for _, k := range kinds {
		for _, tc := range stringDocumentCases(k) {
			field := fieldName(k, tc.field)
			t.Run(string(k)+"/"+field+"/"+show(tc.value), func(t *testing.T) {
				in := validDocument(k)
				*documentStringField(&in, tc.field) = tc.value
				d, err := invoicing.NewDocument(k, in)
				if tc.rule != "" {
					wantRefused(t, err, field, tc.rule)
					return
				}
				wantOK(t, err)
				if got := documentStringValue(d, tc.field); got != tc.stored {
					t.Errorf("stored %s = %q, want %q", field, got, tc.stored)
				}
			})
		}
	}
}

func TestDocumentApplyStringRules(t *testing.T) {
	for _, k := range kinds {
		for _, tc := range stringDocumentCases(k) {
			if tc.value == nil {
				continue // absent leaves the field as it is; see TestDocumentApply
			}
			field := fieldName(k, tc.field)
			t.Run(string(k)+"/"+field+"/"+show(tc.value), func(t *testing.T) {
				d, err := invoicing.NewDocument(k, validDocument(k))
				wantOK(t, err)
				before, _ := invoicing.NewDocument(k, validDocument(k))
				var in invoicing.DocumentInput
				*documentStringField(&in, tc.field) = tc.value
				err = in.Apply(&d)
				if tc.rule != "" {
					wantRefused(t, err, field, tc.rule)
					if !reflect.DeepEqual(d, before) {
						t.Errorf("refused update changed the document:\n got %+v\nwant %+v", d, before)
					}
					return
				}
				wantOK(t, err)
				if got := documentStringValue(d, tc.field); got != tc.stored {
					t.Errorf("stored %s = %q, want %q", field, got, tc.stored)
				}
			})
		}
	}
}

// amountCase sets one of the four documented amounts.
type amountCase struct {
	value string // "" absent
	rule  string
}

var amountCases = []amountCase{
	{value: "3678.30"},
	{value: "3678.3"},
	{value: "0.01"},
	{value: "0"},
	{value: "0.00"},
	{value: "1.500"}, // trailing zeros are not significant places
	{value: "1.50000"},
	{value: "1e2"},
	{value: "999999999999999.99"}, // 15 integer digits
	{value: "100000000000000"},
	{value: "1000000000000000", rule: invoicing.RuleRange}, // 16 integer digits
	{value: "9999999999999999.99", rule: invoicing.RuleRange},
	{value: "0.001", rule: invoicing.RuleDecimalPlaces},
	{value: "1.005", rule: invoicing.RuleDecimalPlaces},
	{value: "1e-3", rule: invoicing.RuleDecimalPlaces},
	{value: "-0.01", rule: invoicing.RuleNonNegative},
	{value: "-100", rule: invoicing.RuleNonNegative},
	{value: "", rule: invoicing.RuleRequired},
}

func TestNewDocumentAmountRules(t *testing.T) {
	for _, k := range kinds {
		for _, field := range amountFields {
			for _, tc := range amountCases {
				t.Run(fmt.Sprintf("%s/%s/%q", k, field, tc.value), func(t *testing.T) {
					in := validDocument(k)
					*documentAmountField(&in, field) = nil
					if tc.value != "" {
						*documentAmountField(&in, field) = dec(tc.value)
					}
					d, err := invoicing.NewDocument(k, in)
					if tc.rule != "" {
						wantRefused(t, err, field, tc.rule)
						return
					}
					wantOK(t, err)
					if got := documentAmountValue(d, field); !got.Equal(money.MustParse(tc.value)) {
						t.Errorf("stored %s = %s, want %s", field, got, tc.value)
					}
				})
			}
		}
	}
}

func TestDocumentApplyAmountRules(t *testing.T) {
	for _, field := range amountFields {
		for _, tc := range amountCases {
			if tc.value == "" {
				continue
			}
			t.Run(fmt.Sprintf("%s/%q", field, tc.value), func(t *testing.T) {
				k := invoicing.KindInvoice
				d, _ := invoicing.NewDocument(k, validDocument(k))
				before, _ := invoicing.NewDocument(k, validDocument(k))
				var in invoicing.DocumentInput
				*documentAmountField(&in, field) = dec(tc.value)
				err := in.Apply(&d)
				if tc.rule != "" {
					wantRefused(t, err, field, tc.rule)
					if !reflect.DeepEqual(d, before) {
						t.Errorf("refused update changed the document")
					}
					return
				}
				wantOK(t, err)
				if got := documentAmountValue(d, field); !got.Equal(money.MustParse(tc.value)) {
					t.Errorf("stored %s = %s, want %s", field, got, tc.value)
				}
			})
		}
	}
}

// docCase changes an otherwise valid document; rule "" means accepted, and
// check (if any) looks at the result.
type docCase struct {
	name        string
	edit        func(*invoicing.DocumentInput)
	field, rule string
	check       func(*testing.T, invoicing.Document)
}

func setItems(items ...invoicing.LineItemInput) func(*invoicing.DocumentInput) {
	return func(in *invoicing.DocumentInput) { in.LineItems = &items }
}

// editItem changes the second line of the valid document.
func editItem(f func(*invoicing.LineItemInput)) func(*invoicing.DocumentInput) {
	return func(in *invoicing.DocumentInput) { f(&(*in.LineItems)[1]) }
}

func manyItems(n int) func(*invoicing.DocumentInput) {
	return func(in *invoicing.DocumentInput) {
		items := make([]invoicing.LineItemInput, n)
		for i := range items {
			items[i] = item(fmt.Sprintf("Line %d", i+1), "1", "1.00")
		}
		in.LineItems = &items
	}
}

func wantItem(i int, want invoicing.LineItem) func(*testing.T, invoicing.Document) {
	return func(t *testing.T, d invoicing.Document) {
		t.Helper()
		if i >= len(d.LineItems) {
			t.Fatalf("%d line items, want item %d", len(d.LineItems), i)
		}
		got := d.LineItems[i]
		if got.Description != want.Description || !got.Quantity.Equal(want.Quantity) ||
			!got.UnitPrice.Equal(want.UnitPrice) || got.Taxable != want.Taxable {
			t.Errorf("line %d = %+v, want %+v", i, got, want)
		}
	}
}

func wantItemCount(n int) func(*testing.T, invoicing.Document) {
	return func(t *testing.T, d invoicing.Document) {
		t.Helper()
		if len(d.LineItems) != n {
			t.Errorf("%d line items, want %d", len(d.LineItems), n)
		}
	}
}

func wantTaxRate(rate string) func(*testing.T, invoicing.Document) {
	return func(t *testing.T, d invoicing.Document) {
		t.Helper()
		switch {
		case rate == "" && d.TaxRate != nil:
			t.Errorf("tax rate %s, want none", d.TaxRate)
		case rate != "" && (d.TaxRate == nil || !d.TaxRate.Equal(money.MustParse(rate))):
			t.Errorf("tax rate %v, want %s", d.TaxRate, rate)
		}
	}
}

func wantCustomerID(id int64) func(*testing.T, invoicing.Document) {
	return func(t *testing.T, d invoicing.Document) {
		t.Helper()
		if d.CustomerID != id {
			t.Errorf("customer id %d, want %d", d.CustomerID, id)
		}
	}
}

func otherDocumentCases() []docCase {
	li := func(i int, name string) string { return fmt.Sprintf("line_items[%d].%s", i, name) }
	cs := []docCase{
		// line_items: required, at least one, at most MaxLineItems.
		{name: "line_items/example", check: func(t *testing.T, d invoicing.Document) {
			wantItemCount(2)(t, d)
			wantItem(0, invoicing.LineItem{Description: "Web Development Services", Quantity: money.MustParse("40"), UnitPrice: money.MustParse("75"), Taxable: true})(t, d)
			wantItem(1, invoicing.LineItem{Description: "Domain Registration", Quantity: money.MustParse("1"), UnitPrice: money.MustParse("15"), Taxable: false})(t, d)
		}},
		{name: "line_items/one", edit: setItems(item("Software License", "1", "299.00")), check: wantItemCount(1)},
		{name: "line_items/taxable default true", edit: setItems(item("Software License", "1", "299.00")),
			check: wantItem(0, invoicing.LineItem{Description: "Software License", Quantity: money.MustParse("1"), UnitPrice: money.MustParse("299"), Taxable: true})},
		{name: "line_items/taxable true kept", edit: editItem(func(it *invoicing.LineItemInput) { it.Taxable = new(true) }),
			check: wantItem(1, invoicing.LineItem{Description: "Domain Registration", Quantity: money.MustParse("1"), UnitPrice: money.MustParse("15"), Taxable: true})},
		{name: "line_items/absent", edit: func(in *invoicing.DocumentInput) { in.LineItems = nil }, field: "line_items", rule: invoicing.RuleRequired},
		{name: "line_items/empty", edit: setItems(), field: "line_items", rule: invoicing.RuleMinItems},
		{name: "line_items/max", edit: manyItems(invoicing.MaxLineItems), check: wantItemCount(invoicing.MaxLineItems)},
		{name: "line_items/max+1", edit: manyItems(invoicing.MaxLineItems + 1), field: "line_items", rule: invoicing.RuleRange},

		// description: required, at most 255 characters.
		{name: "description/255×é", edit: editItem(func(it *invoicing.LineItemInput) { it.Description = new(rep(e2, 255)) }),
			check: func(t *testing.T, d invoicing.Document) {
				if d.LineItems[1].Description != rep(e2, 255) {
					t.Errorf("description not stored")
				}
			}},
		{name: "description/255×日", edit: editItem(func(it *invoicing.LineItemInput) { it.Description = new(rep(j3, 255)) })},
		{name: "description/256×é", edit: editItem(func(it *invoicing.LineItemInput) { it.Description = new(rep(e2, 256)) }), field: li(1, "description"), rule: invoicing.RuleMaxLength},
		{name: "description/256×a", edit: editItem(func(it *invoicing.LineItemInput) { it.Description = new(rep("a", 256)) }), field: li(1, "description"), rule: invoicing.RuleMaxLength},
		{name: "description/absent", edit: editItem(func(it *invoicing.LineItemInput) { it.Description = nil }), field: li(1, "description"), rule: invoicing.RuleRequired},
		{name: "description/empty", edit: editItem(func(it *invoicing.LineItemInput) { it.Description = new("") }), field: li(1, "description"), rule: invoicing.RuleRequired},
		{name: "description/blank", edit: editItem(func(it *invoicing.LineItemInput) { it.Description = new("  ") }), field: li(1, "description"), rule: invoicing.RuleRequired},
		{name: "description/first line", edit: setItems(invoicing.LineItemInput{Quantity: dec("1"), UnitPrice: dec("1")}), field: li(0, "description"), rule: invoicing.RuleRequired},

		// tax_rate: optional, a percentage 0..100 with at most 2 places.
		{name: "tax_rate/absent", check: wantTaxRate("")},
		{name: "tax_rate/0", edit: func(in *invoicing.DocumentInput) { in.TaxRate = dec("0") }, check: wantTaxRate("0")},
		{name: "tax_rate/100", edit: func(in *invoicing.DocumentInput) { in.TaxRate = dec("100") }, check: wantTaxRate("100")},
		{name: "tax_rate/100.00", edit: func(in *invoicing.DocumentInput) { in.TaxRate = dec("100.00") }, check: wantTaxRate("100")},
		{name: "tax_rate/22.5", edit: func(in *invoicing.DocumentInput) { in.TaxRate = dec("22.5") }, check: wantTaxRate("22.5")},
		{name: "tax_rate/0.01", edit: func(in *invoicing.DocumentInput) { in.TaxRate = dec("0.01") }, check: wantTaxRate("0.01")},
		{name: "tax_rate/-0.01", edit: func(in *invoicing.DocumentInput) { in.TaxRate = dec("-0.01") }, field: "tax_rate", rule: invoicing.RuleRange},
		{name: "tax_rate/100.01", edit: func(in *invoicing.DocumentInput) { in.TaxRate = dec("100.01") }, field: "tax_rate", rule: invoicing.RuleRange},
		{name: "tax_rate/22.555", edit: func(in *invoicing.DocumentInput) { in.TaxRate = dec("22.555") }, field: "tax_rate", rule: invoicing.RuleRange},
		{name: "tax_rate/1e3", edit: func(in *invoicing.DocumentInput) { in.TaxRate = dec("1e3") }, field: "tax_rate", rule: invoicing.RuleRange},

		// customer_id: optional, positive (its existence is the store's check).
		{name: "customer_id/absent", check: wantCustomerID(0)},
		{name: "customer_id/1", edit: func(in *invoicing.DocumentInput) { in.CustomerID = new(int64(1)) }, check: wantCustomerID(1)},
		{name: "customer_id/1111", edit: func(in *invoicing.DocumentInput) { in.CustomerID = new(int64(1111)) }, check: wantCustomerID(1111)},
		{name: "customer_id/0", edit: func(in *invoicing.DocumentInput) { in.CustomerID = new(int64(0)) }, field: "customer_id", rule: invoicing.RulePositive},
		{name: "customer_id/-1", edit: func(in *invoicing.DocumentInput) { in.CustomerID = new(int64(-1)) }, field: "customer_id", rule: invoicing.RulePositive},
	}

	// quantity: required, positive, at most 4 places; unit_price: required,
	// positive, at most 2 places.
	numbers := []struct {
		field, value, rule string // value "" absent
	}{
		{"quantity", "1", ""},
		{"quantity", "2.0", ""},
		{"quantity", "0.0001", ""},
		{"quantity", "1.50000", ""},
		{"quantity", "999999999999999", ""},
		{"quantity", "0.00001", invoicing.RuleDecimalPlaces},
		{"quantity", "0", invoicing.RulePositive},
		{"quantity", "0.0000", invoicing.RulePositive},
		{"quantity", "-1", invoicing.RulePositive},
		{"quantity", "-0.0001", invoicing.RulePositive},
		{"quantity", "1000000000000000", invoicing.RuleRange},
		{"quantity", "", invoicing.RuleRequired},
		{"unit_price", "0.01", ""},
		{"unit_price", "75.00", ""},
		{"unit_price", "1.500", ""},
		{"unit_price", "999999999999999.99", ""},
		{"unit_price", "0.001", invoicing.RuleDecimalPlaces},
		{"unit_price", "75.005", invoicing.RuleDecimalPlaces},
		{"unit_price", "0", invoicing.RulePositive},
		{"unit_price", "-5", invoicing.RulePositive},
		{"unit_price", "1000000000000000", invoicing.RuleRange},
		{"unit_price", "", invoicing.RuleRequired},
	}
	for _, n := range numbers {
		var v *money.Decimal
		if n.value != "" {
			v = dec(n.value)
		}
		c := docCase{
			name: fmt.Sprintf("%s/%q", n.field, n.value),
			edit: editItem(func(it *invoicing.LineItemInput) {
				if n.field == "quantity" {
					it.Quantity = v
				} else {
					it.UnitPrice = v
				}
			}),
			rule: n.rule,
		}
		if n.rule != "" {
			c.field = li(1, n.field)
		} else {
			c.check = func(t *testing.T, d invoicing.Document) {
				got := d.LineItems[1].UnitPrice
				if n.field == "quantity" {
					got = d.LineItems[1].Quantity
				}
				if !got.Equal(*v) {
					t.Errorf("stored %s = %s, want %s", n.field, got, n.value)
				}
			}
		}
		cs = append(cs, c)
	}
	return cs
}

func TestNewDocumentOtherRules(t *testing.T) {
	for _, k := range kinds {
		for _, tc := range otherDocumentCases() {
			t.Run(string(k)+"/"+tc.name, func(t *testing.T) {
				in := validDocument(k)
				if tc.edit != nil {
					tc.edit(&in)
				}
				d, err := invoicing.NewDocument(k, in)
				if tc.rule != "" {
					wantRefused(t, err, tc.field, tc.rule)
					return
				}
				wantOK(t, err)
				if tc.check != nil {
					tc.check(t, d)
				}
			})
		}
	}
}

func TestNewDocumentExample(t *testing.T) {
	for _, k := range kinds {
		t.Run(string(k), func(t *testing.T) {
			d, err := invoicing.NewDocument(k, validDocument(k))
			wantOK(t, err)
			want := invoicing.Document{
				Kind: k, Number: k.NumberPrefix() + "2024-001",
				CustomerName: "Acme Corporation", CustomerEmail: "contact@acme.com", CustomerCountry: "USA",
				CustomerTaxNumber: "123456789", CustomerAddress: "123 Business Ave, New York, NY 10001",
				Date: civil.Date{Year: 2024, Month: 1, Day: 15}, DueDate: civil.Date{Year: 2024, Month: 2, Day: 15},
				Currency: "USD", Status: "draft",
				SupplierTaxNumber: "987654321", SupplierCountry: "USA", SupplierCompanyName: "Supplier GmbH",
				SupplierAddress: "1 Supplier Road", SupplierEmail: "billing@supplier.example",
			}
			amounts := map[string]string{"subtotal": "3015", "total_tax": "663.3", "total": "3678.3", "total_discount_amount": "0"}
			for f, v := range amounts {
				if got := documentAmountValue(d, f); !got.Equal(money.MustParse(v)) {
					t.Errorf("%s = %s, want %s", f, got, v)
				}
			}
			if len(d.LineItems) != 2 {
				t.Fatalf("%d line items, want 2", len(d.LineItems))
			}
			// Compare the rest field by field: decimals are compared above.
			d.Subtotal, d.TotalTax, d.Total, d.TotalDiscount, d.LineItems = money.Zero, money.Zero, money.Zero, money.Zero, nil
			if !reflect.DeepEqual(d, want) {
				t.Errorf("got  %+v\nwant %+v", d, want)
			}
			if !d.HasDueDate() {
				t.Errorf("HasDueDate() = false")
			}
		})
	}
}

func TestNewDocumentReportsEveryProblem(t *testing.T) {
	for _, k := range kinds {
		t.Run(string(k)+"/nothing given", func(t *testing.T) {
			_, err := invoicing.NewDocument(k, invoicing.DocumentInput{})
			want := [][2]string{
				{"customer_name", invoicing.RuleRequired},
				{k.DateField(), invoicing.RuleRequired},
				{"status", invoicing.RuleRequired},
				{"line_items", invoicing.RuleRequired},
				{"subtotal", invoicing.RuleRequired},
				{"total_tax", invoicing.RuleRequired},
				{"total", invoicing.RuleRequired},
				{"total_discount_amount", invoicing.RuleRequired},
			}
			if k == invoicing.KindCreditNote {
				want = append(want, [2]string{"due_date", invoicing.RuleRequired})
			}
			wantProblems(t, err, want...)
		})
		t.Run(string(k)+"/many invalid values", func(t *testing.T) {
			in := validDocument(k)
			in.Number = new(rep(j3, 256))
			in.CustomerName = new(" ")
			in.CustomerEmail = new("ab")
			in.CustomerCountry = new("US")
			in.Date = new("2024-02-30")
			in.DueDate = new("2024/02/15")
			in.Currency = new("EURO")
			in.Status = new("void")
			in.TaxRate = dec("100.01")
			in.CustomerID = new(int64(0))
			in.Total = dec("-1")
			in.Subtotal = dec("1.005")
			in.SupplierEmail = new("@b")
			bad := item("", "0", "0.001")
			in.LineItems = &[]invoicing.LineItemInput{item("ok", "1", "1"), bad, {}}
			_, err := invoicing.NewDocument(k, in)
			wantProblems(t, err,
				[2]string{k.NumberField(), invoicing.RuleMaxLength},
				[2]string{"customer_name", invoicing.RuleRequired},
				[2]string{"customer_email", invoicing.RuleFormat},
				[2]string{"customer_country", invoicing.RuleCode},
				[2]string{k.DateField(), invoicing.RuleFormat},
				[2]string{"due_date", invoicing.RuleFormat},
				[2]string{"currency", invoicing.RuleMaxLength},
				[2]string{"status", invoicing.RuleEnum},
				[2]string{"tax_rate", invoicing.RuleRange},
				[2]string{"customer_id", invoicing.RulePositive},
				[2]string{"total", invoicing.RuleNonNegative},
				[2]string{"subtotal", invoicing.RuleDecimalPlaces},
				[2]string{"supplier_email", invoicing.RuleFormat},
				[2]string{"line_items[1].description", invoicing.RuleRequired},
				[2]string{"line_items[1].quantity", invoicing.RulePositive},
				[2]string{"line_items[1].unit_price", invoicing.RuleDecimalPlaces},
				[2]string{"line_items[2].description", invoicing.RuleRequired},
				[2]string{"line_items[2].quantity", invoicing.RuleRequired},
				[2]string{"line_items[2].unit_price", invoicing.RuleRequired},
			)
		})
	}
}

func TestDocumentApply(t *testing.T) {
	type applyCase struct {
		name  string
		kinds []invoicing.Kind // nil: both
		in    invoicing.DocumentInput
		field string // refused: the one problem's field (placeholders allowed)
		rule  string
		edit  func(*invoicing.Document) // accepted: the expected change
	}
	tests := []applyCase{
		{name: "nothing given", edit: func(*invoicing.Document) {}},
		{name: "status only", in: invoicing.DocumentInput{Status: new("paid")}, edit: func(d *invoicing.Document) { d.Status = "paid" }},
		{name: "date only", in: invoicing.DocumentInput{Date: new("2024-01-20")}, edit: func(d *invoicing.Document) { d.Date = civil.Date{Year: 2024, Month: 1, Day: 20} }},
		{name: "currency normalised", in: invoicing.DocumentInput{Currency: new("gbp")}, edit: func(d *invoicing.Document) { d.Currency = "GBP" }},
		{name: "empty currency is the default", in: invoicing.DocumentInput{Currency: new("")}, edit: func(d *invoicing.Document) { d.Currency = "EUR" }},
		{name: "empty clears customer email", in: invoicing.DocumentInput{CustomerEmail: new("")}, edit: func(d *invoicing.Document) { d.CustomerEmail = "" }},
		{name: "empty clears supplier email", in: invoicing.DocumentInput{SupplierEmail: new("")}, edit: func(d *invoicing.Document) { d.SupplierEmail = "" }},
		{name: "empty clears optional text", in: invoicing.DocumentInput{
			Number: new(""), CustomerCountry: new(""), CustomerTaxNumber: new(""), CustomerAddress: new(""),
			SupplierTaxNumber: new(""), SupplierCountry: new(""), SupplierCompanyName: new(""), SupplierAddress: new(""),
		}, edit: func(d *invoicing.Document) {
			d.Number, d.CustomerCountry, d.CustomerTaxNumber, d.CustomerAddress = "", "", "", ""
			d.SupplierTaxNumber, d.SupplierCountry, d.SupplierCompanyName, d.SupplierAddress = "", "", "", ""
		}},
		{name: "empty clears invoice due date", kinds: []invoicing.Kind{invoicing.KindInvoice}, in: invoicing.DocumentInput{DueDate: new("")},
			edit: func(d *invoicing.Document) { d.DueDate = civil.Date{} }},
		{name: "empty credit note due date refused", kinds: []invoicing.Kind{invoicing.KindCreditNote}, in: invoicing.DocumentInput{DueDate: new("")},
			field: "due_date", rule: invoicing.RuleRequired},
		{name: "empty customer name refused", in: invoicing.DocumentInput{CustomerName: new("")}, field: "customer_name", rule: invoicing.RuleRequired},
		{name: "empty date refused", in: invoicing.DocumentInput{Date: new("")}, field: dateF, rule: invoicing.RuleRequired},
		{name: "empty status refused", in: invoicing.DocumentInput{Status: new("")}, field: "status", rule: invoicing.RuleRequired},
		{name: "empty line items refused", in: invoicing.DocumentInput{LineItems: &[]invoicing.LineItemInput{}}, field: "line_items", rule: invoicing.RuleMinItems},
		{name: "tax rate set", in: invoicing.DocumentInput{TaxRate: dec("22")}, edit: func(d *invoicing.Document) { d.TaxRate = dec("22") }},
		{name: "customer id set", in: invoicing.DocumentInput{CustomerID: new(int64(7))}, edit: func(d *invoicing.Document) { d.CustomerID = 7 }},
		{name: "valid and invalid together refused", in: invoicing.DocumentInput{
			Status: new("paid"), CustomerName: new("New name"), Total: dec("-1"),
		}, field: "total", rule: invoicing.RuleNonNegative},
		{name: "bad line in new list refused", in: invoicing.DocumentInput{
			Status: new("sent"), LineItems: &[]invoicing.LineItemInput{item("ok", "1", "1"), item("bad", "0", "1")},
		}, field: "line_items[1].quantity", rule: invoicing.RulePositive},
		{name: "bad date refused", in: invoicing.DocumentInput{Status: new("sent"), DueDate: new("2024-02-30")}, field: "due_date", rule: invoicing.RuleFormat},
	}
	for _, tc := range tests {
		ks := tc.kinds
		if ks == nil {
			ks = kinds
		}
		for _, k := range ks {
			t.Run(string(k)+"/"+tc.name, func(t *testing.T) {
				d, err := invoicing.NewDocument(k, validDocument(k))
				wantOK(t, err)
				d.ID = 5289
				want, _ := invoicing.NewDocument(k, validDocument(k))
				want.ID = 5289
				err = tc.in.Apply(&d)
				if tc.rule != "" {
					wantRefused(t, err, fieldName(k, tc.field), tc.rule)
				} else {
					wantOK(t, err)
					tc.edit(&want)
				}
				if !reflect.DeepEqual(d, want) {
					t.Errorf("after Apply\n got %+v\nwant %+v", d, want)
				}
			})
		}
	}
}

// Line items given in an update replace the whole list (document 001:
// "If updating line items, must provide complete new list").
func TestDocumentApplyReplacesLineItems(t *testing.T) {
	for _, k := range kinds {
		for _, n := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s/%d", k, n), func(t *testing.T) {
				d, err := invoicing.NewDocument(k, validDocument(k))
				wantOK(t, err)
				items := []invoicing.LineItemInput{
					item("Updated Web Development Services", "45", "80.00"),
					item("Additional Consulting", "5", "100.00"),
					item("Hosting", "12", "9.99"),
				}[:n]
				items[0].Taxable = new(false)
				want := []invoicing.LineItem{
					{Description: "Updated Web Development Services", Quantity: money.MustParse("45"), UnitPrice: money.MustParse("80"), Taxable: false},
					{Description: "Additional Consulting", Quantity: money.MustParse("5"), UnitPrice: money.MustParse("100"), Taxable: true},
					{Description: "Hosting", Quantity: money.MustParse("12"), UnitPrice: money.MustParse("9.99"), Taxable: true},
				}[:n]
				wantOK(t, invoicing.DocumentInput{LineItems: &items}.Apply(&d))
				if len(d.LineItems) != n {
					t.Fatalf("%d line items, want %d", len(d.LineItems), n)
				}
				for i := range want {
					wantItem(i, want[i])(t, d)
				}
				// Untouched fields stay.
				if d.Status != "draft" || d.CustomerName != "Acme Corporation" || !d.Total.Equal(money.MustParse("3678.3")) {
					t.Errorf("other fields changed: %+v", d)
				}
			})
		}
	}
}

func TestKindHelpers(t *testing.T) {
	tests := []struct {
		k                                    invoicing.Kind
		number, date, id, label, prefix      string
		first, seventh, million, big, bigger string
	}{
		{
			k: invoicing.KindInvoice, number: "invoice_number", date: "invoice_date", id: "invoice_id", label: "Invoice", prefix: "INV-",
			first: "INV-000001", seventh: "INV-000007", million: "INV-999999", big: "INV-1000000", bigger: "INV-1234567",
		},
		{
			k: invoicing.KindCreditNote, number: "credit_note_number", date: "credit_note_date", id: "credit_note_id", label: "Credit note", prefix: "CN-",
			first: "CN-000001", seventh: "CN-000007", million: "CN-999999", big: "CN-1000000", bigger: "CN-1234567",
		},
	}
	for _, tc := range tests {
		t.Run(string(tc.k), func(t *testing.T) {
			for _, c := range []struct{ got, want string }{
				{tc.k.NumberField(), tc.number},
				{tc.k.DateField(), tc.date},
				{tc.k.IDField(), tc.id},
				{tc.k.Label(), tc.label},
				{tc.k.NumberPrefix(), tc.prefix},
				{tc.k.FormatNumber(1), tc.first},
				{tc.k.FormatNumber(7), tc.seventh},
				{tc.k.FormatNumber(999999), tc.million},
				{tc.k.FormatNumber(1000000), tc.big},
				{tc.k.FormatNumber(1234567), tc.bigger},
			} {
				if c.got != c.want {
					t.Errorf("got %q, want %q", c.got, c.want)
				}
			}
		})
	}
}

func TestHasDueDate(t *testing.T) {
	in := validDocument(invoicing.KindInvoice)
	in.DueDate = nil
	d, err := invoicing.NewDocument(invoicing.KindInvoice, in)
	wantOK(t, err)
	if d.HasDueDate() {
		t.Errorf("HasDueDate() = true without a due date (%v)", d.DueDate)
	}
	wantOK(t, invoicing.DocumentInput{DueDate: new("2024-03-01")}.Apply(&d))
	if !d.HasDueDate() || d.DueDate != (civil.Date{Year: 2024, Month: 3, Day: 1}) {
		t.Errorf("due date %v after update", d.DueDate)
	}
}
