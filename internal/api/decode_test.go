package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vatgate/vatgate/internal/invoicing"
)

// splitCases are valid JSON objects and arrays in the shapes a client may
// send: white space everywhere JSON allows it, escapes in keys and values,
// keys given twice, nested values, non-ASCII and invalid UTF-8.
var splitCases = []string{
	`{}`,
	`[]`,
	`{ }`,
	`[ ]`,
	`[1]`,
	`{"a":1}`,
	` { "a" : 1 , "b" : "x" } `,
	"{\n\t\"a\"\r\n:\t[ 1 ,2, {\"c\" :null}] ,\"d\":{}}",
	`{"a":1,"a":2}`,
	`{"a":{"b":1},"a":[true, false]}`,
	`{"\u0061":1,"a":2,"\"q\"":3,"back\\slash":4,"tab\t":5}`,
	`{"k":"v\"with}quote]and\\","l":"\u00e9\ud83d\ude00"}`,
	`{"é":"ü","日本":"語"}`,
	"{\"bad\xffkey\":\"bad\xffvalue\",\"x\":\"\xed\xa0\x80\"}",
	`{"n":-1.5e+10,"m":0,"t":true,"f":false,"z":null}`,
	`[{"a":[{"b":[[]]}]},"s",1,null,true,[],{}]`,
	`[ "a" , "b" ,"c"]`,
	`[{"description":"Service","quantity":2,"unit_price":10.50,"tax":true}]`,
	`{"line_items":[{"description":"x","quantity":1,"unit_price":1,"is_taxable":false}],"invoice_number":"A-1"}`,
}

func TestSplitMatchesEncodingJSON(t *testing.T) {
	for _, c := range splitCases {
		checkSplit(t, []byte(c))
	}
}

func FuzzSplit(f *testing.F) {
	for _, c := range splitCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkSplit(t, b)
	})
}

// checkSplit checks that splitArray or splitObject reads the valid JSON b as
// json.Unmarshal does, and that for a b that is not valid JSON they either
// refuse it or, at worst, split it without failing (readJSONBody never
// hands them one).
func checkSplit(t *testing.T, b []byte) {
	t.Helper()
	v := bytes.TrimSpace(b)
	if len(v) == 0 {
		return
	}
	valid := json.Valid(b)
	switch v[0] {
	case '[':
		got, ok := splitArray(v)
		if !valid {
			return
		}
		var want []json.RawMessage
		if err := json.Unmarshal(v, &want); err != nil {
			t.Fatalf("%q: json.Unmarshal: %v", b, err)
		}
		if !ok || !slices.EqualFunc(got, want, func(g, w json.RawMessage) bool { return bytes.Equal(g, w) }) {
			t.Errorf("splitArray(%q) = %q, %v; json.Unmarshal: %q", b, got, ok, want)
		}
	case '{':
		got, ok := splitObject(v)
		if !valid {
			return
		}
		var want map[string]json.RawMessage
		if err := json.Unmarshal(v, &want); err != nil {
			t.Fatalf("%q: json.Unmarshal: %v", b, err)
		}
		if !ok || len(got) != len(want) {
			t.Fatalf("splitObject(%q) = %q, %v; json.Unmarshal: %q", b, got, ok, want)
		}
		for k, w := range want {
			if g, found := got[k]; !found || !bytes.Equal(g, w) {
				t.Errorf("splitObject(%q)[%q] = %q (found %v), json.Unmarshal: %q", b, k, g, found, w)
			}
		}
		for _, raw := range want {
			checkString(t, raw)
		}
	case '"':
		if valid {
			checkString(t, v)
		}
	}
}

// checkString checks that a field read as text reads as json.Unmarshal
// reads it.
func checkString(t *testing.T, raw json.RawMessage) {
	t.Helper()
	var problems []invoicing.FieldError
	o := object{fields: map[string]json.RawMessage{"f": raw}, problems: &problems, known: map[string]bool{}}
	got := o.str("f")
	var want string
	err := json.Unmarshal(raw, &want)
	switch {
	case string(raw) == "null":
		if got == nil || *got != "" {
			t.Errorf("str(null) = %v, want \"\"", got)
		}
	case err != nil:
		if got != nil || len(problems) != 1 {
			t.Errorf("str(%q) = %v, %v; want a type problem", raw, got, problems)
		}
	case got == nil || *got != want:
		t.Errorf("str(%q) = %v, %v; json.Unmarshal: %q", raw, got, problems, want)
	}
}

// TestBooleanMatchesEncodingJSON checks the boolean reader against
// json.Unmarshal for every kind of JSON value.
func TestBooleanMatchesEncodingJSON(t *testing.T) {
	for _, raw := range []string{`true`, `false`, `"true"`, `1`, `0`, `[]`, `{}`, `"false"`, `-0`} {
		var problems []invoicing.FieldError
		o := object{fields: map[string]json.RawMessage{"f": json.RawMessage(raw)}, problems: &problems, known: map[string]bool{}}
		got := o.boolean("f")
		var want bool
		if err := json.Unmarshal([]byte(raw), &want); err != nil {
			if got != nil || len(problems) != 1 {
				t.Errorf("boolean(%s) = %v, %v; want a type problem", raw, got, problems)
			}
			continue
		}
		if got == nil || *got != want {
			t.Errorf("boolean(%s) = %v, %v; want %v", raw, got, problems, want)
		}
	}
}

// benchInvoices is a bulk body of 100 invoices of 3 lines each, the shape
// cmd/ingestbench sends.
func benchInvoices() []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for i := range 100 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"invoice_number":"BENCH-%06d","customer_name":"Customer %d GmbH","customer_email":"billing%d@example.com","customer_country":"DEU","customer_tax_number":"DE123456789","customer_address":"Hauptstraße %d, 10115 Berlin","invoice_date":"2024-03-01","due_date":"2024-03-31","currency":"EUR","status":"sent","tax_rate":19,"line_items":[{"description":"Consulting","quantity":2,"unit_price":150.00,"is_taxable":true},{"description":"Travel","quantity":1,"unit_price":80.50,"tax":true},{"description":"Licence fee, année 2024","quantity":3,"unit_price":19.99,"is_taxable":false}],"subtotal":440.47,"total_tax":72.30,"total":512.77,"total_discount_amount":0,"supplier_company_name":"Vatgate Test AG","supplier_country":"DEU"}`, i, i, i, i)
	}
	b.WriteByte(']')
	return b.Bytes()
}

// BenchmarkDecodeInvoices is the decoding of a 100-invoice bulk body: the
// whole-body check, the split into records and lines, and every field read.
func BenchmarkDecodeInvoices(b *testing.B) {
	body := benchInvoices()
	read := documentInput(invoicing.KindInvoice)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := checkJSON(body); err != nil {
			b.Fatal(err)
		}
		records, aerr := decodeArray(body, "invoices")
		if aerr != nil {
			b.Fatal(aerr)
		}
		for _, raw := range records {
			var decoded []invoicing.FieldError
			o, ok := newObject(raw, "", "invoice", &decoded)
			if !ok {
				b.Fatal("not an object")
			}
			read(o)
			if len(decoded) > 0 {
				b.Fatal(decoded)
			}
		}
	}
}

// BenchmarkCheckBody compares the whole-body check with the json.Valid it
// replaced, on the body of BenchmarkDecodeInvoices.
func BenchmarkCheckBody(b *testing.B) {
	body := benchInvoices()
	b.Run("json.Valid", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if !json.Valid(body) {
				b.Fatal("invalid")
			}
		}
	})
	b.Run("checkStrict", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if p := checkStrict(body); p != nil {
				b.Fatal(p)
			}
		}
	})
}

// TestCheckJSONStrict checks each strict refusal's message: the problem,
// where it is (a JSONPath) and the byte, counted from 1.
func TestCheckJSONStrict(t *testing.T) {
	for _, tt := range strictCases {
		aerr := checkJSON([]byte(tt.body))
		switch {
		case tt.want == "" && aerr != nil:
			t.Errorf("%.60q: refused: %s", tt.body, aerr.Message)
		case tt.want == "":
		case aerr == nil:
			t.Errorf("%.60q: accepted, want %q", tt.body, tt.want)
		case aerr.Status != 400 || aerr.Message != "malformed JSON body: "+tt.want:
			t.Errorf("%.60q:\n got %d %q\nwant 400 %q", tt.body, aerr.Status, aerr.Message, "malformed JSON body: "+tt.want)
		}
	}
}

// strictCases are bodies and the strict check's answer ("" when accepted);
// FuzzStrictJSON starts from them too.
var strictCases = func() []struct{ body, want string } {
	manyKeys := func(n int, dup string) string {
		var b strings.Builder
		b.WriteString(`{`)
		for i := range n {
			fmt.Fprintf(&b, `"k%d":%d,`, i, i)
		}
		b.WriteString(`"` + dup + `":0}`)
		return b.String()
	}
	nest := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	tests := []struct{ body, want string }{
		// Accepted: the limits themselves.
		{`[{"a":1,"b":{"a":2}},{"a":3}]`, ""},
		{nest(6), ""},
		{`[{"line_items":[{"x":{"y":[]}}]}]`, ""},
		{`{"n":` + strings.Repeat("9", 40) + `}`, ""},
		{`{"n":0.` + strings.Repeat("1", 39) + `e-999}`, ""},
		{`{"s":"\ud83d\ude00 \u00e9 é \ufffd"}`, ""},
		{manyKeys(100, "k100"), ""},
		{`{"a":1,"A":2}`, ""},
		{" \t\r\n[1]\n", ""},

		{`[{"total":1},{"total":1,"subtotal":2},{"subtotal":1,"total":2,"total":3}]`,
			`duplicate key "total" in $[2] (at byte 63)`},
		{`{"line_items":[{"description":"a","description":"b"}]}`,
			`duplicate key "description" in $.line_items[0] (at byte 35)`},
		{`{"a":1,"\u0061":2}`, `duplicate key "a" in $ (at byte 8)`},
		{`{"odd key":{"x":1,"x":1}}`, `duplicate key "x" in $["odd key"] (at byte 19)`},
		{manyKeys(100, "k7"), `duplicate key "k7" in $ (at byte 882)`},
		{`[1,2,{"n":"a` + "\xff" + `"}]`, `invalid UTF-8 in a string at $[2].n (at byte 13)`},
		{`{"a` + "\xc3" + `":1}`, `invalid UTF-8 in a key in $ (at byte 4)`},
		{`{"s":"` + "\xed\xa0\x80" + `"}`, `invalid UTF-8 in a string at $.s (at byte 7)`},
		{`{"s":"x\ud800"}`, `lone UTF-16 surrogate \ud800 in a string at $.s (at byte 8)`},
		{`{"s":"\udc00\ud800"}`, `lone UTF-16 surrogate \udc00 in a string at $.s (at byte 7)`},
		{`{"s":"\uD83Dx"}`, `lone UTF-16 surrogate \ud83d in a string at $.s (at byte 7)`},
		{`{"s":"\ud83d\u0041"}`, `lone UTF-16 surrogate \ud83d in a string at $.s (at byte 7)`},
		{`{} {}`, `unexpected data after the JSON value (at byte 4)`},
		{`[1] x`, `unexpected data after the JSON value (at byte 5)`},
		{`"s"` + "\x00", `unexpected data after the JSON value (at byte 4)`},
		{nest(7), `nested deeper than 6 levels at $[0][0][0][0][0][0] (at byte 7)`},
		{`[{"line_items":[{"x":{"y":[{}]}}]}]`, `nested deeper than 6 levels at $[0].line_items[0].x.y[0] (at byte 28)`},
		{`{"n":` + strings.Repeat("9", 41) + `}`, `number out of range at $.n: more than 40 digits (at byte 6)`},
		{`[0,{"q":-1.` + strings.Repeat("0", 40) + `}]`, `number out of range at $[1].q: more than 40 digits (at byte 9)`},
		{`{"n":1e1000}`, `number out of range at $.n: an exponent of more than 3 digits (at byte 6)`},
		{`{"n":1E+0001}`, `number out of range at $.n: an exponent of more than 3 digits (at byte 6)`},

		// Syntax errors: encoding/json's words, as before.
		{`[{"name":"Acme"`, `unexpected end of JSON input (at byte 15)`},
		{`{"a":1,}`, `invalid character '}' looking for beginning of object key string (at byte 8)`},
		{`[01]`, `invalid character '1' after array element (at byte 3)`},
		{`{"a":tru}`, `invalid character '}' in literal true (expecting 'e') (at byte 9)`},
		{"[\"a\tb\"]", `invalid character '\t' in string literal (at byte 4)`},
		{`["\x"]`, `invalid character 'x' in string escape code (at byte 4)`},
	}
	return tests
}()
