package omp

import (
	"encoding/json"
	"testing"

	"cloud.google.com/go/civil"

	"github.com/vatgate/vatgate/internal/money"
)

type moneyDecimal = money.Decimal

func dec(s string) money.Decimal { return money.MustParse(s) }

func decp(s string) *money.Decimal { d := money.MustParse(s); return &d }

// The three documented shapes of 003, with the additive fields last.
func TestAnswerJSONShapes(t *testing.T) {
	basis := Basis{Rule: "EU-E3", Reason: "r", Section: "§3 E3", Date: civil.Date{Year: 2022, Month: 1, Day: 9}, DateSource: "order_date"}
	tests := []struct {
		name string
		a    Answer
		want string
	}{
		{"one invoice", Answer{InvoiceID: "ttt4565-85546", RateBasis: "standard", Basis: basis, Invoices: []Invoice{
			{Parties: VendorCustomer, Type: VATInvoice, TaxType: TaxVAT, Jurisdiction: "DEU", VATPercent: dec("19")}}},
			`{"invoice_id":"ttt4565-85546","invoice_parties":"vendor_customer","invoice_type":"VAT_invoice","tax_type":"VAT","taxable_jurisdiction":"DEU","vat_percent":19,"rate_basis":"standard","basis":{"rule":"EU-E3","reason":"r","section":"§3 E3","date":"2022-01-09","date_source":"order_date","rates":[]}}`},
		{"two invoices", Answer{InvoiceID: "0099990107", Basis: basis, Invoices: []Invoice{
			{Code: "1", Parties: VendorMarketplace, Type: VATInvoice, TaxType: TaxVAT, Jurisdiction: "FRA", VATPercent: dec("0")},
			{Code: "2", Parties: MarketplaceCustomer, Type: VATInvoice, TaxType: TaxVAT, Jurisdiction: "ITA", VATPercent: dec("22")}}},
			`{"invoice_id":"0099990107","invoice":[{"invoice_code":"1","invoice_parties":"vendor_marketplace","invoice_type":"VAT_invoice","tax_type":"VAT","taxable_jurisdiction":"FRA","vat_percent":0},{"invoice_code":"2","invoice_parties":"marketplace_customer","invoice_type":"VAT_invoice","tax_type":"VAT","taxable_jurisdiction":"ITA","vat_percent":22}],"basis":{"rule":"EU-E3","reason":"r","section":"§3 E3","date":"2022-01-09","date_source":"order_date","rates":[]}}`},
		{"commercial invoice", Answer{InvoiceID: "0099990102", Basis: basis, Invoices: []Invoice{
			{Parties: VendorCustomer, Type: CommercialInvoice, TaxType: TaxVAT, Jurisdiction: "DEU", VATPercent: dec("19"), IntrinsicValue: decp("113.8"), IntrinsicValueCurrency: "EUR"}}},
			`{"invoice_id":"0099990102","invoice_parties":"vendor_customer","invoice_type":"commercial_invoice","tax_type":"VAT","taxable_jurisdiction":"DEU","vat_percent":19,"intrinsic_value":113.80,"intrinsic_value_currency":"EUR","basis":{"rule":"EU-E3","reason":"r","section":"§3 E3","date":"2022-01-09","date_source":"order_date","rates":[]}}`},
		{"mixed basket", Answer{InvoiceID: "m", Mixed: true, Basis: basis, Invoices: []Invoice{
			{Code: "1", Parties: MarketplaceCustomer, Type: VATInvoice, TaxType: TaxVAT, Jurisdiction: "NOR", VATPercent: dec("25"), Items: []int{0, 2}},
			{Code: "2", Parties: VendorCustomer, Type: CommercialInvoice, TaxType: TaxVAT, Jurisdiction: "NOR", VATPercent: dec("25"), IntrinsicValue: decp("3000"), IntrinsicValueCurrency: "NOK", Items: []int{1}}}},
			`{"invoice_id":"m","invoice":[{"invoice_code":"1","invoice_parties":"marketplace_customer","invoice_type":"VAT_invoice","tax_type":"VAT","taxable_jurisdiction":"NOR","vat_percent":25,"items":[0,2]},{"invoice_code":"2","invoice_parties":"vendor_customer","invoice_type":"commercial_invoice","tax_type":"VAT","taxable_jurisdiction":"NOR","vat_percent":25,"intrinsic_value":3000.00,"intrinsic_value_currency":"NOK","items":[1]}],"basis":{"rule":"EU-E3","reason":"r","section":"§3 E3","date":"2022-01-09","date_source":"order_date","rates":[]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.a)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// Exact decimals in the basis: 7.7 and 14.975 stay as written.
func TestBasisNumbersExact(t *testing.T) {
	b := Basis{Rates: []RateUse{{Jurisdiction: "CAN-QC", Percent: dec("14.975"), Kind: "combined", EffectiveFrom: civil.Date{Year: 2024, Month: 1, Day: 1}}},
		Thresholds: []Threshold{{Name: "n", Threshold: dec("150"), Currency: "EUR", Comparison: "<=", Value: dec("120.50"), ValueCurrency: "GBP", ConvertedValue: dec("143.123456"),
			Exchange: &Exchange{From: ExchangeRate{Currency: "GBP", PerEUR: dec("0.8419"), Published: civil.Date{Year: 2022, Month: 1, Day: 7}}, To: ExchangeRate{Currency: "EUR", PerEUR: dec("1")}}, Result: true}}}
	got, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"rule":"","reason":"","section":"","date":"","date_source":"","thresholds":[{"name":"n","threshold":150,"currency":"EUR","comparison":"\u003c=","value":120.5,"value_currency":"GBP","converted_value":143.123456,"exchange":{"from":{"currency":"GBP","per_eur":0.8419,"published":"2022-01-07"},"to":{"currency":"EUR","per_eur":1}},"result":true}],"rates":[{"jurisdiction":"CAN-QC","percent":14.975,"kind":"combined","effective_from":"2024-01-01","sources":[],"uncertain":false}]}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
