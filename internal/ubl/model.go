package ubl

import "encoding/xml"

// The UBL 2.1 elements vatgate writes, in the order the UBL XSD sequences
// demand. Names carry their namespace prefix literally ("cbc:ID"); the root
// declares the prefixes. One struct serves Invoice and CreditNote: the
// fields of the other kind stay empty and are omitted.

const (
	nsInvoice    = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
	nsCreditNote = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
	nsCAC        = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
	nsCBC        = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
)

type xDocument struct {
	XMLName              xml.Name
	Xmlns                string             `xml:"xmlns,attr"`
	XmlnsCAC             string             `xml:"xmlns:cac,attr"`
	XmlnsCBC             string             `xml:"xmlns:cbc,attr"`
	CustomizationID      string             `xml:"cbc:CustomizationID"`
	ProfileID            string             `xml:"cbc:ProfileID"`
	ID                   string             `xml:"cbc:ID"`
	IssueDate            string             `xml:"cbc:IssueDate"`
	DueDate              string             `xml:"cbc:DueDate,omitempty"`
	InvoiceTypeCode      string             `xml:"cbc:InvoiceTypeCode,omitempty"`
	CreditNoteTypeCode   string             `xml:"cbc:CreditNoteTypeCode,omitempty"`
	DocumentCurrencyCode string             `xml:"cbc:DocumentCurrencyCode"`
	BuyerReference       string             `xml:"cbc:BuyerReference"`
	Supplier             xPartyRole         `xml:"cac:AccountingSupplierParty"`
	Customer             xPartyRole         `xml:"cac:AccountingCustomerParty"`
	PaymentMeans         *xPaymentMeans     `xml:"cac:PaymentMeans,omitempty"`
	AllowanceCharges     []xAllowanceCharge `xml:"cac:AllowanceCharge"`
	TaxTotal             xTaxTotal          `xml:"cac:TaxTotal"`
	Totals               xMonetaryTotal     `xml:"cac:LegalMonetaryTotal"`
	InvoiceLines         []xLine            `xml:"cac:InvoiceLine"`
	CreditNoteLines      []xLine            `xml:"cac:CreditNoteLine"`
}

type xPartyRole struct {
	Party xParty `xml:"cac:Party"`
}

type xParty struct {
	EndpointID          xID              `xml:"cbc:EndpointID"`
	PartyIdentification *xIdentification `xml:"cac:PartyIdentification,omitempty"`
	PartyName           xPartyName       `xml:"cac:PartyName"`
	PostalAddress       xAddress         `xml:"cac:PostalAddress"`
	PartyTaxScheme      *xPartyTaxScheme `xml:"cac:PartyTaxScheme,omitempty"`
	PartyLegalEntity    xLegalEntity     `xml:"cac:PartyLegalEntity"`
}

type xID struct {
	SchemeID string `xml:"schemeID,attr,omitempty"`
	Value    string `xml:",chardata"`
}

type xIdentification struct {
	ID xID `xml:"cbc:ID"`
}

type xPartyName struct {
	Name string `xml:"cbc:Name"`
}

type xAddress struct {
	StreetName string   `xml:"cbc:StreetName"`
	CityName   string   `xml:"cbc:CityName"`
	PostalZone string   `xml:"cbc:PostalZone"`
	Country    xCountry `xml:"cac:Country"`
}

type xCountry struct {
	IdentificationCode string `xml:"cbc:IdentificationCode"`
}

type xPartyTaxScheme struct {
	CompanyID string     `xml:"cbc:CompanyID"`
	TaxScheme xTaxScheme `xml:"cac:TaxScheme"`
}

type xTaxScheme struct {
	ID string `xml:"cbc:ID"`
}

type xLegalEntity struct {
	RegistrationName string `xml:"cbc:RegistrationName"`
	CompanyID        *xID   `xml:"cbc:CompanyID,omitempty"`
}

type xPaymentMeans struct {
	PaymentMeansCode string `xml:"cbc:PaymentMeansCode"`
	PaymentDueDate   string `xml:"cbc:PaymentDueDate,omitempty"`
}

type xAllowanceCharge struct {
	ChargeIndicator         bool         `xml:"cbc:ChargeIndicator"`
	AllowanceChargeReason   string       `xml:"cbc:AllowanceChargeReason"`
	MultiplierFactorNumeric string       `xml:"cbc:MultiplierFactorNumeric,omitempty"`
	Amount                  xAmount      `xml:"cbc:Amount"`
	BaseAmount              *xAmount     `xml:"cbc:BaseAmount,omitempty"`
	TaxCategory             xTaxCategory `xml:"cac:TaxCategory"`
}

type xAmount struct {
	CurrencyID string `xml:"currencyID,attr"`
	Value      string `xml:",chardata"`
}

type xTaxTotal struct {
	TaxAmount    xAmount        `xml:"cbc:TaxAmount"`
	TaxSubtotals []xTaxSubtotal `xml:"cac:TaxSubtotal"`
}

type xTaxSubtotal struct {
	TaxableAmount xAmount      `xml:"cbc:TaxableAmount"`
	TaxAmount     xAmount      `xml:"cbc:TaxAmount"`
	TaxCategory   xTaxCategory `xml:"cac:TaxCategory"`
}

type xTaxCategory struct {
	ID                     string     `xml:"cbc:ID"`
	Percent                string     `xml:"cbc:Percent,omitempty"`
	TaxExemptionReasonCode string     `xml:"cbc:TaxExemptionReasonCode,omitempty"`
	TaxExemptionReason     string     `xml:"cbc:TaxExemptionReason,omitempty"`
	TaxScheme              xTaxScheme `xml:"cac:TaxScheme"`
}

type xMonetaryTotal struct {
	LineExtensionAmount xAmount  `xml:"cbc:LineExtensionAmount"`
	TaxExclusiveAmount  xAmount  `xml:"cbc:TaxExclusiveAmount"`
	TaxInclusiveAmount  xAmount  `xml:"cbc:TaxInclusiveAmount"`
	ChargeTotalAmount   *xAmount `xml:"cbc:ChargeTotalAmount,omitempty"`
	PayableAmount       xAmount  `xml:"cbc:PayableAmount"`
}

type xLine struct {
	ID                  string     `xml:"cbc:ID"`
	InvoicedQuantity    *xQuantity `xml:"cbc:InvoicedQuantity,omitempty"`
	CreditedQuantity    *xQuantity `xml:"cbc:CreditedQuantity,omitempty"`
	LineExtensionAmount xAmount    `xml:"cbc:LineExtensionAmount"`
	Item                xItem      `xml:"cac:Item"`
	Price               xPrice     `xml:"cac:Price"`
}

type xQuantity struct {
	UnitCode string `xml:"unitCode,attr"`
	Value    string `xml:",chardata"`
}

type xItem struct {
	Name                  string       `xml:"cbc:Name"`
	ClassifiedTaxCategory xTaxCategory `xml:"cac:ClassifiedTaxCategory"`
}

type xPrice struct {
	PriceAmount xAmount `xml:"cbc:PriceAmount"`
}
