package omp

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/vatgate/vatgate/internal/fx"
)

// testEngine converts with the real ECB snapshot (internal/fx), so threshold
// tests at converted values use published rates: on 2025-03-03 EUR 1 =
// USD 1.0465 = GBP 0.8253 = NOK 11.695 = AUD 1.6811 = NZD 1.8669 =
// SGD 1.4106 = JPY 158.33 = KRW 1526.42.
var testEngine = New(fx.Snapshot())

// rq builds requests tersely: q() is a B2C sale of EUR 100 on 2025-03-03 by a
// Chinese vendor through an Irish marketplace, shipped from China to Germany.
type rq Request

func q() rq {
	return rq{InvoiceID: "t-1", MarketplaceCountry: "IRL", VendorCountry: "CHN", OrderCurrency: "EUR",
		OrderDate: day("2025-03-03"), OrderAmount: dec("100"), ArrivalCountry: "DEU", DepartureCountry: "CHN"}
}

func (r rq) from(c string) rq          { r.DepartureCountry = c; return r }
func (r rq) to(c string) rq            { r.ArrivalCountry = c; return r }
func (r rq) vendor(c string) rq        { r.VendorCountry = c; return r }
func (r rq) mp(c string) rq            { r.MarketplaceCountry = c; return r }
func (r rq) amt(s string) rq           { r.OrderAmount = dec(s); return r }
func (r rq) cur(c string) rq           { r.OrderCurrency = c; return r }
func (r rq) on(s string) rq            { r.OrderDate = day(s); return r }
func (r rq) ship(s string) rq          { r.ShippingFee = decp(s); return r }
func (r rq) b2b() rq                   { r.CustomerVATNumber = "XX123456789"; return r }
func (r rq) ioss() rq                  { r.MarketplaceIOSS = true; return r }
func (r rq) good(c string) rq          { r.GoodCode = c; return r }
func (r rq) digital(c string) rq       { r.ItemCode = c; return r }
func (r rq) state(s string) rq         { r.ArrivalState = s; return r }
func (r rq) zip(s string) rq           { r.ArrivalZip = s; return r }
func (r rq) depZip(s string) rq        { r.DepartureZip = s; return r }
func (r rq) depState(s string) rq      { r.DepartureState = s; return r }
func (r rq) exempt(s string) rq        { r.ExemptionType = s; return r }
func (r rq) nexus(s ...string) rq      { r.MarketplaceNexusStates = s; return r }
func (r rq) items(it ...Item) rq       { r.Items = it; return r }
func (r rq) vendorGST() rq             { r.VendorGSTRegistered = true; return r }
func (r rq) destinationOption() rq     { r.VendorDestinationOption = true; return r }
func (r rq) distanceSales(s string) rq { r.VendorEUDistanceSalesEUR = decp(s); return r }
func (r rq) registered(b bool) rq      { r.MarketplaceRegistered = &b; return r }
func (r rq) qty(n string) rq           { r.ItemQuantity = decp(n); return r }
func (r rq) price(p, n string) rq {
	r.ItemPrice = decp(p)
	if n != "" {
		r.ItemQuantity = decp(n)
	}
	return r
}

// it is an Item: price, quantity ("" = absent), good_code, item_code.
func it(price, qty, good, code string) Item {
	i := Item{GoodCode: good, ItemCode: code}
	if price != "" {
		i.ItemPrice = decp(price)
	}
	if qty != "" {
		i.ItemQuantity = decp(qty)
	}
	return i
}

// tc is one legal case: the request, the rule id the basis must name and
// the invoices in summary form (see summary).
type tc struct {
	name string
	req  rq
	rule string
	want string
}

// summary writes each invoice as "parties type tax_type jurisdiction rate",
// with " iv=<value><currency>" for commercial invoices and a "#code[items] "
// prefix in a mixed basket; invoices are joined by " | ".
func summary(a Answer) string {
	var parts []string
	for _, inv := range a.Invoices {
		s := fmt.Sprintf("%s %s %s %s %s", inv.Parties, inv.Type, inv.TaxType, inv.Jurisdiction, inv.VATPercent)
		if inv.IntrinsicValue != nil {
			s += " iv=" + inv.IntrinsicValue.StringFixed(2) + inv.IntrinsicValueCurrency
		}
		if a.Mixed {
			var idx []string
			for _, n := range inv.Items {
				idx = append(idx, fmt.Sprint(n))
			}
			s = "#" + inv.Code + "[" + strings.Join(idx, ",") + "] " + s
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " | ")
}

func runCases(t *testing.T, cases []tc) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Helper()
			a, err := testEngine.Determine(Request(c.req), day("2026-04-10"))
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if got := summary(a); got != c.want {
				t.Errorf("answer\n got  %s\n want %s", got, c.want)
			}
			if c.rule != "" && a.Basis.Rule != c.rule {
				t.Errorf("rule = %s, want %s (%s)", a.Basis.Rule, c.rule, a.Basis.Reason)
			}
			if err := checkAnswer(a); err != nil {
				t.Error(err)
			}
		})
	}
}

// checkAnswer verifies the invariants of RULES §0 and §17.1 that every
// answer must satisfy.
func checkAnswer(a Answer) error {
	if len(a.Invoices) == 0 {
		return fmt.Errorf("no invoice")
	}
	if a.RateBasis != RateBasisStandard {
		return fmt.Errorf("rate_basis %q", a.RateBasis)
	}
	if a.Basis.Rule == "" || a.Basis.Reason == "" || a.Basis.Date.IsZero() {
		return fmt.Errorf("basis incomplete: %+v", a.Basis)
	}
	for i, inv := range a.Invoices {
		switch inv.Parties {
		case VendorCustomer, VendorMarketplace, MarketplaceCustomer:
		default:
			return fmt.Errorf("invoice %d: parties %q", i, inv.Parties)
		}
		switch inv.Type {
		case VATInvoice, SalesTaxInvoice, ReverseChargeInvoice, CommercialInvoice, ExemptedInvoice:
		default:
			return fmt.Errorf("invoice %d: type %q", i, inv.Type)
		}
		switch inv.TaxType {
		case TaxVAT, TaxGST, TaxHST, TaxGSTPST, TaxGSTRST, TaxGSTQST, TaxSales, TaxConsumption:
		default:
			return fmt.Errorf("invoice %d: tax_type %q", i, inv.TaxType)
		}
		if inv.VATPercent.IsNegative() || inv.VATPercent.GreaterThan(hundred) {
			return fmt.Errorf("invoice %d: vat_percent %s", i, inv.VATPercent)
		}
		if (inv.Type == ReverseChargeInvoice || inv.Type == ExemptedInvoice) && !inv.VATPercent.IsZero() {
			return fmt.Errorf("invoice %d: %s at %s %%", i, inv.Type, inv.VATPercent)
		}
		if (inv.Type == CommercialInvoice) != (inv.IntrinsicValue != nil) {
			return fmt.Errorf("invoice %d: intrinsic value on %s", i, inv.Type)
		}
		if inv.IntrinsicValue != nil && (inv.IntrinsicValue.IsNegative() || len(inv.IntrinsicValueCurrency) != 3) {
			return fmt.Errorf("invoice %d: intrinsic %s %q", i, inv.IntrinsicValue, inv.IntrinsicValueCurrency)
		}
		multi := len(a.Invoices) > 1 || a.Mixed
		if multi && inv.Code != fmt.Sprint(i+1) || !multi && inv.Code != "" {
			return fmt.Errorf("invoice %d: code %q", i, inv.Code)
		}
		if a.Mixed != (len(inv.Items) > 0) {
			return fmt.Errorf("invoice %d: items %v, mixed %v", i, inv.Items, a.Mixed)
		}
	}
	if !a.Mixed && len(a.Invoices) == 2 {
		if a.Invoices[0].Parties != VendorMarketplace || a.Invoices[1].Parties != MarketplaceCustomer {
			return fmt.Errorf("two invoices: leg 1 must be vendor_marketplace and leg 2 marketplace_customer (RULES §0)")
		}
	}
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("answer JSON: %v", err)
	}
	if _, ok := m["basis"]; !ok {
		return fmt.Errorf("no basis in %s", b)
	}
	return nil
}
