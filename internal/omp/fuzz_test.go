package omp

import (
	"errors"
	"testing"

	"cloud.google.com/go/civil"

	"github.com/vatgate/vatgate/internal/money"
)

// FuzzDetermine: whatever the request, Determine never panics and returns
// either an answer satisfying RULES §0/§17.1 (checkAnswer) or an *Error of
// one of the package's kinds naming a field.
func FuzzDetermine(f *testing.F) {
	f.Add("t", "IRL", "CHN", "DEU", "CHN", "EUR", "100", "", "2025-03-03", "", "", "", "", "", "", "", "", "", "", true, uint8(0))
	f.Add("t", "GBR", "DEU", "LVA", "AUS", "EUR", "43.04", "2.3", "", "", "", "", "", "62160000", "", "", "", "", "", true, uint8(0))
	f.Add("t", "DEU", "POL", "LVA", "POL", "EUR", "1120.50", "", "2025-03-03", "", "", "", "", "", "", "", "LV9875234", "", "", false, uint8(0))
	f.Add("t", "USA", "USA", "USA", "USA", "USD", "99.99", "", "2025-01-01", "90210", "CA", "", "", "", "", "", "", "wholesale", "CA,NY", false, uint8(0))
	f.Add("t", "CAN", "CHN", "CAN", "CAN", "CAD", "50", "5", "2022-07-01", "", "BC", "", "", "", "", "", "", "", "", false, uint8(0))
	f.Add("t", "NOR", "CHN", "NOR", "CHN", "NOK", "5000", "", "2025-01-09", "", "", "", "", "", "1000", "2", "", "", "", false, uint8(3))
	f.Add("t", "IRL", "USA", "ESP", "USA", "USD", "10", "", "2025-03-03", "35001", "", "", "ebook", "", "", "", "", "", "", false, uint8(0))
	f.Add("t", "IRL", "GBR", "GBR", "GBR", "GBP", "1e3", "1e-3", "2021-01-01", "BT1 1AA", "NI", "BT2", "", "2203", "-1", "0", "x", "nill", "", true, uint8(2))
	f.Fuzz(func(t *testing.T, id, mp, vendor, arr, dep, cur, amount, ship, date, zip, state, depZip, itemCode, goodCode, price, qty, vat, exemption, nexus string, ioss bool, nItems uint8) {
		num := func(s string) *money.Decimal {
			d, err := money.Parse(s)
			if err != nil {
				return nil
			}
			return &d
		}
		r := Request{InvoiceID: id, MarketplaceCountry: mp, VendorCountry: vendor, ArrivalCountry: arr, DepartureCountry: dep,
			OrderCurrency: cur, ShippingFee: num(ship), ArrivalZip: zip, ArrivalState: state, DepartureZip: depZip,
			ItemCode: itemCode, GoodCode: goodCode, ItemPrice: num(price), ItemQuantity: num(qty),
			CustomerVATNumber: vat, ExemptionType: exemption, MarketplaceIOSS: ioss}
		if nexus != "" {
			r.MarketplaceNexusStates = []string{nexus}
		}
		if a := num(amount); a != nil {
			r.OrderAmount = *a
		}
		if d, err := civil.ParseDate(date); err == nil {
			r.OrderDate = d
		}
		for i := 0; i < int(nItems%5); i++ {
			it := Item{ItemPrice: num(price), ItemQuantity: num(qty), GoodCode: goodCode}
			if i%2 == 1 {
				it.ItemCode = itemCode
				it.ItemPrice = num(amount)
			}
			r.Items = append(r.Items, it)
		}
		a, err := testEngine.Determine(r, day("2026-04-10"))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error of another type: %T %v", err, err)
			}
			switch e.Kind {
			case KindInvalid, KindRequired, KindMissingRate, KindUnsupported:
			default:
				t.Fatalf("unknown kind %v: %v", e.Kind, err)
			}
			if e.Field == "" || e.Message == "" {
				t.Fatalf("error without field or message: %#v", e)
			}
			return
		}
		if err := checkAnswer(a); err != nil {
			t.Fatalf("%v\nrequest %+v\nanswer %+v", err, r, a)
		}
		if a.InvoiceID != id {
			t.Fatalf("invoice id %q, want %q", a.InvoiceID, id)
		}
	})
}
