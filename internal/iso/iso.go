// Package iso holds the ISO code lists vatgate validates against: ISO 3166-1
// countries (alpha-3 with their alpha-2), ISO 639-1 languages and ISO 4217
// currencies.
//
// The lists are data files embedded from public datasets (their sources are
// named in each file's header) rather than golang.org/x/text, because x/text
// also accepts withdrawn and reserved codes (278 "countries" and 190 languages
// where ISO assigns 249 and 183), and a code we accept ends up on legal
// documents.
package iso

import (
	"bufio"
	"bytes"
	_ "embed"
	"strings"
)

var (
	//go:embed data/countries.tsv
	countriesTSV []byte
	//go:embed data/languages.tsv
	languagesTSV []byte
	//go:embed data/currencies.tsv
	currenciesTSV []byte
)

// Country is one ISO 3166-1 entry.
type Country struct {
	Alpha3 string
	Alpha2 string
	Name   string
}

// Currency is one active ISO 4217 entry. MinorUnits is -1 where ISO gives
// none (funds codes and precious metals).
type Currency struct {
	Code       string
	MinorUnits int
	Name       string
}

var (
	countriesByAlpha3 = map[string]Country{}
	countriesByAlpha2 = map[string]Country{}
	languages         = map[string]string{}
	currencies        = map[string]Currency{}
)

func init() {
	for _, f := range rows(countriesTSV) {
		c := Country{Alpha3: f[0], Alpha2: f[1], Name: f[2]}
		countriesByAlpha3[c.Alpha3] = c
		countriesByAlpha2[c.Alpha2] = c
	}
	for _, f := range rows(languagesTSV) {
		languages[f[0]] = f[1]
	}
	for _, f := range rows(currenciesTSV) {
		minor := -1
		if len(f[1]) == 1 && f[1][0] >= '0' && f[1][0] <= '9' {
			minor = int(f[1][0] - '0')
		}
		currencies[f[0]] = Currency{Code: f[0], MinorUnits: minor, Name: f[2]}
	}
}

// rows splits an embedded TSV file into its fields, skipping comments.
func rows(data []byte) [][]string {
	var out [][]string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, strings.Split(line, "\t"))
	}
	return out
}

// CountryByAlpha3 finds a country by its alpha-3 code, in any letter case.
func CountryByAlpha3(code string) (Country, bool) {
	c, ok := countriesByAlpha3[strings.ToUpper(code)]
	return c, ok
}

// CountryByAlpha2 finds a country by its alpha-2 code, in any letter case.
func CountryByAlpha2(code string) (Country, bool) {
	c, ok := countriesByAlpha2[strings.ToUpper(code)]
	return c, ok
}

// IsLanguage reports whether code is an ISO 639-1 code, in any letter case.
func IsLanguage(code string) bool {
	_, ok := languages[strings.ToLower(code)]
	return ok
}

// CurrencyByCode finds an active ISO 4217 currency, in any letter case.
func CurrencyByCode(code string) (Currency, bool) {
	c, ok := currencies[strings.ToUpper(code)]
	return c, ok
}

// CountryCount, LanguageCount and CurrencyCount tell the size of each list.
func CountryCount() int  { return len(countriesByAlpha3) }
func LanguageCount() int { return len(languages) }
func CurrencyCount() int { return len(currencies) }
