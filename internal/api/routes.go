package api

import "net/http"

// routes holds every route, one line each, on canonical paths: canonicalPath
// has already resolved the documents' spellings and taken the token out.
// s.limited marks the routes with a per-token request limit (ratelimit.go);
// s.idempotent, every POST and PUT behind a token (idempotency.go).
func (s *Server) routes() {
	const root = "/api/1/app/l_invoice"
	s.mux.HandleFunc("GET /healthz", s.handleHealthz)
	s.mux.HandleFunc("GET /readyz", s.handleReadyz)   // ops.go
	s.mux.HandleFunc("GET /metrics", s.handleMetrics) // no token; Config.ServeMetrics

	s.mux.HandleFunc("POST "+root+"/customers", s.authed(s.limited(invoiceClass, s.idempotent(s.handleCreateCustomers))))
	s.mux.HandleFunc("PUT "+root+"/customers/{id}", s.authed(s.limited(invoiceClass, s.idempotent(s.handleUpdateCustomer))))
	s.mux.HandleFunc("GET "+root+"/customers/{id}", s.authed(s.limited(invoiceClass, s.handleGetCustomer)))
	s.mux.HandleFunc("GET "+root+"/customers", s.authed(s.limited(invoiceClass, s.handleListCustomers)))

	s.mux.HandleFunc("POST "+root+"/invoices", s.authed(s.limited(invoiceClass, s.idempotent(s.handleCreateDocuments(invoices)))))
	s.mux.HandleFunc("PUT "+root+"/invoices/{id}", s.authed(s.limited(invoiceClass, s.idempotent(s.handleUpdateDocument(invoices)))))
	s.mux.HandleFunc("GET "+root+"/invoices/{id}", s.authed(s.limited(invoiceClass, s.handleGetDocument(invoices))))
	s.mux.HandleFunc("GET "+root+"/invoices", s.authed(s.limited(invoiceClass, s.handleListDocuments(invoices))))

	s.mux.HandleFunc("POST "+root+"/credit_notes", s.authed(s.limited(invoiceClass, s.idempotent(s.handleCreateDocuments(creditNotes)))))
	s.mux.HandleFunc("PUT "+root+"/credit_notes/{id}", s.authed(s.limited(invoiceClass, s.idempotent(s.handleUpdateDocument(creditNotes)))))
	s.mux.HandleFunc("GET "+root+"/credit_notes/{id}", s.authed(s.limited(invoiceClass, s.handleGetDocument(creditNotes))))
	s.mux.HandleFunc("GET "+root+"/credit_notes", s.authed(s.limited(invoiceClass, s.handleListDocuments(creditNotes))))

	s.mux.HandleFunc("POST "+root+"/e_documents/invoices", s.authed(s.idempotent(s.handleCreateEDocuments(eInvoices))))
	s.mux.HandleFunc("POST "+root+"/e_documents/credit-notes", s.authed(s.idempotent(s.handleCreateEDocuments(eCreditNotes))))
	s.mux.HandleFunc("GET "+root+"/e_documents/status-by-id/{id}", s.authed(s.handleEDocumentStatus))
	s.mux.HandleFunc("GET "+root+"/e_documents/ubl/{id}", s.authed(s.handleEDocumentUBL))
	s.mux.HandleFunc("GET "+root+"/e_documents", s.authed(s.handleListEDocuments))
	s.mux.HandleFunc("POST "+root+"/e_documents/callback", s.handleTransmissionCallback) // signed by the access point, no token

	s.mux.HandleFunc("POST "+root+"/webhooks", s.authed(s.idempotent(s.handleCreateWebhook)))
	s.mux.HandleFunc("GET "+root+"/webhooks", s.authed(s.handleListWebhooks))
	s.mux.HandleFunc("DELETE "+root+"/webhooks/{id}", s.authed(s.handleDeleteWebhook))
	s.mux.HandleFunc("GET "+root+"/webhooks/{id}/deliveries", s.authed(s.handleListWebhookDeliveries))

	s.mux.HandleFunc("POST "+ompRoot, s.authed(s.limited(ompClass, s.idempotent(s.handleOMP))))
}

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
