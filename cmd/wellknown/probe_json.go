package main

import (
	"strings"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/probe"
)

// ProbedFile is one file of probe --json: where it was fetched and what
// is wrong with it there.
type ProbedFile struct {
	Path     string   `json:"path"` // below the site root, with its leading slash
	URL      string   `json:"url"`
	Status   string   `json:"status"`   // ok or failed
	Problems []string `json:"problems"` // the messages of this file's errors
}

type probeJSON struct {
	Report
	Files []ProbedFile `json:"files"`
}

// probeReport is the --json output of probe: every problem as an error
// (a refused CORS preflight as a warning) naming the URL, and every file
// of the tree with its status.
func probeReport(site string, as []artifact.Artifact, ps, preflight []probe.Problem) probeJSON {
	base := strings.TrimSuffix(site, "/")
	r := probeJSON{Report: Report{Command: "probe", Problems: []diag.Problem{}}, Files: []ProbedFile{}}
	byURL := map[string][]string{}
	for _, p := range ps {
		byURL[p.URL] = append(byURL[p.URL], p.Msg)
		r.Problems = append(r.Problems, diag.Diagnostic{Severity: diag.Error, Pos: diag.Pos{Path: p.URL}, Msg: p.Msg}.Problem())
	}
	r.Errors = len(ps)
	for _, p := range preflight {
		r.Problems = append(r.Problems, diag.Diagnostic{Severity: diag.Warning, Pos: diag.Pos{Path: p.URL}, Msg: strings.TrimPrefix(p.Msg, "warning: ")}.Problem())
		r.Warnings++
	}
	for _, a := range as {
		u := base + a.URLPath()
		f := ProbedFile{Path: "/" + a.Path, URL: u, Status: "ok", Problems: append([]string{}, byURL[u]...)}
		if len(f.Problems) > 0 {
			f.Status = "failed"
		}
		r.Files = append(r.Files, f)
	}
	r.OK = r.Errors == 0
	return r
}
