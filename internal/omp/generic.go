package omp

// RULES §12: generic fallback for every other destination.

// genericRegimes are the platform/low-value regimes RULES §12 names as not
// modelled; the basis says so.
var genericRegimes = map[string]string{
	"MYS": "Malaysia: low-value goods sales tax 10 % ≤ MYR 500 (2024-01-01), not modelled",
	"CHL": "Chile: VAT on imports ≤ USD 500 via platforms (2025-10-25), not modelled",
	"VNM": "Vietnam: platform withholding for household sellers (2025-07-01) and removal of the VND 1 m import exemption (2025-02-18), not modelled",
	"PHL": "Philippines: VAT on digital services (RA 12023, 2025-06-02), not modelled",
	"MEX": "Mexico: platform withholding, not modelled",
	"IND": "India: e-commerce-operator TCS and OIDAR, not modelled",
}

func (ev *eval) generic(ln line) (outcome, error) {
	f := ev.f
	a, d := f.arrival, f.departure
	jur := a.country
	b := ev.rule("", "", "")
	if n, ok := genericRegimes[jur]; ok {
		b.note("[UNCERTAIN] %s (RULES §12)", n)
	}
	c, ok := ev.e.rates.Country(jur)
	if !ok {
		return outcome{}, unsupported("arrival_country", "no tax rate for %s in the rates data", jur)
	}
	tt := ev.taxTypeOf(jur)
	if c.NoVAT {
		b.o.rule, b.o.section, b.o.reason = "GEN-X2", "§12 X2", c.Name+" levies no VAT"
		b.o.rates = append(b.o.rates, RateUse{Jurisdiction: jur, Percent: zero, Kind: "no_vat", Sources: c.Sources, Uncertain: c.Uncertain})
		return b.leg(VendorCustomer, ExemptedInvoice, tt, jur, zero).done()
	}
	pct := b.countryRate(jur, jur, "arrival_country")
	if vatArea(d.country) == vatArea(a.country) {
		b.o.rule, b.o.section, b.o.reason = "GEN-X1", "§12 X1", "domestic supply: the vendor charges the local tax"
		return b.leg(VendorCustomer, VATInvoice, tt, jur, pct).done()
	}
	cur, _ := ev.e.rates.CurrencyOn(jur, f.date)
	b.o.rule, b.o.section, b.o.reason = "GEN-X2", "§12 X2", "import: tax collected at the border, intrinsic value in the arrival currency"
	return b.commercial(tt, jur, pct, cur).done()
}
