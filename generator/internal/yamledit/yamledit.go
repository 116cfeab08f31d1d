// Package yamledit changes one scalar of a YAML file the way a person would:
// it finds the place with yaml.v3's node tree and splices the text there, so
// every other byte of the file, comments and layout included, stays as it
// was. Re-encoding the tree would reflow the file and lose comments that
// yaml.v3 cannot attach to a node.
package yamledit

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/wellknown-dev/wellknown/generator/internal/yamlwalk"
)

// indentStep is the indentation of mappings the editor creates.
const indentStep = 2

// String returns s, valid UTF-8, as a YAML scalar that reads back as s: plain
// when YAML would not take it for something else, double-quoted otherwise.
func String(s string) string {
	if s != "" && !strings.ContainsAny(s, "\n\r\t") && s == strings.TrimSpace(s) {
		var n yaml.Node
		if yaml.Unmarshal([]byte("k: "+s), &n) == nil && len(n.Content) == 1 {
			m := n.Content[0]
			if len(m.Content) == 2 && m.Content[1].Tag == "!!str" &&
				m.Content[1].Style == 0 && m.Content[1].Value == s {
				return s
			}
		}
	}
	// Go's escapes (\n, \t, \x7f, \u2028, ...) are all YAML double-quoted
	// escapes too, and for valid UTF-8 they mean the same characters.
	return strconv.Quote(s)
}

// Time returns t as a plain YAML timestamp in UTC: a date when t is
// midnight, else RFC 3339 to the second.
func Time(t time.Time) string {
	t = t.UTC()
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339)
}

// Set returns src with the value at path (mapping keys from the root) set
// to scalar, YAML text made by String or Time. Where the path meets a
// list, its next element is the item's index in decimal (see Index): a
// list has no keys, so the two readings never meet. Mappings missing on the way
// are created below the last one that exists, in the style of their parent.
// Everything outside the replaced value or the inserted lines is kept byte
// for byte. Set refuses what it cannot change in place: a value that is an
// alias, a block or multi-line scalar, or inside an anchored node (the
// change would reach every alias of it).
func Set(src []byte, path []string, scalar string) (out []byte, err error) {
	if len(path) == 0 {
		return nil, errors.New("empty path")
	}
	if err := checkScalar(scalar); err != nil {
		return nil, err
	}
	defer func() {
		// yaml.v3 has panicked on hostile input; an edit must not crash.
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("cannot parse the file: %v", r)
		}
	}()
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("cannot parse the file: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, errors.New("the file is empty")
	}
	// The node tree takes a key given twice; decoding refuses it, and an
	// edit of a file that does not decode would not decode either.
	var v any
	if err := doc.Decode(&v); err != nil {
		return nil, fmt.Errorf("cannot parse the file: %w", err)
	}
	e := &editor{src: src, lines: lineStarts(src), nl: "\n"}
	if bytes.Contains(src, []byte("\r\n")) {
		e.nl = "\r\n"
	}
	out, err = e.set(doc.Content[0], path, scalar)
	if err != nil {
		return nil, err
	}
	// The splice is checked by reading it back: an input the editor
	// misread gives an error, never a file with a wrong value in it.
	if err := check(out, path, scalar); err != nil {
		return nil, err
	}
	return out, nil
}

// Index is the path element that selects item i of a list.
func Index(i int) string { return strconv.Itoa(i) }

// index returns the item of list n that key, a decimal index, selects.
func index(n *yaml.Node, key string) (*yaml.Node, error) {
	i, err := strconv.Atoi(key)
	if err != nil || i < 0 || Index(i) != key {
		return nil, fmt.Errorf("is a list: %q is not an index", key)
	}
	if i >= len(n.Content) {
		return nil, fmt.Errorf("is a list of %d, with no item %d", len(n.Content), i)
	}
	return n.Content[i], nil
}

// check reports whether out parses and holds scalar at path.
func check(out []byte, path []string, scalar string) error {
	var doc, want yaml.Node
	if yaml.Unmarshal(out, &doc) != nil || yaml.Unmarshal([]byte(scalar), &want) != nil || len(doc.Content) != 1 {
		return errors.New("cannot edit this file in place: the result would not parse")
	}
	n := doc.Content[0]
	for _, key := range path {
		if n.Kind == yaml.SequenceNode {
			item, err := index(n, key)
			if err != nil {
				return errors.New("cannot edit this file in place: the value is not where it was written")
			}
			n = item
			continue
		}
		var next *yaml.Node
		for j := 0; n.Kind == yaml.MappingNode && j+1 < len(n.Content); j += 2 {
			if k := n.Content[j]; k.Kind == yaml.ScalarNode && k.Value == key {
				next = n.Content[j+1]
			}
		}
		if next == nil {
			return errors.New("cannot edit this file in place: the value is not where it was written")
		}
		n = next
	}
	if n.Kind != yaml.ScalarNode || n.Value != want.Content[0].Value {
		return errors.New("cannot edit this file in place: the value read back differs")
	}
	return nil
}

// checkScalar accepts one line of YAML that is a single scalar.
func checkScalar(s string) error {
	var n yaml.Node
	if strings.ContainsAny(s, "\n\r") || yaml.Unmarshal([]byte(s), &n) != nil ||
		len(n.Content) != 1 || n.Content[0].Kind != yaml.ScalarNode || n.Content[0].Anchor != "" {
		return fmt.Errorf("%q is not a YAML scalar", s)
	}
	return nil
}

type editor struct {
	src   []byte
	lines []int  // byte offset of the start of each line
	nl    string // the file's line ending
}

func (e *editor) set(n *yaml.Node, path []string, scalar string) ([]byte, error) {
	for i, key := range path {
		if n.Anchor != "" {
			return nil, e.errorf(n, "the value is anchored (&%s); editing it would change its aliases too", n.Anchor)
		}
		if n.Kind == yaml.AliasNode {
			return nil, e.errorf(n, "the value is an alias; write it out to edit it")
		}
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" && i > 0 {
			return e.fillNull(n, path[i-1], path[i:], scalar)
		}
		if n.Kind == yaml.SequenceNode {
			item, err := index(n, key)
			if err != nil {
				return nil, e.errorf(n, "%s %v", strings.Join(path[:i], "."), err)
			}
			n = item
			continue
		}
		if n.Kind != yaml.MappingNode {
			return nil, e.errorf(n, "%s must be a mapping to hold %s", strings.Join(path[:i], "."), key)
		}
		var next *yaml.Node
		for j := 0; j+1 < len(n.Content); j += 2 {
			if k := n.Content[j]; k.Kind == yaml.ScalarNode && k.Value == key {
				next = n.Content[j+1]
			}
		}
		if next == nil {
			return e.insert(n, path[i:], scalar)
		}
		n = next
	}
	return e.replace(n, scalar)
}

// replace swaps the text of one single-line scalar.
func (e *editor) replace(n *yaml.Node, scalar string) ([]byte, error) {
	if n.Kind == yaml.AliasNode {
		return nil, e.errorf(n, "the value is an alias; write it out to edit it")
	}
	if n.Kind != yaml.ScalarNode {
		return nil, e.errorf(n, "the value is %s, not a single value", yamlwalk.Describe(n))
	}
	if n.Anchor != "" {
		return nil, e.errorf(n, "the value is anchored (&%s); editing it would change its aliases too", n.Anchor)
	}
	start, end, err := e.scalarSpan(n)
	if err != nil {
		return nil, err
	}
	if start == end { // an empty null: "key:" with nothing after it
		scalar = " " + scalar
	}
	return splice(e.src, start, end, scalar), nil
}

// fillNull gives an empty or null mapping value ("keys:" or "keys: ~") its
// first entry.
func (e *editor) fillNull(n *yaml.Node, parentKey string, rest []string, scalar string) ([]byte, error) {
	start, end, err := e.scalarSpan(n)
	if err != nil {
		return nil, err
	}
	if n.Style&yaml.FlowStyle != 0 || e.inFlow(start) {
		return splice(e.src, start, end, flowEntry(rest, scalar)), nil
	}
	// Block: drop the null token and the blanks before it, and put the
	// entries on the lines after the key.
	for start > 0 && (e.src[start-1] == ' ' || e.src[start-1] == '\t') {
		start--
	}
	line := e.lineOf(start)
	at := e.lineEnd(line)
	indent := e.indentOf(line) + indentStep
	text := e.blockEntry(rest, scalar, indent)
	out := splice(e.src, at, at, e.lineBreakBefore(at)+text)
	// The insertion is after the removed span, so the span's offsets hold.
	return splice(out, start, end, ""), nil
}

// insert adds path with its value to mapping m, after its last entry.
func (e *editor) insert(m *yaml.Node, path []string, scalar string) ([]byte, error) {
	if m.Style&yaml.FlowStyle != 0 {
		open, err := e.offset(m.Line, m.Column)
		if err != nil {
			return nil, err
		}
		closeAt, err := e.flowEnd(open)
		if err != nil {
			return nil, e.errorf(m, "%v", err)
		}
		closeAt-- // the closing brace
		text := flowEntry(path, scalar)
		if len(m.Content) > 0 {
			last, err := e.end(m.Content[len(m.Content)-1])
			if err != nil {
				return nil, err
			}
			return splice(e.src, last, last, ", "+text), nil
		}
		return splice(e.src, closeAt, closeAt, text), nil
	}
	if len(m.Content) == 0 {
		return nil, e.errorf(m, "cannot add to an empty block mapping")
	}
	end, err := e.end(m.Content[len(m.Content)-1])
	if err != nil {
		return nil, err
	}
	indent := m.Content[0].Column - 1
	line := e.lineOf(end - 1)
	// Comment lines right after it, indented as deep as the entries or more,
	// belong to the last entry or end the mapping: keep them before the new one.
	for line+1 < len(e.lines) && e.isDeeperComment(line+1, indent) {
		line++
	}
	at := e.lineEnd(line)
	return splice(e.src, at, at, e.lineBreakBefore(at)+e.blockEntry(path, scalar, indent)), nil
}

// blockEntry writes path: scalar as nested block mappings, each line
// ending with the file's line ending.
func (e *editor) blockEntry(path []string, scalar string, indent int) string {
	var b strings.Builder
	for i, k := range path {
		b.WriteString(strings.Repeat(" ", indent+i*indentStep))
		b.WriteString(String(k))
		b.WriteString(":")
		if i == len(path)-1 {
			b.WriteString(" " + scalar)
		}
		b.WriteString(e.nl)
	}
	return b.String()
}

// flowEntry writes path: scalar as nested flow mappings.
func flowEntry(path []string, scalar string) string {
	s := String(path[len(path)-1]) + ": " + scalar
	for i := len(path) - 2; i >= 0; i-- {
		s = String(path[i]) + ": {" + s + "}"
	}
	return s
}

// lineBreakBefore returns the line ending to insert at offset at when the
// file's last line has none.
func (e *editor) lineBreakBefore(at int) string {
	if at > 0 && at == len(e.src) && e.src[at-1] != '\n' {
		return e.nl
	}
	return ""
}

// end returns the offset just past the text of n.
func (e *editor) end(n *yaml.Node) (int, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		_, end, err := e.scalarSpan(n)
		return end, err
	case yaml.AliasNode:
		start, err := e.offset(n.Line, n.Column)
		if err != nil {
			return 0, err
		}
		return e.plainEnd(start, false), nil
	case yaml.MappingNode, yaml.SequenceNode:
		if n.Style&yaml.FlowStyle != 0 {
			start, err := e.offset(n.Line, n.Column)
			if err != nil {
				return 0, err
			}
			end, err := e.flowEnd(start)
			if err != nil {
				return 0, e.errorf(n, "%v", err)
			}
			return end, nil
		}
		if len(n.Content) == 0 {
			return 0, e.errorf(n, "cannot find the end of an empty block collection")
		}
		return e.end(n.Content[len(n.Content)-1])
	}
	return 0, e.errorf(n, "unexpected node")
}

// scalarSpan returns where the text of a single-line scalar starts and
// ends. It checks the text it found by reading it back, so a position it
// got wrong is an error, never a bad edit.
func (e *editor) scalarSpan(n *yaml.Node) (int, int, error) {
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return 0, 0, e.errorf(n, "block scalars (| or >) cannot be edited in place; write the value on one line")
	}
	start, err := e.offset(n.Line, n.Column)
	if err != nil {
		return 0, 0, err
	}
	var end int
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		end, err = quotedEnd(e.src, start, '"')
	case n.Style&yaml.SingleQuotedStyle != 0:
		end, err = quotedEnd(e.src, start, '\'')
	case n.Tag == "!!null" && n.Value == "":
		// An empty value: yaml.v3 places it after the key, where nothing is.
		return start, start, e.checkEmpty(n, start)
	default:
		end = e.plainEnd(start, e.inFlow(start))
	}
	if err != nil {
		return 0, 0, e.errorf(n, "%v", err)
	}
	text := e.src[start:end]
	var back yaml.Node
	if bytes.ContainsAny(text, "\n\r") || yaml.Unmarshal(text, &back) != nil || len(back.Content) != 1 ||
		back.Content[0].Kind != yaml.ScalarNode || back.Content[0].Value != n.Value {
		return 0, 0, e.errorf(n, "the value spans lines or could not be found; write it on one line")
	}
	return start, end, nil
}

// checkEmpty makes sure an empty value really has nothing at its place.
func (e *editor) checkEmpty(n *yaml.Node, at int) error {
	rest := e.src[at:e.lineEnd(e.lineOf(at))]
	rest = bytes.TrimLeft(rest, " \t")
	if len(rest) > 0 && rest[0] != '#' && rest[0] != '\n' && rest[0] != '\r' {
		return e.errorf(n, "cannot find the empty value")
	}
	return nil
}

// plainEnd returns the end of a plain scalar on its line: before a comment,
// before ": " when it is a key, and in flow context before , ] or }.
func (e *editor) plainEnd(start int, flow bool) int {
	i := start
	for i < len(e.src) {
		c := e.src[i]
		if c == '\n' || c == '\r' {
			break
		}
		if c == '#' && i > start && (e.src[i-1] == ' ' || e.src[i-1] == '\t') {
			break
		}
		if c == ':' && (i+1 == len(e.src) || strings.IndexByte(" \t\r\n", e.src[i+1]) >= 0 || (flow && strings.IndexByte(",]}", e.src[i+1]) >= 0)) {
			break
		}
		if flow && (c == ',' || c == ']' || c == '}') {
			break
		}
		i++
	}
	for i > start && (e.src[i-1] == ' ' || e.src[i-1] == '\t') {
		i--
	}
	return i
}

// quotedEnd returns the offset past the closing quote of the quoted scalar
// at start.
func quotedEnd(src []byte, start int, q byte) (int, error) {
	if start >= len(src) || src[start] != q {
		return 0, errors.New("cannot find the quoted value")
	}
	for i := start + 1; i < len(src); i++ {
		switch {
		case q == '"' && src[i] == '\\':
			i++
		case src[i] == q && q == '\'' && i+1 < len(src) && src[i+1] == '\'':
			i++
		case src[i] == q:
			return i + 1, nil
		}
	}
	return 0, errors.New("unterminated quoted value")
}

// flowEnd returns the offset past the bracket that closes the flow
// collection opening at start.
func (e *editor) flowEnd(start int) (int, error) {
	if start >= len(e.src) || (e.src[start] != '{' && e.src[start] != '[') {
		return 0, errors.New("cannot find the flow collection")
	}
	depth := 0
	for i := start; i < len(e.src); i++ {
		switch c := e.src[i]; c {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1, nil
			}
		case '"', '\'':
			// A quote opens a quoted scalar only where a scalar may start.
			if p := prevNonBlank(e.src, i); p < 0 || strings.IndexByte("{[,:", e.src[p]) >= 0 {
				end, err := quotedEnd(e.src, i, c)
				if err != nil {
					return 0, err
				}
				i = end - 1
			}
		case '#':
			if i > 0 && (e.src[i-1] == ' ' || e.src[i-1] == '\t' || e.src[i-1] == '\n') {
				for i < len(e.src) && e.src[i] != '\n' {
					i++
				}
			}
		}
	}
	return 0, errors.New("unterminated flow collection")
}

func prevNonBlank(src []byte, i int) int {
	for i--; i >= 0; i-- {
		if c := src[i]; c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return i
		}
	}
	return -1
}

// inFlow reports whether offset at is inside a flow collection, by the
// brackets open before it on the way from the start of the file.
func (e *editor) inFlow(at int) bool {
	depth := 0
	for i := 0; i < at; i++ {
		switch c := e.src[i]; c {
		case '{', '[':
			if p := prevNonBlank(e.src, i); depth > 0 || p < 0 || strings.IndexByte(":-,[{", e.src[p]) >= 0 || e.src[p] == '?' {
				depth++
			}
		case '}', ']':
			if depth > 0 {
				depth--
			}
		case '"', '\'':
			if p := prevNonBlank(e.src, i); p < 0 || strings.IndexByte("{[,:-?", e.src[p]) >= 0 {
				if end, err := quotedEnd(e.src, i, c); err == nil {
					i = end - 1
				}
			}
		case '#':
			if i == 0 || e.src[i-1] == ' ' || e.src[i-1] == '\t' || e.src[i-1] == '\n' {
				for i < at && e.src[i] != '\n' {
					i++
				}
			}
		}
	}
	return depth > 0
}

// isDeeperComment reports whether line (0-based) holds only a comment
// indented by indent columns or more.
func (e *editor) isDeeperComment(line, indent int) bool {
	text := e.src[e.lines[line]:e.lineEnd(line)]
	trimmed := bytes.TrimLeft(text, " ")
	return len(trimmed) > 0 && trimmed[0] == '#' && len(text)-len(trimmed) >= indent
}

// offset converts yaml.v3's 1-based line and column (counted in
// characters) into a byte offset.
func (e *editor) offset(line, col int) (int, error) {
	if line < 1 || line > len(e.lines) || col < 1 {
		return 0, fmt.Errorf("position %d:%d is outside the file", line, col)
	}
	i := e.lines[line-1]
	for c := 1; c < col; c++ {
		if i >= len(e.src) || e.src[i] == '\n' {
			return 0, fmt.Errorf("position %d:%d is outside the file", line, col)
		}
		_, size := utf8.DecodeRune(e.src[i:])
		i += size
	}
	return i, nil
}

// lineOf returns the 0-based line holding offset at.
func (e *editor) lineOf(at int) int {
	lo, hi := 0, len(e.lines)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if e.lines[mid] <= at {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// lineEnd returns the offset past the line ending of line (0-based).
func (e *editor) lineEnd(line int) int {
	if line+1 < len(e.lines) {
		return e.lines[line+1]
	}
	return len(e.src)
}

func (e *editor) indentOf(line int) int {
	text := e.src[e.lines[line]:e.lineEnd(line)]
	return len(text) - len(bytes.TrimLeft(text, " "))
}

func (e *editor) errorf(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%d:%d: %s", n.Line, n.Column, fmt.Sprintf(format, args...))
}

func lineStarts(src []byte) []int {
	starts := []int{0}
	for i, c := range src {
		if c == '\n' && i+1 < len(src) {
			starts = append(starts, i+1)
		}
	}
	return starts
}

func splice(src []byte, start, end int, text string) []byte {
	out := make([]byte, 0, len(src)-(end-start)+len(text))
	out = append(out, src[:start]...)
	out = append(out, text...)
	return append(out, src[end:]...)
}
