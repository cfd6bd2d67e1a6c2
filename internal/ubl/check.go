package ubl

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/vatgate/vatgate/internal/money"
)

// Violation is one broken rule: its id as the official artefacts name it
// (BR-CO-10, PEPPOL-EN16931-R120, ...) and what was found, with the figures.
type Violation struct {
	Rule    string
	Message string
}

func (v Violation) String() string { return v.Rule + ": " + v.Message }

// Check runs vatgate's own Go versions of the EN 16931 and Peppol BIS 3.0
// rules its output relies on over a UBL Invoice or CreditNote, and returns
// every violation (none: nil). It reads the document with encoding/xml and
// is meant for vatgate's own output: the arithmetic rules are checked
// exactly, where the official artefacts allow a tolerance, because vatgate
// computes every figure exactly.
//
// Rules: BR-CO-10, BR-CO-13, BR-CO-14, BR-CO-15, BR-CO-16, BR-CO-17,
// BR-S-08 (and BR-Z-08, BR-E-08, BR-O-08), BR-S-09, BR-E-10, BR-O-10,
// BR-CO-09, BR-CO-26, BR-S-02/BR-Z-02/BR-E-02, BR-O-02, BR-09, BR-11,
// BR-DEC-*, PEPPOL-EN16931-R001, R003, R004, R007, R008, R010, R020, R051,
// R053, R120, the currency and EAS code lists (PEPPOL-EN16931-CL007,
// PEPPOL-EN16931-CL008) and the identifier
// formats of PEPPOL-COMMON-R040 to R043, R049 and R050.
func Check(xmlDoc []byte) []Violation {
	root, err := parseTree(xmlDoc)
	if err != nil {
		return []Violation{{Rule: "XML", Message: "not well-formed XML: " + err.Error()}}
	}
	c := &checker{root: root}
	c.run()
	return c.vs
}

// node is an element of the parsed document.
type node struct {
	name     xml.Name
	attrs    []xml.Attr
	children []*node
	text     string
}

func parseTree(data []byte) (*node, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var root *node
	var stack []*node
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{name: t.Name, attrs: t.Attr}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else if root == nil {
				root = n
			} else {
				return nil, fmt.Errorf("more than one root element")
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("no root element")
	}
	return root, nil
}

// child is the first child named local; all is every one.
func (n *node) child(local string) *node {
	if n == nil {
		return nil
	}
	for _, c := range n.children {
		if c.name.Local == local {
			return c
		}
	}
	return nil
}

func (n *node) all(local string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	for _, c := range n.children {
		if c.name.Local == local {
			out = append(out, c)
		}
	}
	return out
}

// path follows child names separated by "/".
func (n *node) path(p string) *node {
	for _, part := range strings.Split(p, "/") {
		n = n.child(part)
	}
	return n
}

// value is the element's text, whitespace-normalised ("" for a nil node).
func (n *node) value() string {
	if n == nil {
		return ""
	}
	return strings.Join(strings.Fields(n.text), " ")
}

func (n *node) attr(local string) (string, bool) {
	if n == nil {
		return "", false
	}
	for _, a := range n.attrs {
		if a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// walk visits n and every descendant.
func (n *node) walk(fn func(n *node, path []string)) {
	var rec func(n *node, path []string)
	rec = func(n *node, path []string) {
		path = append(path, n.name.Local)
		fn(n, path)
		for _, c := range n.children {
			rec(c, path)
		}
	}
	rec(n, nil)
}

type checker struct {
	root     *node
	credit   bool
	currency string
	vs       []Violation
}

func (c *checker) add(rule, format string, args ...any) {
	c.vs = append(c.vs, Violation{Rule: rule, Message: fmt.Sprintf(format, args...)})
}

// num reads a decimal element; absent is ok=false with no violation, a
// malformed value is reported under rule.
func (c *checker) num(rule string, n *node, what string) (money.Decimal, bool) {
	if n == nil {
		return money.Zero, false
	}
	d, err := money.Parse(n.value())
	if err != nil {
		c.add(rule, "%s is %q, not a decimal number", what, n.value())
		return money.Zero, false
	}
	return d, true
}

// numOr reads an optional decimal, zero when absent.
func (c *checker) numOr(rule string, n *node, what string) money.Decimal {
	d, _ := c.num(rule, n, what)
	return d
}

func (c *checker) run() {
	r := c.root
	switch {
	case r.name.Local == "Invoice" && r.name.Space == nsInvoice:
	case r.name.Local == "CreditNote" && r.name.Space == nsCreditNote:
		c.credit = true
	default:
		c.add("UBL-ROOT", "root element is {%s}%s, not a UBL 2.1 Invoice or CreditNote", r.name.Space, r.name.Local)
		return
	}
	c.currency = r.child("DocumentCurrencyCode").value()
	if !peppolCurrencies[c.currency] {
		c.add("PEPPOL-EN16931-CL007", "document currency %q is not in the ISO 4217 code list Peppol accepts", c.currency)
	}
	c.document()
	c.emptyElements()
	c.parties()
	c.currencies()
	c.decimals()
	c.lines()
	c.totals()
	c.breakdown()
}

// peppolCurrencies is the ISO 4217 list of the Peppol schematron
// (PEPPOL-EN16931-CL007, BIS 3.0.21). It lags ISO by a release or two: a
// code ISO has just added (XAD) is refused until Peppol lists it.
var peppolCurrencies = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(`
		AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
		CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP
		GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
		KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN
		MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD
		SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX
		USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XDR XOF XPD XPF XPT
		XSU XTS XUA YER ZAR ZMW ZWG XXX CNH XCG`) {
		m[c] = true
	}
	return m
}()

// approvedProfiles are the business processes PEPPOL-EN16931-R007 accepts.
var approvedProfiles = map[string]bool{
	ProfileID:                                 true,
	"urn:peppol:france:billing:regulated":     true,
	"urn:peppol:france:billing:non-regulated": true,
	"urn:peppol:bis:billing_with_response":    true,
}

// document: R001, R007, R003, R004, R053.
func (c *checker) document() {
	r := c.root
	switch p := r.child("ProfileID"); {
	case p == nil:
		c.add("PEPPOL-EN16931-R001", "business process (cbc:ProfileID) is missing")
	case !approvedProfiles[p.value()]:
		c.add("PEPPOL-EN16931-R007", "business process is %q, not an approved one such as %q", p.value(), ProfileID)
	}
	if r.child("BuyerReference").value() == "" && r.path("OrderReference/ID").value() == "" {
		c.add("PEPPOL-EN16931-R003", "neither a buyer reference (BT-10) nor a purchase order reference (BT-13) is given")
	}
	if cid := r.child("CustomizationID").value(); !strings.HasPrefix(cid, CustomizationID) || strings.Contains(cid, "::") {
		c.add("PEPPOL-EN16931-R004", "specification identifier is %q; it must begin with %q", cid, CustomizationID)
	}
	n := 0
	for _, tt := range r.all("TaxTotal") {
		if tt.child("TaxSubtotal") != nil {
			n++
		}
	}
	if n != 1 {
		c.add("PEPPOL-EN16931-R053", "%d tax totals with tax subtotals, exactly 1 required", n)
	}
}

// emptyElements: PEPPOL-EN16931-R008.
func (c *checker) emptyElements() {
	c.root.walk(func(n *node, path []string) {
		if len(n.children) == 0 && strings.TrimSpace(n.text) == "" {
			c.add("PEPPOL-EN16931-R008", "empty element %s", strings.Join(path, "/"))
		}
	})
}

// parties: R010, R020, EAS, identifier formats, BR-09, BR-11, BR-CO-09,
// BR-CO-26.
func (c *checker) parties() {
	for _, p := range []struct {
		path, who, endpointRule, countryRule string
	}{
		{"AccountingSupplierParty/Party", "seller", "PEPPOL-EN16931-R020", "BR-09"},
		{"AccountingCustomerParty/Party", "buyer", "PEPPOL-EN16931-R010", "BR-11"},
	} {
		party := c.root.path(p.path)
		ep := party.child("EndpointID")
		if ep == nil {
			c.add(p.endpointRule, "%s electronic address (cbc:EndpointID) is missing", p.who)
		} else if s, _ := ep.attr("schemeID"); !IsEAS(s) {
			c.add("PEPPOL-EN16931-CL008", "%s electronic address scheme %q is not in the EAS code list", p.who, s)
		}
		if party.path("PostalAddress/Country/IdentificationCode").value() == "" {
			c.add(p.countryRule, "%s country code is missing", p.who)
		}
		for _, pts := range party.all("PartyTaxScheme") {
			if pts.path("TaxScheme/ID").value() != "VAT" {
				continue
			}
			id := pts.child("CompanyID").value()
			if len(id) < 2 || !validVATPrefix(id[:2]) {
				c.add("BR-CO-09", "%s VAT identifier %q does not start with an ISO 3166-1 alpha-2 country prefix", p.who, id)
			}
		}
		if p.who == "seller" && c.sellerVAT() == "" && party.path("PartyIdentification/ID") == nil && party.path("PartyLegalEntity/CompanyID") == nil {
			c.add("BR-CO-26", "the seller has no VAT identifier (BT-31), seller identifier (BT-29) or legal registration identifier (BT-30)")
		}
	}
	// Identifier formats wherever Peppol checks them.
	c.root.walk(func(n *node, path []string) {
		local := n.name.Local
		parent := ""
		if len(path) > 1 {
			parent = path[len(path)-2]
		}
		if local != "EndpointID" && local != "CompanyID" && !(local == "ID" && parent == "PartyIdentification") {
			return
		}
		s, _ := n.attr("schemeID")
		if chk, ok := icdChecks[s]; ok && !chk.valid(n.value()) {
			c.add(chk.rule, "%s %s:%s is not %s", strings.Join(path, "/"), s, n.value(), chk.what)
		}
	})
}

// sellerVAT is the seller's VAT identifier, "" when none.
func (c *checker) sellerVAT() string {
	for _, pts := range c.root.path("AccountingSupplierParty/Party").all("PartyTaxScheme") {
		if pts.path("TaxScheme/ID").value() == "VAT" {
			return pts.child("CompanyID").value()
		}
	}
	return ""
}

// currencyElements are the amounts whose currencyID must be the document
// currency (PEPPOL-EN16931-R051).
var currencyElements = map[string]bool{
	"Amount": true, "BaseAmount": true, "PriceAmount": true, "TaxAmount": true, "TaxableAmount": true,
	"LineExtensionAmount": true, "TaxExclusiveAmount": true, "TaxInclusiveAmount": true, "AllowanceTotalAmount": true,
	"ChargeTotalAmount": true, "PrepaidAmount": true, "PayableRoundingAmount": true, "PayableAmount": true,
}

func (c *checker) currencies() {
	c.root.walk(func(n *node, path []string) {
		if !currencyElements[n.name.Local] {
			return
		}
		// BT-111 (a TaxTotal without subtotals) may be in the accounting currency.
		if n.name.Local == "TaxAmount" && len(path) >= 2 && path[len(path)-2] == "TaxTotal" && len(path) == 3 {
			if tt := c.taxTotalOf(n); tt != nil && tt.child("TaxSubtotal") == nil {
				return
			}
		}
		if cur, _ := n.attr("currencyID"); cur != c.currency {
			c.add("PEPPOL-EN16931-R051", "%s has currencyID %q, the document currency is %q", strings.Join(path, "/"), cur, c.currency)
		}
	})
}

// taxTotalOf finds the document-level TaxTotal holding amount n.
func (c *checker) taxTotalOf(n *node) *node {
	for _, tt := range c.root.all("TaxTotal") {
		if tt.child("TaxAmount") == n {
			return tt
		}
	}
	return nil
}

// decimals: BR-DEC-*, at most two decimals in the amounts EN 16931 limits.
func (c *checker) decimals() {
	check := func(rule string, n *node, what string) {
		if n == nil {
			return
		}
		v := n.value()
		if i := strings.IndexByte(v, '.'); i >= 0 && len(v)-i-1 > 2 {
			c.add(rule, "%s %s has more than 2 decimals", what, v)
		}
	}
	r := c.root
	for _, ac := range r.all("AllowanceCharge") {
		if ac.child("ChargeIndicator").value() == "true" {
			check("BR-DEC-05", ac.child("Amount"), "document level charge amount (BT-99)")
			check("BR-DEC-06", ac.child("BaseAmount"), "document level charge base amount (BT-100)")
		} else {
			check("BR-DEC-01", ac.child("Amount"), "document level allowance amount (BT-92)")
			check("BR-DEC-02", ac.child("BaseAmount"), "document level allowance base amount (BT-93)")
		}
	}
	t := r.child("LegalMonetaryTotal")
	check("BR-DEC-09", t.child("LineExtensionAmount"), "sum of line net amounts (BT-106)")
	check("BR-DEC-10", t.child("AllowanceTotalAmount"), "sum of allowances (BT-107)")
	check("BR-DEC-11", t.child("ChargeTotalAmount"), "sum of charges (BT-108)")
	check("BR-DEC-12", t.child("TaxExclusiveAmount"), "total without VAT (BT-109)")
	check("BR-DEC-14", t.child("TaxInclusiveAmount"), "total with VAT (BT-112)")
	check("BR-DEC-16", t.child("PrepaidAmount"), "paid amount (BT-113)")
	check("BR-DEC-17", t.child("PayableRoundingAmount"), "rounding amount (BT-114)")
	check("BR-DEC-18", t.child("PayableAmount"), "amount due (BT-115)")
	for _, tt := range r.all("TaxTotal") {
		check("BR-DEC-13", tt.child("TaxAmount"), "total VAT amount (BT-110)")
		for _, st := range tt.all("TaxSubtotal") {
			check("BR-DEC-19", st.child("TaxableAmount"), "VAT category taxable amount (BT-116)")
			check("BR-DEC-20", st.child("TaxAmount"), "VAT category tax amount (BT-117)")
		}
	}
	for _, l := range c.lineNodes() {
		check("BR-DEC-23", l.child("LineExtensionAmount"), "line net amount (BT-131)")
	}
}

func (c *checker) lineNodes() []*node {
	if c.credit {
		return c.root.all("CreditNoteLine")
	}
	return c.root.all("InvoiceLine")
}

var (
	hundred = money.MustParse("100")
	slack   = money.MustParse("0.02")
)

func round2(d money.Decimal) money.Decimal { return d.Round(2) }

// lines: PEPPOL-EN16931-R120, line net = quantity x net price / base
// quantity + charges - allowances, within 0.02.
func (c *checker) lines() {
	qtyName := "InvoicedQuantity"
	if c.credit {
		qtyName = "CreditedQuantity"
	}
	for _, l := range c.lineNodes() {
		id := l.child("ID").value()
		net := c.numOr("PEPPOL-EN16931-R120", l.child("LineExtensionAmount"), "line "+id+" net amount")
		qty := money.MustParse("1")
		if q, ok := c.num("PEPPOL-EN16931-R120", l.child(qtyName), "line "+id+" quantity"); ok {
			qty = q
		}
		price := c.numOr("PEPPOL-EN16931-R120", l.path("Price/PriceAmount"), "line "+id+" price")
		base := money.MustParse("1")
		if b, ok := c.num("PEPPOL-EN16931-R120", l.path("Price/BaseQuantity"), "line "+id+" base quantity"); ok && !b.IsZero() {
			base = b
		}
		charges, allowances := money.Zero, money.Zero
		for _, ac := range l.all("AllowanceCharge") {
			a := c.numOr("PEPPOL-EN16931-R120", ac.child("Amount"), "line "+id+" allowance/charge amount")
			if ac.child("ChargeIndicator").value() == "true" {
				charges = charges.Add(a)
			} else {
				allowances = allowances.Add(a)
			}
		}
		want := qty.Mul(price.Div(base)).Add(round2(charges)).Sub(round2(allowances))
		if net.Sub(want).Abs().GreaterThan(slack) {
			c.add("PEPPOL-EN16931-R120", "line %s net amount is %s but quantity %s x price %s / base quantity %s + charges %s - allowances %s is %s",
				id, net.String(), qty.String(), price.String(), base.String(), charges.String(), allowances.String(), want.String())
		}
	}
}

// totals: BR-CO-10, BR-CO-13, BR-CO-14, BR-CO-15, BR-CO-16.
func (c *checker) totals() {
	r := c.root
	t := r.child("LegalMonetaryTotal")
	if t == nil {
		c.add("BR-12", "the document has no monetary totals (cac:LegalMonetaryTotal)")
		return
	}
	sumLines := money.Zero
	for _, l := range c.lineNodes() {
		sumLines = sumLines.Add(c.numOr("BR-CO-10", l.child("LineExtensionAmount"), "line net amount"))
	}
	lineExt := c.numOr("BR-CO-10", t.child("LineExtensionAmount"), "sum of line net amounts (BT-106)")
	if !lineExt.Equal(round2(sumLines)) {
		c.add("BR-CO-10", "sum of line net amounts (BT-106) is %s but the lines add up to %s", lineExt.String(), round2(sumLines).String())
	}
	charges := c.numOr("BR-CO-13", t.child("ChargeTotalAmount"), "sum of charges (BT-108)")
	allowances := c.numOr("BR-CO-13", t.child("AllowanceTotalAmount"), "sum of allowances (BT-107)")
	taxExcl := c.numOr("BR-CO-13", t.child("TaxExclusiveAmount"), "total without VAT (BT-109)")
	if want := round2(lineExt.Add(charges).Sub(allowances)); !taxExcl.Equal(want) {
		c.add("BR-CO-13", "total without VAT (BT-109) is %s but line total %s + charges %s - allowances %s is %s",
			taxExcl.String(), lineExt.String(), charges.String(), allowances.String(), want.String())
	}
	var docTax []money.Decimal
	for _, tt := range r.all("TaxTotal") {
		amt := tt.child("TaxAmount")
		if cur, _ := amt.attr("currencyID"); amt != nil && cur == c.currency {
			docTax = append(docTax, c.numOr("BR-CO-15", amt, "total VAT amount (BT-110)"))
		}
		if tt.child("TaxSubtotal") == nil {
			continue
		}
		sum := money.Zero
		for _, st := range tt.all("TaxSubtotal") {
			sum = sum.Add(c.numOr("BR-CO-14", st.child("TaxAmount"), "VAT category tax amount (BT-117)"))
		}
		if got := c.numOr("BR-CO-14", amt, "total VAT amount (BT-110)"); !got.Equal(round2(sum)) {
			c.add("BR-CO-14", "total VAT amount (BT-110) is %s but the VAT categories add up to %s", got.String(), round2(sum).String())
		}
	}
	taxIncl := c.numOr("BR-CO-15", t.child("TaxInclusiveAmount"), "total with VAT (BT-112)")
	if len(docTax) != 1 {
		c.add("BR-CO-15", "%d total VAT amounts in the document currency %q, exactly 1 required", len(docTax), c.currency)
	} else if want := round2(taxExcl.Add(docTax[0])); !taxIncl.Equal(want) {
		c.add("BR-CO-15", "total with VAT (BT-112) is %s but total without VAT %s + VAT %s is %s", taxIncl.String(), taxExcl.String(), docTax[0].String(), want.String())
	}
	prepaid := c.numOr("BR-CO-16", t.child("PrepaidAmount"), "paid amount (BT-113)")
	rounding := c.numOr("BR-CO-16", t.child("PayableRoundingAmount"), "rounding amount (BT-114)")
	payable := c.numOr("BR-CO-16", t.child("PayableAmount"), "amount due (BT-115)")
	if want := round2(taxIncl.Sub(prepaid).Add(rounding)); !payable.Equal(want) {
		c.add("BR-CO-16", "amount due (BT-115) is %s but total with VAT %s - paid %s + rounding %s is %s",
			payable.String(), taxIncl.String(), prepaid.String(), rounding.String(), want.String())
	}
}

// category is a VAT category code with its rate ("" when none).
type category struct{ id, percent string }

func (c *checker) categoryOf(n *node) (category, money.Decimal) {
	cat := category{id: n.child("ID").value()}
	rate := money.Zero
	if p := n.child("Percent"); p != nil {
		rate = c.numOr("BR-CO-17", p, "VAT category rate")
		cat.percent = rate.String()
	}
	return cat, rate
}

// breakdown: BR-CO-17, BR-S-08 (and the Z, E, O versions), BR-S-09,
// BR-E-10, BR-O-10, and the seller identifiers the categories need
// (BR-S-02, BR-Z-02, BR-E-02, BR-O-02).
func (c *checker) breakdown() {
	r := c.root
	// What the lines and document-level allowances/charges put in each category.
	base := map[category]money.Decimal{}
	used := map[string]bool{}
	for _, l := range c.lineNodes() {
		cat, _ := c.categoryOf(l.path("Item/ClassifiedTaxCategory"))
		used[cat.id] = true
		base[cat] = base[cat].Add(c.numOr("BR-S-08", l.child("LineExtensionAmount"), "line net amount"))
	}
	for _, ac := range r.all("AllowanceCharge") {
		cat, _ := c.categoryOf(ac.child("TaxCategory"))
		used[cat.id] = true
		a := c.numOr("BR-S-08", ac.child("Amount"), "allowance/charge amount")
		if ac.child("ChargeIndicator").value() != "true" {
			a = a.Neg()
		}
		base[cat] = base[cat].Add(a)
	}
	for _, tt := range r.all("TaxTotal") {
		for _, st := range tt.all("TaxSubtotal") {
			tc := st.child("TaxCategory")
			cat, rate := c.categoryOf(tc)
			taxable := c.numOr("BR-CO-17", st.child("TaxableAmount"), "VAT category taxable amount (BT-116)")
			tax := c.numOr("BR-CO-17", st.child("TaxAmount"), "VAT category tax amount (BT-117)")
			want := round2(taxable.Mul(rate).Div(hundred))
			if !tax.Equal(want) {
				c.add("BR-CO-17", "VAT category %s at %s%%: tax amount is %s but taxable amount %s x rate is %s", cat.id, rate.String(), tax.String(), taxable.String(), want.String())
				if cat.id == "S" {
					c.add("BR-S-09", "standard rated VAT at %s%%: tax amount is %s but taxable amount %s x rate is %s", rate.String(), tax.String(), taxable.String(), want.String())
				}
			}
			switch cat.id {
			case "S", "Z", "E", "O":
				if b := base[cat]; !taxable.Equal(b) {
					c.add("BR-"+cat.id+"-08", "VAT category %s%s: taxable amount is %s but its lines, charges and allowances add up to %s", cat.id, pct(cat), taxable.String(), b.String())
				}
			}
			hasReason := tc.child("TaxExemptionReason") != nil || tc.child("TaxExemptionReasonCode") != nil
			switch {
			case cat.id == "E" && !hasReason:
				c.add("BR-E-10", "the exempt (E) VAT breakdown has no exemption reason text or code")
			case cat.id == "O" && !hasReason:
				c.add("BR-O-10", "the not subject to VAT (O) breakdown has no exemption reason text or code")
			}
		}
	}
	sellerTaxID := false
	for _, pts := range r.path("AccountingSupplierParty/Party").all("PartyTaxScheme") {
		if pts.child("CompanyID").value() != "" {
			sellerTaxID = true
		}
	}
	ids := make([]string, 0, len(used))
	for id := range used {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		switch id {
		case "S", "Z", "E":
			if !sellerTaxID {
				c.add("BR-"+id+"-02", "lines in VAT category %s need the seller's VAT identifier (BT-31) or tax registration identifier (BT-32)", id)
			}
		case "O":
			for _, who := range []string{"AccountingSupplierParty", "AccountingCustomerParty"} {
				for _, pts := range r.path(who + "/Party").all("PartyTaxScheme") {
					if pts.path("TaxScheme/ID").value() == "VAT" {
						c.add("BR-O-02", "lines not subject to VAT (O) forbid the VAT identifier %q of %s", pts.child("CompanyID").value(), who)
					}
				}
			}
		}
	}
}

func pct(cat category) string {
	if cat.percent == "" {
		return ""
	}
	return " at " + cat.percent + "%"
}
