package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/vatgate/vatgate/internal/invoicing"
)

// customerInput reads a customer object of document 000.
func customerInput(o object) invoicing.CustomerInput {
	return invoicing.CustomerInput{
		Name:          o.str("name"),
		Email:         o.str("email"),
		Country:       o.str("country"),
		TaxNumber:     o.str("tax_number"),
		PeppolID:      o.str("peppol_id"),
		ContactPerson: o.str("contact_person"),
		Language:      o.str("language"),
		City:          o.str("city"),
		State:         o.str("state"),
		AddressLine1:  o.str("address_line_1"),
		AddressLine2:  o.str("address_line_2"),
		PostalCode:    o.str("postal_code"),
		SendingMethod: o.str("sending_method"),
	}
}

// customerResult is one record's answer in the bulk upload; document 000
// shows the success shape, with a numeric status.
type customerResult struct {
	Index   int                    `json:"index"`
	Status  int                    `json:"status"`
	ID      int64                  `json:"customer_id,omitempty"`
	Name    string                 `json:"customer_name,omitempty"`
	Message string                 `json:"message,omitempty"`
	Errors  []invoicing.FieldError `json:"errors,omitempty"`
}

type bulkAnswer[T any] struct {
	Status  string `json:"status"`
	Results []T    `json:"results"`
}

func (s *Server) handleCreateCustomers(w http.ResponseWriter, r *http.Request) {
	records, aerr := s.readBulk(w, r, "customers")
	if aerr != nil {
		s.fail(w, r, aerr, nil)
		return
	}
	results := make([]customerResult, len(records))
	var valid []invoicing.Customer
	var validAt []int
	for i, raw := range records {
		var decoded []invoicing.FieldError
		c, verr := invoicing.Customer{}, (*invoicing.ValidationError)(nil)
		if o, ok := newObject(raw, "", "customer", &decoded); ok {
			c, verr = invoicing.NewCustomer(customerInput(o))
		}
		if verr = merge(decoded, verr); verr != nil {
			results[i] = customerResult{Index: i, Status: http.StatusBadRequest, Message: verr.Error(), Errors: verr.Problems}
			continue
		}
		valid = append(valid, c)
		validAt = append(validAt, i)
	}
	if len(valid) > 0 {
		stored, err := s.store.CreateCustomers(r.Context(), merchantID(r), valid)
		if err != nil {
			s.fail(w, r, errorFor(err, ""), err)
			return
		}
		for j, c := range stored {
			i := validAt[j]
			results[i] = customerResult{Index: i, Status: http.StatusOK, ID: c.ID, Name: c.Name}
		}
	}
	writeJSON(w, http.StatusOK, bulkAnswer[customerResult]{Status: "done", Results: results})
}

func (s *Server) handleUpdateCustomer(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, customerNotFound(r.PathValue("id")), nil)
		return
	}
	in, aerr := decodeUpdate(s, w, r, customerInput)
	if aerr != nil {
		s.fail(w, r, aerr, nil)
		return
	}
	before, after, err := s.store.UpdateCustomer(r.Context(), merchantID(r), id, in)
	if err != nil {
		s.fail(w, r, errorFor(err, customerNotFound(r.PathValue("id")).Message), err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Status   int             `json:"status"`
		Message  string          `json:"message"`
		Customer customerSummary `json:"customer"`
	}{
		Status: http.StatusOK,
		// Document 000's example names the customer as it was before the update.
		Message:  fmt.Sprintf("Customer '%s' (ID: %d) updated successfully", before.Name, after.ID),
		Customer: summarizeCustomer(after),
	})
}

func customerNotFound(id string) *apiError {
	return errorf(http.StatusNotFound, "Customer with ID %s not found", id)
}

// decodeUpdate reads the object body of a PUT into a domain input. A body
// with no field the route knows is refused: it would change nothing and is
// almost always a misspelt field.
func decodeUpdate[T any](s *Server, w http.ResponseWriter, r *http.Request, read func(object) T) (T, *apiError) {
	var zero T
	body, aerr := s.readJSONBody(w, r)
	if aerr != nil {
		return zero, aerr
	}
	var decoded []invoicing.FieldError
	o, ok := newObject(json.RawMessage(body), "", "body", &decoded)
	if !ok {
		return zero, errorf(http.StatusBadRequest, "request body must be a JSON object")
	}
	in := read(o)
	if !o.anyKnown() {
		return zero, errorf(http.StatusBadRequest, "request body has no field to update")
	}
	if len(decoded) > 0 {
		verr := &invoicing.ValidationError{Problems: decoded}
		return zero, &apiError{Status: http.StatusBadRequest, Message: verr.Error(), Errors: decoded}
	}
	return in, nil
}

// customerSummary is the customer in the update answer of document 000.
type customerSummary struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Email     *string `json:"email"`
	Country   *string `json:"country"`
	City      *string `json:"city"`
	TaxNumber *string `json:"tax_number"`
}

func summarizeCustomer(c invoicing.Customer) customerSummary {
	return customerSummary{ID: c.ID, Name: c.Name, Email: opt(c.Email), Country: opt(c.Country), City: opt(c.City), TaxNumber: opt(c.TaxNumber)}
}

// customerJSON is the full customer of the read-back routes.
type customerJSON struct {
	ID            int64     `json:"id"`
	Name          string    `json:"name"`
	Email         *string   `json:"email"`
	Country       *string   `json:"country"`
	TaxNumber     *string   `json:"tax_number"`
	PeppolID      *string   `json:"peppol_id"`
	ContactPerson *string   `json:"contact_person"`
	Language      *string   `json:"language"`
	City          *string   `json:"city"`
	State         *string   `json:"state"`
	AddressLine1  *string   `json:"address_line_1"`
	AddressLine2  *string   `json:"address_line_2"`
	PostalCode    *string   `json:"postal_code"`
	SendingMethod string    `json:"sending_method"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

func customerToJSON(c invoicing.Customer) customerJSON {
	return customerJSON{
		ID: c.ID, Name: c.Name, Email: opt(c.Email), Country: opt(c.Country), TaxNumber: opt(c.TaxNumber),
		PeppolID: opt(c.PeppolID), ContactPerson: opt(c.ContactPerson), Language: opt(c.Language),
		City: opt(c.City), State: opt(c.State), AddressLine1: opt(c.AddressLine1), AddressLine2: opt(c.AddressLine2),
		PostalCode: opt(c.PostalCode), SendingMethod: c.SendingMethod, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
	}
}

// opt writes an absent optional text as JSON null.
func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Server) handleGetCustomer(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.fail(w, r, customerNotFound(r.PathValue("id")), nil)
		return
	}
	c, err := s.store.GetCustomer(r.Context(), merchantID(r), id)
	if err != nil {
		s.fail(w, r, errorFor(err, customerNotFound(r.PathValue("id")).Message), err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Status   int          `json:"status"`
		Customer customerJSON `json:"customer"`
	}{http.StatusOK, customerToJSON(c)})
}

func (s *Server) handleListCustomers(w http.ResponseWriter, r *http.Request) {
	opt, limit, aerr := listOptions(r)
	if aerr != nil {
		s.fail(w, r, aerr, nil)
		return
	}
	cs, err := s.store.ListCustomers(r.Context(), merchantID(r), opt)
	if err != nil {
		s.fail(w, r, errorFor(err, ""), err)
		return
	}
	cs, next := page(cs, limit, func(c invoicing.Customer) int64 { return c.ID })
	out := make([]customerJSON, len(cs))
	for i, c := range cs {
		out[i] = customerToJSON(c)
	}
	writeJSON(w, http.StatusOK, struct {
		Status     int            `json:"status"`
		Customers  []customerJSON `json:"customers"`
		HasMore    bool           `json:"has_more"`
		NextCursor *string        `json:"next_cursor"`
	}{http.StatusOK, out, next != nil, next})
}
