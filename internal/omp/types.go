package omp

import (
	"cloud.google.com/go/civil"

	"github.com/vatgate/vatgate/internal/money"
)

// Request is one OMP question (document 003), already decoded by the HTTP
// layer: aliases resolved (invoice_ID, OMP_*, merchant_*, order_ammount, Item),
// "True"/"False" turned into bools and numeric strings into decimals. The
// engine validates values (country and currency codes, signs, states) but not
// the presence of the documented required fields, which is the decoder's job.
//
// Country fields hold ISO 3166-1 alpha-3 codes and currencies ISO 4217 codes,
// in any letter case.
type Request struct {
	InvoiceID          string // invoice_id
	MarketplaceCountry string // marketplace_establishment_country_id
	VendorCountry      string // vendor_establishment_country_id
	MarketplaceIOSS    bool   // marketplace_IOSS_number (absent = false)
	OrderCurrency      string // order_currency
	OrderDate          civil.Date
	// OrderAmount is order_amount: the whole order including shipping,
	// exclusive of destination VAT/GST (RULES §17.2).
	OrderAmount money.Decimal
	ShippingFee *money.Decimal // shipping_fee; nil = not given (0)

	ArrivalCountry   string // arrival_country
	ArrivalZip       string // arrival_zip
	ArrivalState     string // arrival_state: USPS state, Canadian province, "NI" for Northern Ireland
	DepartureCountry string // departure_country
	DepartureZip     string // departure_zip
	DepartureState   string // departure_state

	// The single-item form of the document: used when Items is empty, and
	// as defaults (ItemCode, GoodCode) for Items that leave them blank.
	ItemCode     string         // item_code: digital service category (RULES §1.4)
	GoodCode     string         // good_code: CN/HS code of the goods
	ItemPrice    *money.Decimal // item_price: price of one unit
	ItemQuantity *money.Decimal // item_quantity

	Items []Item // Item: the basket, when given (RULES §1.7, §17.1)

	CustomerVATNumber      string   // vat_number_of_customer: non-empty = B2B (RULES §1.3)
	ExemptionType          string   // exemption_type (US only)
	MarketplaceNexusStates []string // marketplace_nexus_state: USPS codes

	// Optional fields outside the documented API (RULES §17.6, §3 E7).
	// VendorEUDistanceSalesEUR is vendor_eu_distance_sales_eur: the
	// vendor's cross-border B2C distance sales of goods and TBE services in
	// the current and previous calendar year, in EUR. nil = unknown, which
	// means the EUR 10,000 threshold of Art. 59c is taken as exceeded.
	VendorEUDistanceSalesEUR *money.Decimal
	// VendorDestinationOption is vendor_destination_option: the vendor
	// opted for taxation at destination although under EUR 10,000.
	VendorDestinationOption bool
	// MarketplaceRegistered is marketplace_registered: the platform's
	// registration status where a regime depends on it (Swiss mail-order
	// registration, RULES §6 S2; Canadian DPO registration, §8 K2; Japanese
	// designated platform, §11 J1). nil = registered (RULES §17.6).
	MarketplaceRegistered *bool
	// VendorGSTRegistered is vendor_gst_registered: a non-resident vendor
	// registered for Canadian GST/HST collects itself (RULES §8 K2/K3).
	// Absent = not registered.
	VendorGSTRegistered bool
}

// Item is one line of the basket (the document's "Item" array).
type Item struct {
	ItemCode     string         // item_code: digital service category; blank = goods
	GoodCode     string         // good_code
	ItemPrice    *money.Decimal // item_price: one unit
	ItemQuantity *money.Decimal // item_quantity; nil = 1
}

// Parties, invoice types and tax types: the enumerations of RULES §0.
const (
	VendorCustomer      = "vendor_customer"
	VendorMarketplace   = "vendor_marketplace"
	MarketplaceCustomer = "marketplace_customer"

	VATInvoice           = "VAT_invoice"
	SalesTaxInvoice      = "sales_tax_invoice"
	ReverseChargeInvoice = "reverse_charge_invoice"
	CommercialInvoice    = "commercial_invoice"
	ExemptedInvoice      = "exempted_invoice"

	TaxVAT            = "VAT"
	TaxGST            = "GST"
	TaxHST            = "HST"
	TaxGSTPST         = "GST+PST"
	TaxGSTRST         = "GST+RST"
	TaxGSTQST         = "GST+QST"
	TaxSales          = "sales_tax"
	TaxConsumption    = "consumption_tax"
	RateBasisStandard = "standard" // RULES §17.7
)

// Answer is the engine's result. It marshals (MarshalJSON) to the shapes of
// document 003 and RULES §0: one invoice as a flat object, several as an
// "invoice" array numbered by invoice_code, followed by the additive
// rate_basis and basis fields.
type Answer struct {
	InvoiceID string
	// Invoices holds one invoice (flat shape) or several (array shape:
	// deemed-supplier chains, where [0] is vendor->marketplace and [1]
	// marketplace->customer, or the distinct invoices of a mixed basket).
	Invoices []Invoice
	// Mixed is true for a mixed basket whose items were answered
	// differently (RULES §17.1): the invoices then carry Items.
	Mixed bool
	// RateBasis says how vat_percent was chosen (RULES §17.7): "standard"
	// while reduced rates by good_code/item_code are not applied.
	RateBasis string
	Basis     Basis
}

// Invoice is one invoice of an answer.
type Invoice struct {
	Code         string // invoice_code: "1", "2", ... in the array shape; "" in the flat shape
	Parties      string // invoice_parties
	Type         string // invoice_type
	TaxType      string // tax_type
	Jurisdiction string // taxable_jurisdiction: alpha-3, "USA-CA", "CAN-ON"
	VATPercent   money.Decimal
	// IntrinsicValue and IntrinsicValueCurrency are set on commercial
	// invoices only (RULES §0): the goods value in the threshold currency,
	// rounded to 2 decimal places.
	IntrinsicValue         *money.Decimal
	IntrinsicValueCurrency string
	// Items lists the 0-based indexes of the Items this invoice covers, in
	// a mixed basket only (RULES §17.1).
	Items []int
}

// Basis explains an answer (issue 3, item 5): the rule applied, the
// thresholds compared, the rates used. It is additive: integrators written
// against document 003 ignore it.
type Basis struct {
	Rule       string     // rule id, e.g. "EU-E5"
	Reason     string     // e.g. "deemed supplier, Art. 14a(2) Directive 2006/112/EC"
	Section    string     // RULES.md section, e.g. "§3 E5"
	Date       civil.Date // the date D every look-up used (RULES §1.1)
	DateSource string     // "order_date" or "today"
	Thresholds []Threshold
	Rates      []RateUse
	// Items explains each item of a mixed basket (RULES §17.1).
	Items []ItemBasis
	Notes []string
}

// Threshold is one comparison of a value with a legal threshold.
type Threshold struct {
	Name           string        // e.g. "EU low-value consignment (Art. 14a(1), Art. 143(1)(ca))"
	Threshold      money.Decimal // e.g. 150
	Currency       string        // threshold currency, e.g. "EUR"
	Comparison     string        // "<=" or "<": value qualifies when ConvertedValue Comparison Threshold
	Value          money.Decimal // value in ValueCurrency (the order currency)
	ValueCurrency  string
	ConvertedValue money.Decimal // value in Currency
	// Exchange holds the ECB reference rates used (nil when no conversion
	// was needed).
	Exchange *Exchange
	Result   bool   // the comparison holds: the value is within the threshold
	Note     string // e.g. "excise goods: treated as above the threshold (RULES §1.9)"
}

// Exchange is a conversion through EUR with the ECB rates used (RULES §1.8).
type Exchange struct {
	From, To ExchangeRate
}

// ExchangeRate is one ECB euro reference rate.
type ExchangeRate struct {
	Currency  string
	PerEUR    money.Decimal
	Published civil.Date
}

// RateUse is a tax rate an answer used, with its provenance.
type RateUse struct {
	Jurisdiction  string        // e.g. "DEU", "USA-LA", "CAN-QC"
	Percent       money.Decimal // the figure written as vat_percent
	Kind          string        // which figure: "standard", "state_rate", "combined", "hst", "effective_combined", ...
	EffectiveFrom civil.Date    // zero: since before the data's first recorded change
	EffectiveTo   civil.Date    // zero: open-ended
	Sources       []string      // keys of tax-rates.json meta.sources
	Uncertain     bool
}

// ItemBasis is the rule applied to one item of a mixed basket.
type ItemBasis struct {
	Index      int
	Rule       string
	Reason     string
	Thresholds []Threshold
}
