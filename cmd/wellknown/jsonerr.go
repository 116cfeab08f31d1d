package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/wellknown-dev/wellknown/generator/diag"
)

// wantsJSON reports whether the command line asks a command that has
// --json for it. It reads args itself when the flags did not parse: a
// usage error stops the parser before it may have reached --json, and the
// script that asked for JSON still wants to parse the failure.
func wantsJSON(fs *pflag.FlagSet, args []string, parsed bool) bool {
	f := fs.Lookup("json")
	if f == nil {
		return false
	}
	if parsed {
		v, _ := fs.GetBool("json")
		return v
	}
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "--json" {
			return true
		}
		if v, ok := strings.CutPrefix(a, "--json="); ok {
			b, err := strconv.ParseBool(v)
			return err == nil && b
		}
	}
	return false
}

// errorReport prints, for a run of --json that failed before its command
// could report (wrong usage, exit 2, or an error without a position, exit
// 1), the report every --json command prints, with that one error as its
// problem: ok false, errors 1. It is the one place that decides this, so
// that every command with --json fails alike, and prints nothing else.
func errorReport(w io.Writer, command string, err error) {
	msg, hint := err.Error(), ""
	var ue usageError
	if errors.As(err, &ue) {
		msg, hint = ue.msg, fmt.Sprintf("run 'wellknown %s --help' for usage", command)
	}
	// A message may carry its hint on a line of its own, as people read it.
	for _, sep := range []string{"\n\thint: ", "\nhint: "} {
		if m, h, ok := strings.Cut(msg, sep); ok {
			msg, hint = m, h
			break
		}
	}
	d := diag.Diagnostic{Severity: diag.Error, Msg: msg, Hint: hint}
	r := Report{Command: command, Errors: 1, Problems: []diag.Problem{d.Problem()}}
	var v any = r
	if command == "probe" {
		v = probeJSON{Report: r, Files: []ProbedFile{}} // its lists are there, empty, as when nothing was probed
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err) // plain structs of strings and numbers always marshal
	}
	fmt.Fprintf(w, "%s\n", b)
}
