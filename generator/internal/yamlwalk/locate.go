package yamlwalk

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// yaml.v3 reports a syntax error with a line only, and not always the line
// of the fault: it prints the start of the enclosing construct when it has
// one, counts some errors from 0 and others from 1, and gives encoding
// errors no line at all. Its marks are not exported, so locate finds the
// fault in the source from the kind of error, taking yaml.v3's line as a
// starting point. What it cannot place it puts at the start of that line.

var (
	yamlErrLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	yamlAnchor  = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)
)

// syntaxProblem is one yaml.v3 error, placed.
type syntaxProblem struct {
	Line, Col int
	Msg       string
	Hint      string
}

// locate places every line of a yaml.v3 error in data.
func locate(err error, data []byte) []syntaxProblem {
	src := newSource(data)
	var out []syntaxProblem
	for _, line := range strings.Split(err.Error(), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line == "yaml: unmarshal errors:" {
			continue
		}
		out = append(out, src.place(line))
	}
	return out
}

type source struct {
	data  []byte
	lines [][]byte // without their line ends
	start []int    // byte offset of each line
}

func newSource(data []byte) *source {
	s := &source{data: data}
	off := 0
	for {
		s.start = append(s.start, off)
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			s.lines = append(s.lines, bytes.TrimSuffix(data[off:], []byte("\r")))
			return s
		}
		s.lines = append(s.lines, bytes.TrimSuffix(data[off:off+i], []byte("\r")))
		off += i + 1
	}
}

// line returns line n (1-based), or nil past the end.
func (s *source) line(n int) []byte {
	if n < 1 || n > len(s.lines) {
		return nil
	}
	return s.lines[n-1]
}

// col turns a byte index into line n into a 1-based column in characters,
// as yaml.v3 counts the columns of nodes.
func (s *source) col(n, i int) int {
	l := s.line(n)
	if i > len(l) {
		i = len(l)
	}
	return utf8.RuneCount(l[:i]) + 1
}

// pos returns the line and column of byte offset off.
func (s *source) pos(off int) (int, int) {
	n := 1
	for n < len(s.start) && s.start[n] <= off {
		n++
	}
	return n, s.col(n, off-s.start[n-1])
}

// firstText is the column of the first character of line n that is not
// blank, or 1.
func (s *source) firstText(n int) int {
	l := s.line(n)
	i := len(l) - len(bytes.TrimLeft(l, " \t"))
	if i == len(l) {
		return 1
	}
	return s.col(n, i)
}

func (s *source) clamp(n int) int {
	return max(1, min(n, len(s.lines)))
}

func (s *source) place(text string) syntaxProblem {
	if m := yamlAnchor.FindStringSubmatch(text); m != nil {
		return s.anchor(m[1])
	}
	m := yamlErrLine.FindStringSubmatch(text)
	if m == nil {
		return s.unplaced(strings.TrimPrefix(text, "yaml: "))
	}
	n, _ := strconv.Atoi(m[1])
	msg := m[2]
	p := syntaxProblem{Msg: msg}
	switch {
	case strings.HasPrefix(msg, "found a tab character"):
		// Reported one line early: at the line before, whose block the tab
		// would indent.
		for l := s.clamp(n); l <= len(s.lines); l++ {
			line := s.line(l)
			indent := line[:len(line)-len(bytes.TrimLeft(line, " \t"))]
			if i := bytes.IndexByte(indent, '\t'); i >= 0 {
				p.Line, p.Col = l, s.col(l, i)
				p.Msg = "found a tab character that violates indentation"
				p.Hint = "YAML indents with spaces only; replace the tab with spaces"
				return p
			}
		}
		p.Line = s.clamp(n + 1)
	case strings.HasPrefix(msg, "found character that cannot start any token"):
		p.Line = s.clamp(n)
		line := s.line(p.Line)
		indent := line[:len(line)-len(bytes.TrimLeft(line, " \t"))]
		if i := bytes.IndexByte(indent, '\t'); i >= 0 {
			p.Col = s.col(p.Line, i)
			p.Msg = "found a tab character where indentation is expected"
			p.Hint = "YAML indents with spaces only; replace the tab with spaces"
		} else if i := bytes.IndexAny(line, "@`"); i >= 0 {
			p.Col = s.col(p.Line, i)
			p.Msg = fmt.Sprintf("found character %q that cannot start any token", line[i])
			p.Hint = "quote the value: @ and ` are reserved in YAML"
		}
	case strings.HasPrefix(msg, "mapping values are not allowed"):
		p.Line = s.clamp(n)
		colons := mappingColons(s.line(p.Line))
		switch {
		case len(colons) >= 2:
			p.Col = s.col(p.Line, colons[1])
			p.Hint = "quote a value that holds \": \""
		case len(colons) == 1:
			p.Col = s.col(p.Line, colons[0])
			p.Hint = "check the indentation of this line: it is deeper than a key of the mapping above"
		}
	case strings.HasPrefix(msg, "found unexpected end of stream"):
		// A quoted scalar that never closes; yaml.v3 names its first line,
		// or the end of the file when it starts on the first.
		for l := s.clamp(n); l >= 1; l-- {
			if i := openQuote(s.line(l)); i >= 0 {
				p.Line, p.Col = l, s.col(l, i)
				p.Msg = "quoted string is not closed before the end of the file"
				p.Hint = "add the closing quote"
				return p
			}
		}
		p.Line = s.clamp(n)
	case strings.HasPrefix(msg, "did not find expected ',' or"):
		// Counted from 0, at the opening bracket of the flow collection.
		p.Line = s.clamp(n + 1)
		bracket := byte('[')
		if strings.HasSuffix(msg, "'}'") {
			bracket = '{'
		}
		if i := bytes.LastIndexByte(s.line(p.Line), bracket); i >= 0 {
			p.Col = s.col(p.Line, i)
			p.Msg = msg + " to close the " + map[byte]string{'[': "list", '{': "mapping"}[bracket] + " opened here"
		}
	case strings.HasPrefix(msg, "did not find expected '-' indicator"):
		// Counted from 0, at the start of the block sequence: the fault is
		// the first later line at the sequence's indentation that is not an
		// entry.
		p.Line = s.clamp(n + 1)
		start := s.firstText(p.Line)
		for l := p.Line + 1; l <= len(s.lines); l++ {
			t := bytes.TrimLeft(s.line(l), " ")
			if len(t) == 0 || t[0] == '#' {
				continue
			}
			if c := s.firstText(l); c <= start {
				if c == start && t[0] != '-' {
					p.Line = l
					p.Hint = "a list entry starts with \"- \"; indent a key of the entry above past its dash"
				}
				break
			}
		}
	case strings.HasPrefix(msg, "did not find expected"):
		// Parser errors count lines from 0.
		p.Line = s.clamp(n + 1)
		if msg == "did not find expected key" {
			p.Hint = "check the indentation of this line against the keys above it"
		}
	default:
		p.Line = s.clamp(n)
	}
	if p.Col == 0 {
		p.Col = s.firstText(p.Line)
	}
	return p
}

// unplaced handles the errors yaml.v3 gives no line: encoding errors, found
// here by reading the bytes as YAML's reader does.
func (s *source) unplaced(msg string) syntaxProblem {
	data := s.data
	off := 0
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		off = 3 // a UTF-8 byte order mark, which YAML allows
	}
	for off < len(data) {
		r, size := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError && size <= 1 {
			l, c := s.pos(off)
			return syntaxProblem{Line: l, Col: c,
				Msg:  fmt.Sprintf("byte 0x%02X is not UTF-8", data[off]),
				Hint: "YAML files are UTF-8; save the file as UTF-8 (0xE9, for one, is é in Latin-1)"}
		}
		if !printable(r) {
			l, c := s.pos(off)
			return syntaxProblem{Line: l, Col: c,
				Msg:  fmt.Sprintf("control character %U is not allowed in YAML", r),
				Hint: "remove it; write it as an escape (\"\\x00\") inside a double-quoted string if it is meant"}
		}
		off += size
	}
	return syntaxProblem{Line: 1, Col: 1, Msg: msg}
}

// printable is YAML 1.2's c-printable set (§5.1), which yaml.v3 enforces.
func printable(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r >= 0x20 && r <= 0x7e:
		return true
	case r == 0x85, r >= 0xa0 && r <= 0xd7ff, r >= 0xe000 && r <= 0xfffd && r != 0xfeff, r >= 0x10000 && r <= 0x10ffff:
		return true
	}
	return false
}

func (s *source) anchor(name string) syntaxProblem {
	p := syntaxProblem{Line: 1, Col: 1, Msg: fmt.Sprintf("alias *%s names no anchor", name),
		Hint: fmt.Sprintf("define the anchor (&%s) before the alias", name)}
	re := regexp.MustCompile(`\*` + regexp.QuoteMeta(name) + `(?:[\s,\]}]|$)`)
	for l := 1; l <= len(s.lines); l++ {
		if loc := re.FindIndex(s.line(l)); loc != nil {
			p.Line, p.Col = l, s.col(l, loc[0])
			break
		}
	}
	return p
}

// mappingColons returns the byte indexes of the colons of line that end a
// plain key (followed by a space or the end of the line), outside quotes
// and comments.
func mappingColons(line []byte) []int {
	var out []int
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			if i == 0 || line[i-1] == ' ' || line[i-1] == ':' {
				quote = c
			}
		case c == '#' && (i == 0 || line[i-1] == ' '):
			return out
		case c == ':' && (i+1 == len(line) || line[i+1] == ' ' || line[i+1] == '\t'):
			out = append(out, i)
		}
	}
	return out
}

// openQuote returns the index of a quote that opens a scalar on line and is
// not closed on it, or -1.
func openQuote(line []byte) int {
	open := -1
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				if quote == '\'' && i+1 < len(line) && line[i+1] == '\'' {
					i++ // '' is an escaped quote
					continue
				}
				quote, open = 0, -1
			}
		case c == '"' || c == '\'':
			if i == 0 || bytes.IndexByte([]byte(" :-[{,"), line[i-1]) >= 0 {
				quote, open = c, i
			}
		case c == '#' && (i == 0 || line[i-1] == ' '):
			return open
		}
	}
	return open
}
