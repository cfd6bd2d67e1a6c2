package invoicing_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/money"
)

// Multi-byte letters: a string of n of them is n characters but 2n or 3n
// bytes, so a length check that counted bytes would refuse it.
const (
	e2 = "é" // 2 bytes in UTF-8
	j3 = "日" // 3 bytes in UTF-8
)

var allRules = []string{
	invoicing.RuleRequired, invoicing.RuleType, invoicing.RuleMaxLength, invoicing.RuleMinLength,
	invoicing.RuleFormat, invoicing.RuleEnum, invoicing.RuleCode, invoicing.RulePositive,
	invoicing.RuleNonNegative, invoicing.RuleDecimalPlaces, invoicing.RuleRange, invoicing.RuleMinItems,
	invoicing.RuleUnique, invoicing.RuleExists,
}

func rep(s string, n int) string { return strings.Repeat(s, n) }

// dec is a *money.Decimal for input structs.
func dec(s string) *money.Decimal { return new(money.MustParse(s)) }

// show names a value in a subtest name without flooding the output.
func show(v *string) string {
	switch {
	case v == nil:
		return "absent"
	case utf8.RuneCountInString(*v) > 16:
		r, _ := utf8.DecodeRuneInString(*v)
		return fmt.Sprintf("%d×%q", utf8.RuneCountInString(*v), r)
	default:
		return fmt.Sprintf("%q", *v)
	}
}

// wantOK fails the test when err reports any problem.
func wantOK(t *testing.T, err *invoicing.ValidationError) {
	t.Helper()
	if err != nil {
		t.Fatalf("refused, want accepted: %v", err.Problems)
	}
}

// wantRefused checks that err holds exactly one problem, on field for rule,
// with a message that starts with the field's name.
func wantRefused(t *testing.T, err *invoicing.ValidationError, field, rule string) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted, want %s refused by rule %q", field, rule)
	}
	if len(err.Problems) != 1 {
		t.Fatalf("got %d problems %v, want only %s/%s", len(err.Problems), err.Problems, field, rule)
	}
	checkProblem(t, err.Problems[0], field, rule)
}

func checkProblem(t *testing.T, p invoicing.FieldError, field, rule string) {
	t.Helper()
	if p.Field != field || p.Rule != rule {
		t.Errorf("problem %s/%s, want %s/%s (message %q)", p.Field, p.Rule, field, rule, p.Message)
	}
	if !strings.HasPrefix(p.Message, field+": ") {
		t.Errorf("message %q does not start with the field name %q", p.Message, field)
	}
	if len(p.Message) <= len(field)+2 {
		t.Errorf("message %q says nothing after the field name", p.Message)
	}
}

// wantProblems checks that err reports exactly the given field/rule pairs
// (in any order), each message starting with its field.
func wantProblems(t *testing.T, err *invoicing.ValidationError, want ...[2]string) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted, want %d problems %v", len(want), want)
	}
	var got [][2]string
	for _, p := range err.Problems {
		got = append(got, [2]string{p.Field, p.Rule})
		if !strings.HasPrefix(p.Message, p.Field+": ") {
			t.Errorf("message %q does not start with the field name %q", p.Message, p.Field)
		}
	}
	cmp := func(a, b [2]string) int { return strings.Compare(a[0]+"\x00"+a[1], b[0]+"\x00"+b[1]) }
	want = slices.Clone(want)
	slices.SortFunc(got, cmp)
	slices.SortFunc(want, cmp)
	if !slices.Equal(got, want) {
		t.Errorf("problems\n got %v\nwant %v", got, want)
	}
	for _, rule := range allRules {
		wanted := slices.ContainsFunc(want, func(w [2]string) bool { return w[1] == rule })
		if err.HasRule(rule) != wanted {
			t.Errorf("HasRule(%q) = %v, want %v", rule, !wanted, wanted)
		}
	}
	for _, p := range err.Problems {
		if !strings.Contains(err.Error(), p.Message) {
			t.Errorf("Error() %q leaves out %q", err.Error(), p.Message)
		}
	}
}
