package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/vatgate/vatgate/internal/api"
	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
	"github.com/vatgate/vatgate/internal/testdb"
)

// The bad-input catalogue: hostile and malformed requests on every route,
// each with the exact status and message it must get, and nothing stored or
// changed by any of them (everything both merchants can list is compared
// before and after each case), on every backend. A case's path, body and
// headers may name the records of the fixture: {tok} and {tokB} (merchants
// A and B), {basicA} (A's token as Basic credentials), {cust}, {inv}, {cn},
// {edoc}, {hook} (A's) and {hookB} (B's).
type badInput struct {
	route   string // the route, for the count by route
	name    string
	method  string
	path    string
	body    string
	headers []string // name, value pairs; a value "-" removes the header
	status  int
	// message is the answer's message, or for a bulk upload answered 200,
	// the first record's; a message ending in "…" is a prefix (it holds a
	// request id).
	message string
}

const (
	pCust  = root + "/customers/{tok}"
	pInv   = root + "/invoices/{tok}"
	pCN    = root + "/credit_notes/{tok}"
	pEInv  = root + "/e_documents/invoices/{tok}"
	pECN   = root + "/e_documents/credit-notes/{tok}"
	pEList = root + "/e_documents/{tok}"
	pHooks = root + "/webhooks/{tok}"
)

// ompBody is a valid OMP request with one field's JSON text replaced by
// the given one (name, JSON text pairs).
func ompBody(kv ...string) string {
	return importEU.with(kv...).json()
}

// badInputs is the catalogue. Byte positions count from 1.
func badInputs() []badInput {
	big := `[{"name":"` + strings.Repeat("a", 1<<20) + `"}]`
	é256 := strings.Repeat("é", 256)
	inv := func(mods string) string {
		return `[{"customer_name":"A","invoice_date":"2024-03-01","status":"draft","line_items":[{"description":"x","quantity":1,"unit_price":10}],"subtotal":10,"total_tax":0,"total":10,"total_discount_amount":0` + mods + `}]`
	}
	cn := func(mods string) string {
		return `[{"customer_name":"A","credit_note_date":"2024-03-01","due_date":"2024-04-01","status":"draft","line_items":[{"description":"x","quantity":1,"unit_price":10}],"subtotal":10,"total_tax":0,"total":10,"total_discount_amount":0` + mods + `}]`
	}
	edoc := func(mods string) string {
		return `[{"created_date":"2024-01-15","customer":"Customer A","customer_street":"1 Street","customer_city":"City","customer_postal_code":"12345","customer_peppol_id":"PE001","supplier":"Us","supplier_street":"2 Street","supplier_city":"City","supplier_postal_code":"67890","supplier_peppol_id":"PE002","total":120.00,"subtotal":100.00,"tax":20.00,"tax_rate":20.0,"line_items":[{"description":"Service A","quantity":1.0,"unit_price":100.00,"is_taxable":true}]` + mods + `}]`
	}
	ctl := func(field string, r rune, at int) string {
		return fmt.Sprintf("%s: must not contain control characters (got U+%04X at character %d)", field, r, at)
	}
	eErr := "Error processing bulk e-invoice creation: "
	eCNErr := "Error processing bulk e-credit note creation: "
	json415 := "Content-Type must be application/json"
	bearerA := []string{"Authorization", "Bearer {tok}"}

	return []badInput{
		// POST customers
		{"POST customers", "duplicate key", "POST", pCust, `[{"name":"Acme","country":"DEU","name":"Evil"}]`, nil, 400, `malformed JSON body: duplicate key "name" in $[0] (at byte 33)`},
		{"POST customers", "duplicate key in the second record, escaped", "POST", pCust, `[{"name":"A"},{"name":"B","n\u0061me":"C"}]`, nil, 400, `malformed JSON body: duplicate key "name" in $[1] (at byte 27)`},
		{"POST customers", "invalid UTF-8", "POST", pCust, "[{\"name\":\"Caf\xe9\"}]", nil, 400, `malformed JSON body: invalid UTF-8 in a string at $[0].name (at byte 14)`},
		{"POST customers", "latin-1 declared", "POST", pCust, "[{\"name\":\"Caf\xe9\"}]", []string{"Content-Type", "application/json; charset=iso-8859-1"}, 400, `malformed JSON body: invalid UTF-8 in a string at $[0].name (at byte 14)`},
		{"POST customers", "lone surrogate", "POST", pCust, `[{"name":"\ud83d"}]`, nil, 400, `malformed JSON body: lone UTF-16 surrogate \ud83d in a string at $[0].name (at byte 11)`},
		{"POST customers", "trailing array", "POST", pCust, `[{"name":"A"}] [{"name":"B"}]`, nil, 400, `malformed JSON body: unexpected data after the JSON value (at byte 16)`},
		{"POST customers", "trailing garbage", "POST", pCust, `[{"name":"A"}]};`, nil, 400, `malformed JSON body: unexpected data after the JSON value (at byte 15)`},
		{"POST customers", "nested too deep", "POST", pCust, `[{"name":"A","extra":{"a":{"b":{"c":{"d":{}}}}}}]`, nil, 400, `malformed JSON body: nested deeper than 6 levels at $[0].extra.a.b.c.d (at byte 42)`},
		{"POST customers", "deep array bomb", "POST", pCust, strings.Repeat("[", 5000) + strings.Repeat("]", 5000), nil, 400, `malformed JSON body: nested deeper than 6 levels at $[0][0][0][0][0][0] (at byte 7)`},
		{"POST customers", "number too long", "POST", pCust, `[{"name":"A","extra":` + strings.Repeat("1", 41) + `}]`, nil, 400, `malformed JSON body: number out of range at $[0].extra: more than 40 digits (at byte 22)`},
		{"POST customers", "exponent too long", "POST", pCust, `[{"name":"A","extra":1e99999}]`, nil, 400, `malformed JSON body: number out of range at $[0].extra: an exponent of more than 3 digits (at byte 22)`},
		{"POST customers", "byte order mark", "POST", pCust, "\xef\xbb\xbf[{\"name\":\"A\"}]", nil, 400, `malformed JSON body: invalid character 'ï' looking for beginning of value (at byte 1)`},
		{"POST customers", "NUL in name", "POST", pCust, `[{"name":"Acme\u0000"}]`, nil, 200, ctl("name", 0, 5)},
		{"POST customers", "escape code in contact_person", "POST", pCust, `[{"name":"A","contact_person":"\u001b[31mred"}]`, nil, 200, ctl("contact_person", 0x1b, 1)},
		{"POST customers", "C1 control in city", "POST", pCust, `[{"name":"A","city":"Ber\u0085lin"}]`, nil, 200, ctl("city", 0x85, 4)},
		{"POST customers", "DEL in address", "POST", pCust, `[{"name":"A","address_line_1":"Main St\u007f"}]`, nil, 200, ctl("address_line_1", 0x7f, 8)},
		{"POST customers", "newline in address", "POST", pCust, `[{"name":"A","address_line_1":"1 Main St\nApt 2"}]`, nil, 200, ctl("address_line_1", '\n', 10)},
		{"POST customers", "256 characters", "POST", pCust, `[{"name":"` + é256 + `"}]`, nil, 200, "name: must be at most 255 characters (got 256)"},
		{"POST customers", "text/plain", "POST", pCust, `[{"name":"A"}]`, []string{"Content-Type", "text/plain"}, 415, json415},
		{"POST customers", "no Content-Type", "POST", pCust, `[{"name":"A"}]`, []string{"Content-Type", "-"}, 415, json415},
		{"POST customers", "two media types", "POST", pCust, `[{"name":"A"}]`, []string{"Content-Type", "application/json, text/plain"}, 415, json415},
		{"POST customers", "oversized body", "POST", pCust, big, nil, 413, "request body exceeds the limit of 1048576 bytes"},
		{"POST customers", "no token", "POST", root + "/customers", `[{"name":"A"}]`, nil, 401, "missing access token"},
		{"POST customers", "empty Bearer", "POST", root + "/customers", `[{"name":"A"}]`, []string{"Authorization", "Bearer "}, 401, "missing access token"},
		{"POST customers", "Basic not base64", "POST", root + "/customers", `[{"name":"A"}]`, []string{"Authorization", "Basic !!!"}, 401, "missing access token"},
		{"POST customers", "NUL after the token", "POST", root + "/customers/{tok}%00", `[{"name":"A"}]`, nil, 401, "invalid access token"},
		{"POST customers", "null body", "POST", pCust, `null`, nil, 400, "request body must be a JSON array of customers"},
		{"POST customers", "Idempotency-Key too long", "POST", pCust, `[{"name":"A"}]`, []string{"Idempotency-Key", strings.Repeat("k", 256)}, 400, "Idempotency-Key: must be 1 to 255 characters long"},

		// PUT customers
		{"PUT customers", "duplicate key", "PUT", pCust + "/{cust}", `{"name":"A","name":"B"}`, nil, 400, `malformed JSON body: duplicate key "name" in $ (at byte 13)`},
		{"PUT customers", "control character", "PUT", pCust + "/{cust}", `{"name":"Acme\r"}`, nil, 400, ctl("name", '\r', 5)},
		{"PUT customers", "invalid UTF-8 in a key", "PUT", pCust + "/{cust}", "{\"n\xffame\":\"A\"}", nil, 400, `malformed JSON body: invalid UTF-8 in a key in $ (at byte 4)`},
		{"PUT customers", "id and two tokens", "PUT", pCust + "/{cust}/{tokB}", `{"name":"A"}`, nil, 404, "no such route"},
		{"PUT customers", "merchant B's customer", "PUT", root + "/customers/{tokB}/{cust}", `{"name":"Stolen"}`, nil, 404, "Customer with ID {cust} not found"},

		// GET customers
		{"GET customers", "id zero", "GET", pCust + "/0", "", nil, 404, "Customer with ID 0 not found"},
		{"GET customers", "id beyond int64", "GET", pCust + "/99999999999999999999", "", nil, 404, "Customer with ID 99999999999999999999 not found"},
		{"GET customers", "merchant B's customer", "GET", root + "/customers/{tokB}/{cust}", "", nil, 404, "Customer with ID {cust} not found"},
		{"GET customers", "list limit not a number", "GET", pCust + "?limit=ten", "", nil, 400, `limit: must be an integer from 1 to 100 (got "ten")`},
		{"GET customers", "list cursor forged", "GET", pCust + "?cursor=MTA%3D", "", nil, 400, `cursor: not a cursor this server issued (got "MTA=")`},

		// POST invoices
		{"POST invoices", "duplicate key in a line", "POST", pInv, `[{"customer_name":"A","line_items":[{"description":"x","quantity":1,"quantity":1000}]}]`, nil, 400, `malformed JSON body: duplicate key "quantity" in $[0].line_items[0] (at byte 69)`},
		{"POST invoices", "duplicate total", "POST", pInv, inv(`,"total":10`), nil, 400, `malformed JSON body: duplicate key "total" in $[0] (at byte 197)`},
		{"POST invoices", "unit_price of 41 digits", "POST", pInv, inv(`,"x":[{"unit_price":0.` + strings.Repeat("0", 40) + `}]`), nil, 400, `malformed JSON body: number out of range at $[0].x[0].unit_price: more than 40 digits (at byte 216)`},
		{"POST invoices", "tiny exponent", "POST", pInv, `[{"total":1e-1000}]`, nil, 400, `malformed JSON body: number out of range at $[0].total: an exponent of more than 3 digits (at byte 11)`},
		{"POST invoices", "nested too deep in a line", "POST", pInv, `[{"line_items":[{"description":{"a":{"b":[]}}}]}]`, nil, 400, `malformed JSON body: nested deeper than 6 levels at $[0].line_items[0].description.a.b (at byte 42)`},
		{"POST invoices", "tab in customer_name", "POST", pInv, strings.Replace(inv(""), `"customer_name":"A"`, `"customer_name":"A\tB"`, 1), nil, 200, ctl("customer_name", '\t', 2)},
		{"POST invoices", "newline in a description", "POST", pInv, strings.Replace(inv(""), `"description":"x"`, `"description":"x\ny"`, 1), nil, 200, ctl("line_items[0].description", '\n', 2)},
		{"POST invoices", "256 characters", "POST", pInv, strings.Replace(inv(""), `"customer_name":"A"`, `"customer_name":"`+é256+`"`, 1), nil, 200, "customer_name: must be at most 255 characters (got 256)"},
		{"POST invoices", "form content type", "POST", pInv, inv(""), []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, json415},
		{"POST invoices", "wrong Bearer", "POST", root + "/invoices", inv(""), []string{"Authorization", "Bearer vgt_00000000000000000000000000000000"}, 401, "invalid access token"},

		// PUT invoices
		{"PUT invoices", "duplicate status", "PUT", pInv + "/{inv}", `{"status":"paid","status":"draft"}`, nil, 400, `malformed JSON body: duplicate key "status" in $ (at byte 18)`},
		{"PUT invoices", "control character", "PUT", pInv + "/{inv}", `{"supplier_company_name":"Us\u009b"}`, nil, 400, ctl("supplier_company_name", 0x9b, 3)},
		{"PUT invoices", "trailing data", "PUT", pInv + "/{inv}", `{"status":"paid"}x`, nil, 400, `malformed JSON body: unexpected data after the JSON value (at byte 18)`},
		{"PUT invoices", "lone low surrogate", "PUT", pInv + "/{inv}", `{"customer_name":"\udc00"}`, nil, 400, `malformed JSON body: lone UTF-16 surrogate \udc00 in a string at $.customer_name (at byte 19)`},
		{"PUT invoices", "customer_id out of int64", "PUT", pInv + "/{inv}", `{"customer_id":9223372036854775808}`, nil, 400, "customer_id: must be an integer"},

		// GET invoices and the invoice list
		{"GET invoices", "credit note's id", "GET", pInv + "/{cn}", "", nil, 404, "Invoice with ID {cn} not found"},
		{"GET invoices", "dot segments", "GET", root + "/invoices/%2e%2e/{tok}", "", nil, 404, "no such route"},
		{"GET invoices", "negative id", "GET", pInv + "/-1", "", nil, 404, "no such route"},
		{"GET invoices list", "limit zero", "GET", pInv + "?limit=0", "", nil, 400, `limit: must be an integer from 1 to 100 (got "0")`},
		{"GET invoices list", "updated_since not a time", "GET", pInv + "?updated_since=2024-02-30", "", nil, 400, `updated_since: must be an RFC 3339 timestamp or a YYYY-MM-DD date (got "2024-02-30")`},

		// credit notes
		{"POST credit notes", "duplicate key", "POST", pCN, cn(`,"status":"sent"`), nil, 400, `malformed JSON body: duplicate key "status" in $[0] (at byte 225)`},
		{"POST credit notes", "control character", "POST", pCN, strings.Replace(cn(""), `"customer_name":"A"`, `"customer_name":"\u0007A"`, 1), nil, 200, ctl("customer_name", 7, 1)},
		{"PUT credit notes", "invalid UTF-8", "PUT", pCN + "/{cn}", "{\"customer_name\":\"\xc0\xaf\"}", nil, 400, `malformed JSON body: invalid UTF-8 in a string at $.customer_name (at byte 19)`},
		{"PUT credit notes", "invoice's id", "PUT", pCN + "/{inv}", `{"status":"paid"}`, nil, 404, "Credit note with ID {inv} not found"},
		{"GET credit notes", "merchant B's", "GET", root + "/credit_notes/{tokB}/{cn}", "", nil, 404, "Credit note with ID {cn} not found"},
		{"GET credit notes list", "cursor not base64", "GET", pCN + "?cursor=%FF", "", nil, 400, `cursor: not a cursor this server issued (got "\xff")`},

		// e-documents
		{"POST e-invoices", "duplicate key", "POST", pEInv, edoc(`,"total":1.00`), nil, 400, eErr + `malformed JSON body: duplicate key "total" in $[0] (at byte 452)`},
		{"POST e-invoices", "invalid UTF-8", "POST", pEInv, strings.Replace(edoc(""), "Customer A", "Customer \xa0", 1), nil, 400, eErr + `malformed JSON body: invalid UTF-8 in a string at $[0].customer (at byte 52)`},
		{"POST e-invoices", "NUL in customer", "POST", pEInv, strings.Replace(edoc(""), "Customer A", `Customer\u0000A`, 1), nil, 200, ctl("customer", 0, 9)},
		{"POST e-invoices", "newline in supplier_street", "POST", pEInv, strings.Replace(edoc(""), "2 Street", `2 Street\nFloor 3`, 1), nil, 200, ctl("supplier_street", '\n', 9)},
		{"POST e-invoices", "256 characters", "POST", pEInv, strings.Replace(edoc(""), "Customer A", é256, 1), nil, 200, "customer: must be at most 255 characters (got 256)"},
		{"POST e-invoices", "no Content-Type", "POST", pEInv, edoc(""), []string{"Content-Type", "-"}, 415, eErr + json415},
		{"POST e-invoices", "oversized body", "POST", pEInv, big, nil, 413, eErr + "request body exceeds the limit of 1048576 bytes"},
		{"POST e-credit notes", "nested too deep", "POST", root + "/e_documents/credit_notes/{tok}", `[{"line_items":[{"a":[[[{}]]]}]}]`, nil, 400, eCNErr + `malformed JSON body: nested deeper than 6 levels at $[0].line_items[0].a[0][0] (at byte 24)`},
		{"POST e-credit notes", "number out of range", "POST", root + "/edocuments/credit-notes/{tok}", `[{"tax_rate":1e-0020}]`, nil, 400, eCNErr + `malformed JSON body: number out of range at $[0].tax_rate: an exponent of more than 3 digits (at byte 14)`},
		{"POST e-credit notes", "empty body", "POST", pECN, "\r\n", nil, 400, eCNErr + "request body is empty; it must be JSON"},
		{"GET e-document status", "id zero", "GET", root + "/e_documents/status-by-id/{tok}/0", "", nil, 400, "E-document with ID 0 not found"},
		{"GET e-document status", "merchant B's", "GET", root + "/e_documents/status-by-id/{tokB}/{edoc}", "", nil, 400, "E-document with ID {edoc} not found"},
		{"GET e-document status", "wrong method", "DELETE", root + "/e_documents/status-by-id/{tok}/{edoc}", "", nil, 405, "method DELETE is not allowed here"},
		{"GET e-document UBL", "not converted yet", "GET", root + "/e_documents/ubl/{tok}/{edoc}", "", nil, 404, "E-document {edoc} has no UBL yet: it is still being converted"},
		{"GET e-document UBL", "merchant B's", "GET", root + "/e_documents/ubl/{tokB}/{edoc}", "", nil, 404, "E-document with ID {edoc} not found"},
		{"GET e-documents list", "unknown status", "GET", pEList + "?status=SENT", "", nil, 400, `status: must be one of new, pending, sent, delivered, rejected, error (got "SENT")`},
		{"GET e-documents list", "limit too big", "GET", pEList + "?limit=1000", "", nil, 400, `limit: must be an integer from 1 to 100 (got "1000")`},

		// OMP, with the token in the path (document 003's sandbox form) and in a header
		{"POST OMP", "duplicate key, Bearer", "POST", ompPath, `{"invoice_id":"1","invoice_id":"2"}`, bearerA, 400, `malformed JSON body: duplicate key "invoice_id" in $ (at byte 19)`},
		{"POST OMP", "invalid UTF-8, token in path", "POST", ompPath + "/{tok}", "{\"invoice_id\":\"\xff\"}", nil, 400, `malformed JSON body: invalid UTF-8 in a string at $.invoice_id (at byte 16)`},
		{"POST OMP", "nested too deep, Basic", "POST", ompPath, ompBody("Item", `[{"item_code":[[[[[1]]]]]}]`), []string{"Authorization", "Basic {basicA}"}, 400, `malformed JSON body: nested deeper than 6 levels at $.Item[0].item_code[0][0][0] (at byte 26)`},
		{"POST OMP", "price out of range", "POST", ompPath + "/{tok}", ompBody("order_amount", "1"+strings.Repeat("0", 45)), nil, 400, `malformed JSON body: number out of range at $.order_amount: more than 40 digits (at byte 266)`},
		{"POST OMP", "lone surrogate", "POST", ompPath, ompBody("invoice_id", `"\ud800\ud800"`), bearerA, 400, `malformed JSON body: lone UTF-16 surrogate \ud800 in a string at $.invoice_id (at byte 170)`},
		{"POST OMP", "trailing data", "POST", ompPath, ompBody() + `{}`, bearerA, 400, `malformed JSON body: unexpected data after the JSON value (at byte 376)`},
		{"POST OMP", "array body", "POST", ompPath, `[]`, bearerA, 400, "request body must be a JSON object"},
		{"POST OMP", "wrong token in path", "POST", ompPath + "/0123456789abcdef0123456789abcdef", ompBody(), nil, 401, "invalid access token"},
		{"POST OMP", "Basic with a wrong password", "POST", ompPath, ompBody(), []string{"Authorization", "Basic d3Jvbmc6d3Jvbmc="}, 401, "invalid access token"},
		{"POST OMP", "token in path and a segment more", "POST", ompPath + "/{tok}/x", ompBody(), nil, 404, "no such route"},

		// webhooks
		{"POST webhooks", "duplicate url", "POST", pHooks, `{"url":"https://hooks.example.com/a","url":"https://hooks.example.com/b"}`, nil, 400, `malformed JSON body: duplicate key "url" in $ (at byte 38)`},
		{"POST webhooks", "invalid UTF-8", "POST", pHooks, "{\"url\":\"https://hooks.example.com/\xfe\"}", nil, 400, `malformed JSON body: invalid UTF-8 in a string at $.url (at byte 35)`},
		{"POST webhooks", "control character in the URL", "POST", pHooks, `{"url":"https://hooks.example.com/\u0000"}`, nil, 422, `url: "https://hooks.example.com/\x00" is not an absolute URL`},
		{"POST webhooks", "url not a string", "POST", pHooks, `{"url":["https://hooks.example.com/"]}`, nil, 400, "url: must be a string"},
		{"POST webhooks", "number out of range", "POST", pHooks, `{"url":"https://hooks.example.com/","n":-` + strings.Repeat("9", 50) + `}`, nil, 400, `malformed JSON body: number out of range at $.n: more than 40 digits (at byte 41)`},
		{"DELETE webhooks", "merchant B's endpoint", "DELETE", pHooks + "/{hookB}", "", nil, 404, "Webhook endpoint with ID {hookB} not found"},
		{"DELETE webhooks", "no id", "DELETE", pHooks, "", nil, 405, "method DELETE is not allowed here"},
		{"DELETE webhooks", "id beyond int64", "DELETE", pHooks + "/18446744073709551616", "", nil, 404, "Webhook endpoint with ID 18446744073709551616 not found"},
		{"GET webhook deliveries", "merchant B's endpoint", "GET", pHooks + "/{hookB}/deliveries", "", nil, 404, "Webhook endpoint with ID {hookB} not found"},
		{"GET webhook deliveries", "bad limit", "GET", pHooks + "/{hook}/deliveries?limit=-1", "", nil, 400, `limit: must be an integer from 1 to 100 (got "-1")`},
		{"GET webhook deliveries", "deliveries without an id", "GET", pHooks + "/deliveries", "", nil, 404, "no such route"},

		// paths
		{"paths", "double slash", "GET", root + "//customers/{tok}", "", nil, 404, "no such route"},
		{"paths", "upper case", "GET", "/API/1/app/l_invoice/customers/{tok}", "", nil, 404, "no such route"},
		{"paths", "three segments", "GET", pCust + "/1/2", "", nil, 404, "no such route"},
		{"paths", "braces for a token", "GET", root + "/customers/%7Btok%7D", "", nil, 401, "invalid access token"},
		{"paths", "unknown version", "GET", "/api/2/app/l_invoice/customers/{tok}", "", nil, 404, "no such route"},
	}
}

// badFixture is the records the catalogue names: merchant A has customers,
// invoices, credit notes, an e-document and a webhook endpoint; merchant B
// a webhook endpoint.
type badFixture struct{ vars *strings.Replacer }

func newBadInputAPI(t testing.TB, st store.Store) *testAPI {
	t.Helper()
	logs := &bytes.Buffer{}
	server := api.NewServer(st, slog.New(slog.NewJSONHandler(logs, nil)), api.Config{
		MaxBodyBytes: 1 << 20, OMP: testEngine(), Now: testNow, WebhookResolver: webhookDNS,
	})
	srv := httptest.NewServer(server)
	t.Cleanup(srv.Close)
	a := &testAPI{t: t, url: srv.URL, store: st, server: server, logs: logs}
	a.token = mustMerchantToken(t, st, "Merchant A")
	a.tokenB = mustMerchantToken(t, st, "Merchant B")
	return a
}

func firstID(t testing.TB, body, key string) string {
	t.Helper()
	m := regexp.MustCompile(`"` + key + `":(\d+)`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in %s", key, body)
	}
	return m[1]
}

func setUpBadFixture(t testing.TB, a *testAPI) badFixture {
	t.Helper()
	cust := firstID(t, a.expect(200, "POST", root+"/customers/"+a.token, `[{"name":"Fixture GmbH","country":"DEU"}]`), "customer_id")
	inv := firstID(t, a.expect(200, "POST", root+"/invoices/"+a.token, example(t, "invoices_bulk")), "invoice_id")
	cn := firstID(t, a.expect(200, "POST", root+"/credit_notes/"+a.token, example(t, "credit_notes_bulk")), "credit_note_id")
	edoc := firstID(t, a.expect(200, "POST", root+"/e_documents/invoices/"+a.token, "["+eRecord(t, "FIX-1", nil)+"]"), "id")
	hook := fmt.Sprint(a.createWebhook(a.token, "https://hooks.example.com/a").Webhook.ID)
	hookB := fmt.Sprint(a.createWebhook(a.tokenB, "https://hooks.example.com/b").Webhook.ID)
	basicA := strings.TrimPrefix(basic(a.token, ""), "Basic ")
	return badFixture{strings.NewReplacer("{tok}", a.token, "{tokB}", a.tokenB, "{cust}", cust, "{inv}", inv, "{cn}", cn,
		"{edoc}", edoc, "{hook}", hook, "{hookB}", hookB, "{basicA}", basicA)}
}

// snapshot is everything both merchants can read back: a refused request
// must leave it as it was.
func (f badFixture) snapshot(t testing.TB, a *testAPI) string {
	t.Helper()
	var b strings.Builder
	for _, tok := range []string{"{tok}", "{tokB}"} {
		for _, p := range []string{"/customers/", "/invoices/", "/credit_notes/", "/e_documents/", "/webhooks/"} {
			b.WriteString(a.expect(200, "GET", f.vars.Replace(root+p+tok+"?limit=100"), ""))
		}
	}
	b.WriteString(a.expect(200, "GET", f.vars.Replace(pHooks+"/{hook}/deliveries?limit=100"), ""))
	return b.String()
}

// sendRaw sends a catalogue request as it is: the body's bytes, its headers.
func (a *testAPI) sendRaw(method, path, body string, headers []string) (int, http.Header, string) {
	a.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, a.url+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "-" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// answerMessage is an answer's message; for a bulk upload answered 200,
// its first record's ("message", or "error" on the e-document routes).
func answerMessage(status int, body string) (string, error) {
	var got struct {
		Status  any    `json:"status"`
		Message string `json:"message"`
		Results []struct {
			Message string `json:"message"`
			Error   string `json:"error"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		return "", err
	}
	if status == 200 && len(got.Results) > 0 {
		return got.Results[0].Message + got.Results[0].Error, nil
	}
	if n, ok := got.Status.(float64); !ok || int(n) != status {
		return "", fmt.Errorf("status field %v, not %d", got.Status, status)
	}
	return got.Message, nil
}

func TestBadInputCatalogue(t *testing.T) {
	cases := badInputs()
	routes := map[string]int{}
	for _, c := range cases {
		routes[c.route]++
	}
	if len(cases) < 60 {
		t.Errorf("the catalogue has %d cases, fewer than 60", len(cases))
	}
	forEachBadInputBackend(t, func(t *testing.T, a *testAPI) {
		f := setUpBadFixture(t, a)
		before := f.snapshot(t, a)
		for _, c := range cases {
			path, body := f.vars.Replace(c.path), f.vars.Replace(c.body)
			headers := slices.Clone(c.headers)
			for i := range headers {
				headers[i] = f.vars.Replace(headers[i])
			}
			status, _, answer := a.sendRaw(c.method, path, body, headers)
			want := f.vars.Replace(c.message)
			got, err := answerMessage(status, answer)
			prefix, isPrefix := strings.CutSuffix(want, "…")
			switch {
			case err != nil:
				t.Errorf("%s: %s: %d, answer not the documented shape (%v): %.300s", c.route, c.name, status, err, answer)
			case status != c.status:
				t.Errorf("%s: %s: status %d, want %d: %.300s", c.route, c.name, status, c.status, answer)
			case isPrefix && !strings.HasPrefix(got, prefix), !isPrefix && got != want:
				t.Errorf("%s: %s:\n got %q\nwant %q", c.route, c.name, got, want)
			}
			if status >= 500 {
				t.Errorf("%s: %s: %d", c.route, c.name, status)
			}
			if after := f.snapshot(t, a); after != before {
				t.Errorf("%s: %s stored or changed something:\nbefore %s\nafter  %s", c.route, c.name, before, after)
				before = after
			}
		}
	})
	names := make([]string, 0, len(routes))
	for r := range routes {
		names = append(names, r)
	}
	sort.Strings(names)
	var sum strings.Builder
	for _, r := range names {
		fmt.Fprintf(&sum, "\n  %-24s %d", r, routes[r])
	}
	t.Logf("%d bad inputs by route:%s", len(cases), sum.String())
}

func forEachBadInputBackend(t *testing.T, f func(t *testing.T, a *testAPI)) {
	for _, b := range testdb.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			f(t, newBadInputAPI(t, b.Open(t)))
		})
	}
}

// Text limits count characters, and the same on every route: 255 "é"
// (510 bytes), "日" (765) or "😀" (1,020) pass where 255 is the limit, and
// 256 are refused with the same message.
func TestTextLimitsCountCharacters(t *testing.T) {
	forEachBackend(t, func(t *testing.T, a *testAPI) {
		cust := firstID(t, a.expect(200, "POST", root+"/customers/"+a.token, `[{"name":"Limit"}]`), "customer_id")
		for _, ch := range []string{"é", "日", "😀"} {
			for _, n := range []int{255, 256} {
				s := strings.Repeat(ch, n)
				check := func(route, field, got string) {
					t.Helper()
					want := field + ": must be at most 255 characters (got 256)"
					if n == 255 && strings.Contains(got, `"errors"`) || n == 256 && !strings.Contains(got, want) {
						t.Errorf("%s %s of %d × %q: %.400s", route, field, n, ch, got)
					}
				}
				check("POST customers", "name", a.expect(200, "POST", root+"/customers/"+a.token, `[{"name":"`+s+`"}]`))
				status, got := a.do("PUT", root+"/customers/"+a.token+"/"+cust, `{"name":"`+s+`"}`)
				if want := map[int]int{255: 200, 256: 400}[n]; status != want {
					t.Errorf("PUT customers name of %d × %q: %d %s", n, ch, status, got)
				}
				check("PUT customers", "name", got)
				doc := `[{"customer_name":"` + s + `","invoice_date":"2024-03-01","credit_note_date":"2024-03-01","due_date":"2024-04-01","status":"draft","line_items":[{"description":"` + s + `","quantity":1,"unit_price":10}],"subtotal":10,"total_tax":0,"total":10,"total_discount_amount":0}]`
				got = a.expect(200, "POST", root+"/invoices/"+a.token, doc)
				check("POST invoices", "customer_name", got)
				check("POST invoices", "line_items[0].description", got)
				got = a.expect(200, "POST", root+"/credit_notes/"+a.token, doc)
				check("POST credit notes", "customer_name", got)
				e := eRecord(t, "", map[string]any{"customer": s, "supplier": s})
				got = a.expect(200, "POST", root+"/e_documents/invoices/"+a.token, "["+e+"]")
				check("POST e-invoices", "customer", got)
				check("POST e-invoices", "supplier", got)
			}
		}
	})
}

// Control characters are refused in every text field of every route, with
// the rule control_characters naming the field.
func TestControlCharactersRefused(t *testing.T) {
	forEachBackend(t, func(t *testing.T, a *testAPI) {
		type target struct{ route, path, body string }
		customer := func(field, v string) string {
			if field == "name" {
				return `[{"name":` + v + `}]`
			}
			return `[{"name":"A",` + fmt.Sprintf("%q", field) + `:` + v + `}]`
		}
		document := func(date, field, v string) string {
			rec := map[string]json.RawMessage{
				"customer_name": json.RawMessage(`"A"`), date: json.RawMessage(`"2024-03-01"`), "due_date": json.RawMessage(`"2024-04-01"`),
				"status": json.RawMessage(`"draft"`), "subtotal": json.RawMessage(`10`), "total_tax": json.RawMessage(`0`), "total": json.RawMessage(`10`),
				"total_discount_amount": json.RawMessage(`0`),
				"line_items":            json.RawMessage(`[{"description":"x","quantity":1,"unit_price":10}]`),
			}
			if field == "line_items[0].description" {
				rec["line_items"] = json.RawMessage(`[{"description":` + v + `,"quantity":1,"unit_price":10}]`)
			} else {
				rec[field] = json.RawMessage(v)
			}
			b, _ := json.Marshal(rec)
			return "[" + string(b) + "]"
		}
		edoc := func(field, v string) string {
			if field == "line_items[0].description" {
				return "[" + eRecord(t, "", map[string]any{"line_items": raw(`[{"description":` + v + `,"quantity":1,"unit_price":100}]`)}) + "]"
			}
			return "[" + eRecord(t, "", map[string]any{field: raw(v)}) + "]"
		}
		customerFields := []string{"name", "email", "tax_number", "peppol_id", "contact_person", "city", "state", "address_line_1", "address_line_2", "postal_code"}
		documentFields := []string{"customer_name", "customer_email", "customer_tax_number", "customer_address", "supplier_tax_number", "supplier_company_name", "supplier_address", "supplier_email", "line_items[0].description"}
		eFields := []string{"invoice_number", "recipient_reference", "line_items[0].description"}
		for _, party := range []string{"customer", "supplier"} {
			for _, suffix := range []string{"", "_street", "_city", "_postal_code", "_peppol_id", "_tax_number"} {
				eFields = append(eFields, party+suffix)
			}
		}
		for _, r := range []rune{0, '\t', '\n', 0x1f, 0x7f, 0x80, 0x9f} {
			v := fmt.Sprintf(`"ab\u%04x@c.de"`, r) // an email address too, where the field is one
			var targets []target
			for _, f := range customerFields {
				targets = append(targets, target{"POST customers " + f, root + "/customers/" + a.token, customer(f, v)})
			}
			for _, f := range append(documentFields, "invoice_number") {
				targets = append(targets, target{"POST invoices " + f, root + "/invoices/" + a.token, document("invoice_date", f, v)})
			}
			for _, f := range append(documentFields, "credit_note_number") {
				targets = append(targets, target{"POST credit notes " + f, root + "/credit_notes/" + a.token, document("credit_note_date", f, v)})
			}
			for _, f := range eFields {
				targets = append(targets, target{"POST e-invoices " + f, root + "/e_documents/invoices/" + a.token, edoc(f, v)})
			}
			for _, tg := range targets {
				field := tg.route[strings.LastIndexByte(tg.route, ' ')+1:]
				want := invoicing.FieldError{Field: field, Rule: invoicing.RuleControl,
					Message: fmt.Sprintf("%s: must not contain control characters (got U+%04X at character 3)", field, r)}
				got := a.expect(200, "POST", tg.path, tg.body)
				var answer struct {
					Results []struct {
						Errors []invoicing.FieldError `json:"errors"`
					} `json:"results"`
				}
				if err := json.Unmarshal([]byte(got), &answer); err != nil || len(answer.Results) != 1 || !slices.Contains(answer.Results[0].Errors, want) {
					t.Errorf("%s with U+%04X: want %+v in %.500s", tg.route, r, want, got)
				}
			}
		}
		// None of it was stored.
		for _, p := range []string{"/customers/", "/invoices/", "/credit_notes/", "/e_documents/"} {
			if got := a.expect(200, "GET", root+p+a.token, ""); strings.Contains(got, `"id"`) || strings.Contains(got, `"document_id"`) {
				t.Errorf("a refused record was stored: %s", got)
			}
		}
	})
}

// panicStore is a real store whose CreateCustomers panics, as a bug in a
// handler or a backend would.
type panicStore struct{ store.Store }

func (panicStore) CreateCustomers(context.Context, int64, []invoicing.Customer) ([]invoicing.Customer, error) {
	panic("injected panic")
}

// A panic in a handler is a 500 with the request id, logged with its
// stack, and the server goes on serving.
func TestPanicAnswers500(t *testing.T) {
	for _, b := range testdb.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			a := newTestAPI(t, panicStore{b.Open(t)})
			status, h, body := a.sendRaw("POST", root+"/customers/"+a.token, `[{"name":"Boom"}]`, nil)
			id := h.Get("X-Request-Id")
			if want := `{"status":500,"message":"internal server error (request id ` + id + `)"}` + "\n"; status != 500 || id == "" || body != want {
				t.Fatalf("got %d %q (X-Request-Id %q); want 500 %q", status, body, id, want)
			}
			if logs := a.logs.String(); !strings.Contains(logs, `"msg":"panic"`) || !strings.Contains(logs, "injected panic") || !strings.Contains(logs, `"request_id":"`+id+`"`) {
				t.Errorf("the panic was not logged with its request id:\n%s", logs)
			}
			// The server goes on: the same merchant, the next requests.
			a.expect(200, "GET", root+"/customers/"+a.token, "")
			a.expect(200, "POST", root+"/invoices/"+a.token, example(t, "invoices_bulk"))
			if status, _, _ := a.sendRaw("POST", root+"/customers/"+a.token, `[{"name":"Boom again"}]`, nil); status != 500 {
				t.Errorf("second panic: %d", status)
			}
			a.expect(200, "GET", "/healthz", "")
		})
	}
}
