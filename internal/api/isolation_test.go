package api_test

import (
	"strings"
	"testing"
)

// Another merchant's token on every id route answers exactly like an id that
// does not exist: same status, same message (with the id it asked for), and
// the record is unchanged and absent from the other merchant's lists.
func TestMerchantIsolation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, a *testAPI) {
		a.expect(200, "POST", root+"/customers/"+a.token, example(t, "customers_bulk"))
		a.expect(200, "POST", root+"/invoices/"+a.token, example(t, "invoices_bulk"))
		a.expect(200, "POST", root+"/credit_notes/"+a.token, example(t, "credit_notes_bulk"))
		const missing = "987654321"
		routes := []struct{ method, resource, body string }{
			{"GET", "customers", ""},
			{"PUT", "customers", `{"name":"Stolen"}`},
			{"GET", "invoices", ""},
			{"PUT", "invoices", `{"status":"paid"}`},
			{"GET", "credit_notes", ""},
			{"PUT", "credit_notes", `{"status":"paid"}`},
		}
		for _, r := range routes {
			for _, order := range []func(tok, id string) string{
				func(tok, id string) string { return root + "/" + r.resource + "/" + tok + "/" + id },
				func(tok, id string) string { return root + "/" + r.resource + "/" + id + "/" + tok },
			} {
				sMissing, bMissing := a.do(r.method, order(a.tokenB, missing), r.body)
				sOther, bOther := a.do(r.method, order(a.tokenB, "1"), r.body)
				if sOther != 404 || sOther != sMissing || strings.Replace(bMissing, missing, "1", 1) != bOther {
					t.Errorf("%s %s of another merchant: %d %s; a missing id: %d %s", r.method, r.resource, sOther, bOther, sMissing, bMissing)
				}
				// Bearer form too.
				sHdr, bHdr := a.do(r.method, root+"/"+r.resource+"/1", r.body, "Authorization", "Bearer "+a.tokenB)
				if sHdr != 404 || bHdr != bOther {
					t.Errorf("%s %s with a Bearer token of another merchant: %d %s", r.method, r.resource, sHdr, bHdr)
				}
			}
		}
		for _, res := range []string{"customers", "invoices", "credit_notes"} {
			if b := a.expect(200, "GET", root+"/"+res+"/"+a.tokenB, ""); !strings.Contains(b, `"`+res+`":[]`) {
				t.Errorf("merchant B lists merchant A's %s: %s", res, b)
			}
		}
		// Merchant A's records are untouched.
		if b := a.expect(200, "GET", root+"/customers/"+a.token+"/1", ""); strings.Contains(b, "Stolen") {
			t.Errorf("merchant B changed merchant A's customer: %s", b)
		}
		// A customer of merchant A cannot be linked by merchant B.
		got := a.expect(200, "POST", root+"/invoices/"+a.tokenB, `[{"customer_id":1,"customer_name":"X","invoice_date":"2024-01-01","status":"draft","line_items":[{"description":"x","quantity":1,"unit_price":1}],"subtotal":1,"total_tax":0,"total":1,"total_discount_amount":0}]`)
		if !strings.Contains(got, `"rule":"exists"`) {
			t.Errorf("merchant B linked merchant A's customer: %s", got)
		}
	})
}

// TestTokensNotLogged, covering every route class, is in tokens_test.go.
