// Package money holds vatgate's exact decimal numbers: amounts, quantities,
// prices and rates. They are github.com/shopspring/decimal values, read from
// the literal text of a JSON number (never through float64) and written in
// the two styles the API documents: the short style of the invoice APIs
// ("3678.3", "5002.0") and the two-decimal style of e-documents ("120.00").
package money

import (
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/shopspring/decimal"
)

// Decimal is an exact decimal number. It is an alias so that domain types can
// use the library's arithmetic directly.
type Decimal = decimal.Decimal

// Zero is 0.
var Zero = decimal.Zero

// ErrNotNumber is returned for text that is not a decimal number.
var ErrNotNumber = errors.New("not a number")

// Parse reads a decimal from text such as "75.00", "-3", "1.5e2". It accepts
// exactly the JSON number grammar, so "0x10", " 1", "1." or "NaN" are refused.
func Parse(s string) (Decimal, error) {
	if !isJSONNumber(s) {
		return Zero, ErrNotNumber
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return Zero, ErrNotNumber
	}
	return d, nil
}

// MustParse is Parse for constants in tests and tables; it panics on error.
func MustParse(s string) Decimal {
	d, err := Parse(s)
	if err != nil {
		panic(fmt.Sprintf("money.MustParse(%q): %v", s, err))
	}
	return d
}

// Places is the number of significant decimal places of d: trailing zeros do
// not count, so 75.10 has one place and 75.00 none. A value is "at most two
// decimals" when no precision would be lost writing it with two.
func Places(d Decimal) int {
	// Computed from coefficient and exponent rather than d.String(), whose
	// trailing-zero trimming is a mutable global of the decimal library.
	coef, exp := d.Coefficient(), d.Exponent()
	ten, rem := big.NewInt(10), new(big.Int)
	for exp < 0 && coef.Sign() != 0 {
		q, r := new(big.Int).QuoRem(coef, ten, rem)
		if r.Sign() != 0 {
			break
		}
		coef, exp = q, exp+1
	}
	if exp >= 0 || coef.Sign() == 0 {
		return 0
	}
	return int(-exp)
}

// IntegerDigits is the number of digits before the decimal point (0 for |d| < 1).
func IntegerDigits(d Decimal) int {
	s := d.Abs().Truncate(0).String()
	if s == "0" {
		return 0
	}
	return len(s)
}

// Short writes d in the invoice APIs' style: the shortest exact form with at
// least one decimal ("3678.3", "5002.0", "0.0", "12.34").
func Short(d Decimal) string {
	s := d.String()
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// Fixed2 writes d with exactly two decimals ("120.00"), the e-document style.
// Callers only pass values that have at most two places, so nothing is rounded.
func Fixed2(d Decimal) string {
	return d.StringFixed(2)
}

// isJSONNumber reports whether s follows RFC 8259's number grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		start := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == start {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		// An exponent beyond a few digits is a denial-of-service vector
		// (1e999999999 allocates a huge coefficient), never a real amount.
		if i == start || i-start > 3 {
			return false
		}
	}
	return i == len(s)
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }
