package peppol

import (
	"errors"
	"strings"
	"testing"
)

func TestResolveRulesAreAllowed(t *testing.T) {
	for pre, r := range vatRules {
		if schemes[r.scheme].BIS != "yes" {
			t.Errorf("VAT prefix %s maps to %s, which BIS does not allow", pre, r.scheme)
		}
		if _, ok := formats[r.scheme]; !ok {
			t.Errorf("VAT prefix %s maps to %s, which has no format", pre, r.scheme)
		}
	}
	for c, rules := range nationalRules {
		for _, r := range rules {
			if _, ok := formats[r.scheme]; !ok || schemes[r.scheme].BIS != "yes" {
				t.Errorf("country %s maps to %s, without a format or not allowed by BIS", c, r.scheme)
			}
		}
	}
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name                string
		raw, country, taxNo string
		want                string // "ICD:value"
	}{
		// Document 004's examples.
		{"004 customer", "DE123456789", "DEU", "DE123456789", "9930:DE123456789"},
		{"004 supplier", "GB987654321", "GBR", "GB987654321", "9932:GB987654321"},

		// Ids with a scheme are parsed, in both spellings.
		{"with scheme", "0192:745707327", "", "", "0192:745707327"},
		{"urn", "iso6523-actorid-upis::0192:745707327", "DEU", "DE123456789", "0192:745707327"},
		{"urn upper case", " ISO6523-ACTORID-UPIS::9930:de123456789 ", "", "", "9930:DE123456789"},

		// The id's own VAT prefix, whatever the country.
		{"AT", "ATU12345678", "AUT", "", "9914:ATU12345678"},
		{"BE to enterprise number", "BE0403019261", "BEL", "", "0208:0403019261"},
		{"BG", "BG123456789", "", "", "9926:BG123456789"},
		{"CY", "CY12345678X", "", "", "9928:CY12345678X"},
		{"CZ", "CZ12345678", "", "", "9929:CZ12345678"},
		{"DE", "de123456789", "", "", "9930:DE123456789"},
		{"DE in another country", "DE123456789", "FRA", "FR40303265045", "9930:DE123456789"},
		{"DK to CVR", "DK13585628", "DNK", "", "0184:13585628"},
		{"EE", "EE123456789", "", "", "9931:EE123456789"},
		{"EL", "EL123456789", "", "", "9933:EL123456789"},
		{"GR", "GR123456789", "GRC", "", "9933:GR123456789"},
		{"ES", "ESB12345678", "ESP", "", "9920:ESB12345678"},
		{"FI to OVT", "FI20774740", "FIN", "", "0216:003720774740"},
		{"FR", "FR40303265045", "FRA", "", "9957:FR40303265045"},
		{"GB", "GB987654321", "", "", "9932:GB987654321"},
		{"HR", "HR12345678901", "", "", "9934:HR12345678901"},
		{"HU", "HU12892312", "", "", "9910:HU12892312"},
		{"IE", "IE1234567T", "", "", "9935:IE1234567T"},
		{"IT", "IT00743110157", "ITA", "", "0211:IT00743110157"},
		{"LT", "LT123456789", "", "", "9937:LT123456789"},
		{"LU", "LU12345678", "", "", "9938:LU12345678"},
		{"LV", "LV40003032949", "", "", "9939:LV40003032949"},
		{"MT", "MT12345678", "", "", "9943:MT12345678"},
		{"NL", "NL123456789B01", "NLD", "", "9944:NL123456789B01"},
		{"NO to org number", "NO745707327MVA", "NOR", "", "0192:745707327"},
		{"NO without MVA", "NO745707327", "", "", "0192:745707327"},
		{"PL", "PL1234567890", "", "", "9945:PL1234567890"},
		{"PT", "PT123456789", "", "", "9946:PT123456789"},
		{"RO", "RO1234567", "", "", "9947:RO1234567"},
		{"SE to org number", "SE212000078701", "SWE", "", "0007:2120000787"},
		{"SI", "SI12345678", "", "", "9949:SI12345678"},
		{"SK", "SK2021853504", "", "", "9950:SK2021853504"},
		{"CHE to UID", "CHE109322551", "CHE", "", "0183:CHE109322551"},
		{"CHE VAT to UID", "che109322551mwst", "", "", "0183:CHE109322551"},

		// The id is the tax number without its VAT prefix.
		{"tax number DE", "123456789", "DEU", "DE123456789", "9930:DE123456789"},
		{"tax number without country", "123456789", "", "de 123 456 789", "9930:DE123456789"},
		{"tax number AT", "U12345678", "AUT", "ATU12345678", "9914:ATU12345678"},
		{"tax number BE", "0403019261", "", "BE 0403.019.261", "0208:0403019261"},

		// A national number of the party's country.
		{"AU ABN", "51824753556", "AUS", "", "0151:51824753556"},
		{"BE enterprise number", "0403019261", "BEL", "", "0208:0403019261"},
		{"DK CVR", "13585628", "DNK", "", "0184:13585628"},
		{"EE company code", "10137025", "EST", "", "0191:10137025"},
		{"FI business id", "2077474-0", "FIN", "", "0216:003720774740"},
		{"FI business id without hyphen", "20774740", "FIN", "", "0216:003720774740"},
		{"FI OVT code", "003720774740TST01", "FIN", "", "0216:003720774740TST01"},
		{"FR SIREN", "784301772", "FRA", "", "0002:784301772"},
		{"FR SIRET", "78430177200025", "FRA", "", "0009:78430177200025"},
		{"IS kennitala", "450401-3150", "ISL", "", "0196:4504013150"},
		{"NL KvK", "12345678", "NLD", "", "0106:12345678"},
		{"NL OIN", "00000001820029336000", "NLD", "", "0190:00000001820029336000"},
		{"NO org number", "745707327", "NOR", "", "0192:745707327"},
		{"NO org number, country from tax number", "745707327", "", "NO745707327MVA", "0192:745707327"},
		{"SE org number", "212000-0787", "SWE", "", "0007:2120000787"},
		{"SE org number, country in lower case", "2120000787", "swe", "", "0007:2120000787"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Resolve(tt.raw, tt.country, tt.taxNo)
			if err != nil {
				t.Fatalf("Resolve(%q, %q, %q): %v", tt.raw, tt.country, tt.taxNo, err)
			}
			if p.String() != tt.want {
				t.Errorf("Resolve(%q, %q, %q) = %s, want %s", tt.raw, tt.country, tt.taxNo, p, tt.want)
			}
			if q, err := Parse(p.URN()); err != nil || q != p {
				t.Errorf("Parse(%q) = %+v, %v; want %+v", p.URN(), q, err, p)
			}
		})
	}
}

func TestResolveRefused(t *testing.T) {
	tests := []struct {
		raw, country, taxNo string
		want                string
	}{
		// Document 004's example without a country.
		{"PE001", "", "", `participant id "PE001": no scheme given and none can be inferred (no country, no VAT prefix)`},
		{"PE001", "DEU", "DE123456789", `participant id "PE001": no scheme given and none can be inferred (country DEU: no national number is inferred for DE, no VAT prefix, tax number DE123456789 is a different number)`},
		{"PE003", "PER", "", `participant id "PE003": no scheme given and none can be inferred (country PER: no national number is inferred for PE, no VAT prefix)`},
		{"PE001", "XYZ", "", `participant id "PE001": no scheme given and none can be inferred (country "XYZ" is not an ISO 3166-1 alpha-3 code, no VAT prefix)`},
		{"123456789", "DEU", "", `participant id "123456789": no scheme given and none can be inferred (country DEU: no national number is inferred for DE, no VAT prefix)`},
		{"12345", "NOR", "", `participant id "12345": no scheme given and none can be inferred (country NOR: not a Norwegian organisation number (9 digits), no VAT prefix)`},
		{"12345", "FIN", "", `participant id "12345": no scheme given and none can be inferred (country FIN: not a Finnish business id (7 digits, - and a check digit) or Finnish OVT code (0037 + 8 digits), no VAT prefix)`},
		{"12345", "", "12345", `participant id "12345": no scheme given and none can be inferred (no country, no VAT prefix, tax number 12345 has no VAT prefix)`},
		{"12345", "", "DE12345", `participant id "12345": no scheme given and none can be inferred (country DEU (from the tax number): no national number is inferred for DE, no VAT prefix, tax number DE12345 is not a German VAT number (DE + 9 digits))`},
		{"DE12345", "DEU", "", `participant id "DE12345": no scheme given and none can be inferred (country DEU: no national number is inferred for DE, VAT prefix DE: not a German VAT number (DE + 9 digits))`},
		{"XI123456789", "GBR", "", `participant id "XI123456789": no scheme given and none can be inferred (country GBR: no national number is inferred for GB, no VAT prefix)`},
		{"SE2120000787", "SWE", "", `participant id "SE2120000787": no scheme given and none can be inferred (country SWE: not a Swedish organisation number (10 digits), VAT prefix SE: not a Swedish VAT number (SE + 10 digits + 01))`},

		// Inferred, then refused by the scheme's checks.
		{"BE0403019262", "BEL", "", `participant id "BE0403019262": no scheme given; read as a VAT number with prefix BE it would be 0208:0403019262, but Belgian enterprise number check digits are 62, expected 61`},
		{"745707328", "NOR", "", `participant id "745707328": no scheme given; read as a national number of country NOR it would be 0192:745707328, but Norwegian organisation number check digit is 8, expected 7`},
		{"03585628", "DNK", "", `participant id "03585628": no scheme given; read as a national number of country DNK it would be 0184:03585628, but Danish CVR number (0184) must be 8 digits, not starting with 0 and without the DK prefix, e.g. 0184:13585628`},
		{"123456788", "", "DE123456788x", `participant id "123456788": no scheme given and none can be inferred (country DEU (from the tax number): no national number is inferred for DE, no VAT prefix, tax number DE123456788X is a different number)`},
		{"IT00743110158", "", "", `participant id "IT00743110158": no scheme given; read as a VAT number with prefix IT it would be 0211:IT00743110158, but Italian VAT number (partita IVA) check digit is 8, expected 7`},

		// Ids with a scheme get Parse's reasons; so does an empty one.
		{"", "DEU", "DE123456789", `participant id "": empty; expected ICD:identifier, e.g. 0192:123456789`},
		{"0088:1234567890123", "DEU", "", `participant id "0088:1234567890123": GLN check digit is 3, expected 8`},
	}
	for _, tt := range tests {
		_, err := Resolve(tt.raw, tt.country, tt.taxNo)
		var ie *IDError
		if !errors.As(err, &ie) || ie.Input != tt.raw {
			t.Errorf("Resolve(%q, %q, %q) error = %v, want an *IDError for the input", tt.raw, tt.country, tt.taxNo, err)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Resolve(%q, %q, %q) error\n got %s\nwant %s", tt.raw, tt.country, tt.taxNo, err, tt.want)
		}
	}
}

func TestCompactTax(t *testing.T) {
	for in, want := range map[string]string{
		" de 123 456 789 ":     "DE123456789",
		"BE0403.019.261":       "BE0403019261",
		"CHE-109.322.551 MWST": "CHE109322551MWST",
		"":                     "",
	} {
		if got := compactTax(in); got != want {
			t.Errorf("compactTax(%q) = %q, want %q", in, got, want)
		}
	}
	if strings.Contains(compactTax("a/b"), "/") {
		t.Error("compactTax keeps /")
	}
}
