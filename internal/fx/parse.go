package fx

import (
	"archive/zip"
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"cloud.google.com/go/civil"

	"github.com/vatgate/vatgate/internal/money"
)

// maxFileSize bounds what Parse reads, and what it inflates from a zip: the
// whole ECB history is about 2 MB as CSV and 10 MB as XML, so a larger file is
// not an ECB file (or is a zip bomb).
const maxFileSize = 64 << 20

var zipMagic = []byte("PK\x03\x04")

// Parse reads a file of ECB reference rates, in any of the forms the ECB
// publishes at https://www.ecb.europa.eu/stats/eurofxref/:
//
//   - CSV, the history (eurofxref-hist.csv: "Date,USD,JPY,...," then one row
//     per publication day, "2026-04-13,1.1684,...", "N/A" where a currency has
//     no rate) or one day (eurofxref.csv: "Date, USD, JPY, ..., " then
//     "13 April 2026, 1.1684, ..., ");
//   - XML, the gesmes Envelope of eurofxref-daily.xml, eurofxref-hist-90d.xml
//     and eurofxref-hist.xml (Cube time="..." holding Cube currency="..."
//     rate="...");
//   - either of them in the zip the ECB wraps it in (eurofxref-hist.zip,
//     eurofxref.zip), recognised by its "PK\x03\x04" magic.
//
// Currency codes are read in any case and kept upper-case. A malformed file is
// an error, never a panic, and never a partial table: a bad number, an unknown
// date format, a day given twice, an EUR column, a file without any day.
func Parse(r io.Reader) (*Table, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("fx: reading rates: %w", err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("fx: rates file larger than %d bytes", maxFileSize)
	}
	if bytes.HasPrefix(data, zipMagic) {
		if data, err = unzip(data); err != nil {
			return nil, err
		}
		if bytes.HasPrefix(data, zipMagic) {
			return nil, errors.New("fx: zip holds another zip, not a rates file")
		}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // UTF-8 byte order mark
	var b builder
	if body := bytes.TrimLeft(data, " \t\r\n"); len(body) > 0 && body[0] == '<' {
		err = b.readXML(body)
	} else {
		err = b.readCSV(data)
	}
	if err != nil {
		return nil, err
	}
	return b.table()
}

// unzip is the one rates file of a zip archive.
func unzip(data []byte) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("fx: zip: %w", err)
	}
	var file *zip.File
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") || strings.HasPrefix(f.Name, "__MACOSX/") {
			continue
		}
		if file != nil {
			return nil, fmt.Errorf("fx: zip holds more than one file (%q, %q)", file.Name, f.Name)
		}
		file = f
	}
	if file == nil {
		return nil, errors.New("fx: zip holds no file")
	}
	rc, err := file.Open()
	if err != nil {
		return nil, fmt.Errorf("fx: zip: %s: %w", file.Name, err)
	}
	defer rc.Close()
	out, err := io.ReadAll(io.LimitReader(rc, maxFileSize+1)) // reading to EOF checks the CRC
	if err != nil {
		return nil, fmt.Errorf("fx: zip: %s: %w", file.Name, err)
	}
	if len(out) > maxFileSize {
		return nil, fmt.Errorf("fx: zip: %s inflates to more than %d bytes", file.Name, maxFileSize)
	}
	return out, nil
}

// builder gathers rates in file order; table sorts and checks them.
type builder struct {
	days  []int32
	rates map[string][]entry
}

type entry struct {
	day  int32
	exp  int32
	coef int64
}

func (b *builder) addDay(d civil.Date) int32 {
	n := int32(dayNum(d))
	b.days = append(b.days, n)
	return n
}

// add records the rate text of code on day n; "" and "N/A" mean no rate.
func (b *builder) add(code string, n int32, text string) error {
	if text == "" || text == "N/A" {
		return nil
	}
	d, err := money.Parse(text)
	switch {
	case err != nil:
		return fmt.Errorf("%s: rate %q is not a number", code, text)
	case d.Sign() <= 0:
		return fmt.Errorf("%s: rate %q is not positive", code, text)
	case d.NumDigits() > 18 || d.Exponent() < -18 || d.Exponent() > 18:
		return fmt.Errorf("%s: rate %q is out of range", code, text)
	}
	if b.rates == nil {
		b.rates = make(map[string][]entry, 48)
	}
	b.rates[code] = append(b.rates[code], entry{day: n, exp: d.Exponent(), coef: d.CoefficientInt64()})
	return nil
}

func (b *builder) table() (*Table, error) {
	if len(b.days) == 0 {
		return nil, errors.New("fx: the file holds no publication day")
	}
	// The ECB writes its history newest first: reverse rather than sort it.
	sortDays := func(days []int32) {
		if slices.IsSortedFunc(days, func(a, b int32) int { return cmp.Compare(b, a) }) {
			slices.Reverse(days)
		} else {
			slices.Sort(days)
		}
	}
	sortDays(b.days)
	for i := 1; i < len(b.days); i++ {
		if b.days[i] == b.days[i-1] {
			return nil, fmt.Errorf("fx: the file gives day %s twice", dateOf(b.days[i]))
		}
	}
	t := &Table{days: b.days, series: make(map[string]*series, len(b.rates))}
	for code, es := range b.rates {
		byDay := func(x, y entry) int { return cmp.Compare(x.day, y.day) }
		if slices.IsSortedFunc(es, func(x, y entry) int { return byDay(y, x) }) {
			slices.Reverse(es)
		} else {
			slices.SortFunc(es, byDay)
		}
		s := &series{days: make([]int32, len(es)), coef: make([]int64, len(es)), exp: make([]int32, len(es))}
		for i, e := range es {
			if i > 0 && e.day == es[i-1].day {
				return nil, fmt.Errorf("fx: the file gives %s twice on %s", code, dateOf(e.day))
			}
			s.days[i], s.coef[i], s.exp[i] = e.day, e.coef, e.exp
		}
		t.series[code] = s
	}
	return t, nil
}

// readCSV reads the ECB's CSV files. encoding/csv splits the fields; the
// trailing comma of every ECB line makes a last empty column, which is
// ignored, as are the spaces after the commas of the one-day file.
func (b *builder) readCSV(data []byte) error {
	r := csv.NewReader(bytes.NewReader(data))
	// FieldsPerRecord 0: every row has as many fields as the header.
	r.TrimLeadingSpace = true
	r.ReuseRecord = true
	head, err := r.Read()
	if err == io.EOF {
		return errors.New("fx: the file is empty")
	}
	if err != nil {
		return fmt.Errorf("fx: csv: %w", err)
	}
	if !strings.EqualFold(strings.TrimSpace(head[0]), "Date") {
		return fmt.Errorf("fx: csv: the first column is %.20q, want \"Date\"", head[0])
	}
	codes := make([]string, 0, len(head)-1)
	for i, h := range head[1:] {
		code := strings.ToUpper(strings.TrimSpace(h))
		if code == "" {
			if !allBlank(head[i+1:]) {
				return fmt.Errorf("fx: csv: column %d has no currency code", i+2)
			}
			break
		}
		if err := checkCode(code); err != nil {
			return fmt.Errorf("fx: csv: header: %w", err)
		}
		if slices.Contains(codes, code) {
			return fmt.Errorf("fx: csv: header: %s appears twice", code)
		}
		codes = append(codes, code)
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("fx: csv: %w", err)
		}
		line, _ := r.FieldPos(0)
		if !allBlank(rec[len(codes)+1:]) {
			return fmt.Errorf("fx: csv line %d: a value under no currency", line)
		}
		d, err := parseDay(strings.TrimSpace(rec[0]))
		if err != nil {
			return fmt.Errorf("fx: csv line %d: %w", line, err)
		}
		n := b.addDay(d)
		for i, code := range codes {
			if err := b.add(code, n, strings.TrimSpace(rec[i+1])); err != nil {
				return fmt.Errorf("fx: csv line %d: %w", line, err)
			}
		}
	}
}

// parseDay reads "2026-04-13" (history files) or "13 April 2026" (the one-day file).
func parseDay(s string) (civil.Date, error) {
	if d, err := civil.ParseDate(s); err == nil {
		return d, nil
	}
	if t, err := time.Parse("2 January 2006", s); err == nil {
		return civil.DateOf(t), nil
	}
	return civil.Date{}, fmt.Errorf("date %.40q is neither YYYY-MM-DD nor like \"13 April 2026\"", s)
}

// The ECB's XML: gesmes:Envelope > Cube > Cube time= > Cube currency= rate=.
// Names match in any namespace, as encoding/xml does for tags without one.
type xmlEnvelope struct {
	XMLName xml.Name `xml:"Envelope"`
	Cube    struct {
		Days []struct {
			Time  string `xml:"time,attr"`
			Rates []struct {
				Currency string `xml:"currency,attr"`
				Rate     string `xml:"rate,attr"`
			} `xml:"Cube"`
		} `xml:"Cube"`
	} `xml:"Cube"`
}

func (b *builder) readXML(data []byte) error {
	var env xmlEnvelope
	if err := xml.NewDecoder(bytes.NewReader(data)).Decode(&env); err != nil {
		return fmt.Errorf("fx: xml: %w", err)
	}
	for _, day := range env.Cube.Days {
		d, err := civil.ParseDate(strings.TrimSpace(day.Time))
		if err != nil {
			return fmt.Errorf("fx: xml: Cube time %.40q is not a YYYY-MM-DD date", day.Time)
		}
		n := b.addDay(d)
		for _, r := range day.Rates {
			code := strings.ToUpper(strings.TrimSpace(r.Currency))
			if err := checkCode(code); err != nil {
				return fmt.Errorf("fx: xml: %s: %w", d, err)
			}
			rate := strings.TrimSpace(r.Rate)
			if rate == "" {
				return fmt.Errorf("fx: xml: %s: %s has no rate", d, code)
			}
			if err := b.add(code, n, rate); err != nil {
				return fmt.Errorf("fx: xml: %s: %w", d, err)
			}
		}
	}
	return nil
}

// checkCode accepts a three-letter upper-case code other than EUR, whose rate
// is 1 by definition and never read from a file.
func checkCode(code string) error {
	if code == "EUR" {
		return errors.New("a rate for EUR itself")
	}
	if len(code) != 3 {
		return fmt.Errorf("currency code %.20q is not three letters", code)
	}
	for i := range 3 {
		if code[i] < 'A' || code[i] > 'Z' {
			return fmt.Errorf("currency code %q is not three letters", code)
		}
	}
	return nil
}

func allBlank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}
