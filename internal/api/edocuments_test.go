package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
)

// The e-document APIs of document 004: its request examples, sent to the
// documented URLs, get its documented answers; the status endpoint answers
// for each; refusals name the field, the rule and the figures.

// claimAll claims every queued transmission, which moves their documents to
// pending; the result is by document id.
func claimAll(t *testing.T, es store.EDocumentStore) map[int64]store.Transmission {
	t.Helper()
	trs, err := es.ClaimTransmissions(t.Context(), "api-test", time.Minute, 100)
	if err != nil {
		t.Fatalf("ClaimTransmissions: %v", err)
	}
	out := make(map[int64]store.Transmission, len(trs))
	for _, tr := range trs {
		out[tr.Document.ID] = tr
	}
	return out
}

func finish(t *testing.T, es store.EDocumentStore, tr store.Transmission, out store.Outcome) {
	t.Helper()
	if err := es.FinishTransmission(t.Context(), tr, out); err != nil {
		t.Fatalf("FinishTransmission(document %d, %s): %v", tr.Document.ID, out.Status, err)
	}
}

func statusPath(tok string, id any) string {
	return fmt.Sprintf("%s/e_documents/status-by-id/%s/%v/", root, tok, id)
}

// secondStamp is document 004's timestamp form, which golden() masks.
var secondStamp = regexp.MustCompile(`"(created_at|updated_at)":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"`)

// wantStamps checks that every timestamp of an answer has document 004's
// form ("2024-01-15T10:30:00Z"), since the golden files mask them.
func wantStamps(t *testing.T, body string) {
	t.Helper()
	if all, good := len(timestamps.FindAllString(body, -1)), len(secondStamp.FindAllString(body, -1)); all == 0 || all != good {
		t.Errorf("timestamps not in the form 2024-01-15T10:30:00Z: %s", body)
	}
}

// Each of document 004's four request examples, on a fresh server, as its
// documented URL spells it: the bulk answer, then the status of each
// document created.
func TestExamplesEDocuments(t *testing.T) {
	cases := []struct {
		name, resource string
		n              int
	}{
		{"e_invoices_single", "e_documents/invoices", 1},
		{"e_invoices_multiple", "e_documents/invoices", 2},
		{"e_credit_notes_single", "e_documents/credit-notes", 1},
		{"e_credit_notes_multiple", "e_documents/credit-notes", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			forEachBackend(t, func(t *testing.T, a *testAPI) {
				got := a.expect(200, "POST", root+"/"+c.resource+"/"+a.token+"/", example(t, c.name))
				wantStamps(t, got)
				golden(t, c.name, got)
				var status strings.Builder
				for id := 1; id <= c.n; id++ {
					b := a.expect(200, "GET", statusPath(a.token, id), "")
					wantStamps(t, b)
					status.WriteString(b)
				}
				golden(t, c.name+"_status", status.String())
			})
		})
	}
}

// The spellings the documents use for the same routes, the token in a
// header, the line items' "tax" alias, numbering when no number is given,
// and the US sales tax subtype.
func TestEDocumentSpellings(t *testing.T) {
	forEachBackend(t, func(t *testing.T, a *testAPI) {
		record := func(number string, mods map[string]any) string {
			return "[" + eRecord(t, number, mods) + "]"
		}
		posts := []struct{ path, body string }{
			{"/edocuments/invoices/" + a.token, record("SP-1", nil)},                                           // document 004's short form
			{"/api/app/l_invoice/e_documents/invoices/" + a.token, record("SP-2", nil)},                        // no /1/
			{root + "/e_documents/credit_notes/" + a.token + "/", record("", nil)},                             // underscore spelling, numbered
			{root + "/edocuments/credit-notes", record("", map[string]any{"supplier_country": "USA"})},         // Bearer below
			{root + "/e_documents/invoices/" + a.token, record("", map[string]any{"customer_country": "usa"})}, // numbered, US customer
		}
		for i, p := range posts {
			path := p.path
			if strings.HasPrefix(path, "/edocuments/") {
				path = root + path // the document's relative form, under our root
			}
			var got string
			if i == 3 {
				got = a.expect(200, "POST", path, p.body, "Authorization", "Bearer "+a.token)
			} else {
				got = a.expect(200, "POST", path, p.body)
			}
			if !strings.Contains(got, `"successful":1`) {
				t.Fatalf("POST %s: %s", redactIn(path), got)
			}
		}
		want := []struct{ number, invoiceType, typ string }{
			{"SP-1", "invoice", "vat_invoice"},
			{"SP-2", "invoice", "vat_invoice"},
			{"ECN-000001", "credit_note", "credit-note"},
			{"ECN-000002", "credit_note", "credit-note"}, // a credit note stays "credit-note" in the USA
			{"EINV-000001", "invoice", "sales_tax_invoice"},
		}
		for i, w := range want {
			id := i + 1
			paths := []string{statusPath(a.token, id), fmt.Sprintf("/api/app/l_invoice/edocuments/status-by-id/%d/%s", id, a.token)}
			for _, p := range paths {
				b := a.expect(200, "GET", p, "")
				for _, frag := range []string{`"invoice_number":"` + w.number + `"`, `"invoice_type":"` + w.invoiceType + `"`, `"type":"` + w.typ + `"`} {
					if !strings.Contains(b, frag) {
						t.Errorf("document %d: want %s in %s", id, frag, b)
					}
				}
			}
		}
		b := a.expect(200, "GET", fmt.Sprintf("%s/e_documents/status-by-id/1", root), "", "Authorization", basic(a.token, ""))
		if !strings.Contains(b, `"document_id":1`) {
			t.Errorf("status with Basic credentials: %s", b)
		}
		// "tax": false (the documents' examples) is is_taxable false: no tax
		// on that line, so a document whose tax covers it is refused.
		untaxed := record("SP-3", map[string]any{"line_items": []any{map[string]any{
			"description": "Exempt", "quantity": 1, "unit_price": 100.00, "tax": false}}})
		got := a.expect(200, "POST", root+"/e_documents/invoices/"+a.token, untaxed)
		if !strings.Contains(got, `"field":"tax","rule":"arithmetic"`) {
			t.Errorf("the tax alias was not read as is_taxable: %s", got)
		}
	})
}

// eBase is the first record of document 004's multiple e-invoices example.
const eBase = `{
	"created_date": "2024-01-15",
	"customer": "Customer A", "customer_street": "123 Street A", "customer_city": "City A",
	"customer_postal_code": "12345", "customer_peppol_id": "PE001",
	"supplier": "Your Company", "supplier_street": "456 Street B", "supplier_city": "City B",
	"supplier_postal_code": "67890", "supplier_peppol_id": "PE002",
	"total": 120.00, "subtotal": 100.00, "tax": 20.00, "tax_rate": 20.0,
	"line_items": [{"description": "Service A", "quantity": 1.0, "unit_price": 100.00, "is_taxable": true}]
}`

// absent removes a field from a record built by eRecord.
type absentField struct{}

var absent absentField

// eRecord is eBase with a number (none when "") and mods applied: a value
// replaces the field (json.RawMessage as written), absent removes it.
func eRecord(t testing.TB, number string, mods map[string]any) string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(eBase), &m); err != nil {
		t.Fatal(err)
	}
	if number != "" {
		m["invoice_number"] = json.RawMessage(`"` + number + `"`)
		m["credit_note_number"] = json.RawMessage(`"` + number + `"`)
	}
	for k, v := range mods {
		switch v := v.(type) {
		case absentField:
			delete(m, k)
		case json.RawMessage:
			m[k] = v
		default:
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			m[k] = b
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func raw(s string) json.RawMessage { return json.RawMessage(s) }

// An e-document must add up under EN 16931: each figure that does not is
// refused with the figures that disagree, and the other records are stored.
func TestEDocumentArithmeticRefusals(t *testing.T) {
	forEachBackend(t, func(t *testing.T, a *testAPI) {
		records := []string{
			eRecord(t, "AR-1", map[string]any{"subtotal": raw("90.00"), "total": raw("110.00")}), // subtotal only
			eRecord(t, "AR-2", map[string]any{"tax": raw("21.00"), "total": raw("121.00")}),      // tax only
			eRecord(t, "AR-3", map[string]any{"total": raw("125.00")}),                           // total only
			eRecord(t, "AR-4", nil), // adds up
			eRecord(t, "AR-5", map[string]any{"subtotal": raw("90"), "tax": raw("25"), "total": raw("130")}), // all three
			// Lines are rounded to the cent one by one (BR-CO-10) and a
			// non-taxable line bears no tax: 0.333 x 3 = 1.00 (0.999),
			// 2.5 x 10.01 = 25.03 (25.025), untaxed 5.00; tax 20% of 26.03
			// = 5.21 (5.206). Unrounded lines would make 31.02.
			eRecord(t, "AR-6", map[string]any{"subtotal": raw("31.03"), "tax": raw("5.21"), "total": raw("36.24"),
				"line_items": raw(`[{"description":"a","quantity":0.333,"unit_price":3},{"description":"b","quantity":2.5,"unit_price":10.01},{"description":"c","quantity":1,"unit_price":5,"tax":false}]`)}),
			eRecord(t, "AR-7", map[string]any{"subtotal": raw("31.02"), "tax": raw("5.21"), "total": raw("36.23"),
				"line_items": raw(`[{"description":"a","quantity":0.333,"unit_price":3},{"description":"b","quantity":2.5,"unit_price":10.01},{"description":"c","quantity":1,"unit_price":5,"tax":false}]`)}),
		}
		got := a.expect(200, "POST", root+"/e_documents/invoices/"+a.token, "["+strings.Join(records, ",")+"]")
		golden(t, "e_arithmetic", got)
		// The valid record is stored, and only it.
		list := a.expect(200, "GET", root+"/e_documents/"+a.token, "")
		if n := strings.Count(list, `"document_id"`); n != 2 || !strings.Contains(list, `"invoice_number":"AR-4"`) || !strings.Contains(list, `"invoice_number":"AR-6"`) {
			t.Errorf("want only AR-4 and AR-6 stored, got %s", list)
		}
	})
}

// Document 004's validation rules, each refused on its own record with the
// field and the rule; the one valid record is stored.
func TestEDocumentValidationRefusals(t *testing.T) {
	forEachBackend(t, func(t *testing.T, a *testAPI) {
		records := []string{
			eRecord(t, "VR-0", map[string]any{"customer": "", "customer_street": absent, "supplier_peppol_id": absent, "supplier_city": nil}),
			eRecord(t, "VR-1", map[string]any{"created_date": "2024-13-01", "due_date": "15/02/2024"}),
			eRecord(t, "VR-2", map[string]any{"created_date": "2024-02-15", "due_date": "2024-01-15"}),
			eRecord(t, "VR-3", map[string]any{"customer_country": "DE", "supplier_country": "XXX"}),
			eRecord(t, "VR-4", map[string]any{"tax": raw("-20.00"), "total": raw("-120")}),
			eRecord(t, "VR-5", map[string]any{"line_items": raw("[]")}),
			eRecord(t, "VR-6", map[string]any{"line_items": absent, "tax_rate": absent, "created_date": absent}),
			eRecord(t, "VR-7", map[string]any{"total": "120.00", "line_items": raw(`[5]`), "customer_city": 7}),
			eRecord(t, "VR-8", map[string]any{"line_items": raw(`[{"description":"","quantity":0,"unit_price":-1,"is_taxable":"yes"}]`)}),
			eRecord(t, "VR-9", map[string]any{"subtotal": raw("100.001"), "tax_rate": raw("120"), "currency": "EURO"}),
			eRecord(t, "VR-10", map[string]any{"customer_postal_code": "1234567890123", "supplier_tax_number": strings.Repeat("9", 26)}),
			`"not an object"`,
			eRecord(t, "VR-OK", nil),
		}
		got := a.expect(200, "POST", root+"/e_documents/invoices/"+a.token, "["+strings.Join(records, ",")+"]")
		golden(t, "e_validation", got)
		var answer struct {
			Results []struct {
				Status string `json:"status"`
				Error  string `json:"error"`
				Errors []invoicing.FieldError
			} `json:"results"`
			Successful, Failed int
		}
		if err := json.Unmarshal([]byte(got), &answer); err != nil {
			t.Fatal(err)
		}
		if answer.Successful != 1 || answer.Failed != len(records)-1 {
			t.Errorf("successful %d, failed %d", answer.Successful, answer.Failed)
		}
		for i, r := range answer.Results[:len(records)-1] {
			if r.Status != "error" || r.Error == "" || len(r.Errors) == 0 {
				t.Errorf("record %d: %+v", i, r)
			}
			for _, fe := range r.Errors {
				if fe.Field == "" || fe.Rule == "" || !strings.Contains(r.Error, fe.Message) {
					t.Errorf("record %d: problem %+v not named in %q", i, fe, r.Error)
				}
			}
		}
		list := a.expect(200, "GET", root+"/e_documents/"+a.token, "")
		if n := strings.Count(list, `"document_id"`); n != 1 || !strings.Contains(list, `"invoice_number":"VR-OK"`) {
			t.Errorf("want only VR-OK stored, got %s", list)
		}
	})
}

// Whole-request refusals on the e-document routes: document 004's form
// ("Error processing bulk ... creation: ..."), and nothing stored.
func TestEDocumentRequestRefusals(t *testing.T) {
	forEachBackend(t, func(t *testing.T, a *testAPI) {
		one := eRecord(t, "", nil)
		many := func(n int) string { return "[" + strings.TrimSuffix(strings.Repeat(one+",", n), ",") + "]" }
		inv, cn := root+"/e_documents/invoices/"+a.token, root+"/e_documents/credit-notes/"+a.token
		tests := []struct {
			name, method, path, body string
			status                   int
			message                  string
		}{
			{"object not array", "POST", inv, one, 400, "Error processing bulk e-invoice creation: request body must be a JSON array of e-invoices"},
			{"empty array", "POST", cn, `[]`, 400, "Error processing bulk e-credit note creation: request body must contain at least one of the e-credit notes"},
			{"101 records", "POST", inv, many(101), 400, "Error processing bulk e-invoice creation: at most 100 e-invoices per request (got 101); nothing was stored"},
			{"malformed", "POST", cn, `[{`, 400, "Error processing bulk e-credit note creation: malformed JSON body: unexpected end of JSON input (at byte 2)"},
			{"no token", "POST", root + "/e_documents/invoices", "[" + one + "]", 401, "missing access token"},
			{"unknown token", "GET", statusPath("vgt_00000000000000000000000000000000", 1), "", 401, "invalid access token"},
			{"unknown id", "GET", statusPath(a.token, 99999), "", 400, "E-document with ID 99999 not found"},
			{"id zero", "GET", statusPath(a.token, 0), "", 400, "E-document with ID 0 not found"},
			{"id beyond int64", "GET", statusPath(a.token, "99999999999999999999"), "", 400, "E-document with ID 99999999999999999999 not found"},
			{"unknown ubl", "GET", root + "/e_documents/ubl/" + a.token + "/99999", "", 404, "E-document with ID 99999 not found"},
			{"status wrong method", "POST", statusPath(a.token, 1), "[" + one + "]", 405, "method POST is not allowed here"},
			{"bad status filter", "GET", root + "/e_documents/" + a.token + "?status=paid", "", 400, `status: must be one of new, pending, sent, delivered, rejected, error (got "paid")`},
			{"bad limit", "GET", root + "/e_documents/" + a.token + "?limit=0", "", 400, `limit: must be an integer from 1 to 100 (got "0")`},
			{"bad cursor", "GET", root + "/e_documents/" + a.token + "?cursor=xyz", "", 400, `cursor: not a cursor this server issued (got "xyz")`},
			{"updated_since", "GET", root + "/e_documents/" + a.token + "?updated_since=2024-01-01", "", 400, "updated_since: not supported on the e-document list; filter by status, or page with cursor"},
		}
		for _, tt := range tests {
			status, body := a.do(tt.method, tt.path, tt.body)
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
		// Document 004's error example, exactly.
		if _, body := a.do("GET", statusPath(a.token, 99999), ""); body != `{"status":400,"message":"E-document with ID 99999 not found"}`+"\n" {
			t.Errorf("unknown id answer: %s", body)
		}
		if body := a.expect(200, "GET", root+"/e_documents/"+a.token, ""); !strings.Contains(body, `"e_documents":[]`) {
			t.Errorf("a refused request stored e-documents: %s", body)
		}
	})
}

// A number already used by a document not in error is an error result for
// that record; the others are stored. E-invoices and e-credit notes number
// apart.
func TestEDocumentDuplicateNumber(t *testing.T) {
	forEachBackend(t, func(t *testing.T, a *testAPI) {
		es := a.store
		a.expect(200, "POST", root+"/e_documents/invoices/"+a.token, example(t, "e_invoices_single"))
		// The multiple example repeats INV-2024-001, now new.
		golden(t, "e_invoices_multiple_duplicate", a.expect(200, "POST", root+"/e_documents/invoices/"+a.token, example(t, "e_invoices_multiple")))
		// Sent, it is still taken.
		trs := claimAll(t, es)
		finish(t, es, trs[1], store.Outcome{Status: invoicing.EStatusSent, UBL: []byte("<Invoice/>")})
		got := a.expect(200, "POST", root+"/e_documents/invoices/"+a.token, "["+eRecord(t, "INV-2024-001", nil)+"]")
		if !strings.Contains(got, `"failed":1`) || !strings.Contains(got, `"rule":"unique"`) {
			t.Errorf("a sent document's number reused: %s", got)
		}
		// The same number as an e-credit note is another sequence.
		got = a.expect(200, "POST", root+"/e_documents/credit-notes/"+a.token, "["+eRecord(t, "INV-2024-001", nil)+"]")
		if !strings.Contains(got, `"successful":1`) || !strings.Contains(got, `"credit_note_number":"INV-2024-001"`) {
			t.Errorf("an e-credit note cannot take an e-invoice's number: %s", got)
		}
		// The same number twice in one request: the second is refused.
		got = a.expect(200, "POST", root+"/e_documents/credit-notes/"+a.token, "["+eRecord(t, "CN-X", nil)+","+eRecord(t, "CN-X", nil)+"]")
		if !strings.Contains(got, `"successful":1,"failed":1`) || !strings.Contains(got, `{"index":1,"status":"error"`) {
			t.Errorf("a number given twice in one request: %s", got)
		}
	})
}

// Document 004's error recovery: a document in error is replaced by a new
// upload of its number, answered "updated", back to new and queued.
func TestEDocumentErrorRecovery(t *testing.T) {
	forEachBackend(t, func(t *testing.T, a *testAPI) {
		es := a.store
		a.expect(200, "POST", root+"/e_documents/invoices/"+a.token, example(t, "e_invoices_single"))
		a.expect(200, "POST", root+"/e_documents/credit-notes/"+a.token, example(t, "e_credit_notes_single"))
		trs := claimAll(t, es)
		if len(trs) != 2 {
			t.Fatalf("claimed %d transmissions, want 2", len(trs))
		}
		b := a.expect(200, "GET", statusPath(a.token, 1), "")
		if !strings.Contains(b, `"document_status":"pending"`) || !strings.Contains(b, `"error":null`) {
			t.Errorf("a claimed document: %s", b)
		}
		const reason = "customer_peppol_id: DE123456789 is not registered in the Peppol network"
		for _, tr := range trs {
			finish(t, es, tr, store.Outcome{Status: invoicing.EStatusError, Reason: reason})
		}
		golden(t, "e_status_error", a.expect(200, "GET", statusPath(a.token, 1), ""))
		ubl := a.expect(404, "GET", root+"/e_documents/ubl/"+a.token+"/1", "")
		if want := `{"status":404,"message":"E-document 1 has no UBL: it failed before conversion (` + reason + `)"}` + "\n"; ubl != want {
			t.Errorf("UBL of a document that failed: %s", ubl)
		}

		got := a.expect(200, "POST", root+"/e_documents/invoices/"+a.token, example(t, "e_invoices_single"))
		golden(t, "e_invoices_recovered", got)
		golden(t, "e_credit_notes_recovered", a.expect(200, "POST", root+"/e_documents/credit-notes/"+a.token, example(t, "e_credit_notes_single")))
		for id := 1; id <= 2; id++ {
			b := a.expect(200, "GET", statusPath(a.token, id), "")
			if !strings.Contains(b, `"document_status":"new"`) || !strings.Contains(b, `"error":null`) {
				t.Errorf("document %d after recovery: %s", id, b)
			}
		}
		if n, err := es.PendingTransmissions(t.Context()); err != nil || n != 2 {
			t.Errorf("queued after recovery: %d, %v; want 2", n, err)
		}
		// Recovered, the number is no longer in error: a third upload is refused.
		got = a.expect(200, "POST", root+"/e_documents/invoices/"+a.token, example(t, "e_invoices_single"))
		if !strings.Contains(got, `"status":"error"`) || !strings.Contains(got, `"rule":"unique"`) {
			t.Errorf("a recovered document's number reused: %s", got)
		}
		// And it is sent this time.
		trs = claimAll(t, es)
		finish(t, es, trs[1], store.Outcome{Status: invoicing.EStatusDelivered, UBL: []byte("<Invoice/>")})
		if b := a.expect(200, "GET", statusPath(a.token, 1), ""); !strings.Contains(b, `"document_status":"delivered"`) {
			t.Errorf("after the second transmission: %s", b)
		}
	})
}

// The UBL route answers the UBL byte for byte as transmitted.
func TestEDocumentUBL(t *testing.T) {
	forEachBackend(t, func(t *testing.T, a *testAPI) {
		es := a.store
		a.expect(200, "POST", root+"/e_documents/invoices/"+a.token, example(t, "e_invoices_multiple"))
		path := func(id int) string { return fmt.Sprintf("%s/e_documents/ubl/%s/%d", root, a.token, id) }
		if got := a.expect(404, "GET", path(1), ""); got != `{"status":404,"message":"E-document 1 has no UBL yet: it is still being converted"}`+"\n" {
			t.Errorf("UBL of a new document: %s", got)
		}
		ubl := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\">\r\n  <cbc:ID>INV-2024-001 &amp; Ü</cbc:ID>\n</Invoice>\n"
		trs := claimAll(t, es)
		if got := a.expect(404, "GET", path(2), ""); !strings.Contains(got, "still being converted") {
			t.Errorf("UBL of a pending document: %s", got)
		}
		finish(t, es, trs[1], store.Outcome{Status: invoicing.EStatusSent, UBL: []byte(ubl)})
		for _, p := range []string{path(1), fmt.Sprintf("/api/app/l_invoice/edocuments/ubl/1/%s/", a.token)} {
			req := a.expect(200, "GET", p, "")
			if req != ubl {
				t.Errorf("UBL differs from the transmitted one:\n got: %q\nwant: %q", req, ubl)
			}
		}
		status, ct := ublContentType(t, a, path(1))
		if status != 200 || ct != "application/xml" {
			t.Errorf("UBL answered %d with Content-Type %q", status, ct)
		}
	})
}

func ublContentType(t *testing.T, a *testAPI, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(a.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Content-Type")
}

// Another merchant's e-document answers exactly like a missing one on the
// status and UBL routes, in every token position, and is not listed.
func TestEDocumentIsolation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, a *testAPI) {
		es := a.store
		a.expect(200, "POST", root+"/e_documents/invoices/"+a.token, example(t, "e_invoices_single"))
		a.expect(200, "POST", root+"/e_documents/invoices/"+a.token, example(t, "e_invoices_multiple")) // 2: INV-2024-002
		trs := claimAll(t, es)
		finish(t, es, trs[1], store.Outcome{Status: invoicing.EStatusSent, UBL: []byte("<Invoice/>")})
		const missing = "987654321"
		for _, tc := range []struct {
			resource string
			status   int
		}{{"status-by-id", 400}, {"ubl", 404}} {
			for _, order := range []func(tok, id string) string{
				func(tok, id string) string { return root + "/e_documents/" + tc.resource + "/" + tok + "/" + id + "/" },
				func(tok, id string) string { return root + "/edocuments/" + tc.resource + "/" + id + "/" + tok },
			} {
				for _, id := range []string{"1", "2"} {
					sMissing, bMissing := a.do("GET", order(a.tokenB, missing), "")
					sOther, bOther := a.do("GET", order(a.tokenB, id), "")
					if sOther != tc.status || sOther != sMissing || strings.Replace(bMissing, missing, id, 1) != bOther {
						t.Errorf("%s of another merchant's %s: %d %s; a missing id: %d %s", tc.resource, id, sOther, bOther, sMissing, bMissing)
					}
					sHdr, bHdr := a.do("GET", root+"/e_documents/"+tc.resource+"/"+id, "", "Authorization", "Bearer "+a.tokenB)
					if sHdr != tc.status || bHdr != bOther {
						t.Errorf("%s with a Bearer token of another merchant: %d %s", tc.resource, sHdr, bHdr)
					}
				}
			}
		}
		for _, q := range []string{"", "?status=new", "?status=sent", "?status=pending"} {
			if b := a.expect(200, "GET", root+"/e_documents/"+a.tokenB+q, ""); !strings.Contains(b, `"e_documents":[]`) {
				t.Errorf("merchant B lists merchant A's e-documents (%s): %s", q, b)
			}
		}
		// Merchant B may use merchant A's numbers: they are per merchant.
		got := a.expect(200, "POST", root+"/e_documents/invoices/"+a.tokenB, example(t, "e_invoices_single"))
		if !strings.Contains(got, `"successful":1`) {
			t.Errorf("merchant B cannot use a number of merchant A's: %s", got)
		}
		if b := a.expect(200, "GET", statusPath(a.token, 1), ""); !strings.Contains(b, `"document_status":"sent"`) {
			t.Errorf("merchant A's document after merchant B's upload: %s", b)
		}
	})
}

// The list: oldest first, filtered by status, paged by cursor.
func TestEDocumentList(t *testing.T) {
	forEachBackend(t, func(t *testing.T, a *testAPI) {
		es := a.store
		var records []string
		for i := 1; i <= 6; i++ {
			records = append(records, eRecord(t, fmt.Sprintf("L-%d", i), nil))
		}
		a.expect(200, "POST", root+"/e_documents/invoices/"+a.token, "["+strings.Join(records[:4], ",")+"]")
		trs := claimAll(t, es)
		finish(t, es, trs[1], store.Outcome{Status: invoicing.EStatusError, Reason: "supplier_peppol_id: PE002 has no known scheme"})
		finish(t, es, trs[2], store.Outcome{Status: invoicing.EStatusSent, UBL: []byte("<Invoice/>")})
		finish(t, es, trs[3], store.Outcome{Status: invoicing.EStatusRejected, Reason: "receiver: unknown buyer reference", UBL: []byte("<Invoice/>")})
		// 4 stays pending; 5 and 6 (credit notes) are new.
		a.expect(200, "POST", root+"/e_documents/credit-notes/"+a.token, "["+strings.Join(records[4:], ",")+"]")

		golden(t, "e_list", a.expect(200, "GET", root+"/e_documents/"+a.token, ""))
		ids := func(body string) string {
			var got struct {
				Docs []struct {
					ID     int64  `json:"document_id"`
					Status string `json:"document_status"`
				} `json:"e_documents"`
				HasMore bool    `json:"has_more"`
				Next    *string `json:"next_cursor"`
			}
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatalf("%v: %s", err, body)
			}
			var parts []string
			for _, d := range got.Docs {
				parts = append(parts, fmt.Sprintf("%d:%s", d.ID, d.Status))
			}
			return fmt.Sprintf("%s more=%v", strings.Join(parts, ","), got.HasMore)
		}
		for q, want := range map[string]string{
			"?status=error":           "1:error more=false",
			"?status=new":             "5:new,6:new more=false",
			"?status=new&limit=1":     "5:new more=true",
			"?status=pending":         "4:pending more=false",
			"?status=rejected":        "3:rejected more=false",
			"?status=delivered":       " more=false",
			"?limit=6":                "1:error,2:sent,3:rejected,4:pending,5:new,6:new more=false",
			"/?status=sent&limit=100": "2:sent more=false",
		} {
			if got := ids(a.expect(200, "GET", root+"/e_documents/"+a.token+q, "")); got != want {
				t.Errorf("list %s: %s, want %s", q, got, want)
			}
		}
		// Paging through everything, two at a time, with the cursors.
		var pages []string
		path := root + "/e_documents/" + a.token + "?limit=2"
		for range 5 {
			body := a.expect(200, "GET", path, "")
			pages = append(pages, ids(body))
			var next struct {
				Next *string `json:"next_cursor"`
			}
			_ = json.Unmarshal([]byte(body), &next)
			if next.Next == nil {
				break
			}
			path = root + "/e_documents/" + a.token + "?limit=2&cursor=" + *next.Next
		}
		if got, want := strings.Join(pages, " | "), "1:error,2:sent more=true | 3:rejected,4:pending more=true | 5:new,6:new more=false"; got != want {
			t.Errorf("pages: %s\nwant: %s", got, want)
		}
		// A cursor with a filter pages the filtered list.
		first := a.expect(200, "GET", root+"/e_documents/"+a.token+"?status=new&limit=1", "")
		var c struct {
			Next string `json:"next_cursor"`
		}
		_ = json.Unmarshal([]byte(first), &c)
		if got := ids(a.expect(200, "GET", root+"/e_documents/"+a.token+"?status=new&limit=1&cursor="+c.Next, "")); got != "6:new more=false" {
			t.Errorf("second page of new: %s", got)
		}
		// The list and the status endpoint show a document alike.
		status := a.expect(200, "GET", statusPath(a.token, 3), "")
		list := a.expect(200, "GET", root+"/e_documents/"+a.token+"?status=rejected", "")
		var s struct{ Data json.RawMessage }
		var l struct {
			Docs []json.RawMessage `json:"e_documents"`
		}
		_ = json.Unmarshal([]byte(status), &s)
		_ = json.Unmarshal([]byte(list), &l)
		if len(l.Docs) != 1 || string(l.Docs[0]) != string(s.Data) {
			t.Errorf("list entry %s differs from status data %s", l.Docs, s.Data)
		}
	})
}
