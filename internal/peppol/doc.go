// Package peppol owns Peppol participant identifiers: reading them in the
// spellings integrators send, checking them against the Peppol code lists,
// and inferring the scheme of a bare one (participant.go, schemes.go,
// formats.go, resolve.go and the scheme list data/eas.tsv). The access-point
// transports live in its sub-packages.
//
// # Participant identifiers
//
// A participant id is an ISO/IEC 6523 ICD code (the "scheme", e.g. 0192) and
// an identifier within it: "0192:123456789", or in full
// "iso6523-actorid-upis::0192:123456789". [Parse] reads either spelling and
// refuses, with an [*IDError] an integrator can act on, anything Peppol BIS
// Billing 3.0 or the Peppol network would refuse later:
//
//   - the scheme must be in the EAS list of BIS Billing 3.0.21 (rule
//     PEPPOL-EN16931-CL008); retired and deprecated schemes are named as such,
//     with their successor where the code list shows one (data/eas.tsv, whose
//     header names its sources);
//   - the identifier follows the Peppol Policy for use of Identifiers 4.4.0,
//     POLICY 1: 1 to 130 characters, only letters, digits, '-', '.', '_' and
//     '~' (so no spaces), compared without regard to letter case;
//   - where the Peppol code list, a BIS rule or the national register defines
//     one, the scheme's own format and check digits (formats.go): GLN,
//     Norwegian, Swedish, Danish, Icelandic, Estonian, Finnish organisation
//     numbers, Belgian enterprise numbers, SIREN/SIRET, ABN, Swiss UID, LEI,
//     the shape of the EU VAT numbers, and more. Other schemes get only the
//     generic checks.
//
// Values of schemes with a known format are upper-cased (their letters are
// prefixes like "DE" or "ATU"); other values are kept as given, since Peppol
// compares them case-insensitively anyway ([ParticipantID.Equal]).
//
// # Bare ids
//
// Document 004 also sends bare ids such as "DE123456789". [Resolve] infers the
// scheme, in this order:
//
//  1. An id with a scheme is parsed as above.
//  2. An id that starts with a VAT prefix (EU member states' prefixes, EL for
//     Greece, GB, NO, CHE) is read as that country's VAT number, whatever the
//     party's country: most map to the country's Peppol VAT scheme (DE -> 9930,
//     GB -> 9932, NL -> 9944, FR -> 9957, AT -> 9914, ES -> 9920, ...), and
//     IT -> 0211, because 0211 is the Peppol scheme for the partita IVA since
//     IT:VAT (9906) was removed. Where the country's Peppol registrations use
//     the national number the VAT number is built from, that number is used:
//     BE -> 0208 (the 10 digits are the enterprise number), DK -> 0184 (the 8
//     digits are the CVR number), SE -> 0007 (SE + organisation number + 01),
//     NO -> 0192 (NO + organisation number + MVA), FI -> 0216 (OVT code
//     "0037" + the business id), CHE -> 0183 (the Swiss UID; the VAT number is
//     the UID + MWST/TVA/IVA).
//  3. An id without a prefix that is the party's tax number without its VAT
//     prefix is read as that VAT number ("123456789" with tax number
//     "DE123456789" -> 9930:DE123456789).
//  4. An id of digits is read as the national number of the party's country
//     (or, when no country is given, of the tax number's VAT prefix) where
//     that country's Peppol scheme is told apart by length alone: DK 8 ->
//     0184, SE 10 -> 0007, NO 9 -> 0192, BE 10 -> 0208, NL 8 -> 0106 (KvK) or
//     20 -> 0190 (OIN), FR 9 -> 0002 (SIREN) or 14 -> 0009 (SIRET), FI
//     business id -> 0216, EE 8 -> 0191, IS 10 -> 0196, AU 11 -> 0151.
//
// The inferred id is then checked like a parsed one. An id that cannot be
// inferred is refused with what was tried, e.g.
//
//	participant id "PE001": no scheme given and none can be inferred (no country, no VAT prefix)
//
// Nothing else is guessed: a bare 13-digit number is not assumed to be a GLN,
// and a German id without its DE prefix is not assumed to be a VAT number
// unless the tax number says so.
//
// # Why by hand
//
// No Go library covers the Peppol ICD formats: the reference implementation
// is Java (phax/peppol-commons), national number checks live in Python
// (python-stdnum), and invopop/gobl validates tax ids inside its own document
// model rather than Peppol identifiers. The checks here are small, pure and
// tested against the examples of the Peppol code list.
package peppol
