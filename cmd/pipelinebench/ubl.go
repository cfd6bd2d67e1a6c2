package main

// UBL documents generated and checked per second, beside encoding/xml
// marshalling a plain struct of as many elements.

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"

	"cloud.google.com/go/civil"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/money"
	"github.com/vatgate/vatgate/internal/ubl"
)

// ublRounds of each UBL measurement, alternated and pooled.
const ublRounds = 3

var benchParties = ubl.Parties{
	Supplier: ubl.Endpoint{Scheme: "9932", ID: "GB987654321"},
	Customer: ubl.Endpoint{Scheme: "0106", ID: "12345601"},
}

// eDocument is the n-th benchmark e-invoice: a British supplier, a Dutch
// customer, lines of varying amounts at 20%, one in three untaxed.
func eDocument(n, lines int) invoicing.EDocument {
	d := invoicing.EDocument{
		Kind:        invoicing.KindInvoice,
		Number:      fmt.Sprintf("BENCH-%06d", n),
		CreatedDate: civil.Date{Year: 2025, Month: 3, Day: 14},
		DueDate:     civil.Date{Year: 2025, Month: 4, Day: 13},
		Currency:    "EUR",
		Customer: invoicing.Party{Name: fmt.Sprintf("Klant %d BV", n%500), Street: "Keizersgracht 1", City: "Amsterdam",
			PostalCode: "1015 CJ", PeppolID: "0106:12345601", Country: "NLD"},
		Supplier: invoicing.Party{Name: "Your Company Ltd", Street: "456 Supplier Avenue", City: "London",
			PostalCode: "SW1A 1AA", PeppolID: "GB987654321", TaxNumber: "GB987654321", Country: "GBR"},
		TaxRate: money.MustParse("20"),
	}
	for j := range lines {
		d.LineItems = append(d.LineItems, invoicing.LineItem{
			Description: fmt.Sprintf("Service %d of invoice %d", j+1, n),
			Quantity:    money.MustParse(fmt.Sprint(1 + (n+j)%5)),
			UnitPrice:   money.MustParse(cents(int64(100 + (n*37+j*101)%99900))),
			Taxable:     j%3 != 2,
		})
	}
	s := invoicing.ComputeSums(d.LineItems, d.TaxRate)
	d.Subtotal, d.Tax, d.Total = s.Subtotal, s.Tax, s.Total
	return d
}

func cents(c int64) string { return fmt.Sprintf("%d.%02d", c/100, c%100) }

// plainDoc is the baseline: a document of header fields and lines of
// fields, shaped like a generated UBL document (same element counts).
type plainDoc struct {
	XMLName xml.Name    `xml:"Invoice"`
	Fields  []string    `xml:"Field"`
	Lines   []plainLine `xml:"Line"`
}

type plainLine struct {
	Fields []string `xml:"Field"`
}

// shape counts the elements of a UBL document: all of them, and those of
// each invoice (or credit note) line, the line element included.
func shape(doc []byte) (total int, lines []int, err error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	depth, lineDepth := 0, 0 // lineDepth: the depth of the open line element, 0 outside
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return total, lines, nil
		}
		if err != nil {
			return 0, nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			total++
			if lineDepth == 0 && (t.Name.Local == "InvoiceLine" || t.Name.Local == "CreditNoteLine") {
				lineDepth = depth
				lines = append(lines, 0)
			}
			if lineDepth > 0 {
				lines[len(lines)-1]++
			}
		case xml.EndElement:
			if depth == lineDepth {
				lineDepth = 0
			}
			depth--
		}
	}
}

// plainFor builds the baseline value for a generated document of the given
// shape: the root and header fields, and per line a wrapper and its fields.
func plainFor(n, total int, lines []int) plainDoc {
	header := total
	for _, l := range lines {
		header -= l
	}
	p := plainDoc{}
	for i := range header - 1 {
		p.Fields = append(p.Fields, fmt.Sprintf("header value %d of %d", i, n))
	}
	for j, count := range lines {
		var l plainLine
		for i := range count - 1 {
			l.Fields = append(l.Fields, fmt.Sprintf("line %d value %d", j, i))
		}
		p.Lines = append(p.Lines, l)
	}
	return p
}

type ublResult struct {
	elements                  int // per generated document
	generate, check, baseline measurement
}

func benchUBL(cfg config) (ublResult, error) {
	docs := make([]invoicing.EDocument, cfg.ublDocs)
	plains := make([]plainDoc, cfg.ublDocs)
	outs := make([][]byte, cfg.ublDocs)
	var err error
	for i := range docs {
		docs[i] = eDocument(i, cfg.lines)
		if outs[i], err = ubl.Generate(docs[i], benchParties); err != nil {
			return ublResult{}, fmt.Errorf("document %d: %w", i, err)
		}
		total, lines, err := shape(outs[i])
		if err != nil {
			return ublResult{}, err
		}
		plains[i] = plainFor(i, total, lines)
		pb, _ := xml.MarshalIndent(plains[i], "", "  ")
		if m, _, _ := shape(pb); m != total {
			return ublResult{}, fmt.Errorf("baseline has %d elements, the UBL %d", m, total)
		}
	}
	n, _, _ := shape(outs[0])

	var r ublResult
	r.elements = n
	for range ublRounds {
		m, err := parallel(len(docs), func(i int) error {
			_, err := ubl.Generate(docs[i], benchParties)
			return err
		})
		if err != nil {
			return r, err
		}
		r.generate = r.generate.add(m)
		m, err = parallel(len(docs), func(i int) error {
			if vs := ubl.Check(outs[i]); len(vs) > 0 {
				return fmt.Errorf("check: %v", vs)
			}
			return nil
		})
		if err != nil {
			return r, err
		}
		r.check = r.check.add(m)
		m, err = parallel(len(docs), func(i int) error {
			_, err := xml.MarshalIndent(plains[i], "", "  ")
			return err
		})
		if err != nil {
			return r, err
		}
		r.baseline = r.baseline.add(m)
	}
	return r, nil
}

// parallel runs fn(0..n-1) on GOMAXPROCS goroutines and times it.
func parallel(n int, fn func(i int) error) (measurement, error) {
	procs := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	errs := make(chan error, procs)
	start := time.Now()
	for p := range procs {
		wg.Go(func() {
			for i := p; i < n; i += procs {
				if err := fn(i); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	wall := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return measurement{}, err
	}
	return measurement{docs: n, wall: wall}, nil
}

func (r ublResult) print(w io.Writer) {
	fmt.Fprintf(w, "UBL: %d elements per document\n", r.elements)
	fmt.Fprintf(w, "%-36s %10s %10s %12s\n", "run", "docs/s", "µs/doc", "vs baseline")
	base := r.baseline.perSecond()
	for _, run := range []struct {
		name string
		m    measurement
	}{{"ubl.Generate (build, marshal, Check)", r.generate}, {"ubl.Check alone", r.check}, {"baseline: xml.Marshal", r.baseline}} {
		fmt.Fprintf(w, "%-36s %10.0f %10.0f %12.2f\n", run.name, run.m.perSecond(), 1e6/run.m.perSecond(), run.m.perSecond()/base)
	}
	fmt.Fprintln(w)
}
