package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Strict JSON: every JSON body goes through checkStrict once, in
// readJSONBody, before any of it is read. encoding/json accepts more than a
// request should carry, and quietly: of a key given twice it keeps the
// last, it replaces invalid UTF-8 and lone UTF-16 surrogates with U+FFFD,
// and it nests as deep as 10,000 levels. A client whose body means
// something other than what it says must hear so, so each of those is
// refused with a 400 naming the problem and where it is: a JSONPath ($ is
// the body; $[2].line_items[0].quantity) and a byte position counted from 1,
// as encoding/json counts the positions of its syntax errors.
//
// The check is a hand-written scanner rather than encoding/json's Decoder:
// it is one pass over the body that also checks the syntax, so it replaces
// json.Valid rather than adding a second pass, and it allocates next to
// nothing (the Decoder allocates for every token). No library checks the
// same things in one pass.

// The limits of a strict body.
const (
	// maxJSONDepth bounds nesting: the deepest body a route needs is four
	// levels (a bulk array > a record > its line_items > a line); two more
	// leave room for an extra field holding an object, which readers
	// ignore but must not be refused for.
	maxJSONDepth = 6
	// maxNumberDigits bounds the digits of a number before its exponent:
	// no field holds more than 19 (15 before the point, 4 after).
	maxNumberDigits = 40
	// maxExponentDigits bounds the digits of an exponent as written, as
	// money.Parse does: 1e999999999 would make a huge coefficient.
	maxExponentDigits = 3
	// smallObject is how many keys an object's duplicate check compares
	// one by one before it switches to a map (a hostile body may hold one
	// object of 100,000 keys); a record of the contract has about 25.
	smallObject = 32
)

// jsonProblem is the first thing wrong with a body. A syntax error is left
// to encoding/json to describe, so that its messages stay what they were.
type jsonProblem struct {
	syntax bool
	msg    string
}

// strictFrame is an open array or object.
type strictFrame struct {
	object    bool
	index     int    // the element being read (arrays)
	key       []byte // the member being read (objects), unescaped
	keysStart int    // where this object's keys start in scanner.keys
	seen      map[string]struct{}
}

type strictScanner struct {
	data  []byte
	stack [maxJSONDepth]strictFrame
	depth int
	keys  [][]byte // the keys of the open objects, outermost first
}

// checkStrict scans body, which is not empty, and returns its first
// problem, or nil when it is one strict JSON value.
func checkStrict(body []byte) *jsonProblem {
	s := strictScanner{data: body}
	return s.scan()
}

func (s *strictScanner) scan() *jsonProblem {
	data := s.data
	i := skipSpace(data, 0)
	for {
		// A value starts at i.
		if i >= len(data) {
			return syntaxProblem
		}
		var p *jsonProblem
		switch c := data[i]; {
		case c == '{' || c == '[':
			if s.depth == maxJSONDepth {
				return s.problem(i, "nested deeper than %d levels at %s", maxJSONDepth, s.path())
			}
			f := &s.stack[s.depth]
			*f = strictFrame{object: c == '{', keysStart: len(s.keys)}
			s.depth++
			i = skipSpace(data, i+1)
			if i < len(data) && (data[i] == '}' && f.object || data[i] == ']' && !f.object) {
				s.pop()
				i++
				goto after
			}
			if f.object {
				if i, p = s.member(i); p != nil {
					return p
				}
			}
			continue
		case c == '"':
			if i, p = s.str(i, false); p != nil {
				return p
			}
		case c == '-' || c >= '0' && c <= '9':
			if i, p = s.number(i); p != nil {
				return p
			}
		case c == 't':
			if i, p = literal(data, i, "true"); p != nil {
				return p
			}
		case c == 'f':
			if i, p = literal(data, i, "false"); p != nil {
				return p
			}
		case c == 'n':
			if i, p = literal(data, i, "null"); p != nil {
				return p
			}
		default:
			return syntaxProblem
		}
	after:
		// A value ended just before i.
		i = skipSpace(data, i)
		if s.depth == 0 {
			if i < len(data) {
				return s.problem(i, "unexpected data after the JSON value")
			}
			return nil
		}
		if i >= len(data) {
			return syntaxProblem
		}
		f := &s.stack[s.depth-1]
		switch {
		case data[i] == ',':
			i = skipSpace(data, i+1)
			if !f.object {
				f.index++
				continue
			}
			if i, p = s.member(i); p != nil {
				return p
			}
			continue
		case data[i] == '}' && f.object, data[i] == ']' && !f.object:
			s.pop()
			i++
			goto after
		default:
			return syntaxProblem
		}
	}
}

// syntaxProblem is any syntax error: encoding/json says which.
var syntaxProblem = &jsonProblem{syntax: true}

func (s *strictScanner) pop() {
	s.depth--
	s.keys = s.keys[:s.stack[s.depth].keysStart]
}

// member reads an object member's key and colon at i, and returns where its
// value starts.
func (s *strictScanner) member(i int) (int, *jsonProblem) {
	data := s.data
	if i >= len(data) || data[i] != '"' {
		return i, syntaxProblem
	}
	// While its key is read, the path names the object itself.
	f := &s.stack[s.depth-1]
	f.key = nil
	end, p := s.str(i, true)
	if p != nil {
		return end, p
	}
	key := data[i+1 : end-1]
	if bytes.IndexByte(key, '\\') >= 0 {
		var k string
		if json.Unmarshal(data[i:end], &k) != nil {
			return end, syntaxProblem // cannot be: str checked it
		}
		key = []byte(k)
	}
	if s.duplicate(f, key) {
		return end, s.problem(i, "duplicate key %s in %s", strconv.Quote(string(key)), s.path())
	}
	f.key = key
	end = skipSpace(data, end)
	if end >= len(data) || data[end] != ':' {
		return end, syntaxProblem
	}
	return skipSpace(data, end+1), nil
}

// duplicate records key in f and reports whether f already had it.
func (s *strictScanner) duplicate(f *strictFrame, key []byte) bool {
	if f.seen != nil {
		if _, ok := f.seen[string(key)]; ok {
			return true
		}
		f.seen[string(key)] = struct{}{}
		return false
	}
	own := s.keys[f.keysStart:]
	for _, k := range own {
		if bytes.Equal(k, key) {
			return true
		}
	}
	if s.keys == nil {
		s.keys = make([][]byte, 0, 64)
	}
	s.keys = append(s.keys, key)
	if len(own)+1 > smallObject {
		f.seen = make(map[string]struct{}, 2*smallObject)
		for _, k := range s.keys[f.keysStart:] {
			f.seen[string(k)] = struct{}{}
		}
	}
	return false
}

// str checks the string that starts at data[i] (a quote) and returns the
// index just past it: no control character, escapes as JSON has them, no
// lone surrogate, valid UTF-8. isKey says whether it is an object's key.
func (s *strictScanner) str(i int, isKey bool) (int, *jsonProblem) {
	data := s.data
	j := i + 1
	for j < len(data) {
		c := data[j]
		switch {
		case c == '"':
			return j + 1, nil
		case c < ' ':
			return j, syntaxProblem
		case c == '\\':
			if j+1 >= len(data) {
				return j, syntaxProblem
			}
			switch data[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				r, ok := hex4(data, j+2)
				if !ok {
					return j, syntaxProblem
				}
				switch {
				case r >= 0xD800 && r < 0xDC00:
					if lo, ok := hex4(data, j+8); ok && data[j+6] == '\\' && data[j+7] == 'u' && lo >= 0xDC00 && lo < 0xE000 {
						j += 12
						continue
					}
					fallthrough
				case r >= 0xDC00 && r < 0xE000:
					return j, s.problem(j, "lone UTF-16 surrogate \\u%04x in %s", r, s.where(isKey))
				}
				j += 6
			default:
				return j, syntaxProblem
			}
		case c < utf8.RuneSelf:
			j++
		default:
			r, size := utf8.DecodeRune(data[j:])
			if r == utf8.RuneError && size == 1 {
				return j, s.problem(j, "invalid UTF-8 in %s", s.where(isKey))
			}
			j += size
		}
	}
	return j, syntaxProblem
}

// where names the string being checked: a key of the innermost object, or
// the value at the current path.
func (s *strictScanner) where(isKey bool) string {
	if isKey {
		return "a key in " + s.path()
	}
	return "a string at " + s.path()
}

// hex4 reads four hex digits at data[i:].
func hex4(data []byte, i int) (rune, bool) {
	if i+4 > len(data) {
		return 0, false
	}
	var r rune
	for _, c := range data[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number checks the number that starts at data[i]: the JSON grammar,
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, and the digit limits.
func (s *strictScanner) number(i int) (int, *jsonProblem) {
	data := s.data
	j := i
	if data[j] == '-' {
		j++
	}
	digits := 0
	switch {
	case j < len(data) && data[j] == '0':
		j++
		digits++
	case j < len(data) && data[j] >= '1' && data[j] <= '9':
		for j < len(data) && isDigitByte(data[j]) {
			j++
			digits++
		}
	default:
		return j, syntaxProblem
	}
	if j < len(data) && data[j] == '.' {
		j++
		start := j
		for j < len(data) && isDigitByte(data[j]) {
			j++
		}
		if j == start {
			return j, syntaxProblem
		}
		digits += j - start
	}
	if digits > maxNumberDigits {
		return j, s.problem(i, "number out of range at %s: more than %d digits", s.path(), maxNumberDigits)
	}
	if j < len(data) && (data[j] == 'e' || data[j] == 'E') {
		j++
		if j < len(data) && (data[j] == '+' || data[j] == '-') {
			j++
		}
		start := j
		for j < len(data) && isDigitByte(data[j]) {
			j++
		}
		if j == start {
			return j, syntaxProblem
		}
		if j-start > maxExponentDigits {
			return j, s.problem(i, "number out of range at %s: an exponent of more than %d digits", s.path(), maxExponentDigits)
		}
	}
	return j, nil
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }

// literal checks that data[i:] starts with want (true, false or null).
func literal(data []byte, i int, want string) (int, *jsonProblem) {
	if len(data)-i < len(want) || string(data[i:i+len(want)]) != want {
		return i, syntaxProblem
	}
	return i + len(want), nil
}

// problem is a strict problem at data[i], its position counted from 1.
func (s *strictScanner) problem(i int, format string, args ...any) *jsonProblem {
	return &jsonProblem{msg: fmt.Sprintf(format, args...) + fmt.Sprintf(" (at byte %d)", i+1)}
}

// path is the JSONPath of the value being read: $ for the body,
// $[2].line_items[0].quantity inside it.
func (s *strictScanner) path() string {
	var b strings.Builder
	b.WriteByte('$')
	for _, f := range s.stack[:s.depth] {
		switch {
		case !f.object:
			fmt.Fprintf(&b, "[%d]", f.index)
		case f.key == nil:
			// An object whose first key is being read.
		case isPlainKey(f.key):
			b.WriteByte('.')
			b.Write(f.key)
		default:
			b.WriteByte('[')
			b.WriteString(strconv.Quote(string(f.key)))
			b.WriteByte(']')
		}
	}
	return b.String()
}

// isPlainKey reports whether a key can follow a dot in a path.
func isPlainKey(k []byte) bool {
	if len(k) == 0 {
		return false
	}
	for _, c := range k {
		if !(c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
