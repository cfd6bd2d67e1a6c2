package api_test

import (
	"strings"
	"testing"
)

// The documents' example bodies, sent as their example programs send them,
// must get the documented answers. Ids are those of a fresh database.

const root = "/api/1/app/l_invoice"

func TestExamplesCustomers(t *testing.T) {
	forEachBackend(t, func(t *testing.T, a *testAPI) {
		golden(t, "customers_bulk", a.expect(200, "POST", root+"/customers/"+a.token, example(t, "customers_bulk")))
		// Document 000's update examples put the id first and use the
		// /api/app/ spelling in the prose: both are accepted.
		golden(t, "customers_update", a.expect(200, "PUT", "/api/1/app/l_invoice/customers/1/"+a.token, example(t, "customers_update")))
		golden(t, "customers_update_again", a.expect(200, "PUT", "/api/app/l_invoice/customers/"+a.token+"/1", example(t, "customers_update_java")))
		golden(t, "customers_get", a.expect(200, "GET", root+"/customers/"+a.token+"/1", ""))
		golden(t, "customers_bulk_java", a.expect(200, "POST", root+"/customers/"+a.token+"/", example(t, "customers_bulk_java")))
		golden(t, "customers_list", a.expect(200, "GET", root+"/customers/"+a.token+"?limit=2", ""))
	})
}

func TestExamplesInvoices(t *testing.T) {
	forEachBackend(t, func(t *testing.T, a *testAPI) {
		golden(t, "invoices_bulk", a.expect(200, "POST", root+"/invoices/"+a.token, example(t, "invoices_bulk")))
		golden(t, "invoices_update", a.expect(200, "PUT", root+"/invoices/"+a.token+"/1", example(t, "invoices_update")))
		golden(t, "invoices_get", a.expect(200, "GET", root+"/invoices/"+a.token+"/1", ""))
		// The Java example repeats INV-2024-001, which is now taken.
		golden(t, "invoices_bulk_java_duplicate", a.expect(200, "POST", root+"/invoices/"+a.token, example(t, "invoices_bulk_java")))
		golden(t, "invoices_update_java", a.expect(200, "PUT", root+"/invoices/2/"+a.token, example(t, "invoices_update_java")))
		golden(t, "invoices_list", a.expect(200, "GET", root+"/invoices/"+a.token, ""))
	})
}

func TestExamplesCreditNotes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, a *testAPI) {
		golden(t, "credit_notes_bulk", a.expect(200, "POST", root+"/credit_notes/"+a.token, example(t, "credit_notes_bulk")))
		golden(t, "credit_notes_update", a.expect(200, "PUT", root+"/credit_notes/"+a.token+"/1", example(t, "credit_notes_update")))
		golden(t, "credit_notes_get", a.expect(200, "GET", root+"/credit_notes/"+a.token+"/1", ""))
		golden(t, "credit_notes_bulk_java_duplicate", a.expect(200, "POST", root+"/credit_notes/"+a.token, example(t, "credit_notes_bulk_java")))
		golden(t, "credit_notes_update_java", a.expect(200, "PUT", root+"/credit_notes/"+a.token+"/2", example(t, "credit_notes_update_java")))
	})
}

// Every example program sends the token in the path; integrators who move
// it to a header (Bearer, or Basic as OMP does) get the same answers.
func TestTokenInHeader(t *testing.T) {
	forEachBackend(t, func(t *testing.T, a *testAPI) {
		body := example(t, "customers_bulk_java")
		a.expect(200, "POST", root+"/customers", body, "Authorization", "Bearer "+a.token)
		a.expect(200, "PUT", root+"/customers/1", `{"city":"Paris"}`, "Authorization", "Bearer "+a.token)
		got := a.expect(200, "GET", root+"/customers/1", "", "Authorization", basic(a.token, ""))
		if !strings.Contains(got, `"city":"Paris"`) {
			t.Errorf("update through a Bearer token not applied: %s", got)
		}
		a.expect(200, "GET", root+"/customers/1", "", "Authorization", basic("anyone", a.token))
		a.expect(401, "GET", root+"/customers/1", "", "Authorization", "Bearer vgt_notarealtokennotarealtoken1234")
		a.expect(401, "GET", root+"/customers/1", "")
	})
}
