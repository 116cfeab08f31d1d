package yamledit

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

func TestSet(t *testing.T) {
	state := []string{"keys", "x.pem", "state"}
	tests := []struct {
		name string
		src  string
		path []string
		want string
	}{
		{"replace keeps the line comment", "keys:\n  x.pem:\n    state: active # now\n", state,
			"keys:\n  x.pem:\n    state: retired # now\n"},
		{"replace a quoted value", "keys:\n  x.pem:\n    state: \"active\"\n", state,
			"keys:\n  x.pem:\n    state: retired\n"},
		{"replace an empty value", "keys:\n  x.pem:\n    state:\n", state,
			"keys:\n  x.pem:\n    state: retired\n"},
		{"add a field after comments that belong to the entry",
			"keys:\n  x.pem:\n    alg: ES256\n    # state: next\n\n# metadata\nm: 1\n", state,
			"keys:\n  x.pem:\n    alg: ES256\n    # state: next\n    state: retired\n\n# metadata\nm: 1\n"},
		{"add an entry in the entries' indentation", "keys:\n    a.pem:\n        state: active\nm: 1\n", state,
			"keys:\n    a.pem:\n        state: active\n    x.pem:\n      state: retired\nm: 1\n"},
		{"fill an empty mapping value", "keys:\n# none yet\nm: 1\n", state,
			"keys:\n  x.pem:\n    state: retired\n# none yet\nm: 1\n"},
		{"fill a null, keeping its comment", "keys: ~ # none\nm: 1\n", state,
			"keys: # none\n  x.pem:\n    state: retired\nm: 1\n"},
		{"flow entry", "keys:\n  x.pem: {alg: ES256}\n", state,
			"keys:\n  x.pem: {alg: ES256, state: retired}\n"},
		{"empty flow mapping", "keys: {}\n", state,
			"keys: {x.pem: {state: retired}}\n"},
		{"missing section at the end, no final newline", "issuer: https://a.example\n# end", state,
			"issuer: https://a.example\n# end\nkeys:\n  x.pem:\n    state: retired\n"},
		{"CRLF", "keys:\r\n  a.pem:\r\n    state: active\r\n", state,
			"keys:\r\n  a.pem:\r\n    state: active\r\n  x.pem:\r\n    state: retired\r\n"},
		{"a list item's mapping", "issuers:\n  - issuer: a\n  - issuer: b\n    key_dir: b\n# end\n",
			[]string{"issuers", Index(1), "keys", "x.pem", "state"},
			"issuers:\n  - issuer: a\n  - issuer: b\n    key_dir: b\n    keys:\n      x.pem:\n        state: retired\n# end\n"},
		{"a list item's existing value", "issuers:\n- issuer: a\n  keys: {x.pem: {state: active}}\n",
			[]string{"issuers", Index(0), "keys", "x.pem", "state"},
			"issuers:\n- issuer: a\n  keys: {x.pem: {state: retired}}\n"},
		{"multi-byte text before the value", "keys: {ä.pem: {state: active}, x.pem: {state: next}}\n", state,
			"keys: {ä.pem: {state: active}, x.pem: {state: retired}}\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Set([]byte(tc.src), tc.path, "retired")
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestSetRefuses(t *testing.T) {
	tests := []struct{ src, want string }{
		{"keys: &k\n  x.pem: {state: active}\nother: *k\n", "anchored"},
		{"keys:\n  x.pem:\n    state: |\n      active\n", "block scalars"},
		{"keys:\n  x.pem:\n    state: one\n      two\n", "spans lines"},
		{"keys: [a, b]\n", `keys is a list: "x.pem" is not an index`},
		{"keys:\n  x.pem: [a]\n", `keys.x.pem is a list: "state" is not an index`},
		{"keys:\n  x.pem:\n    state: [a]\n", "not a single value"},
		{"", "empty"},
		{"keys: [\n", "cannot parse"},
		{"0:\n0:", "already defined"},
	}
	for _, tc := range tests {
		_, err := Set([]byte(tc.src), []string{"keys", "x.pem", "state"}, "retired")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Set(%q) = %v, want an error containing %q", tc.src, err, tc.want)
		}
	}
	for _, bad := range []string{"2", "-1", "01", "a"} {
		if _, err := Set([]byte("l:\n  - {k: 1}\n  - {k: 2}\n"), []string{"l", bad, "k"}, "3"); err == nil {
			t.Errorf("list item %q was accepted", bad)
		}
	}
	if _, err := Set([]byte("a: 1\n"), []string{"a"}, "x\ny"); err == nil {
		t.Error("a value of two lines was accepted")
	}
}

func TestString(t *testing.T) {
	for in, want := range map[string]string{
		"active":     "active",
		"true":       `"true"`,
		"2027-01-01": `"2027-01-01"`,
		"a: b":       `"a: b"`,
		"#x":         `"#x"`,
		"":           `""`,
		" x":         `" x"`,
		"x.pem":      "x.pem",
		"12":         `"12"`,
	} {
		if got := String(in); got != want {
			t.Errorf("String(%q) = %s, want %s", in, got, want)
		}
	}
	if got := Time(time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)); got != "2027-01-02" {
		t.Errorf("Time(midnight) = %s", got)
	}
	if got := Time(time.Date(2027, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))); got != "2027-01-02T02:04:05Z" {
		t.Errorf("Time = %s", got)
	}
}

// FuzzSet checks the editor's promises on any input: no panic; an edit that
// succeeds parses back with the new value and every other value unchanged;
// every line but one is kept byte for byte, and on that line only text
// without a comment was replaced.
func FuzzSet(f *testing.F) {
	for _, s := range []string{
		"keys:\n  x.pem:\n    state: active # c\n",
		"a: 1\nkeys: {x.pem: {state: active}}\n# c\n",
		"keys:\n# c\nm: [1, 2]\n",
		"keys: ~\n",
		"issuer: https://a\nkeys:\n  y.pem: {state: next, published_since: 2027-01-01}\n",
		"'keys': {\"x.pem\": {'state': 'a''b'}}\n",
	} {
		f.Add([]byte(s), "x.pem", "retired")
	}
	f.Fuzz(func(t *testing.T, src []byte, file, value string) {
		if !utf8.ValidString(file) || !utf8.ValidString(value) {
			return // YAML text is UTF-8; String replaces what is not
		}
		path := []string{"keys", file, "state"}
		scalar := String(value)
		out, err := Set(src, path, scalar)
		if err != nil {
			return
		}
		var before, after any
		if yaml.Unmarshal(out, &after) != nil {
			t.Fatalf("the result does not parse:\n%s", out)
		}
		if yaml.Unmarshal(src, &before) == nil {
			if !setIn(&before, path, value) {
				return // not a plain tree of string keys; nothing to compare
			}
			if !reflect.DeepEqual(before, after) {
				t.Fatalf("values changed:\n%s\n=>\n%s", src, out)
			}
		}
		if err := checkKept(src, out); err != nil {
			t.Fatal(err)
		}
	})
}

// TestCheckKept makes sure the fuzz oracle tells comments from text that only
// looks like one.
func TestCheckKept(t *testing.T) {
	tests := []struct {
		src, out string
		ok       bool
	}{
		{"state: 0#\n", "state: retired\n", true}, // "0#" is a plain scalar
		{"state: a#b # c\n", "state: x # c\n", true},
		{"state: \"a #b\" # c\n", "state: x # c\n", true},
		{"state: 'it''s #b'\n", "state: x\n", true},
		{"k: {ä: \"a #b\", state: 1}\n", "k: {ä: x, state: 1}\n", true},
		{"state: a # c\n", "state: a # d\n", false},
		{"state: a # c\n", "state: x\n", false},
		{"state: a\t# c\n", "state: x\n", false},
		{"# c\nstate: a\n", "# d\nstate: b\n", false},
		{"state: \"a\" # \"c\"\n", "state: x\"\n", false},
	}
	for _, tc := range tests {
		err := checkKept([]byte(tc.src), []byte(tc.out))
		if (err == nil) != tc.ok {
			t.Errorf("checkKept(%q, %q) = %v, want ok %v", tc.src, tc.out, err, tc.ok)
		}
	}
}

// setIn sets path in a decoded document of maps with string keys.
func setIn(doc *any, path []string, value string) bool {
	m, ok := (*doc).(map[string]any)
	if *doc == nil {
		m, ok = map[string]any{}, true
		*doc = m
	}
	for i, k := range path {
		if l, isList := m[k].([]any); isList && ok && i+2 < len(path) {
			// k holds a list: the next element is an index, and the item a mapping.
			j, err := strconv.Atoi(path[i+1])
			if err != nil || j < 0 || j >= len(l) {
				return false
			}
			item, isMap := l[j].(map[string]any)
			if !isMap {
				return false
			}
			return setIn(anyPtr(item), path[i+2:], value)
		}
		if !ok {
			return false
		}
		if i == len(path)-1 {
			m[k] = value
			return true
		}
		next, exists := m[k]
		if !exists || next == nil {
			next = map[string]any{}
			m[k] = next
		}
		m, ok = next.(map[string]any)
	}
	return false
}

func anyPtr(m map[string]any) *any {
	var a any = m
	return &a
}

// FuzzSetItem is FuzzSet for a path through a list item, the way an
// issuers entry's keys are edited.
func FuzzSetItem(f *testing.F) {
	for _, s := range []string{
		"issuers:\n  - issuer: a\n  - issuer: b # c\n    key_dir: b\n# end\n",
		"issuers:\n- issuer: a\n  keys: {x.pem: {state: active}}\n",
		"issuers: [{issuer: a, keys: {}}]\n",
		"issuers:\n  - issuer: a\n    keys:\n      x.pem:\n        state: next\n  - issuer: b\n",
	} {
		f.Add([]byte(s), uint8(0), "x.pem")
		f.Add([]byte(s), uint8(1), "y.pem")
	}
	f.Fuzz(func(t *testing.T, src []byte, item uint8, file string) {
		if !utf8.ValidString(file) {
			return
		}
		path := []string{"issuers", Index(int(item)), "keys", file, "state"}
		out, err := Set(src, path, "retired")
		if err != nil {
			return
		}
		var before, after any
		if yaml.Unmarshal(out, &after) != nil {
			t.Fatalf("the result does not parse:\n%s", out)
		}
		if yaml.Unmarshal(src, &before) == nil && setIn(&before, path, "retired") && !reflect.DeepEqual(before, after) {
			t.Fatalf("values changed:\n%s\n=>\n%s", src, out)
		}
		if err := checkKept(src, out); err != nil {
			t.Fatal(err)
		}
	})
}

// checkKept is the fuzz oracle for layout: every line but one is kept byte
// for byte, and on that line only text outside comments was replaced.
func checkKept(src, out []byte) error {
	a, b := strings.SplitAfter(string(src), "\n"), strings.SplitAfter(string(out), "\n")
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	changed := a[p : len(a)-s]
	if len(changed) > 1 {
		return fmt.Errorf("%d lines changed:\n%q\n=>\n%q", len(changed), src, out)
	}
	if len(changed) == 0 || len(b)-s <= p {
		return nil
	}
	old, repl := changed[0], b[p]
	if !strings.HasSuffix(old, "\n") {
		// Text added after a last line without a newline ends it first.
		repl = strings.TrimSuffix(strings.TrimSuffix(repl, "\n"), "\r")
	}
	if old == repl {
		return nil
	}
	i := 0
	for i < len(old) && i < len(repl) && old[i] == repl[i] {
		i++
	}
	j := 0
	for j < len(old)-i && j < len(repl)-i && old[len(old)-1-j] == repl[len(repl)-1-j] {
		j++
	}
	start := 0
	for _, l := range a[:p] {
		start += len(l)
	}
	quoted := quotedSpans(src)
	for k := 0; k < len(old)-j; k++ {
		// YAML starts a comment with a "#" only at the start of a line or
		// after white space, and never inside a quoted scalar: in
		// "state: 0#" the "#" belongs to the plain scalar "0#". The
		// comment runs to the end of the line, so an edit ending after
		// its start changed it.
		if old[k] != '#' || (k > 0 && old[k-1] != ' ' && old[k-1] != '\t') || quoted(start+k) {
			continue
		}
		return fmt.Errorf("a comment was edited: %q => %q", old, repl)
	}
	return nil
}

// quotedSpans reports whether a byte offset of src lies inside a single- or
// double-quoted scalar, as yaml.v3 finds them: the oracle must not take a
// "#" in "a #b" for a comment.
func quotedSpans(src []byte) func(off int) bool {
	var doc yaml.Node
	if yaml.Unmarshal(src, &doc) != nil {
		return func(int) bool { return false }
	}
	starts := lineOffsets(src)
	type span struct{ from, to int }
	var spans []span
	var visit func(n *yaml.Node)
	visit = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode && (n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle)) != 0 && n.Line >= 1 && n.Line <= len(starts) {
			from := starts[n.Line-1]
			// yaml.v3 counts columns in characters, from 1.
			for c := 1; c < n.Column && from < len(src); c++ {
				_, size := utf8.DecodeRune(src[from:])
				from += size
			}
			spans = append(spans, span{from, quoteEnd(src, from)})
		}
		for _, c := range n.Content {
			visit(c)
		}
	}
	visit(&doc)
	return func(off int) bool {
		for _, s := range spans {
			if off > s.from && off < s.to {
				return true
			}
		}
		return false
	}
}

// quoteEnd returns the offset of the quote closing the scalar opened at
// src[from], or len(src).
func quoteEnd(src []byte, from int) int {
	if from >= len(src) {
		return len(src)
	}
	q := src[from]
	for k := from + 1; k < len(src); k++ {
		switch {
		case q == '"' && src[k] == '\\':
			k++
		case src[k] == q && q == '\'' && k+1 < len(src) && src[k+1] == '\'':
			k++
		case src[k] == q:
			return k
		}
	}
	return len(src)
}

func lineOffsets(src []byte) []int {
	starts := []int{0}
	for k, c := range src {
		if c == '\n' {
			starts = append(starts, k+1)
		}
	}
	return starts
}
