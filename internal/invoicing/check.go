package invoicing

import (
	"strings"
	"unicode/utf8"

	"cloud.google.com/go/civil"
	"github.com/vatgate/vatgate/internal/iso"
	"github.com/vatgate/vatgate/internal/money"
)

// DefaultMaxLength bounds every string the documents give no maximum, so no
// field is unbounded; lengths are counted in characters, not bytes.
const DefaultMaxLength = 255

// Amount bounds: at most 15 digits before the point fits NUMERIC(17,2) and
// every accounting system we hand data to.
const maxIntegerDigits = 15

// maxQuantityPlaces bounds the decimals of a quantity (the documents give
// none; UBL accepts any, accounting systems commonly keep four).
const maxQuantityPlaces = 4

// RuleControl refuses a control character in a text field.
const RuleControl = "control_characters"

// checkers for single values; each adds at most one problem.

// checkMaxLen checks a text field: every free-text field of every route
// (names, descriptions, addresses, numbers, references, tax and Peppol
// ids) comes through here, directly or through checkRequiredString, so the
// two rules below hold the same everywhere.
//
// No control character: C0 (U+0000-U+001F, tab and newlines included),
// DEL (U+007F) and C1 (U+0080-U+009F). Every field is one line: a name,
// or one line of an address (address_line_1, _2) or a whole address
// written on one (customer_address, supplier_address), as it lands in a
// single UBL element or a single printed line. A newline there is a
// client's mistake, NUL and escape codes are worse, and all of them would
// travel on into UBL, PDFs and the receiver's systems.
//
// At most max characters: counted in characters (runes), never bytes, so
// "é" counts one like "e".
func checkMaxLen(p *problems, field, v string, max int) {
	n := 0
	for _, r := range v {
		if isControl(r) {
			p.add(field, RuleControl, "must not contain control characters (got U+%04X at character %d)", r, n+1)
			return
		}
		n++
	}
	if n > max {
		p.add(field, RuleMaxLength, "must be at most %d characters (got %d)", max, n)
	}
}

// isControl reports whether r is a C0 or C1 control character or DEL.
func isControl(r rune) bool { return r < 0x20 || r >= 0x7f && r <= 0x9f }

func checkRequiredString(p *problems, field string, v string, max int) {
	if strings.TrimSpace(v) == "" {
		p.add(field, RuleRequired, "is required and must not be empty")
		return
	}
	checkMaxLen(p, field, v, max)
}

func checkEmail(p *problems, field, v string) {
	if v == "" {
		return
	}
	if strings.ContainsFunc(v, isControl) {
		checkMaxLen(p, field, v, DefaultMaxLength) // refused as every text field is
		return
	}
	at := strings.LastIndexByte(v, '@')
	if at <= 0 || at == len(v)-1 || strings.ContainsAny(v, " \t\r\n") {
		p.add(field, RuleFormat, "must be an email address containing '@' (got %q)", v)
		return
	}
	checkMaxLen(p, field, v, DefaultMaxLength)
}

// normCountry checks an ISO 3166-1 alpha-3 code and returns it in upper case.
func normCountry(p *problems, field, v string) string {
	if v == "" {
		return ""
	}
	c, ok := iso.CountryByAlpha3(v)
	if !ok || len(v) != 3 {
		p.add(field, RuleCode, "must be an ISO 3166-1 alpha-3 country code such as \"USA\" (got %q)", v)
		return v
	}
	return c.Alpha3
}

// normLanguage checks an ISO 639-1 code and returns it in upper case, the way
// the documents' examples write it ("EN").
func normLanguage(p *problems, field, v string) string {
	if v == "" {
		return ""
	}
	if len(v) != 2 || !iso.IsLanguage(v) {
		p.add(field, RuleCode, "must be an ISO 639-1 language code such as \"EN\" (got %q)", v)
		return v
	}
	return strings.ToUpper(v)
}

// normCurrency checks an ISO 4217 code and returns it in upper case.
func normCurrency(p *problems, field, v string) string {
	if utf8.RuneCountInString(v) > 3 {
		p.add(field, RuleMaxLength, "must be at most 3 characters (got %q)", v)
		return v
	}
	c, ok := iso.CurrencyByCode(v)
	// Codes without minor units are funds, metals and test codes (XAU, XTS,
	// XXX): ISO lists them, but no invoice is payable in them.
	if ok && c.MinorUnits < 0 {
		p.add(field, RuleCode, "must be a currency an invoice can be paid in; %q is a fund, metal or test code", v)
		return v
	}
	if !ok || len(v) != 3 { // not 3 bytes: a non-ASCII letter that upper-cases to ASCII ("uſd")
		p.add(field, RuleCode, "must be an ISO 4217 currency code such as \"EUR\" (got %q)", v)
		return v
	}
	return c.Code
}

func checkEnum(p *problems, field, v string, allowed ...string) {
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	p.add(field, RuleEnum, "must be one of %s (got %q)", quoteList(allowed), v)
}

func quoteList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = `"` + v + `"`
	}
	return strings.Join(q, ", ")
}

// parseDate reads a civil date written exactly as YYYY-MM-DD.
func parseDate(p *problems, field, v string) (civil.Date, bool) {
	if v == "" {
		p.add(field, RuleRequired, "is required (a date as YYYY-MM-DD)")
		return civil.Date{}, false
	}
	d, err := civil.ParseDate(v)
	if err != nil || len(v) != 10 || d.Year < 1 {
		p.add(field, RuleFormat, "must be a real date in YYYY-MM-DD format (got %q)", v)
		return civil.Date{}, false
	}
	return d, true
}

// checkAmount enforces the documents' "Decimal with 2 places": non-negative,
// at most two significant decimals (never rounded), and a sane magnitude.
func checkAmount(p *problems, field string, d money.Decimal) {
	switch {
	case d.IsNegative():
		p.add(field, RuleNonNegative, "must not be negative (got %s)", d.String())
	case money.Places(d) > 2:
		p.add(field, RuleDecimalPlaces, "must have at most 2 decimal places (got %s)", d.String())
	case money.IntegerDigits(d) > maxIntegerDigits:
		p.add(field, RuleRange, "must be less than 10^%d (got %s)", maxIntegerDigits, d.String())
	}
}

// checkPositive enforces "Positive number" with a bound on decimals.
func checkPositive(p *problems, field string, d money.Decimal, maxPlaces int) {
	switch {
	case !d.IsPositive():
		p.add(field, RulePositive, "must be a positive number (got %s)", d.String())
	case money.Places(d) > maxPlaces:
		p.add(field, RuleDecimalPlaces, "must have at most %d decimal places (got %s)", maxPlaces, d.String())
	case money.IntegerDigits(d) > maxIntegerDigits:
		p.add(field, RuleRange, "must be less than 10^%d (got %s)", maxIntegerDigits, d.String())
	}
}
