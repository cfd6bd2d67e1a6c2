package api_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// Whole-request refusals: the status, the message, and that nothing was stored.
func TestRequestRefusals(t *testing.T) {
	forEachBackend(t, func(t *testing.T, a *testAPI) {
		one := `{"name":"Acme"}`
		many := func(n int) string { return "[" + strings.TrimSuffix(strings.Repeat(one+",", n), ",") + "]" }
		tests := []struct {
			name, method, path, body string
			headers                  []string
			status                   int
			message                  string
		}{
			{"no token", "POST", root + "/customers", "[" + one + "]", nil, 401, "missing access token"},
			{"unknown token", "POST", root + "/customers/vgt_00000000000000000000000000000000", "[" + one + "]", nil, 401, "invalid access token"},
			{"foreign token text", "POST", root + "/customers/your-access-token", "[" + one + "]", nil, 401, "invalid access token"},
			{"not json content type", "POST", root + "/customers/" + a.token, "[" + one + "]", []string{"Content-Type", "text/plain"}, 415, "Content-Type must be application/json"},
			{"form content type", "POST", root + "/customers/" + a.token, "[" + one + "]", []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "Content-Type must be application/json"},
			{"malformed", "POST", root + "/customers/" + a.token, `[{"name":"Acme"`, nil, 400, "malformed JSON body: unexpected end of JSON input (at byte 15)"},
			{"object not array", "POST", root + "/customers/" + a.token, one, nil, 400, "request body must be a JSON array of customers"},
			{"empty array", "POST", root + "/customers/" + a.token, `[]`, nil, 400, "request body must contain at least one of the customers"},
			{"empty body", "POST", root + "/customers/" + a.token, ` `, nil, 400, "request body is empty; it must be JSON"},
			{"101 records", "POST", root + "/customers/" + a.token, many(101), nil, 400, "at most 100 customers per request (got 101); nothing was stored"},
			{"101 invoices", "POST", root + "/invoices/" + a.token, many(101), nil, 400, "at most 100 invoices per request (got 101); nothing was stored"},
			{"101 credit notes", "POST", root + "/credit_notes/" + a.token, many(101), nil, 400, "at most 100 credit notes per request (got 101); nothing was stored"},
			{"too large", "POST", root + "/customers/" + a.token, `[{"name":"` + strings.Repeat("a", 1<<20) + `"}]`, nil, 413, "request body exceeds the limit of 1048576 bytes"},
			{"update array", "PUT", root + "/customers/" + a.token + "/1", "[" + one + "]", nil, 400, "request body must be a JSON object"},
			{"update nothing known", "PUT", root + "/customers/" + a.token + "/1", `{"nmae":"x"}`, nil, 400, "request body has no field to update"},
			{"unknown customer", "PUT", root + "/customers/" + a.token + "/999999", one, nil, 404, "Customer with ID 999999 not found"},
			{"unknown invoice", "GET", root + "/invoices/" + a.token + "/999999", "", nil, 404, "Invoice with ID 999999 not found"},
			{"unknown credit note", "PUT", root + "/credit_notes/" + a.token + "/999999", `{"status":"paid"}`, nil, 404, "Credit note with ID 999999 not found"},
			{"id beyond int64", "GET", root + "/invoices/" + a.token + "/99999999999999999999", "", nil, 404, "Invoice with ID 99999999999999999999 not found"},
			{"unknown route", "GET", root + "/orders/" + a.token, "", nil, 404, "no such route"},
			{"wrong method", "DELETE", root + "/invoices/" + a.token + "/1", "", nil, 405, "method DELETE is not allowed here"},
			{"bad limit", "GET", root + "/invoices/" + a.token + "?limit=101", "", nil, 400, `limit: must be an integer from 1 to 100 (got "101")`},
			{"bad cursor", "GET", root + "/invoices/" + a.token + "?cursor=xyz", "", nil, 400, `cursor: not a cursor this server issued (got "xyz")`},
			{"bad updated_since", "GET", root + "/invoices/" + a.token + "?updated_since=yesterday", "", nil, 400, `updated_since: must be an RFC 3339 timestamp or a YYYY-MM-DD date (got "yesterday")`},
		}
		for _, tt := range tests {
			status, body := a.do(tt.method, tt.path, tt.body, tt.headers...)
			var got struct {
				Status  int    `json:"status"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Errorf("%s: answer is not JSON: %s", tt.name, body)
				continue
			}
			if status != tt.status || got.Status != tt.status || got.Message != tt.message {
				t.Errorf("%s: got %d %+v; want %d %q", tt.name, status, got, tt.status, tt.message)
			}
		}
		// None of those stored anything.
		if body := a.expect(200, "GET", root+"/customers/"+a.token, ""); !strings.Contains(body, `"customers":[]`) {
			t.Errorf("a refused request stored customers: %s", body)
		}
	})
}

// Within a bulk request each record stands alone: invalid records get an
// error naming the field and the rule, the valid ones are stored.
func TestBulkMixedRecords(t *testing.T) {
	forEachBackend(t, func(t *testing.T, a *testAPI) {
		body := `[
		 {"name":"Good One","country":"deu","language":"de"},
		 {"name":"","email":"nope","country":"XXX"},
		 "not an object",
		 {"name":"Good Two","city":` + fmt.Sprintf("%q", strings.Repeat("é", 31)) + `},
		 {"name":42}
		]`
		golden(t, "customers_bulk_mixed", a.expect(200, "POST", root+"/customers/"+a.token, body))

		inv := `[
		 {"customer_name":"A","invoice_date":"2024-02-30","status":"void","line_items":[{"description":"x","quantity":0,"unit_price":1.005,"tax":"yes"}],"subtotal":1.001,"total_tax":-1,"total":"12","total_discount_amount":0},
		 {"customer_name":"B","invoice_date":"2024-02-29","status":"paid","line_items":[{"description":"x","quantity":1,"unit_price":10}],"subtotal":10,"total_tax":0,"total":10,"total_discount_amount":0},
		 {"customer_name":"C","invoice_date":"2024-03-01","status":"paid","customer_id":987654,"line_items":[{"description":"x","quantity":1,"unit_price":10}],"subtotal":10,"total_tax":0,"total":10,"total_discount_amount":0},
		 {"customer_name":"D","invoice_date":"2024-03-01","status":"draft","line_items":[],"subtotal":10,"total_tax":0,"total":10,"total_discount_amount":0},
		 {"invoice_number":"INV-000001","customer_name":"E","invoice_date":"2024-03-01","status":"draft","line_items":[{"description":"x","quantity":1,"unit_price":10}],"subtotal":10,"total_tax":0,"total":10,"total_discount_amount":0},
		 {"customer_name":"F","customer_id":1,"invoice_date":"2024-03-01","status":"sent","line_items":[{"description":"x","quantity":1.5,"unit_price":10,"is_taxable":false}],"subtotal":15,"total_tax":0,"total":15,"total_discount_amount":0}
		]`
		golden(t, "invoices_bulk_mixed", a.expect(200, "POST", root+"/invoices/"+a.token, inv))
		golden(t, "invoices_list_after_mixed", a.expect(200, "GET", root+"/invoices/"+a.token, ""))
	})
}

func TestUpdateRefusals(t *testing.T) {
	forEachBackend(t, func(t *testing.T, a *testAPI) {
		a.expect(200, "POST", root+"/invoices/"+a.token, example(t, "invoices_bulk"))
		before := a.expect(200, "GET", root+"/invoices/"+a.token+"/1", "")
		golden(t, "invoices_update_invalid", a.expect(400, "PUT", root+"/invoices/"+a.token+"/1", `{"status":"void","line_items":[],"total":1.234}`))
		golden(t, "invoices_update_taken_number", a.expect(409, "PUT", root+"/invoices/"+a.token+"/1", `{"invoice_number":"INV-2024-002"}`))
		golden(t, "invoices_update_unknown_customer", a.expect(400, "PUT", root+"/invoices/"+a.token+"/1", `{"customer_id":424242}`))
		golden(t, "invoices_update_wrong_type", a.expect(400, "PUT", root+"/invoices/"+a.token+"/1", `{"subtotal":"100.00"}`))
		if after := a.expect(200, "GET", root+"/invoices/"+a.token+"/1", ""); timestamps.ReplaceAllString(after, "") != timestamps.ReplaceAllString(before, "") {
			t.Errorf("refused updates changed the invoice:\nbefore %s\nafter  %s", before, after)
		}
		// A credit note update can clear nothing required.
		// Invoices and credit notes share one id space: read the id back.
		created := a.expect(200, "POST", root+"/credit_notes/"+a.token, example(t, "credit_notes_bulk"))
		id := regexp.MustCompile(`"credit_note_id":(\d+)`).FindStringSubmatch(created)[1]
		golden(t, "credit_notes_update_clear_due_date", a.expect(400, "PUT", root+"/credit_notes/"+a.token+"/"+id, `{"due_date":null}`))
		a.expect(404, "PUT", root+"/invoices/"+a.token+"/"+id, `{"status":"paid"}`) // a credit note is no invoice
	})
}

// 100 records is the most a bulk request may carry: all are stored.
func TestBulkLimitAccepted(t *testing.T) {
	forEachBackend(t, func(t *testing.T, a *testAPI) {
		recs := make([]string, 100)
		for i := range recs {
			recs[i] = fmt.Sprintf(`{"customer_name":"C%d","credit_note_date":"2024-01-01","due_date":"2024-02-01","status":"draft","line_items":[{"description":"x","quantity":1,"unit_price":1}],"subtotal":1,"total_tax":0,"total":1,"total_discount_amount":0}`, i)
		}
		body := a.expect(200, "POST", root+"/credit_notes/"+a.token, "["+strings.Join(recs, ",")+"]")
		if n := strings.Count(body, `"status":"success"`); n != 100 {
			t.Fatalf("%d of 100 stored: %s", n, body)
		}
		if !strings.Contains(body, `"index":99,"status":"success","credit_note_id":100,"credit_note_number":"CN-000100"`) {
			t.Errorf("the 100th record is not numbered CN-000100: %s", body[len(body)-200:])
		}
	})
}

// An internal failure answers 500 with a generic message and a request id;
// the detail goes to the log only.
func TestInternalErrorIsGeneric(t *testing.T) {
	st := testdbSQLite(t)
	a := newTestAPI(t, st)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	status, body := a.do("POST", root+"/invoices/"+a.token, example(t, "invoices_bulk"))
	if status != 500 || !strings.HasPrefix(body, `{"status":500,"message":"internal server error (request id `) || strings.Contains(body, "sql") {
		t.Fatalf("got %d %s", status, body)
	}
	if !strings.Contains(a.logs.String(), `"level":"ERROR"`) {
		t.Errorf("the internal error was not logged:\n%s", a.logs.String())
	}
}
