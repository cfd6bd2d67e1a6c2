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

	"github.com/vatgate/vatgate/internal/invoicing"
	"github.com/vatgate/vatgate/internal/money"
)

// MaxBulkRecords is the most records one bulk request may carry (document
// 000 for customers; the contract README applies it to every bulk route).
const MaxBulkRecords = 100

// readJSONBody reads a request body that must be JSON: the Content-Type is
// checked (415), the size bounded (413) and the syntax validated (400).
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

// checkJSON refuses anything that is not exactly one JSON value.
func checkJSON(body []byte) *apiError {
	if len(bytes.TrimSpace(body)) == 0 {
		return errorf(http.StatusBadRequest, "request body is empty; it must be JSON")
	}
	if !json.Valid(body) {
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
	var records []json.RawMessage
	if err := json.Unmarshal(body, &records); err != nil {
		return nil, errorf(http.StatusBadRequest, "malformed JSON body: %s", describeJSONError(err))
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
// under what) when raw is another kind of value.
func newObject(raw json.RawMessage, path, what string, problems *[]invoicing.FieldError) (object, bool) {
	o := object{path: path, problems: problems, known: map[string]bool{}}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		o.problem(what, invoicing.RuleType, "must be a JSON object")
		return o, false
	}
	if err := json.Unmarshal(raw, &o.fields); err != nil {
		o.problem(what, invoicing.RuleType, "must be a JSON object")
		return o, false
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
	var s string
	if v[0] != '"' || json.Unmarshal(v, &s) != nil {
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
	var b bool
	if json.Unmarshal(v, &b) != nil {
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
	var items []json.RawMessage
	if v[0] != '[' || json.Unmarshal(v, &items) != nil {
		o.problem(name, invoicing.RuleType, "must be an array")
		return nil, false
	}
	return items, true
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
