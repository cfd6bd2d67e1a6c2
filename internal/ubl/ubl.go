// Package ubl turns an e-document (invoicing.EDocument) into the UBL 2.1
// Invoice (type code 380) or CreditNote (381) that Peppol BIS Billing 3.0
// prescribes, and carries vatgate's own checks of the EN 16931 and Peppol
// rules that output relies on (Check). It is pure: no I/O, no clock, no
// lookups; the caller resolves the Peppol participant ids first (Parties).
//
// # What goes where
//
//   - BT-1 number, BT-2 created date, BT-5 currency; BT-9 due date is
//     cbc:DueDate on an invoice and cac:PaymentMeans/cbc:PaymentDueDate on a
//     credit note (UBL 2.1 CreditNote has no cbc:DueDate; the CEN binding
//     puts BT-9 there, and UBL-CR-412 allows it only on credit notes). The
//     payment means code is then 1, "instrument not defined": e-documents
//     carry no payment instructions and vatgate does not invent them.
//   - BT-10 buyer reference is recipient_reference. When there is none,
//     PEPPOL-EN16931-R003 still wants a buyer or purchase order reference;
//     vatgate writes BuyerReference "N/A" rather than the document number as
//     an OrderReference, because BT-13 is by definition the buyer's own
//     purchase order number: inventing one would misroute the document in
//     the buyer's purchase-to-pay matching, an explicit "N/A" does not.
//   - Parties: EndpointID from the resolved participant id, PartyName and
//     PartyLegalEntity/RegistrationName from the name, the postal address,
//     and the country as alpha-2 (BT-40/BT-55 are mandatory). When the
//     country is not given it is read from the prefix of a VAT-number tax
//     number, else from the participant id's scheme (0192 Norway, 9930
//     Germany, ...), else the document is refused naming the field.
//   - Tax numbers: a tax number that is a VAT number becomes the VAT
//     identifier (BT-31/BT-48) with its ISO prefix (BR-CO-09). In the EU,
//     the UK and Norway the prefix is added when missing, but only when the
//     number has that country's VAT shape (DE and 9 digits, NL and
//     9 digits B 2 digits, ...): a number without the shape (a German
//     Steuernummer, a typo) is not a VAT identifier, and dressing it up as
//     one would put a false statement on a legal document. Such a supplier
//     number is refused, such a customer number is left out (BT-48 is
//     optional). Elsewhere an unprefixed supplier tax number is the
//     seller's tax registration identifier (BT-32, TaxScheme "TAX").
//     Without a tax number, a VAT-number participant id (99xx, 0211) is the
//     VAT identifier. A participant id of a national register of the
//     party's own country (0192, 0007, 0184, 0208, ...) is also written as
//     the legal registration identifier (BT-30/BT-47).
//
// # VAT categories
//
//   - Taxable lines are category S at the document's rate, or Z (zero
//     rated) when the rate is 0.
//   - Non-taxable lines are category E (exempt) with the exemption reason
//     text "Exempt from VAT" and no reason code (BR-E-10 accepts either).
//     Every VATEX code names a legal basis (an article of the VAT
//     directive, a margin scheme, ...) that the request does not state;
//     VATEX-EU-O is for category O only (PEPPOL-EN16931-P0105). O itself
//     cannot be used for such lines: it may not be mixed with other
//     categories and forbids the seller's VAT identifier (BR-O-02, BR-O-11).
//   - S, Z and E all need the seller's VAT identifier or tax registration
//     identifier (BR-S-02, BR-Z-02, BR-E-02); without one the document is
//     refused naming supplier_tax_number.
//
// # US sales tax
//
// EN 16931 and BIS 3.0 model VAT only. A document whose supplier or
// customer is in the USA (the domain's sales_tax_invoice rule, applied to
// credit notes too and to a country derived from the participant id, where
// EDocument.Type reads only the given country) puts every line in category O, "not subject to VAT"
// (TaxExemptionReasonCode VATEX-EU-O), which is the truth about VAT, and
// carries the sales tax the way EN 16931 carries any tax that is not VAT: as
// a document-level charge ("Sales tax", base amount and percentage given,
// category O). The VAT total is 0, the charge is in ChargeTotalAmount and
// TaxExclusiveAmount, and PayableAmount is the document's total. Category O
// forbids VAT identifiers on both parties (BR-O-02), so none are written; a
// supplier outside the EU, the UK and Norway keeps its tax number as BT-32.
//
// # Refused documents
//
// Some national Peppol rules need data e-documents do not carry. Generate
// refuses, naming the rule, rather than sending a document the receiving
// access point would reject: supplier and customer both in Germany (seller
// contact name, phone and e-mail, DE-R-002, and payment instructions,
// DE-R-001); a Greek supplier (myDATA MARK number and invoice id format,
// GR-R-001, GR-R-004); a Dutch supplier's credit note (reference to the
// corrected invoice, NL-R-001); a Danish supplier without a CVR number
// (DK-R-002); an Icelandic supplier (or buyer, between Icelandic parties)
// without a 0196 kennitala participant id (IS-R-002, IS-R-004); a Swedish
// VAT-registered supplier at a rate other than 25, 12 or 6 percent
// (SE-R-006); a Norwegian VAT number whose organisation number fails mod 11
// (NO-R-001); a currency ISO lists but Peppol does not yet (CL007, e.g.
// XAD). A Dutch supplier's invoice gets payment means code 1 (57,
// "standing agreement", between Dutch parties, NL-R-008) since NL-R-007
// wants payment means on every invoice.
//
// # Amounts
//
// Amounts are exact decimals written with the currency's minor units (two
// for EUR, none for JPY), never fewer digits than the value needs and never
// more than the two EN 16931 allows (BR-DEC-*; amounts reach this package
// with at most two decimals). Line net amounts are quantity x unit price
// rounded to the cent, as the domain computed and checked them; quantities
// and unit prices are written exactly as given, the unit is C62 ("one").
//
// # Why encoding/xml by hand
//
// The XML is written from the structs in model.go with encoding/xml. The
// maintained Go UBL library we found, github.com/invopop/gobl.ubl, converts from
// GOBL's own invoice model and tax regimes: using it would mean a second
// domain model, its own recalculation of totals (ours are fixed at
// ingestion and must be emitted exactly), and a large dependency tree, for a
// document of some thirty elements.
//
// Check re-reads a document with encoding/xml and applies vatgate's own Go
// versions of the rules its output relies on; CI cannot run the official
// artefacts, so these checks are what CI has. Generate runs Check on its own
// output and never returns a document that fails it.
//
// data/eas.tsv is the EAS code list of the Peppol schematron, annotated with
// each scheme's country and whether its identifiers are VAT or legal
// registration numbers. internal/peppol keeps the same code list for
// participant resolution; ubl keeps its own copy so that it stays pure and
// independent of the transport side. Update both together.
package ubl

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/iso"
	"github.com/vatgate/vatgate/internal/money"
)

// Identifiers of the specification and the business process (BT-24, BT-23).
const (
	CustomizationID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
	ProfileID       = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
)

// Codes vatgate writes.
const (
	invoiceTypeCode    = "380"
	creditNoteTypeCode = "381"
	unitCodeOne        = "C62"
	noBuyerReference   = "N/A"
	paymentMeansNone   = "1"  // UNCL 4461: instrument not defined
	paymentMeansAgreed = "57" // UNCL 4461: standing agreement
	exemptReason       = "Exempt from VAT"
	notSubjectReason   = "Not subject to VAT"
	notSubjectCode     = "VATEX-EU-O"
	salesTaxReason     = "Sales tax"
)

// Endpoint is a resolved Peppol participant id (scheme = EAS code, e.g. "0192").
type Endpoint struct{ Scheme, ID string }

// Parties are the resolved participant ids of an e-document's supplier and
// customer.
type Parties struct{ Supplier, Customer Endpoint }

// InputError tells that an e-document cannot become a Peppol BIS document
// as it stands: a value BIS needs is missing or one it forbids is present.
// The remedy is in the data, not in this package.
type InputError struct {
	Field  string // the request field to fix, e.g. "supplier_tax_number"
	Reason string
}

func (e *InputError) Error() string { return e.Field + ": " + e.Reason }

func inputErr(field, format string, args ...any) *InputError {
	return &InputError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// CheckError tells that a generated document violates vatgate's rule
// checks: a bug in this package, never a document to send.
type CheckError struct{ Violations []Violation }

func (e *CheckError) Error() string {
	var b strings.Builder
	b.WriteString("ubl: generated document violates ")
	for i, v := range e.Violations {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(v.Rule + " (" + v.Message + ")")
	}
	return b.String()
}

// Generate renders doc as a UBL 2.1 Invoice (type code 380) or CreditNote
// (381) conforming to Peppol BIS Billing 3.0. Errors are *InputError when the
// e-document lacks what BIS needs, *CheckError when the output fails Check.
func Generate(doc invoicing.EDocument, p Parties) ([]byte, error) {
	x, err := build(doc, p)
	if err != nil {
		return nil, err
	}
	return render(x)
}

// render writes x and runs Check on the result.
func render(x *xDocument) ([]byte, error) {
	out, err := xml.MarshalIndent(x, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("ubl: marshal: %w", err)
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	buf.Write(out)
	buf.WriteByte('\n')
	if vs := Check(buf.Bytes()); len(vs) > 0 {
		return nil, &CheckError{Violations: vs}
	}
	return buf.Bytes(), nil
}

// build maps doc onto the UBL structure.
func build(doc invoicing.EDocument, p Parties) (*xDocument, error) {
	credit := doc.Kind == invoicing.KindCreditNote
	number := strings.TrimSpace(doc.Number)
	if number == "" {
		return nil, inputErr(doc.Kind.NumberField(), "is required (BT-1)")
	}
	if doc.CreatedDate.IsZero() || !doc.CreatedDate.IsValid() {
		return nil, inputErr("created_date", "is required (BT-2)")
	}
	cur, ok := iso.CurrencyByCode(doc.Currency)
	if !ok || cur.MinorUnits < 0 {
		return nil, inputErr("currency", "%q is not an ISO 4217 currency an invoice can be paid in", doc.Currency)
	}
	if !peppolCurrencies[cur.Code] {
		return nil, inputErr("currency", "%q is not yet in the ISO 4217 code list Peppol BIS accepts (PEPPOL-EN16931-CL007)", cur.Code)
	}
	if len(doc.LineItems) == 0 {
		return nil, inputErr("line_items", "at least one item is required (BR-16)")
	}
	sums := invoicing.ComputeSums(doc.LineItems, doc.TaxRate)
	for _, c := range []struct {
		field     string
		got, want money.Decimal
	}{{"subtotal", doc.Subtotal, sums.Subtotal}, {"tax", doc.Tax, sums.Tax}, {"total", doc.Total, sums.Total}} {
		if !c.got.Equal(c.want) {
			return nil, inputErr(c.field, "is %s but the line items and tax_rate give %s (EN 16931 BR-CO-10, BR-S-09, BR-CO-15)", c.got.String(), c.want.String())
		}
	}
	sup, ierr := resolveParty("supplier", doc.Supplier, p.Supplier)
	if ierr != nil {
		return nil, ierr
	}
	cus, ierr := resolveParty("customer", doc.Customer, p.Customer)
	if ierr != nil {
		return nil, ierr
	}
	salesTax := sup.country == "US" || cus.country == "US"

	f := formatter{currency: cur.Code, minor: min(cur.MinorUnits, 2)}
	x := &xDocument{
		XMLName:              xml.Name{Local: "Invoice"},
		Xmlns:                nsInvoice,
		XmlnsCAC:             nsCAC,
		XmlnsCBC:             nsCBC,
		CustomizationID:      CustomizationID,
		ProfileID:            ProfileID,
		ID:                   number,
		IssueDate:            doc.CreatedDate.String(),
		DocumentCurrencyCode: cur.Code,
		BuyerReference:       strings.TrimSpace(doc.RecipientReference),
	}
	if x.BuyerReference == "" {
		x.BuyerReference = noBuyerReference
	}
	if credit {
		x.XMLName.Local, x.Xmlns = "CreditNote", nsCreditNote
		x.CreditNoteTypeCode = creditNoteTypeCode
		if doc.HasDueDate() {
			x.PaymentMeans = &xPaymentMeans{PaymentMeansCode: paymentMeansNone, PaymentDueDate: doc.DueDate.String()}
		}
	} else {
		x.InvoiceTypeCode = invoiceTypeCode
		if doc.HasDueDate() {
			x.DueDate = doc.DueDate.String()
		}
	}

	// Tax identifiers per the category rules (package comment).
	var supTaxScheme, cusTaxScheme *xPartyTaxScheme
	localTax := func(pt party) string { // BT-32 candidate
		if pt.taxNumber == "" || hasVATFormat(pt.country) {
			return ""
		}
		if pt.vat != "" && !pt.vatFromEndpoint {
			return pt.vat
		}
		return pt.taxRaw
	}
	if salesTax {
		if t := localTax(sup); t != "" {
			supTaxScheme = &xPartyTaxScheme{CompanyID: t, TaxScheme: xTaxScheme{ID: "TAX"}}
		}
	} else {
		switch {
		case sup.vat != "":
			supTaxScheme = &xPartyTaxScheme{CompanyID: sup.vat, TaxScheme: xTaxScheme{ID: "VAT"}}
		case localTax(sup) != "":
			supTaxScheme = &xPartyTaxScheme{CompanyID: localTax(sup), TaxScheme: xTaxScheme{ID: "TAX"}}
		case sup.taxNumber != "":
			return nil, inputErr("supplier_tax_number", "%q is not a VAT number of %s (expected the shape of e.g. %s); a Peppol BIS document with VAT lines needs the seller's VAT identifier (BR-S-02, BR-CO-09)",
				sup.taxNumber, sup.country, vatExample(sup.country))
		default:
			return nil, inputErr("supplier_tax_number", "is required: a Peppol BIS document with VAT lines needs the seller's VAT identifier (BR-S-02, BR-Z-02, BR-E-02), and the participant id %s:%s is not a VAT number",
				sup.endpoint.Scheme, sup.endpoint.ID)
		}
		if cus.vat != "" {
			cusTaxScheme = &xPartyTaxScheme{CompanyID: cus.vat, TaxScheme: xTaxScheme{ID: "VAT"}}
		}
	}
	if ierr := national(doc, &sup, &cus, supTaxScheme, salesTax); ierr != nil {
		return nil, ierr
	}
	if !credit && sup.country == "NL" && doc.Total.IsPositive() {
		code := paymentMeansNone
		if cus.country == "NL" {
			code = paymentMeansAgreed
		}
		x.PaymentMeans = &xPaymentMeans{PaymentMeansCode: code}
	}
	x.Supplier.Party = xmlParty(sup, supTaxScheme, true)
	x.Customer.Party = xmlParty(cus, cusTaxScheme, false)

	// Categories, lines and the VAT breakdown.
	lineCat := func(li invoicing.LineItem) xTaxCategory {
		switch {
		case salesTax:
			return xTaxCategory{ID: "O", TaxScheme: xTaxScheme{ID: "VAT"}}
		case !li.Taxable:
			return xTaxCategory{ID: "E", Percent: "0", TaxScheme: xTaxScheme{ID: "VAT"}}
		case doc.TaxRate.IsZero():
			return xTaxCategory{ID: "Z", Percent: "0", TaxScheme: xTaxScheme{ID: "VAT"}}
		default:
			return xTaxCategory{ID: "S", Percent: doc.TaxRate.String(), TaxScheme: xTaxScheme{ID: "VAT"}}
		}
	}
	for i, li := range doc.LineItems {
		name := strings.TrimSpace(li.Description)
		if name == "" {
			return nil, inputErr(fmt.Sprintf("line_items[%d].description", i), "is required (BT-153 item name)")
		}
		l := xLine{
			ID:                  fmt.Sprint(i + 1),
			LineExtensionAmount: f.amount(invoicing.LineNet(li)),
			Item:                xItem{Name: name, ClassifiedTaxCategory: lineCat(li)},
			Price:               xPrice{PriceAmount: f.price(li.UnitPrice)},
		}
		q := &xQuantity{UnitCode: unitCodeOne, Value: li.Quantity.String()}
		if credit {
			l.CreditedQuantity = q
			x.CreditNoteLines = append(x.CreditNoteLines, l)
		} else {
			l.InvoicedQuantity = q
			x.InvoiceLines = append(x.InvoiceLines, l)
		}
	}

	chargeTotal := money.Zero
	if salesTax {
		if doc.Tax.IsPositive() {
			base := f.amount(sums.TaxableBase)
			x.AllowanceCharges = append(x.AllowanceCharges, xAllowanceCharge{
				ChargeIndicator:         true,
				AllowanceChargeReason:   salesTaxReason,
				MultiplierFactorNumeric: doc.TaxRate.String(),
				Amount:                  f.amount(doc.Tax),
				BaseAmount:              &base,
				TaxCategory:             xTaxCategory{ID: "O", TaxScheme: xTaxScheme{ID: "VAT"}},
			})
			chargeTotal = doc.Tax
		}
		x.TaxTotal = xTaxTotal{
			TaxAmount: f.amount(money.Zero),
			TaxSubtotals: []xTaxSubtotal{{
				TaxableAmount: f.amount(doc.Subtotal.Add(chargeTotal)),
				TaxAmount:     f.amount(money.Zero),
				TaxCategory: xTaxCategory{ID: "O", TaxExemptionReasonCode: notSubjectCode, TaxExemptionReason: notSubjectReason,
					TaxScheme: xTaxScheme{ID: "VAT"}},
			}},
		}
	} else {
		x.TaxTotal.TaxAmount = f.amount(doc.Tax)
		if hasTaxable(doc.LineItems) {
			cat := lineCat(invoicing.LineItem{Taxable: true})
			x.TaxTotal.TaxSubtotals = append(x.TaxTotal.TaxSubtotals, xTaxSubtotal{
				TaxableAmount: f.amount(sums.TaxableBase),
				TaxAmount:     f.amount(doc.Tax),
				TaxCategory:   cat,
			})
		}
		if hasExempt(doc.LineItems) {
			cat := lineCat(invoicing.LineItem{Taxable: false})
			cat.TaxExemptionReason = exemptReason
			x.TaxTotal.TaxSubtotals = append(x.TaxTotal.TaxSubtotals, xTaxSubtotal{
				TaxableAmount: f.amount(sums.ExemptBase),
				TaxAmount:     f.amount(money.Zero),
				TaxCategory:   cat,
			})
		}
	}
	x.Totals = xMonetaryTotal{
		LineExtensionAmount: f.amount(doc.Subtotal),
		TaxExclusiveAmount:  f.amount(doc.Subtotal.Add(chargeTotal)),
		TaxInclusiveAmount:  f.amount(doc.Total),
		PayableAmount:       f.amount(doc.Total),
	}
	if salesTax && chargeTotal.IsPositive() {
		ct := f.amount(chargeTotal)
		x.Totals.ChargeTotalAmount = &ct
	}
	return x, nil
}

// xmlParty writes a resolved party. The supplier gets its participant id as
// seller identifier (BT-29) when it has neither a VAT identifier nor a legal
// registration identifier, so that the buyer can identify it (BR-CO-26).
func xmlParty(pt party, taxScheme *xPartyTaxScheme, supplier bool) xParty {
	x := xParty{
		EndpointID: xID{SchemeID: pt.endpoint.Scheme, Value: pt.endpoint.ID},
		PartyName:  xPartyName{Name: pt.name},
		PostalAddress: xAddress{
			StreetName: pt.street,
			CityName:   pt.city,
			PostalZone: pt.postal,
			Country:    xCountry{IdentificationCode: pt.country},
		},
		PartyTaxScheme:   taxScheme,
		PartyLegalEntity: xLegalEntity{RegistrationName: pt.name},
	}
	if pt.legal != "" {
		x.PartyLegalEntity.CompanyID = &xID{SchemeID: pt.legalScheme, Value: pt.legal}
	}
	if supplier && pt.legal == "" && (taxScheme == nil || taxScheme.TaxScheme.ID != "VAT") {
		id := xID{Value: pt.endpoint.ID}
		if strings.HasPrefix(pt.endpoint.Scheme, "0") { // ICD codes; 99xx are EAS-only (BR-CL-10)
			id.SchemeID = pt.endpoint.Scheme
		}
		x.PartyIdentification = &xIdentification{ID: id}
	}
	return x
}

// national applies the national Peppol rules that depend on data
// e-documents carry, and refuses what they cannot satisfy.
func national(doc invoicing.EDocument, sup, cus *party, supTax *xPartyTaxScheme, salesTax bool) *InputError {
	credit := doc.Kind == invoicing.KindCreditNote
	supVAT := ""
	if supTax != nil && supTax.TaxScheme.ID == "VAT" {
		supVAT = supTax.CompanyID
	}
	switch {
	case sup.country == "GR" || strings.HasPrefix(supVAT, "EL"):
		return inputErr("supplier_country", "Greek suppliers need a myDATA MARK number and the Greek invoice number format (GR-R-001, GR-R-004), which e-documents do not carry")
	case sup.country == "DE" && cus.country == "DE":
		return inputErr("customer_country", "between German parties Peppol requires the seller's contact name, telephone and e-mail (DE-R-002) and payment instructions (DE-R-001), which e-documents do not carry")
	case sup.country == "NL" && credit:
		return inputErr("supplier_country", "a Dutch supplier's credit note must reference the invoice it corrects (NL-R-001), which e-credit notes do not carry")
	}
	if sup.country == "DK" && sup.legal == "" {
		v := sup.vat
		if len(v) == 10 && strings.HasPrefix(v, "DK") && allDigits.MatchString(v[2:]) {
			sup.legal, sup.legalScheme = v[2:], "0184"
		} else {
			return inputErr("supplier_tax_number", "a Danish supplier must show its CVR number (DK-R-002): give the tax number as DK and 8 digits, or a 0184 participant id")
		}
	}
	if sup.country == "IS" && sup.legalScheme != "0196" {
		return inputErr("supplier_peppol_id", "an Icelandic supplier must show its kennitala (IS-R-002): use its 0196 participant id")
	}
	if sup.country == "IS" && cus.country == "IS" && cus.legalScheme != "0196" {
		return inputErr("customer_peppol_id", "between Icelandic parties the buyer's kennitala is required (IS-R-004): use its 0196 participant id")
	}
	if strings.HasPrefix(supVAT, "NO") && !mod11(supVAT[2:11]) {
		return inputErr("supplier_tax_number", "%q is not a valid Norwegian organisation number followed by MVA (NO-R-001)", supVAT)
	}
	if !salesTax && sup.country == "SE" && strings.HasPrefix(supVAT, "SE") && hasTaxable(doc.LineItems) && doc.TaxRate.IsPositive() {
		switch doc.TaxRate.String() {
		case "25", "12", "6":
		default:
			return inputErr("tax_rate", "Swedish suppliers charge VAT at 25, 12 or 6 percent only (SE-R-006), got %s", doc.TaxRate.String())
		}
	}
	return nil
}

func hasTaxable(lines []invoicing.LineItem) bool {
	for _, li := range lines {
		if li.Taxable {
			return true
		}
	}
	return false
}

func hasExempt(lines []invoicing.LineItem) bool {
	for _, li := range lines {
		if !li.Taxable {
			return true
		}
	}
	return false
}

// vatExample shows the shape of country's VAT identifiers.
func vatExample(country string) string {
	ex := map[string]string{
		"AT": "ATU12345678", "BE": "BE0123456749", "DE": "DE123456789", "DK": "DK12345678", "ES": "ESX1234567X",
		"FR": "FR12345678901", "GB": "GB123456789", "IT": "IT12345678901", "NL": "NL123456789B01", "NO": "NO123456785MVA",
		"SE": "SE123456789701", "EL": "EL123456789",
	}
	if e, ok := ex[vatPrefix(country)]; ok {
		return e
	}
	return vatPrefix(country) + " and the national number"
}

// formatter writes amounts of one currency.
type formatter struct {
	currency string
	minor    int // the currency's minor units, at most 2
}

// amount writes d with the currency's minor units, or more when d needs
// them (EN 16931 allows two: amounts never carry more here).
func (f formatter) amount(d money.Decimal) xAmount {
	places := max(f.minor, money.Places(d))
	return xAmount{CurrencyID: f.currency, Value: d.StringFixed(int32(places))}
}

// price writes a unit price exactly (BT-146 has no decimal limit).
func (f formatter) price(d money.Decimal) xAmount { return f.amount(d) }
