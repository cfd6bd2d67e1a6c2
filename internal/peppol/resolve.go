package peppol

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/vatgate/vatgate/internal/iso"
)

// vatRule reads one country's VAT numbers as participant ids.
type vatRule struct {
	country string // ISO 3166-1 alpha-2
	scheme  string
	what    string
	shape   string
	re      *regexp.Regexp
	value   func(vat string) string // the identifier within scheme
}

// sameVAT is a country whose Peppol VAT scheme takes the VAT number as it
// is: the scheme's format is the VAT number's.
func sameVAT(country, scheme string) vatRule {
	f := formats[scheme]
	return vatRule{country: country, scheme: scheme, what: f.what, shape: f.shape, re: f.re, value: func(v string) string { return v }}
}

// vatRules is keyed by VAT prefix: the EU member states' (EL for Greece), the
// UK's, Norway's, and CHE for Switzerland. Each mapping is explained in the
// package comment; the non-obvious ones again here.
var vatRules = map[string]vatRule{
	"AT": sameVAT("AT", "9914"),
	// The 10 digits of a Belgian VAT number are the enterprise number,
	// under which Belgian companies register in Peppol (0208).
	"BE": {country: "BE", scheme: "0208", what: "Belgian VAT number", shape: "BE + 10 digits starting with 0 or 1",
		re: regexp.MustCompile(`^BE[01][0-9]{9}$`), value: func(v string) string { return v[2:] }},
	"BG": sameVAT("BG", "9926"),
	"CY": sameVAT("CY", "9928"),
	"CZ": sameVAT("CZ", "9929"),
	"DE": sameVAT("DE", "9930"),
	// A Danish VAT number is DK + the CVR number, and DK:DIGST (0184) is
	// the CVR number without the prefix.
	"DK": {country: "DK", scheme: "0184", what: "Danish VAT number", shape: "DK + 8 digits",
		re: regexp.MustCompile(`^DK[0-9]{8}$`), value: func(v string) string { return v[2:] }},
	"EE": sameVAT("EE", "9931"),
	"EL": sameVAT("GR", "9933"),
	"GR": sameVAT("GR", "9933"),
	"ES": sameVAT("ES", "9920"),
	// A Finnish VAT number is FI + the business id without its hyphen; the
	// OVT code (0216) is "0037" + that id.
	"FI": {country: "FI", scheme: "0216", what: "Finnish VAT number", shape: "FI + 8 digits",
		re: regexp.MustCompile(`^FI[0-9]{8}$`), value: func(v string) string { return "0037" + v[2:] }},
	"FR": sameVAT("FR", "9957"),
	"GB": sameVAT("GB", "9932"),
	"HR": sameVAT("HR", "9934"),
	"HU": sameVAT("HU", "9910"),
	"IE": sameVAT("IE", "9935"),
	// IT:IVA (0211) is the partita IVA with its IT prefix; IT:VAT (9906)
	// was removed in its favour.
	"IT": sameVAT("IT", "0211"),
	"LT": sameVAT("LT", "9937"),
	"LU": sameVAT("LU", "9938"),
	"LV": sameVAT("LV", "9939"),
	"MT": sameVAT("MT", "9943"),
	"NL": sameVAT("NL", "9944"),
	// A Norwegian VAT number is NO + the organisation number + MVA; NO:VAT
	// (9909) is deprecated and Norway registers under NO:ORG (0192).
	"NO": {country: "NO", scheme: "0192", what: "Norwegian VAT number", shape: "NO + 9 digits, optionally + MVA",
		re: regexp.MustCompile(`^NO[0-9]{9}(?:MVA)?$`), value: func(v string) string { return v[2:11] }},
	"PL": sameVAT("PL", "9945"),
	"PT": sameVAT("PT", "9946"),
	"RO": sameVAT("RO", "9947"),
	// A Swedish VAT number is SE + the organisation number + 01; SE:VAT
	// (9955) was removed and Sweden registers under SE:ORGNR (0007).
	"SE": {country: "SE", scheme: "0007", what: "Swedish VAT number", shape: "SE + 10 digits + 01",
		re: regexp.MustCompile(`^SE[0-9]{10}01$`), value: func(v string) string { return v[2:12] }},
	"SI": sameVAT("SI", "9949"),
	"SK": sameVAT("SK", "9950"),
	// A Swiss VAT number is the UID (CHE + 9 digits) + MWST, TVA or IVA;
	// CH:UIDB (0183) is the UID itself.
	"CHE": {country: "CH", scheme: "0183", what: "Swiss UID or VAT number", shape: "CHE + 9 digits, optionally + MWST, TVA or IVA",
		re: regexp.MustCompile(`^CHE[0-9]{9}(?:MWST|TVA|IVA)?$`), value: func(v string) string { return v[:12] }},
}

// vatPrefix finds the VAT rule for an upper-cased id, if it starts with a
// known VAT prefix.
func vatPrefix(v string) (string, vatRule, bool) {
	if strings.HasPrefix(v, "CHE") {
		return "CHE", vatRules["CHE"], true
	}
	if len(v) >= 2 {
		if r, ok := vatRules[v[:2]]; ok {
			return v[:2], r, true
		}
	}
	return "", vatRule{}, false
}

// nationalRule reads a national number of one country, told apart from the
// country's other Peppol schemes by its shape alone.
type nationalRule struct {
	scheme string
	what   string // "" for the scheme's own
	shape  string
	re     *regexp.Regexp
	value  func(string) string
}

func national(scheme, shape, pattern string) nationalRule {
	return nationalRule{scheme: scheme, shape: shape, re: regexp.MustCompile(`^(?:` + pattern + `)$`),
		value: func(v string) string { return strings.ReplaceAll(v, "-", "") }}
}

// nationalRules is keyed by ISO 3166-1 alpha-2. Each country's numbers are
// those of its one Peppol scheme of that length (data/eas.tsv); the hyphen
// of the usual written form (Finnish business ids, Swedish organisation
// numbers, Icelandic kennitala) is dropped.
var nationalRules = map[string][]nationalRule{
	"AU": {national("0151", "11 digits", `[0-9]{11}`)},
	"BE": {national("0208", "10 digits", `[01][0-9]{9}`)},
	"DK": {national("0184", "8 digits", `[0-9]{8}`)},
	"EE": {national("0191", "8 digits", `[1789][0-9]{7}`)},
	"FI": {
		{scheme: "0216", what: "Finnish business id", shape: "7 digits, - and a check digit", re: regexp.MustCompile(`^[0-9]{7}-?[0-9]$`),
			value: func(v string) string { return "0037" + strings.ReplaceAll(v, "-", "") }},
		national("0216", "0037 + 8 digits", `0037[0-9]{8}[0-9A-Z]{0,5}`),
	},
	"FR": {national("0002", "9 digits", `[0-9]{9}`), national("0009", "14 digits", `[0-9]{14}`)},
	"IS": {national("0196", "10 digits", `[0-9]{6}-?[0-9]{4}`)},
	"NL": {national("0106", "8 digits", `[0-9]{8}`), national("0190", "20 digits", `[0-9]{20}`)},
	"NO": {national("0192", "9 digits", `[0-9]{9}`)},
	"SE": {national("0007", "10 digits", `[0-9]{6}-?[0-9]{4}`)},
}

// Resolve turns a party's Peppol id as given into a participant id: one
// with a scheme is parsed; a bare one gets its scheme inferred from its VAT
// prefix, the party's tax number or its country (ISO 3166-1 alpha-3), as the
// package comment sets out, and is then checked like a parsed one.
func Resolve(raw, countryAlpha3, taxNumber string) (ParticipantID, error) {
	t := strings.TrimSpace(raw)
	if t == "" || strings.Contains(t, ":") {
		return Parse(raw)
	}
	p, why := resolveBare(strings.ToUpper(t), countryAlpha3, taxNumber)
	if why != "" {
		return ParticipantID{}, &IDError{Input: raw, Reason: why}
	}
	return p, nil
}

func resolveBare(v, countryAlpha3, taxNumber string) (ParticipantID, string) {
	var countryPart, vatPart, taxPart string

	// The id's own VAT prefix.
	if pre, r, ok := vatPrefix(v); ok {
		if r.re.MatchString(v) {
			return inferred(r.scheme, r.value(v), "as a VAT number with prefix "+pre)
		}
		vatPart = fmt.Sprintf("VAT prefix %s: not a %s (%s)", pre, r.what, r.shape)
	} else {
		vatPart = "no VAT prefix"
	}

	// The tax number, which is this id with a VAT prefix.
	tax := compactTax(taxNumber)
	taxPre, taxRule, taxHasPrefix := vatPrefix(tax)
	if tax != "" {
		switch {
		case !taxHasPrefix:
			taxPart = fmt.Sprintf("tax number %s has no VAT prefix", tax)
		case tax[len(taxPre):] != v:
			taxPart = fmt.Sprintf("tax number %s is a different number", tax)
		case !taxRule.re.MatchString(tax):
			taxPart = fmt.Sprintf("tax number %s is not a %s (%s)", tax, taxRule.what, taxRule.shape)
		default:
			return inferred(taxRule.scheme, taxRule.value(tax), "as the party's tax number "+tax)
		}
	}

	// A national number of the party's country, or else of the country
	// the tax number's prefix names.
	var alpha2, alpha3, from string
	switch {
	case countryAlpha3 != "":
		c, ok := iso.CountryByAlpha3(countryAlpha3)
		if !ok {
			countryPart = fmt.Sprintf("country %q is not an ISO 3166-1 alpha-3 code", countryAlpha3)
			break
		}
		alpha2, alpha3 = c.Alpha2, c.Alpha3
	case taxHasPrefix:
		c, _ := iso.CountryByAlpha2(taxRule.country)
		alpha2, alpha3, from = c.Alpha2, c.Alpha3, " (from the tax number)"
	default:
		countryPart = "no country"
	}
	if alpha2 != "" {
		rules := nationalRules[alpha2]
		var kinds []string
		for _, r := range rules {
			if r.re.MatchString(v) {
				return inferred(r.scheme, r.value(v), "as a national number of country "+alpha3+from)
			}
			what := r.what
			if what == "" {
				what = formats[r.scheme].what
			}
			kinds = append(kinds, fmt.Sprintf("%s (%s)", what, r.shape))
		}
		if len(rules) == 0 {
			countryPart = fmt.Sprintf("country %s%s: no national number is inferred for %s", alpha3, from, alpha2)
		} else {
			countryPart = fmt.Sprintf("country %s%s: not a %s", alpha3, from, strings.Join(kinds, " or "))
		}
	}

	parts := []string{countryPart, vatPart}
	if taxPart != "" {
		parts = append(parts, taxPart)
	}
	return ParticipantID{}, "no scheme given and none can be inferred (" + strings.Join(parts, ", ") + ")"
}

// inferred checks an inferred id like a parsed one.
func inferred(scheme, value, how string) (ParticipantID, string) {
	v, why := validate(scheme, value)
	if why != "" {
		return ParticipantID{}, fmt.Sprintf("no scheme given; read %s it would be %s:%s, but %s", how, scheme, value, why)
	}
	return ParticipantID{Scheme: scheme, Value: v}, ""
}

// compactTax upper-cases a tax number and drops the separators it is often
// written with ("DE 123 456 789", "BE0403.019.261", "CHE-109.322.551 MWST").
func compactTax(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '.', '-', '/':
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(s)))
}
