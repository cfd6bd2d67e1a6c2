package ubl

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/vatgate/vatgate/internal/invoicing"
)

// Valid identifiers of the schemes whose format Peppol checks, built with
// the same check-digit rules (icd.go), from a seeded source.

func digits(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	return b.String()
}

// nonZero is n digits not starting with 0.
func nonZero(r *rand.Rand, n int) string {
	return fmt.Sprint(1+r.IntN(9)) + digits(r, n-1)
}

func genGLN(r *rand.Rand) string {
	for {
		id := nonZero(r, 12) + "0"
		for d := '0'; d <= '9'; d++ {
			id = id[:12] + string(d)
			if validGLN(id) {
				return id
			}
		}
	}
}

func genNOOrg(r *rand.Rand) string {
	for {
		body := fmt.Sprint(8+r.IntN(2)) + digits(r, 7)
		for d := '0'; d <= '9'; d++ {
			if id := body + string(d); validNOOrg(id) {
				return id
			}
		}
	}
}

func genBEEnterprise(r *rand.Rand) string {
	head := fmt.Sprint(r.IntN(2)) + nonZero(r, 7)
	n, _ := strconv.Atoi(head)
	return fmt.Sprintf("%s%02d", head, 97-n%97)
}

func genSEOrg(r *rand.Rand) string {
	body := nonZero(r, 9)
	for d := '0'; d <= '9'; d++ {
		if id := body + string(d); validSEOrg(id) {
			return id
		}
	}
	panic("unreachable")
}

func genABN(r *rand.Rand) string {
	for {
		tail := digits(r, 9)
		for head := 10; head <= 99; head++ {
			if id := fmt.Sprint(head) + tail; validABN(id) {
				return id
			}
		}
	}
}

// genPIVA is an Italian partita IVA: 11 digits, the last its check digit.
func genPIVA(r *rand.Rand) string {
	body := nonZero(r, 10)
	sum := 0
	for i := 0; i < 10; i++ {
		d := int(body[i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return body + fmt.Sprint((10-sum%10)%10)
}

// profile is a kind of party vatgate meets: its country, how its
// participant id is built, and its tax number.
type profile struct {
	name     string
	country  string // alpha-3, "" to leave it to derivation
	endpoint func(r *rand.Rand) Endpoint
	tax      func(r *rand.Rand) string // "" none
}

func vatProfile(name, alpha3, scheme string, vat func(r *rand.Rand) string) profile {
	return profile{name: name, country: alpha3,
		endpoint: func(r *rand.Rand) Endpoint { return Endpoint{scheme, vat(r)} },
		tax:      func(r *rand.Rand) string { return "" }}
}

var profiles = []profile{
	vatProfile("DE 9930", "DEU", "9930", func(r *rand.Rand) string { return "DE" + nonZero(r, 9) }),
	vatProfile("NL 9944", "NLD", "9944", func(r *rand.Rand) string { return "NL" + nonZero(r, 9) + "B0" + digits(r, 1) }),
	vatProfile("FR 9957", "FRA", "9957", func(r *rand.Rand) string { return "FR" + digits(r, 2) + nonZero(r, 9) }),
	vatProfile("IT 0211", "ITA", "0211", func(r *rand.Rand) string { return "IT" + genPIVA(r) }),
	vatProfile("ES 9920", "ESP", "9920", func(r *rand.Rand) string { return "ESB" + nonZero(r, 8) }),
	vatProfile("AT 9914", "AUT", "9914", func(r *rand.Rand) string { return "ATU" + nonZero(r, 8) }),
	vatProfile("GB 9932", "GBR", "9932", func(r *rand.Rand) string { return "GB" + nonZero(r, 9) }),
	vatProfile("BE 9925", "BEL", "9925", func(r *rand.Rand) string { return "BE" + genBEEnterprise(r) }),
	{name: "NO 0192", country: "NOR",
		endpoint: func(r *rand.Rand) Endpoint { return Endpoint{"0192", genNOOrg(r)} }},
	{name: "BE 0208", country: "BEL",
		endpoint: func(r *rand.Rand) Endpoint { return Endpoint{"0208", genBEEnterprise(r)} }},
	{name: "SE 0007", country: "SWE",
		endpoint: func(r *rand.Rand) Endpoint { return Endpoint{"0007", genSEOrg(r)} }},
	{name: "DK 0184", country: "DNK",
		endpoint: func(r *rand.Rand) Endpoint { return Endpoint{"0184", nonZero(r, 8)} }},
	{name: "GLN 0088", country: "IRL",
		endpoint: func(r *rand.Rand) Endpoint { return Endpoint{"0088", genGLN(r)} }},
	{name: "AU 0151", country: "AUS",
		endpoint: func(r *rand.Rand) Endpoint { return Endpoint{"0151", genABN(r)} }},
	vatProfile("CH 9927", "CHE", "9927", func(r *rand.Rand) string { return "CHE" + nonZero(r, 9) + "MWST" }),
	vatProfile("PL 9945", "POL", "9945", func(r *rand.Rand) string { return "PL" + nonZero(r, 10) }),
	vatProfile("GR 9933", "GRC", "9933", func(r *rand.Rand) string { return "EL" + nonZero(r, 9) }),
	{name: "NL 0106", country: "NLD",
		endpoint: func(r *rand.Rand) Endpoint { return Endpoint{"0106", nonZero(r, 8)} }},
	{name: "IS 0196", country: "ISL",
		endpoint: func(r *rand.Rand) Endpoint { return Endpoint{"0196", nonZero(r, 10)} }},
	{name: "JP 0188", country: "JPN",
		endpoint: func(r *rand.Rand) Endpoint { return Endpoint{"0188", nonZero(r, 13)} }},
	{name: "US 9959", country: "USA",
		endpoint: func(r *rand.Rand) Endpoint { return Endpoint{"9959", nonZero(r, 9)} }},
	{name: "US 0060", country: "USA",
		endpoint: func(r *rand.Rand) Endpoint { return Endpoint{"0060", nonZero(r, 9)} }},
}

// taxNumberFor gives a party of profile p a tax number in one of the
// shapes people write, or none.
func taxNumberFor(r *rand.Rand, p profile, ep Endpoint, needed bool) string {
	switch p.name {
	case "NO 0192":
		return []string{"NO" + ep.ID + "MVA", ep.ID + "MVA", ep.ID}[r.IntN(3)]
	case "BE 0208":
		return []string{"BE" + ep.ID, ep.ID, "BE " + ep.ID[:4] + "." + ep.ID[4:7] + "." + ep.ID[7:]}[r.IntN(3)]
	case "SE 0007":
		return []string{"SE" + ep.ID + "01", ep.ID + "01"}[r.IntN(2)]
	case "DK 0184":
		if needed || r.IntN(2) == 0 {
			return "DK" + ep.ID
		}
		return ""
	case "GLN 0088":
		return "IE" + digits(r, 7) + "WH"
	case "AU 0151":
		return ep.ID
	case "NL 0106":
		if needed || r.IntN(2) == 0 {
			return "NL" + nonZero(r, 9) + "B" + digits(r, 2)
		}
		return "12345678" // a KVK number, not a VAT number: left out for a buyer
	case "IS 0196":
		return digits(r, 5)
	case "JP 0188":
		return "T" + ep.ID
	case "US 9959", "US 0060":
		if r.IntN(2) == 0 {
			return ""
		}
		return digits(r, 2) + "-" + digits(r, 7)
	}
	// VAT-number participant ids: sometimes the tax number repeats it,
	// without or with its prefix, sometimes there is none.
	switch r.IntN(3) {
	case 0:
		return ""
	case 1:
		return ep.ID
	}
	if p.name == "IT 0211" || p.name == "GB 9932" || p.name == "DE 9930" || p.name == "PL 9945" {
		return ep.ID[2:]
	}
	return ep.ID
}

// rates are plausible VAT rates of each supplier country (0 included).
var rates = map[string][]string{
	"DEU": {"19", "7", "0"}, "NLD": {"21", "9", "0"}, "FRA": {"20", "10", "5.5", "2.1"}, "ITA": {"22", "10", "4"},
	"ESP": {"21", "10", "4"}, "AUT": {"20", "13", "10"}, "GBR": {"20", "5", "0"}, "BEL": {"21", "12", "6"},
	"NOR": {"25", "15", "12"}, "SWE": {"25", "12", "6", "0"}, "DNK": {"25"}, "IRL": {"23", "13.5", "9"},
	"AUS": {"10"}, "CHE": {"8.1", "3.8", "2.6"}, "POL": {"23", "8", "5"}, "ISL": {"24", "11"}, "JPN": {"10", "8"},
	"USA": {"8.25", "7.25", "6", "0", "4.5", "6.35"},
}

var currencies = []string{"EUR", "EUR", "EUR", "GBP", "SEK", "NOK", "DKK", "USD", "JPY", "CHF", "AUD", "PLN", "ISK", "BHD"}

// randomDoc is a valid e-document and its resolved parties, drawn so that
// every branch of Generate is reached: every profile on either side,
// invoices and credit notes, taxable, exempt and zero-rated lines, many
// currencies, decimals in quantities, due dates and references or none.
func randomDoc(r *rand.Rand, n int) (tdoc, Parties) {
	var sp, cp profile
	for {
		sp, cp = profiles[r.IntN(len(profiles))], profiles[r.IntN(len(profiles))]
		if sp.country == "DEU" && cp.country == "DEU" { // refused: DE-R-001/002
			continue
		}
		if sp.country == "GRC" { // refused: GR-R-001, GR-R-004
			continue
		}
		break
	}
	kind := invoicing.KindInvoice
	if r.IntN(3) == 0 && sp.country != "NLD" { // NL credit notes are refused (NL-R-001)
		kind = invoicing.KindCreditNote
	}
	se, ce := sp.endpoint(r), cp.endpoint(r)
	// A supplier needs a VAT or tax identifier unless US sales tax applies
	// or its participant id is a VAT number.
	us := sp.country == "USA" || cp.country == "USA"
	supNeedsTax := !us && !strings.HasPrefix(se.Scheme, "99") && se.Scheme != "0211"
	sup := tparty{Name: "Supplier " + sp.name, Street: "Supplier Street 1", City: "Supplier City", Postal: digits(r, 5),
		PeppolID: se.Scheme + ":" + se.ID, Tax: taxNumberFor(r, sp, se, supNeedsTax || sp.country == "DNK"), Country: sp.country}
	if supNeedsTax && sup.Tax == "" {
		sup.Tax = taxNumberFor(r, sp, se, true)
	}
	if sup.Tax == "" && supNeedsTax {
		panic("no tax number for " + sp.name)
	}
	cus := tparty{Name: "Customer " + cp.name, Street: "Customer Road " + fmt.Sprint(1+r.IntN(200)), City: "Customer Town",
		Postal: digits(r, 4), PeppolID: ce.Scheme + ":" + ce.ID, Tax: taxNumberFor(r, cp, ce, false), Country: cp.country}
	if cp.country == "DEU" && r.IntN(4) == 0 {
		cus.Tax = "143/815/08156" // a Steuernummer: not a VAT number, left out for a buyer
	}
	// Leave the country out where it can be derived (VAT-number schemes,
	// national registers); keep it for GLN, ABN-less or US ids sometimes.
	if r.IntN(4) == 0 && derivable(se) {
		sup.Country = ""
	}
	if r.IntN(4) == 0 && derivable(ce) {
		cus.Country = ""
	}
	rateList := rates[sp.country]
	rate := rateList[r.IntN(len(rateList))]
	if sp.country == "SWE" && r.IntN(2) == 0 {
		rate = "25"
	}
	nLines := 1 + r.IntN(4)
	if r.IntN(10) == 0 {
		nLines = 20 + r.IntN(60)
	}
	var lines []tline
	for i := range nLines {
		lines = append(lines, tline{
			Desc:   fmt.Sprintf("Item %d <%s> & sons", i+1, []string{"consulting", "hardware", "licence", "Übersetzung", "交付"}[r.IntN(5)]),
			Qty:    randomQty(r),
			Price:  randomPrice(r),
			Exempt: r.IntN(5) == 0,
		})
	}
	if r.IntN(8) == 0 { // only exempt lines
		for i := range lines {
			lines[i].Exempt = true
		}
	}
	d := tdoc{
		Kind:     kind,
		Number:   fmt.Sprintf("R-%04d", n),
		Created:  fmt.Sprintf("2025-%02d-%02d", 1+r.IntN(12), 1+r.IntN(28)),
		Currency: currencies[r.IntN(len(currencies))],
		Customer: cus,
		Supplier: sup,
		Lines:    lines,
		Rate:     rate,
	}
	if r.IntN(2) == 0 {
		d.Due = "2026-03-31"
	}
	if r.IntN(2) == 0 {
		d.Ref = "PO-" + digits(r, 6)
	}
	return d, Parties{Supplier: se, Customer: ce}
}

func derivable(ep Endpoint) bool {
	s := schemes[ep.Scheme]
	return s.Country != ""
}

func randomQty(r *rand.Rand) string {
	switch r.IntN(4) {
	case 0:
		return fmt.Sprint(1 + r.IntN(20))
	case 1:
		return fmt.Sprintf("%d.%d", r.IntN(10), 1+r.IntN(9))
	case 2:
		return fmt.Sprintf("%d.%04d", r.IntN(5), 1+r.IntN(9999))
	}
	return fmt.Sprintf("%d.%02d", 1+r.IntN(999), r.IntN(100))
}

func randomPrice(r *rand.Rand) string {
	switch r.IntN(4) {
	case 0:
		return fmt.Sprint(1 + r.IntN(5000))
	case 1:
		return fmt.Sprintf("%d.%02d", r.IntN(100), 1+r.IntN(99))
	case 2:
		return fmt.Sprintf("0.%02d", 1+r.IntN(99))
	}
	return fmt.Sprintf("%d.%d", 1+r.IntN(99999), r.IntN(10))
}
