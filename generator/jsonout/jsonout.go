// Package jsonout writes the JSON documents wellknown publishes: members in a
// fixed order, two-space indentation, no HTML escaping (URLs keep their "&"),
// and a trailing newline, so the same input always gives the same bytes.
package jsonout

import (
	"bytes"
	"encoding/json"
)

// Member is one name/value pair of an Object.
type Member struct {
	Name  string
	Value any
}

// Object is a JSON object whose members keep the order they were added in,
// where a Go map would sort them.
type Object []Member

// Set appends a member. Callers keep names unique.
func (o *Object) Set(name string, value any) { *o = append(*o, Member{name, value}) }

// Get returns the value of the member called name.
func (o Object) Get(name string) (any, bool) {
	for _, m := range o {
		if m.Name == name {
			return m.Value, true
		}
	}
	return nil, false
}

// MarshalJSON writes the members in order; names and values go through
// encoding/json, so escaping is the standard library's.
func (o Object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := encode(&b, m.Name); err != nil {
			return nil, err
		}
		b.WriteByte(':')
		if err := encode(&b, m.Value); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func encode(b *bytes.Buffer, v any) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1) // Encode ends with a newline
	return nil
}

// Marshal renders v as a published document.
func Marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
