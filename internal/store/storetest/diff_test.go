package storetest

import (
	"testing"
	"time"

	"cloud.google.com/go/civil"
	"github.com/vatgate/vatgate/internal/invoicing"
)

// TestDiff checks the comparison every conformance test rests on: a Diff
// that missed differences would let any backend pass.
func TestDiff(t *testing.T) {
	base := SampleDocument(invoicing.KindInvoice, "X-1")
	base.CreatedAt = time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC)
	same := base
	same.Total = dec("75")                                       // 75.00 by value
	same.CreatedAt = base.CreatedAt.In(time.FixedZone("", 3600)) // one instant
	same.LineItems = append([]invoicing.LineItem(nil), base.LineItems...)
	if d := Diff(base, same); d != nil {
		t.Errorf("Diff of equal documents = %v, want none", d)
	}

	for name, change := range map[string]func(d *invoicing.Document){
		"decimal":       func(d *invoicing.Document) { d.Subtotal = dec("999999999999999.98") },
		"nil tax rate":  func(d *invoicing.Document) { d.TaxRate = nil },
		"tax rate":      func(d *invoicing.Document) { d.TaxRate = new(dec("21.6")) },
		"date":          func(d *invoicing.Document) { d.DueDate = civil.Date{} },
		"time":          func(d *invoicing.Document) { d.CreatedAt = d.CreatedAt.Add(time.Microsecond) },
		"line count":    func(d *invoicing.Document) { d.LineItems = d.LineItems[:1] },
		"line field":    func(d *invoicing.Document) { d.LineItems = []invoicing.LineItem{d.LineItems[0], {}} },
		"string":        func(d *invoicing.Document) { d.SupplierEmail = "" },
		"kind":          func(d *invoicing.Document) { d.Kind = invoicing.KindCreditNote },
		"customer link": func(d *invoicing.Document) { d.CustomerID = 7 },
	} {
		changed := base
		changed.LineItems = append([]invoicing.LineItem(nil), base.LineItems...)
		change(&changed)
		if d := Diff(base, changed); len(d) == 0 {
			t.Errorf("Diff after changing the %s found no difference", name)
		}
	}
}
