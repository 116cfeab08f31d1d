package diag

import (
	"regexp"
	"strings"
)

// Problem is a Diagnostic in the one JSON form every command's --json
// output uses for problems, documented in the README ("Machine-readable
// output"). Fields are never renamed; new ones may be added.
type Problem struct {
	File     string `json:"file"`             // as the user named it; "" when the problem has no file
	Line     int    `json:"line,omitempty"`   // 1-based; absent when unknown
	Column   int    `json:"column,omitempty"` // 1-based, in characters; absent when unknown
	Severity string `json:"severity"`         // "error", "warning" or "note"
	Message  string `json:"message"`          // as printed, without the rule
	Hint     string `json:"hint,omitempty"`   // an obvious fix
	Rule     string `json:"rule,omitempty"`   // the specification the problem breaks, e.g. "RFC 8414 §2"
}

// rulePattern finds the specification a message ends with: "(RFC 8414
// §2)", "(OpenID Connect Discovery §3)", "(BCP 47, RFC 7591 §2.2)".
var rulePattern = regexp.MustCompile(`\s*\(([^()]*(?:RFC \d+|§|BCP \d+|OpenID|OAuth)[^()]*)\)$`)

// Problem returns d in its JSON form.
func (d Diagnostic) Problem() Problem {
	p := Problem{File: d.Path, Line: d.Line, Column: d.Col, Message: d.Msg, Hint: d.Hint,
		Severity: map[Severity]string{Error: "error", Warning: "warning", Note: "note"}[d.Severity]}
	if m := rulePattern.FindStringSubmatchIndex(d.Msg); m != nil {
		p.Rule = d.Msg[m[2]:m[3]]
		p.Message = strings.TrimSpace(d.Msg[:m[0]])
	}
	return p
}

// Problems returns ds in their JSON form, never nil, so that "no problems"
// is an empty list rather than null.
func Problems(ds ...[]Diagnostic) []Problem {
	out := []Problem{}
	for _, list := range ds {
		for _, d := range list {
			out = append(out, d.Problem())
		}
	}
	return out
}
