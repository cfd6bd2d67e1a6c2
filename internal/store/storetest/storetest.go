// Package storetest is the conformance suite of the store seam: Run drives a
// store.Store backend through every method of the interface against a real
// database, so the SQLite and PostgreSQL backends cannot drift apart. It also
// exports the fixtures (Must*, Sample*) other packages' tests use to seed a
// store.
//
// The suite relies on the interface alone. Where it needs time to pass (the
// UpdatedSince filter, UpdatedAt bumps) it sleeps a few milliseconds against
// the backend's real clock rather than reaching into the backend.
package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/civil"
	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/money"
	"github.com/vatgate/vatgate/internal/store"
)

// test is one leaf of the suite; every leaf gets a store of its own, so a
// failure never leaks state into the next one.
type test struct {
	name string
	fn   func(t *testing.T, s store.Store)
}

// Run runs the whole suite against a backend. open returns a fresh, empty,
// migrated store and registers its cleanup; it is called once per leaf test.
func Run(t *testing.T, open func(t testing.TB) store.Store) {
	groups := []struct {
		name  string
		tests []test
	}{
		{"Merchant", merchantTests},
		{"Token", tokenTests},
		{"Customer", customerTests},
		{"Document", documentTests()},
		{"Number", numberTests},
		{"Concurrency", concurrencyTests},
		{"EDocument", eDocumentTests},
		{"Transmission", transmissionTests},
		{"Receipt", receiptTests},
		{"Webhook", webhookTests},
		{"Ops", opsTests},
		{"Idempotency", idempotencyTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
			}
		})
	}
}

// tick lets the backend's clock move on, so the next write gets a strictly
// later timestamp (backends keep microseconds; a few milliseconds is ample).
func tick() { time.Sleep(3 * time.Millisecond) }

// wantErrIs fails unless err wraps target.
func wantErrIs(tb testing.TB, what string, err, target error) {
	tb.Helper()
	if !errors.Is(err, target) {
		tb.Fatalf("%s: err = %v, want %v", what, err, target)
	}
}

// WantProblem fails unless err is a *invoicing.ValidationError with a problem
// of the given field and rule.
func WantProblem(tb testing.TB, what string, err error, field, rule string) {
	tb.Helper()
	var ve *invoicing.ValidationError
	if !errors.As(err, &ve) {
		tb.Fatalf("%s: err = %v (%T), want *invoicing.ValidationError", what, err, err)
	}
	for _, p := range ve.Problems {
		if p.Field == field && p.Rule == rule {
			return
		}
	}
	tb.Fatalf("%s: problems = %+v, want field %q rule %q", what, ve.Problems, field, rule)
}

// wantEqual fails listing every field where got differs from want.
func wantEqual[T any](tb testing.TB, what string, want, got T) {
	tb.Helper()
	if d := Diff(want, got); len(d) > 0 {
		tb.Errorf("%s differs:\n  %s", what, strings.Join(d, "\n  "))
	}
}

var (
	decimalType = reflect.TypeFor[money.Decimal]()
	timeType    = reflect.TypeFor[time.Time]()
	dateType    = reflect.TypeFor[civil.Date]()
)

// Diff compares two values field by field and describes each difference.
// Decimals compare by value (Equal: "75.00" equals "75") and times by instant
// (Equal: a UTC and a local reading of one instant are the same), which is
// what a store must preserve; everything else must be identical. Walking the
// fields by reflection means a field added to a domain type is compared
// without anyone remembering to add it here.
func Diff[T any](want, got T) []string {
	var out []string
	diffValue(&out, reflect.TypeFor[T]().Name(), reflect.ValueOf(&want).Elem(), reflect.ValueOf(&got).Elem())
	return out
}

func diffValue(out *[]string, path string, want, got reflect.Value) {
	report := func(w, g any) { *out = append(*out, fmt.Sprintf("%s: want %v, got %v", path, w, g)) }
	switch want.Type() {
	case decimalType:
		w, g := want.Interface().(money.Decimal), got.Interface().(money.Decimal)
		if !w.Equal(g) {
			report(w.String(), g.String())
		}
		return
	case timeType:
		w, g := want.Interface().(time.Time), got.Interface().(time.Time)
		if !w.Equal(g) {
			report(w.Format(time.RFC3339Nano), g.Format(time.RFC3339Nano))
		}
		return
	case dateType:
		if w, g := want.Interface().(civil.Date), got.Interface().(civil.Date); w != g {
			report(w, g)
		}
		return
	}
	switch want.Kind() {
	case reflect.Struct:
		for i := range want.NumField() {
			diffValue(out, path+"."+want.Type().Field(i).Name, want.Field(i), got.Field(i))
		}
	case reflect.Pointer:
		switch {
		case want.IsNil() && got.IsNil():
		case want.IsNil() || got.IsNil():
			report(describePointer(want), describePointer(got))
		default:
			diffValue(out, path, want.Elem(), got.Elem())
		}
	case reflect.Slice:
		if want.Len() != got.Len() {
			report(fmt.Sprintf("%d elements", want.Len()), fmt.Sprintf("%d elements", got.Len()))
			return
		}
		for i := range want.Len() {
			diffValue(out, fmt.Sprintf("%s[%d]", path, i), want.Index(i), got.Index(i))
		}
	default:
		if !reflect.DeepEqual(want.Interface(), got.Interface()) {
			report(fmt.Sprintf("%#v", want.Interface()), fmt.Sprintf("%#v", got.Interface()))
		}
	}
}

func describePointer(v reflect.Value) string {
	if v.IsNil() {
		return "nil"
	}
	if d, ok := v.Elem().Interface().(money.Decimal); ok {
		return "&" + d.String()
	}
	return fmt.Sprintf("&%v", v.Elem().Interface())
}

// ids returns the ids of records in order.
func ids[T any](records []T, id func(T) int64) []int64 {
	out := make([]int64, len(records))
	for i, r := range records {
		out[i] = id(r)
	}
	return out
}

// wantIDs fails unless got lists exactly the want ids, in that order.
func wantIDs(tb testing.TB, what string, want, got []int64) {
	tb.Helper()
	if !slices.Equal(want, got) {
		tb.Errorf("%s: ids = %v, want %v", what, got, want)
	}
}

// wantAscending fails unless every record got an id, in increasing order.
func wantAscending(tb testing.TB, what string, got []int64) {
	tb.Helper()
	for i, id := range got {
		if id <= 0 || (i > 0 && id <= got[i-1]) {
			tb.Fatalf("%s: ids = %v, want positive and ascending in request order", what, got)
		}
	}
}
