package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// The rule for concurrent partial updates (PUT) of one record: each PUT is
// applied atomically to the latest stored version of the record (the store
// reads it under a lock and writes it back in one transaction), so
// concurrent PUTs of different fields all survive, and of the same field the
// last one committed wins, whole: the result is that of some serial order of
// the PUTs, never a mix of two of them and never one lost.

// invoiceFieldUpdate is one field a PUT sets in round r: the request's
// JSON member and the field's value as GET answers it.
type invoiceFieldUpdate struct {
	field string
	put   func(r int) string // the JSON value sent
	get   func(r int) string // the JSON value read back
}

func quoted(format string) func(int) string {
	return func(r int) string { return fmt.Sprintf(`"`+format+`"`, r) }
}

func pick(vals ...string) func(int) string {
	return func(r int) string { return `"` + vals[r%len(vals)] + `"` }
}

func amount(base int) (put, get func(int) string) {
	return func(r int) string { return fmt.Sprint(base + r) }, func(r int) string { return fmt.Sprintf(`"%d.0"`, base+r) }
}

// invoiceFields are every field an invoice update can set, one goroutine
// each.
var invoiceFields = func() []invoiceFieldUpdate {
	fs := []invoiceFieldUpdate{
		{field: "invoice_number", put: quoted("INV-CONC-%d")},
		{field: "customer_name", put: quoted("Customer %d")},
		{field: "customer_email", put: quoted("customer%d@example.com")},
		{field: "customer_country", put: pick("DEU", "FRA", "NLD", "ITA", "ESP")},
		{field: "customer_tax_number", put: quoted("TAX%d")},
		{field: "customer_address", put: quoted("%d Customer Street")},
		{field: "invoice_date", put: quoted("2024-01-1%d")},
		{field: "due_date", put: quoted("2024-02-1%d")},
		{field: "currency", put: pick("USD", "GBP", "CHF", "SEK", "NOK")},
		{field: "status", put: pick("draft", "pending", "sent", "paid")},
		{field: "supplier_tax_number", put: quoted("SUP%d")},
		{field: "supplier_country", put: pick("GBR", "USA", "CAN", "AUS", "IRL")},
		{field: "supplier_company_name", put: quoted("Supplier %d")},
		{field: "supplier_address", put: quoted("%d Supplier Street")},
		{field: "supplier_email", put: quoted("supplier%d@example.com")},
		{field: "line_items",
			put: func(r int) string {
				return fmt.Sprintf(`[{"description":"line %d","quantity":%d,"unit_price":5,"is_taxable":false}]`, r, r+1)
			},
			get: func(r int) string {
				return fmt.Sprintf(`[{"description":"line %d","quantity":"%d.0","unit_price":"5.0","is_taxable":false}]`, r, r+1)
			}},
	}
	for _, a := range []struct {
		field string
		base  int
	}{{"tax_rate", 1}, {"subtotal", 100}, {"total_tax", 10}, {"total", 110}, {"total_discount_amount", 0}} {
		put, get := amount(a.base)
		fs = append(fs, invoiceFieldUpdate{field: a.field, put: put, get: get})
	}
	for i := range fs {
		if fs[i].get == nil {
			fs[i].get = fs[i].put
		}
	}
	return fs
}()

// TestConcurrentInvoiceUpdates checks the rule at the HTTP level on both
// backends. Different fields: one goroutine per field (21) PUTs its field
// at once, five rounds; after each every field holds its round's value, so
// no PUT undid another's. The same fields: 20 goroutines each PUT status,
// customer_email, customer_name and line_items together, with values of
// their own; the invoice then holds all four of one PUT, not a mix.
func TestConcurrentInvoiceUpdates(t *testing.T) {
	forEachBackend(t, func(t *testing.T, a *testAPI) {
		body := a.expect(200, "POST", root+"/invoices/"+a.token, example(t, "invoices_bulk"))
		var created struct {
			Results []struct {
				ID int64 `json:"invoice_id"`
			} `json:"results"`
		}
		if err := json.Unmarshal([]byte(body), &created); err != nil || len(created.Results) == 0 || created.Results[0].ID == 0 {
			t.Fatalf("creating the invoice: %v: %s", err, body)
		}
		path := fmt.Sprintf("%s/invoices/%s/%d", root, a.token, created.Results[0].ID)

		for r := range 5 {
			bodies := make([]string, len(invoiceFields))
			for i, f := range invoiceFields {
				bodies[i] = fmt.Sprintf(`{%q:%s}`, f.field, f.put(r))
			}
			for _, err := range putAll(a.url+path, bodies) {
				t.Errorf("round %d: %v", r, err)
			}
			got := getInvoiceFields(t, a, path)
			for _, f := range invoiceFields {
				if want := f.get(r); got[f.field] != want {
					t.Errorf("round %d: %s = %s, want %s: an update was lost", r, f.field, got[f.field], want)
				}
			}
		}

		const writers = 20
		statuses := []string{"draft", "pending", "sent", "paid"}
		bodies := make([]string, writers)
		for i := range bodies {
			bodies[i] = fmt.Sprintf(`{"status":%q,"customer_email":"writer%d@example.com","customer_name":"Writer %d",`+
				`"line_items":[{"description":"by writer %d","quantity":1,"unit_price":%d}]}`, statuses[i%4], i, i, i, i+1)
		}
		for _, err := range putAll(a.url+path, bodies) {
			t.Error(err)
		}
		got := getInvoiceFields(t, a, path)
		var w int
		if _, err := fmt.Sscanf(got["customer_name"], `"Writer %d"`, &w); err != nil {
			t.Fatalf("customer_name %s: %v", got["customer_name"], err)
		}
		want := map[string]string{
			"status":         fmt.Sprintf("%q", statuses[w%4]),
			"customer_email": fmt.Sprintf(`"writer%d@example.com"`, w),
			"line_items":     fmt.Sprintf(`[{"description":"by writer %d","quantity":"1.0","unit_price":"%d.0","is_taxable":true}]`, w, w+1),
		}
		for field, v := range want {
			if got[field] != v {
				t.Errorf("%s = %s, want %s: the last PUT (writer %d) did not win whole", field, got[field], v, w)
			}
		}
	})
}

// putAll sends every body as a PUT to url at once (released together) and
// returns an error for each that was not answered 200.
func putAll(url string, bodies []string) []error {
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, len(bodies))
	for i, body := range bodies {
		wg.Go(func() {
			<-start
			req, err := http.NewRequest(http.MethodPut, url, strings.NewReader(body))
			if err != nil {
				errs[i] = err
				return
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				errs[i] = fmt.Errorf("PUT %s: %d %s", body, resp.StatusCode, b)
			}
		})
	}
	close(start)
	wg.Wait()
	var out []error
	for _, err := range errs {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}

// getInvoiceFields reads the invoice and returns each field's JSON value.
func getInvoiceFields(t *testing.T, a *testAPI, path string) map[string]string {
	t.Helper()
	var got struct {
		Invoice map[string]json.RawMessage `json:"invoice"`
	}
	body := a.expect(200, "GET", path, "")
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("GET: %v: %s", err, body)
	}
	out := map[string]string{}
	for k, v := range got.Invoice {
		out[k] = string(v)
	}
	return out
}
