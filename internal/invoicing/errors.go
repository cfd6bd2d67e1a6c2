package invoicing

import (
	"fmt"
	"strings"
)

// Rules name the check a value failed; they travel with every refusal so an
// integrator can react to the rule without parsing the message.
const (
	RuleRequired      = "required"
	RuleType          = "type"
	RuleMaxLength     = "max_length"
	RuleMinLength     = "min_length"
	RuleFormat        = "format"
	RuleEnum          = "enum"
	RuleCode          = "code_list"
	RulePositive      = "positive"
	RuleNonNegative   = "non_negative"
	RuleDecimalPlaces = "decimal_places"
	RuleRange         = "range"
	RuleMinItems      = "min_items"
	RuleUnique        = "unique"
	RuleExists        = "exists"
)

// FieldError is one refused value: the field (a JSON path such as
// "line_items[1].quantity"), the rule it broke and a sentence for people.
type FieldError struct {
	Field   string `json:"field"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// ValidationError is a record's list of refused values, in field order.
type ValidationError struct {
	Problems []FieldError
}

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Message
	}
	return strings.Join(msgs, "; ")
}

// HasRule reports whether any problem broke rule.
func (e *ValidationError) HasRule(rule string) bool {
	for _, p := range e.Problems {
		if p.Rule == rule {
			return true
		}
	}
	return false
}

// Invalid builds a ValidationError with a single problem.
func Invalid(field, rule, format string, args ...any) *ValidationError {
	var p problems
	p.add(field, rule, format, args...)
	return p.err()
}

// problems collects FieldErrors while a record is checked.
type problems []FieldError

func (p *problems) add(field, rule, format string, args ...any) {
	*p = append(*p, FieldError{Field: field, Rule: rule, Message: field + ": " + fmt.Sprintf(format, args...)})
}

// err returns nil when nothing was refused. Its result is a typed nil-free
// error so callers can compare with nil safely.
func (p problems) err() *ValidationError {
	if len(p) == 0 {
		return nil
	}
	return &ValidationError{Problems: p}
}
