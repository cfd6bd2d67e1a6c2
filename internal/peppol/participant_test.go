package peppol

import (
	"errors"
	"strings"
	"testing"
)

func TestSchemeData(t *testing.T) {
	bis := 0
	for code, s := range schemes {
		if !isICD(code) {
			t.Errorf("scheme %q: not four digits", code)
		}
		if s.BIS == "yes" {
			bis++
			if s.State != "active" {
				t.Errorf("scheme %s: allowed by BIS but %s in the Peppol code list", code, s.State)
			}
		}
		if s.refusal() == "" != (s.BIS == "yes") {
			t.Errorf("scheme %s: refusal %q with bis %q", code, s.refusal(), s.BIS)
		}
	}
	// BIS Billing 3.0.21 (2026.5) lists 82 codes for PEPPOL-EN16931-CL008.
	if bis != 82 {
		t.Errorf("%d schemes allowed by BIS, want 82", bis)
	}
	for from, to := range successors {
		if _, ok := schemes[from]; !ok {
			t.Errorf("successor of unknown scheme %s", from)
		}
		if schemes[to].BIS != "yes" {
			t.Errorf("successor %s of %s is not allowed by BIS", to, from)
		}
	}
}

func TestFormatExamplesParse(t *testing.T) {
	for code, f := range formats {
		if schemes[code].BIS != "yes" {
			t.Errorf("format for scheme %s, which BIS does not allow", code)
		}
		p, err := Parse(code + ":" + f.example)
		if err != nil {
			t.Errorf("example of %s: %v", code, err)
			continue
		}
		if p.Value != f.example {
			t.Errorf("example of %s: value %q, want %q", code, p.Value, f.example)
		}
	}
}

func TestParseSpellings(t *testing.T) {
	want := ParticipantID{Scheme: "9930", Value: "DE123456789"}
	for _, in := range []string{
		"9930:DE123456789",
		"iso6523-actorid-upis::9930:DE123456789",
		"ISO6523-ACTORID-UPIS::9930:DE123456789",
		"Iso6523-Actorid-Upis::9930:de123456789",
		"  9930:de123456789\t",
		" iso6523-actorid-upis::9930:De123456789 ",
	} {
		p, err := Parse(in)
		if err != nil || p != want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", in, p, err, want)
		}
	}
	if got := want.String(); got != "9930:DE123456789" {
		t.Errorf("String() = %q", got)
	}
	if got := want.URN(); got != "iso6523-actorid-upis::9930:DE123456789" {
		t.Errorf("URN() = %q", got)
	}
	if (ParticipantID{}).String() != "" || (ParticipantID{}).URN() != "" {
		t.Error("zero ParticipantID does not print as empty")
	}
}

func TestParseKeepsCaseWithoutFormat(t *testing.T) {
	// 0130 has no known format: the value is kept as given, and compared
	// case-insensitively as Peppol does.
	p, err := Parse("0130:AbC-1.x_y~z")
	if err != nil || p.Value != "AbC-1.x_y~z" {
		t.Fatalf("Parse = %+v, %v", p, err)
	}
	if !p.Equal(ParticipantID{Scheme: "0130", Value: "abc-1.X_Y~Z"}) {
		t.Error("Equal is case-sensitive")
	}
	if p.Equal(ParticipantID{Scheme: "0135", Value: "AbC-1.x_y~z"}) {
		t.Error("Equal ignores the scheme")
	}
	// 0225 keeps case although it has a format.
	if p, err := Parse("0225:Siren_abc"); err != nil || p.Value != "Siren_abc" {
		t.Errorf("Parse(0225) = %+v, %v", p, err)
	}
}

func TestParseMessages(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0088:1234567890123", `participant id "0088:1234567890123": GLN check digit is 3, expected 8`},
		{"", `participant id "": empty; expected ICD:identifier, e.g. 0192:123456789`},
		{"DE123456789", `participant id "DE123456789": no scheme: expected ICD:identifier, e.g. 9930:DE123456789`},
		{"DE:VAT:DE123456789", `participant id "DE:VAT:DE123456789": scheme DE:VAT must be written as its ICD code: 9930:DE123456789`},
		{"gln:1548079098355", `participant id "gln:1548079098355": scheme GLN must be written as its ICD code: 0088:1548079098355`},
		{"192:745707327", `participant id "192:745707327": scheme "192" is not a 4-digit ICD code; expected ICD:identifier, e.g. 9930:DE123456789`},
		{"1234:1", `participant id "1234:1": scheme 1234 is not in the Peppol EAS code list`},
		{"0037:003720774740", `participant id "0037:003720774740": scheme 0037 (FI:OVT) was removed from the Peppol code list on 2024-12-31; use 0216 (FI:OVT2) instead`},
		{"9901:1", `participant id "9901:1": scheme 9901 (DK:CPR) was removed from the Peppol code list on 2023-11-30`},
		{"0193:abcd", `participant id "0193:abcd": scheme 0193 (UBLBE) is deprecated in the Peppol code list (since release 9.6) and not allowed by Peppol BIS Billing 3.0`},
		{"9909:NO745707327MVA", `participant id "9909:NO745707327MVA": scheme 9909 (NO:VAT) is deprecated in the Peppol code list (since release 1.1.0) and not allowed by Peppol BIS Billing 3.0; use 0192 (NO:ORG) instead`},
		{"0158:12345678", `participant id "0158:12345678": scheme 0158 (SK:ICO) is no longer allowed as an electronic address by Peppol BIS Billing 3.0 (dropped from the EAS list in release 2026.5)`},
		{"0147:1", `participant id "0147:1": scheme 0147 (Standard Company Code) is no longer allowed as an electronic address by Peppol BIS Billing 3.0 (dropped from the EAS list in release 2026.5)`},
		{"busdox-actorid-upis::0192:745707327", `participant id "busdox-actorid-upis::0192:745707327": identifier scheme "busdox-actorid-upis" is not iso6523-actorid-upis; Peppol participants use only that one`},
		{"0192:", `participant id "0192:": empty identifier after the scheme`},
		{"0192:745 707 327", `participant id "0192:745 707 327": identifier contains a space at position 4; Peppol allows only letters, digits, '-', '.', '_' and '~'`},
		{"0130:Müller", `participant id "0130:Müller": identifier contains 'ü' at position 2; Peppol allows only letters, digits, '-', '.', '_' and '~'`},
		{"0130:a::b", `participant id "0130:a::b": identifier contains ':' at position 2; Peppol allows only letters, digits, '-', '.', '_' and '~'`},
		{"0130:a:b", `participant id "0130:a:b": identifier contains ':' at position 2; Peppol allows only letters, digits, '-', '.', '_' and '~'`},
		{"0130:" + strings.Repeat("a", 131), `participant id "0130:` + strings.Repeat("a", 131) + `": identifier is 131 characters long; Peppol allows at most 130`},
		{"9930:123456789", `participant id "9930:123456789": German VAT number (9930) must be DE + 9 digits, e.g. 9930:DE123456789`},
		{"0184:DK13585628", `participant id "0184:DK13585628": Danish CVR number (0184) must be 8 digits, not starting with 0 and without the DK prefix, e.g. 0184:13585628`},
		{"0192:745707328", `participant id "0192:745707328": Norwegian organisation number check digit is 8, expected 7`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		var ie *IDError
		if !errors.As(err, &ie) {
			t.Errorf("Parse(%q) error = %v, want an *IDError", tt.in, err)
			continue
		}
		if ie.Input != tt.in || err.Error() != tt.want {
			t.Errorf("Parse(%q) error\n got %s\nwant %s", tt.in, err, tt.want)
		}
	}
	if _, err := Parse("0130:" + strings.Repeat("a", 130)); err != nil {
		t.Errorf("130 characters refused: %v", err)
	}
}

// TestFormats covers every scheme with a format: valid values (including
// lower case where the format upper-cases) and refused ones with a part of
// the reason.
func TestFormats(t *testing.T) {
	type bad struct{ value, reason string }
	tests := map[string]struct {
		ok  []string
		bad []bad
	}{
		"0002": {[]string{"784301772", "78430177200025", "35600000000048", "35600000049837"}, []bad{
			{"784301773", "check digit is 3, expected 2"}, {"78430177200026", "check digit is 6, expected 5"},
			{"7843017720", "9 digits (SIREN) or 14 digits"}, {"35600000049838", "La Poste must have a digit sum divisible by 5, not 46"}}},
		"0007": {[]string{"2120000787", "5560360793"}, []bad{
			{"2120000788", "check digit is 8, expected 7"}, {"212000078", "10 digits"}, {"212000078A", "10 digits"}}},
		"0009": {[]string{"78430177200025", "35600000049837"}, []bad{
			{"78430177200024", "check digit is 4, expected 5"}, {"784301772", "14 digits"}}},
		"0060": {[]string{"812810734", "123456789"}, []bad{{"81281073", "9 digits"}, {"8128107345", "9 digits"}}},
		"0088": {[]string{"1548079098355", "5790000435951", "7300010000001"}, []bad{
			{"1234567890123", "GLN check digit is 3, expected 8"}, {"154807909835", "13 digits"}, {"15480790983550", "13 digits"}}},
		"0096": {[]string{"1234567890"}, []bad{{"123456789", "10 digits"}, {"DK12345678", "10 digits"}}},
		"0106": {[]string{"12345678", "34084752"}, []bad{{"1234567", "8 digits"}, {"12345678901234567", "8 digits"}}},
		"0151": {[]string{"51824753556", "53004085616"}, []bad{
			{"51824753557", "fails its mod-89 check (remainder"}, {"5182475355", "11 digits"}}},
		"0183": {[]string{"CHE109322551", "che116356934"}, []bad{
			{"CHE109322552", "Swiss UID check digit is 2, expected 1"}, {"CHE10932255", "CHE + 9 digits"}, {"109322551", "CHE + 9 digits"}}},
		"0184": {[]string{"13585628", "10150817"}, []bad{
			{"13585627", "Danish CVR number check digit is 7, expected 8"}, {"03585628", "not starting with 0"},
			{"DK13585628", "without the DK prefix"}, {"1358562", "8 digits"}}},
		"0190": {[]string{"00000001820029336000"}, []bad{{"0000000182002933600", "20 digits"}}},
		"0191": {[]string{"10137025", "80063670"}, []bad{
			{"10137026", "check digit is 6, expected 5"}, {"20137025", "starting with 1, 7, 8 or 9"}, {"1013702", "8 digits"}}},
		"0192": {[]string{"745707327", "974760673", "923609016"}, []bad{
			{"745707328", "check digit is 8, expected 7"}, {"000000000", "must not be all zeros"},
			{"74570732", "9 digits"}, {"NO745707327", "9 digits"}, {"123456700", "no check digit fits its first 8 digits"}}},
		"0196": {[]string{"4504013150"}, []bad{{"4504013140", "check digit is 4, expected 5"}, {"450401-3150", "10 digits"}}},
		"0198": {[]string{"DK13585628", "dk13585628"}, []bad{{"DK13585627", "check digit is 7, expected 8"}, {"13585628", "DK + 8 digits"}}},
		"0199": {[]string{"5493001KJTIIGC8Y1R12", "529900t8bm49aursdo55"}, []bad{
			{"5493001KJTIIGC8Y1R13", "LEI check digits are 13, expected 12"}, {"5493001KJTIIGC8Y1R1", "18 letters or digits"}}},
		"0201": {[]string{"UFY9MH", "abc123"}, []bad{{"UFY9M", "6 letters or digits"}, {"UFY9MH1", "6 letters or digits"}}},
		"0204": {[]string{"991-01234-44", "04011000-1234512345-06", "99-12"}, []bad{{"991_01234_44", "2 to 12 digits"}, {"9-12", "2 to 12 digits"}}},
		"0208": {[]string{"0403019261", "0202239951", "1000000021"}, []bad{
			{"0403019262", "Belgian enterprise number check digits are 62, expected 61"}, {"2403019261", "starting with 0 or 1"},
			{"BE0403019261", "10 digits"}, {"403019261", "10 digits"}}},
		"0210": {[]string{"RSSMRA85T10A562S", "rssmra85t10a562s", "00743110157", "RSSMRALPTMLARNSS"}, []bad{{"RSSMRA85T10A562", "16 characters"}, {"0074311015", "16 characters"}}},
		"0211": {[]string{"IT00743110157", "it00743110157"}, []bad{
			{"IT00743110158", "check digit is 8, expected 7"}, {"00743110157", "IT + 11 digits"}, {"IT0074311015", "IT + 11 digits"}}},
		"0216": {[]string{"003720774740", "003720774740TST01", "003720774740ab1"}, []bad{
			{"003720774741", "Finnish OVT code business id 20774741 check digit is 1, expected 0"},
			{"20774740", "0037 + the 8-digit business id"}, {"003720774740TOOLONG", "up to 5 letters or digits"}}},
		"0218": {[]string{"40003032949", "400030329"}, []bad{{"4000303294", "9 or 11 digits"}}},
		"0225": {[]string{"315143296_ab", "A-b_C"}, []bad{{"a.b", "1 to 130 letters, digits, - or _"}}},
		"0235": {[]string{"1001234567"}, []bad{{"2001234567", "10 digits starting with 1"}, {"100123456", "10 digits starting with 1"}}},
		"0240": {[]string{"20041234567"}, []bad{{"2004123456", "11 digits"}}},
		"0242": {[]string{"000123", "000123-ABC", "000123-ab_c.x.y~z"}, []bad{{"00012", "6 digits"}, {"000123-AB", "6 digits"}}},
		"0244": {[]string{"2512412345678"}, []bad{{"251241234567", "13 digits"}}},
		"0245": {[]string{"2021853504"}, []bad{{"2021853505", "Slovak DIČ is not divisible by 11 (remainder 1)"}, {"202185350", "10 digits"}}},
		"0246": {[]string{"DE123456789", "DE123456789-00001", "de123456789.a1", "DE123456789-00001.ABCDEFGH"}, []bad{
			{"DE12345678", "DE + 9 digits"}, {"DE123456789-0001", "DE + 9 digits"}, {"DE123456789.ABCDEFGHI", "DE + 9 digits"}}},
		"0248": {[]string{"OM1100003554"}, []bad{{"OM110000355", "OM + 10 digits"}, {"1100003554", "OM + 10 digits"}}},
		"9910": {[]string{"HU12892312", "hu12892312"}, []bad{{"HU12892313", "Hungarian VAT number check digit is 3, expected 2"}, {"12892312", "HU + 8 digits"}}},
		"9914": {[]string{"ATU12345678", "atu12345678"}, []bad{{"AT12345678", "ATU + 8 digits"}, {"ATU1234567", "ATU + 8 digits"}}},
		"9920": {[]string{"ESB12345678", "ES12345678Z", "ESX1234567L"}, []bad{{"B12345678", "ES + 9 characters"}, {"ESB1234567", "ES + 9 characters"}, {"ESBB2345678", "ES + 9 characters"}}},
		"9925": {[]string{"BE0403019261", "be0403019261"}, []bad{{"0403019261", "BE + 10 digits"}, {"BE2403019261", "starting with 0 or 1"}}},
		"9926": {[]string{"BG123456789", "BG1234567890"}, []bad{{"BG12345678", "BG + 9 or 10 digits"}}},
		"9927": {[]string{"CHE109322551", "CHE109322551MWST", "CHE109322551TVA", "CHE109322551IVA"}, []bad{{"CHE109322551VAT", "CHE + 9 digits"}}},
		"9928": {[]string{"CY12345678X"}, []bad{{"CY123456789", "CY + 8 digits + a letter"}}},
		"9929": {[]string{"CZ12345678", "CZ123456789", "CZ1234567890"}, []bad{{"CZ1234567", "CZ + 8 to 10 digits"}, {"CZ12345678901", "CZ + 8 to 10 digits"}}},
		"9930": {[]string{"DE123456789", "de123456789"}, []bad{{"DE12345678", "DE + 9 digits"}, {"DE1234567890", "DE + 9 digits"}, {"123456789", "DE + 9 digits"}}},
		"9931": {[]string{"EE123456789"}, []bad{{"EE12345678", "EE + 9 digits"}}},
		"9932": {[]string{"GB987654321", "GB123456789012", "GBGD123", "GBHA123"}, []bad{{"GB98765432", "GB + 9 or 12 digits"}, {"UK987654321", "GB + 9 or 12 digits"}, {"XI987654321", "GB + 9 or 12 digits"}}},
		"9933": {[]string{"EL123456789", "GR123456789"}, []bad{{"EL12345678", "EL (or GR) + 9 digits"}}},
		"9934": {[]string{"HR12345678901"}, []bad{{"HR1234567890", "HR + 11 digits"}}},
		"9935": {[]string{"IE1234567T", "IE1234567TW", "IE1A23456T"}, []bad{{"IE1234567", "IE + 7 digits"}, {"IE1234567TZ", "IE + 7 digits"}}},
		"9937": {[]string{"LT123456789", "LT123456789012"}, []bad{{"LT1234567890", "LT + 9 or 12 digits"}}},
		"9938": {[]string{"LU12345678"}, []bad{{"LU1234567", "LU + 8 digits"}}},
		"9939": {[]string{"LV40003032949"}, []bad{{"LV4000303294", "LV + 11 digits"}}},
		"9943": {[]string{"MT12345678"}, []bad{{"MT123456789", "MT + 8 digits"}}},
		"9944": {[]string{"NL123456789B01", "nl123456789b01"}, []bad{{"NL123456789", "NL + 9 digits + B + 2 digits"}, {"NL123456789C01", "NL + 9 digits + B + 2 digits"}}},
		"9945": {[]string{"PL1234567890"}, []bad{{"PL123456789", "PL + 10 digits"}}},
		"9946": {[]string{"PT123456789"}, []bad{{"PT12345678", "PT + 9 digits"}}},
		"9947": {[]string{"RO12", "RO1234567890"}, []bad{{"RO1", "RO + 2 to 10 digits"}, {"RO12345678901", "RO + 2 to 10 digits"}}},
		"9949": {[]string{"SI12345678"}, []bad{{"SI1234567", "SI + 8 digits"}}},
		"9950": {[]string{"SK2021853504"}, []bad{{"SK202185350", "SK + 10 digits"}}},
		"9957": {[]string{"FR40303265045", "FRK7399859412", "fr40303265045"}, []bad{{"FR4030326504", "FR + a 2-character key"}, {"FRO0303265045", "FR + a 2-character key"}, {"303265045", "FR + a 2-character key"}}},
	}
	for code := range formats {
		if _, ok := tests[code]; !ok {
			t.Errorf("no test for the format of %s", code)
		}
	}
	for code, tt := range tests {
		if _, ok := formats[code]; !ok {
			t.Errorf("test for %s, which has no format", code)
		}
		for _, v := range tt.ok {
			p, err := Parse(code + ":" + v)
			if err != nil {
				t.Errorf("Parse(%s:%s): %v", code, v, err)
				continue
			}
			want := strings.ToUpper(v)
			if formats[code].keepCase {
				want = v
			}
			if p.Scheme != code || p.Value != want {
				t.Errorf("Parse(%s:%s) = %+v, want value %q", code, v, p, want)
			}
		}
		for _, b := range tt.bad {
			_, err := Parse(code + ":" + b.value)
			if err == nil || !strings.Contains(err.Error(), b.reason) {
				t.Errorf("Parse(%s:%s) error = %v, want one containing %q", code, b.value, err, b.reason)
			}
		}
	}
}
