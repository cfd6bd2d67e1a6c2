package omp

import (
	"fmt"

	"github.com/vatgate/vatgate/internal/money"
)

// The basis of an answer (issue 3, item 5): every line's outcome records the
// rule applied, each threshold compared with the converted value, and each
// rate used with its period, sources and uncertain flag.

// outcome is the answer for one line, before intrinsic values are
// converted and lines are merged.
type outcome struct {
	rule, section, reason string
	legs                  []leg
	thresholds            []Threshold
	rates                 []RateUse
	notes                 []string
}

// leg is one invoice of an outcome; intrinsic names the currency of the
// intrinsic value of a commercial invoice.
type leg struct {
	parties, typ, taxType, jur string
	pct                        money.Decimal
	intrinsic                  string
}

func (l leg) key() string {
	return l.parties + "|" + l.typ + "|" + l.taxType + "|" + l.jur + "|" + l.pct.String() + "|" + l.intrinsic
}

// builder collects an outcome and the first error.
type builder struct {
	ev  *eval
	o   outcome
	err error
}

func (ev *eval) rule(id, section, reason string) *builder {
	return &builder{ev: ev, o: outcome{rule: id, section: section, reason: reason}}
}

func (b *builder) done() (outcome, error) { return b.o, b.err }

func (b *builder) note(format string, args ...any) *builder {
	b.o.notes = append(b.o.notes, fmt.Sprintf(format, args...))
	return b
}

func (b *builder) leg(parties, typ, taxType, jur string, pct money.Decimal) *builder {
	b.o.legs = append(b.o.legs, leg{parties: parties, typ: typ, taxType: taxType, jur: jur, pct: pct})
	return b
}

// commercial adds a commercial invoice whose intrinsic value is given in
// currency (RULES §0, §1.7).
func (b *builder) commercial(taxType, jur string, pct money.Decimal, currency string) *builder {
	b.o.legs = append(b.o.legs, leg{parties: VendorCustomer, typ: CommercialInvoice, taxType: taxType, jur: jur, pct: pct, intrinsic: currency})
	return b
}

func (b *builder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

// countryRate is the rate of RULES §15 for a country on D, recorded in the
// basis under jurisdiction jur: the standard rate, or the figure
// tax-rates.json says to use for consumer-facing totals (Ghana
// effective_combined, Indonesia effective_non_luxury, RULES §12 X1) or the
// temporary standard rate in force (Vietnam 8 %, §12 X1).
func (b *builder) countryRate(code, jur, field string) money.Decimal {
	rt, ok := b.ev.e.rates.InForce(code, b.ev.f.date)
	if !ok {
		b.fail(unsupported(field, "no tax rate for %s in the rates data", code))
		return zero
	}
	pct, kind := rt.Standard, "standard"
	for _, k := range []string{"effective_combined", "effective_non_luxury", "temporary_reduced_standard"} {
		if v, ok := rt.Extra(k); ok {
			pct, kind = v, k
			break
		}
	}
	b.o.rates = append(b.o.rates, RateUse{Jurisdiction: jur, Percent: pct, Kind: kind,
		EffectiveFrom: rt.Period.From, EffectiveTo: rt.Period.To, Sources: rt.Sources, Uncertain: rt.Uncertain})
	return pct
}

// within compares a value in the order currency with a threshold in
// currency (RULES §1.8: "<=" unless strict) and records the comparison.
func (b *builder) within(name string, value, limit money.Decimal, currency string, strict bool) bool {
	conv, x, err := b.ev.convert(value, currency)
	if err != nil {
		b.fail(err)
		return false
	}
	ok, cmp := conv.LessThanOrEqual(limit), "<="
	if strict {
		ok, cmp = conv.LessThan(limit), "<"
	}
	b.o.thresholds = append(b.o.thresholds, Threshold{Name: name, Threshold: limit, Currency: currency, Comparison: cmp,
		Value: value, ValueCurrency: b.ev.f.currency, ConvertedValue: conv, Exchange: x, Result: ok})
	return ok
}

// excluded notes excise goods taken as above a low-value threshold (RULES
// §1.9) and reports whether the line is such goods.
func (b *builder) excluded(ln line, regime string) bool {
	if !ln.excise {
		return false
	}
	b.note("good_code %s: excise goods (CN chapter 22, 24 or heading 2710/2711) never qualify for %s; treated as above the threshold (RULES §1.9)", ln.goodCode, regime)
	return true
}
