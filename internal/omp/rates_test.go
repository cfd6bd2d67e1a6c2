package omp

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"cloud.google.com/go/civil"
)

func day(s string) civil.Date {
	d, err := civil.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestEmbeddedRatesParse(t *testing.T) {
	r, err := ParseRates(taxRatesJSON)
	if err != nil {
		t.Fatal(err)
	}
	m := r.Meta()
	if got := len(r.CountryCodes()); got != 142 || got != m.Coverage.Countries {
		t.Errorf("countries = %d, coverage %d, want 142", got, m.Coverage.Countries)
	}
	if got := len(r.USStateCodes()); got != 51 || got != m.Coverage.USStatesInclDC {
		t.Errorf("us states = %d, want 51", got)
	}
	if got := len(r.ProvinceCodes()); got != 13 || got != m.Coverage.CAProvincesTerritories {
		t.Errorf("provinces = %d, want 13", got)
	}
	eu := 0
	for _, c := range r.CountryCodes() {
		rec, _ := r.Country(c)
		if rec.EUMember {
			eu++
			if !euMember(c) {
				t.Errorf("%s is eu_member in the data but not in RULES §1.2 EU27", c)
			}
		}
		for _, s := range rec.Sources {
			if _, ok := m.Sources[s]; !ok && !strings.HasPrefix(s, "pages:") {
				t.Errorf("%s: source %q not in meta.sources", c, s)
			}
		}
	}
	if eu != 27 || eu != m.Coverage.EUMembers {
		t.Errorf("EU members = %d, want 27", eu)
	}
	for _, c := range m.Coverage.UncertainCountries {
		if rec, ok := r.Country(c); !ok || !rec.Uncertain {
			t.Errorf("coverage lists %s as uncertain; record uncertain=%v ok=%v", c, rec.Uncertain, ok)
		}
	}
}

// A field the parser does not know is refused, so no figure can be added to
// the file and silently go unread.
func TestParseRatesRefusesUnknownFields(t *testing.T) {
	data := bytes.Replace(taxRatesJSON, []byte(`"iso2": "DE",`), []byte(`"iso2": "DE", "surprise": 5,`), 1)
	if _, err := ParseRates(data); err == nil || !strings.Contains(err.Error(), "surprise") {
		t.Fatalf("err = %v, want unknown field refused", err)
	}
	if _, err := ParseRates([]byte(`{"countries":{"DEU":{"standard":"x"}}}`)); err == nil {
		t.Fatal("a non-number standard rate was accepted")
	}
}

// Every number in the file is read exactly: the sum of all figures reachable
// through the API equals the sum of all numbers in the JSON text.
func TestEveryFigureReachable(t *testing.T) {
	var all any
	d := json.NewDecoder(bytes.NewReader(taxRatesJSON))
	d.UseNumber()
	if err := d.Decode(&all); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(path+"."+k, x)
			}
		case []any:
			for _, x := range v {
				walk(path, x)
			}
		case json.Number:
			if !strings.HasPrefix(path, ".meta") {
				want[dec(string(v)).String()]++
			}
		}
	}
	walk("", all)
	r := EmbeddedRates()
	got := map[string]int{}
	add := func(ds ...any) {
		for _, x := range ds {
			switch x := x.(type) {
			case *moneyDecimal:
				if x != nil {
					got[x.String()]++
				}
			case moneyDecimal:
				got[x.String()]++
			case []moneyDecimal:
				for _, y := range x {
					got[y.String()]++
				}
			}
		}
	}
	for _, code := range r.CountryCodes() {
		c, _ := r.Country(code)
		add(c.Standard, c.Reduced, c.SuperReduced, c.Parking, c.Zero, c.Increased, c.Higher, c.Demerit,
			c.ServiceTax, c.TourismGST, c.Statutory, c.EffectiveCombined, c.EffectiveNonLuxury, c.CrossCheck.NodeSalesTax2025)
		for _, v := range c.Levies {
			add(v)
		}
		for _, reg := range c.Regions {
			add(reg.Standard, reg.Reduced)
		}
		if c.TemporaryReducedStandard != nil {
			add(c.TemporaryReducedStandard.Rate)
		}
		for _, h := range c.History {
			add(h.Standard, h.Reduced, h.EffectiveCombined, h.EffectiveNonLuxury, h.Demerit, h.Higher)
		}
	}
	for _, code := range r.USStateCodes() {
		s, _ := r.USState(code)
		add(s.StateRate, s.NodeSalesTax2025)
		for _, h := range s.History {
			add(h.Rate)
		}
	}
	for _, code := range r.ProvinceCodes() {
		p, _ := r.Province(code)
		add(p.GST, p.HST, p.Provincial, p.Combined)
		for _, h := range p.History {
			add(h.HST)
		}
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("figure %s: %d in the file, %d reachable", k, n, got[k])
		}
	}
	for k, n := range got {
		if want[k] != n {
			t.Errorf("figure %s: %d reachable, %d in the file", k, n, want[k])
		}
	}
}

// Rates across their effective dates, each side of each date (RULES §13).
func TestInForceAcrossDates(t *testing.T) {
	r := EmbeddedRates()
	tests := []struct {
		name, country, on, standard, reduced, from, to string
	}{
		{"Estonia before 24 %", "EST", "2025-06-30", "22", "9 13", "2025-01-01", "2025-06-30"},
		{"Estonia 24 % from 2025-07-01", "EST", "2025-07-01", "24", "9 13", "2025-07-01", ""},
		{"Estonia reduced 9->13 on 2025-01-01 (before)", "EST", "2024-12-31", "22", "5 9", "2024-01-01", "2024-12-31"},
		{"Estonia 2023 (period without from)", "EST", "2023-12-31", "20", "9", "", "2023-12-31"},
		{"Finland 24 % until 2024-08-31", "FIN", "2024-08-31", "24", "10 14", "", "2024-08-31"},
		{"Finland 25.5 % from 2024-09-01", "FIN", "2024-09-01", "25.5", "10 14", "2024-09-01", "2025-12-31"},
		{"Finland reduced 13.5 from 2026-01-01", "FIN", "2026-01-01", "25.5", "10 13.5", "2026-01-01", ""},
		{"Romania 19 % until 2025-07-31", "ROU", "2025-07-31", "19", "5 9", "", "2025-07-31"},
		{"Romania 21 % from 2025-08-01", "ROU", "2025-08-01", "21", "11", "2025-08-01", ""},
		{"Slovakia 20 % until 2024-12-31", "SVK", "2024-12-31", "20", "10", "", "2024-12-31"},
		{"Slovakia 23 % from 2025-01-01", "SVK", "2025-01-01", "23", "5 19", "2025-01-01", ""},
		{"Switzerland 7.7 % in 2023", "CHE", "2023-12-31", "7.7", "2.5 3.7", "", "2023-12-31"},
		{"Switzerland 8.1 % from 2024", "CHE", "2024-01-01", "8.1", "2.6 3.8", "2024-01-01", ""},
		{"Germany 16 % in the 2020 cut", "DEU", "2020-12-31", "16", "5", "2020-07-01", "2020-12-31"},
		{"Ireland 21 % without recorded reduced rates (top-level kept)", "IRL", "2021-02-28", "21", "9 13.5", "2020-09-01", "2021-02-28"},
		{"no history: figures as of generation", "NOR", "2019-01-01", "25", "12 15", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt, ok := r.InForce(tt.country, day(tt.on))
			if !ok {
				t.Fatal("not found")
			}
			var red []string
			for _, d := range rt.Reduced {
				red = append(red, d.String())
			}
			if rt.Standard.String() != tt.standard || strings.Join(red, " ") != tt.reduced ||
				dateString(rt.Period.From) != tt.from || dateString(rt.Period.To) != tt.to {
				t.Errorf("got %s [%s] %s..%s, want %s [%s] %s..%s", rt.Standard, strings.Join(red, " "),
					dateString(rt.Period.From), dateString(rt.Period.To), tt.standard, tt.reduced, tt.from, tt.to)
			}
		})
	}
}

func TestUSStateInForce(t *testing.T) {
	r := EmbeddedRates()
	tests := []struct {
		name, state, on, rate, from, to string
		uncertain                       bool
	}{
		{"Louisiana 4.45 % until 2024-12-31", "LA", "2024-12-31", "4.45", "", "2024-12-31", false},
		{"Louisiana 5 % from 2025-01-01", "LA", "2025-01-01", "5", "2025-01-01", "2029-12-31", false},
		{"Louisiana after 2029-12-31: not recorded", "LA", "2030-01-01", "5", "2030-01-01", "", true},
		{"DC 6 % until 2025-09-30", "DC", "2025-09-30", "6", "", "2025-09-30", true},
		{"DC 6.5 % from 2025-10-01", "DC", "2025-10-01", "6.5", "2025-10-01", "2026-09-30", true},
		{"DC 7 % from 2026-10-01 (scheduled, uncertain)", "DC", "2026-10-01", "7", "2026-10-01", "", true},
		{"South Dakota 4.2 % until 2027-06-30", "SD", "2027-06-30", "4.2", "2023-07-01", "2027-06-30", false},
		{"South Dakota back to 4.5 % on 2027-07-01 (RULES §13)", "SD", "2027-07-01", "4.5", "2027-07-01", "", true},
		{"New Mexico 5 % (uncertain period)", "NM", "2023-01-01", "5", "2022-07-01", "2023-06-30", true},
		{"California 7.25 %", "CA", "2026-01-01", "7.25", "", "", false},
		{"Oregon no sales tax", "OR", "2026-01-01", "0", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sr, ok := r.USStateInForce(tt.state, day(tt.on))
			if !ok {
				t.Fatal("not found")
			}
			if sr.Rate.String() != tt.rate || dateString(sr.Period.From) != tt.from || dateString(sr.Period.To) != tt.to || sr.Uncertain != tt.uncertain {
				t.Errorf("got %s %s..%s uncertain=%v", sr.Rate, dateString(sr.Period.From), dateString(sr.Period.To), sr.Uncertain)
			}
		})
	}
}

func TestProvinceInForce(t *testing.T) {
	r := EmbeddedRates()
	tests := []struct{ prov, on, typ, combined, gst, hst, prv string }{
		{"NS", "2025-03-31", "HST", "15", "0", "15", "0"},
		{"NS", "2025-04-01", "HST", "14", "0", "14", "0"},
		{"ON", "2025-01-01", "HST", "13", "0", "13", "0"},
		{"AB", "2025-01-01", "GST", "5", "5", "0", "0"},
		{"BC", "2025-01-01", "GST+PST", "12", "5", "0", "7"},
		{"MB", "2025-01-01", "GST+RST", "12", "5", "0", "7"},
		{"QC", "2025-01-01", "GST+QST", "14.975", "5", "0", "9.975"},
		{"SK", "2025-01-01", "GST+PST", "11", "5", "0", "6"},
	}
	for _, tt := range tests {
		pr, ok := r.ProvinceInForce(tt.prov, day(tt.on))
		if !ok {
			t.Fatalf("%s not found", tt.prov)
		}
		if pr.Type != tt.typ || pr.Combined.String() != tt.combined || pr.GST.String() != tt.gst || pr.HST.String() != tt.hst || pr.Provincial.String() != tt.prv {
			t.Errorf("%s %s: got %s %s gst %s hst %s prov %s", tt.prov, tt.on, pr.Type, pr.Combined, pr.GST, pr.HST, pr.Provincial)
		}
	}
	if from, _, ok := r.MarketplaceFacilitatorFrom("QC", true); !ok || from != day("2019-01-01") {
		t.Errorf("QC services = %v %v", from, ok)
	}
	if from, _, ok := r.MarketplaceFacilitatorFrom("QC", false); !ok || from != day("2021-07-01") {
		t.Errorf("QC goods = %v %v", from, ok)
	}
	if _, unc, ok := r.MarketplaceFacilitatorFrom("SK", false); !ok || !unc {
		t.Errorf("SK should be uncertain")
	}
	if _, _, ok := r.MarketplaceFacilitatorFrom("ON", false); ok {
		t.Errorf("ON has no PST facilitator rule")
	}
}

func TestTable(t *testing.T) {
	r := EmbeddedRates()
	rows := r.Table(day("2025-07-01"))
	if got, want := len(rows), 142+2+51+13; got != want {
		t.Fatalf("rows = %d, want %d", got, want)
	}
	find := func(area string) RateRow {
		for _, row := range rows {
			if row.Area == area {
				return row
			}
		}
		t.Fatalf("no row %s", area)
		return RateRow{}
	}
	if row := find("EST"); row.Standard.String() != "24" || row.EffectiveFrom != day("2025-07-01") {
		t.Errorf("EST = %+v", row)
	}
	if row := find("PRT/Azores"); row.Standard.String() != "16" || !row.Uncertain {
		t.Errorf("Azores = %+v", row)
	}
	if row := find("USA-LA"); row.Standard.String() != "5" || row.Source != "us-dataset, la-2025" {
		t.Errorf("LA = %+v", row)
	}
	if row := find("CAN-QC"); row.Standard.String() != "14.975" || len(row.Extras) != 2 || row.Extras[1].Name != "qst" {
		t.Errorf("QC = %+v", row)
	}
	if row := find("VNM"); row.Extras[len(row.Extras)-1].Name != "temporary_reduced_standard" {
		t.Errorf("VNM extras = %+v", row.Extras)
	}
	if row := find("GHA"); len(row.Extras) == 0 {
		t.Errorf("GHA extras = %+v", row.Extras)
	} else if v, _ := (Rate{Extras: row.Extras}).Extra("effective_combined"); v.String() != "21.9" {
		t.Errorf("GHA effective_combined = %s", v)
	}
	if row := find("BGR"); row.Currency != "BGN" {
		t.Errorf("BGR currency = %s", row.Currency)
	}
	if c, _ := r.CurrencyOn("BGR", day("2026-01-01")); c != "EUR" {
		t.Errorf("BGR 2026 currency = %s", c)
	}
	if rt, _ := r.InForce("GHA", day("2026-01-01")); rt.Period.From != day("2026-01-01") {
		t.Errorf("GHA 2026 period = %+v", rt.Period)
	} else if v, _ := rt.Extra("effective_combined"); v.String() != "20" {
		t.Errorf("GHA 2026 effective_combined = %s", v)
	}
}
