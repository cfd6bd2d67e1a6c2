// Package fx owns vatgate's exchange rates: the European Central Bank's euro
// foreign exchange reference rates, a dated snapshot of their history embedded
// in the binary (data/eurofxref-hist.zip, see data/SOURCE.md), the parsing of
// the files the ECB publishes so that a newer one can extend the snapshot, and
// the conversion of an amount between two currencies on a date.
//
// The conventions are those of the OMP rules (RULES.md 1.8 and 17.3):
//
//   - The rate for a date D is the ECB reference rate of the last publication
//     day on or before D (a weekend or a TARGET holiday falls back to the day
//     before; Rate.Published says which day was used).
//   - The ECB quotes units of a currency per 1 EUR; other pairs cross through
//     EUR: amount / rate(from) * rate(to).
//   - A rate the data does not cover is refused with a *MissingRateError,
//     never guessed: a date more than MaxStaleness days past the last
//     publication day, a date before the first one, a currency the ECB does not
//     quote, and a currency the ECB had stopped quoting by that day (see
//     Table.Rate).
//
// The package is pure: no clock, no network, no file but the embedded one.
// Amounts and rates are exact decimals (money.Decimal), never float64.
//
// Parsing uses the standard library's archive/zip, encoding/csv and
// encoding/xml for the lexing; no third-party library is needed. What is
// written by hand is only the ECB's layout on top of them (the header row of
// currency codes, "N/A" cells, the one-day file's "13 April 2026" dates, the
// gesmes Cube nesting) and the checks that refuse a file not in it: the Go
// ECB clients we know of fetch over HTTP and hold rates as float64, and
// neither belongs in a pure package about money.
package fx

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"cloud.google.com/go/civil"
	"github.com/shopspring/decimal"

	"github.com/vatgate/vatgate/internal/money"
)

// MaxStaleness is how many days past the last publication day of a table its
// rates still answer. The longest gap between two ECB publications is 5 days
// (Easter, Christmas), so 7 covers every holiday while refusing a snapshot
// that has simply not been updated.
const MaxStaleness = 7

// ConversionPlaces is the number of decimal places of Conversion.Amount.
const ConversionPlaces = 4

//go:embed data/eurofxref-hist.zip
var snapshotZip []byte

var snapshot = sync.OnceValue(func() *Table {
	t, err := Parse(bytes.NewReader(snapshotZip))
	if err != nil {
		panic("fx: embedded data/eurofxref-hist.zip: " + err.Error())
	}
	return t
})

// Snapshot is the table of the embedded ECB history, parsed on first use and
// shared afterwards. It panics only if the embedded file is corrupt, which a
// test rules out.
func Snapshot() *Table { return snapshot() }

// Table holds ECB reference rates by publication day. A Table is immutable
// once built and safe for concurrent use; the zero Table holds no rates.
type Table struct {
	days   []int32            // every publication day, ascending (day numbers, see dayNum)
	series map[string]*series // by upper-case currency code
}

// series is one currency's rates: days ascending and, at the same index, the
// rate as coefficient and exponent. Kept as plain integers rather than
// decimals (a big.Int each) it is 16 bytes a rate instead of about 70.
type series struct {
	days []int32
	coef []int64
	exp  []int32
}

func (s *series) rate(i int) money.Decimal { return decimal.New(s.coef[i], s.exp[i]) }

// Rate is the reference rate of one currency on one publication day.
type Rate struct {
	Currency  string        // upper-case ISO 4217 code
	PerEUR    money.Decimal // units of Currency per 1 EUR
	Published civil.Date    // the ECB publication day whose rate this is
}

// Conversion is an amount converted from one currency to another.
//
// Amount is the exact value amount / From.PerEUR * To.PerEUR rounded once,
// half away from zero, to ConversionPlaces (4) decimal places. The exact
// quotient is rounded directly (decimal DivRound compares the remainder), so no
// intermediate precision is involved. Four places rather than two because the
// value is compared with thresholds held in cents: compare Amount itself, so
// 150.0049 is above EUR 150.00 and not rounded down onto it; a caller rounds to
// 2 only for display. (That display rounding is a second rounding; it differs
// from rounding the exact value only within 0.00005 below a half cent.) More
// than 4 places would be spurious: ECB rates carry 5 or 6 significant digits.
type Conversion struct {
	Amount   money.Decimal
	From, To Rate // the rates used; zero PerEUR and Published when from == to (no rate needed)
}

// MissingRateError is returned when the table cannot give the rate of a
// currency on a date. Reason says why, for a person.
type MissingRateError struct {
	Currency string
	Date     civil.Date
	Reason   string
}

func (e *MissingRateError) Error() string {
	return fmt.Sprintf("no ECB reference rate for %s on %s: %s", e.Currency, e.Date, e.Reason)
}

// Span is the first and last publication day of the table (zero dates for an
// empty table).
func (t *Table) Span() (first, last civil.Date) {
	if t == nil || len(t.days) == 0 {
		return civil.Date{}, civil.Date{}
	}
	return dateOf(t.days[0]), dateOf(t.days[len(t.days)-1])
}

// Rate is the rate of currency (any case) on day on.
//
// EUR is 1 on every date, published on that date. For another currency the
// rate is that of P, the table's last publication day on or before on, and it
// is refused (a *MissingRateError) when
//   - the table holds no rate for the currency on any day;
//   - on is before the table's first publication day;
//   - on is more than MaxStaleness days after P: the data ends too early
//     (the last publication day + 7 is still answered, + 8 is not);
//   - P holds no rate for the currency, or on is after the currency's last
//     rate while the table holds later publication days without it.
//
// The last rule is the staleness rule applied per currency. The ECB publishes
// all its currencies together, so a publication day without one means the ECB
// had not started quoting it yet (RON before 2005-07-01), had stopped (BGN
// after 2025-12-31, as Bulgaria adopted the euro on 2026-01-01; HRK, RUB, CYP,
// ROL, TRL...) or had suspended it (ISK from 2008-12-10 to 2018-01-31). A
// currency's last rate answers no day after it once the ECB has published
// without it: a BGN amount dated 2026-01-01 is refused, not converted at the
// 2025-12-31 rate, although that rate is less than 7 days old.
func (t *Table) Rate(currency string, on civil.Date) (Rate, error) {
	code := strings.ToUpper(currency)
	miss := func(format string, args ...any) (Rate, error) {
		return Rate{}, &MissingRateError{Currency: code, Date: on, Reason: fmt.Sprintf(format, args...)}
	}
	if !on.IsValid() {
		return miss("the date is not valid")
	}
	if code == "EUR" {
		return Rate{Currency: code, PerEUR: decimal.New(1, 0), Published: on}, nil
	}
	if t == nil || len(t.days) == 0 {
		return miss("no ECB rates are loaded")
	}
	s := t.series[code]
	if s == nil {
		return miss("the ECB publishes none")
	}
	d := dayNum(on)
	// j: the table's last publication day <= on.
	j := searchLE(t.days, d)
	if j < 0 {
		return miss("the rates start on %s", dateOf(t.days[0]))
	}
	p, sLast := t.days[j], s.days[len(s.days)-1]
	if d > int64(sLast) && sLast < t.days[len(t.days)-1] {
		// Checked before the table's end: a newer file would not help.
		return miss("the ECB's rates for %s end on %s", code, dateOf(sLast))
	}
	if d-int64(p) > MaxStaleness {
		if j == len(t.days)-1 {
			return miss("the rates end on %s", dateOf(p))
		}
		return miss("the rates hold no publication day after %s until %s", dateOf(p), dateOf(t.days[j+1]))
	}
	i := searchLE(s.days, int64(p))
	if i < 0 {
		return miss("the ECB's rates for %s start on %s", code, dateOf(s.days[0]))
	}
	if s.days[i] != p {
		// i < len-1: the end of the series was handled above.
		return miss("the ECB published no rate for %s after %s until %s", code, dateOf(s.days[i]), dateOf(s.days[i+1]))
	}
	return Rate{Currency: code, PerEUR: s.rate(i), Published: dateOf(p)}, nil
}

// Convert converts amount from one currency to another (codes in any case) at
// the rates of day on, crossing through EUR; see Conversion for the rounding.
// When from and to are the same currency no rate is needed, none is looked up
// (a GBP amount compared with a GBP threshold is not refused because the data
// ends), and Amount is amount rounded as above.
func (t *Table) Convert(amount money.Decimal, from, to string, on civil.Date) (Conversion, error) {
	from, to = strings.ToUpper(from), strings.ToUpper(to)
	if from == to {
		return Conversion{Amount: amount.Round(ConversionPlaces), From: Rate{Currency: from}, To: Rate{Currency: to}}, nil
	}
	fr, err := t.Rate(from, on)
	if err != nil {
		return Conversion{}, err
	}
	tr, err := t.Rate(to, on)
	if err != nil {
		return Conversion{}, err
	}
	// amount * to is exact; DivRound rounds the exact quotient once.
	return Conversion{Amount: amount.Mul(tr.PerEUR).DivRound(fr.PerEUR, ConversionPlaces), From: fr, To: tr}, nil
}

// Merge is a new table holding the days of t and of newer; a day present in
// both is taken whole from newer (the later publication of that day wins, and
// a currency it lacks is absent on that day). It is how a daily ECB file
// extends the snapshot. Neither table is changed.
func (t *Table) Merge(newer *Table) *Table {
	if newer == nil || len(newer.days) == 0 {
		return t
	}
	if t == nil || len(t.days) == 0 {
		return newer
	}
	out := &Table{days: unionDays(t.days, newer.days), series: make(map[string]*series, len(t.series))}
	for code, old := range t.series {
		out.series[code] = mergeSeries(old, newer.series[code], newer.days)
	}
	for code, s := range newer.series {
		if _, ok := t.series[code]; !ok {
			out.series[code] = s
		}
	}
	return out
}

// mergeSeries merges old and nw (nil when newer lacks the currency), dropping
// the entries of old on days that newer publishes.
func mergeSeries(old, nw *series, newerDays []int32) *series {
	if nw == nil {
		nw = &series{}
	}
	out := &series{
		days: make([]int32, 0, len(old.days)+len(nw.days)),
		coef: make([]int64, 0, len(old.days)+len(nw.days)),
		exp:  make([]int32, 0, len(old.days)+len(nw.days)),
	}
	i, k := 0, 0
	for i < len(old.days) || k < len(nw.days) {
		if k < len(nw.days) && (i == len(old.days) || nw.days[k] <= old.days[i]) {
			if i < len(old.days) && old.days[i] == nw.days[k] {
				i++
			}
			out.days, out.coef, out.exp = append(out.days, nw.days[k]), append(out.coef, nw.coef[k]), append(out.exp, nw.exp[k])
			k++
			continue
		}
		if _, found := slices.BinarySearch(newerDays, old.days[i]); !found {
			out.days, out.coef, out.exp = append(out.days, old.days[i]), append(out.coef, old.coef[i]), append(out.exp, old.exp[i])
		}
		i++
	}
	return out
}

// unionDays merges two ascending day lists without duplicates.
func unionDays(a, b []int32) []int32 {
	out := make([]int32, 0, len(a)+len(b))
	i, k := 0, 0
	for i < len(a) || k < len(b) {
		switch {
		case k == len(b) || (i < len(a) && a[i] < b[k]):
			out = append(out, a[i])
			i++
		case i == len(a) || b[k] < a[i]:
			out = append(out, b[k])
			k++
		default:
			out = append(out, a[i])
			i, k = i+1, k+1
		}
	}
	return out
}

// searchLE is the index of the last element of days <= d, or -1.
func searchLE(days []int32, d int64) int {
	lo, hi := 0, len(days) // invariant: days[:lo] <= d < days[hi:]
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if int64(days[m]) <= d {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo - 1
}

// dayNum is the number of days from 1970-01-01 to d. Callers pass valid dates;
// the result fits an int32 for every year a table can hold (0 to 9999).
func dayNum(d civil.Date) int64 {
	return d.In(time.UTC).Unix() / 86400 // a midnight: an exact multiple, also before 1970
}

func dateOf(n int32) civil.Date {
	return civil.DateOf(time.Unix(int64(n)*86400, 0).UTC())
}
