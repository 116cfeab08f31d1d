// Package yamlwalk reads a yaml.v3 node tree against a schema written as
// code, reporting every problem with its line and column instead of stopping
// at the first, which yaml.v3's KnownFields decoding would do (and without a
// column). Values are never coerced: a string field takes only a YAML string.
package yamlwalk

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wellknown-dev/wellknown/generator/diag"
)

// maxNodes bounds the nodes a walk visits, aliases followed, so that an alias
// bomb fails at once instead of expanding.
const maxNodes = 100_000

// maxErrors bounds the errors of one file: past it the walk stops, so a
// hostile file of thousands of faults costs no more than a hundred, and a
// user is not buried in them.
const maxErrors = 100

// maxSuggestions bounds the did-you-mean hints of one file, each an edit
// distance against every known name.
const maxSuggestions = 20

// Walker reads one file's nodes and collects its diagnostics.
type Walker struct {
	File        diag.Pos // the file; line and column unset
	Diags       *diag.List
	visited     int
	errors      int
	suggestions int
	aborted     bool
	lines       int // in the file; 0 when not known
}

// Pos is where n is written. yaml.v3 puts an empty document's null one line
// past the end of a file that does not end in a newline: such a position is
// moved to the last line, which an editor can go to.
func (w *Walker) Pos(n *yaml.Node) diag.Pos {
	line, col := n.Line, n.Column
	if w.lines > 0 && line > w.lines {
		line, col = w.lines, 1
	}
	return w.File.At(line, col)
}

func (w *Walker) Errorf(n *yaml.Node, format string, args ...any) {
	if w.aborted {
		return
	}
	if w.errors++; w.errors > maxErrors {
		w.aborted = true
		w.Diags.Errorf(w.Pos(n), "too many errors (over %d); stopping here", maxErrors)
		return
	}
	w.Diags.Errorf(w.Pos(n), format, args...)
}

// Aborted reports whether the walk stopped early; further errors are not
// recorded.
func (w *Walker) Aborted() bool { return w.aborted }

func (w *Walker) Warnf(n *yaml.Node, format string, args ...any) {
	w.Diags.Warnf(w.Pos(n), format, args...)
}

// Resolve follows aliases and counts the visit against the budget.
func (w *Walker) Resolve(n *yaml.Node) *yaml.Node {
	if w.aborted {
		return nil
	}
	for n.Kind == yaml.AliasNode {
		n = n.Alias
		w.visited++
	}
	w.visited++
	if w.visited > maxNodes {
		w.Errorf(n, "document too large or too many aliases (over %d nodes)", maxNodes)
		w.aborted = true
		return nil
	}
	return n
}

// Pair is one key/value of a mapping, the key already checked to be a string.
type Pair struct {
	Key   string
	KNode *yaml.Node
	Val   *yaml.Node
}

// Mapping returns the pairs of a mapping node, rejecting duplicate keys and
// merge keys (whose precedence rules hide where a value came from).
func (w *Walker) Mapping(n *yaml.Node, what string) ([]Pair, bool) {
	at := n // errors point where the value is written, even through an alias
	if n = w.Resolve(n); n == nil {
		return nil, false
	}
	if n.Kind != yaml.MappingNode {
		w.Errorf(at, "%s must be a mapping, not %s", what, Describe(n))
		return nil, false
	}
	seen := map[string]*yaml.Node{}
	var out []Pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := w.Resolve(n.Content[i]), n.Content[i+1]
		if k == nil {
			return nil, false
		}
		if k.Kind != yaml.ScalarNode || (k.Tag != "!!str" && k.Tag != "!!merge") {
			w.Errorf(k, "%s keys must be strings, not %s", what, Describe(k))
			continue
		}
		if k.Tag == "!!merge" {
			w.Errorf(k, "merge keys (<<) are not supported; write the fields out")
			continue
		}
		if first, dup := seen[k.Value]; dup {
			w.Errorf(k, "%q is already set at line %d", k.Value, first.Line)
			continue
		}
		seen[k.Value] = k
		out = append(out, Pair{k.Value, k, v})
	}
	return out, true
}

// Unknown reports a key the schema does not have, suggesting the nearest one.
func (w *Walker) Unknown(p Pair, where string, known []string) {
	w.Errorf(p.KNode, "unknown field %q%s", p.Key, where)
	if w.aborted || w.suggestions >= maxSuggestions {
		return
	}
	w.suggestions++
	if s := Suggest(p.Key, known); s != "" {
		w.Diags.Hint("did you mean %q?", s)
	}
}

// Describe names the kind of a node for messages: "a list", "null".
func Describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!bool":
			return "a boolean"
		case "!!int", "!!float":
			return "a number"
		case "!!timestamp":
			return "a date"
		case "!!str":
			return "a string"
		}
		return "a " + strings.TrimPrefix(n.Tag, "!!")
	}
	return "an alias"
}

// Str reads a string. Only YAML strings are accepted: an unquoted true or
// 2024-01-01 is not silently turned into text.
func (w *Walker) Str(n *yaml.Node, what string) (string, bool) {
	at := n // errors point where the value is written, even through an alias
	if n = w.Resolve(n); n == nil {
		return "", false
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		w.Errorf(at, "%s must be a string, not %s", what, Describe(n))
		return "", false
	}
	return n.Value, true
}

func (w *Walker) Bool(n *yaml.Node, what string) (bool, bool) {
	at := n // errors point where the value is written, even through an alias
	if n = w.Resolve(n); n == nil {
		return false, false
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		w.Errorf(at, "%s must be true or false, not %s", what, Describe(n))
		return false, false
	}
	b, err := strconv.ParseBool(n.Value)
	if err != nil {
		w.Errorf(at, "%s must be true or false, not %q", what, n.Value)
		return false, false
	}
	return b, true
}

// Strings reads a list of strings. Duplicates are errors: every list in
// OAuth metadata is a set.
func (w *Walker) Strings(n *yaml.Node, what string) ([]string, []diag.Pos, bool) {
	at := n // errors point where the value is written, even through an alias
	if n = w.Resolve(n); n == nil {
		return nil, nil, false
	}
	if n.Kind != yaml.SequenceNode {
		w.Errorf(at, "%s must be a list of strings, not %s", what, Describe(n))
		return nil, nil, false
	}
	ok := true
	out := []string{}
	var ps []diag.Pos
	seen := map[string]bool{}
	for _, item := range n.Content {
		s, good := w.Str(item, what+" entries")
		if !good {
			ok = false
			continue
		}
		if s == "" {
			w.Errorf(item, "%s entries must not be empty", what)
			ok = false
			continue
		}
		if seen[s] {
			w.Errorf(item, "%s lists %q twice", what, s)
			ok = false
			continue
		}
		seen[s] = true
		out = append(out, s)
		ps = append(ps, w.Pos(item))
	}
	return out, ps, ok
}

// Date reads a day (2027-01-31, midnight UTC) or an RFC 3339 instant.
func (w *Walker) Date(n *yaml.Node, what string) (time.Time, bool) {
	at := n // errors point where the value is written, even through an alias
	if n = w.Resolve(n); n == nil {
		return time.Time{}, false
	}
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!timestamp" || n.Tag == "!!str") {
		if t, err := ParseDate(n.Value); err == nil {
			return t, true
		}
	}
	w.Errorf(at, "%s must be a date such as 2027-01-31 or 2027-01-31T12:00:00Z, not %s", what, quoteScalar(n))
	return time.Time{}, false
}

// ParseDate reads a day (midnight UTC) or an RFC 3339 instant.
func ParseDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (2027-01-31) or an RFC 3339 time", s)
	}
	return t.UTC(), nil
}

func quoteScalar(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return strconv.Quote(n.Value)
	}
	return Describe(n)
}

// syntaxError turns a yaml.v3 parse error into positioned diagnostics.
func (w *Walker) syntaxError(err error, data []byte) {
	for _, p := range locate(err, data) {
		w.Diags.Errorf(w.File.At(p.Line, p.Col), "invalid YAML: %s", p.Msg)
		if p.Hint != "" {
			w.Diags.Hint("%s", p.Hint)
		}
	}
}

// Suggest returns the known name closest to s, if it is close enough to be a typo.
func Suggest(s string, known []string) string {
	best, bestD := "", 1<<30
	for _, k := range known {
		if diff := len(s) - len(k); diff > 4 || diff < -4 {
			continue // too far apart to be a typo, whatever the letters
		}
		if d := editDistance(s, k); d < bestD {
			best, bestD = k, d
		}
	}
	if bestD <= 2 || (bestD <= 4 && len(s) > 12) {
		return best
	}
	return ""
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Parse reads data, the content of the file at path, as one YAML document
// and returns its root node and a Walker for it. The root is nil when the
// file is not one YAML document of at most maxSize bytes; the reason is in
// diags. No input makes it panic: yaml.v3 has panicked on hostile input
// before, and the answer to any input is a diagnostic, never a crash.
func Parse(path string, data []byte, maxSize int, diags *diag.List) (root *yaml.Node, w *Walker) {
	w = &Walker{File: diag.Pos{Path: path}, Diags: diags, lines: bytes.Count(data, []byte("\n")) + 1}
	if len(data) > maxSize {
		diags.Errorf(w.File, "file is larger than %d bytes", maxSize)
		return nil, w
	}
	defer func() {
		if r := recover(); r != nil {
			diags.Errorf(w.File, "invalid YAML: parser failed: %v", r)
			root = nil
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			diags.Errorf(w.File.At(1, 1), "file is empty")
		} else {
			w.syntaxError(err, data)
		}
		return nil, w
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		diags.Errorf(w.File.At(extra.Line, extra.Column), "file must hold a single YAML document")
		return nil, w
	} else if !errors.Is(err, io.EOF) {
		w.syntaxError(err, data)
		return nil, w
	}
	root = &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	return root, w
}

// ReadFile reads at most maxSize+1 bytes of path, so that Parse can refuse a
// file that is too large without reading all of it.
func ReadFile(path string, maxSize int) ([]byte, error) {
	return readFile(path, maxSize)
}

func readFileOS(path string, maxSize int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, diag.Cause(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, int64(maxSize)+1))
	if err != nil {
		return nil, diag.Cause(err)
	}
	return data, nil
}

// Duration reads a Go duration ("90s", "5m", "1h30m") or a whole number of
// days ("30d"), the unit cache and token lifetimes are usually thought in.
func (w *Walker) Duration(n *yaml.Node, what string) (time.Duration, bool) {
	at := n // errors point where the value is written, even through an alias
	if n = w.Resolve(n); n == nil {
		return 0, false
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		if d, err := ParseDuration(n.Value); err == nil {
			return d, true
		}
	}
	w.Errorf(at, "%s must be a duration such as 300s, 5m, 12h or 30d, not %s", what, quoteScalar(n))
	return 0, false
}

// ParseDuration reads a Go duration or a whole number of days ("30d").
func ParseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q is not a number of days", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration", s)
	}
	return d, nil
}
