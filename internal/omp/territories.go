package omp

import (
	"strings"

	"github.com/vatgate/vatgate/internal/money"
)

// RULES §1.2: the EU27 (the Member States of the VAT Directive).
var eu27 = map[string]bool{
	"AUT": true, "BEL": true, "BGR": true, "HRV": true, "CYP": true, "CZE": true, "DNK": true,
	"EST": true, "FIN": true, "FRA": true, "DEU": true, "GRC": true, "HUN": true, "IRL": true,
	"ITA": true, "LVA": true, "LTU": true, "LUX": true, "MLT": true, "NLD": true, "POL": true,
	"PRT": true, "ROU": true, "SVK": true, "SVN": true, "ESP": true, "SWE": true,
}

func euMember(code string) bool { return eu27[code] }

// vatArea groups countries that form one VAT territory (RULES §1.2): Monaco
// is inside the French VAT territory, the Isle of Man inside the UK VAT
// area, and Switzerland and Liechtenstein form one territory. A supply
// between two countries of one area is domestic.
func vatArea(code string) string {
	switch code {
	case "MCO":
		return "FRA"
	case "IMN":
		return "GBR"
	case "LIE":
		return "CHE"
	}
	return code
}

// territory is a part of an EU country outside the EU VAT territory (RULES
// §1.2; Art. 6 Directive 2006/112/EC), detected from a postal code. RULES
// says to treat them as third territories and no more: what tax the
// territory levies is taken from tax-rates.json's notes where they give it
// and is otherwise "none modelled" ([CONVENTION] of this package).
type territory struct {
	name     string
	country  string   // the alpha-3 the postal code belongs to
	prefixes []string // normalised postal-code prefixes
	// swiss: the territory belongs to the Swiss VAT territory (Büsingen am
	// Hochrhein, Swiss VAT Act Art. 3(a) with the customs treaty of 1964):
	// answered by §6 as if the arrival were CHE.
	swiss bool
	// rateOf: the territory levies the VAT of this country at its rates
	// (Åland: Finnish VAT, outside the EU VAT territory, Art. 6(1)(d)).
	rateOf string
	// rate: the territory's own general rate (Canary Islands IGIC 7,
	// French DOM 8.5), nil with noVAT where no such tax is modelled.
	rate      *money.Decimal
	noVAT     bool
	source    string // where the figure or the treatment comes from
	uncertain bool
}

func pct(s string) *money.Decimal { d := money.MustParse(s); return &d }

// thirdTerritories, longest prefixes first within a country.
var thirdTerritories = []territory{
	{name: "Canary Islands", country: "ESP", prefixes: []string{"35", "38"}, rate: pct("7"),
		source: "IGIC 7 % (tax-rates.json countries.ESP.notes)"},
	{name: "Ceuta", country: "ESP", prefixes: []string{"51"}, noVAT: true, uncertain: true,
		source: "outside the EU VAT territory; IPSI not modelled (RULES §1.2)"},
	{name: "Melilla", country: "ESP", prefixes: []string{"52"}, noVAT: true, uncertain: true,
		source: "outside the EU VAT territory; IPSI not modelled (RULES §1.2)"},
	{name: "Büsingen am Hochrhein", country: "DEU", prefixes: []string{"78266"}, swiss: true,
		source: "Swiss VAT territory (tax-rates.json countries.DEU.notes; Swiss VAT Act Art. 3(a))"},
	{name: "Heligoland", country: "DEU", prefixes: []string{"27498"}, noVAT: true,
		source: "outside the EU VAT territory, no VAT (tax-rates.json countries.DEU.notes)"},
	{name: "Livigno", country: "ITA", prefixes: []string{"23041"}, noVAT: true,
		source: "outside the EU VAT territory, no VAT (tax-rates.json countries.ITA.notes)"},
	{name: "Campione d'Italia", country: "ITA", prefixes: []string{"22061", "22060"}, noVAT: true, uncertain: true,
		source: "outside the EU VAT territory (tax-rates.json countries.ITA.notes); local consumption tax not modelled"},
	{name: "Mount Athos", country: "GRC", prefixes: []string{"63086"}, noVAT: true,
		source: "outside the EU VAT territory, exempt (tax-rates.json countries.GRC.notes)"},
	{name: "Saint-Barthélemy", country: "FRA", prefixes: []string{"97133"}, noVAT: true, uncertain: true,
		source: "French overseas collectivity without VAT (RULES §1.2 French DOM 971-976)"},
	{name: "Saint-Martin", country: "FRA", prefixes: []string{"97150"}, noVAT: true, uncertain: true,
		source: "French overseas collectivity without VAT (RULES §1.2 French DOM 971-976)"},
	{name: "Guadeloupe", country: "FRA", prefixes: []string{"971"}, rate: pct("8.5"),
		source: "8.5 % (tax-rates.json countries.FRA.notes)"},
	{name: "Martinique", country: "FRA", prefixes: []string{"972"}, rate: pct("8.5"),
		source: "8.5 % (tax-rates.json countries.FRA.notes)"},
	{name: "French Guiana", country: "FRA", prefixes: []string{"973"}, noVAT: true,
		source: "0 %, VAT not applied (tax-rates.json countries.FRA.notes)"},
	{name: "Réunion", country: "FRA", prefixes: []string{"974"}, rate: pct("8.5"),
		source: "8.5 % (tax-rates.json countries.FRA.notes)"},
	{name: "Saint-Pierre-et-Miquelon", country: "FRA", prefixes: []string{"975"}, noVAT: true, uncertain: true,
		source: "outside the EU VAT territory (RULES §1.2 French DOM 971-976); no VAT"},
	{name: "Mayotte", country: "FRA", prefixes: []string{"976"}, noVAT: true,
		source: "0 %, VAT not applied (tax-rates.json countries.FRA.notes)"},
	{name: "Åland", country: "FIN", prefixes: []string{"22"}, rateOf: "FIN",
		source: "outside the EU VAT territory (Art. 6(1)(d)); Finnish VAT at Finnish rates"},
}

// normZip reduces a postal code to its digits and letters, upper case, with
// a leading country prefix such as "D-", "DE-", "AX-", "FI-" removed.
func normZip(zip string) string {
	z := strings.ToUpper(strings.TrimSpace(zip))
	if i := strings.IndexByte(z, '-'); i > 0 && i <= 2 && isLetters(z[:i]) {
		z = z[i+1:]
	}
	var b strings.Builder
	for _, r := range z {
		if (r >= '0' && r <= '9') || (r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isLetters(s string) bool {
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return s != ""
}

// thirdTerritory returns the third territory a postal code of an EU country
// lies in, or nil. Only 5-digit postal codes are recognised (every country
// concerned uses them), so a code such as "35" alone is not taken for the
// Canary Islands.
func thirdTerritory(country, zip string) *territory {
	z := normZip(zip)
	if len(z) != 5 || !isDigits(z) {
		return nil
	}
	for i := range thirdTerritories {
		t := &thirdTerritories[i]
		if t.country != country {
			continue
		}
		for _, p := range t.prefixes {
			if strings.HasPrefix(z, p) {
				return t
			}
		}
	}
	return nil
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// place is a departure or arrival with what RULES §1.2 derives from it.
type place struct {
	country string     // alpha-3, upper case
	zip     string     // as given
	state   string     // upper case
	tt      *territory // third territory, or nil
	ni      bool       // Northern Ireland (RULES §1.2 [CONVENTION])
}

func newPlace(country, zip, state string) place {
	p := place{country: country, zip: zip, state: state}
	if euMember(country) {
		p.tt = thirdTerritory(country, zip)
	}
	if country == "GBR" {
		p.ni = state == "NI" || strings.HasPrefix(normZip(zip), "BT")
	}
	return p
}

// inEUGoods reports whether goods at p are inside the EU VAT territory for
// the goods rules of §3: EU27 (with Monaco) outside the third territories,
// and Northern Ireland (Windsor Framework, §3 E10) from 2021-01-01.
func (p place) inEUGoods(niApplies bool) bool {
	if p.tt != nil {
		return false
	}
	return euMember(vatArea(p.country)) || (p.ni && niApplies)
}
