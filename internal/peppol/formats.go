package peppol

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// format is what one scheme's identifiers look like. Patterns are matched
// against the upper-cased value unless keepCase is set; check, when set,
// verifies check digits on a value that matched and returns why it fails,
// or "".
type format struct {
	what     string // the kind of number, for messages: "GLN"
	shape    string // the pattern in words: "13 digits"
	re       *regexp.Regexp
	example  string // a valid value, for messages and tests
	keepCase bool
	check    func(v string) string
}

func fm(what, shape, pattern, example string, check func(string) string) format {
	return format{what: what, shape: shape, re: regexp.MustCompile(`^(?:` + pattern + `)$`), example: example, check: check}
}

// formats holds the schemes whose identifiers have a known shape. The
// shapes come from the "validation-rules" of the Peppol code list
// (data/eas.tsv names it), the identifier rules of BIS Billing 3.0.21
// (PEPPOL-COMMON-R040 to R057), and for the VAT schemes the "VAT
// identification number structure" table of the EU's VIES FAQ. Check digits
// are verified where the code list or a BIS rule names an algorithm, and for
// SIRET (0009, whose check digit the code list describes under 0002) and the
// Danish CVR number (0184, checked like the DK:ERST and DK:CVR numbers of the
// same register). VAT numbers are checked for shape only (the Hungarian one
// excepted, whose code list entry names its check digit): the code list gives
// no algorithm for them, and document 004's own examples, such as
// GB987654321, would not pass the national ones.
var formats = map[string]format{
	"0002": fm("SIREN/SIRET number", "9 digits (SIREN) or 14 digits (SIRET)", `[0-9]{9}(?:[0-9]{5})?`, "784301772", checkSIRENE),
	"0007": fm("Swedish organisation number", "10 digits", `[0-9]{10}`, "2120000787", checkLuhn),
	"0009": fm("SIRET number", "14 digits", `[0-9]{14}`, "78430177200025", checkSIRENE),
	"0060": fm("D-U-N-S number", "9 digits", `[0-9]{9}`, "812810734", nil),
	"0088": fm("GLN", "13 digits", `[0-9]{13}`, "1548079098355", checkGLN),
	"0096": fm("Danish P-number", "10 digits", `[0-9]{10}`, "1234567890", nil),
	"0106": fm("KvK number", "8 digits", `[0-9]{8}`, "12345678", nil),
	"0151": fm("ABN", "11 digits", `[0-9]{11}`, "51824753556", checkABN),
	"0183": fm("Swiss UID", "CHE + 9 digits", `CHE[0-9]{9}`, "CHE109322551", checkSwissUID),
	"0184": fm("Danish CVR number", "8 digits, not starting with 0 and without the DK prefix", `[1-9][0-9]{7}`, "13585628", checkCVR),
	"0190": fm("Dutch OIN", "20 digits", `[0-9]{20}`, "00000001820029336000", nil),
	"0191": fm("Estonian company code", "8 digits starting with 1, 7, 8 or 9", `[1789][0-9]{7}`, "10137025", checkEstonian),
	"0192": fm("Norwegian organisation number", "9 digits", `[0-9]{9}`, "745707327", checkNorwegian),
	"0196": fm("Icelandic kennitala", "10 digits", `[0-9]{10}`, "4504013150", checkKennitala),
	"0198": fm("Danish SE number", "DK + 8 digits", `DK[0-9]{8}`, "DK13585628", func(v string) string { return checkCVR(v[2:]) }),
	"0199": fm("LEI", "18 letters or digits and 2 check digits", `[A-Z0-9]{18}[0-9]{2}`, "5493001KJTIIGC8Y1R12", checkLEI),
	"0201": fm("IPA office code", "6 letters or digits", `[A-Z0-9]{6}`, "UFY9MH", nil),
	"0204": fm("Leitweg-ID", "2 to 12 digits, optionally - and up to 30 letters or digits, then - and 2 digits", `[0-9]{2,12}(?:-[0-9A-Z]{0,30})?-[0-9]{2}`, "991-01234-44", nil),
	"0208": fm("Belgian enterprise number", "10 digits starting with 0 or 1", `[01][0-9]{9}`, "0403019261", checkMod97BE),
	"0210": fm("codice fiscale", "16 characters (a person's) or 11 digits", `[A-Z]{6}[0-9LMNP-V]{2}[A-Z][0-9LMNP-V]{2}[A-Z][0-9LMNP-V]{3}[A-Z]|[0-9]{11}`, "RSSMRA85T10A562S", nil),
	"0211": fm("Italian VAT number (partita IVA)", "IT + 11 digits", `IT[0-9]{11}`, "IT00743110157", func(v string) string { return checkLuhn(v[2:]) }),
	"0216": fm("Finnish OVT code", "0037 + the 8-digit business id + up to 5 letters or digits", `0037[0-9]{8}[0-9A-Z]{0,5}`, "003720774740", checkOVT),
	"0218": fm("Latvian registration number", "9 or 11 digits", `[0-9]{9}(?:[0-9]{2})?`, "40003032949", nil),
	"0225": {what: "French CTC electronic address", shape: "1 to 130 letters, digits, - or _", re: regexp.MustCompile(`^[A-Za-z0-9_-]{1,130}$`), example: "315143296_ab", keepCase: true},
	"0235": fm("UAE TIN", "10 digits starting with 1", `1[0-9]{9}`, "1001234567", nil),
	"0240": fm("Luxembourg matricule", "11 digits", `[0-9]{11}`, "20041234567", nil),
	"0242": fm("OpenPeppol service provider id", "6 digits, optionally - and 3 to 12 letters, digits or _, optionally . and 3 to 24 more", `[0-9]{6}(?:-[0-9A-Z_]{3,12}(?:\.[0-9A-Z._~-]{3,24})?)?`, "000123", nil),
	"0244": fm("Nigerian TIN", "13 digits", `[0-9]{13}`, "2512412345678", nil),
	"0245": fm("Slovak DIČ", "10 digits", `[0-9]{10}`, "2021853504", checkDIC),
	"0246": fm("German electronic business address", "DE + 9 digits, optionally - and 5 digits, optionally . and 1 to 8 letters or digits", `DE[0-9]{9}(?:-[0-9]{5})?(?:\.[0-9A-Z]{1,8})?`, "DE123456789-00001.A1", nil),
	"0248": fm("Omani VATIN", "OM + 10 digits", `OM[0-9]{10}`, "OM1100003554", nil),

	"9910": fm("Hungarian VAT number", "HU + 8 digits", `HU[0-9]{8}`, "HU12892312", checkHungarian),
	"9914": fm("Austrian VAT number", "ATU + 8 digits", `ATU[0-9]{8}`, "ATU12345678", nil),
	"9920": fm("Spanish VAT number", "ES + 9 characters: a letter or digit, 7 digits, a letter or digit", `ES[0-9A-Z][0-9]{7}[0-9A-Z]`, "ESB12345678", nil),
	"9925": fm("Belgian VAT number", "BE + 10 digits starting with 0 or 1", `BE[01][0-9]{9}`, "BE0403019261", nil),
	"9926": fm("Bulgarian VAT number", "BG + 9 or 10 digits", `BG[0-9]{9,10}`, "BG123456789", nil),
	"9927": fm("Swiss VAT number", "CHE + 9 digits, optionally followed by MWST, TVA or IVA", `CHE[0-9]{9}(?:MWST|TVA|IVA)?`, "CHE109322551MWST", nil),
	"9928": fm("Cypriot VAT number", "CY + 8 digits + a letter", `CY[0-9]{8}[A-Z]`, "CY12345678X", nil),
	"9929": fm("Czech VAT number", "CZ + 8 to 10 digits", `CZ[0-9]{8,10}`, "CZ12345678", nil),
	"9930": fm("German VAT number", "DE + 9 digits", `DE[0-9]{9}`, "DE123456789", nil),
	"9931": fm("Estonian VAT number", "EE + 9 digits", `EE[0-9]{9}`, "EE123456789", nil),
	"9932": fm("UK VAT number", "GB + 9 or 12 digits, or GBGD or GBHA + 3 digits", `GB(?:[0-9]{9}|[0-9]{12}|GD[0-9]{3}|HA[0-9]{3})`, "GB987654321", nil),
	"9933": fm("Greek VAT number", "EL (or GR) + 9 digits", `(?:EL|GR)[0-9]{9}`, "EL123456789", nil),
	"9934": fm("Croatian VAT number", "HR + 11 digits", `HR[0-9]{11}`, "HR12345678901", nil),
	"9935": fm("Irish VAT number", "IE + 7 digits and 1 or 2 letters, or IE + a digit, a letter, 5 digits and a letter", `IE(?:[0-9]{7}[A-W][A-IW]?|[0-9][A-Z][0-9]{5}[A-W])`, "IE1234567T", nil),
	"9937": fm("Lithuanian VAT number", "LT + 9 or 12 digits", `LT(?:[0-9]{9}|[0-9]{12})`, "LT123456789", nil),
	"9938": fm("Luxembourg VAT number", "LU + 8 digits", `LU[0-9]{8}`, "LU12345678", nil),
	"9939": fm("Latvian VAT number", "LV + 11 digits", `LV[0-9]{11}`, "LV40003032949", nil),
	"9943": fm("Maltese VAT number", "MT + 8 digits", `MT[0-9]{8}`, "MT12345678", nil),
	"9944": fm("Dutch VAT number", "NL + 9 digits + B + 2 digits", `NL[0-9]{9}B[0-9]{2}`, "NL123456789B01", nil),
	"9945": fm("Polish VAT number", "PL + 10 digits", `PL[0-9]{10}`, "PL1234567890", nil),
	"9946": fm("Portuguese VAT number", "PT + 9 digits", `PT[0-9]{9}`, "PT123456789", nil),
	"9947": fm("Romanian VAT number", "RO + 2 to 10 digits", `RO[0-9]{2,10}`, "RO1234567", nil),
	"9949": fm("Slovenian VAT number", "SI + 8 digits", `SI[0-9]{8}`, "SI12345678", nil),
	"9950": fm("Slovak VAT number", "SK + 10 digits", `SK[0-9]{10}`, "SK2021853504", nil),
	"9957": fm("French VAT number", "FR + a 2-character key + the 9-digit SIREN", `FR[0-9A-HJ-NP-Z]{2}[0-9]{9}`, "FR40303265045", nil),
}

// validate checks value against scheme code's format, if it has one, and
// returns the value in its canonical letter case, or why it is refused.
func validate(code, value string) (string, string) {
	f, ok := formats[code]
	if !ok {
		return value, ""
	}
	v := value
	if !f.keepCase {
		v = strings.ToUpper(value)
	}
	if !f.re.MatchString(v) {
		return "", fmt.Sprintf("%s (%s) must be %s, e.g. %s:%s", f.what, code, f.shape, code, f.example)
	}
	if f.check != nil {
		if why := f.check(v); why != "" {
			return "", f.what + " " + why
		}
	}
	return v, ""
}

// The check functions get a value that matched its pattern, so the digits
// they index are there.

func digit(b byte) int { return int(b - '0') }

func wrongDigit(got byte, want int) string {
	if digit(got) == want {
		return ""
	}
	return fmt.Sprintf("check digit is %c, expected %d", got, want)
}

// luhnDigit is the Luhn (mod 10) check digit for body: every second digit
// from the right, starting with the last, is doubled.
func luhnDigit(body string) int {
	sum := 0
	for i := len(body) - 1; i >= 0; i -= 2 {
		d := 2 * digit(body[i])
		if d > 9 {
			d -= 9
		}
		sum += d
		if i > 0 {
			sum += digit(body[i-1])
		}
	}
	return (10 - sum%10) % 10
}

func checkLuhn(v string) string {
	return wrongDigit(v[len(v)-1], luhnDigit(v[:len(v)-1]))
}

// checkSIRENE checks a SIREN or SIRET by Luhn, except the SIRETs of La Poste
// establishments (SIREN 356000000, other than the head office), which INSEE
// numbers so that their digit sum is a multiple of 5.
func checkSIRENE(v string) string {
	if len(v) == 14 && strings.HasPrefix(v, "356000000") && v != "35600000000048" {
		sum := 0
		for i := range len(v) {
			sum += digit(v[i])
		}
		if sum%5 != 0 {
			return fmt.Sprintf("of La Poste must have a digit sum divisible by 5, not %d", sum)
		}
		return ""
	}
	return checkLuhn(v)
}

// checkGLN is the GS1 mod-10 check: weights 3 and 1 alternating from the
// right of the body (PEPPOL-COMMON-R040).
func checkGLN(v string) string {
	body := v[:len(v)-1]
	sum := 0
	for i := len(body) - 1; i >= 0; i -= 2 {
		sum += 3 * digit(body[i])
		if i > 0 {
			sum += digit(body[i-1])
		}
	}
	return wrongDigit(v[len(v)-1], (10-sum%10)%10)
}

// mod11Digit is 11 - (Σ weight×digit mod 11) over body, where 11 gives 0;
// ok is false when it gives 10, which no digit can carry.
func mod11Digit(body string, weights []int) (d int, ok bool) {
	sum := 0
	for i, w := range weights {
		sum += w * digit(body[i])
	}
	switch d = 11 - sum%11; d {
	case 11:
		return 0, true
	case 10:
		return 0, false
	}
	return d, true
}

func checkMod11(v string, weights []int) string {
	n := len(weights)
	d, ok := mod11Digit(v, weights)
	if !ok {
		return fmt.Sprintf("is not valid: no check digit fits its first %d digits (mod 11)", n)
	}
	return wrongDigit(v[n], d)
}

// checkNorwegian: mod 11, weights 3 2 7 6 5 4 3 2 (PEPPOL-COMMON-R041, which
// also refuses zero).
func checkNorwegian(v string) string {
	if strings.Trim(v, "0") == "" {
		return "must not be all zeros"
	}
	return checkMod11(v, []int{3, 2, 7, 6, 5, 4, 3, 2})
}

// checkCVR: the weighted sum of all 8 digits, weights 2 7 6 5 4 3 2 1, is a
// multiple of 11 (code list, DK:ERST and DK:CVR), i.e. mod 11 over the first 7.
func checkCVR(v string) string { return checkMod11(v, []int{2, 7, 6, 5, 4, 3, 2}) }

// checkSwissUID: mod 11 over the 8 digits after CHE, weights 5 4 3 2 7 6 5 4.
func checkSwissUID(v string) string { return checkMod11(v[3:], []int{5, 4, 3, 2, 7, 6, 5, 4}) }

// checkKennitala: the 9th digit is mod 11 over the first 8, weights 3 2 7 6 5 4 3 2.
func checkKennitala(v string) string { return checkMod11(v, []int{3, 2, 7, 6, 5, 4, 3, 2}) }

// checkOVT checks the business id inside an OVT code: mod 11 over its first 7
// digits, weights 7 9 10 5 8 4 2 (code list, FI:OVT).
func checkOVT(v string) string {
	if why := checkMod11(v[4:], []int{7, 9, 10, 5, 8, 4, 2}); why != "" {
		return "business id " + v[4:12] + " " + why
	}
	return ""
}

// checkEstonian: weights 1..9,1.. over the first 7 digits mod 11; a result of
// 10 is recomputed with weights 3..9,1..; 10 again gives 0 (code list, EE:CC).
func checkEstonian(v string) string {
	sum := func(offset int) int {
		s := 0
		for i := range 7 {
			s += ((i+offset)%9 + 1) * digit(v[i])
		}
		return s % 11
	}
	c := sum(0)
	if c == 10 {
		c = sum(2)
	}
	return wrongDigit(v[7], c%10)
}

// checkMod97BE: the last 2 digits are 97 - (the first 8 mod 97)
// (PEPPOL-COMMON-R043).
func checkMod97BE(v string) string {
	n, _ := strconv.Atoi(v[:8])
	want := 97 - n%97
	if got, _ := strconv.Atoi(v[8:]); got != want {
		return fmt.Sprintf("check digits are %s, expected %02d", v[8:], want)
	}
	return ""
}

// checkABN: subtract 1 from the first digit; the sum of the digits weighted
// 10 1 3 5 7 9 11 13 15 17 19 is a multiple of 89 (PEPPOL-COMMON-R050).
func checkABN(v string) string {
	weights := []int{10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19}
	sum := 0
	for i, w := range weights {
		d := digit(v[i])
		if i == 0 {
			d--
		}
		sum += w * d
	}
	if r := sum % 89; r != 0 {
		return fmt.Sprintf("fails its mod-89 check (remainder %d, must be 0)", r)
	}
	return ""
}

// checkLEI: ISO/IEC 7064 MOD 97-10 with letters as 10..35; the whole code
// leaves 1.
func checkLEI(v string) string {
	mod := func(s string) int {
		r := 0
		for i := range len(s) {
			c := s[i]
			if c >= 'A' {
				r = (r*100 + int(c-'A') + 10) % 97
			} else {
				r = (r*10 + digit(c)) % 97
			}
		}
		return r
	}
	if mod(v) == 1 {
		return ""
	}
	return fmt.Sprintf("check digits are %s, expected %02d", v[18:], 98-mod(v[:18]+"00"))
}

// checkDIC: a Slovak DIČ is divisible by 11 (code list, SK:DIC).
func checkDIC(v string) string {
	n, _ := strconv.ParseInt(v, 10, 64)
	if n%11 != 0 {
		return fmt.Sprintf("is not divisible by 11 (remainder %d)", n%11)
	}
	return ""
}

// checkHungarian: the 8th digit makes the digits weighted 9 7 3 1 9 7 3 1 sum
// to a multiple of 10.
func checkHungarian(v string) string {
	weights := []int{9, 7, 3, 1, 9, 7, 3}
	sum := 0
	for i, w := range weights {
		sum += w * digit(v[2+i])
	}
	return wrongDigit(v[9], (10-sum%10)%10)
}
