package api_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/api"
	"github.com/vatgate/vatgate/internal/fx"
	"github.com/vatgate/vatgate/internal/omp"
	"github.com/vatgate/vatgate/internal/token"
)

// The OMP API (document 003) on the real engine and the embedded ECB
// snapshot.

const ompPath = "/api/omp/omp_invoice"

// testEngine is the engine every test server answers OMP requests with; it
// is immutable, so one is shared.
var testEngine = sync.OnceValue(func() *omp.Engine { return omp.New(fx.Snapshot()) })

// testNow is the test servers' clock: a day inside the ECB snapshot (which
// ends 2026-04-13), so that answers without an order_date are stable.
func testNow() time.Time { return time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC) }

// ompExample is a request body of testdata/omp (the document's examples,
// repaired as its README says).
func ompExample(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "omp", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// post sends an OMP request with the token as a Bearer header.
func (a *testAPI) post(body string) (int, string) {
	a.t.Helper()
	return a.do("POST", ompPath, body, "Authorization", "Bearer "+a.token)
}

// fields is a request body built field by field: name -> JSON text.
type fields map[string]string

func (f fields) json() string {
	names := make([]string, 0, len(f))
	for n := range f {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = `"` + n + `":` + f[n]
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// with returns a copy with the given name, JSON pairs set; a "" JSON text
// deletes the name.
func (f fields) with(kv ...string) fields {
	g := fields{}
	for n, v := range f {
		g[n] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(g, kv[i])
		} else {
			g[kv[i]] = kv[i+1]
		}
	}
	return g
}

// renamed returns a copy with field old sent as new.
func (f fields) renamed(old, new string) fields {
	return f.with(old, "", new, f[old])
}

// importEU is an import into the EU by a Chinese vendor through a German
// marketplace holding an IOSS number: RULES §3 E2 while the goods value is
// at most EUR 150. The items add up to 95 while the order says 200, so an
// answer shows whether the items were read (E2) or not (E4).
var importEU = fields{
	"invoice_id":                           `"T-1"`,
	"marketplace_establishment_country_id": `"DEU"`,
	"vendor_establishment_country_id":      `"CHN"`,
	"marketplace_IOSS_number":              `true`,
	"order_currency":                       `"EUR"`,
	"order_date":                           `"2026-03-02"`,
	"order_amount":                         `200`,
	"shipping_fee":                         `5`,
	"arrival_country":                      `"FRA"`,
	"departure_country":                    `"CHN"`,
	"Item":                                 `[{"item_price":60,"item_quantity":1,"good_code":"62160000"},{"item_price":35,"item_quantity":1}]`,
}

// salesUS is a sale within the United States: the marketplace collects the
// sales tax where it has nexus (RULES §10 T3), else the seller (T4).
var salesUS = fields{
	"invoice_id":                           `"US-1"`,
	"marketplace_establishment_country_id": `"USA"`,
	"vendor_establishment_country_id":      `"USA"`,
	"order_currency":                       `"USD"`,
	"order_date":                           `"2026-03-02"`,
	"order_amount":                         `80`,
	"arrival_country":                      `"USA"`,
	"arrival_state":                        `"CA"`,
	"arrival_zip":                          `"90210"`,
	"departure_country":                    `"USA"`,
	"departure_state":                      `"NV"`,
}

// rule is the rule id an answer's basis names.
func rule(t testing.TB, body string) string {
	t.Helper()
	var a struct {
		Basis struct {
			Rule string `json:"rule"`
			Date string `json:"date"`
		} `json:"basis"`
	}
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatalf("answer is not JSON: %s", body)
	}
	return a.Basis.Rule
}

// The document's three request examples, sent as their programs send them
// (example 1 with the token in the path, as its curl command does), get
// answers in the documented shapes.
func TestOMPExamples(t *testing.T) {
	a := newTestAPI(t, testdbSQLite(t))
	golden(t, "omp_example_1", a.expect(200, "POST", ompPath+"/"+a.token, ompExample(t, "example_1"),
		"Accept", "application/json"))
	for _, name := range []string{"example_2", "example_3"} {
		golden(t, "omp_"+name, a.expect(200, "POST", ompPath, ompExample(t, name), "Authorization", basic(a.token, "")))
	}
	golden(t, "omp_us_nexus", a.expect(200, "POST", ompPath, salesUS.with("marketplace_nexus_state", `"CA"`).json(),
		"Authorization", "Bearer "+a.token))
}

// Document 003 sends the token as HTTP Basic credentials (as the user name,
// or as the password with any user name) or in the sandbox path; a Bearer
// header works too. Every form gets the same answer.
func TestOMPAuth(t *testing.T) {
	forEachBackend(t, func(t *testing.T, a *testAPI) {
		body := ompExample(t, "example_3")
		want := a.expect(200, "POST", ompPath, body, "Authorization", "Bearer "+a.token)
		for name, send := range map[string]func() string{
			"basic user": func() string { return a.expect(200, "POST", ompPath, body, "Authorization", basic(a.token, "")) },
			"basic password": func() string {
				return a.expect(200, "POST", ompPath, body, "Authorization", basic("merchant", a.token))
			},
			"path":             func() string { return a.expect(200, "POST", ompPath+"/"+a.token, body) },
			"path, slash":      func() string { return a.expect(200, "POST", ompPath+"/"+a.token+"/", body) },
			"no token, slash":  func() string { return a.expect(200, "POST", ompPath+"/", body, "Authorization", "Bearer "+a.token) },
			"merchant B basic": func() string { return a.expect(200, "POST", ompPath, body, "Authorization", basic(a.tokenB, "x")) },
		} {
			if got := send(); got != want {
				t.Errorf("%s: got %s, want %s", name, got, want)
			}
		}
		for name, headers := range map[string][]string{
			"no token":           nil,
			"unknown bearer":     {"Authorization", "Bearer vgt_00000000000000000000000000000000"},
			"unknown basic user": {"Authorization", basic("vgt_00000000000000000000000000000000", "")},
			"empty basic":        {"Authorization", basic("", "")},
		} {
			status, got := a.do("POST", ompPath, body, headers...)
			if status != 401 || !strings.HasPrefix(got, `{"status":401,"message":"`) {
				t.Errorf("%s: got %d %s", name, status, got)
			}
		}
		a.expect(401, "POST", ompPath+"/6cec387781a94425b401206d1710801a", body) // the document's example token
	})
}

// Every spelling the document uses, and names in any letter case, read as
// the canonical field.
func TestOMPAliases(t *testing.T) {
	a := newTestAPI(t, testdbSQLite(t))
	want := a.expect(200, "POST", ompPath+"/"+a.token, importEU.json())
	if r := rule(t, want); r != "EU-E2" {
		t.Fatalf("base request answered by %s, want EU-E2: %s", r, want)
	}
	for _, alias := range [][2]string{
		{"invoice_id", "invoice_ID"},
		{"invoice_id", "INVOICE_ID"},
		{"marketplace_establishment_country_id", "OMP_establishment_country_id"},
		{"vendor_establishment_country_id", "merchant_establishment_country_id"},
		{"marketplace_IOSS_number", "OMP_IOSS_number"},
		{"marketplace_IOSS_number", "marketplace_ioss_number"},
		{"order_amount", "order_ammount"},
		{"Item", "Items"},
		{"Item", "items"},
		{"Item", "item"},
		{"order_currency", "Order_Currency"},
	} {
		body := importEU.renamed(alias[0], alias[1]).json()
		if got := a.expect(200, "POST", ompPath+"/"+a.token, body); got != want {
			t.Errorf("%s as %s: got %s\nwant %s", alias[0], alias[1], got, want)
		}
	}
	// Codes in any case are the upper-case codes.
	lower := importEU.with("arrival_country", `"fra"`, "departure_country", `"Chn"`, "order_currency", `"eur"`,
		"marketplace_establishment_country_id", `"deu"`, "vendor_establishment_country_id", `" chn "`)
	if got := a.expect(200, "POST", ompPath+"/"+a.token, lower.json()); got != want {
		t.Errorf("lower-case codes: got %s\nwant %s", got, want)
	}
	// The alias is read, not ignored: the same value under it changes the answer.
	if got := a.expect(200, "POST", ompPath+"/"+a.token, importEU.renamed("marketplace_IOSS_number", "OMP_IOSS_number").with("OMP_IOSS_number", "false").json()); rule(t, got) != "EU-E3" {
		t.Errorf("OMP_IOSS_number false: %s", got)
	}
	// The same value under two spellings is one value; two values are refused.
	a.expect(200, "POST", ompPath+"/"+a.token, importEU.with("order_ammount", "200").json())
	got := a.expect(422, "POST", ompPath+"/"+a.token, importEU.with("order_ammount", "210").json())
	if !strings.Contains(got, `"message":"order_amount: given twice with different values, as order_amount and order_ammount"`) &&
		!strings.Contains(got, `"message":"order_amount: given twice with different values, as order_ammount and order_amount"`) {
		t.Errorf("conflicting spellings: %s", got)
	}
}

// Booleans arrive as JSON booleans or as the strings "True"/"False";
// numbers as JSON numbers or numeric strings; all read exactly.
func TestOMPBooleansAndNumbers(t *testing.T) {
	a := newTestAPI(t, testdbSQLite(t))
	for want, spellings := range map[string][]string{
		"EU-E2": {`true`, `"True"`, `"true"`, `"TRUE"`},
		"EU-E3": {`false`, `"False"`, `"false"`, `null`},
	} {
		first := ""
		for _, b := range spellings {
			got := a.expect(200, "POST", ompPath+"/"+a.token, importEU.with("marketplace_IOSS_number", b).json())
			if rule(t, got) != want {
				t.Errorf("marketplace_IOSS_number %s: rule %s, want %s", b, rule(t, got), want)
			}
			if first == "" {
				first = got
			} else if got != first {
				t.Errorf("marketplace_IOSS_number %s answers differently from %s:\n%s\n%s", b, spellings[0], got, first)
			}
		}
	}

	want := a.expect(200, "POST", ompPath+"/"+a.token, importEU.json())
	strs := importEU.with("order_amount", `"200"`, "shipping_fee", `"5.00"`,
		"Item", `[{"item_price":"60","item_quantity":"1","good_code":62160000},{"item_price":" 35 ","item_quantity":"1.0"}]`)
	if got := a.expect(200, "POST", ompPath+"/"+a.token, strs.json()); got != want {
		t.Errorf("numeric strings: got %s\nwant %s", got, want)
	}

	// Exactly EUR 150.00 is a low-value consignment (<=); a hair above it is
	// not. Through float64 both would be 150.
	at := importEU.with("Item", "", "order_amount", `150.00`, "shipping_fee", `0`)
	if got := a.expect(200, "POST", ompPath+"/"+a.token, at.json()); rule(t, got) != "EU-E2" {
		t.Errorf("EUR 150.00: %s", got)
	}
	above := at.with("order_amount", `"150.000000000000000001"`)
	got := a.expect(200, "POST", ompPath+"/"+a.token, above.json())
	if rule(t, got) != "EU-E4" || !strings.Contains(got, `"value":150.000000000000000001`) {
		t.Errorf("EUR 150.000000000000000001: %s", got)
	}
}

// marketplace_nexus_state is a string, a comma-separated string or a list.
func TestOMPNexusStates(t *testing.T) {
	a := newTestAPI(t, testdbSQLite(t))
	none := a.expect(200, "POST", ompPath+"/"+a.token, salesUS.json())
	if !strings.Contains(none, `"invoice_parties":"vendor_customer"`) {
		t.Fatalf("no nexus: %s", none)
	}
	want := a.expect(200, "POST", ompPath+"/"+a.token, salesUS.with("marketplace_nexus_state", `"CA"`).json())
	if !strings.Contains(want, `"invoice_parties":"marketplace_customer"`) {
		t.Fatalf("nexus CA: %s", want)
	}
	for _, nexus := range []string{`"ca"`, `"NY,CA"`, `"NY, CA"`, `["NY","CA"]`, `["ca"]`} {
		if got := a.expect(200, "POST", ompPath+"/"+a.token, salesUS.with("marketplace_nexus_state", nexus).json()); got != want {
			t.Errorf("nexus %s: got %s\nwant %s", nexus, got, want)
		}
	}
	if got := a.expect(200, "POST", ompPath+"/"+a.token, salesUS.with("marketplace_nexus_state", `["NY"]`).json()); got != none {
		t.Errorf("nexus NY only: got %s\nwant %s", got, none)
	}
}

// order_date is YYYY-MM-DD or a timestamp whose date is taken as written;
// without it the date is today by the server's clock.
func TestOMPOrderDate(t *testing.T) {
	a := newTestAPI(t, testdbSQLite(t))
	for in, want := range map[string]string{
		`"2022-01-09"`:                  `"date":"2022-01-09","date_source":"order_date"`,
		`"2022-01-09T23:30:00-05:00"`:   `"date":"2022-01-09","date_source":"order_date"`,
		`"2022-01-09T00:30:00.5+02:00"`: `"date":"2022-01-09","date_source":"order_date"`,
		`"2022-01-09T10:00:00Z"`:        `"date":"2022-01-09","date_source":"order_date"`,
		`"2022-01-09 10:00:00"`:         `"date":"2022-01-09","date_source":"order_date"`,
		`""`:                            `"date":"2026-04-01","date_source":"today"`,
		`null`:                          `"date":"2026-04-01","date_source":"today"`,
	} {
		got := a.expect(200, "POST", ompPath+"/"+a.token, importEU.with("order_date", in).json())
		if !strings.Contains(got, want) {
			t.Errorf("order_date %s: %s", in, got)
		}
	}
	got := a.expect(200, "POST", ompPath+"/"+a.token, importEU.with("order_date", "").json())
	if !strings.Contains(got, `"date":"2026-04-01","date_source":"today"`) {
		t.Errorf("no order_date: %s", got)
	}
}

// Every refusal document 003 lists, with the field named.
func TestOMPRefusals(t *testing.T) {
	a := newTestAPI(t, testdbSQLite(t))
	auth := []string{"Authorization", "Bearer " + a.token}
	type refusal struct {
		name, body string
		headers    []string
		status     int
		message    string
	}
	var tests []refusal
	// 400: each required field missing, under every way of not giving it.
	for _, f := range []struct{ name, alias string }{
		{"invoice_id", ""},
		{"marketplace_establishment_country_id", " (also accepted as OMP_establishment_country_id)"},
		{"vendor_establishment_country_id", " (also accepted as merchant_establishment_country_id)"},
		{"order_currency", ""},
		{"order_amount", " (also accepted as order_ammount)"},
		{"arrival_country", ""},
		{"departure_country", ""},
	} {
		for _, absent := range []string{"", "null", `""`, `"  "`} {
			tests = append(tests, refusal{"missing " + f.name + " " + absent, importEU.with(f.name, absent).json(), auth, 400, f.name + ": required" + f.alias})
		}
	}
	eu := func(kv ...string) string { return importEU.with(kv...).json() }
	tests = append(tests, []refusal{
		{"two missing", eu("invoice_id", "", "order_amount", ""), auth, 400, "invoice_id: required; order_amount: required (also accepted as order_ammount)"},
		{"missing before invalid", eu("invoice_id", "", "arrival_country", `"XYZ"`), auth, 400, "invoice_id: required"},
		{"state for USA", salesUS.with("arrival_state", "").json(), auth, 400, "arrival_state: the state is needed for an order to USA"},
		{"malformed", `{"invoice_id": "1",`, auth, 400, "malformed JSON body: unexpected end of JSON input (at byte 19)"},
		{"curly quotes as printed", `{"Item":[{"item_code": “1”}]}`, auth, 400, "malformed JSON body: invalid character 'â' looking for beginning of value (at byte 24)"},
		{"trailing comma as printed", `{"vat_number_of_customer": "LV9875234",}`, auth, 400, "malformed JSON body: invalid character '}' looking for beginning of object key string (at byte 40)"},
		{"array", `[` + importEU.json() + `]`, auth, 400, "request body must be a JSON object"},
		{"empty", ``, append([]string{"Content-Type", "application/json"}, auth...), 400, "request body is empty; it must be JSON"},

		{"no token", importEU.json(), nil, 401, "missing access token"},
		{"bad token", importEU.json(), []string{"Authorization", basic("wrong", "")}, 401, "invalid access token"},
		{"text/plain", importEU.json(), append([]string{"Content-Type", "text/plain"}, auth...), 415, "Content-Type must be application/json"},
		{"form", importEU.json(), append([]string{"Content-Type", "application/x-www-form-urlencoded"}, auth...), 415, "Content-Type must be application/json"},

		{"unknown arrival", eu("arrival_country", `"XYZ"`), auth, 422, `arrival_country: "XYZ" is not an ISO 3166-1 alpha-3 country code`},
		{"alpha-2 departure", eu("departure_country", `"cn"`), auth, 422, `departure_country: "CN" is not an ISO 3166-1 alpha-3 country code`},
		{"unknown marketplace", eu("marketplace_establishment_country_id", `"EUR"`), auth, 422, `marketplace_establishment_country_id: "EUR" is not an ISO 3166-1 alpha-3 country code`},
		{"unknown vendor", eu("vendor_establishment_country_id", `"XXX"`), auth, 422, `vendor_establishment_country_id: "XXX" is not an ISO 3166-1 alpha-3 country code`},
		{"unknown currency", eu("order_currency", `"EUX"`), auth, 422, `order_currency: "EUX" is not an ISO 4217 currency code`},
		{"gold", eu("order_currency", `"XAU"`), auth, 422, `order_currency: "XAU" is not an ISO 4217 currency code`},
		{"negative amount", eu("order_amount", `-1`), auth, 422, "order_amount: must not be negative (got -1)"},
		{"negative shipping", eu("shipping_fee", `"-0.01"`), auth, 422, "shipping_fee: must not be negative (got -0.01)"},
		{"negative price", eu("Item", `[{"item_price":1},{"item_price":-2.5}]`), auth, 422, "Item[1].item_price: must not be negative (got -2.5)"},
		{"impossible date", eu("order_date", `"2025-02-30"`), auth, 422, `order_date: "2025-02-30" is not a date (ISO 8601: YYYY-MM-DD)`},
		{"not a date", eu("order_date", `"09/01/2022"`), auth, 422, `order_date: "09/01/2022" is not a date (ISO 8601: YYYY-MM-DD)`},
		{"invoice id too long", eu("invoice_id", `"12345678901234567890123456"`), auth, 422, "invoice_id: at most 25 characters (got 26)"},
		{"number as id", eu("invoice_id", `42`), auth, 422, "invoice_id: must be a string"},
		{"amount not a number", eu("order_amount", `"12,50"`), auth, 422, "order_amount: must be a number or a numeric string"},
		{"amount an object", eu("order_amount", `{"value":1}`), auth, 422, "order_amount: must be a number or a numeric string"},
		{"IOSS yes", eu("marketplace_IOSS_number", `"yes"`), auth, 422, `marketplace_IOSS_number: must be true or false (or "True", "False")`},
		{"Item an object", eu("Item", `{"item_price":1}`), auth, 422, "Item: must be an array of items"},
		{"Item of numbers", eu("Item", `[1]`), auth, 422, "Item[0]: must be a JSON object"},
		{"nexus a number", salesUS.with("marketplace_nexus_state", `5`).json(), auth, 422, "marketplace_nexus_state: must be a string of state codes or an array of them"},
		{"two invalid", eu("arrival_country", `"XYZ"`, "order_amount", `-3`), auth, 422, `order_amount: must not be negative (got -3); arrival_country: "XYZ" is not an ISO 3166-1 alpha-3 country code`},
		// Refused by the engine, mapped by kind.
		{"unknown state", salesUS.with("arrival_state", `"XX"`).json(), auth, 422, `arrival_state: "XX" is not a US state code`},
		{"shipping above amount", eu("Item", "", "shipping_fee", `300`), auth, 422, "shipping_fee: 300 is more than order_amount 200, which includes shipping"},
		{"rate past the snapshot", ompFieldsGBP.with("order_date", `"2026-11-20"`).json(), auth, 422, "order_currency: no exchange rate for GBP on 2026-11-20 (…"},
		{"currency the ECB does not quote", eu("order_currency", `"ARS"`), auth, 422, "order_currency: no exchange rate for ARS on 2026-03-02 (…"},
	}...)
	for _, tt := range tests {
		status, body := a.do("POST", ompPath, tt.body, tt.headers...)
		var got struct {
			Status  int    `json:"status"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Errorf("%s: answer is not JSON: %s", tt.name, body)
			continue
		}
		// A message ending in "…" is a prefix: the rest is package fx's reason.
		want, isPrefix := strings.CutSuffix(tt.message, "…")
		if status != tt.status || got.Status != tt.status || got.Message != want && !(isPrefix && strings.HasPrefix(got.Message, want)) {
			t.Errorf("%s: got %d %+v\n want %d %q", tt.name, status, got, tt.status, tt.message)
		}
	}
	golden(t, "omp_error_missing", a.expect(400, "POST", ompPath, importEU.with("order_amount", "", "departure_country", "null").json(), auth...))
	golden(t, "omp_error_invalid", a.expect(422, "POST", ompPath, importEU.with("order_currency", `"eux"`, "order_date", `"2025-02-30"`).json(), auth...))
}

// ompFieldsGBP is an order in pounds into Germany: its EUR 150 threshold
// needs the GBP rate of the order date.
var ompFieldsGBP = fields{
	"invoice_id":                           `"GB-1"`,
	"marketplace_establishment_country_id": `"GBR"`,
	"vendor_establishment_country_id":      `"GBR"`,
	"order_currency":                       `"GBP"`,
	"order_amount":                         `100`,
	"arrival_country":                      `"DEU"`,
	"departure_country":                    `"GBR"`,
}

// Without an engine the route says so rather than failing obscurely.
func TestOMPNotConfigured(t *testing.T) {
	st := testdbSQLite(t)
	srv := httptest.NewServer(api.NewServer(st, slog.New(slog.DiscardHandler), api.Config{}))
	t.Cleanup(srv.Close)
	a := &testAPI{t: t, url: srv.URL, store: st, token: mustMerchantToken(t, st, "M")}
	if got := a.expect(503, "POST", ompPath, importEU.json(), "Authorization", "Bearer "+a.token); got != `{"status":503,"message":"OMP engine not configured"}`+"\n" {
		t.Errorf("got %s", got)
	}
}

// "We don't store any of your invoice data": the log holds no value of any
// OMP request, answered or refused, nor the token of the sandbox path; the
// only trace is the merchant's call count.
func TestOMPNothingLogged(t *testing.T) {
	a := newTestAPI(t, testdbSQLite(t))
	secret := importEU.with(
		"invoice_id", `"SECRET-INV-4711"`,
		"vat_number_of_customer", `"FR-SECRET-VAT-99"`,
		"arrival_zip", `"75011-SECRET"`,
		"order_amount", `"987.65"`,
		"shipping_fee", `12.34`,
		"Item", `[{"item_price":"543.21","item_quantity":2,"good_code":"61099020"}]`,
	)
	bodies := []string{
		secret.json(), // answered
		secret.with("order_currency", `"ZZQ"`).json(),     // 422
		secret.with("arrival_country", "").json(),         // 400
		`{"invoice_id":"SECRET-INV-4711","order_amount":`, // malformed
	}
	for _, b := range bodies {
		a.do("POST", ompPath+"/"+a.token, b)
		a.do("POST", ompPath, b, "Authorization", basic(a.token, ""))
	}
	logs := a.logs.String()
	for _, v := range []string{"SECRET", "987.65", "12.34", "543.21", "61099020", "ZZQ", "75011", a.token, "CHN", "FRA", "DEU", "T-1"} {
		if strings.Contains(logs, v) {
			t.Errorf("the log shows %q:\n%s", v, logs)
		}
	}
	// Each line is the access log: method, redacted path, status, duration.
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatalf("log line is not JSON: %s", line)
		}
		for k := range entry {
			switch k {
			case "time", "level", "msg", "request_id", "method", "path", "status", "duration_ms", "merchant_id":
			default:
				t.Errorf("log line has %q: %s", k, line)
			}
		}
		if entry["msg"] != "request" || !regexp.MustCompile(`^/api/omp/omp_invoice(/vgt_…\w{4})?$`).MatchString(entry["path"].(string)) {
			t.Errorf("unexpected log line: %s", line)
		}
	}
	m, err := a.store.Authenticate(context.Background(), token.Hash(a.token))
	if err != nil {
		t.Fatal(err)
	}
	if n := a.server.OMPCalls(m.ID); n != uint64(2*len(bodies)) {
		t.Errorf("OMPCalls = %d, want %d", n, 2*len(bodies))
	}
	if n := a.server.OMPCalls(m.ID + 1); n != 0 {
		t.Errorf("merchant B made no call but counts %d", n)
	}
}
