package omp

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"cloud.google.com/go/civil"
	"github.com/vatgate/vatgate/internal/fx"
)

// Values the engine refuses (RULES §1; HTTP 422 for KindInvalid and
// KindMissingRate, 400 for KindRequired), each naming the field.
func TestDetermineErrors(t *testing.T) {
	long := strings.Repeat("x", 26)
	tests := []struct {
		name  string
		req   rq
		kind  Kind
		field string
	}{
		{"unknown arrival country", q().to("XYZ"), KindInvalid, "arrival_country"},
		{"alpha-2 is not alpha-3", q().to("DE"), KindInvalid, "arrival_country"},
		{"unknown departure country", q().from("ZZZ"), KindInvalid, "departure_country"},
		{"unknown vendor country", q().vendor(""), KindInvalid, "vendor_establishment_country_id"},
		{"unknown marketplace country", q().mp("EU"), KindInvalid, "marketplace_establishment_country_id"},
		{"unknown currency", q().cur("EURO"), KindInvalid, "order_currency"},
		{"precious metal is no order currency", q().cur("XAU"), KindInvalid, "order_currency"},
		{"testing code", q().cur("XTS"), KindInvalid, "order_currency"},
		{"negative order amount", q().amt("-1"), KindInvalid, "order_amount"},
		{"negative shipping fee", q().ship("-0.01"), KindInvalid, "shipping_fee"},
		{"shipping above the order amount, which includes it", q().amt("10").ship("10.01"), KindInvalid, "shipping_fee"},
		{"negative item price", q().price("-5", ""), KindInvalid, "item_price"},
		{"zero quantity", q().price("5", "0"), KindInvalid, "item_quantity"},
		{"negative quantity in an Item", q().items(it("5", "1", "", ""), it("5", "-1", "", "")), KindInvalid, "Item[1].item_quantity"},
		{"letters in good_code", q().good("6216ABCD"), KindInvalid, "good_code"},
		{"one-digit good_code", q().good("6"), KindInvalid, "good_code"},
		{"good_code in an Item", q().items(it("5", "", "x1", "")), KindInvalid, "Item[0].good_code"},
		{"unknown exemption type", q().to("USA").state("CA").exempt("charity"), KindInvalid, "exemption_type"},
		{"unknown nexus state", q().to("USA").state("CA").nexus("CA", "XX"), KindInvalid, "marketplace_nexus_state"},
		{"invoice_id over 25 characters", func() rq { r := q(); r.InvoiceID = long; return r }(), KindInvalid, "invoice_id"},
		{"negative distance sales", q().distanceSales("-1"), KindInvalid, "vendor_eu_distance_sales_eur"},
		{"USA needs arrival_state", q().to("USA"), KindRequired, "arrival_state"},
		{"unknown US state", q().to("USA").state("PR"), KindInvalid, "arrival_state"},
		{"Canada needs arrival_state", q().to("CAN"), KindRequired, "arrival_state"},
		{"unknown province", q().to("CAN").state("XX"), KindInvalid, "arrival_state"},
		{"country without rates data", q().to("ATA"), KindUnsupported, "arrival_country"},
		{"USD after the ECB snapshot ends (RULES §17.3)", q().cur("USD").on("2026-11-20"), KindMissingRate, "order_currency"},
		{"BGN after Bulgaria adopted the euro", q().cur("BGN").on("2026-01-05"), KindMissingRate, "order_currency"},
		{"a currency the ECB does not quote, needed for the intrinsic value", q().to("KEN"), KindMissingRate, "order_currency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := testEngine.Determine(Request(tt.req), day("2026-04-10"))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if e.Kind != tt.kind || e.Field != tt.field || KindOf(err) != tt.kind {
				t.Errorf("got %v %q (%v), want %v %q", e.Kind, e.Field, err, tt.kind, tt.field)
			}
			if !strings.HasPrefix(err.Error(), tt.field+": ") {
				t.Errorf("message %q does not start with the field", err)
			}
		})
	}
}

// The missing-rate error names the currency and the date, and wraps the fx
// error.
func TestMissingRateError(t *testing.T) {
	_, err := testEngine.Determine(Request(q().cur("USD").on("2026-11-20")), day("2026-11-21"))
	var m *fx.MissingRateError
	if !errors.As(err, &m) || m.Currency != "USD" || m.Date != day("2026-11-20") {
		t.Fatalf("err = %v, want a wrapped fx.MissingRateError for USD on 2026-11-20", err)
	}
	if !strings.Contains(err.Error(), "USD") || !strings.Contains(err.Error(), "2026-11-20") {
		t.Errorf("message %q", err)
	}
	// No rate is needed when the order is in the threshold currency.
	if _, err := testEngine.Determine(Request(q().on("2026-11-20")), day("2026-11-21")); err != nil {
		t.Errorf("EUR order needs no rate: %v", err)
	}
}

// RULES §1: normalisation.
func TestNormalisation(t *testing.T) {
	// §1.1: order_date absent => today; the basis says which.
	r := q()
	r.OrderDate = civil.Date{}
	a, err := testEngine.Determine(Request(r.vendor("EST").from("EST").to("EST")), day("2025-07-01"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Basis.Date != day("2025-07-01") || a.Basis.DateSource != "today" || summary(a) != "vendor_customer VAT_invoice VAT EST 24" {
		t.Errorf("today default: %s %+v", summary(a), a.Basis)
	}
	a, _ = testEngine.Determine(Request(r.vendor("EST").from("EST").to("EST")), day("2025-06-30"))
	if summary(a) != "vendor_customer VAT_invoice VAT EST 22" {
		t.Errorf("today 2025-06-30: %s", summary(a))
	}
	// Codes in any case; blanks around them ignored.
	a, err = testEngine.Determine(Request(q().to(" deu ").from("chn").cur("eur").ioss()), day("2026-04-10"))
	if err != nil || a.Basis.Rule != "EU-E2" {
		t.Errorf("lower case codes: %v %+v", err, a.Basis)
	}
	// §1.3: a blank VAT number is B2C.
	r = q()
	r.CustomerVATNumber = "   "
	a, _ = testEngine.Determine(Request(r.ioss()), day("2026-04-10"))
	if a.Basis.Rule != "EU-E2" {
		t.Errorf("blank VAT number should be B2C: %s", a.Basis.Rule)
	}
	// §1.7: goods value from the Items, shipping outside.
	a, _ = testEngine.Determine(Request(q().ioss().amt("170").ship("20").items(it("75", "2", "", ""))), day("2026-04-10"))
	if a.Basis.Rule != "EU-E2" || a.Basis.Thresholds[0].Value.String() != "150" {
		t.Errorf("goods value 2 x 75: %+v", a.Basis)
	}
}

// The invoice_id is echoed unchanged.
func TestInvoiceIDEchoed(t *testing.T) {
	r := q()
	r.InvoiceID = "ttt4565-85546"
	a, _ := testEngine.Determine(Request(r), day("2026-04-10"))
	if a.InvoiceID != "ttt4565-85546" {
		t.Errorf("invoice id %q", a.InvoiceID)
	}
}

// An Engine is shared by every request of the server: answers computed
// concurrently equal those computed alone (run with -race).
func TestConcurrentDetermine(t *testing.T) {
	reqs := []rq{q().ioss(), q().cur("USD").amt("200"), q().to("GBR").cur("USD"), q().to("CAN").state("QC").from("CAN")}
	want := make([]string, len(reqs))
	for i, r := range reqs {
		a, err := testEngine.Determine(Request(r), day("2026-04-10"))
		if err != nil {
			t.Fatal(err)
		}
		want[i] = summary(a)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Go(func() {
			for n := 0; n < 50; n++ {
				i := (g + n) % len(reqs)
				a, err := testEngine.Determine(Request(reqs[i]), day("2026-04-10"))
				if err != nil || summary(a) != want[i] {
					t.Errorf("concurrent answer %d: %v %s", i, err, summary(a))
					return
				}
			}
		})
	}
	wg.Wait()
}
