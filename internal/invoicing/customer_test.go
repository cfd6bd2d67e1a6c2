package invoicing_test

import (
	"reflect"
	"testing"

	"github.com/vatgate/vatgate/internal/invoicing"
)

// validCustomer is the first customer of document 000's bulk example, with
// the one field the example leaves out (address_line_2) added.
func validCustomer() invoicing.CustomerInput {
	return invoicing.CustomerInput{
		Name:          new("Acme Corporation"),
		Email:         new("contact@acme.com"),
		Country:       new("USA"),
		TaxNumber:     new("123456789"),
		PeppolID:      new("0192:123456789"),
		ContactPerson: new("John Smith"),
		Language:      new("EN"),
		City:          new("New York"),
		State:         new("NY"),
		AddressLine1:  new("123 Business Ave"),
		AddressLine2:  new("Suite 100"),
		PostalCode:    new("10001"),
		SendingMethod: new("Peppol"),
	}
}

// customerField is the input slot of a field named as in the API.
func customerField(in *invoicing.CustomerInput, field string) **string {
	switch field {
	case "name":
		return &in.Name
	case "email":
		return &in.Email
	case "country":
		return &in.Country
	case "tax_number":
		return &in.TaxNumber
	case "peppol_id":
		return &in.PeppolID
	case "contact_person":
		return &in.ContactPerson
	case "language":
		return &in.Language
	case "city":
		return &in.City
	case "state":
		return &in.State
	case "address_line_1":
		return &in.AddressLine1
	case "address_line_2":
		return &in.AddressLine2
	case "postal_code":
		return &in.PostalCode
	case "sending_method":
		return &in.SendingMethod
	}
	panic("unknown customer field " + field)
}

// customerValue is the stored value of a field named as in the API.
func customerValue(c invoicing.Customer, field string) string {
	switch field {
	case "name":
		return c.Name
	case "email":
		return c.Email
	case "country":
		return c.Country
	case "tax_number":
		return c.TaxNumber
	case "peppol_id":
		return c.PeppolID
	case "contact_person":
		return c.ContactPerson
	case "language":
		return c.Language
	case "city":
		return c.City
	case "state":
		return c.State
	case "address_line_1":
		return c.AddressLine1
	case "address_line_2":
		return c.AddressLine2
	case "postal_code":
		return c.PostalCode
	case "sending_method":
		return c.SendingMethod
	}
	panic("unknown customer field " + field)
}

// fieldCase sets one field of an otherwise valid record. rule "" means the
// value is accepted and stored as stored; otherwise it is refused by rule.
type fieldCase struct {
	field  string
	value  *string // nil: the field is absent
	rule   string
	stored string
}

func okAs(field, value, stored string) fieldCase {
	return fieldCase{field: field, value: &value, stored: stored}
}
func ok(field, value string) fieldCase { return okAs(field, value, value) }
func bad(field, value, rule string) fieldCase {
	return fieldCase{field: field, value: &value, rule: rule}
}

// lengthCases covers both sides of a maximum length, in characters: max
// two-byte and three-byte letters are accepted, max+1 letters refused.
func lengthCases(field string, max int) []fieldCase {
	return []fieldCase{
		ok(field, rep("a", max)),
		ok(field, rep(e2, max)),
		ok(field, rep(j3, max)),
		bad(field, rep("a", max+1), invoicing.RuleMaxLength),
		bad(field, rep(e2, max+1), invoicing.RuleMaxLength),
		bad(field, rep(j3, max+1), invoicing.RuleMaxLength),
	}
}

// emailCases: the documented rule is "must contain '@' if provided".
func emailCases(field string) []fieldCase {
	return []fieldCase{
		ok(field, "a@b"),
		ok(field, "contact@acme.com"),
		ok(field, ""), // "" is absent
		bad(field, "ab", invoicing.RuleFormat),
		bad(field, "@b", invoicing.RuleFormat),
		bad(field, "a@", invoicing.RuleFormat),
		bad(field, "@", invoicing.RuleFormat),
	}
}

// countryCases: ISO 3166-1 alpha-3 in any case, stored upper case.
func countryCases(field string) []fieldCase {
	return []fieldCase{
		ok(field, "USA"),
		okAs(field, "usa", "USA"),
		okAs(field, "dEu", "DEU"),
		ok(field, "GBR"),
		ok(field, ""), // "" is absent
		bad(field, "US", invoicing.RuleCode),
		bad(field, "us", invoicing.RuleCode),
		bad(field, "XXX", invoicing.RuleCode),
		bad(field, "USAA", invoicing.RuleCode),
		bad(field, "U", invoicing.RuleCode),
		bad(field, "840", invoicing.RuleCode),
		bad(field, "uſa", invoicing.RuleCode), // ſ upper-cases to S
	}
}

func customerCases() []fieldCase {
	var cs []fieldCase
	// name: required, not empty, at most 255 characters.
	cs = append(cs, lengthCases("name", 255)...)
	cs = append(cs,
		fieldCase{field: "name", value: nil, rule: invoicing.RuleRequired},
		bad("name", "", invoicing.RuleRequired),
		bad("name", "   ", invoicing.RuleRequired),
		bad("name", "\t\n", invoicing.RuleRequired),
	)
	cs = append(cs, emailCases("email")...)
	cs = append(cs, bad("email", rep("a", 250)+"@b.com", invoicing.RuleMaxLength)) // 256, the package's bound on unbounded strings
	cs = append(cs, countryCases("country")...)
	// tax_number: at least 3 characters if provided; no documented maximum,
	// so the package's DefaultMaxLength applies.
	cs = append(cs,
		ok("tax_number", ""),
		ok("tax_number", "abc"),
		ok("tax_number", e2+e2+j3), // 3 characters, 7 bytes
		bad("tax_number", "ab", invoicing.RuleMinLength),
		bad("tax_number", "a", invoicing.RuleMinLength),
		bad("tax_number", e2+j3, invoicing.RuleMinLength), // 2 characters, 5 bytes
		bad("tax_number", "   ", invoicing.RuleMinLength), // blanks are not characters of a number
		bad("tax_number", " a ", invoicing.RuleMinLength),
	)
	cs = append(cs, lengthCases("tax_number", invoicing.DefaultMaxLength)...)
	cs = append(cs, lengthCases("peppol_id", 25)...)
	cs = append(cs, lengthCases("contact_person", 75)...)
	cs = append(cs, lengthCases("city", 30)...)
	cs = append(cs, lengthCases("state", 30)...)
	cs = append(cs, lengthCases("address_line_1", 75)...)
	cs = append(cs, lengthCases("address_line_2", 40)...)
	cs = append(cs, lengthCases("postal_code", 12)...)
	// language: ISO 639-1, any case, stored upper case like the examples.
	cs = append(cs,
		ok("language", "EN"),
		okAs("language", "en", "EN"),
		okAs("language", "De", "DE"),
		ok("language", ""),
		bad("language", "eng", invoicing.RuleCode),
		bad("language", "xx", invoicing.RuleCode),
		bad("language", "e", invoicing.RuleCode),
		bad("language", "e1", invoicing.RuleCode),
		bad("language", "\u212aa", invoicing.RuleCode), // Kelvin sign lower-cases to k: "ka" is Georgian
	)
	// sending_method: "Peppol" or "Email", exactly; default "Peppol".
	cs = append(cs,
		ok("sending_method", "Peppol"),
		ok("sending_method", "Email"),
		fieldCase{field: "sending_method", value: nil, stored: invoicing.SendingPeppol},
		okAs("sending_method", "", invoicing.SendingPeppol),
		bad("sending_method", "Fax", invoicing.RuleEnum),
		bad("sending_method", "peppol", invoicing.RuleEnum),
		bad("sending_method", "EMAIL", invoicing.RuleEnum),
		bad("sending_method", "Peppol ", invoicing.RuleEnum),
	)
	return cs
}

func TestNewCustomerFieldRules(t *testing.T) {
	for _, tc := range customerCases() {
		t.Run(tc.field+"/"+show(tc.value), func(t *testing.T) {
			in := validCustomer()
			*customerField(&in, tc.field) = tc.value
			c, err := invoicing.NewCustomer(in)
			if tc.rule != "" {
				wantRefused(t, err, tc.field, tc.rule)
				return
			}
			wantOK(t, err)
			if got := customerValue(c, tc.field); got != tc.stored {
				t.Errorf("stored %s = %q, want %q", tc.field, got, tc.stored)
			}
		})
	}
}

// Apply checks the same rules as the upload, field by field.
func TestCustomerApplyFieldRules(t *testing.T) {
	for _, tc := range customerCases() {
		if tc.value == nil {
			continue // absent leaves the field as it is; see TestCustomerApply
		}
		t.Run(tc.field+"/"+show(tc.value), func(t *testing.T) {
			c, err := invoicing.NewCustomer(validCustomer())
			wantOK(t, err)
			before := c
			var in invoicing.CustomerInput
			*customerField(&in, tc.field) = tc.value
			err = in.Apply(&c)
			if tc.rule != "" {
				wantRefused(t, err, tc.field, tc.rule)
				if !reflect.DeepEqual(c, before) {
					t.Errorf("refused update changed the customer:\n got %+v\nwant %+v", c, before)
				}
				return
			}
			wantOK(t, err)
			if got := customerValue(c, tc.field); got != tc.stored {
				t.Errorf("stored %s = %q, want %q", tc.field, got, tc.stored)
			}
		})
	}
}

func TestNewCustomerExample(t *testing.T) {
	c, err := invoicing.NewCustomer(validCustomer())
	wantOK(t, err)
	want := invoicing.Customer{
		Name: "Acme Corporation", Email: "contact@acme.com", Country: "USA", TaxNumber: "123456789",
		PeppolID: "0192:123456789", ContactPerson: "John Smith", Language: "EN", City: "New York",
		State: "NY", AddressLine1: "123 Business Ave", AddressLine2: "Suite 100", PostalCode: "10001",
		SendingMethod: "Peppol",
	}
	if c != want {
		t.Errorf("got %+v\nwant %+v", c, want)
	}
}

func TestNewCustomerOnlyName(t *testing.T) {
	c, err := invoicing.NewCustomer(invoicing.CustomerInput{Name: new("Tech Solutions Ltd")})
	wantOK(t, err)
	want := invoicing.Customer{Name: "Tech Solutions Ltd", SendingMethod: invoicing.SendingPeppol}
	if c != want {
		t.Errorf("got %+v\nwant %+v", c, want)
	}
}

func TestNewCustomerReportsEveryProblem(t *testing.T) {
	in := validCustomer()
	in.Name = new("  ")
	in.Email = new("ab")
	in.Country = new("US")
	in.TaxNumber = new("ab")
	in.Language = new("eng")
	in.City = new(rep(e2, 31))
	in.SendingMethod = new("Fax")
	_, err := invoicing.NewCustomer(in)
	wantProblems(t, err,
		[2]string{"name", invoicing.RuleRequired},
		[2]string{"email", invoicing.RuleFormat},
		[2]string{"country", invoicing.RuleCode},
		[2]string{"tax_number", invoicing.RuleMinLength},
		[2]string{"language", invoicing.RuleCode},
		[2]string{"city", invoicing.RuleMaxLength},
		[2]string{"sending_method", invoicing.RuleEnum},
	)

	_, err = invoicing.NewCustomer(invoicing.CustomerInput{})
	wantProblems(t, err, [2]string{"name", invoicing.RuleRequired})
}

func TestCustomerApply(t *testing.T) {
	base := func(t *testing.T) invoicing.Customer {
		t.Helper()
		c, err := invoicing.NewCustomer(validCustomer())
		wantOK(t, err)
		c.ID = 3302
		return c
	}
	tests := []struct {
		name string
		in   invoicing.CustomerInput
		rule string // "" accepted
		edit func(*invoicing.Customer)
	}{
		{name: "nothing given", in: invoicing.CustomerInput{}, edit: func(*invoicing.Customer) {}},
		{
			// document 000's update example
			name: "example",
			in: invoicing.CustomerInput{
				Name: new("Updated Corp Ltd"), Email: new("updated@corp.com"), City: new("Berlin"),
				Country: new("DEU"), TaxNumber: new("DE123456789"),
			},
			edit: func(c *invoicing.Customer) {
				c.Name, c.Email, c.City, c.Country, c.TaxNumber = "Updated Corp Ltd", "updated@corp.com", "Berlin", "DEU", "DE123456789"
			},
		},
		{name: "one field", in: invoicing.CustomerInput{City: new("Munich")}, edit: func(c *invoicing.Customer) { c.City = "Munich" }},
		{name: "country normalised", in: invoicing.CustomerInput{Country: new("fra")}, edit: func(c *invoicing.Customer) { c.Country = "FRA" }},
		{name: "empty clears email", in: invoicing.CustomerInput{Email: new("")}, edit: func(c *invoicing.Customer) { c.Email = "" }},
		{name: "empty clears optional fields", in: invoicing.CustomerInput{
			Country: new(""), TaxNumber: new(""), PeppolID: new(""), ContactPerson: new(""), Language: new(""),
			City: new(""), State: new(""), AddressLine1: new(""), AddressLine2: new(""), PostalCode: new(""),
		}, edit: func(c *invoicing.Customer) {
			name, email, method := c.Name, c.Email, c.SendingMethod
			*c = invoicing.Customer{ID: c.ID, Name: name, Email: email, SendingMethod: method}
		}},
		{name: "sending method", in: invoicing.CustomerInput{SendingMethod: new("Email")}, edit: func(c *invoicing.Customer) { c.SendingMethod = "Email" }},
		{name: "empty name refused", in: invoicing.CustomerInput{Name: new("")}, rule: invoicing.RuleRequired},
		{name: "blank name refused", in: invoicing.CustomerInput{Name: new(" ")}, rule: invoicing.RuleRequired},
		{name: "valid and invalid together refused", in: invoicing.CustomerInput{City: new("Berlin"), Email: new("ab")}, rule: invoicing.RuleFormat},
		{name: "invalid country refused", in: invoicing.CustomerInput{Name: new("New"), Country: new("DE")}, rule: invoicing.RuleCode},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := base(t)
			want := base(t)
			err := tc.in.Apply(&c)
			if tc.rule != "" {
				if err == nil || !err.HasRule(tc.rule) || len(err.Problems) != 1 {
					t.Fatalf("got %v, want one problem with rule %q", err, tc.rule)
				}
			} else {
				wantOK(t, err)
				tc.edit(&want)
			}
			if c != want {
				t.Errorf("after Apply\n got %+v\nwant %+v", c, want)
			}
		})
	}
}
