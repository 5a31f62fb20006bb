package weights

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// The metadata is JSON, read and written by the small codec in this file
// rather than encoding/json: the browser build links this package, and
// encoding/json (with the reflection it keeps alive) makes the .wasm
// 0.69 MB larger (docs/PERF.md). The codec knows the Meta schema; the
// reader skips unknown fields of any JSON type, accepts null for any field
// (leaving it empty), and refuses everything that is not JSON (RFC 8259) or
// not valid UTF-8. Keys match exactly.

// encodeMeta returns m as JSON. Empty optional fields are left out.
func encodeMeta(m *Meta) []byte {
	var w jsonWriter
	w.open('{')
	w.str("name", m.Name, true)
	w.str("storage", m.Storage, false)
	w.key("generators")
	w.open('[')
	for _, g := range m.Generators {
		w.comma()
		w.open('{')
		w.str("key", g.Key, false)
		w.str("from", g.From, true)
		w.str("to", g.To, true)
		w.key("architecture")
		a := g.Arch
		w.open('{')
		w.str("kind", a.Kind, false)
		w.int("input_nc", int64(a.InputNC), false)
		w.int("output_nc", int64(a.OutputNC), false)
		w.int("ngf", int64(a.NGF), false)
		w.int("n_blocks", int64(a.NBlocks), false)
		w.key("dropout")
		w.b = strconv.AppendBool(w.b, a.Dropout)
		w.str("norm", a.Norm, false)
		w.str("padding", a.Padding, false)
		w.close('}')
		w.close('}')
	}
	w.close(']')
	p := m.Provenance
	w.key("provenance")
	w.open('{')
	w.str("source", p.Source, false)
	if len(p.Imported) > 0 {
		w.key("imported")
		w.open('[')
		for _, s := range p.Imported {
			w.comma()
			w.quote(s)
		}
		w.close(']')
	}
	w.str("trainer", p.Trainer, true)
	w.int("iterations", p.Iterations, true)
	w.int("epochs", int64(p.Epochs), true)
	w.str("date", p.Date, true)
	w.str("license", p.License, true)
	w.str("notes", p.Notes, true)
	w.close('}')
	if s := m.TrainingScale; s != nil {
		w.key("training_scale")
		w.open('{')
		w.str("preprocess", s.Preprocess, false)
		w.int("load_size", int64(s.LoadSize), false)
		w.int("crop_size", int64(s.CropSize), false)
		w.close('}')
	}
	w.close('}')
	return w.b
}

type jsonWriter struct {
	b     []byte
	first bool // no member written yet in the current object or array
}

func (w *jsonWriter) open(c byte)  { w.b = append(w.b, c); w.first = true }
func (w *jsonWriter) close(c byte) { w.b = append(w.b, c); w.first = false }

func (w *jsonWriter) comma() {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
}

func (w *jsonWriter) key(k string) {
	w.comma()
	w.quote(k)
	w.b = append(w.b, ':')
}

func (w *jsonWriter) str(k, v string, omitEmpty bool) {
	if omitEmpty && v == "" {
		return
	}
	w.key(k)
	w.quote(v)
}

func (w *jsonWriter) int(k string, v int64, omitEmpty bool) {
	if omitEmpty && v == 0 {
		return
	}
	w.key(k)
	w.b = strconv.AppendInt(w.b, v, 10)
}

// quote appends s as a JSON string; invalid UTF-8 becomes U+FFFD.
func (w *jsonWriter) quote(s string) {
	const hex = "0123456789abcdef"
	w.b = append(w.b, '"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '"' || r == '\\':
			w.b = append(w.b, '\\', byte(r))
		case r == '\n':
			w.b = append(w.b, '\\', 'n')
		case r == '\r':
			w.b = append(w.b, '\\', 'r')
		case r == '\t':
			w.b = append(w.b, '\\', 't')
		case r < 0x20 || r == 0x2028 || r == 0x2029:
			w.b = append(w.b, '\\', 'u', hex[r>>12&15], hex[r>>8&15], hex[r>>4&15], hex[r&15])
		default: // includes utf8.RuneError for invalid bytes, written as U+FFFD
			w.b = utf8.AppendRune(w.b, r)
		}
	}
	w.b = append(w.b, '"')
}

// decodeMeta parses the metadata JSON.
func decodeMeta(data []byte) (Meta, error) {
	var m Meta
	p := &jsonParser{s: data}
	err := p.object(func(key string) error {
		switch key {
		case "name":
			return p.string(&m.Name)
		case "storage":
			return p.string(&m.Storage)
		case "generators":
			m.Generators = nil
			return p.array(func() error {
				if len(m.Generators) >= maxGenerators {
					return p.errf("more than %d generators", maxGenerators)
				}
				var g GeneratorMeta
				if err := p.object(func(key string) error { return p.generator(&g, key) }); err != nil {
					return err
				}
				m.Generators = append(m.Generators, g)
				return nil
			})
		case "provenance":
			return p.object(func(key string) error { return p.provenance(&m.Provenance, key) })
		case "training_scale":
			m.TrainingScale = nil
			if p.null() {
				return nil
			}
			s := &TrainingScale{}
			m.TrainingScale = s
			return p.object(func(key string) error { return p.trainingScale(s, key) })
		}
		return p.skip()
	})
	if err == nil {
		p.space()
		if p.i != len(p.s) {
			err = p.errf("data after the metadata object")
		}
	}
	if err != nil {
		return Meta{}, fmt.Errorf("%w: %v", ErrMetadata, err)
	}
	return m, nil
}

func (p *jsonParser) generator(g *GeneratorMeta, key string) error {
	switch key {
	case "key":
		return p.string(&g.Key)
	case "from":
		return p.string(&g.From)
	case "to":
		return p.string(&g.To)
	case "architecture":
		a := &g.Arch
		return p.object(func(key string) error {
			switch key {
			case "kind":
				return p.string(&a.Kind)
			case "input_nc":
				return p.intField(&a.InputNC)
			case "output_nc":
				return p.intField(&a.OutputNC)
			case "ngf":
				return p.intField(&a.NGF)
			case "n_blocks":
				return p.intField(&a.NBlocks)
			case "dropout":
				return p.boolean(&a.Dropout)
			case "norm":
				return p.string(&a.Norm)
			case "padding":
				return p.string(&a.Padding)
			}
			return p.skip()
		})
	}
	return p.skip()
}

func (p *jsonParser) provenance(v *Provenance, key string) error {
	switch key {
	case "source":
		return p.string(&v.Source)
	case "imported":
		v.Imported = nil
		return p.array(func() error {
			var s string
			if err := p.string(&s); err != nil {
				return err
			}
			v.Imported = append(v.Imported, s)
			return nil
		})
	case "trainer":
		return p.string(&v.Trainer)
	case "iterations":
		return p.int64(&v.Iterations)
	case "epochs":
		return p.intField(&v.Epochs)
	case "date":
		return p.string(&v.Date)
	case "license":
		return p.string(&v.License)
	case "notes":
		return p.string(&v.Notes)
	}
	return p.skip()
}

func (p *jsonParser) trainingScale(s *TrainingScale, key string) error {
	switch key {
	case "preprocess":
		return p.string(&s.Preprocess)
	case "load_size":
		return p.intField(&s.LoadSize)
	case "crop_size":
		return p.intField(&s.CropSize)
	}
	return p.skip()
}

// jsonParser is a recursive-descent JSON reader over a byte slice.
type jsonParser struct {
	s     []byte
	i     int
	depth int
}

const maxJSONDepth = 32

func (p *jsonParser) errf(format string, args ...any) error {
	return fmt.Errorf("at byte %d: %s", p.i, fmt.Sprintf(format, args...))
}

func (p *jsonParser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte (0 at the end).
func (p *jsonParser) peek() byte {
	p.space()
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

// null consumes a null and reports whether there was one.
func (p *jsonParser) null() bool {
	if p.peek() == 'n' && p.literal("null") {
		return true
	}
	return false
}

func (p *jsonParser) literal(lit string) bool {
	if len(p.s)-p.i >= len(lit) && string(p.s[p.i:p.i+len(lit)]) == lit {
		p.i += len(lit)
		return true
	}
	return false
}

// object parses {"key": value, ...}, calling member for each key with the
// parser positioned at the value; null is an empty object.
func (p *jsonParser) object(member func(key string) error) error {
	if p.null() {
		return nil
	}
	if p.peek() != '{' {
		return p.errf("want an object")
	}
	if p.depth++; p.depth > maxJSONDepth {
		return p.errf("nested too deeply")
	}
	defer func() { p.depth-- }()
	p.i++
	if p.peek() == '}' {
		p.i++
		return nil
	}
	for {
		if p.peek() != '"' {
			return p.errf("want a key")
		}
		key, err := p.quoted()
		if err != nil {
			return err
		}
		if p.peek() != ':' {
			return p.errf("want ':'")
		}
		p.i++
		if err := member(key); err != nil {
			return err
		}
		switch p.peek() {
		case ',':
			p.i++
		case '}':
			p.i++
			return nil
		default:
			return p.errf("want ',' or '}'")
		}
	}
}

// array parses [value, ...], calling elem at each value; null is empty.
func (p *jsonParser) array(elem func() error) error {
	if p.null() {
		return nil
	}
	if p.peek() != '[' {
		return p.errf("want an array")
	}
	if p.depth++; p.depth > maxJSONDepth {
		return p.errf("nested too deeply")
	}
	defer func() { p.depth-- }()
	p.i++
	if p.peek() == ']' {
		p.i++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch p.peek() {
		case ',':
			p.i++
		case ']':
			p.i++
			return nil
		default:
			return p.errf("want ',' or ']'")
		}
	}
}

func (p *jsonParser) string(dst *string) error {
	if p.null() {
		return nil
	}
	if p.peek() != '"' {
		return p.errf("want a string")
	}
	s, err := p.quoted()
	*dst = s
	return err
}

func (p *jsonParser) boolean(dst *bool) error {
	switch p.peek() {
	case 't':
		if p.literal("true") {
			*dst = true
			return nil
		}
	case 'f':
		if p.literal("false") {
			*dst = false
			return nil
		}
	case 'n':
		if p.literal("null") {
			return nil
		}
	}
	return p.errf("want true or false")
}

func (p *jsonParser) int64(dst *int64) error {
	if p.null() {
		return nil
	}
	start := p.i
	if err := p.number(); err != nil {
		return err
	}
	n, err := strconv.ParseInt(string(p.s[start:p.i]), 10, 64)
	if err != nil {
		return p.errf("want an integer, have %s", p.s[start:p.i])
	}
	*dst = n
	return nil
}

func (p *jsonParser) intField(dst *int) error {
	var n int64
	if err := p.int64(&n); err != nil {
		return err
	}
	if int64(int(n)) != n || n > 1<<31 || n < -1<<31 {
		return p.errf("integer %d out of range", n)
	}
	*dst = int(n)
	return nil
}

// number consumes a JSON number.
func (p *jsonParser) number() error {
	p.space()
	start := p.i
	digits := func() int {
		n := 0
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.i < len(p.s) && p.s[p.i] == '-' {
		p.i++
	}
	intStart := p.i
	if digits() == 0 || (p.s[intStart] == '0' && p.i-intStart > 1) {
		p.i = start
		return p.errf("want a number")
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return p.errf("bad number")
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return p.errf("bad number")
		}
	}
	return nil
}

// skip consumes any JSON value.
func (p *jsonParser) skip() error {
	switch c := p.peek(); {
	case c == '{':
		return p.object(func(string) error { return p.skip() })
	case c == '[':
		return p.array(p.skip)
	case c == '"':
		_, err := p.quoted()
		return err
	case c == 't' || c == 'f':
		var b bool
		return p.boolean(&b)
	case c == 'n':
		if p.null() {
			return nil
		}
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	return p.errf("want a value")
}

// quoted parses a string literal at p.i (which holds '"').
func (p *jsonParser) quoted() (string, error) {
	p.i++
	var out []byte
	for {
		if p.i >= len(p.s) {
			return "", p.errf("unterminated string")
		}
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return string(out), nil
		case c < 0x20:
			return "", p.errf("control character in a string")
		case c == '\\':
			if p.i+1 >= len(p.s) {
				return "", p.errf("unterminated string")
			}
			e := p.s[p.i+1]
			p.i += 2
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return "", p.errf("bad \\u escape")
				}
				if r >= 0xd800 && r < 0xdc00 { // a surrogate pair, or U+FFFD as encoding/json does
					save := p.i
					if p.literal(`\u`) {
						if r2, ok := p.hex4(); ok && r2 >= 0xdc00 && r2 < 0xe000 {
							r = 0x10000 + (r-0xd800)<<10 + (r2 - 0xdc00)
						} else {
							p.i, r = save, utf8.RuneError
						}
					} else {
						r = utf8.RuneError
					}
				} else if r >= 0xdc00 && r < 0xe000 {
					r = utf8.RuneError
				}
				out = utf8.AppendRune(out, r)
			default:
				return "", p.errf("bad escape \\%c", e)
			}
		default:
			r, size := utf8.DecodeRune(p.s[p.i:])
			if r == utf8.RuneError && size == 1 {
				return "", p.errf("invalid UTF-8")
			}
			out = append(out, p.s[p.i:p.i+size]...)
			p.i += size
		}
	}
}

func (p *jsonParser) hex4() (rune, bool) {
	if len(p.s)-p.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range p.s[p.i : p.i+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	p.i += 4
	return r, true
}
