package ubl

import (
	"regexp"
	"strings"

	"github.com/vatgate/vatgate/internal/iso"
)

// vatFormats are the VAT number shapes (without the country prefix) of the
// countries whose VAT identifiers carry an ISO prefix by law or convention:
// the EU member states (VIES formats; Greece's prefix is EL), the United
// Kingdom and Norway. A tax number in one of these countries becomes the VAT
// identifier (BT-31/BT-48) only when it has this shape; anything else there
// (a German Steuernummer, a typo) is not a VAT identifier and is never
// dressed up as one.
var vatFormats = map[string]*regexp.Regexp{
	"AT": regexp.MustCompile(`^U[0-9]{8}$`),
	"BE": regexp.MustCompile(`^[01][0-9]{9}$`),
	"BG": regexp.MustCompile(`^[0-9]{9,10}$`),
	"CY": regexp.MustCompile(`^[0-9]{8}[A-Z]$`),
	"CZ": regexp.MustCompile(`^[0-9]{8,10}$`),
	"DE": regexp.MustCompile(`^[0-9]{9}$`),
	"DK": regexp.MustCompile(`^[0-9]{8}$`),
	"EE": regexp.MustCompile(`^[0-9]{9}$`),
	"EL": regexp.MustCompile(`^[0-9]{9}$`),
	"ES": regexp.MustCompile(`^[A-Z0-9][0-9]{7}[A-Z0-9]$`),
	"FI": regexp.MustCompile(`^[0-9]{8}$`),
	"FR": regexp.MustCompile(`^[A-HJ-NP-Z0-9]{2}[0-9]{9}$`),
	"HR": regexp.MustCompile(`^[0-9]{11}$`),
	"HU": regexp.MustCompile(`^[0-9]{8}$`),
	"IE": regexp.MustCompile(`^[0-9][0-9A-Z+*][0-9]{5}[A-W][A-I]?$`),
	"IT": regexp.MustCompile(`^[0-9]{11}$`),
	"LT": regexp.MustCompile(`^([0-9]{9}|[0-9]{12})$`),
	"LU": regexp.MustCompile(`^[0-9]{8}$`),
	"LV": regexp.MustCompile(`^[0-9]{11}$`),
	"MT": regexp.MustCompile(`^[0-9]{8}$`),
	"NL": regexp.MustCompile(`^[0-9]{9}B[0-9]{2}$`),
	"PL": regexp.MustCompile(`^[0-9]{10}$`),
	"PT": regexp.MustCompile(`^[0-9]{9}$`),
	"RO": regexp.MustCompile(`^[0-9]{2,10}$`),
	"SE": regexp.MustCompile(`^[0-9]{12}$`),
	"SI": regexp.MustCompile(`^[0-9]{8}$`),
	"SK": regexp.MustCompile(`^[0-9]{10}$`),
	"GB": regexp.MustCompile(`^([0-9]{9}|[0-9]{12}|GD[0-9]{3}|HA[0-9]{3})$`),
	"NO": regexp.MustCompile(`^[0-9]{9}MVA$`),
}

// vatPrefix is the prefix of country's VAT identifiers: its alpha-2 code,
// except Greece (EL).
func vatPrefix(country string) string {
	if country == "GR" {
		return "EL"
	}
	return country
}

// prefixCountry maps a VAT prefix back to its country (EL is Greece).
func prefixCountry(prefix string) string {
	if prefix == "EL" {
		return "GR"
	}
	return prefix
}

// normTaxNumber drops the separators people write into tax numbers and
// upper-cases them: "de 123.456-789" -> "DE123456789".
func normTaxNumber(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '.', '-', '\t':
			return -1
		}
		return r
	}, s)
}

// vatID reads tax number tn (normalised) of a party in country (alpha-2) as
// a VAT identifier with its ISO prefix (BR-CO-09). It returns "", false when
// tn is not one. Rules:
//   - with a prefix of a VAT-format country: kept when the rest has that
//     country's shape (Norway's MVA suffix is added when missing);
//   - without a prefix, in a VAT-format country: the prefix is added when
//     the number has the country's shape;
//   - with any other ISO prefix (CHE..., a country we do not know the shape
//     of): kept as the party gave it;
//   - anything else is not a VAT identifier.
func vatID(tn, country string) (string, bool) {
	if tn == "" {
		return "", false
	}
	if len(tn) > 2 && isLetter(tn[0]) && isLetter(tn[1]) {
		p := tn[:2]
		if re, ok := vatFormats[p]; ok {
			rest := tn[2:]
			if p == "NO" && !strings.HasSuffix(rest, "MVA") {
				rest += "MVA"
			}
			if re.MatchString(rest) {
				return p + rest, true
			}
			return "", false
		}
		if validVATPrefix(p) {
			return tn, true
		}
	}
	p := vatPrefix(country)
	if re, ok := vatFormats[p]; ok {
		rest := tn
		if p == "NO" && !strings.HasSuffix(rest, "MVA") {
			rest += "MVA"
		}
		if re.MatchString(rest) {
			return p + rest, true
		}
	}
	return "", false
}

// hasVATFormat reports whether country's VAT identifiers have a known shape
// (the EU, the United Kingdom and Norway).
func hasVATFormat(country string) bool {
	_, ok := vatFormats[vatPrefix(country)]
	return ok
}

func isLetter(b byte) bool { return b >= 'A' && b <= 'Z' }

// validVATPrefix reports whether p may start a VAT identifier (BR-CO-09):
// an ISO 3166-1 alpha-2 code, EL (Greece), XI (Northern Ireland) or 1A
// (Kosovo).
func validVATPrefix(p string) bool {
	switch p {
	case "EL", "XI", "1A":
		return true
	}
	_, ok := iso.CountryByAlpha2(p)
	return ok && len(p) == 2
}
