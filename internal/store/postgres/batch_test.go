package postgres

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/store/storetest"
)

// TestCreateDocumentsAgainstModel sends random uploads that mix both kinds,
// given numbers (of the sequence's own form or not, repeated, taken),
// records to number and unknown customers, and checks every answer against
// a model that decides the records one at a time, in order: CreateDocuments
// reads what the records depend on first and pipelines their inserts, and
// must answer exactly as if it stored them one by one.
func TestCreateDocumentsAgainstModel(t *testing.T) {
	t.Parallel()
	db := mustOpen(t, newSchema(t))
	m := storetest.MustCreateMerchant(t, db)
	customer := storetest.MustCreateCustomers(t, db, m.ID, storetest.SampleCustomer("Known"))[0]
	const unknownCustomer = 1 << 40
	kinds := []invoicing.Kind{invoicing.KindInvoice, invoicing.KindCreditNote}

	// The model: the numbers stored, and the last number drawn, per kind.
	stored := map[invoicing.Kind]map[string]bool{}
	last := map[invoicing.Kind]int64{}
	for _, k := range kinds {
		stored[k] = map[string]bool{}
	}
	rng := rand.New(rand.NewPCG(2026, 11))
	for call := range 60 {
		docs := make([]invoicing.Document, 1+rng.IntN(15))
		for i := range docs {
			k := kinds[rng.IntN(len(kinds))]
			number := ""
			switch r := rng.IntN(10); {
			case r < 3: // of the sequence's form, often just ahead of it
				number = k.FormatNumber(last[k] + 1 + rng.Int64N(6))
			case r < 5:
				number = fmt.Sprintf("G-%d", rng.IntN(40))
			}
			docs[i] = storetest.MinimalDocument(k, number)
			switch rng.IntN(8) {
			case 0:
				docs[i].CustomerID = unknownCustomer
			case 1:
				docs[i].CustomerID = customer.ID
			}
		}

		results, err := db.CreateDocuments(t.Context(), m.ID, docs)
		if err != nil {
			t.Fatalf("call %d: CreateDocuments: %v", call, err)
		}
		if len(results) != len(docs) {
			t.Fatalf("call %d: %d results for %d documents", call, len(results), len(docs))
		}
		for i, d := range docs {
			what := fmt.Sprintf("call %d, document %d (%s %q, customer %d)", call, i, d.Kind, d.Number, d.CustomerID)
			got := results[i]
			switch {
			case d.CustomerID == unknownCustomer:
				storetest.WantProblem(t, what, got.Err, "customer_id", invoicing.RuleExists)
				continue
			case d.Number == "":
				v := last[d.Kind] + 1
				for stored[d.Kind][d.Kind.FormatNumber(v)] {
					v++
				}
				last[d.Kind] = v
				d.Number = d.Kind.FormatNumber(v)
			case stored[d.Kind][d.Number]:
				storetest.WantProblem(t, what, got.Err, d.Kind.NumberField(), invoicing.RuleUnique)
				continue
			}
			stored[d.Kind][d.Number] = true
			if got.Err != nil {
				t.Fatalf("%s: refused (%v), want stored as %q", what, got.Err, d.Number)
			}
			if got.Document.Number != d.Number {
				t.Fatalf("%s: stored as %q, want %q", what, got.Document.Number, d.Number)
			}
			if diff := storetest.Diff(got.Document, storetest.MustGetDocument(t, db, m.ID, d.Kind, got.Document.ID)); diff != nil {
				t.Fatalf("%s: read back differs: %v", what, diff)
			}
		}
	}
	for _, k := range kinds {
		n := 0
		for after := int64(0); ; {
			page, err := db.ListDocuments(t.Context(), m.ID, k, store.ListOptions{AfterID: after, Limit: 100})
			if err != nil {
				t.Fatalf("ListDocuments: %v", err)
			}
			if len(page) == 0 {
				break
			}
			n += len(page)
			after = page[len(page)-1].ID
		}
		if n != len(stored[k]) {
			t.Errorf("%s: %d documents stored, want %d", k, n, len(stored[k]))
		}
	}
}
