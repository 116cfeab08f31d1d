package yamlwalk

import (
	"bytes"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/wellknown-dev/wellknown/generator/diag"
)

// TestSyntaxPositions pins where each kind of yaml.v3 syntax error is
// reported: the line and column of the fault itself, where yaml.v3 alone
// gives the line of an enclosing construct, a line off by one, or none.
func TestSyntaxPositions(t *testing.T) {
	// 52 lines of a valid mapping, so that a fault sits at line 53.
	var long strings.Builder
	long.WriteString("m:\n")
	for i := 2; i <= 52; i++ {
		long.WriteString("  k" + string(rune('a'+i%26)) + strings.Repeat("x", i) + ": v\n")
	}
	for _, tc := range []struct {
		name, yaml string
		want       string // the first error, as printed (without its hint)
	}{
		{"tab in indentation, line 53", long.String() + "\tz: 1\n",
			"f.yaml:53:1: invalid YAML: found a tab character that violates indentation"},
		{"tab after spaces", "a:\n  b: 1\n  \tc: 2\n",
			"f.yaml:3:3: invalid YAML: found a tab character that violates indentation"},
		{"tab at a block's start", "a: 1\nb:\n\tc: 2\n",
			"f.yaml:3:1: invalid YAML: found a tab character where indentation is expected"},
		{"NUL byte", "a: 1\nb: 2\nc: x\x00y\n",
			"f.yaml:3:5: invalid YAML: control character U+0000 is not allowed in YAML"},
		{"Latin-1 byte", "a: 1\nb: 2\nc: caf\xe9\n",
			"f.yaml:3:7: invalid YAML: byte 0xE9 is not UTF-8"},
		{"Latin-1 after UTF-8 and a BOM", "\xef\xbb\xbfa: caf\xc3\xa9\nb: \xe9t\xe9\n",
			"f.yaml:2:4: invalid YAML: byte 0xE9 is not UTF-8"},
		{"reserved character", "a: 1\nb: @foo\n",
			`f.yaml:2:4: invalid YAML: found character '@' that cannot start any token`},
		{"second colon in a plain value", "a: 1\nb: 2\nc: d: e\n",
			"f.yaml:3:5: invalid YAML: mapping values are not allowed in this context"},
		{"deeper indentation", "a: 1\n  b: 2\n",
			"f.yaml:2:4: invalid YAML: mapping values are not allowed in this context"},
		{"unclosed quote on the first line", "a: 'ab\n",
			"f.yaml:1:4: invalid YAML: quoted string is not closed before the end of the file"},
		{"unclosed quote further down", "x: 1\nm:\n  a: 1\n  b: \"x\n",
			"f.yaml:4:6: invalid YAML: quoted string is not closed before the end of the file"},
		{"unclosed flow list", "a: 1\nb: [1, 2\nc: 3\n",
			"f.yaml:2:4: invalid YAML: did not find expected ',' or ']' to close the list opened here"},
		{"unclosed flow mapping", "a: 1\nb: {x: 1\n",
			"f.yaml:2:4: invalid YAML: did not find expected ',' or '}' to close the mapping opened here"},
		{"list entry in a mapping", "x: 1\nm:\n  a: 1\n  b: 2\n- c\n",
			"f.yaml:5:1: invalid YAML: did not find expected key"},
		{"key beside list entries", "x: 1\nm:\n  - a\n  # note\n  b: 2\n",
			"f.yaml:5:3: invalid YAML: did not find expected '-' indicator"},
		{"unknown anchor", "a: &x 1\nb:\n  c: [*y]\n",
			"f.yaml:3:7: invalid YAML: alias *y names no anchor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var diags diag.List
			root, _ := Parse("f.yaml", []byte(tc.yaml), 1<<20, &diags)
			if root != nil {
				t.Fatal("parsed")
			}
			errs := diags.Errors()
			if len(errs) == 0 {
				t.Fatal("no error")
			}
			if got := errs[0].Error(); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// FuzzLocate: whatever yaml.v3 says of an input, the error lands inside
// the file, on a line and column that exist.
func FuzzLocate(f *testing.F) {
	for _, s := range []string{"a: 1\n\tb: 2\n", "a: x\x00\n", "a: \xe9\n", "a: [1\n", "a: 'x\n", "a:\n  - b\n  c: 1\n", "a: *z\n", "\r\n\ta: 1\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var diags diag.List
		Parse("f.yaml", data, 1<<16, &diags)
		src := newSource(data)
		for _, d := range diags.Errors() {
			if d.Line < 1 || d.Line > len(src.lines) || d.Col < 1 {
				t.Fatalf("%v outside the file of %d lines", d, len(src.lines))
			}
			if max := len([]rune(string(src.line(d.Line)))) + 1; d.Col > max {
				t.Fatalf("%v past the end of its line (%d columns)", d, max)
			}
		}
	})
}

// BenchmarkSyntaxError parses a file near the 1 MiB limit whose last line
// holds a tab, so that placing the error reads the whole source: "parse"
// is what a user waits for, "locate" the share of it that finding the
// column costs.
func BenchmarkSyntaxError(b *testing.B) {
	var src strings.Builder
	src.WriteString("m:\n")
	for src.Len() < 1<<20-64 {
		src.WriteString("  key" + strings.Repeat("x", 20) + ": value\n")
	}
	src.WriteString("\tz: 1\n")
	data := []byte(src.String())
	var n yaml.Node
	yerr := yaml.Unmarshal(data, &n)
	if yerr == nil {
		b.Fatal("no error")
	}
	b.Run("parse", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var diags diag.List
			Parse("f.yaml", data, 1<<21, &diags)
		}
	})
	b.Run("locate", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if ps := locate(yerr, data); ps[0].Line != bytes.Count(data, []byte("\n")) {
				b.Fatalf("placed at %d", ps[0].Line)
			}
		}
	})
}
