package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/money"
)

// MaxBulkRecords is the most records one bulk request may carry (document
// 000 for customers; the contract README applies it to every bulk route).
const MaxBulkRecords = 100

// readJSONBody reads a request body that must be JSON: the Content-Type is
// checked (415), the size bounded (413) and the body checked to be one
// strict JSON value (400; see checkStrict). That check is the only one: the
// readers below split the body's parts without checking their syntax again.
// Every route with a JSON body reads it here.
func (s *Server) readJSONBody(w http.ResponseWriter, r *http.Request) ([]byte, *apiError) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return nil, errorf(http.StatusUnsupportedMediaType, "Content-Type must be application/json")
	}
	body, err := readAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, errorf(http.StatusRequestEntityTooLarge, "request body exceeds the limit of %d bytes", tooBig.Limit)
		}
		return nil, errorf(http.StatusBadRequest, "could not read the request body")
	}
	if err := checkJSON(body); err != nil {
		return nil, err
	}
	return body, nil
}

// checkJSON refuses anything that is not exactly one strict JSON value
// (strictjson.go). A syntax error is described by encoding/json, as it
// always was; the strict problems name themselves.
func checkJSON(body []byte) *apiError {
	if len(bytes.TrimSpace(body)) == 0 {
		return errorf(http.StatusBadRequest, "request body is empty; it must be JSON")
	}
	if p := checkStrict(body); p != nil {
		if !p.syntax {
			return errorf(http.StatusBadRequest, "malformed JSON body: %s", p.msg)
		}
		var v any
		err := json.Unmarshal(body, &v)
		return errorf(http.StatusBadRequest, "malformed JSON body: %s", describeJSONError(err))
	}
	return nil
}

func describeJSONError(err error) string {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Sprintf("%s (at byte %d)", syn.Error(), syn.Offset)
	}
	if err == nil {
		return "invalid JSON"
	}
	return err.Error()
}

// readBulk reads a bulk body: JSON (see readJSONBody) holding an array of
// records (see decodeArray).
func (s *Server) readBulk(w http.ResponseWriter, r *http.Request, noun string) ([]json.RawMessage, *apiError) {
	body, aerr := s.readJSONBody(w, r)
	if aerr != nil {
		return nil, aerr
	}
	return decodeArray(body, noun)
}

// decodeArray splits a bulk body into its records: the body must be a
// non-empty JSON array of at most MaxBulkRecords elements. noun names the
// records in messages ("customers").
func decodeArray(body []byte, noun string) ([]json.RawMessage, *apiError) {
	body = bytes.TrimSpace(body)
	if body[0] != '[' {
		return nil, errorf(http.StatusBadRequest, "request body must be a JSON array of %s", noun)
	}
	records, ok := splitArray(body)
	if !ok {
		// Not a body readJSONBody has checked: let encoding/json say why.
		if err := json.Unmarshal(body, &records); err != nil {
			return nil, errorf(http.StatusBadRequest, "malformed JSON body: %s", describeJSONError(err))
		}
	}
	switch {
	case len(records) == 0:
		return nil, errorf(http.StatusBadRequest, "request body must contain at least one of the %s", noun)
	case len(records) > MaxBulkRecords:
		return nil, errorf(http.StatusBadRequest, "at most %d %s per request (got %d); nothing was stored", MaxBulkRecords, noun, len(records))
	}
	return records, nil
}

// object is one JSON object of a request, read field by field so that a
// wrongly typed field becomes a FieldError naming it rather than a failure
// of the whole request. Fields the contract does not know are ignored:
// integrators send extra fields and must not be refused for it.
type object struct {
	path     string // prefix for field names, e.g. "line_items[2]."
	fields   map[string]json.RawMessage
	problems *[]invoicing.FieldError
	known    map[string]bool // the field names the reader asked for
}

// newObject reads raw as a JSON object. ok is false (and a problem recorded
// under what) when raw is another kind of value. raw is valid JSON: a body
// readJSONBody has checked, or a part of one.
func newObject(raw json.RawMessage, path, what string, problems *[]invoicing.FieldError) (object, bool) {
	o := object{path: path, problems: problems, known: map[string]bool{}}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		o.problem(what, invoicing.RuleType, "must be a JSON object")
		return o, false
	}
	var ok bool
	if o.fields, ok = splitObject(raw); !ok {
		if err := json.Unmarshal(raw, &o.fields); err != nil {
			o.problem(what, invoicing.RuleType, "must be a JSON object")
			return o, false
		}
	}
	return o, true
}

func (o object) problem(field, rule, format string, args ...any) {
	name := o.path + field
	if field == "" {
		name = o.path[:max(0, len(o.path)-1)]
	}
	*o.problems = append(*o.problems, invoicing.FieldError{Field: name, Rule: rule, Message: name + ": " + fmt.Sprintf(format, args...)})
}

// raw returns a field's JSON text, or nil when absent or null. JSON null is
// treated as "not given" everywhere except text fields (see str).
func (o object) raw(name string) json.RawMessage {
	o.known[name] = true
	v, ok := o.fields[name]
	if !ok || string(v) == "null" {
		return nil
	}
	return v
}

// has reports whether the field is present at all, null included.
func (o object) has(name string) bool {
	o.known[name] = true
	_, ok := o.fields[name]
	return ok
}

// str reads a text field. null reads as "" so that it clears an optional
// field and is refused where a value is required.
func (o object) str(name string) *string {
	o.known[name] = true
	v, ok := o.fields[name]
	if !ok {
		return nil
	}
	if string(v) == "null" {
		return new(string)
	}
	if v[0] != '"' {
		o.problem(name, invoicing.RuleType, "must be a string")
		return nil
	}
	if s, ok := plainString(v); ok {
		return &s
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		o.problem(name, invoicing.RuleType, "must be a string")
		return nil
	}
	return &s
}

// decimal reads a JSON number exactly, from its literal text.
func (o object) decimal(name string) *money.Decimal {
	v := o.raw(name)
	if v == nil {
		return nil
	}
	d, err := money.Parse(string(v))
	if err != nil {
		o.problem(name, invoicing.RuleType, "must be a number")
		return nil
	}
	return &d
}

// integer reads a JSON integer that fits in int64.
func (o object) integer(name string) *int64 {
	v := o.raw(name)
	if v == nil {
		return nil
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		o.problem(name, invoicing.RuleType, "must be an integer")
		return nil
	}
	return &n
}

// boolean reads a JSON true or false.
func (o object) boolean(name string) *bool {
	v := o.raw(name)
	if v == nil {
		return nil
	}
	// v is a valid JSON value, so these are the only two that
	// encoding/json would read into a bool.
	var b bool
	switch string(v) {
	case "true":
		b = true
	case "false":
	default:
		o.problem(name, invoicing.RuleType, "must be true or false")
		return nil
	}
	return &b
}

// array reads a JSON array field into its elements.
func (o object) array(name string) ([]json.RawMessage, bool) {
	v := o.raw(name)
	if v == nil {
		return nil, false
	}
	if v[0] != '[' {
		o.problem(name, invoicing.RuleType, "must be an array")
		return nil, false
	}
	items, ok := splitArray(v)
	if !ok && json.Unmarshal(v, &items) != nil {
		o.problem(name, invoicing.RuleType, "must be an array")
		return nil, false
	}
	return items, true
}

// splitArray and splitObject split a JSON array into its elements and an
// object into its fields, as json.Unmarshal into []json.RawMessage and
// map[string]json.RawMessage would (each value without the space around
// it; of a key given twice, the last value, though readJSONBody lets no
// body with one through), but without checking the syntax again: they are
// given parts of a body readJSONBody has checked whole. encoding/json checks the whole of its input on every call, so
// unmarshalling the records, then each record's line_items, then each line
// went over every line several times, which was most of the cost of
// decoding a bulk body. The values are slices of v, not copies. ok is false
// when v turns out not to be the array or object it must be; the caller
// then lets encoding/json decode it, and say what is wrong.
func splitArray(v []byte) (items []json.RawMessage, ok bool) {
	items = []json.RawMessage{}
	i := skipSpace(v, 1)
	if i < len(v) && v[i] == ']' {
		return items, i == len(v)-1
	}
	for i < len(v) {
		end := skipValue(v, i)
		if end == i {
			return nil, false
		}
		items = append(items, v[i:end:end])
		i = skipSpace(v, end)
		switch {
		case i == len(v)-1 && v[i] == ']':
			return items, true
		case i < len(v) && v[i] == ',':
			i = skipSpace(v, i+1)
		default:
			return nil, false
		}
	}
	return nil, false
}

func splitObject(v []byte) (fields map[string]json.RawMessage, ok bool) {
	fields = map[string]json.RawMessage{}
	i := skipSpace(v, 1)
	if i < len(v) && v[i] == '}' {
		return fields, i == len(v)-1
	}
	for i < len(v) && v[i] == '"' {
		keyEnd := skipString(v, i)
		key, ok := unquote(v[i:keyEnd])
		if !ok {
			return nil, false
		}
		i = skipSpace(v, keyEnd)
		if i >= len(v) || v[i] != ':' {
			return nil, false
		}
		i = skipSpace(v, i+1)
		end := skipValue(v, i)
		if end == i {
			return nil, false
		}
		fields[key] = v[i:end:end]
		i = skipSpace(v, end)
		switch {
		case i == len(v)-1 && v[i] == '}':
			return fields, true
		case i < len(v) && v[i] == ',':
			i = skipSpace(v, i+1)
		default:
			return nil, false
		}
	}
	return nil, false
}

// skipSpace returns the index of the first byte of v from i on that is not
// JSON white space.
func skipSpace(v []byte, i int) int {
	for i < len(v) && (v[i] == ' ' || v[i] == '\n' || v[i] == '\t' || v[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the index just past the JSON value that starts at
// v[i], or i when none does. The value is taken to be valid: a number or
// literal ends at the first delimiter, an array or object at the bracket
// that balances its first.
func skipValue(v []byte, i int) int {
	if i >= len(v) {
		return i
	}
	switch v[i] {
	case '"':
		return skipString(v, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(v); j++ {
			switch v[j] {
			case '"':
				j = skipString(v, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return i
	case ',', ':', '}', ']':
		return i
	}
	j := i
	for j < len(v) && !endsLiteral(v[j]) {
		j++
	}
	return j
}

// endsLiteral reports whether c ends a number or literal: white space or
// the punctuation that may follow a value.
func endsLiteral(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', ',', ':', ']', '}':
		return true
	}
	return false
}

// skipString returns the index just past the JSON string that starts at
// v[i] (a quote), or len(v) when it does not end.
func skipString(v []byte, i int) int {
	for j := i + 1; j < len(v); j++ {
		switch v[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(v)
}

// plainString returns the text of the JSON string q, quotes included, when
// it needs no unquoting (no escape, no control character, valid UTF-8), the
// usual case: the bytes between the quotes are then the text, exactly as
// encoding/json returns it.
func plainString(q []byte) (string, bool) {
	if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
		return "", false
	}
	inner := q[1 : len(q)-1]
	ascii := true
	for _, c := range inner {
		switch {
		case c < ' ' || c == '\\' || c == '"':
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	if !ascii && !utf8.Valid(inner) {
		return "", false
	}
	return string(inner), true
}

// unquote returns the text of the JSON string q, as encoding/json reads it.
func unquote(q []byte) (string, bool) {
	if s, ok := plainString(q); ok {
		return s, true
	}
	var s string
	return s, json.Unmarshal(q, &s) == nil
}

// anyKnown reports whether the object holds any field the reader asked for.
func (o object) anyKnown() bool {
	for name := range o.fields {
		if o.known[name] {
			return true
		}
	}
	return false
}

// merge joins the decoder's problems with the domain's, dropping domain
// problems about a field the decoder already refused (a wrongly typed
// required field would otherwise also be reported as missing).
func merge(decoded []invoicing.FieldError, verr *invoicing.ValidationError) *invoicing.ValidationError {
	if len(decoded) == 0 {
		if verr == nil {
			return nil
		}
		return verr
	}
	all := append([]invoicing.FieldError(nil), decoded...)
	if verr != nil {
		for _, p := range verr.Problems {
			if !coveredBy(p.Field, decoded) {
				all = append(all, p)
			}
		}
	}
	return &invoicing.ValidationError{Problems: all}
}

// coveredBy reports whether field is, or lies inside, a field the decoder
// refused ("line_items[0].description" lies inside "line_items[0]").
func coveredBy(field string, decoded []invoicing.FieldError) bool {
	for _, p := range decoded {
		if field == p.Field || strings.HasPrefix(field, p.Field+".") || strings.HasPrefix(field, p.Field+"[") {
			return true
		}
	}
	return false
}
