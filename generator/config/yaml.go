package config

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wellknown-dev/wellknown/generator/diag"
)

// maxNodes bounds the nodes a walk visits, aliases followed, so that an alias
// bomb fails at once instead of expanding.
const maxNodes = 100_000

// walker reads a yaml.Node tree against the schema, reporting every problem
// with its position instead of stopping at the first, which yaml.v3's
// KnownFields decoding would do (and without a column).
type walker struct {
	file    diag.Pos // the file; line and column unset
	diags   *diag.List
	visited int
	aborted bool
}

func (w *walker) pos(n *yaml.Node) diag.Pos { return w.file.At(n.Line, n.Column) }

func (w *walker) errorf(n *yaml.Node, format string, args ...any) {
	w.diags.Errorf(w.pos(n), format, args...)
}

func (w *walker) warnf(n *yaml.Node, format string, args ...any) {
	w.diags.Warnf(w.pos(n), format, args...)
}

// resolve follows aliases and counts the visit against the budget.
func (w *walker) resolve(n *yaml.Node) *yaml.Node {
	if w.aborted {
		return nil
	}
	for n.Kind == yaml.AliasNode {
		n = n.Alias
		w.visited++
	}
	w.visited++
	if w.visited > maxNodes {
		w.aborted = true
		w.errorf(n, "document too large or too many aliases (over %d nodes)", maxNodes)
		return nil
	}
	return n
}

// pair is one key/value of a mapping, the key already checked to be a string.
type pair struct {
	key   string
	kNode *yaml.Node
	val   *yaml.Node
}

// mapping returns the pairs of a mapping node, rejecting duplicate keys and
// merge keys (whose precedence rules hide where a value came from).
func (w *walker) mapping(n *yaml.Node, what string) ([]pair, bool) {
	if n = w.resolve(n); n == nil {
		return nil, false
	}
	if n.Kind != yaml.MappingNode {
		w.errorf(n, "%s must be a mapping, not %s", what, describe(n))
		return nil, false
	}
	seen := map[string]*yaml.Node{}
	var out []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := w.resolve(n.Content[i]), n.Content[i+1]
		if k == nil {
			return nil, false
		}
		if k.Kind != yaml.ScalarNode || (k.Tag != "!!str" && k.Tag != "!!merge") {
			w.errorf(k, "%s keys must be strings, not %s", what, describe(k))
			continue
		}
		if k.Tag == "!!merge" {
			w.errorf(k, "merge keys (<<) are not supported; write the fields out")
			continue
		}
		if first, dup := seen[k.Value]; dup {
			w.errorf(k, "%q is already set at line %d", k.Value, first.Line)
			continue
		}
		seen[k.Value] = k
		out = append(out, pair{k.Value, k, v})
	}
	return out, true
}

// unknown reports a key the schema does not have, suggesting the nearest one.
func (w *walker) unknown(p pair, where string, known []string) {
	w.errorf(p.kNode, "unknown field %q%s", p.key, where)
	if s := suggest(p.key, known); s != "" {
		w.diags.Hint("did you mean %q?", s)
	}
}

func describe(n *yaml.Node) string {
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

// str reads a string. Only YAML strings are accepted: an unquoted true or
// 2024-01-01 is not silently turned into text.
func (w *walker) str(n *yaml.Node, what string) (string, bool) {
	if n = w.resolve(n); n == nil {
		return "", false
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		w.errorf(n, "%s must be a string, not %s", what, describe(n))
		return "", false
	}
	return n.Value, true
}

func (w *walker) boolean(n *yaml.Node, what string) (bool, bool) {
	if n = w.resolve(n); n == nil {
		return false, false
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		w.errorf(n, "%s must be true or false, not %s", what, describe(n))
		return false, false
	}
	b, err := strconv.ParseBool(n.Value)
	if err != nil {
		w.errorf(n, "%s must be true or false, not %q", what, n.Value)
		return false, false
	}
	return b, true
}

// strings reads a list of strings. Duplicates are errors: every list in
// OAuth metadata is a set.
func (w *walker) strings(n *yaml.Node, what string) ([]string, []diag.Pos, bool) {
	if n = w.resolve(n); n == nil {
		return nil, nil, false
	}
	if n.Kind != yaml.SequenceNode {
		w.errorf(n, "%s must be a list of strings, not %s", what, describe(n))
		return nil, nil, false
	}
	ok := true
	out := []string{}
	var ps []diag.Pos
	seen := map[string]bool{}
	for _, item := range n.Content {
		s, good := w.str(item, what+" entries")
		if !good {
			ok = false
			continue
		}
		if s == "" {
			w.errorf(item, "%s entries must not be empty", what)
			ok = false
			continue
		}
		if seen[s] {
			w.errorf(item, "%s lists %q twice", what, s)
			ok = false
			continue
		}
		seen[s] = true
		out = append(out, s)
		ps = append(ps, w.pos(item))
	}
	return out, ps, ok
}

// date reads a day (2027-01-31, midnight UTC) or an RFC 3339 instant.
func (w *walker) date(n *yaml.Node, what string) (time.Time, bool) {
	if n = w.resolve(n); n == nil {
		return time.Time{}, false
	}
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!timestamp" || n.Tag == "!!str") {
		if t, err := ParseDate(n.Value); err == nil {
			return t, true
		}
	}
	w.errorf(n, "%s must be a date such as 2027-01-31 or 2027-01-31T12:00:00Z, not %s", what, quoteScalar(n))
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
	return describe(n)
}

var yamlErrLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError turns a yaml.v3 parse error into a positioned diagnostic.
func (w *walker) syntaxError(err error) {
	msg := err.Error()
	for _, line := range strings.Split(msg, "\n") {
		line = strings.TrimSpace(line)
		if m := yamlErrLine.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			w.diags.Errorf(w.file.At(n, 0), "invalid YAML: %s", m[2])
			continue
		}
		if line != "" && line != "yaml: unmarshal errors:" {
			w.diags.Errorf(w.file.At(1, 0), "invalid YAML: %s", strings.TrimPrefix(line, "yaml: "))
		}
	}
}

// suggest returns the known name closest to s, if it is close enough to be a typo.
func suggest(s string, known []string) string {
	best, bestD := "", 1<<30
	for _, k := range known {
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

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
