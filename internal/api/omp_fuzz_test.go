package api_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/vatgate/vatgate/internal/api"
)

// FuzzOMPDecode sends arbitrary bodies through the real OMP handler (auth,
// decoding, the engine, the answer): whatever the body, the server never
// panics, hangs or answers 5xx; it answers 200 with an answer, or a 4xx
// with a {"status","message"} refusal.
//
//	go test ./internal/api -run '^$' -fuzz FuzzOMPDecode -fuzztime 60s
func FuzzOMPDecode(f *testing.F) {
	st := testdbSQLite(f)
	srv := api.NewServer(st, slog.New(slog.DiscardHandler), api.Config{OMP: testEngine(), Now: testNow})
	tok := mustMerchantToken(f, st, "Fuzz")

	for _, name := range []string{"example_1", "example_2", "example_3"} {
		f.Add([]byte(ompExample(f, name)))
	}
	for _, seed := range []fields{
		importEU, salesUS, ompFieldsGBP,
		salesUS.with("marketplace_nexus_state", `["NY","ca"]`, "exemption_type", `"wholesale"`),
		salesUS.with("arrival_country", `"CAN"`, "arrival_state", `"QC"`, "order_currency", `"CAD"`),
		importEU.with("Item", `[{"item_code":"1","item_price":"5"},{"good_code":"22030001","item_price":1e3,"item_quantity":"0.5"}]`),
		importEU.with("arrival_country", `"GBR"`, "arrival_zip", `"BT1 1AA"`, "order_currency", `"JPY"`, "order_date", `"2019-12-31T23:59:59+14:00"`),
		importEU.with("arrival_country", `"NOR"`, "shipping_fee", `"200"`, "vendor_eu_distance_sales_eur", `9999.99`, "marketplace_registered", `"False"`),
	} {
		f.Add([]byte(seed.json()))
	}
	f.Add([]byte(`{"invoice_id":"x","order_amount":1e999,"order_currency":"eur","arrival_country":"aus","departure_country":"usa","marketplace_establishment_country_id":"XKX","vendor_establishment_country_id":"chn"}`))
	f.Add([]byte(`{"Item":[{},null,[],"x"],"items":{}}`))
	f.Add([]byte(`[]`))

	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", ompPath, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		done := make(chan struct{})
		go func() { srv.ServeHTTP(rec, req); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("no answer within 10s to %q", body)
		}

		out := rec.Body.Bytes()
		if !json.Valid(out) {
			t.Fatalf("status %d, answer not JSON: %q", rec.Code, out)
		}
		switch {
		case rec.Code == 200:
			if !bytes.HasPrefix(out, []byte(`{"invoice_id":`)) {
				t.Fatalf("200 without an answer: %s", out)
			}
		case rec.Code >= 400 && rec.Code < 500:
			var e struct {
				Status  int    `json:"status"`
				Message string `json:"message"`
			}
			if json.Unmarshal(out, &e) != nil || e.Status != rec.Code || e.Message == "" {
				t.Fatalf("status %d with answer %s", rec.Code, out)
			}
		default:
			t.Fatalf("status %d for body %q: %s", rec.Code, body, out)
		}
	})
}
