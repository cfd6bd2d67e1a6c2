package iso

import "testing"

func TestListSizes(t *testing.T) {
	// ISO 3166-1 assigns 249 codes, ISO 639-1 has 183; ISO 4217's active list
	// changes slowly, so only a sane range is asserted for it.
	if n := CountryCount(); n != 249 {
		t.Errorf("countries = %d, want 249", n)
	}
	if n := LanguageCount(); n != 183 {
		t.Errorf("languages = %d, want 183", n)
	}
	if n := CurrencyCount(); n < 150 || n > 200 {
		t.Errorf("currencies = %d, want 150..200", n)
	}
}

func TestCountry(t *testing.T) {
	tests := []struct {
		code   string
		ok     bool
		alpha2 string
	}{
		{"USA", true, "US"}, {"usa", true, "US"}, {"DEU", true, "DE"}, {"GBR", true, "GB"},
		{"NAM", true, "NA"}, {"XKX", false, ""}, {"ANT", false, ""}, {"YUG", false, ""},
		{"UK", false, ""}, {"AAA", false, ""}, {"", false, ""}, {"USAA", false, ""},
	}
	for _, tt := range tests {
		c, ok := CountryByAlpha3(tt.code)
		if ok != tt.ok || c.Alpha2 != tt.alpha2 {
			t.Errorf("CountryByAlpha3(%q) = %+v, %v; want alpha2 %q, %v", tt.code, c, ok, tt.alpha2, tt.ok)
		}
	}
	if c, ok := CountryByAlpha2("de"); !ok || c.Alpha3 != "DEU" {
		t.Errorf("CountryByAlpha2(de) = %+v, %v", c, ok)
	}
}

func TestLanguage(t *testing.T) {
	for code, want := range map[string]bool{
		"en": true, "EN": true, "De": true, "zu": true, "iw": false, "in": false,
		"xx": false, "eng": false, "e": false, "": false,
	} {
		if got := IsLanguage(code); got != want {
			t.Errorf("IsLanguage(%q) = %v, want %v", code, got, want)
		}
	}
}

func TestCurrency(t *testing.T) {
	for code, minor := range map[string]int{"EUR": 2, "usd": 2, "JPY": 0, "BHD": 3, "XAU": -1} {
		c, ok := CurrencyByCode(code)
		if !ok || c.MinorUnits != minor {
			t.Errorf("CurrencyByCode(%q) = %+v, %v; want minor %d", code, c, ok, minor)
		}
	}
	for _, code := range []string{"DEM", "EURO", "EU", "ABC", ""} {
		if _, ok := CurrencyByCode(code); ok {
			t.Errorf("CurrencyByCode(%q) accepted", code)
		}
	}
}
