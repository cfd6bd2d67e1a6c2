package omp

import (
	_ "embed"
	"fmt"
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
