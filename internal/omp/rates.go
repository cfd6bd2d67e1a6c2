package omp

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"cloud.google.com/go/civil"

	"github.com/vatgate/vatgate/internal/money"
)

// taxRatesJSON is shared/omp/tax-rates.json, the companion data of RULES.md:
// 142 countries, 51 US rate areas and 13 Canadian provinces and territories,
// each group of figures with its sources (meta.sources).
//
//go:embed data/tax-rates.json
var taxRatesJSON []byte

// Rates is the parsed tax-rates.json. Every figure of the file is reachable:
// the date-resolved look-ups (InForce, USStateInForce, ProvinceInForce,
// Table) and the full records (Country, USState, Province, Meta). Numbers
// are exact decimals read from the JSON text, never through float64.
// A Rates is immutable and safe for concurrent use.
type Rates struct {
	meta      Meta
	countries map[string]*Country
	states    map[string]*USState
	provinces map[string]*Province
}

var embedded = sync.OnceValues(func() (*Rates, error) { return ParseRates(taxRatesJSON) })

// EmbeddedRates returns the rates compiled into the binary, parsed once.
// It panics if the embedded file is broken, which the package tests rule out.
func EmbeddedRates() *Rates {
	r, err := embedded()
	if err != nil {
		panic("omp: embedded tax-rates.json: " + err.Error())
	}
	return r
}

// Meta is the file's "meta" object.
type Meta struct {
	Generated          string
	AsOf               string
	Units              string
	Keys               string
	HistorySemantics   string
	UncertainSemantics string
	Sources            map[string]Source // keyed as the records' "sources" lists
	CrossCheckNote     string
	Coverage           Coverage
}

// Source is one entry of meta.sources.
type Source struct{ What, Where string }

// Coverage is meta.coverage.
type Coverage struct {
	Countries, EUMembers, USStatesInclDC, CAProvincesTerritories int
	UncertainCountries                                           []string
}

// Period is a stretch of time, both ends inclusive; a zero end is open
// ("since before 2020" for From, "until further notice" for To).
type Period struct{ From, To civil.Date }

// Contains reports whether on falls inside p.
func (p Period) Contains(on civil.Date) bool {
	return (p.From.IsZero() || !on.Before(p.From)) && (p.To.IsZero() || !on.After(p.To))
}

// Country is one record of "countries", keyed by alpha-3.
type Country struct {
	Code     string // alpha-3
	Name     string
	ISO2     string
	EUMember bool
	Currency string
	// CurrencyHistory: currency periods, newest first (BGR: EUR from 2026).
	CurrencyHistory []CurrencyPeriod
	TaxName         string
	Standard        money.Decimal
	Reduced         []money.Decimal
	// Further figures, nil when the record has none.
	SuperReduced, Parking, Zero, Increased, Higher, Demerit *money.Decimal
	ServiceTax, TourismGST, Statutory                       *money.Decimal
	EffectiveCombined, EffectiveNonLuxury                   *money.Decimal
	Levies                                                  map[string]money.Decimal // GHA: NHIL, GETFund
	NoVAT                                                   bool
	Regions                                                 map[string]Region // PRT: Madeira, Azores
	TemporaryReducedStandard                                *TemporaryRate    // VNM 8 %
	History                                                 []HistoryPeriod   // newest first
	Sources                                                 []string
	CrossCheck                                              CrossCheck
	Uncertain                                               bool
	Notes                                                   string
}

// CurrencyPeriod is one entry of currency_history.
type CurrencyPeriod struct {
	Period
	Currency string
}

// Region is a part of a country with its own rates.
type Region struct {
	Standard  money.Decimal
	Reduced   []money.Decimal
	Uncertain bool
}

// TemporaryRate is a temporary cut of the standard rate with its scope.
type TemporaryRate struct {
	Period
	Rate  money.Decimal
	Scope string
}

// HistoryPeriod is one entry of a country's history. Reduced is nil when
// the period does not record reduced rates.
type HistoryPeriod struct {
	Period
	Standard                              money.Decimal
	Reduced                               []money.Decimal
	EffectiveCombined, EffectiveNonLuxury *money.Decimal
	Demerit, Higher                       *money.Decimal
	Notes                                 string
}

// CrossCheck is what node-sales-tax (2025) says; NodeSalesTax2025 is nil
// where it has no figure.
type CrossCheck struct {
	NodeSalesTax2025 *money.Decimal
	Agrees           bool
}

// USState is one record of "us_states", keyed by USPS code.
type USState struct {
	Code                     string
	Name                     string
	StateRate                money.Decimal
	HasGeneralSalesTax       bool
	Source                   string
	LocalRatesApply          bool
	NodeSalesTax2025         *money.Decimal
	MarketplaceFacilitator   civil.Date // zero: the record has none (states without sales tax)
	MarketplaceFacilitatorBy string     // marketplace_facilitator_date_source
	History                  []StatePeriod
	Uncertain                bool
	Notes                    string
}

// MarketplaceFacilitatorUncertain reports whether the marketplace
// facilitator date rests on unconfirmed sources.
func (s USState) MarketplaceFacilitatorUncertain() bool {
	return strings.Contains(s.MarketplaceFacilitatorBy, "uncertain") || strings.Contains(s.MarketplaceFacilitatorBy, "secondary")
}

// StatePeriod is one entry of a state's history.
type StatePeriod struct {
	Period
	Rate      money.Decimal
	Source    string
	Uncertain bool
}

// Province is one record of "ca_provinces", keyed by the ISO 3166-2:CA
// suffix. Type is GST, HST, GST+PST, GST+RST or GST+QST; GST, HST and
// Provincial are nil where the record has none.
type Province struct {
	Code       string
	Name       string
	Type       string
	GST        *money.Decimal
	HST        *money.Decimal
	Provincial *money.Decimal // PST, RST or QST
	Combined   money.Decimal
	// MarketplaceFacilitatorText is marketplace_facilitator_pst_from as
	// written; MarketplaceFacilitatorDates the dates it names, in order
	// (QC: services 2019-01-01, goods 2021-07-01).
	MarketplaceFacilitatorText  string
	MarketplaceFacilitatorDates []civil.Date
	History                     []ProvincePeriod
	Conflict                    string
	Uncertain                   bool
}

// ProvincePeriod is one entry of a province's history (NS HST).
type ProvincePeriod struct {
	Period
	HST *money.Decimal
}

// Rate is a country's rates in force on a date.
type Rate struct {
	Jurisdiction string // alpha-3
	Name         string
	TaxName      string
	Currency     string // in force on the date
	Standard     money.Decimal
	Reduced      []money.Decimal
	// Period is the history period the figures come from; zero ends when
	// the record has no history (figures as of meta.generated).
	Period    Period
	Extras    []Figure // every further figure in force: super_reduced, parking, effective_combined, ...
	NoVAT     bool
	Sources   []string
	Uncertain bool
	Notes     []string
}

// Figure is a named rate figure.
type Figure struct {
	Name    string
	Percent money.Decimal
}

// Extra returns the named extra figure.
func (r Rate) Extra(name string) (money.Decimal, bool) {
	for _, f := range r.Extras {
		if f.Name == name {
			return f.Percent, true
		}
	}
	return money.Zero, false
}

// StateRate is a US state's base rate in force on a date.
type StateRate struct {
	Jurisdiction string // "USA-CA"
	Name         string
	Rate         money.Decimal
	Period       Period
	Sources      []string
	Uncertain    bool
	Notes        []string
}

// ProvinceRate is a Canadian province's rates in force on a date.
type ProvinceRate struct {
	Jurisdiction string // "CAN-ON"
	Name         string
	Type         string
	GST          money.Decimal // 0 in HST provinces
	HST          money.Decimal // 0 outside HST provinces
	Provincial   money.Decimal // PST/RST/QST; 0 where none
	Combined     money.Decimal
	Period       Period
	Sources      []string
	Uncertain    bool
	Notes        []string
}

// ParseRates reads a tax-rates.json document. Unknown fields are refused so
// that a figure added to the file cannot silently go unread.
func ParseRates(data []byte) (*Rates, error) {
	var raw rawFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("tax rates: %w", err)
	}
	p := &parser{}
	r := &Rates{
		meta: Meta{
			Generated: raw.Meta.Generated, AsOf: raw.Meta.AsOf, Units: raw.Meta.Units, Keys: raw.Meta.Keys,
			HistorySemantics: raw.Meta.HistorySemantics, UncertainSemantics: raw.Meta.UncertainSemantics,
			CrossCheckNote: raw.Meta.CrossCheckNote, Sources: map[string]Source{},
			Coverage: Coverage{
				Countries: raw.Meta.Coverage.Countries, EUMembers: raw.Meta.Coverage.EUMembers,
				USStatesInclDC: raw.Meta.Coverage.USStatesInclDC, CAProvincesTerritories: raw.Meta.Coverage.CAProvincesTerritories,
				UncertainCountries: raw.Meta.Coverage.UncertainCountries,
			},
		},
		countries: map[string]*Country{},
		states:    map[string]*USState{},
		provinces: map[string]*Province{},
	}
	for k, s := range raw.Meta.Sources {
		r.meta.Sources[k] = Source{What: s.What, Where: s.Where}
	}
	for code, c := range raw.Countries {
		p.at = "countries." + code
		r.countries[code] = p.country(code, c)
	}
	for code, s := range raw.USStates {
		p.at = "us_states." + code
		r.states[code] = p.state(code, s)
	}
	for code, v := range raw.CAProvinces {
		p.at = "ca_provinces." + code
		r.provinces[code] = p.province(code, v)
	}
	if p.err != nil {
		return nil, fmt.Errorf("tax rates: %w", p.err)
	}
	return r, nil
}

// Meta returns the file's meta object.
func (r *Rates) Meta() Meta { return r.meta }

// Country returns the full record of a country (alpha-3, any case).
func (r *Rates) Country(code string) (Country, bool) {
	c, ok := r.countries[strings.ToUpper(code)]
	if !ok {
		return Country{}, false
	}
	return *c, true
}

// USState returns the full record of a US state or DC (USPS code).
func (r *Rates) USState(code string) (USState, bool) {
	s, ok := r.states[strings.ToUpper(code)]
	if !ok {
		return USState{}, false
	}
	return *s, true
}

// Province returns the full record of a Canadian province or territory.
func (r *Rates) Province(code string) (Province, bool) {
	p, ok := r.provinces[strings.ToUpper(code)]
	if !ok {
		return Province{}, false
	}
	return *p, true
}

// CountryCodes, USStateCodes and ProvinceCodes list the keys, sorted.
func (r *Rates) CountryCodes() []string  { return sortedKeys(r.countries) }
func (r *Rates) USStateCodes() []string  { return sortedKeys(r.states) }
func (r *Rates) ProvinceCodes() []string { return sortedKeys(r.provinces) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// InForce returns a country's rates in force on a date (RULES §15.1): the
// history period containing the date, else the top-level figures. After the
// end of a closed newest period the top-level figures are used and marked
// uncertain, since the file does not say what follows.
func (r *Rates) InForce(country string, on civil.Date) (Rate, bool) {
	c, ok := r.countries[strings.ToUpper(country)]
	if !ok {
		return Rate{}, false
	}
	rt := Rate{
		Jurisdiction: c.Code, Name: c.Name, TaxName: c.TaxName, Currency: c.currencyOn(on),
		Standard: c.Standard, Reduced: c.Reduced, NoVAT: c.NoVAT,
		Sources: c.Sources, Uncertain: c.Uncertain,
	}
	if c.Notes != "" {
		rt.Notes = append(rt.Notes, c.Notes)
	}
	current := true // top-level figures apply: no history, or the newest open period
	var hp *HistoryPeriod
	for i := range c.History {
		if c.History[i].Contains(on) {
			hp = &c.History[i]
			break
		}
	}
	switch {
	case hp != nil:
		rt.Period, rt.Standard = hp.Period, hp.Standard
		if hp.Reduced != nil {
			rt.Reduced = hp.Reduced
		}
		current = hp.To.IsZero()
		rt.Extras = appendFigure(rt.Extras, "effective_combined", hp.EffectiveCombined)
		rt.Extras = appendFigure(rt.Extras, "effective_non_luxury", hp.EffectiveNonLuxury)
		rt.Extras = appendFigure(rt.Extras, "demerit", hp.Demerit)
		rt.Extras = appendFigure(rt.Extras, "higher", hp.Higher)
		if hp.Notes != "" {
			rt.Notes = append(rt.Notes, hp.Notes)
		}
	case len(c.History) > 0:
		newest := c.History[0].Period
		if !newest.To.IsZero() && on.After(newest.To) {
			rt.Period = Period{From: newest.To.AddDays(1)}
			rt.Uncertain = true
			rt.Notes = append(rt.Notes, "date after the last recorded period (ends "+newest.To.String()+"): top-level figures used")
		}
	}
	if current {
		for _, f := range []struct {
			name string
			v    *money.Decimal
		}{
			{"super_reduced", c.SuperReduced}, {"parking", c.Parking}, {"zero", c.Zero},
			{"increased", c.Increased}, {"higher", c.Higher}, {"demerit", c.Demerit},
			{"service_tax", c.ServiceTax}, {"tourism_gst", c.TourismGST}, {"statutory", c.Statutory},
			{"effective_combined", c.EffectiveCombined}, {"effective_non_luxury", c.EffectiveNonLuxury},
		} {
			if _, dup := rt.Extra(f.name); !dup {
				rt.Extras = appendFigure(rt.Extras, f.name, f.v)
			}
		}
		for _, k := range sortedKeys(c.Levies) {
			rt.Extras = append(rt.Extras, Figure{Name: "levy " + k, Percent: c.Levies[k]})
		}
	}
	if t := c.TemporaryReducedStandard; t != nil && t.Contains(on) {
		rt.Extras = append(rt.Extras, Figure{Name: "temporary_reduced_standard", Percent: t.Rate})
		rt.Notes = append(rt.Notes, fmt.Sprintf("temporary standard rate %s from %s to %s: %s", t.Rate, t.From, t.To, t.Scope))
	}
	return rt, true
}

func appendFigure(fs []Figure, name string, v *money.Decimal) []Figure {
	if v == nil {
		return fs
	}
	return append(fs, Figure{Name: name, Percent: *v})
}

func (c *Country) currencyOn(on civil.Date) string {
	for _, h := range c.CurrencyHistory {
		if h.Contains(on) {
			return h.Currency
		}
	}
	return c.Currency
}

// CurrencyOn returns the country's currency on a date (RULES §1.8: the
// threshold and intrinsic-value currency of a generic destination).
func (r *Rates) CurrencyOn(country string, on civil.Date) (string, bool) {
	c, ok := r.countries[strings.ToUpper(country)]
	if !ok {
		return "", false
	}
	return c.currencyOn(on), true
}

// knownCurrency reports whether the data names a currency, current or
// past (BGN, Bulgaria's currency until 2025-12-31, is no longer in the ISO
// 4217 list of active codes but dates orders before the euro).
func (r *Rates) knownCurrency(code string) bool {
	for _, c := range r.countries {
		if c.Currency == code {
			return true
		}
		for _, h := range c.CurrencyHistory {
			if h.Currency == code {
				return true
			}
		}
	}
	return false
}

// scheduledStates are changes RULES §13 states that the data carries only
// as text: South Dakota returns to 4.5 % on 2027-07-01 ("2027-07-01 ... SD
// rate back to 4.5 %"; us_states.SD history source "reverts to 4.5 on
// 2027-07-01").
var scheduledStates = map[string]StatePeriod{
	"SD": {Period: Period{From: civil.Date{Year: 2027, Month: 7, Day: 1}}, Rate: money.MustParse("4.5"),
		Source: "us-dataset (scheduled; RULES §13)", Uncertain: true},
}

// USStateInForce returns a state's base sales tax rate on a date (RULES §10,
// §15.1): the history period containing the date, else state_rate.
func (r *Rates) USStateInForce(state string, on civil.Date) (StateRate, bool) {
	s, ok := r.states[strings.ToUpper(state)]
	if !ok {
		return StateRate{}, false
	}
	sr := StateRate{Jurisdiction: "USA-" + s.Code, Name: s.Name, Rate: s.StateRate, Sources: []string{s.Source}, Uncertain: s.Uncertain}
	if s.Notes != "" {
		sr.Notes = append(sr.Notes, s.Notes)
	}
	if sp, ok := scheduledStates[s.Code]; ok && sp.Contains(on) {
		sr.Rate, sr.Period, sr.Uncertain = sp.Rate, sp.Period, true
		sr.Sources = append(sr.Sources, sp.Source)
		return sr, true
	}
	for _, h := range s.History {
		if h.Contains(on) {
			sr.Rate, sr.Period = h.Rate, h.Period
			sr.Uncertain = sr.Uncertain || h.Uncertain
			if h.Source != "" && h.Source != s.Source {
				sr.Sources = append(sr.Sources, h.Source)
			}
			return sr, true
		}
	}
	if len(s.History) > 0 {
		newest := s.History[0].Period
		if !newest.To.IsZero() && on.After(newest.To) {
			sr.Period = Period{From: newest.To.AddDays(1)}
			sr.Uncertain = true
			sr.Notes = append(sr.Notes, "date after the last recorded period (ends "+newest.To.String()+"): state_rate used")
		}
	}
	return sr, true
}

// ProvinceInForce returns a province's GST/HST/PST/QST/RST rates on a date
// (RULES §8, §15.1).
func (r *Rates) ProvinceInForce(prov string, on civil.Date) (ProvinceRate, bool) {
	p, ok := r.provinces[strings.ToUpper(prov)]
	if !ok {
		return ProvinceRate{}, false
	}
	pr := ProvinceRate{Jurisdiction: "CAN-" + p.Code, Name: p.Name, Type: p.Type, Combined: p.Combined,
		Sources: []string{"ca-provinces"}, Uncertain: p.Uncertain}
	if p.GST != nil {
		pr.GST = *p.GST
	}
	if p.HST != nil {
		pr.HST = *p.HST
	}
	if p.Provincial != nil {
		pr.Provincial = *p.Provincial
	}
	if p.Conflict != "" {
		pr.Notes = append(pr.Notes, "conflict: "+p.Conflict)
	}
	for _, h := range p.History {
		if h.Contains(on) {
			pr.Period = h.Period
			if h.HST != nil {
				pr.HST, pr.Combined = *h.HST, *h.HST
			}
			break
		}
	}
	return pr, true
}

// MarketplaceFacilitatorFrom returns the date from which a province's
// marketplace-facilitator rule for its provincial tax applies: for goods
// the last date the record names (QC: 2021-07-01), for services the first
// (QC: 2019-01-01). ok is false where the province has no such rule.
func (r *Rates) MarketplaceFacilitatorFrom(prov string, services bool) (from civil.Date, uncertain, ok bool) {
	p, found := r.provinces[strings.ToUpper(prov)]
	if !found || len(p.MarketplaceFacilitatorDates) == 0 {
		return civil.Date{}, false, false
	}
	ds := p.MarketplaceFacilitatorDates
	from = ds[len(ds)-1]
	if services {
		from = ds[0]
	}
	return from, p.Uncertain || strings.Contains(p.MarketplaceFacilitatorText, "uncertain") ||
		strings.Contains(p.MarketplaceFacilitatorText, "analyst"), true
}

// RateRow is one line of the table printed by `vatgate rates --date`.
type RateRow struct {
	Area          string // "DEU", "PRT/Madeira", "USA-CA", "CAN-QC"
	Name          string
	TaxName       string // "VAT", "sales tax", "GST+QST", ...
	Currency      string
	Standard      money.Decimal // CAN: combined; USA: state rate
	Reduced       []money.Decimal
	Extras        []Figure // every further figure in force (CAN: gst, hst, pst/rst/qst)
	EffectiveFrom civil.Date
	EffectiveTo   civil.Date
	Source        string // source keys joined with ", "
	Uncertain     bool
	Notes         string
}

// Table returns every rate area in force on a date: the countries (with
// their regions), then the US states, then the Canadian provinces, each
// group sorted by code.
func (r *Rates) Table(on civil.Date) []RateRow {
	var rows []RateRow
	for _, code := range r.CountryCodes() {
		rt, _ := r.InForce(code, on)
		rows = append(rows, RateRow{
			Area: code, Name: rt.Name, TaxName: rt.TaxName, Currency: rt.Currency,
			Standard: rt.Standard, Reduced: rt.Reduced, Extras: rt.Extras,
			EffectiveFrom: rt.Period.From, EffectiveTo: rt.Period.To,
			Source: strings.Join(rt.Sources, ", "), Uncertain: rt.Uncertain, Notes: strings.Join(rt.Notes, " "),
		})
		c := r.countries[code]
		for _, name := range sortedKeys(c.Regions) {
			reg := c.Regions[name]
			rows = append(rows, RateRow{
				Area: code + "/" + name, Name: c.Name + " (" + name + ")", TaxName: c.TaxName, Currency: rt.Currency,
				Standard: reg.Standard, Reduced: reg.Reduced,
				Source: strings.Join(c.Sources, ", "), Uncertain: c.Uncertain || reg.Uncertain,
			})
		}
	}
	for _, code := range r.USStateCodes() {
		sr, _ := r.USStateInForce(code, on)
		s := r.states[code]
		row := RateRow{
			Area: sr.Jurisdiction, Name: sr.Name, TaxName: "sales tax", Currency: "USD", Standard: sr.Rate,
			EffectiveFrom: sr.Period.From, EffectiveTo: sr.Period.To,
			Source: strings.Join(sr.Sources, ", "), Uncertain: sr.Uncertain, Notes: strings.Join(sr.Notes, " "),
		}
		if !s.HasGeneralSalesTax {
			row.TaxName = "none (no general sales tax)"
		}
		rows = append(rows, row)
	}
	for _, code := range r.ProvinceCodes() {
		pr, _ := r.ProvinceInForce(code, on)
		row := RateRow{
			Area: pr.Jurisdiction, Name: pr.Name, TaxName: pr.Type, Currency: "CAD", Standard: pr.Combined,
			EffectiveFrom: pr.Period.From, EffectiveTo: pr.Period.To,
			Source: strings.Join(pr.Sources, ", "), Uncertain: pr.Uncertain, Notes: strings.Join(pr.Notes, " "),
		}
		p := r.provinces[code]
		if p.GST != nil {
			row.Extras = append(row.Extras, Figure{Name: "gst", Percent: pr.GST})
		}
		if p.HST != nil {
			row.Extras = append(row.Extras, Figure{Name: "hst", Percent: pr.HST})
		}
		if p.Provincial != nil {
			row.Extras = append(row.Extras, Figure{Name: provincialName(p.Type), Percent: pr.Provincial})
		}
		rows = append(rows, row)
	}
	return rows
}

// provincialName names the provincial part of a Canadian type: pst, rst, qst.
func provincialName(typ string) string {
	if _, part, ok := strings.Cut(typ, "+"); ok {
		return strings.ToLower(part)
	}
	return "provincial"
}

// ---- parsing ----

type rawFile struct {
	Meta struct {
		Generated          string `json:"generated"`
		AsOf               string `json:"as_of"`
		Units              string `json:"units"`
		Keys               string `json:"keys"`
		HistorySemantics   string `json:"history_semantics"`
		UncertainSemantics string `json:"uncertain_semantics"`
		Sources            map[string]struct {
			What  string `json:"what"`
			Where string `json:"where"`
		} `json:"sources"`
		CrossCheckNote string `json:"cross_check_note"`
		Coverage       struct {
			Countries              int      `json:"countries"`
			EUMembers              int      `json:"eu_members"`
			UncertainCountries     []string `json:"uncertain_countries"`
			USStatesInclDC         int      `json:"us_states_incl_dc"`
			CAProvincesTerritories int      `json:"ca_provinces_territories"`
		} `json:"coverage"`
	} `json:"meta"`
	Countries   map[string]rawCountry  `json:"countries"`
	USStates    map[string]rawState    `json:"us_states"`
	CAProvinces map[string]rawProvince `json:"ca_provinces"`
}

type rawCountry struct {
	Name            string `json:"name"`
	ISO2            string `json:"iso2"`
	EUMember        bool   `json:"eu_member"`
	Currency        string `json:"currency"`
	CurrencyHistory []struct {
		From     string `json:"from"`
		To       string `json:"to"`
		Currency string `json:"currency"`
	} `json:"currency_history"`
	TaxName            string                 `json:"tax_name"`
	Standard           json.Number            `json:"standard"`
	Reduced            []json.Number          `json:"reduced"`
	SuperReduced       json.Number            `json:"super_reduced"`
	Parking            json.Number            `json:"parking"`
	Zero               json.Number            `json:"zero"`
	Increased          json.Number            `json:"increased"`
	Higher             json.Number            `json:"higher"`
	Demerit            json.Number            `json:"demerit"`
	ServiceTax         json.Number            `json:"service_tax"`
	TourismGST         json.Number            `json:"tourism_gst"`
	Statutory          json.Number            `json:"statutory"`
	EffectiveCombined  json.Number            `json:"effective_combined"`
	EffectiveNonLuxury json.Number            `json:"effective_non_luxury"`
	Levies             map[string]json.Number `json:"levies"`
	NoVAT              bool                   `json:"no_vat"`
	Regions            map[string]struct {
		Standard  json.Number   `json:"standard"`
		Reduced   []json.Number `json:"reduced"`
		Uncertain bool          `json:"uncertain"`
	} `json:"regions"`
	TemporaryReducedStandard *struct {
		Rate  json.Number `json:"rate"`
		From  string      `json:"from"`
		To    string      `json:"to"`
		Scope string      `json:"scope"`
	} `json:"temporary_reduced_standard"`
	History []struct {
		From               string        `json:"from"`
		To                 string        `json:"to"`
		Standard           json.Number   `json:"standard"`
		Reduced            []json.Number `json:"reduced"`
		EffectiveCombined  json.Number   `json:"effective_combined"`
		EffectiveNonLuxury json.Number   `json:"effective_non_luxury"`
		Demerit            json.Number   `json:"demerit"`
		Higher             json.Number   `json:"higher"`
		Notes              string        `json:"notes"`
	} `json:"history"`
	Sources    []string `json:"sources"`
	CrossCheck struct {
		NodeSalesTax2025 json.Number `json:"node_sales_tax_2025"`
		Agrees           bool        `json:"agrees"`
	} `json:"cross_check"`
	Uncertain bool   `json:"uncertain"`
	Notes     string `json:"notes"`
}

type rawState struct {
	Name                      string      `json:"name"`
	StateRate                 json.Number `json:"state_rate"`
	HasGeneralSalesTax        bool        `json:"has_general_sales_tax"`
	Source                    string      `json:"source"`
	LocalRatesApply           bool        `json:"local_rates_apply"`
	NodeSalesTax2025Value     json.Number `json:"node_sales_tax_2025_value"`
	MarketplaceFacilitator    string      `json:"marketplace_facilitator_effective"`
	MarketplaceFacilitatorSrc string      `json:"marketplace_facilitator_date_source"`
	History                   []struct {
		From      string      `json:"from"`
		To        string      `json:"to"`
		Rate      json.Number `json:"rate"`
		Source    string      `json:"source"`
		Uncertain bool        `json:"uncertain"`
	} `json:"history"`
	Uncertain bool   `json:"uncertain"`
	Notes     string `json:"notes"`
}

type rawProvince struct {
	Name                   string      `json:"name"`
	GST                    json.Number `json:"gst"`
	HST                    json.Number `json:"hst"`
	Provincial             json.Number `json:"provincial"`
	Type                   string      `json:"type"`
	Combined               json.Number `json:"combined"`
	MarketplaceFacilitator string      `json:"marketplace_facilitator_pst_from"`
	History                []struct {
		From string      `json:"from"`
		To   string      `json:"to"`
		HST  json.Number `json:"hst"`
	} `json:"history"`
	Conflict  string `json:"conflict"`
	Uncertain bool   `json:"uncertain"`
}

// parser keeps the first error and the record it was reading.
type parser struct {
	at  string
	err error
}

func (p *parser) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("%s: %s", p.at, fmt.Sprintf(format, args...))
	}
}

func (p *parser) num(n json.Number, field string) money.Decimal {
	d, err := money.Parse(string(n))
	if err != nil {
		p.fail("%s: %q is not a number", field, n)
	}
	return d
}

// opt parses an optional number: "" (absent or null) is nil.
func (p *parser) opt(n json.Number, field string) *money.Decimal {
	if n == "" {
		return nil
	}
	d := p.num(n, field)
	return &d
}

func (p *parser) nums(ns []json.Number, field string) []money.Decimal {
	if ns == nil {
		return nil
	}
	out := make([]money.Decimal, len(ns))
	for i, n := range ns {
		out[i] = p.num(n, field)
	}
	return out
}

func (p *parser) date(s, field string) civil.Date {
	if s == "" {
		return civil.Date{}
	}
	d, err := civil.ParseDate(s)
	if err != nil {
		p.fail("%s: %q is not a date", field, s)
	}
	return d
}

func (p *parser) period(from, to string) Period {
	return Period{From: p.date(from, "from"), To: p.date(to, "to")}
}

func (p *parser) country(code string, c rawCountry) *Country {
	out := &Country{
		Code: code, Name: c.Name, ISO2: c.ISO2, EUMember: c.EUMember, Currency: c.Currency, TaxName: c.TaxName,
		Standard: p.num(c.Standard, "standard"), Reduced: p.nums(c.Reduced, "reduced"),
		SuperReduced: p.opt(c.SuperReduced, "super_reduced"), Parking: p.opt(c.Parking, "parking"),
		Zero: p.opt(c.Zero, "zero"), Increased: p.opt(c.Increased, "increased"), Higher: p.opt(c.Higher, "higher"),
		Demerit: p.opt(c.Demerit, "demerit"), ServiceTax: p.opt(c.ServiceTax, "service_tax"),
		TourismGST: p.opt(c.TourismGST, "tourism_gst"), Statutory: p.opt(c.Statutory, "statutory"),
		EffectiveCombined:  p.opt(c.EffectiveCombined, "effective_combined"),
		EffectiveNonLuxury: p.opt(c.EffectiveNonLuxury, "effective_non_luxury"),
		NoVAT:              c.NoVAT, Sources: c.Sources, Uncertain: c.Uncertain, Notes: c.Notes,
		CrossCheck: CrossCheck{NodeSalesTax2025: p.opt(c.CrossCheck.NodeSalesTax2025, "cross_check"), Agrees: c.CrossCheck.Agrees},
	}
	if len(code) != 3 || code != strings.ToUpper(code) {
		p.fail("key is not an upper-case alpha-3 code")
	}
	for _, h := range c.CurrencyHistory {
		out.CurrencyHistory = append(out.CurrencyHistory, CurrencyPeriod{Period: p.period(h.From, h.To), Currency: h.Currency})
	}
	if c.Levies != nil {
		out.Levies = map[string]money.Decimal{}
		for k, v := range c.Levies {
			out.Levies[k] = p.num(v, "levies."+k)
		}
	}
	if c.Regions != nil {
		out.Regions = map[string]Region{}
		for k, v := range c.Regions {
			out.Regions[k] = Region{Standard: p.num(v.Standard, "regions."+k), Reduced: p.nums(v.Reduced, "regions."+k), Uncertain: v.Uncertain}
		}
	}
	if t := c.TemporaryReducedStandard; t != nil {
		out.TemporaryReducedStandard = &TemporaryRate{Period: p.period(t.From, t.To), Rate: p.num(t.Rate, "temporary_reduced_standard"), Scope: t.Scope}
	}
	for _, h := range c.History {
		out.History = append(out.History, HistoryPeriod{
			Period: p.period(h.From, h.To), Standard: p.num(h.Standard, "history.standard"), Reduced: p.nums(h.Reduced, "history.reduced"),
			EffectiveCombined:  p.opt(h.EffectiveCombined, "history.effective_combined"),
			EffectiveNonLuxury: p.opt(h.EffectiveNonLuxury, "history.effective_non_luxury"),
			Demerit:            p.opt(h.Demerit, "history.demerit"), Higher: p.opt(h.Higher, "history.higher"), Notes: h.Notes,
		})
	}
	return out
}

func (p *parser) state(code string, s rawState) *USState {
	out := &USState{
		Code: code, Name: s.Name, StateRate: p.num(s.StateRate, "state_rate"), HasGeneralSalesTax: s.HasGeneralSalesTax,
		Source: s.Source, LocalRatesApply: s.LocalRatesApply, NodeSalesTax2025: p.opt(s.NodeSalesTax2025Value, "node_sales_tax_2025_value"),
		MarketplaceFacilitator:   p.date(s.MarketplaceFacilitator, "marketplace_facilitator_effective"),
		MarketplaceFacilitatorBy: s.MarketplaceFacilitatorSrc, Uncertain: s.Uncertain, Notes: s.Notes,
	}
	for _, h := range s.History {
		out.History = append(out.History, StatePeriod{Period: p.period(h.From, h.To), Rate: p.num(h.Rate, "history.rate"), Source: h.Source, Uncertain: h.Uncertain})
	}
	return out
}

var isoDate = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)

func (p *parser) province(code string, v rawProvince) *Province {
	out := &Province{
		Code: code, Name: v.Name, Type: v.Type, GST: p.opt(v.GST, "gst"), HST: p.opt(v.HST, "hst"),
		Provincial: p.opt(v.Provincial, "provincial"), Combined: p.num(v.Combined, "combined"),
		MarketplaceFacilitatorText: v.MarketplaceFacilitator, Conflict: v.Conflict, Uncertain: v.Uncertain,
	}
	for _, s := range isoDate.FindAllString(v.MarketplaceFacilitator, -1) {
		out.MarketplaceFacilitatorDates = append(out.MarketplaceFacilitatorDates, p.date(s, "marketplace_facilitator_pst_from"))
	}
	for _, h := range v.History {
		out.History = append(out.History, ProvincePeriod{Period: p.period(h.From, h.To), HST: p.opt(h.HST, "history.hst")})
	}
	switch out.Type {
	case TaxGST, TaxHST, TaxGSTPST, TaxGSTRST, TaxGSTQST:
	default:
		p.fail("type %q is not a Canadian tax type", out.Type)
	}
	return out
}
