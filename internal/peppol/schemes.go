package peppol

import (
	_ "embed"
	"fmt"
	"strings"
)

//go:embed data/eas.tsv
var easTSV string

// scheme is one row of data/eas.tsv: a Peppol participant identifier scheme
// and whether BIS Billing 3.0 accepts it as an electronic address.
type scheme struct {
	Code         string // ISO/IEC 6523 ICD, four digits
	ID           string // Peppol scheme id such as "DE:VAT"; "-" when not in the Peppol code list
	Country      string
	State        string // active, deprecated, removed; "-" when not in the Peppol code list
	DeprecatedIn string // code list release; "-" when none
	RemovedOn    string // date; "-" when none
	BIS          string // yes, no, dropped-2026.5
	Name         string
}

var schemes = loadSchemes(easTSV)

func loadSchemes(data string) map[string]scheme {
	m := map[string]scheme{}
	for i, line := range strings.Split(data, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 8 {
			panic(fmt.Sprintf("peppol: data/eas.tsv line %d: %d fields, want 8", i+1, len(f)))
		}
		m[f[0]] = scheme{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]}
	}
	return m
}

// label names a scheme in messages: "9930 (DE:VAT)".
func (s scheme) label() string {
	if s.ID == "-" {
		return s.Code + " (" + s.Name + ")"
	}
	return s.Code + " (" + s.ID + ")"
}

// successors names the scheme that took over a retired one, where the
// Peppol code list shows the same register under a new code.
var successors = map[string]string{
	"0037": "0216", // FI:OVT -> FI:OVT2, whose structure is "0037" + the same business id
	"0212": "0216", // FI:ORG, the business id -> FI:OVT2, "0037" + that id
	"0213": "0216", // FI:VAT, FI + the business id -> FI:OVT2
	"9902": "0184", // DK:CVR -> DK:DIGST, which the code list calls "CVR-number"
	"9904": "0198", // DK:SE -> DK:ERST, "SE-number", the same DK + 8 digits
	"9906": "0211", // IT:VAT -> IT:IVA, the same IT + 11 digits
	"9907": "0210", // IT:CF -> IT:CFI, the codice fiscale
	"9908": "0192", // NO:ORGNR -> NO:ORG, the same register and format
	"9909": "0192", // NO:VAT is NO + the organisation number + MVA
	"9917": "0196", // IS:KT -> IS:KTNR, the same kennitala
	"9954": "0190", // NL:OIN -> NL:OINO, the same OIN
	"9955": "0007", // SE:VAT is SE + the organisation number + 01
	"9956": "0208", // BE:CBE -> BE:EN, the same enterprise number
	"9958": "0204", // DE:LID -> DE:LWID, both "Peppol-Leitweg-ID"
}

// refusal says why a scheme cannot be used as an electronic address, or ""
// when it can.
func (s scheme) refusal() string {
	if s.BIS == "yes" {
		return ""
	}
	var why string
	switch {
	case s.State == "removed":
		why = fmt.Sprintf("scheme %s was removed from the Peppol code list on %s", s.label(), s.RemovedOn)
	case s.State == "deprecated":
		why = fmt.Sprintf("scheme %s is deprecated in the Peppol code list (since release %s) and not allowed by Peppol BIS Billing 3.0", s.label(), s.DeprecatedIn)
	case s.BIS == "dropped-2026.5":
		why = fmt.Sprintf("scheme %s is no longer allowed as an electronic address by Peppol BIS Billing 3.0 (dropped from the EAS list in release 2026.5)", s.label())
	default:
		why = fmt.Sprintf("scheme %s is not allowed as an electronic address by Peppol BIS Billing 3.0", s.label())
	}
	if next, ok := schemes[successors[s.Code]]; ok {
		why += "; use " + next.label() + " instead"
	}
	return why
}
