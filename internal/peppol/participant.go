package peppol

import (
	"fmt"
	"strings"
)

// URNPrefix is the Peppol participant identifier scheme, written before the
// ICD in the full spelling of an id.
const URNPrefix = "iso6523-actorid-upis::"

// maxValueLength is the longest identifier after "ICD:" (Peppol Policy for
// use of Identifiers 4.4.0, POLICY 1; it was 50 for the whole id before).
const maxValueLength = 130

// ParticipantID is a Peppol participant identifier: an ISO/IEC 6523 ICD code
// from the EAS list and the identifier within it.
type ParticipantID struct {
	Scheme string // four digits, e.g. "0192"
	Value  string // e.g. "123456789"
}

// String gives the id as "0192:123456789", the form of cbc:EndpointID with
// its schemeID; the zero ParticipantID gives "".
func (p ParticipantID) String() string {
	if p == (ParticipantID{}) {
		return ""
	}
	return p.Scheme + ":" + p.Value
}

// URN gives the id with its identifier scheme,
// "iso6523-actorid-upis::0192:123456789", as SMP lookups and the SBDH use it.
func (p ParticipantID) URN() string {
	if p == (ParticipantID{}) {
		return ""
	}
	return URNPrefix + p.String()
}

// Equal reports whether p and q name the same participant: Peppol compares
// participant identifier values without regard to letter case.
func (p ParticipantID) Equal(q ParticipantID) bool {
	return p.Scheme == q.Scheme && strings.EqualFold(p.Value, q.Value)
}

// IDError says why a participant id was refused.
type IDError struct {
	Input  string // the id as given
	Reason string
}

func (e *IDError) Error() string {
	return fmt.Sprintf("participant id %q: %s", e.Input, e.Reason)
}

// Parse reads a participant id written "ICD:identifier" or
// "iso6523-actorid-upis::ICD:identifier" (the prefix in any letter case,
// surrounding spaces ignored) and checks it as the package comment describes.
// A bare id without a scheme is refused; Resolve infers one.
func Parse(s string) (ParticipantID, error) {
	p, why := parse(s)
	if why != "" {
		return ParticipantID{}, &IDError{Input: s, Reason: why}
	}
	return p, nil
}

func parse(s string) (ParticipantID, string) {
	t := strings.TrimSpace(s)
	if t == "" {
		return ParticipantID{}, "empty; expected ICD:identifier, e.g. 0192:123456789"
	}
	if len(t) >= len(URNPrefix) && strings.EqualFold(t[:len(URNPrefix)], URNPrefix) {
		t = t[len(URNPrefix):]
	} else if i := strings.IndexByte(t, ':'); i >= 0 && strings.HasPrefix(t[i:], "::") {
		return ParticipantID{}, fmt.Sprintf("identifier scheme %q is not %s; Peppol participants use only that one", t[:i], strings.TrimSuffix(URNPrefix, "::"))
	}
	icd, value, ok := strings.Cut(t, ":")
	if !ok {
		return ParticipantID{}, "no scheme: expected ICD:identifier, e.g. 9930:DE123456789"
	}
	if !isICD(icd) {
		return ParticipantID{}, badICD(t, icd)
	}
	sc, ok := schemes[icd]
	if !ok {
		return ParticipantID{}, fmt.Sprintf("scheme %s is not in the Peppol EAS code list", icd)
	}
	if why := sc.refusal(); why != "" {
		return ParticipantID{}, why
	}
	if why := checkValue(value); why != "" {
		return ParticipantID{}, why
	}
	v, why := validate(icd, value)
	if why != "" {
		return ParticipantID{}, why
	}
	return ParticipantID{Scheme: icd, Value: v}, ""
}

func isICD(s string) bool {
	if len(s) != 4 {
		return false
	}
	for i := range 4 {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// badICD explains a scheme that is not four digits, naming the ICD when the
// id was written with a Peppol scheme id such as "DE:VAT".
func badICD(t, icd string) string {
	for _, sc := range schemes {
		if sc.ID != "-" && len(t) > len(sc.ID)+1 && strings.EqualFold(t[:len(sc.ID)+1], sc.ID+":") {
			return fmt.Sprintf("scheme %s must be written as its ICD code: %s:%s", sc.ID, sc.Code, t[len(sc.ID)+1:])
		}
	}
	return fmt.Sprintf("scheme %q is not a 4-digit ICD code; expected ICD:identifier, e.g. 9930:DE123456789", icd)
}

// checkValue applies POLICY 1 of the Peppol Policy for use of Identifiers
// 4.4.0 to the identifier after "ICD:".
func checkValue(v string) string {
	if v == "" {
		return "empty identifier after the scheme"
	}
	pos := 0
	for _, r := range v {
		pos++
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == '-' || r == '.' || r == '_' || r == '~'
		if !ok {
			what := fmt.Sprintf("%q", r)
			if r == ' ' {
				what = "a space"
			}
			return fmt.Sprintf("identifier contains %s at position %d; Peppol allows only letters, digits, '-', '.', '_' and '~'", what, pos)
		}
	}
	if len(v) > maxValueLength {
		return fmt.Sprintf("identifier is %d characters long; Peppol allows at most %d", len(v), maxValueLength)
	}
	return ""
}
