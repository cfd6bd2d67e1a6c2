package storetest

import (
	"fmt"
	"testing"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/store"
)

// SampleCustomer is a valid customer with every field set, the optional ones
// included, so a round trip shows any column a backend forgets.
func SampleCustomer(name string) invoicing.Customer {
	return invoicing.Customer{
		Name:          name,
		Email:         "billing@example.com",
		Country:       "NLD",
		TaxNumber:     "NL123456789B01",
		PeppolID:      "0106:12345678",
		ContactPerson: "Zoë Ångström",
		Language:      "NL",
		City:          "Den Haag",
		State:         "Zuid-Holland",
		AddressLine1:  "Lange Voorhout 1",
		AddressLine2:  "2e verdieping",
		PostalCode:    "2514 EA",
		SendingMethod: invoicing.SendingEmail,
	}
}

// MustCreateCustomers stores cs for merchantID and returns them as stored.
func MustCreateCustomers(tb testing.TB, s store.Store, merchantID int64, cs ...invoicing.Customer) []invoicing.Customer {
	tb.Helper()
	out, err := s.CreateCustomers(tb.Context(), merchantID, cs)
	if err != nil {
		tb.Fatalf("CreateCustomers: %v", err)
	}
	if len(out) != len(cs) {
		tb.Fatalf("CreateCustomers returned %d customers, want %d", len(out), len(cs))
	}
	return out
}

// MustGetCustomer reads a customer that must exist.
func MustGetCustomer(tb testing.TB, s store.Store, merchantID, id int64) invoicing.Customer {
	tb.Helper()
	c, err := s.GetCustomer(tb.Context(), merchantID, id)
	if err != nil {
		tb.Fatalf("GetCustomer(%d): %v", id, err)
	}
	return c
}

func customerID(c invoicing.Customer) int64 { return c.ID }

var customerTests = []test{
	{"Create", testCustomerCreate},
	{"GetRoundTrip", testCustomerRoundTrip},
	{"GetNotFound", testCustomerGetNotFound},
	{"UpdatePartial", testCustomerUpdatePartial},
	{"UpdateInvalid", testCustomerUpdateInvalid},
	{"UpdateNotFound", testCustomerUpdateNotFound},
	{"ListPages", testCustomerListPages},
	{"ListUpdatedSince", testCustomerListUpdatedSince},
}

func testCustomerCreate(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	minimal := invoicing.Customer{Name: "Minimal", SendingMethod: invoicing.SendingPeppol}
	in := []invoicing.Customer{SampleCustomer("First"), minimal, SampleCustomer("Third")}
	out := MustCreateCustomers(t, s, m.ID, in...)
	wantAscending(t, "customers", ids(out, customerID))
	for i, c := range out {
		if c.CreatedAt.IsZero() || !c.UpdatedAt.Equal(c.CreatedAt) {
			t.Errorf("customer %d: created_at %v, updated_at %v, want both set and equal", i, c.CreatedAt, c.UpdatedAt)
		}
		want := in[i]
		want.ID, want.CreatedAt, want.UpdatedAt = c.ID, c.CreatedAt, c.UpdatedAt
		wantEqual(t, fmt.Sprintf("returned customer %d", i), want, c)
	}
}

func testCustomerRoundTrip(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	odd := SampleCustomer(`Ünïcødé "quoted" 'single' ; DROP TABLE customers; --`)
	odd.AddressLine2 = "" // an empty optional field stays empty, not NULL-ish
	for i, c := range MustCreateCustomers(t, s, m.ID, SampleCustomer("Round trip"), odd) {
		wantEqual(t, fmt.Sprintf("GetCustomer of customer %d", i), c, MustGetCustomer(t, s, m.ID, c.ID))
	}
}

func testCustomerGetNotFound(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	other := MustCreateMerchant(t, s)
	theirs := MustCreateCustomers(t, s, other.ID, SampleCustomer("Theirs"))[0]
	_, err := s.GetCustomer(t.Context(), m.ID, theirs.ID)
	wantErrIs(t, "GetCustomer of another merchant's customer", err, store.ErrNotFound)
	_, err = s.GetCustomer(t.Context(), m.ID, theirs.ID+1000)
	wantErrIs(t, "GetCustomer of a missing id", err, store.ErrNotFound)
}

func testCustomerUpdatePartial(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	c := MustCreateCustomers(t, s, m.ID, SampleCustomer("Before"))[0]
	tick()
	in := invoicing.CustomerInput{Name: new("After"), City: new("Utrecht"), AddressLine2: new("")}
	before, after, err := s.UpdateCustomer(t.Context(), m.ID, c.ID, in)
	if err != nil {
		t.Fatalf("UpdateCustomer: %v", err)
	}
	wantEqual(t, "before", c, before)
	want := c
	want.Name, want.City, want.AddressLine2 = "After", "Utrecht", ""
	want.UpdatedAt = after.UpdatedAt
	wantEqual(t, "after", want, after)
	if !after.UpdatedAt.After(c.UpdatedAt) {
		t.Errorf("updated_at %v, want after %v", after.UpdatedAt, c.UpdatedAt)
	}
	wantEqual(t, "GetCustomer after the update", after, MustGetCustomer(t, s, m.ID, c.ID))
}

func testCustomerUpdateInvalid(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	c := MustCreateCustomers(t, s, m.ID, SampleCustomer("Kept"))[0]
	in := invoicing.CustomerInput{Name: new("Changed"), Email: new("not an email")}
	_, _, err := s.UpdateCustomer(t.Context(), m.ID, c.ID, in)
	WantProblem(t, "UpdateCustomer with an invalid email", err, "email", invoicing.RuleFormat)
	wantEqual(t, "customer after a refused update", c, MustGetCustomer(t, s, m.ID, c.ID))
}

func testCustomerUpdateNotFound(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	other := MustCreateMerchant(t, s)
	theirs := MustCreateCustomers(t, s, other.ID, SampleCustomer("Theirs"))[0]
	in := invoicing.CustomerInput{Name: new("Hijacked")}
	_, _, err := s.UpdateCustomer(t.Context(), m.ID, theirs.ID, in)
	wantErrIs(t, "UpdateCustomer of another merchant's customer", err, store.ErrNotFound)
	_, _, err = s.UpdateCustomer(t.Context(), m.ID, theirs.ID+1000, in)
	wantErrIs(t, "UpdateCustomer of a missing id", err, store.ErrNotFound)
	wantEqual(t, "the other merchant's customer", theirs, MustGetCustomer(t, s, other.ID, theirs.ID))
}

func testCustomerListPages(t *testing.T, s store.Store) {
	m := MustCreateMerchant(t, s)
	other := MustCreateMerchant(t, s)
	var mine []invoicing.Customer
	for i := range 5 {
		// Interleave both merchants' rows so their ids interleave too.
		mine = append(mine, MustCreateCustomers(t, s, m.ID, SampleCustomer(fmt.Sprint("Mine ", i)))...)
		MustCreateCustomers(t, s, other.ID, SampleCustomer(fmt.Sprint("Theirs ", i)))
	}
	var got []invoicing.Customer
	after := int64(0)
	for page := 0; ; page++ {
		list, err := s.ListCustomers(t.Context(), m.ID, store.ListOptions{AfterID: after, Limit: 2})
		if err != nil {
			t.Fatalf("ListCustomers: %v", err)
		}
		if len(list) > 2 || page > 3 {
			t.Fatalf("page %d has %d customers; limit 2 is not respected", page, len(list))
		}
		if len(list) == 0 {
			break
		}
		got = append(got, list...)
		after = list[len(list)-1].ID
	}
	wantEqual(t, "all pages", mine, got)
}

func testCustomerListUpdatedSince(t *testing.T, s store.Store) {
	ctx := t.Context()
	m := MustCreateMerchant(t, s)
	old := MustCreateCustomers(t, s, m.ID, SampleCustomer("Old"))[0]
	tick()
	recent := MustCreateCustomers(t, s, m.ID, SampleCustomer("Recent"))[0]
	since := store.ListOptions{UpdatedSince: recent.UpdatedAt, Limit: 100}

	list, err := s.ListCustomers(ctx, m.ID, since)
	if err != nil {
		t.Fatalf("ListCustomers: %v", err)
	}
	wantIDs(t, "updated since the recent one's creation", []int64{recent.ID}, ids(list, customerID))

	tick()
	if _, _, err := s.UpdateCustomer(ctx, m.ID, old.ID, invoicing.CustomerInput{City: new("Leiden")}); err != nil {
		t.Fatalf("UpdateCustomer: %v", err)
	}
	list, err = s.ListCustomers(ctx, m.ID, since)
	if err != nil {
		t.Fatalf("ListCustomers: %v", err)
	}
	wantIDs(t, "updated since, after updating the old one", []int64{old.ID, recent.ID}, ids(list, customerID))
}
