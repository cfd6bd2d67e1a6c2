package omp

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"cloud.google.com/go/civil"
	"github.com/shopspring/decimal"

	"github.com/vatgate/vatgate/internal/fx"
	"github.com/vatgate/vatgate/internal/iso"
	"github.com/vatgate/vatgate/internal/money"
)

// Converter converts an amount between currencies at the rates of a date
// (RULES §1.8, §17.3). *fx.Table implements it; an error is refused with
// KindMissingRate and wrapped.
type Converter interface {
	Convert(amount money.Decimal, from, to string, on civil.Date) (fx.Conversion, error)
}

// Engine answers OMP requests. It holds no per-request state and is safe
// for concurrent use.
type Engine struct {
	fx    Converter
	rates *Rates
}

// New returns an engine on the embedded rates data, converting currencies
// with conv (fx.Snapshot() or a table extended with a newer ECB file).
func New(conv Converter) *Engine { return &Engine{fx: conv, rates: EmbeddedRates()} }

// NewWithRates is New on other rates data (tests, a newer file).
func NewWithRates(conv Converter, rates *Rates) *Engine { return &Engine{fx: conv, rates: rates} }

// Rates returns the rates data the engine answers from.
func (e *Engine) Rates() *Rates { return e.rates }

// Determine answers one request. today is the default order date (RULES
// §1.1: "default: today, UTC"), passed in because the package has no clock.
// Errors are *Error with a Kind.
func (e *Engine) Determine(req Request, today civil.Date) (Answer, error) {
	f, err := e.normalise(req, today)
	if err != nil {
		return Answer{}, err
	}
	ev := &eval{e: e, f: f, conv: map[convKey]convResult{}}
	outs := make([]outcome, len(f.lines))
	for i, ln := range f.lines {
		o, err := ev.dispatch(ln)
		if err != nil {
			return Answer{}, err
		}
		outs[i] = o
	}
	return ev.assemble(outs)
}

// facts are the request after RULES §1: codes normalised, values derived.
type facts struct {
	id                  string
	date                civil.Date
	dateSource          string
	currency            string
	marketplace         string
	vendor              string
	arrival, departure  place
	b2b                 bool // RULES §1.3
	ioss                bool
	exemption           string
	nexus               map[string]bool
	orderAmount         money.Decimal
	shipping            money.Decimal
	goodsValue          money.Decimal // RULES §1.7, over the goods lines
	lines               []line
	distanceSales       *money.Decimal
	destinationOption   bool
	mpRegistered        bool
	vendorGSTRegistered bool
}

// line is one item to answer (the single item of a request without Items).
type line struct {
	index    int
	digital  bool // RULES §1.4
	itemCode string
	goodCode string
	excise   bool          // RULES §1.9
	food     bool          // CN chapters 02-21 (RULES §15.2), for VOEC (§5 N1)
	unit     money.Decimal // one unit, order currency (RULES §1.7 per-item value)
	value    money.Decimal // the line, order currency
}

var (
	zero    = money.Zero
	hundred = money.MustParse("100")
)

func date(y, m, d int) civil.Date { return civil.Date{Year: y, Month: time.Month(m), Day: d} }

// normalise applies RULES §1 and validates values.
func (e *Engine) normalise(req Request, today civil.Date) (*facts, error) {
	f := &facts{id: req.InvoiceID, date: req.OrderDate, dateSource: "order_date", ioss: req.MarketplaceIOSS,
		distanceSales: req.VendorEUDistanceSalesEUR, destinationOption: req.VendorDestinationOption,
		mpRegistered: req.MarketplaceRegistered == nil || *req.MarketplaceRegistered, vendorGSTRegistered: req.VendorGSTRegistered}
	if len([]rune(req.InvoiceID)) > 25 {
		return nil, invalid("invoice_id", "at most 25 characters")
	}
	if f.date.IsZero() {
		f.date, f.dateSource = today, "today"
	}
	if !f.date.IsValid() {
		return nil, invalid("order_date", "%s is not a valid date", f.date)
	}
	var err error
	if f.marketplace, err = e.country("marketplace_establishment_country_id", req.MarketplaceCountry); err != nil {
		return nil, err
	}
	if f.vendor, err = e.country("vendor_establishment_country_id", req.VendorCountry); err != nil {
		return nil, err
	}
	arr, err := e.country("arrival_country", req.ArrivalCountry)
	if err != nil {
		return nil, err
	}
	dep, err := e.country("departure_country", req.DepartureCountry)
	if err != nil {
		return nil, err
	}
	f.arrival = newPlace(arr, req.ArrivalZip, strings.ToUpper(strings.TrimSpace(req.ArrivalState)))
	f.departure = newPlace(dep, req.DepartureZip, strings.ToUpper(strings.TrimSpace(req.DepartureState)))
	switch arr {
	case "USA":
		if f.arrival.state == "" {
			return nil, required("arrival_state", "the state is needed for an order to USA")
		}
		if _, ok := e.rates.USState(f.arrival.state); !ok {
			return nil, invalid("arrival_state", "%q is not a US state code", req.ArrivalState)
		}
	case "CAN":
		if f.arrival.state == "" {
			return nil, required("arrival_state", "the province is needed for an order to CAN")
		}
		if _, ok := e.rates.Province(f.arrival.state); !ok {
			return nil, invalid("arrival_state", "%q is not a Canadian province or territory code", req.ArrivalState)
		}
	}

	cur := strings.ToUpper(strings.TrimSpace(req.OrderCurrency))
	if c, ok := iso.CurrencyByCode(cur); (!ok || c.MinorUnits < 0 || len(cur) != 3) && !e.rates.knownCurrency(cur) {
		return nil, invalid("order_currency", "%q is not an ISO 4217 currency code", req.OrderCurrency)
	}
	f.currency = cur

	f.b2b = strings.TrimSpace(req.CustomerVATNumber) != ""
	switch ex := strings.ToLower(strings.TrimSpace(req.ExemptionType)); ex {
	case "", "non_exempt", "nil", "nill", "none":
	case "wholesale", "government", "educational", "marketplace", "other":
		f.exemption = ex
	default:
		return nil, invalid("exemption_type", "%q is not one of wholesale, government, educational, marketplace, other, non_exempt", req.ExemptionType)
	}
	f.nexus = map[string]bool{}
	for _, s := range req.MarketplaceNexusStates {
		for _, st := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
			st = strings.ToUpper(st)
			if _, ok := e.rates.USState(st); !ok {
				return nil, invalid("marketplace_nexus_state", "%q is not a US state code", st)
			}
			f.nexus[st] = true
		}
	}
	if d := req.VendorEUDistanceSalesEUR; d != nil && d.IsNegative() {
		return nil, invalid("vendor_eu_distance_sales_eur", "must not be negative")
	}

	// RULES §1.7 values.
	if req.OrderAmount.IsNegative() {
		return nil, invalid("order_amount", "must not be negative")
	}
	f.orderAmount = req.OrderAmount
	if req.ShippingFee != nil {
		if req.ShippingFee.IsNegative() {
			return nil, invalid("shipping_fee", "must not be negative")
		}
		if req.ShippingFee.GreaterThan(req.OrderAmount) {
			return nil, invalid("shipping_fee", "%s is more than order_amount %s, which includes shipping", req.ShippingFee, req.OrderAmount)
		}
		f.shipping = *req.ShippingFee
	}
	if err := f.buildLines(req); err != nil {
		return nil, err
	}
	return f, nil
}

// country validates an alpha-3 code: ISO 3166-1, or a key of tax-rates.json
// (XKX, Kosovo, is user-assigned).
func (e *Engine) country(field, code string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(code))
	if _, ok := iso.CountryByAlpha3(c); ok && len(c) == 3 {
		return c, nil
	}
	if _, ok := e.rates.Country(c); ok {
		return c, nil
	}
	return "", invalid(field, "%q is not an ISO 3166-1 alpha-3 country code", code)
}

// buildLines makes the lines to answer and the goods value (RULES §1.4,
// §1.7). Without Items the request is one line worth order_amount -
// shipping_fee. With Items the goods value is the sum of item_price x
// item_quantity over the goods items; when some goods item has no price the
// goods value falls back to order_amount - shipping_fee and the unpriced
// items share what the priced ones leave of it, equally ([CONVENTION] of
// this package: RULES leaves unpriced items open).
func (f *facts) buildLines(req Request) error {
	rest := f.orderAmount.Sub(f.shipping)
	if len(req.Items) == 0 {
		ln, err := newLine(0, "", req.ItemCode, req.GoodCode, req.ItemPrice, req.ItemQuantity)
		if err != nil {
			return err
		}
		ln.value = rest
		if req.ItemPrice == nil {
			ln.unit = perUnit(rest, req.ItemQuantity)
		}
		f.lines = []line{ln}
		if !ln.digital {
			f.goodsValue = rest
		}
		return nil
	}
	var priced money.Decimal
	var unpriced []int
	for i, it := range req.Items {
		code, good := it.ItemCode, it.GoodCode
		if strings.TrimSpace(code) == "" {
			code = req.ItemCode
		}
		if strings.TrimSpace(good) == "" {
			good = req.GoodCode
		}
		ln, err := newLine(i, fmt.Sprintf("Item[%d].", i), code, good, it.ItemPrice, it.ItemQuantity)
		if err != nil {
			return err
		}
		if it.ItemPrice != nil {
			ln.value = ln.unit.Mul(quantity(it.ItemQuantity))
			if !ln.digital {
				priced = priced.Add(ln.value)
			}
		} else if !ln.digital {
			unpriced = append(unpriced, i)
		}
		f.lines = append(f.lines, ln)
	}
	f.goodsValue = priced
	if len(unpriced) > 0 {
		f.goodsValue = rest
		share := rest.Sub(priced)
		if share.IsNegative() {
			share = zero
		}
		share = share.Div(decimal.NewFromInt(int64(len(unpriced))))
		for _, i := range unpriced {
			f.lines[i].value = share
			f.lines[i].unit = perUnit(share, req.Items[i].ItemQuantity)
		}
	}
	return nil
}

func quantity(q *money.Decimal) money.Decimal {
	if q == nil {
		return decimal.NewFromInt(1)
	}
	return *q
}

func perUnit(v money.Decimal, q *money.Decimal) money.Decimal {
	if q == nil || q.IsZero() {
		return v
	}
	return v.Div(*q)
}

func newLine(i int, prefix, itemCode, goodCode string, price, qty *money.Decimal) (line, error) {
	ln := line{index: i, itemCode: strings.TrimSpace(itemCode)}
	ln.digital = ln.itemCode != ""
	g := strings.Map(func(r rune) rune {
		if r == ' ' || r == '.' {
			return -1
		}
		return r
	}, goodCode)
	if g != "" && (!isDigits(g) || len(g) < 2 || len(g) > 10) {
		return ln, invalid(prefix+"good_code", "%q is not a CN/HS code (2 to 10 digits)", goodCode)
	}
	ln.goodCode = g
	ln.excise, ln.food = exciseGoods(g), foodGoods(g)
	if price != nil {
		if price.IsNegative() {
			return ln, invalid(prefix+"item_price", "must not be negative")
		}
		ln.unit = *price
	}
	if qty != nil && !qty.IsPositive() {
		return ln, invalid(prefix+"item_quantity", "must be more than 0")
	}
	return ln, nil
}

// exciseGoods: RULES §1.9 [CONVENTION]: CN chapters 22 (beverages) and 24
// (tobacco), headings 2710 and 2711 (energy products).
func exciseGoods(g string) bool {
	return strings.HasPrefix(g, "22") || strings.HasPrefix(g, "24") ||
		strings.HasPrefix(g, "2710") || strings.HasPrefix(g, "2711")
}

// foodGoods: CN chapters 02-21, "food chapters" of RULES §15.2.
func foodGoods(g string) bool {
	if len(g) < 2 {
		return false
	}
	ch := int(g[0]-'0')*10 + int(g[1]-'0')
	return ch >= 2 && ch <= 21
}

// dispatch is RULES §2.
func (ev *eval) dispatch(ln line) (outcome, error) {
	f := ev.f
	a := f.arrival
	switch {
	case ln.digital:
		return ev.digital(ln)
	case a.tt != nil:
		return ev.thirdTerritory(ln)
	case a.inEUGoods(!f.date.Before(windsor)):
		return ev.euGoods(ln)
	case vatArea(a.country) == "GBR":
		return ev.ukGoods(ln)
	case a.country == "NOR":
		return ev.norway(ln)
	case vatArea(a.country) == "CHE":
		return ev.swiss(ln, a.country)
	case a.country == "AUS":
		return ev.australia(ln)
	case a.country == "NZL":
		return ev.newZealand(ln)
	case a.country == "SGP":
		return ev.singapore(ln)
	case a.country == "CAN":
		return ev.canada(ln)
	case a.country == "USA":
		return ev.unitedStates(ln)
	case a.country == "JPN":
		return ev.japanGoods(ln)
	default:
		return ev.generic(ln)
	}
}

// windsor: Northern Ireland follows EU goods rules from the end of the
// Brexit transition (Protocol, later Windsor Framework).
var windsor = date(2021, 1, 1)

// ---- evaluation ----

type eval struct {
	e    *Engine
	f    *facts
	conv map[convKey]convResult
}

type convKey struct{ amount, to string }

type convResult struct {
	amount money.Decimal
	x      *Exchange
}

// convert converts an order-currency amount to currency to on D (RULES
// §1.8); the same currency needs no rate.
func (ev *eval) convert(amount money.Decimal, to string) (money.Decimal, *Exchange, error) {
	if to == ev.f.currency {
		return amount, nil, nil
	}
	k := convKey{amount.String(), to}
	if r, ok := ev.conv[k]; ok {
		return r.amount, r.x, nil
	}
	c, err := ev.e.fx.Convert(amount, ev.f.currency, to, ev.f.date)
	if err != nil {
		return zero, nil, missingRate(ev.f.currency, to, ev.f.date, err)
	}
	x := &Exchange{From: ExchangeRate(c.From), To: ExchangeRate(c.To)}
	ev.conv[k] = convResult{c.Amount, x}
	return c.Amount, x, nil
}

func missingRate(from, to string, on civil.Date, err error) *Error {
	msg := fmt.Sprintf("no exchange rate to convert %s to %s on %s", from, to, on)
	var m *fx.MissingRateError
	if errors.As(err, &m) {
		msg = fmt.Sprintf("no exchange rate for %s on %s (%s), needed to convert %s to %s", m.Currency, m.Date, m.Reason, from, to)
	}
	return &Error{Kind: KindMissingRate, Field: "order_currency", Message: msg, Err: err}
}

// taxTypeOf is RULES §0 tax_type for a destination country.
func (ev *eval) taxTypeOf(code string) string {
	switch vatArea(code) {
	case "AUS", "NZL", "SGP", "IND":
		return TaxGST
	case "JPN":
		return TaxConsumption
	case "USA":
		return TaxSales
	}
	if euMember(vatArea(code)) || code == "GBR" || code == "NOR" || vatArea(code) == "CHE" {
		return TaxVAT
	}
	c, _ := ev.e.rates.Country(code)
	name := strings.ToLower(c.TaxName)
	switch {
	case name == "gst":
		return TaxGST
	case name == "consumption tax":
		return TaxConsumption
	case strings.Contains(name, "sales"):
		return TaxSales
	}
	return TaxVAT
}
