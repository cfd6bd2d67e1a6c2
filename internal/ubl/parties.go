package ubl

import (
	"strings"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/iso"
)

// party is a supplier or customer resolved for BIS: every value the
// document needs, or the reason it cannot be had.
type party struct {
	field    string // "supplier" or "customer": the request's field prefix
	endpoint Endpoint
	name     string
	street   string
	city     string
	postal   string
	country  string // ISO 3166-1 alpha-2 (BT-40/BT-55)

	// taxNumber is the tax number normalised (taxRaw: as given, trimmed);
	// vat is it read as a VAT identifier with its ISO prefix ("" when it is
	// not one).
	taxNumber string
	taxRaw    string
	vat       string
	// vatFromEndpoint tells that vat came from a VAT-number participant id
	// because no tax number was given.
	vatFromEndpoint bool

	// legal is the legal registration identifier (BT-30/BT-47) with its
	// ICD scheme, when the participant id is one of the party's country.
	legal, legalScheme string
}

// resolveParty reads one party of doc and its participant id.
func resolveParty(field string, in invoicing.Party, ep Endpoint) (party, *InputError) {
	p := party{
		field:     field,
		endpoint:  Endpoint{Scheme: strings.TrimSpace(ep.Scheme), ID: strings.TrimSpace(ep.ID)},
		name:      strings.TrimSpace(in.Name),
		street:    strings.TrimSpace(in.Street),
		city:      strings.TrimSpace(in.City),
		postal:    strings.TrimSpace(in.PostalCode),
		taxNumber: normTaxNumber(in.TaxNumber),
		taxRaw:    strings.TrimSpace(in.TaxNumber),
	}
	for _, f := range []struct{ name, v string }{
		{field, p.name}, {field + "_street", p.street}, {field + "_city", p.city}, {field + "_postal_code", p.postal},
	} {
		if f.v == "" {
			return p, inputErr(f.name, "is required in a Peppol BIS document and is empty")
		}
	}
	if p.endpoint.ID == "" {
		return p, inputErr(field+"_peppol_id", "the resolved participant id has no identifier")
	}
	sch, ok := schemes[p.endpoint.Scheme]
	if !ok {
		return p, inputErr(field+"_peppol_id", "scheme %q is not an Electronic Address Scheme code Peppol accepts (PEPPOL-EN16931-CL008)", p.endpoint.Scheme)
	}
	if c, ok := icdChecks[p.endpoint.Scheme]; ok && !c.valid(p.endpoint.ID) {
		return p, inputErr(field+"_peppol_id", "%s:%s is not %s (%s)", p.endpoint.Scheme, p.endpoint.ID, c.what, c.rule)
	}

	// Country (BT-40/BT-55, mandatory): as given; else the prefix of a
	// VAT-style tax number; else the country of the participant id's
	// scheme; else there is no honest value and the document is refused.
	switch {
	case in.Country != "":
		c, ok := iso.CountryByAlpha3(in.Country)
		if !ok {
			return p, inputErr(field+"_country", "%q is not an ISO 3166-1 alpha-3 code", in.Country)
		}
		p.country = c.Alpha2
	case countryOfVAT(p.taxNumber) != "":
		p.country = countryOfVAT(p.taxNumber)
	case sch.Country != "":
		p.country = sch.Country
	default:
		bt := "BT-55"
		if field == "supplier" {
			bt = "BT-40"
		}
		return p, inputErr(field+"_country", "is required: neither the tax number nor the participant id %s:%s tells the country, and a Peppol BIS document must carry it (%s)",
			p.endpoint.Scheme, p.endpoint.ID, bt)
	}

	if v, ok := vatID(p.taxNumber, p.country); ok {
		p.vat = v
	} else if p.taxNumber == "" && sch.Role == "vat" && sch.Country == p.country {
		// A VAT-number participant id is the party's VAT identifier.
		if v, ok := vatID(normTaxNumber(p.endpoint.ID), p.country); ok {
			p.vat, p.vatFromEndpoint = v, true
		}
	}
	if sch.Role == "legal" && sch.Country == p.country {
		p.legal, p.legalScheme = p.endpoint.ID, p.endpoint.Scheme
	}
	return p, nil
}

// countryOfVAT is the country named by the prefix of tax number tn when tn
// reads as a VAT identifier of that country, "" otherwise.
func countryOfVAT(tn string) string {
	if len(tn) < 3 || !isLetter(tn[0]) || !isLetter(tn[1]) {
		return ""
	}
	c := prefixCountry(tn[:2])
	if _, ok := iso.CountryByAlpha2(c); !ok {
		return ""
	}
	if _, ok := vatID(tn, c); !ok {
		return ""
	}
	return c
}
