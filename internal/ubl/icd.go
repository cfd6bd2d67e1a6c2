package ubl

import (
	"regexp"
	"strconv"
	"strings"
)

// Format checks that the Peppol schematron applies to identifiers of some
// schemes wherever they appear (EndpointID, PartyIdentification/ID,
// PartyLegalEntity/CompanyID). Each returns true when id is well formed.
var icdChecks = map[string]struct {
	rule  string
	what  string
	valid func(id string) bool
}{
	"0088": {"PEPPOL-COMMON-R040", "a GS1 GLN (digits with a valid check digit)", validGLN},
	"0192": {"PEPPOL-COMMON-R041", "a Norwegian organisation number (9 digits, mod 11)", validNOOrg},
	"0184": {"PEPPOL-COMMON-R042", "a Danish CVR number (8 digits, or DK and 8 digits)", validDKCVR},
	"0208": {"PEPPOL-COMMON-R043", "a Belgian enterprise number (10 digits, mod 97)", validBEEnterprise},
	"0007": {"PEPPOL-COMMON-R049", "a Swedish organisation number (10 digits, Luhn)", validSEOrg},
	"0151": {"PEPPOL-COMMON-R050", "an Australian Business Number (11 digits, mod 89)", validABN},
}

var allDigits = regexp.MustCompile(`^[0-9]+$`)

// validGLN is the GS1 check-digit rule (u:gln in the Peppol schematron).
func validGLN(id string) bool {
	if !allDigits.MatchString(id) || len(id) < 2 {
		return false
	}
	sum := 0
	body := id[:len(id)-1]
	for i := 0; i < len(body); i++ {
		d := int(body[len(body)-1-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return (10-sum%10)%10 == int(id[len(id)-1]-'0')
}

// validNOOrg is the mod 11 rule for Norwegian organisation numbers (u:mod11).
func validNOOrg(id string) bool {
	return len(id) == 9 && allDigits.MatchString(id) && mod11(id)
}

func mod11(id string) bool {
	body := id[:len(id)-1]
	sum := 0
	for i := 0; i < len(body); i++ {
		sum += int(body[len(body)-1-i]-'0') * (i%6 + 2)
	}
	n, _ := strconv.ParseInt(id, 10, 64)
	return n > 0 && (11-sum%11)%11 == int(id[len(id)-1]-'0')
}

func validDKCVR(id string) bool {
	if len(id) == 10 && strings.HasPrefix(id, "DK") {
		return allDigits.MatchString(id[2:])
	}
	return len(id) == 8 && allDigits.MatchString(id)
}

// validBEEnterprise: the last two digits are 97 - (first eight mod 97)
// (u:mod97-0208).
func validBEEnterprise(id string) bool {
	if len(id) != 10 || !allDigits.MatchString(id) {
		return false
	}
	head, _ := strconv.Atoi(id[:8])
	check, _ := strconv.Atoi(id[8:])
	return check == 97-head%97
}

// validSEOrg: ten digits, the last a Luhn check digit over the first nine
// (u:checkSEOrgnr).
func validSEOrg(id string) bool {
	if len(id) != 10 || !allDigits.MatchString(id) {
		return false
	}
	sum := 0
	for pos := 1; pos <= 9; pos++ {
		d := int(id[9-pos] - '0')
		if pos%2 == 1 {
			d *= 2
			d = d%10 + d/10
		}
		sum += d
	}
	return (10-sum%10)%10 == int(id[9]-'0')
}

// validABN: eleven digits, weighted sum (first digit minus one) mod 89 = 0
// (u:abn).
func validABN(id string) bool {
	if len(id) != 11 || !allDigits.MatchString(id) {
		return false
	}
	weights := []int{10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19}
	sum := 0
	for i, w := range weights {
		d := int(id[i] - '0')
		if i == 0 {
			d--
		}
		sum += d * w
	}
	return sum%89 == 0
}
