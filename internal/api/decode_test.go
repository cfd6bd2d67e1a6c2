package api

import (
	"bytes"
	"encoding/json"
	"slices"
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
