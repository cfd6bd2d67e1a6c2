package api

import "testing"

func TestCanonicalPath(t *testing.T) {
	const tok = "vgt_abcdefghijklmnopqrstuvwxyz012345"
	tests := []struct {
		in, canonical, tok string
	}{
		{"/api/1/app/l_invoice/customers/" + tok, "/api/1/app/l_invoice/customers", tok},
		{"/api/1/app/l_invoice/customers/" + tok + "/", "/api/1/app/l_invoice/customers", tok},
		{"/api/app/l_invoice/customers/" + tok + "/3302", "/api/1/app/l_invoice/customers/3302", tok},
		{"/api/1/app/l_invoice/customers/3302/" + tok, "/api/1/app/l_invoice/customers/3302", tok},
		{"/api/1/app/l_invoice/invoices/" + tok + "/1234/", "/api/1/app/l_invoice/invoices/1234", tok},
		{"/api/1/app/l_invoice/invoices/1234", "/api/1/app/l_invoice/invoices/1234", ""},
		{"/api/1/app/l_invoice/invoices", "/api/1/app/l_invoice/invoices", ""},
		{"/api/1/app/l_invoice/credit_notes/your-access-token", "/api/1/app/l_invoice/credit_notes", "your-access-token"},
		{"/api/1/app/l_invoice/edocuments/invoices/" + tok + "/", "/api/1/app/l_invoice/e_documents/invoices", tok},
		{"/api/1/app/l_invoice/e_documents/status-by-id/" + tok + "/77/", "/api/1/app/l_invoice/e_documents/status-by-id/77", tok},
		{"/api/1/app/l_invoice/e_documents/" + tok, "/api/1/app/l_invoice/e_documents", tok},
		// The access point's status callback: "callback" is no token.
		{"/api/1/app/l_invoice/e_documents/callback", "/api/1/app/l_invoice/e_documents/callback", ""},
		{"/api/app/l_invoice/edocuments/callback/", "/api/1/app/l_invoice/e_documents/callback", ""},
		// Webhooks, also under e_documents, and an endpoint's delivery log.
		{"/api/1/app/l_invoice/webhooks/" + tok, "/api/1/app/l_invoice/webhooks", tok},
		{"/api/app/l_invoice/e_documents/webhooks/" + tok + "/", "/api/1/app/l_invoice/webhooks", tok},
		{"/api/1/app/l_invoice/edocuments/webhooks/" + tok + "/7", "/api/1/app/l_invoice/webhooks/7", tok},
		{"/api/1/app/l_invoice/webhooks/7/" + tok, "/api/1/app/l_invoice/webhooks/7", tok},
		{"/api/1/app/l_invoice/webhooks/" + tok + "/7/deliveries", "/api/1/app/l_invoice/webhooks/7/deliveries", tok},
		{"/api/1/app/l_invoice/webhooks/7/" + tok + "/deliveries/", "/api/1/app/l_invoice/webhooks/7/deliveries", tok},
		{"/api/1/app/l_invoice/webhooks/7/deliveries/" + tok, "/api/1/app/l_invoice/webhooks/7/deliveries", tok},
		{"/api/1/app/l_invoice/webhooks/7/deliveries", "/api/1/app/l_invoice/webhooks/7/deliveries", ""},
		{"/api/1/app/l_invoice/e_documents/webhooks/" + tok + "/7/deliveries", "/api/1/app/l_invoice/webhooks/7/deliveries", tok},
		// A delivery log needs an endpoint id; only webhooks have one. A
		// path under the API root that names no route is unroutable, not
		// handed to the router as it is (webhooks/{id}/deliveries would
		// take the token for the id).
		{"/api/1/app/l_invoice/webhooks/" + tok + "/deliveries", unroutable, ""},
		{"/api/1/app/l_invoice/webhooks/" + tok + "/7/deliveries/deliveries", unroutable, ""},
		{"/api/1/app/l_invoice/invoices/" + tok + "/7/deliveries", unroutable, ""},
		// Two ids, two tokens or extra segments match no route.
		{"/api/1/app/l_invoice/invoices/12/34", unroutable, ""},
		{"/api/1/app/l_invoice/invoices/" + tok + "/abc", unroutable, ""},
		{"/api/1/app/l_invoice/invoicesx/" + tok, unroutable, ""},
		{"/api/1/app/l_invoice//customers/" + tok, unroutable, ""},
		{"/api/1/app/l_invoice", unroutable, ""},
		// Paths that are not clean: the ServeMux would redirect them.
		{"/api/app//l_invoice/invoices/" + tok, unroutable, ""},
		{"/api/1/app/l_invoice/customers/../invoices/" + tok, unroutable, ""},
		{"/api/omp/omp_invoice//" + tok, unroutable, ""},
		{"//healthz", unroutable, ""},
		{"/healthz/", "/healthz", ""},
		{"/", "/", ""},
	}
	for _, tt := range tests {
		c, tk, logPath := canonicalPath(tt.in)
		if c != tt.canonical || tk != tt.tok {
			t.Errorf("canonicalPath(%q) = %q, %q; want %q, %q", tt.in, c, tk, tt.canonical, tt.tok)
		}
		if len(tt.tok) > 0 && containsToken(logPath, tt.tok) {
			t.Errorf("log path %q shows the token", logPath)
		}
		if containsToken(logPath, tok) {
			t.Errorf("log path %q shows the token", logPath)
		}
	}
}

func containsToken(s, tok string) bool {
	for i := 0; i+len(tok) <= len(s); i++ {
		if s[i:i+len(tok)] == tok {
			return true
		}
	}
	return false
}

// The OMP API (document 003): the bare route takes its token from the
// Authorization header, the sandbox form from the path, with or without a
// trailing slash; any single segment is the token.
func TestCanonicalPathOMP(t *testing.T) {
	const tok = "vgt_abcdefghijklmnopqrstuvwxyz012345"
	const lovat = "6cec387781a94425b401206d1710801a" // the document's example token
	tests := []struct {
		in, canonical, tok, logPath string
	}{
		{"/api/omp/omp_invoice", "/api/omp/omp_invoice", "", "/api/omp/omp_invoice"},
		{"/api/omp/omp_invoice/", "/api/omp/omp_invoice", "", "/api/omp/omp_invoice/"},
		{"/api/omp/omp_invoice/" + tok, "/api/omp/omp_invoice", tok, "/api/omp/omp_invoice/vgt_…2345"},
		{"/api/omp/omp_invoice/" + tok + "/", "/api/omp/omp_invoice", tok, "/api/omp/omp_invoice/vgt_…2345/"},
		{"/api/omp/omp_invoice/" + lovat, "/api/omp/omp_invoice", lovat, "/api/omp/omp_invoice/…801a"},
		{"/api/omp/omp_invoice/omp_invoice_token", "/api/omp/omp_invoice", "omp_invoice_token", "/api/omp/omp_invoice/…oken"},
		// Two segments after the route, or another word, match no route.
		{"/api/omp/omp_invoice/" + tok + "/1", "/api/omp/omp_invoice/" + tok + "/1", "", "/api/omp/omp_invoice/vgt_…2345/1"},
		{"/api/omp/omp_invoices/" + tok, "/api/omp/omp_invoices/" + tok, "", "/api/omp/…ices/vgt_…2345"},
	}
	for _, tt := range tests {
		c, tk, logPath := canonicalPath(tt.in)
		if c != tt.canonical || tk != tt.tok || logPath != tt.logPath {
			t.Errorf("canonicalPath(%q) = %q, %q, %q; want %q, %q, %q", tt.in, c, tk, logPath, tt.canonical, tt.tok, tt.logPath)
		}
	}
}
