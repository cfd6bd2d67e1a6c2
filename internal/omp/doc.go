// Package omp owns marketplace tax determination (document 003, the Invoice
// OMP API): given one online-marketplace sale, it decides which invoices the
// sale needs (vendor->customer, or the two legs of a deemed-supplier chain),
// their type, tax type, taxable jurisdiction and rate, following the rule
// specification shared/omp/RULES.md section by section. It also owns the
// rates data that specification uses: tax-rates.json, embedded in the binary
// and parsed once (Rates).
//
// The package is pure: no I/O, no clock and no exchange-rate source of its
// own. The caller passes "today" (the default order date, RULES §1.1) and a
// Converter (package fx in production) for the currency conversions of
// RULES §1.8. The same request, date and rates always give the same answer.
//
// Files follow RULES.md: types.go (Request, Answer), json.go (the answer
// shapes of §0 and §17.1), errors.go (error kinds for the HTTP layer),
// engine.go (§1 normalisation, §2 dispatcher), basis.go (the rule,
// thresholds and rates behind an answer), basket.go (§17.1 mixed baskets),
// eu.go and territories.go (§3, §1.2), uk.go (§4), nordics.go (§5), ch.go
// (§6), apac.go (§7), canada.go (§8), digital.go (§9), us.go (§10),
// japan.go (§11), generic.go (§12), rates.go and rates_parse.go (§15 and the data).
//
// Where RULES.md leaves a point open, the package's own decision is marked
// "[CONVENTION] of this package" in the code and explained in the basis
// notes of the answers it affects.
package omp
