// Package diag carries the problems a build finds in its input: each names the
// file and, where YAML is involved, the line and column, so that a user can go
// straight to the fault. A build collects every problem of a run before it
// fails, rather than stopping at the first.
package diag

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
)

// Severity tells whether a diagnostic stops the build.
type Severity int

const (
	Error Severity = iota
	Warning
	Note // something the user should know that is not a fault, e.g. a key dropped after its date
)

// Pos is a place in an input file.
type Pos struct {
	Path string // as the user named it, e.g. "site.yaml" or "keys/rsa.pem"
	Line int    // 1-based; 0 when there is no position
	Col  int    // 1-based; 0 when there is no position
}

// At returns the position of line and column in the file p names.
func (p Pos) At(line, col int) Pos { return Pos{p.Path, line, col} }

// String returns "path:line:col", "path:line" or "path", whichever is known.
func (p Pos) String() string {
	switch {
	case p.Line > 0 && p.Col > 0:
		return fmt.Sprintf("%s:%d:%d", p.Path, p.Line, p.Col)
	case p.Line > 0:
		return fmt.Sprintf("%s:%d", p.Path, p.Line)
	default:
		return p.Path
	}
}

// Diagnostic is one problem in the input.
type Diagnostic struct {
	Severity Severity
	Pos
	Msg  string // lowercase, no trailing period; states the rule where one applies
	Hint string // an obvious fix, printed on its own line; may be empty
}

func (d Diagnostic) Error() string {
	s := d.Msg
	switch d.Severity {
	case Warning:
		s = "warning: " + s
	case Note:
		s = "note: " + s
	}
	if d.Path == "" {
		return s
	}
	return d.Pos.String() + ": " + s
}

// String is Error followed by the hint on its own line, the form printed to users.
func (d Diagnostic) String() string {
	if d.Hint == "" {
		return d.Error()
	}
	return d.Error() + "\n\thint: " + d.Hint
}

// List collects diagnostics. Its zero value is ready to use.
type List struct {
	items []Diagnostic
}

// Add appends d.
func (l *List) Add(d Diagnostic) { l.items = append(l.items, d) }

// Errorf adds an error at p.
func (l *List) Errorf(p Pos, format string, args ...any) {
	l.Add(Diagnostic{Severity: Error, Pos: p, Msg: fmt.Sprintf(format, args...)})
}

// Warnf adds a warning at p.
func (l *List) Warnf(p Pos, format string, args ...any) {
	l.Add(Diagnostic{Severity: Warning, Pos: p, Msg: fmt.Sprintf(format, args...)})
}

// Notef adds a note at p.
func (l *List) Notef(p Pos, format string, args ...any) {
	l.Add(Diagnostic{Severity: Note, Pos: p, Msg: fmt.Sprintf(format, args...)})
}

// Hint attaches a hint to the most recently added diagnostic.
func (l *List) Hint(format string, args ...any) {
	if len(l.items) > 0 {
		l.items[len(l.items)-1].Hint = fmt.Sprintf(format, args...)
	}
}

// Merge appends every diagnostic of o.
func (l *List) Merge(o *List) {
	if o != nil {
		l.items = append(l.items, o.items...)
	}
}

// HasErrors reports whether any diagnostic is an error.
func (l *List) HasErrors() bool {
	for _, d := range l.items {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Errors returns the errors, sorted by position.
func (l *List) Errors() []Diagnostic { return l.filter(Error) }

// Warnings returns the warnings and notes, sorted by position.
func (l *List) Warnings() []Diagnostic {
	out := append(l.filter(Warning), l.filter(Note)...)
	Sort(out)
	return out
}

func (l *List) filter(s Severity) []Diagnostic {
	var out []Diagnostic
	for _, d := range l.items {
		if d.Severity == s {
			out = append(out, d)
		}
	}
	Sort(out)
	return out
}

// Sort orders diagnostics by file, line and column, keeping the order in which
// problems at the same place were found.
func Sort(ds []Diagnostic) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

// Err returns nil when l holds no errors, and otherwise an error listing
// every one of them. The warnings stay in l.
func (l *List) Err() error {
	errs := l.Errors()
	if len(errs) == 0 {
		return nil
	}
	return &Errors{List: errs}
}

// Errors is the error a failed phase returns: every problem of the run.
type Errors struct {
	List []Diagnostic
}

func (e *Errors) Error() string {
	var b strings.Builder
	for i, d := range e.List {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.String())
	}
	return b.String()
}

// Cause drops the path from an *os.PathError: a diagnostic names the file
// already, and saying it twice buries the reason.
func Cause(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
