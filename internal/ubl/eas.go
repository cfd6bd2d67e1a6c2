package ubl

import (
	"bufio"
	"bytes"
	_ "embed"
	"strings"
)

//go:embed data/eas.tsv
var easTSV []byte

// scheme is one EAS code with vatgate's reading of it (see data/eas.tsv).
type scheme struct {
	Code    string
	Country string // ISO 3166-1 alpha-2, "" when international
	Role    string // "vat", "legal" or ""
	Name    string
}

var schemes = map[string]scheme{}

func init() {
	sc := bufio.NewScanner(bytes.NewReader(easTSV))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			panic("ubl: malformed data/eas.tsv line: " + line)
		}
		s := scheme{Code: f[0], Country: f[1], Role: f[2], Name: f[3]}
		if s.Country == "-" {
			s.Country = ""
		}
		if s.Role == "-" {
			s.Role = ""
		}
		schemes[s.Code] = s
	}
}

// IsEAS reports whether code is an Electronic Address Scheme code that Peppol
// BIS Billing 3.0 accepts as an endpoint scheme (PEPPOL-EN16931-CL008).
func IsEAS(code string) bool {
	_, ok := schemes[code]
	return ok
}
