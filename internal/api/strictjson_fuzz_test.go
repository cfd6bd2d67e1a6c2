package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzStrictJSON checks the strict scanner against a reference built on
// encoding/json (json.Valid, then a Decoder walking the tokens, UseNumber).
// The scanner never panics; its syntax errors are json.Valid's, no more and
// no fewer; what it accepts, the reference accepts (one value, valid UTF-8,
// no key twice in an object, at most maxJSONDepth levels, numbers within
// the digit limits); what it refuses, the reference refuses, except a lone
// surrogate, which encoding/json decodes as U+FFFD (a decoded string then
// holds one).
//
//	go test ./internal/api -run '^$' -fuzz '^FuzzStrictJSON$' -fuzztime 60s
func FuzzStrictJSON(f *testing.F) {
	for _, c := range splitCases {
		f.Add([]byte(c))
	}
	for _, c := range strictCases {
		f.Add([]byte(c.body))
	}
	f.Add(benchInvoices()[:2000])
	f.Fuzz(func(t *testing.T, b []byte) {
		p := checkStrict(b)
		valid := json.Valid(b)
		if p != nil && p.syntax && valid {
			t.Fatalf("%q: syntax error, but json.Valid accepts it", b)
		}
		if p != nil && p.syntax {
			return
		}
		if !valid && p == nil {
			t.Fatalf("%q: accepted, but json.Valid refuses it", b)
		}
		refused, fffd := referenceStrict(b)
		switch {
		case p == nil && refused:
			t.Fatalf("%q: accepted, but the reference refuses it", b)
		case p != nil && !refused && !(fffd && strings.HasPrefix(p.msg, "lone UTF-16 surrogate")):
			t.Fatalf("%q: refused (%s), but the reference accepts it", b, p.msg)
		}
	})
}

// referenceStrict reports whether b breaks a strict rule other than lone
// surrogates, and whether a string of b decodes with U+FFFD (a lone
// surrogate, or U+FFFD itself).
func referenceStrict(b []byte) (refused, fffd bool) {
	if !json.Valid(b) || !utf8.Valid(b) {
		return true, false
	}
	type level struct {
		object  bool
		wantKey bool
		keys    map[string]bool
	}
	var stack []*level
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return true, fffd // json.Valid passed: cannot be
		}
		top := (*level)(nil)
		if n := len(stack); n > 0 {
			top = stack[n-1]
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				if top != nil && top.object {
					top.wantKey = false
				}
				stack = append(stack, &level{object: v == '{', wantKey: v == '{', keys: map[string]bool{}})
				if len(stack) > maxJSONDepth {
					return true, fffd
				}
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
		case string:
			fffd = fffd || strings.ContainsRune(v, utf8.RuneError)
			if top != nil && top.object && top.wantKey {
				if top.keys[v] {
					return true, fffd
				}
				top.keys[v] = true
				top.wantKey = false
				continue
			}
			valueDone()
		case json.Number:
			mantissa, exp, _ := strings.Cut(strings.ToLower(strings.TrimPrefix(string(v), "-")), "e")
			exp = strings.TrimLeft(exp, "+-")
			if len(strings.Replace(mantissa, ".", "", 1)) > maxNumberDigits || len(exp) > maxExponentDigits {
				return true, fffd
			}
			valueDone()
		default:
			valueDone()
		}
		if len(stack) == 0 {
			break
		}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return true, fffd // a second value after the first
	}
	return false, fffd
}
