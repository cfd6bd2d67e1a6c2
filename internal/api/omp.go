package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"cloud.google.com/go/civil"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/iso"
	"github.com/vatgate/vatgate/internal/money"
	"github.com/vatgate/vatgate/internal/omp"
)

// The Invoice OMP API (document 003): one POST asks which invoices an
// online-marketplace sale needs and how each is taxed. This file reads the
// request in every spelling the document uses into an omp.Request, and
// writes the engine's answer.
//
// "We don't store any of your invoice data": nothing of a request or an
// answer is stored or logged. The access log has the method, the redacted
// path and the status only; the one trace of a call is the per-merchant
// count in Server.ompCalls, for the call limits of document 003.

// handleOMP answers POST /api/omp/omp_invoice.
func (s *Server) handleOMP(w http.ResponseWriter, r *http.Request) {
	if s.cfg.OMP == nil {
		writeJSON(w, http.StatusServiceUnavailable, errorf(http.StatusServiceUnavailable, "OMP engine not configured"))
		return
	}
	// Every authenticated call counts, refused ones too: call limits are
	// on calls, not on answers.
	s.ompCalls.add(merchantID(r))
	body, aerr := s.readJSONBody(w, r)
	if aerr != nil {
		s.fail(w, r, aerr, nil)
		return
	}
	req, aerr := s.decodeOMP(body)
	if aerr != nil {
		s.fail(w, r, aerr, nil)
		return
	}
	ans, err := s.cfg.OMP.Determine(req, civil.DateOf(s.cfg.Now().UTC()))
	if err != nil {
		if aerr := errorFor(err, ""); aerr != nil {
			s.fail(w, r, aerr, nil)
			return
		}
		// Only the error's type is logged: its text may quote the
		// request's values, which are not to be kept anywhere.
		s.fail(w, r, nil, fmt.Errorf("omp: unexpected %T from the engine", err))
		return
	}
	writeJSON(w, http.StatusOK, ans)
}

// OMPCalls is how many OMP calls a merchant has made since the server
// started: the count the call limits of document 003 will be enforced on.
func (s *Server) OMPCalls(merchantID int64) uint64 { return s.ompCalls.get(merchantID) }

// callCounter counts calls per merchant, in memory only. After a merchant's
// first call, counting is one atomic add with no lock.
type callCounter struct{ m sync.Map } // merchant id -> *atomic.Uint64

func (c *callCounter) add(merchantID int64) {
	n, ok := c.m.Load(merchantID)
	if !ok {
		n, _ = c.m.LoadOrStore(merchantID, new(atomic.Uint64))
	}
	n.(*atomic.Uint64).Add(1)
}

func (c *callCounter) get(merchantID int64) uint64 {
	if n, ok := c.m.Load(merchantID); ok {
		return n.(*atomic.Uint64).Load()
	}
	return 0
}

// field is a request field: its name as document 003's table (and the
// engine's errors) spell it, then the other spellings of the document's
// examples. Names match in any letter case, as encoding/json matches
// struct fields, which also covers "invoice_ID" and "Item".
type field []string

var (
	fInvoiceID          = field{"invoice_id"}
	fMarketplaceCountry = field{"marketplace_establishment_country_id", "OMP_establishment_country_id"}
	fVendorCountry      = field{"vendor_establishment_country_id", "merchant_establishment_country_id"}
	fIOSS               = field{"marketplace_IOSS_number", "OMP_IOSS_number"}
	fOrderCurrency      = field{"order_currency"}
	fOrderDate          = field{"order_date"}
	fOrderAmount        = field{"order_amount", "order_ammount"}
	fShippingFee        = field{"shipping_fee"}
	fArrivalCountry     = field{"arrival_country"}
	fArrivalZip         = field{"arrival_zip"}
	fArrivalState       = field{"arrival_state"}
	fDepartureCountry   = field{"departure_country"}
	fDepartureZip       = field{"departure_zip"}
	fDepartureState     = field{"departure_state"}
	fItemCode           = field{"item_code"}
	fGoodCode           = field{"good_code"}
	fItemPrice          = field{"item_price"}
	fItemQuantity       = field{"item_quantity"}
	fItems              = field{"Item", "Items"}
	fCustomerVAT        = field{"vat_number_of_customer"}
	fExemptionType      = field{"exemption_type"}
	fNexusStates        = field{"marketplace_nexus_state"}
	// Optional fields outside document 003 (RULES §17.6).
	fDistanceSales         = field{"vendor_eu_distance_sales_eur"}
	fDestinationOption     = field{"vendor_destination_option"}
	fMarketplaceRegistered = field{"marketplace_registered"}
	fVendorGSTRegistered   = field{"vendor_gst_registered"}
)

// decodeOMP reads a request body (already checked to be strict JSON by
// readJSONBody, so no key is given twice) into an omp.Request. A required field missing is a 400 naming every missing
// field; a value of the wrong type or impossible on its face is a 422
// naming the field. The engine checks the rest (states, exemption types,
// quantities, a shipping fee above the order amount).
func (s *Server) decodeOMP(body []byte) (omp.Request, *apiError) {
	body = bytes.TrimSpace(body)
	if body[0] != '{' {
		return omp.Request{}, errorf(http.StatusBadRequest, "request body must be a JSON object")
	}
	var errs ompErrors
	o, _ := newOMPObject(body, "", &errs)
	req := omp.Request{
		InvoiceID:          invoiceID(o),
		MarketplaceCountry: s.country(o, fMarketplaceCountry),
		VendorCountry:      s.country(o, fVendorCountry),
		MarketplaceIOSS:    isTrue(o.flag(fIOSS)),
		OrderCurrency:      currency(o, fOrderCurrency),
		OrderDate:          o.date(fOrderDate),
		OrderAmount:        o.requiredAmount(fOrderAmount),
		ShippingFee:        o.amount(fShippingFee),
		ArrivalCountry:     s.country(o, fArrivalCountry),
		ArrivalZip:         o.code(fArrivalZip),
		ArrivalState:       strings.ToUpper(o.text(fArrivalState)),
		DepartureCountry:   s.country(o, fDepartureCountry),
		DepartureZip:       o.code(fDepartureZip),
		DepartureState:     strings.ToUpper(o.text(fDepartureState)),
		ItemCode:           o.code(fItemCode),
		GoodCode:           o.code(fGoodCode),
		ItemPrice:          o.amount(fItemPrice),
		ItemQuantity:       o.number(fItemQuantity),
		Items:              o.items(fItems),
		CustomerVATNumber:  o.text(fCustomerVAT),
		ExemptionType:      o.text(fExemptionType),

		MarketplaceNexusStates:   o.states(fNexusStates),
		VendorEUDistanceSalesEUR: o.amount(fDistanceSales),
		VendorDestinationOption:  isTrue(o.flag(fDestinationOption)),
		MarketplaceRegistered:    o.flag(fMarketplaceRegistered),
		VendorGSTRegistered:      isTrue(o.flag(fVendorGSTRegistered)),
	}
	return req, errs.answer()
}

// invoiceID reads invoice_id: required, "Maximum 25 characters".
func invoiceID(o ompObject) string {
	id := o.required(fInvoiceID)
	if n := utf8.RuneCountInString(id); n > 25 {
		o.invalid(fInvoiceID, invoicing.RuleMaxLength, "at most 25 characters (got %d)", n)
	}
	return id
}

func isTrue(b *bool) bool { return b != nil && *b }

// country reads a required ISO 3166-1 alpha-3 code in any case, upper-cased.
// The engine's rates data may know a code ISO leaves user-assigned (XKX,
// Kosovo), so a code it has rates for is accepted too.
func (s *Server) country(o ompObject, f field) string {
	c := strings.ToUpper(o.required(f))
	if c == "" {
		return ""
	}
	if _, ok := iso.CountryByAlpha3(c); ok && len(c) == 3 {
		return c
	}
	if _, ok := s.cfg.OMP.Rates().Country(c); ok {
		return c
	}
	o.invalid(f, invoicing.RuleCode, "%q is not an ISO 3166-1 alpha-3 country code", c)
	return ""
}

// currency reads a required ISO 4217 code in any case, upper-cased. Codes
// without minor units (funds, precious metals: XAU, XTS) price no sale.
func currency(o ompObject, f field) string {
	c := strings.ToUpper(o.required(f))
	if c == "" {
		return ""
	}
	if cur, ok := iso.CurrencyByCode(c); ok && len(c) == 3 && cur.MinorUnits >= 0 {
		return c
	}
	o.invalid(f, invoicing.RuleCode, "%q is not an ISO 4217 currency code", c)
	return ""
}

// ompErrors collects what is wrong with a request: missing fields (400)
// before invalid values (422), since a request missing a field cannot be
// answered whatever its other values.
type ompErrors struct{ missing, invalid []invoicing.FieldError }

func (e *ompErrors) answer() *apiError {
	problems, status := e.missing, http.StatusBadRequest
	if len(problems) == 0 {
		problems, status = e.invalid, http.StatusUnprocessableEntity
	}
	if len(problems) == 0 {
		return nil
	}
	verr := invoicing.ValidationError{Problems: problems}
	return &apiError{Status: status, Message: verr.Error(), Errors: problems}
}

// ompObject is one JSON object of an OMP request, its field names folded to
// lower case. A field that is null or a blank string is not given: clients
// of form-minded languages send "" for an empty field.
type ompObject struct {
	path   string             // prefix of field names in errors: "Item[1]."
	fields map[string][]keyed // by lower-case name; several when names differ in case only
	errs   *ompErrors
}

// keyed is a field as sent: its name in the sender's spelling and its JSON.
type keyed struct {
	key string
	raw json.RawMessage
}

func newOMPObject(raw json.RawMessage, path string, errs *ompErrors) (ompObject, bool) {
	o := ompObject{path: path, errs: errs}
	if len(raw) == 0 || raw[0] != '{' {
		return o, false
	}
	// raw is a part of a checked body: split it without checking it again
	// (decode.go), as the other routes' readers do.
	fields, ok := splitObject(raw)
	if !ok && json.Unmarshal(raw, &fields) != nil {
		return o, false
	}
	o.fields = make(map[string][]keyed, len(fields))
	for k, v := range fields {
		lk := strings.ToLower(k)
		o.fields[lk] = append(o.fields[lk], keyed{k, v})
	}
	return o, true
}

func (o ompObject) name(f field) string { return o.path + f[0] }

func (o ompObject) invalid(f field, rule, format string, args ...any) {
	name := o.name(f)
	o.errs.invalid = append(o.errs.invalid, invoicing.FieldError{Field: name, Rule: rule, Message: name + ": " + fmt.Sprintf(format, args...)})
}

// raw is the field's JSON under any of its spellings, or nil when it is not
// given. Two spellings with different values are refused rather than one
// of them silently chosen.
func (o ompObject) raw(f field) json.RawMessage {
	var got *keyed
	for _, name := range f {
		for _, kv := range o.fields[strings.ToLower(name)] {
			if notGiven(kv.raw) {
				continue
			}
			if got == nil {
				got = &kv
			} else if !bytes.Equal(got.raw, kv.raw) {
				o.invalid(f, invoicing.RuleUnique, "given twice with different values, as %s and %s", got.key, kv.key)
				return nil
			}
		}
	}
	if got == nil {
		return nil
	}
	return got.raw
}

func notGiven(raw json.RawMessage) bool {
	if string(raw) == "null" {
		return true
	}
	if raw[0] != '"' {
		return false
	}
	s, ok := unquote(raw)
	return ok && strings.TrimSpace(s) == ""
}

// given reports whether the field is given under any of its spellings.
func (o ompObject) given(f field) bool {
	for _, name := range f {
		for _, kv := range o.fields[strings.ToLower(name)] {
			if !notGiven(kv.raw) {
				return true
			}
		}
	}
	return false
}

// required reads a text field and records it as missing when it is not
// given under any spelling.
func (o ompObject) required(f field) string {
	v := o.text(f)
	if v == "" && !o.given(f) {
		o.missing(f)
	}
	return v
}

func (o ompObject) missing(f field) {
	name := o.name(f)
	msg := name + ": required"
	if len(f) > 1 {
		msg += " (also accepted as " + strings.Join(f[1:], ", ") + ")"
	}
	o.errs.missing = append(o.errs.missing, invoicing.FieldError{Field: name, Rule: invoicing.RuleRequired, Message: msg})
}

// text reads a JSON string, trimmed.
func (o ompObject) text(f field) string {
	raw := o.raw(f)
	if raw == nil {
		return ""
	}
	if raw[0] == '"' {
		if s, ok := unquote(raw); ok {
			return strings.TrimSpace(s)
		}
	}
	o.invalid(f, invoicing.RuleType, "must be a string")
	return ""
}

// code reads a code (item_code, good_code, a postal code): a string, or a
// JSON integer taken as its digits, since codes made of digits are often
// sent as numbers.
func (o ompObject) code(f field) string {
	raw := o.raw(f)
	if raw != nil && isDigits(string(raw)) {
		return string(raw)
	}
	return o.text(f)
}

// number reads a JSON number or a numeric string exactly, from its literal
// text: never through float64.
func (o ompObject) number(f field) *money.Decimal {
	raw := o.raw(f)
	if raw == nil {
		return nil
	}
	lit := string(raw)
	if raw[0] == '"' {
		s, _ := unquote(raw) // a string a JSON check passed
		lit = strings.TrimSpace(s)
	}
	d, err := money.Parse(lit)
	if err != nil {
		o.invalid(f, invoicing.RuleType, "must be a number or a numeric string")
		return nil
	}
	return &d
}

// requiredAmount reads a required number that must not be negative.
func (o ompObject) requiredAmount(f field) money.Decimal {
	if d := o.amount(f); d != nil {
		return *d
	}
	if !o.given(f) {
		o.missing(f)
	}
	return money.Zero
}

// amount reads a number that must not be negative.
func (o ompObject) amount(f field) *money.Decimal {
	d := o.number(f)
	if d != nil && d.IsNegative() {
		o.invalid(f, invoicing.RuleNonNegative, "must not be negative (got %s)", d)
		return nil
	}
	return d
}

// flag reads a boolean: JSON true or false, or the strings "True" and
// "False" of the document's examples, in any case.
func (o ompObject) flag(f field) *bool {
	raw := o.raw(f)
	if raw == nil {
		return nil
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return &b
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true":
			b = true
			return &b
		case "false":
			return &b
		}
	}
	o.invalid(f, invoicing.RuleType, `must be true or false (or "True", "False")`)
	return nil
}

// date reads an ISO 8601 date, YYYY-MM-DD, or a full timestamp whose date
// (as written, in the timestamp's own offset) is taken: the order date is
// the seller's calendar day.
func (o ompObject) date(f field) civil.Date {
	s := o.text(f)
	if s == "" {
		return civil.Date{}
	}
	if d, err := civil.ParseDate(s); err == nil {
		return d
	}
	for _, layout := range timestampLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return civil.DateOf(t)
		}
	}
	o.invalid(f, invoicing.RuleFormat, "%q is not a date (ISO 8601: YYYY-MM-DD)", s)
	return civil.Date{}
}

// timestampLayouts are the ISO 8601 timestamps order_date may be given as;
// a layout's fraction ".999999999" also matches none.
var timestampLayouts = []string{
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

// states reads marketplace_nexus_state: a string (the engine splits one
// holding several codes at commas) or an array of strings.
func (o ompObject) states(f field) []string {
	raw := o.raw(f)
	if raw == nil {
		return nil
	}
	if raw[0] == '"' {
		return []string{o.text(f)}
	}
	var list []string
	if raw[0] != '[' || json.Unmarshal(raw, &list) != nil {
		o.invalid(f, invoicing.RuleType, "must be a string of state codes or an array of them")
		return nil
	}
	return list
}

// items reads the basket: an array of objects with item_code, good_code,
// item_price and item_quantity, under any spelling of Item.
func (o ompObject) items(f field) []omp.Item {
	raw := o.raw(f)
	if raw == nil {
		return nil
	}
	var elems []json.RawMessage
	ok := raw[0] == '['
	if ok {
		var split bool
		if elems, split = splitArray(raw); !split {
			ok = json.Unmarshal(raw, &elems) == nil
		}
	}
	if !ok {
		o.invalid(f, invoicing.RuleType, "must be an array of items")
		return nil
	}
	items := make([]omp.Item, 0, len(elems))
	for i, elem := range elems {
		path := fmt.Sprintf("%s%s[%d].", o.path, f[0], i)
		it, ok := newOMPObject(bytes.TrimSpace(elem), path, o.errs)
		if !ok {
			o.invalid(field{fmt.Sprintf("%s[%d]", f[0], i)}, invoicing.RuleType, "must be a JSON object")
			continue
		}
		items = append(items, omp.Item{
			ItemCode:     it.code(fItemCode),
			GoodCode:     it.code(fGoodCode),
			ItemPrice:    it.amount(fItemPrice),
			ItemQuantity: it.number(fItemQuantity),
		})
	}
	return items
}
