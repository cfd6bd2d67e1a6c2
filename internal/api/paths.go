package api

import (
	"path"
	"slices"
	"strings"

	"github.com/vatgate/vatgate/internal/token"
)

// apiRoot is the canonical prefix of the invoice APIs.
const apiRoot = "/api/1/app/l_invoice/"

// ompRoot is the one canonical path of the OMP API (document 003); its
// sandbox form appends the token.
const ompRoot = "/api/omp/omp_invoice"

// resources maps every spelling of a resource path (after apiRoot) to its
// canonical form. Two-segment e-document resources come first so the longest
// spelling wins.
var resources = []struct{ spelling, canonical string }{
	{"e_documents/invoices", "e_documents/invoices"},
	{"e_documents/credit-notes", "e_documents/credit-notes"},
	{"e_documents/credit_notes", "e_documents/credit-notes"},
	{"e_documents/status-by-id", "e_documents/status-by-id"},
	{"e_documents/ubl", "e_documents/ubl"},
	{"e_documents/callback", "e_documents/callback"}, // the access point's, with no token
	{"e_documents/webhooks", "webhooks"},
	{"e_documents", "e_documents"},
	{"customers", "customers"},
	{"invoices", "invoices"},
	{"credit_notes", "credit_notes"},
	{"webhooks", "webhooks"},
}

// subResources names the one word that may follow a resource's id: the
// delivery log of a webhook endpoint ("webhooks/{token}/{id}/deliveries").
var subResources = map[string]string{
	"webhooks": "deliveries",
}

// canonicalPath turns any spelling the documents use into one canonical
// path without the token, so the router holds one pattern per route:
//
//   - "/api/app/l_invoice/..." (no "/1/") is "/api/1/app/l_invoice/...";
//   - "edocuments" is "e_documents"; a trailing slash or none is the same;
//   - "e_documents/webhooks" is "webhooks";
//   - "e_documents/callback" (the access point's status callbacks) is a
//     resource of its own, not "e_documents" with the token "callback";
//   - after the resource come a token and an id in either order, or either
//     alone: issued tokens always contain a non-digit, so an all-digit
//     segment is the id; a sub-resource's word may follow the id
//     (subResources);
//   - "/api/omp/omp_invoice/{token}" (document 003's sandbox form) is
//     "/api/omp/omp_invoice" with the token taken out.
//
// It returns the canonical path, the token found in the path ("" if none)
// and the original path with that token redacted, for logs.
func canonicalPath(p string) (canonical, tok, logPath string) {
	logPath = p
	trimmed := strings.TrimRight(p, "/")
	if trimmed == "" {
		return "/", "", p
	}
	if path.Clean(trimmed) != trimmed {
		// "//", "/./" or "/../" inside: the ServeMux would redirect to
		// the clean form, quoting the path, token and all, and a client
		// may follow a 301 with a GET. No route is spelt so.
		return unroutable, "", redactSegments(p)
	}
	if rest, ok := strings.CutPrefix(trimmed, ompRoot); ok && (rest == "" || rest[0] == '/') {
		return ompPath(p, trimmed, rest)
	}
	if rest, ok := strings.CutPrefix(trimmed, "/api/app/"); ok {
		trimmed = "/api/1/app/" + rest
	}
	rest, ok := strings.CutPrefix(trimmed+"/", apiRoot)
	if !ok {
		// A token may sit anywhere in a path we do not know (a mistyped
		// OMP route, say): redact as for an unmatched API path.
		return trimmed, "", redactSegments(p)
	}
	rest = strings.TrimSuffix(rest, "/")
	if r, ok := strings.CutPrefix(rest, "edocuments"); ok {
		rest = "e_documents" + r
	}
	for _, res := range resources {
		tail, ok := strings.CutPrefix(rest, res.spelling)
		if !ok || (tail != "" && tail[0] != '/') {
			continue
		}
		segs, sub := strings.TrimPrefix(tail, "/"), ""
		if word, ok := subResources[res.canonical]; ok {
			segs, sub = cutSubResource(segs, word)
		}
		id, tok, ok := splitTokenAndID(segs)
		if !ok || (sub != "" && id == "") {
			return unroutable, "", redactSegments(p)
		}
		canonical = apiRoot + res.canonical
		if id != "" {
			canonical += "/" + id
		}
		canonical += sub
		if tok != "" {
			logPath = strings.Replace(p, tok, token.Redact(tok), 1)
		}
		return canonical, tok, logPath
	}
	return unroutable, "", redactSegments(p)
}

// unroutable is the canonical path of a path under the API root that names
// no route, and of a path that is not clean: it matches no pattern, so the
// request is answered 404 "no such route". Handing the path itself to the router would let a pattern's
// wildcard take a segment it was not meant to ("webhooks/{id}/deliveries"
// took "webhooks/{token}/deliveries", and the handler quoted the token as an
// id), and would let the ServeMux redirect a path it cleans ("//customers"),
// which turns a POST into a GET.
const unroutable = apiRoot + "-"

// ompPath resolves an OMP path: nothing after ompRoot, or one segment, which
// is the token whatever it looks like (the OMP API has no ids, and its own
// tokens are 32 hex digits). rest is what follows ompRoot in trimmed.
func ompPath(p, trimmed, rest string) (canonical, tok, logPath string) {
	tok = strings.TrimPrefix(rest, "/")
	switch {
	case tok == "":
		return ompRoot, "", p
	case strings.Contains(tok, "/"):
		return trimmed, "", redactSegments(p)
	}
	// The token is the last segment, so its last occurrence is the one to
	// hide even when it also spells part of the path ("/api/omp/.../omp").
	i := strings.LastIndex(p, tok)
	return ompRoot, tok, p[:i] + token.Redact(tok) + p[i+len(tok):]
}

// cutSubResource takes word out of the segments after a resource when it
// follows an id ("{token}/{id}/word", "{id}/{token}/word", "{id}/word/{token}"),
// and returns the rest and "/word"; otherwise it returns tail unchanged.
func cutSubResource(tail, word string) (rest, sub string) {
	segs := strings.Split(tail, "/")
	for i, s := range segs {
		if s != word {
			continue
		}
		if !slices.ContainsFunc(segs[:i], isDigits) {
			return tail, ""
		}
		return strings.Join(slices.Delete(segs, i, i+1), "/"), "/" + word
	}
	return tail, ""
}

// splitTokenAndID reads the segments after a resource: nothing, a token, an
// id, or one of each in either order.
func splitTokenAndID(tail string) (id, tok string, ok bool) {
	if tail == "" {
		return "", "", true
	}
	segs := strings.Split(tail, "/")
	if len(segs) > 2 {
		return "", "", false
	}
	for _, s := range segs {
		switch {
		case s == "":
			return "", "", false
		case isDigits(s) && id == "":
			id = s
		case !isDigits(s) && tok == "":
			tok = s
		default:
			return "", "", false
		}
	}
	return id, tok, true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// redactSegments hides every long non-numeric segment of a path that did not
// match a route: it may hold a token in a position we do not know.
func redactSegments(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if len(s) >= 12 && !isDigits(s) {
			segs[i] = token.Redact(s)
		}
	}
	return strings.Join(segs, "/")
}
