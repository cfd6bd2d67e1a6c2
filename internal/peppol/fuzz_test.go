package peppol

import (
	"errors"
	"testing"
)

// FuzzParse: Parse never panics, refuses only with an *IDError, and a parsed
// id reads back the same from both of its spellings.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"0192:745707327", "iso6523-actorid-upis::0088:1548079098355", "9930:de123456789",
		"0216:003720774740TST01", "0199:5493001KJTIIGC8Y1R12", "0130:AbC~x", "0225:a_B-c",
		"DE:VAT:DE123456789", "0037:1", "busdox-actorid-upis::0192:1", ":", "::", "0192:", "",
		"0151:51824753556", "0002:35600000049837", "0204:991-01234-44",
	} {
		f.Add(s)
	}
	for code, fm := range formats {
		f.Add(code + ":" + fm.example)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			var ie *IDError
			if !errors.As(err, &ie) || ie.Input != s || ie.Reason == "" {
				t.Fatalf("Parse(%q) error %v is not a complete *IDError", s, err)
			}
			return
		}
		for _, again := range []string{p.String(), p.URN()} {
			q, err := Parse(again)
			if err != nil || q != p {
				t.Fatalf("Parse(%q) = %+v, but Parse(%q) = %+v, %v", s, p, again, q, err)
			}
		}
	})
}

// FuzzResolve: Resolve never panics and what it returns parses back.
func FuzzResolve(f *testing.F) {
	f.Add("DE123456789", "DEU", "DE123456789")
	f.Add("PE001", "", "")
	f.Add("745707327", "", "NO745707327MVA")
	f.Add("CHE109322551MWST", "CHE", "")
	f.Add("2077474-0", "FIN", "FI20774740")
	f.Fuzz(func(t *testing.T, raw, country, tax string) {
		p, err := Resolve(raw, country, tax)
		if err != nil {
			var ie *IDError
			if !errors.As(err, &ie) || ie.Input != raw {
				t.Fatalf("Resolve(%q, %q, %q) error %v is not an *IDError for the input", raw, country, tax, err)
			}
			return
		}
		if q, err := Parse(p.URN()); err != nil || q != p {
			t.Fatalf("Resolve(%q, %q, %q) = %+v, but Parse(%q) = %+v, %v", raw, country, tax, p, p.URN(), q, err)
		}
	})
}
