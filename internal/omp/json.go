package omp

import (
	"bytes"
	"encoding/json"
	"strconv"

	"cloud.google.com/go/civil"

	"github.com/vatgate/vatgate/internal/money"
)

// MarshalJSON writes the documented shapes (document 003, RULES §0, §17.1):
//
//	{"invoice_id", "invoice_parties", "invoice_type", "tax_type",
//	 "taxable_jurisdiction", "vat_percent"[, "intrinsic_value",
//	 "intrinsic_value_currency"], "rate_basis", "basis"}
//
// for one invoice, and {"invoice_id", "invoice": [...], "rate_basis",
// "basis"} for several, each array entry starting with "invoice_code" and, in
// a mixed basket, ending with "items". Numbers are written from the exact
// decimals, never through float64: vat_percent as it is (19, 7.7, 14.975),
// intrinsic_value with two decimals (113.80).
func (a Answer) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"invoice_id":`)
	writeString(&b, a.InvoiceID)
	if len(a.Invoices) == 1 && !a.Mixed {
		b.WriteByte(',')
		writeInvoiceFields(&b, a.Invoices[0], false)
	} else {
		b.WriteString(`,"invoice":[`)
		for i, inv := range a.Invoices {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"invoice_code":`)
			writeString(&b, inv.Code)
			b.WriteByte(',')
			writeInvoiceFields(&b, inv, a.Mixed)
			b.WriteByte('}')
		}
		b.WriteByte(']')
	}
	if a.RateBasis != "" {
		b.WriteString(`,"rate_basis":`)
		writeString(&b, a.RateBasis)
	}
	basis, err := marshal(a.Basis)
	if err != nil {
		return nil, err
	}
	b.WriteString(`,"basis":`)
	b.Write(basis)
	b.WriteByte('}')
	return b.Bytes(), nil
}

func writeInvoiceFields(b *bytes.Buffer, inv Invoice, withItems bool) {
	b.WriteString(`"invoice_parties":`)
	writeString(b, inv.Parties)
	b.WriteString(`,"invoice_type":`)
	writeString(b, inv.Type)
	b.WriteString(`,"tax_type":`)
	writeString(b, inv.TaxType)
	b.WriteString(`,"taxable_jurisdiction":`)
	writeString(b, inv.Jurisdiction)
	b.WriteString(`,"vat_percent":`)
	b.WriteString(number(inv.VATPercent))
	if inv.IntrinsicValue != nil {
		b.WriteString(`,"intrinsic_value":`)
		b.WriteString(inv.IntrinsicValue.StringFixed(2))
		b.WriteString(`,"intrinsic_value_currency":`)
		writeString(b, inv.IntrinsicValueCurrency)
	}
	if withItems {
		b.WriteString(`,"items":[`)
		for i, n := range inv.Items {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(n))
		}
		b.WriteByte(']')
	}
}

func writeString(b *bytes.Buffer, s string) {
	out, _ := marshal(s) // a string always marshals
	b.Write(out)
}

// number writes d as a JSON number, exactly: shopspring's String never uses
// an exponent and never rounds.
func number(d money.Decimal) string { return d.String() }

func dateString(d civil.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// MarshalJSON writes the basis object with snake_case keys and exact numbers.
func (b Basis) MarshalJSON() ([]byte, error) {
	type wire struct {
		Rule       string      `json:"rule"`
		Reason     string      `json:"reason"`
		Section    string      `json:"section"`
		Date       string      `json:"date"`
		DateSource string      `json:"date_source"`
		Thresholds []Threshold `json:"thresholds,omitempty"`
		Rates      []RateUse   `json:"rates"`
		Items      []ItemBasis `json:"items,omitempty"`
		Notes      []string    `json:"notes,omitempty"`
	}
	rates := b.Rates
	if rates == nil {
		rates = []RateUse{}
	}
	return marshal(wire{b.Rule, b.Reason, b.Section, dateString(b.Date), b.DateSource, b.Thresholds, rates, b.Items, b.Notes})
}

// MarshalJSON writes {name, threshold, currency, comparison, value,
// value_currency, converted_value, exchange, result, note}.
func (t Threshold) MarshalJSON() ([]byte, error) {
	type wire struct {
		Name           string      `json:"name"`
		Threshold      json.Number `json:"threshold"`
		Currency       string      `json:"currency"`
		Comparison     string      `json:"comparison"`
		Value          json.Number `json:"value"`
		ValueCurrency  string      `json:"value_currency"`
		ConvertedValue json.Number `json:"converted_value"`
		Exchange       *Exchange   `json:"exchange,omitempty"`
		Result         bool        `json:"result"`
		Note           string      `json:"note,omitempty"`
	}
	return marshal(wire{t.Name, json.Number(number(t.Threshold)), t.Currency, t.Comparison,
		json.Number(number(t.Value)), t.ValueCurrency, json.Number(number(t.ConvertedValue)),
		t.Exchange, t.Result, t.Note})
}

// MarshalJSON writes {"from": {...}, "to": {...}}.
func (x Exchange) MarshalJSON() ([]byte, error) {
	type wire struct {
		From ExchangeRate `json:"from"`
		To   ExchangeRate `json:"to"`
	}
	return marshal(wire(x))
}

// MarshalJSON writes {currency, per_eur, published}.
func (r ExchangeRate) MarshalJSON() ([]byte, error) {
	type wire struct {
		Currency  string      `json:"currency"`
		PerEUR    json.Number `json:"per_eur"`
		Published string      `json:"published,omitempty"`
	}
	return marshal(wire{r.Currency, json.Number(number(r.PerEUR)), dateString(r.Published)})
}

// MarshalJSON writes {jurisdiction, percent, kind, effective_from,
// effective_to, sources, uncertain}; an open end of the period is omitted.
func (r RateUse) MarshalJSON() ([]byte, error) {
	type wire struct {
		Jurisdiction  string      `json:"jurisdiction"`
		Percent       json.Number `json:"percent"`
		Kind          string      `json:"kind"`
		EffectiveFrom string      `json:"effective_from,omitempty"`
		EffectiveTo   string      `json:"effective_to,omitempty"`
		Sources       []string    `json:"sources"`
		Uncertain     bool        `json:"uncertain"`
	}
	src := r.Sources
	if src == nil {
		src = []string{}
	}
	return marshal(wire{r.Jurisdiction, json.Number(number(r.Percent)), r.Kind,
		dateString(r.EffectiveFrom), dateString(r.EffectiveTo), src, r.Uncertain})
}

// MarshalJSON writes {index, rule, reason, thresholds}.
func (i ItemBasis) MarshalJSON() ([]byte, error) {
	type wire struct {
		Index      int         `json:"index"`
		Rule       string      `json:"rule"`
		Reason     string      `json:"reason"`
		Thresholds []Threshold `json:"thresholds,omitempty"`
	}
	return marshal(wire(i))
}

// marshal is json.Marshal without HTML escaping: answers carry comparisons
// such as "<=", which encoding/json would write as "\u003c=". Every level
// of the answer goes through it, because escaping happens where a value is
// marshalled, not where the answer is written.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
