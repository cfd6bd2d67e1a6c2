package omp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"cloud.google.com/go/civil"

	"github.com/vatgate/vatgate/internal/money"
)

// Parsing tax-rates.json: the raw shapes of the file, read with UseNumber so
// that every figure keeps its literal text, and converted to exact decimals.

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
