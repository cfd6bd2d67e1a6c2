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
		// Two ids, two tokens or extra segments match no route.
		{"/api/1/app/l_invoice/invoices/12/34", "/api/1/app/l_invoice/invoices/12/34", ""},
		{"/api/1/app/l_invoice/invoices/" + tok + "/abc", "/api/1/app/l_invoice/invoices/" + tok + "/abc", ""},
		{"/api/1/app/l_invoice/invoicesx/" + tok, "/api/1/app/l_invoice/invoicesx/" + tok, ""},
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
