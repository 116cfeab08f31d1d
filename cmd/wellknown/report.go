package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/hosting"
	"github.com/wellknown-dev/wellknown/generator/immutable"
	"github.com/wellknown-dev/wellknown/generator/keys"
	"github.com/wellknown-dev/wellknown/generator/sign"
)

// outputHelp documents the flags outputFlags declares.
const outputHelp = `      --json          print one JSON report on stdout (see "Machine-readable
                      output" in the README) and nothing else
      --strict        fail (exit 1, nothing written) on warnings too
  -q, --quiet         print errors only
`

func outputFlags(fs *pflag.FlagSet) {
	fs.Bool("json", false, "")
	fs.Bool("strict", false, "")
	fs.BoolP("quiet", "q", false, "")
}

// output is how a command that runs the build reports: for people, or as
// one JSON document for scripts.
type output struct {
	e                   *env
	command             string
	json, strict, quiet bool
	problems            []diag.Problem
	errors, warnings    int
	// envelope, when set, wraps the report of a command that says more
	// than Report does (keys list: its sets and keys).
	envelope func(Report) any
}

func newOutput(e *env, fs *pflag.FlagSet, command string) *output {
	o := &output{e: e, command: command}
	o.json, _ = fs.GetBool("json")
	o.strict, _ = fs.GetBool("strict")
	o.quiet, _ = fs.GetBool("quiet")
	return o
}

// Report is the --json output of check and build. Problems use the one
// schema of diag.Problem, errors first, each group sorted by file and
// position.
type Report struct {
	Command  string         `json:"command"`
	OK       bool           `json:"ok"`
	Errors   int            `json:"errors"`
	Warnings int            `json:"warnings"` // warnings only; notes are in problems but not counted
	Problems []diag.Problem `json:"problems"`
	Build    *BuildSummary  `json:"build,omitempty"`    // what a successful build (or check) would publish
	Verdict  string         `json:"verdict,omitempty"`  // verify: valid, invalid, untrusted or unsigned
	Manifest *ManifestInfo  `json:"manifest,omitempty"` // verify: the signed manifest's version and expiry
}

// ManifestInfo is the freshness of a verified tree's manifest.
type ManifestInfo struct {
	Version int64  `json:"version"`
	Expires string `json:"expires"` // RFC 3339, UTC
}

// BuildSummary is what the build published.
type BuildSummary struct {
	Out     string        `json:"out,omitempty"` // the output directory; absent for check
	Issuers []string      `json:"issuers"`
	Files   []SummaryFile `json:"files"` // every file, copies and control files included, by path
	Keys    []SummaryKey  `json:"keys"`  // the JWK Sets' keys, in published order
	Clients int           `json:"clients"`
	Signed  bool          `json:"signed"`
}

type SummaryFile struct {
	Path  string `json:"path"`
	Bytes int    `json:"bytes"`
	Kind  string `json:"kind"` // document, copy, control or signature
}

type SummaryKey struct {
	File  string `json:"file"`
	Kid   string `json:"kid"`
	Alg   string `json:"alg"`
	Type  string `json:"type"`
	State string `json:"state"`
}

// check reports what the build found and returns errSilent when the run
// fails: on input errors, or on warnings under --strict. failed is the
// line a failure ends with for people ("build failed"); unchanged what it
// left as it was (", out was not changed").
func (o *output) check(res *generator.Result, err error, failed, unchanged string) error {
	var de *diag.Errors
	if err != nil && !errors.As(err, &de) {
		return err
	}
	var errs []diag.Diagnostic
	if de != nil {
		errs = de.List
	}
	var warns []diag.Diagnostic
	if res != nil {
		warns = res.Warnings
	}
	return o.report(errs, warns, failed, unchanged)
}

// report is check for any command: it counts and prints the problems, and
// returns errSilent when they fail the run. With --json nothing is
// printed on success (the caller emits the report); failed == "" leaves
// out the closing line.
func (o *output) report(errs, warns []diag.Diagnostic, failed, unchanged string) error {
	o.errors = len(errs)
	for _, w := range warns {
		if w.Severity == diag.Warning {
			o.warnings++
		}
	}
	o.problems = diag.Problems(errs, warns)
	fail := o.errors > 0 || (o.strict && o.warnings > 0)
	if o.json {
		if fail {
			o.emit(nil)
			return errSilent
		}
		return nil
	}
	if !o.quiet || (fail && o.strict) {
		printDiagnostics(o.e.stderr, warns)
	}
	if len(errs) > 0 {
		fmt.Fprintln(o.e.stderr, &diag.Errors{List: errs})
	}
	if !fail {
		return nil
	}
	if failed != "" {
		why := count(o.errors, "error")
		if o.errors == 0 {
			why = count(o.warnings, "warning") + " and --strict"
		}
		fmt.Fprintf(o.e.stderr, "%s: %s%s\n", failed, why, unchanged)
	}
	return errSilent
}

// emit prints the JSON report of a run whose problems check has seen.
func (o *output) emit(build *BuildSummary) {
	r := o.result(build != nil)
	r.Build = build
	if o.envelope != nil {
		o.print(o.envelope(r))
		return
	}
	o.print(r)
}

// result is the report of a run whose problems check has seen.
func (o *output) result(ok bool) Report {
	return Report{Command: o.command, OK: ok, Errors: o.errors, Warnings: o.warnings, Problems: o.problems}
}

// print prints a JSON report.
func (o *output) print(r any) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		panic(err) // plain structs of strings and numbers always marshal
	}
	fmt.Fprintf(o.e.stdout, "%s\n", b)
}

func buildSummary(res *generator.Result, out string, signed bool) *BuildSummary {
	s := &BuildSummary{Out: out, Issuers: []string{}, Files: []SummaryFile{}, Keys: []SummaryKey{}, Signed: signed}
	for _, iss := range res.Site.Issuers {
		s.Issuers = append(s.Issuers, iss.Issuer)
	}
	for _, a := range res.Artifacts {
		kind := "document"
		switch {
		case immutable.IsCopy(a.Path):
			kind = "copy"
		case strings.HasPrefix(a.Path, sign.Dir+"/"):
			kind = "signature"
		case hosting.IsControl(a.Path):
			kind = "control"
		}
		s.Files = append(s.Files, SummaryFile{Path: "/" + a.Path, Bytes: a.Len(), Kind: kind})
	}
	for _, k := range res.Keys {
		s.Keys = append(s.Keys, SummaryKey{File: k.File(), Kid: k.JWK.KeyID, Alg: k.JWK.Algorithm, Type: keys.Desc(k.JWK.Key), State: string(k.State)})
	}
	if res.Clients != nil {
		s.Clients = len(res.Clients.Clients)
	}
	return s
}

// verifyReport is the --json output of verify: every problem as an error
// naming its file, and the verdict.
func verifyReport(e *env, where func(string) string, dir string, rep *sign.Report) {
	r := Report{Command: "verify", OK: rep.Status() == sign.Valid, Verdict: rep.Status().String(), Problems: []diag.Problem{}}
	for _, p := range rep.Problems {
		file := dir
		if p.Path != "" {
			file = where(p.Path)
		}
		r.Problems = append(r.Problems, diag.Diagnostic{Severity: diag.Error, Pos: diag.Pos{Path: file}, Msg: p.Msg}.Problem())
	}
	r.Errors = len(r.Problems)
	if f := rep.Freshness; f.Version != 0 {
		r.Manifest = &ManifestInfo{Version: f.Version, Expires: f.Expires.UTC().Format(time.RFC3339)}
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		panic(err)
	}
	fmt.Fprintf(e.stdout, "%s\n", b)
}
