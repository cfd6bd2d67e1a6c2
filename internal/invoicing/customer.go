package invoicing

import (
	"strings"
	"time"
)

// Sending methods of a customer (document 000).
const (
	SendingPeppol = "Peppol"
	SendingEmail  = "Email"
)

// Customer is a merchant's customer. Optional text fields are "" when absent.
type Customer struct {
	ID            int64
	Name          string
	Email         string
	Country       string // ISO 3166-1 alpha-3, upper case
	TaxNumber     string
	PeppolID      string
	ContactPerson string
	Language      string // ISO 639-1, upper case
	City          string
	State         string
	AddressLine1  string
	AddressLine2  string
	PostalCode    string
	SendingMethod string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// CustomerInput is a customer as a request gives it: nil means the field was
// not given. The same type serves the bulk upload (every field at once) and
// the partial update (only the given fields change). An empty string clears
// an optional field.
type CustomerInput struct {
	Name          *string
	Email         *string
	Country       *string
	TaxNumber     *string
	PeppolID      *string
	ContactPerson *string
	Language      *string
	City          *string
	State         *string
	AddressLine1  *string
	AddressLine2  *string
	PostalCode    *string
	SendingMethod *string
}

// NewCustomer builds a customer for the bulk upload: defaults applied, every
// rule of document 000 checked.
func NewCustomer(in CustomerInput) (Customer, *ValidationError) {
	c := Customer{SendingMethod: SendingPeppol}
	var p problems
	if in.Name == nil {
		in.Name = new(string) // absent counts as empty: the name is required
	}
	in.apply(&p, &c)
	return c, p.err()
}

// Apply changes c by the given fields only, checking each. c is left
// unchanged when the input is refused.
func (in CustomerInput) Apply(c *Customer) *ValidationError {
	next := *c
	var p problems
	in.apply(&p, &next)
	if err := p.err(); err != nil {
		return err
	}
	*c = next
	return nil
}

func (in CustomerInput) apply(p *problems, c *Customer) {
	if in.Name != nil {
		c.Name = *in.Name
		checkRequiredString(p, "name", c.Name, 255)
	}
	if in.Email != nil {
		c.Email = *in.Email
		checkEmail(p, "email", c.Email)
	}
	if in.Country != nil {
		c.Country = normCountry(p, "country", *in.Country)
	}
	if in.TaxNumber != nil {
		c.TaxNumber = *in.TaxNumber
		if c.TaxNumber != "" && len([]rune(strings.TrimSpace(c.TaxNumber))) < 3 {
			p.add("tax_number", RuleMinLength, "must be at least 3 characters if provided (got %q)", c.TaxNumber)
		}
		checkMaxLen(p, "tax_number", c.TaxNumber, DefaultMaxLength)
	}
	setMax(p, "peppol_id", in.PeppolID, &c.PeppolID, 25)
	setMax(p, "contact_person", in.ContactPerson, &c.ContactPerson, 75)
	if in.Language != nil {
		c.Language = normLanguage(p, "language", *in.Language)
	}
	setMax(p, "city", in.City, &c.City, 30)
	setMax(p, "state", in.State, &c.State, 30)
	setMax(p, "address_line_1", in.AddressLine1, &c.AddressLine1, 75)
	setMax(p, "address_line_2", in.AddressLine2, &c.AddressLine2, 40)
	setMax(p, "postal_code", in.PostalCode, &c.PostalCode, 12)
	if in.SendingMethod != nil {
		c.SendingMethod = *in.SendingMethod
		if c.SendingMethod == "" {
			c.SendingMethod = SendingPeppol // documented default
		}
		checkEnum(p, "sending_method", c.SendingMethod, SendingPeppol, SendingEmail)
	}
}

// setMax sets an optional text field bounded by max characters.
func setMax(p *problems, field string, in *string, dst *string, max int) {
	if in == nil {
		return
	}
	*dst = *in
	checkMaxLen(p, field, *dst, max)
}
