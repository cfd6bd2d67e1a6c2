package omp

import (
	"fmt"

	"github.com/vatgate/vatgate/internal/money"
)

// assemble merges the lines' outcomes (RULES §17.1) and converts intrinsic
// values (RULES §1.7, §1.8).
func (ev *eval) assemble(outs []outcome) (Answer, error) {
	f := ev.f
	ans := Answer{InvoiceID: f.id, RateBasis: RateBasisStandard}
	ans.Basis = Basis{Date: f.date, DateSource: f.dateSource}
	same := true
	for _, o := range outs[1:] {
		if !sameLegs(o.legs, outs[0].legs) {
			same = false
			break
		}
	}
	type group struct {
		leg   leg
		items []int
		value money.Decimal
	}
	var groups []*group
	byKey := map[string]*group{}
	for i, o := range outs {
		for _, l := range o.legs {
			k := l.key()
			if same {
				k = fmt.Sprintf("%d|%s", indexOf(outs[0].legs, l), k)
			}
			g := byKey[k]
			if g == nil {
				g = &group{leg: l}
				byKey[k] = g
				groups = append(groups, g)
			}
			g.items = append(g.items, f.lines[i].index)
			g.value = g.value.Add(f.lines[i].value)
		}
	}
	for i, g := range groups {
		inv := Invoice{Parties: g.leg.parties, Type: g.leg.typ, TaxType: g.leg.taxType, Jurisdiction: g.leg.jur, VATPercent: g.leg.pct}
		if len(groups) > 1 || !same {
			inv.Code = fmt.Sprint(i + 1)
		}
		if !same {
			inv.Items = g.items
		}
		if g.leg.intrinsic != "" {
			v, x, err := ev.convert(g.value, g.leg.intrinsic)
			if err != nil {
				return Answer{}, err
			}
			v = v.Round(2)
			if x != nil && x.From.PerEUR.IsPositive() {
				// One rounding of the exact value rather than the
				// converter's 4 places rounded again to 2.
				v = g.value.Mul(x.To.PerEUR).DivRound(x.From.PerEUR, 2)
			}
			inv.IntrinsicValue, inv.IntrinsicValueCurrency = &v, g.leg.intrinsic
		}
		ans.Invoices = append(ans.Invoices, inv)
	}
	ans.Mixed = !same

	rulesSame := true
	for _, o := range outs[1:] {
		if o.rule != outs[0].rule {
			rulesSame = false
		}
	}
	b := &ans.Basis
	if rulesSame {
		b.Rule, b.Section, b.Reason = outs[0].rule, outs[0].section, outs[0].reason
	} else {
		b.Rule, b.Section = "BASKET", "§17.1"
		b.Reason = "items answered separately (mixed basket, RULES §17.1)"
		if same {
			b.Reason = "items answered separately under different rules with the same invoices (RULES §17.1)"
		}
	}
	seenT, seenR, seenN := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i, o := range outs {
		if !rulesSame {
			b.Items = append(b.Items, ItemBasis{Index: f.lines[i].index, Rule: o.rule, Reason: o.reason, Thresholds: o.thresholds})
		} else {
			for _, t := range o.thresholds {
				k := t.Name + "|" + t.Value.String()
				if !seenT[k] {
					seenT[k] = true
					b.Thresholds = append(b.Thresholds, t)
				}
			}
		}
		for _, r := range o.rates {
			k := r.Jurisdiction + "|" + r.Percent.String() + "|" + r.Kind
			if !seenR[k] {
				seenR[k] = true
				b.Rates = append(b.Rates, r)
			}
		}
		for _, n := range o.notes {
			if !seenN[n] {
				seenN[n] = true
				b.Notes = append(b.Notes, n)
			}
		}
	}
	return ans, nil
}

func sameLegs(a, b []leg) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].key() != b[i].key() {
			return false
		}
	}
	return true
}

func indexOf(ls []leg, l leg) int {
	for i := range ls {
		if ls[i].key() == l.key() {
			return i
		}
	}
	return -1
}
