package main

import (
	"bytes"
	"encoding/json"

	"cloud.google.com/go/civil"

	"github.com/vatgate/vatgate/internal/money"
	"github.com/vatgate/vatgate/internal/omp"
)

type benchCase struct {
	name string
	req  omp.Request
}

func dec(s string) *money.Decimal {
	d := money.MustParse(s)
	return &d
}

// cases is the workload: the document's three request examples, then one
// request per main rule family; a zero OrderDate means the server's today.
func cases() []benchCase {
	on := civil.Date{Year: 2026, Month: 4, Day: 8}
	goods := func(id, mp, vendor, cur, amount, from, to string) omp.Request {
		return omp.Request{InvoiceID: id, MarketplaceCountry: mp, VendorCountry: vendor, OrderCurrency: cur,
			OrderDate: on, OrderAmount: money.MustParse(amount), DepartureCountry: from, ArrivalCountry: to}
	}
	e4 := goods("B-E4", "DEU", "CHN", "USD", "300", "CHN", "FRA")
	e4.MarketplaceIOSS, e4.GoodCode = true, "61099020"
	uk := goods("B-UK1", "GBR", "CHN", "GBP", "120", "CHN", "GBR")
	uk.ShippingFee = dec("4.99")
	us := goods("B-US3", "USA", "USA", "USD", "80", "USA", "USA")
	us.ArrivalState, us.ArrivalZip, us.MarketplaceNexusStates = "CA", "90210", []string{"CA", "NY"}
	tx := goods("B-US4", "USA", "USA", "USD", "80", "USA", "USA")
	tx.ArrivalState = "TX"
	qc := goods("B-CA", "CAN", "CAN", "CAD", "150", "CAN", "CAN")
	qc.ArrivalState = "QC"
	voec := goods("B-NO", "NOR", "CHN", "NOK", "5000", "CHN", "NOR")
	voec.Items = []omp.Item{{ItemPrice: dec("1000"), ItemQuantity: dec("1")}, {ItemPrice: dec("3500"), ItemQuantity: dec("1"), GoodCode: "85171300"}}
	return []benchCase{
		{"document example 1 (EU import, IOSS)", omp.Request{InvoiceID: "ttt4565-85546", MarketplaceCountry: "GBR", VendorCountry: "DEU",
			MarketplaceIOSS: true, OrderAmount: money.MustParse("43.04"), ShippingFee: dec("2.3"), OrderCurrency: "EUR",
			ArrivalCountry: "LVA", GoodCode: "62160000", DepartureCountry: "AUS"}},
		{"document example 2 (digital, two items)", omp.Request{InvoiceID: "0099990100", MarketplaceCountry: "GBR", VendorCountry: "GBR",
			MarketplaceIOSS: true, OrderDate: civil.Date{Year: 2022, Month: 1, Day: 9}, OrderAmount: money.MustParse("120.50"),
			ShippingFee: dec("2.30"), OrderCurrency: "GBP", ArrivalCountry: "DEU", DepartureCountry: "GBR",
			Items: []omp.Item{
				{ItemCode: "1", ItemPrice: dec("51"), ItemQuantity: dec("1"), GoodCode: "62160000"},
				{ItemCode: "2", ItemPrice: dec("67.20"), ItemQuantity: dec("1"), GoodCode: "62380000"},
			}}},
		{"document example 3 (EU B2B)", omp.Request{InvoiceID: "0099990099", MarketplaceCountry: "DEU", VendorCountry: "POL",
			OrderAmount: money.MustParse("1120.50"), OrderCurrency: "EUR", DepartureCountry: "POL", ArrivalCountry: "LVA",
			CustomerVATNumber: "LV9875234"}},
		{"EU import above EUR 150, in USD", e4},
		{"EU goods in the EU, non-EU vendor", goods("B-E5", "DEU", "KOR", "EUR", "80", "DEU", "FRA")},
		{"UK goods up to GBP 135", uk},
		{"UK goods above GBP 135, in USD", goods("B-UK3", "GBR", "CHN", "USD", "400", "CHN", "GBR")},
		{"US marketplace facilitator", us},
		{"US seller collects", tx},
		{"Canada, Quebec", qc},
		{"Norway VOEC basket", voec},
		{"Australia low-value import, in USD", goods("B-AU", "AUS", "CHN", "USD", "300", "CHN", "AUS")},
	}
}

// requestJSON writes a request as an integrator sends it, in document
// 003's field names, numbers as JSON numbers written from the decimals. It
// writes the fields the cases use; servers.check proves nothing is lost.
func requestJSON(r omp.Request) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	str := func(name, v string) {
		if v == "" {
			return
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		out, _ := json.Marshal(v)
		b.WriteString(`"` + name + `":`)
		b.Write(out)
	}
	num := func(name string, v *money.Decimal) {
		if v == nil {
			return
		}
		b.WriteString(`,"` + name + `":` + v.String())
	}
	str("invoice_id", r.InvoiceID)
	str("marketplace_establishment_country_id", r.MarketplaceCountry)
	str("vendor_establishment_country_id", r.VendorCountry)
	if r.MarketplaceIOSS {
		b.WriteString(`,"marketplace_IOSS_number":true`)
	}
	str("order_currency", r.OrderCurrency)
	if !r.OrderDate.IsZero() {
		str("order_date", r.OrderDate.String())
	}
	num("order_amount", &r.OrderAmount)
	num("shipping_fee", r.ShippingFee)
	str("arrival_country", r.ArrivalCountry)
	str("arrival_zip", r.ArrivalZip)
	str("arrival_state", r.ArrivalState)
	str("departure_country", r.DepartureCountry)
	str("good_code", r.GoodCode)
	str("vat_number_of_customer", r.CustomerVATNumber)
	if len(r.MarketplaceNexusStates) > 0 {
		out, _ := json.Marshal(r.MarketplaceNexusStates)
		b.WriteString(`,"marketplace_nexus_state":`)
		b.Write(out)
	}
	if len(r.Items) > 0 {
		b.WriteString(`,"Item":[`)
		for i, it := range r.Items {
			if i > 0 {
				b.WriteByte(',')
			}
			var ib bytes.Buffer
			ib.WriteByte('{')
			sep := ""
			for _, f := range []struct{ name, v string }{{"item_code", it.ItemCode}, {"good_code", it.GoodCode}} {
				if f.v != "" {
					out, _ := json.Marshal(f.v)
					ib.WriteString(sep + `"` + f.name + `":`)
					ib.Write(out)
					sep = ","
				}
			}
			for _, f := range []struct {
				name string
				v    *money.Decimal
			}{{"item_price", it.ItemPrice}, {"item_quantity", it.ItemQuantity}} {
				if f.v != nil {
					ib.WriteString(sep + `"` + f.name + `":` + f.v.String())
					sep = ","
				}
			}
			ib.WriteByte('}')
			b.Write(ib.Bytes())
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
	return b.Bytes()
}
