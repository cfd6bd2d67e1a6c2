package fx_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"cloud.google.com/go/civil"

	"github.com/vatgate/vatgate/internal/fx"
	"github.com/vatgate/vatgate/internal/money"
)

func day(tb testing.TB, s string) civil.Date {
	tb.Helper()
	d, err := civil.ParseDate(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func mustParse(tb testing.TB, s string) *fx.Table {
	tb.Helper()
	t, err := fx.Parse(strings.NewReader(s))
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	return t
}

func mustParseFile(tb testing.TB, name string) *fx.Table {
	tb.Helper()
	f, err := os.Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	t, err := fx.Parse(f)
	if err != nil {
		tb.Fatalf("Parse(%s): %v", name, err)
	}
	return t
}

// zipOf is a zip archive holding the given name/content pairs.
func zipOf(tb testing.TB, files ...string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for i := 0; i+1 < len(files); i += 2 {
		f, err := w.Create(files[i])
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := f.Write([]byte(files[i+1])); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestSnapshot(t *testing.T) {
	// Snapshot panics if the embedded file does not parse: this test is the guard.
	s := fx.Snapshot()
	first, last := s.Span()
	if first != day(t, "1999-01-04") || last != day(t, "2026-04-13") {
		t.Errorf("Span() = %s, %s; want 1999-01-04, 2026-04-13", first, last)
	}
	if fx.Snapshot() != s {
		t.Error("Snapshot() parsed twice")
	}
}

// wantRate checks one Rate answer: a rate and its publication day, or an
// error naming the currency and the date and holding reason.
type rateCase struct {
	name      string
	currency  string
	on        string
	perEUR    string // "" when an error is expected
	published string
	reason    string // part of MissingRateError.Reason
}

func checkRate(t *testing.T, table *fx.Table, tc rateCase) {
	t.Helper()
	on := day(t, tc.on)
	r, err := table.Rate(tc.currency, on)
	if tc.perEUR == "" {
		var mr *fx.MissingRateError
		if !errors.As(err, &mr) {
			t.Fatalf("Rate(%s, %s) = %+v, %v; want a *MissingRateError", tc.currency, tc.on, r, err)
		}
		code := strings.ToUpper(tc.currency)
		if mr.Currency != code || mr.Date != on || !strings.Contains(mr.Reason, tc.reason) {
			t.Errorf("error = %+v; want currency %s, date %s, reason with %q", mr, code, tc.on, tc.reason)
		}
		if msg := err.Error(); !strings.Contains(msg, code) || !strings.Contains(msg, tc.on) {
			t.Errorf("error %q does not name %s and %s", msg, code, tc.on)
		}
		return
	}
	if err != nil {
		t.Fatalf("Rate(%s, %s): %v", tc.currency, tc.on, err)
	}
	if !r.PerEUR.Equal(money.MustParse(tc.perEUR)) || r.Published != day(t, tc.published) || r.Currency != strings.ToUpper(tc.currency) {
		t.Errorf("Rate(%s, %s) = %s %s published %s; want %s %s published %s",
			tc.currency, tc.on, r.Currency, r.PerEUR, r.Published, strings.ToUpper(tc.currency), tc.perEUR, tc.published)
	}
}

func TestRate(t *testing.T) {
	// Figures read from data/eurofxref-hist.zip.
	tests := []rateCase{
		{name: "last day USD", currency: "USD", on: "2026-04-13", perEUR: "1.1684", published: "2026-04-13"},
		{name: "last day GBP", currency: "GBP", on: "2026-04-13", perEUR: "0.87058", published: "2026-04-13"},
		{name: "first day JPY", currency: "JPY", on: "1999-01-04", perEUR: "133.73", published: "1999-01-04"},
		{name: "withdrawn currency in its period", currency: "CYP", on: "2007-12-31", perEUR: "0.585274", published: "2007-12-31"},
		{name: "TRL six digits", currency: "TRL", on: "1999-01-06", perEUR: "372188", published: "1999-01-06"},
		{name: "lower case accepted", currency: "gbp", on: "2026-04-10", perEUR: "0.87105", published: "2026-04-10"},

		{name: "saturday falls back to friday", currency: "USD", on: "2026-04-11", perEUR: "1.1711", published: "2026-04-10"},
		{name: "sunday falls back to friday", currency: "GBP", on: "2026-04-12", perEUR: "0.87105", published: "2026-04-10"},
		{name: "good friday falls back to thursday", currency: "USD", on: "2026-04-03", perEUR: "1.1525", published: "2026-04-02"},
		{name: "easter monday falls back to thursday", currency: "USD", on: "2026-04-06", perEUR: "1.1525", published: "2026-04-02"},
		{name: "new year falls back to 31 december", currency: "USD", on: "2026-01-01", perEUR: "1.175", published: "2025-12-31"},

		{name: "EUR is 1 on any date", currency: "EUR", on: "2026-04-13", perEUR: "1", published: "2026-04-13"},
		{name: "EUR is 1 before the data", currency: "eur", on: "1990-01-01", perEUR: "1", published: "1990-01-01"},
		{name: "EUR is 1 after the data", currency: "EUR", on: "2030-06-30", perEUR: "1", published: "2030-06-30"},

		{name: "last + 7 accepted", currency: "USD", on: "2026-04-20", perEUR: "1.1684", published: "2026-04-13"},
		{name: "last + 8 refused", currency: "USD", on: "2026-04-21", reason: "the rates end on 2026-04-13"},
		{name: "far past the data refused", currency: "GBP", on: "2026-11-21", reason: "the rates end on 2026-04-13"},
		{name: "before 1999-01-04 refused", currency: "USD", on: "1998-12-31", reason: "the rates start on 1999-01-04"},
		{name: "unknown currency refused", currency: "XYZ", on: "2026-04-13", reason: "the ECB publishes none"},
		{name: "unknown currency past the data", currency: "xyz", on: "2026-11-21", reason: "the ECB publishes none"},

		{name: "BGN last rate", currency: "BGN", on: "2025-12-31", perEUR: "1.9558", published: "2025-12-31"},
		{name: "BGN on the euro's first day refused", currency: "BGN", on: "2026-01-01", reason: "the ECB's rates for BGN end on 2025-12-31"},
		{name: "BGN 2026 refused", currency: "BGN", on: "2026-01-02", reason: "the ECB's rates for BGN end on 2025-12-31"},
		{name: "BGN past the data names its own end", currency: "BGN", on: "2026-11-21", reason: "the ECB's rates for BGN end on 2025-12-31"},
		{name: "CYP after the euro refused", currency: "CYP", on: "2008-01-02", reason: "the ECB's rates for CYP end on 2007-12-31"},
		{name: "RUB suspended", currency: "RUB", on: "2022-03-02", reason: "the ECB's rates for RUB end on 2022-03-01"},
		{name: "RON before its first rate", currency: "RON", on: "2005-06-30", reason: "the ECB's rates for RON start on 2005-07-01"},
		{name: "RON first rate", currency: "RON", on: "2005-07-01", perEUR: "3.603", published: "2005-07-01"},
		{name: "ISK during its suspension", currency: "ISK", on: "2008-12-10", reason: "no rate for ISK after 2008-12-09 until 2018-02-01"},
		{name: "ISK after its suspension", currency: "ISK", on: "2018-02-01", perEUR: "125.01", published: "2018-02-01"},
	}
	table := fx.Snapshot()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { checkRate(t, table, tc) })
	}
}

func TestRateInvalid(t *testing.T) {
	var empty fx.Table
	tests := []struct {
		name  string
		table *fx.Table
		on    civil.Date
	}{
		{"invalid date", fx.Snapshot(), civil.Date{Year: 2026, Month: 2, Day: 30}},
		{"zero date", fx.Snapshot(), civil.Date{}},
		{"empty table", &empty, civil.Date{Year: 2026, Month: 4, Day: 13}},
		{"nil table", nil, civil.Date{Year: 2026, Month: 4, Day: 13}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var mr *fx.MissingRateError
			if _, err := tc.table.Rate("USD", tc.on); !errors.As(err, &mr) {
				t.Errorf("Rate = %v; want a *MissingRateError", err)
			}
		})
	}
}

func TestConvert(t *testing.T) {
	// A table whose rate 1.00005 makes a quotient end exactly on a half.
	half := mustParse(t, "Date,HLF,\n2026-04-13,1.00005,\n")
	tests := []struct {
		name     string
		table    *fx.Table
		amount   string
		from, to string
		on       string
		want     string // "" when refused
		fromPub  string // From.Published; "" for the zero date
	}{
		// 100 GBP -> USD on 2026-04-13: 100 * 1.1684 = 116.84; 116.84 / 0.87058
		// = 134.2093776562751...; to 4 places 134.2094.
		{name: "cross GBP to USD", amount: "100", from: "GBP", to: "USD", on: "2026-04-13", want: "134.2094", fromPub: "2026-04-13"},
		// 150 / 1.1684 = 128.380691543991783...; 128.3807.
		{name: "USD to EUR", amount: "150", from: "usd", to: "eur", on: "2026-04-13", want: "128.3807", fromPub: "2026-04-13"},
		// 135 * 1.1684 = 157.734 exactly.
		{name: "EUR to USD is exact", amount: "135", from: "EUR", to: "USD", on: "2026-04-13", want: "157.734", fromPub: "2026-04-13"},
		// Rates of friday 2026-04-10: 1000 * 0.87105 / 186.43 = 4.67226304779...; 4.6723.
		{name: "JPY to GBP on a sunday", amount: "1000", from: "JPY", to: "GBP", on: "2026-04-12", want: "4.6723", fromPub: "2026-04-10"},
		{name: "negative amount", amount: "-100", from: "GBP", to: "USD", on: "2026-04-13", want: "-134.2094", fromPub: "2026-04-13"},
		{name: "EUR to EUR identity", amount: "150.00", from: "EUR", to: "EUR", on: "2026-04-13", want: "150"},
		{name: "EUR to EUR identity long after the data", amount: "12.345678", from: "EUR", to: "eur", on: "2031-01-01", want: "12.3457"},
		{name: "same currency needs no rate", amount: "135", from: "GBP", to: "gbp", on: "2031-01-01", want: "135"},
		{name: "half rounds up", table: half, amount: "1", from: "EUR", to: "HLF", on: "2026-04-13", want: "1.0001", fromPub: "2026-04-13"},
		{name: "negative half rounds away from zero", table: half, amount: "-1", from: "EUR", to: "HLF", on: "2026-04-13", want: "-1.0001", fromPub: "2026-04-13"},
		{name: "from refused", amount: "1", from: "BGN", to: "EUR", on: "2026-02-02"},
		{name: "to refused", amount: "1", from: "EUR", to: "XYZ", on: "2026-02-02"},
		{name: "past the data refused", amount: "1", from: "USD", to: "GBP", on: "2026-04-21"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			table := tc.table
			if table == nil {
				table = fx.Snapshot()
			}
			c, err := table.Convert(money.MustParse(tc.amount), tc.from, tc.to, day(t, tc.on))
			if tc.want == "" {
				var mr *fx.MissingRateError
				if !errors.As(err, &mr) {
					t.Fatalf("Convert = %+v, %v; want a *MissingRateError", c, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Convert: %v", err)
			}
			if !c.Amount.Equal(money.MustParse(tc.want)) {
				t.Errorf("Amount = %s; want %s", c.Amount, tc.want)
			}
			if c.From.Currency != strings.ToUpper(tc.from) || c.To.Currency != strings.ToUpper(tc.to) {
				t.Errorf("From, To = %s, %s; want %s, %s", c.From.Currency, c.To.Currency, strings.ToUpper(tc.from), strings.ToUpper(tc.to))
			}
			var wantPub civil.Date
			if tc.fromPub != "" {
				wantPub = day(t, tc.fromPub)
			}
			if c.From.Published != wantPub {
				t.Errorf("From.Published = %s; want %s", c.From.Published, wantPub)
			}
		})
	}
}

// TestConvertUsesRates checks Conversion reports the rates it used.
func TestConvertUsesRates(t *testing.T) {
	c, err := fx.Snapshot().Convert(money.MustParse("100"), "GBP", "USD", day(t, "2026-04-11"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.From.PerEUR.Equal(money.MustParse("0.87105")) || !c.To.PerEUR.Equal(money.MustParse("1.1711")) ||
		c.To.Published != day(t, "2026-04-10") {
		t.Errorf("Convert = %+v; want GBP 0.87105 and USD 1.1711 of 2026-04-10", c)
	}
}

func TestParseDailyCSV(t *testing.T) {
	// testdata/eurofxref.csv is the snapshot's 2026-04-13 row written in the
	// one-day file's layout ("Date, USD, ..., " / "13 April 2026, 1.1684, ..., ").
	daily := mustParseFile(t, "testdata/eurofxref.csv")
	if first, last := daily.Span(); first != day(t, "2026-04-13") || last != first {
		t.Errorf("Span() = %s, %s; want 2026-04-13 twice", first, last)
	}
	snap := fx.Snapshot()
	for _, code := range []string{"USD", "JPY", "GBP", "CHF", "IDR", "ZAR"} {
		got, err := daily.Rate(code, day(t, "2026-04-13"))
		if err != nil {
			t.Fatal(err)
		}
		want, _ := snap.Rate(code, day(t, "2026-04-13"))
		if !got.PerEUR.Equal(want.PerEUR) || got.Published != want.Published {
			t.Errorf("%s: daily file %s, snapshot %s", code, got.PerEUR, want.PerEUR)
		}
	}
	checkRate(t, daily, rateCase{currency: "BGN", on: "2026-04-13", reason: "the ECB publishes none"})
	checkRate(t, daily, rateCase{currency: "USD", on: "2026-04-12", reason: "the rates start on 2026-04-13"})

	// Zipped, as the ECB serves eurofxref.zip.
	raw, err := os.ReadFile("testdata/eurofxref.csv")
	if err != nil {
		t.Fatal(err)
	}
	z, err := fx.Parse(bytes.NewReader(zipOf(t, "eurofxref.csv", string(raw))))
	if err != nil {
		t.Fatal(err)
	}
	checkRate(t, z, rateCase{currency: "GBP", on: "2026-04-13", perEUR: "0.87058", published: "2026-04-13"})

	// A one-digit day, and a byte order mark.
	one := mustParse(t, "\xef\xbb\xbfDate, usd, \n3 June 2021, 1.2187, \n")
	checkRate(t, one, rateCase{currency: "USD", on: "2021-06-03", perEUR: "1.2187", published: "2021-06-03"})
}

func TestParseXML(t *testing.T) {
	// The eurofxref-hist-90d.xml layout, two days (figures from the snapshot).
	x := mustParseFile(t, "testdata/eurofxref-hist-90d.xml")
	if first, last := x.Span(); first != day(t, "2026-04-09") || last != day(t, "2026-04-10") {
		t.Errorf("Span() = %s, %s; want 2026-04-09, 2026-04-10", first, last)
	}
	for _, tc := range []rateCase{
		{currency: "USD", on: "2026-04-09", perEUR: "1.1685", published: "2026-04-09"},
		{currency: "GBP", on: "2026-04-10", perEUR: "0.87105", published: "2026-04-10"},
		{currency: "JPY", on: "2026-04-12", perEUR: "186.43", published: "2026-04-10"},
		{currency: "SEK", on: "2026-04-10", reason: "the ECB publishes none"},
	} {
		checkRate(t, x, tc)
	}

	// The eurofxref-daily.xml layout, double-quoted attributes, lower-case code.
	daily := mustParse(t, `<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
	<gesmes:subject>Reference rates</gesmes:subject>
	<Cube><Cube time="2026-04-13"><Cube currency="usd" rate="1.1684"/><Cube currency="GBP" rate="0.87058"/></Cube></Cube>
</gesmes:Envelope>`)
	checkRate(t, daily, rateCase{currency: "USD", on: "2026-04-13", perEUR: "1.1684", published: "2026-04-13"})
}

func TestMerge(t *testing.T) {
	snap := fx.Snapshot()
	// A made-up publication of 2026-04-14 (not ECB figures).
	later := mustParse(t, "Date, USD, GBP, \n14 April 2026, 1.2000, 0.86000, \n")
	m := snap.Merge(later)
	if first, last := m.Span(); first != day(t, "1999-01-04") || last != day(t, "2026-04-14") {
		t.Errorf("merged Span() = %s, %s; want 1999-01-04, 2026-04-14", first, last)
	}
	if _, last := snap.Span(); last != day(t, "2026-04-13") {
		t.Errorf("Merge changed the snapshot: it ends on %s", last)
	}
	for _, tc := range []rateCase{
		{name: "new day", currency: "USD", on: "2026-04-14", perEUR: "1.2", published: "2026-04-14"},
		{name: "old days kept", currency: "USD", on: "2026-04-13", perEUR: "1.1684", published: "2026-04-13"},
		{name: "history kept", currency: "JPY", on: "1999-01-04", perEUR: "133.73", published: "1999-01-04"},
		{name: "new last + 7 accepted", currency: "GBP", on: "2026-04-21", perEUR: "0.86", published: "2026-04-14"},
		{name: "new last + 8 refused", currency: "GBP", on: "2026-04-22", reason: "the rates end on 2026-04-14"},
		{name: "currency the new day lacks", currency: "JPY", on: "2026-04-14", reason: "the ECB's rates for JPY end on 2026-04-13"},
	} {
		t.Run(tc.name, func(t *testing.T) { checkRate(t, m, tc) })
	}

	// A day in both is taken whole from the newer table.
	redo := snap.Merge(mustParse(t, "Date,USD,\n2026-04-13,1.5,\n"))
	checkRate(t, redo, rateCase{currency: "USD", on: "2026-04-13", perEUR: "1.5", published: "2026-04-13"})
	checkRate(t, redo, rateCase{currency: "GBP", on: "2026-04-13", reason: "the ECB's rates for GBP end on 2026-04-10"})
	checkRate(t, redo, rateCase{currency: "GBP", on: "2026-04-10", perEUR: "0.87105", published: "2026-04-10"})

	// Merging the snapshot's own last day changes nothing.
	same := snap.Merge(mustParseFile(t, "testdata/eurofxref.csv"))
	for _, code := range []string{"USD", "GBP", "ZAR"} {
		checkRate(t, same, rateCase{currency: code, on: "2026-04-13", perEUR: mustRate(t, snap, code, "2026-04-13"), published: "2026-04-13"})
	}

	// Older days into a newer table, and nil.
	back := mustParseFile(t, "testdata/eurofxref.csv").Merge(mustParseFile(t, "testdata/eurofxref-hist-90d.xml"))
	if first, last := back.Span(); first != day(t, "2026-04-09") || last != day(t, "2026-04-13") {
		t.Errorf("Span() = %s, %s; want 2026-04-09, 2026-04-13", first, last)
	}
	checkRate(t, back, rateCase{currency: "CHF", on: "2026-04-09", perEUR: "0.924", published: "2026-04-09"})
	checkRate(t, back, rateCase{currency: "ZAR", on: "2026-04-13", perEUR: "19.3849", published: "2026-04-13"})
	if snap.Merge(nil) != snap {
		t.Error("Merge(nil) is not the table itself")
	}
}

func mustRate(tb testing.TB, table *fx.Table, code, on string) string {
	tb.Helper()
	r, err := table.Rate(code, day(tb, on))
	if err != nil {
		tb.Fatal(err)
	}
	return r.PerEUR.String()
}

// corrupt files: each must be refused with an error, not a panic.
func corruptFiles(tb testing.TB) map[string][]byte {
	snap, err := os.ReadFile("data/eurofxref-hist.zip")
	if err != nil {
		tb.Fatal(err)
	}
	return map[string][]byte{
		"empty":                   nil,
		"blank":                   []byte(" \n\n"),
		"truncated zip":           snap[:4096],
		"zip bit flipped":         flipByte(snap, len(snap)/2),
		"zip of two files":        zipOf(tb, "a.csv", "Date,USD\n2026-04-13,1\n", "b.csv", "Date,USD\n2026-04-14,1\n"),
		"zip of nothing":          zipOf(tb),
		"zip in zip":              zipOf(tb, "inner.zip", string(zipOf(tb, "a.csv", "Date,USD\n2026-04-13,1\n"))),
		"header not Date":         []byte("Day,USD,\n2026-04-13,1.1684,\n"),
		"header only":             []byte("Date,USD,JPY,\n"),
		"bad currency code":       []byte("Date,US$,\n2026-04-13,1.1684,\n"),
		"EUR column":              []byte("Date,EUR,\n2026-04-13,1,\n"),
		"duplicate column":        []byte("Date,USD,usd,\n2026-04-13,1,1,\n"),
		"gap in header":           []byte("Date,USD,,GBP\n2026-04-13,1,,1\n"),
		"bad number":              []byte("Date,USD,\n2026-04-13,1.1.6,\n"),
		"float syntax":            []byte("Date,USD,\n2026-04-13,.5,\n"),
		"zero rate":               []byte("Date,USD,\n2026-04-13,0,\n"),
		"negative rate":           []byte("Date,USD,\n2026-04-13,-1.1,\n"),
		"huge rate":               []byte("Date,USD,\n2026-04-13,1e999,\n"),
		"too many digits":         []byte("Date,USD,\n2026-04-13,1.2345678901234567890,\n"),
		"bad date":                []byte("Date,USD,\n13/04/2026,1.1684,\n"),
		"impossible date":         []byte("Date,USD,\n2026-02-30,1.1684,\n"),
		"duplicate day":           []byte("Date,USD,\n2026-04-13,1,\n13 April 2026,1,\n"),
		"short row":               []byte("Date,USD,GBP,\n2026-04-13,1,\n"),
		"long row":                []byte("Date,USD,\n2026-04-13,1,2,\n"),
		"value under no currency": []byte("Date,USD,\n2026-04-13,1,2\n"),
		"bare quote":              []byte("Date,USD,\n2026-04-13,\"1.1\n"),
		"xml malformed":           []byte("<gesmes:Envelope><Cube><Cube time='2026-04-13'>"),
		"xml not an envelope":     []byte("<html><body>Service unavailable</body></html>"),
		"xml without days":        []byte("<Envelope><Cube/></Envelope>"),
		"xml bad time":            []byte("<Envelope><Cube><Cube time='13 April 2026'><Cube currency='USD' rate='1'/></Cube></Cube></Envelope>"),
		"xml missing rate":        []byte("<Envelope><Cube><Cube time='2026-04-13'><Cube currency='USD'/></Cube></Cube></Envelope>"),
		"xml bad rate":            []byte("<Envelope><Cube><Cube time='2026-04-13'><Cube currency='USD' rate='N/A1'/></Cube></Cube></Envelope>"),
		"xml twice a rate":        []byte("<Envelope><Cube><Cube time='2026-04-13'><Cube currency='USD' rate='1'/><Cube currency='usd' rate='1'/></Cube></Cube></Envelope>"),
		"xml twice a day":         []byte("<Envelope><Cube><Cube time='2026-04-13'/><Cube time='2026-04-13'/></Cube></Envelope>"),
	}
}

func flipByte(b []byte, i int) []byte {
	out := bytes.Clone(b)
	out[i] ^= 0xff
	return out
}

func TestParseCorrupt(t *testing.T) {
	for name, data := range corruptFiles(t) {
		t.Run(name, func(t *testing.T) {
			table, err := fx.Parse(bytes.NewReader(data))
			if err == nil {
				first, last := table.Span()
				t.Fatalf("Parse = table %s..%s, nil; want an error", first, last)
			}
			if table != nil {
				t.Errorf("Parse returned a table with its error %v", err)
			}
			if !strings.HasPrefix(err.Error(), "fx: ") {
				t.Errorf("error %q lacks the fx: prefix", err)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"testdata/eurofxref.csv", "testdata/eurofxref-hist-90d.xml"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(zipOf(f, name, string(b)))
	}
	for _, b := range corruptFiles(f) {
		if len(b) < 10000 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		table, err := fx.Parse(bytes.NewReader(data))
		if err != nil {
			if table != nil {
				t.Fatal("a table with an error")
			}
			return
		}
		// A table that parsed answers without panicking.
		first, last := table.Span()
		if last.Before(first) {
			t.Fatalf("Span() = %s, %s", first, last)
		}
		for _, on := range []civil.Date{first, last, last.AddDays(fx.MaxStaleness + 1)} {
			table.Rate("USD", on)
			table.Convert(money.MustParse("100"), "USD", "GBP", on)
		}
		table.Merge(table)
	})
}

func BenchmarkSnapshotParse(b *testing.B) {
	data, err := os.ReadFile("data/eurofxref-hist.zip")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fx.Parse(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRate(b *testing.B) {
	table := fx.Snapshot()
	days := []civil.Date{{Year: 2026, Month: 4, Day: 11}, {Year: 2003, Month: 7, Day: 14}, {Year: 2015, Month: 1, Day: 1}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := table.Rate("GBP", days[i%len(days)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkConvert(b *testing.B) {
	table := fx.Snapshot()
	amount := money.MustParse("149.99")
	on := civil.Date{Year: 2026, Month: 4, Day: 11}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := table.Convert(amount, "GBP", "USD", on); err != nil {
			b.Fatal(err)
		}
	}
}
