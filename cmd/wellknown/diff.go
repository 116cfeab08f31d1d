package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/diff"
)

var diffCmd = &command{
	name:    "diff",
	summary: "show what relying parties will see change",
	usage: `Usage: wellknown diff OLD NEW [--json | --markdown] [--clock TIME]

Examples:
  wellknown diff out .                  the published tree against what site.yaml builds now
  wellknown diff base/out out           two built trees
  wellknown diff ../main/site.yaml site.yaml --json    two sites' inputs, for a pull request
  wellknown diff base-out head --markdown   the summary the pull-request workflow posts

Compares what two versions of the site publish: keys added, removed or
changed (by kid; with their state when a side is built from site.yaml),
metadata and other JSON document fields, files, and response headers (from
_headers in a tree on disk). OLD and NEW are each a built tree, or a
site.yaml (or the directory holding one), built in memory at --clock.
The exit status is 0 whether or not anything changed.

--markdown prints the pull-request summary: endpoint (URL members of the
/.well-known/ metadata) and key changes first, for extra review, then the
whole report, each new client's redirect URIs and authentication method,
and the warnings of NEW's check when NEW is a site.

Flags:
      --json          print the report as JSON
      --markdown      print the report as a pull-request summary
      --clock TIME    the date sites are built at, 2027-01-31 or RFC 3339 (default: now)
` + exitStatusHelp,
	flags: func(fs *pflag.FlagSet) {
		fs.Bool("json", false, "")
		fs.Bool("markdown", false, "")
		fs.String("clock", "", "")
	},
	run: runDiff,
}

func runDiff(_ context.Context, e *env, fs *pflag.FlagSet, args []string) error {
	if len(args) != 2 {
		return usagef("want OLD and NEW, got %d arguments", len(args))
	}
	asJSON, _ := fs.GetBool("json")
	asMarkdown, _ := fs.GetBool("markdown")
	if asJSON && asMarkdown {
		return usagef("--json and --markdown cannot be combined")
	}
	now, err := clock(e, fs)
	if err != nil {
		return err
	}
	var trees [2]diff.Tree
	var warnings []string
	for i, arg := range args {
		if trees[i], warnings, err = readSide(e, arg, now); err != nil {
			return err
		}
	}
	r := diff.Trees(trees[0], trees[1])
	if asMarkdown {
		return r.WriteMarkdown(e.stdout, warnings) // NEW's: the last side read
	}
	if asJSON {
		return r.WriteJSON(e.stdout)
	}
	return r.WriteText(e.stdout)
}

// readSide reads a built tree, or builds a site in memory when arg is a
// site.yaml or a directory holding one.
// Its warnings are those of the build; none for a tree on disk.
func readSide(e *env, arg string, now time.Time) (diff.Tree, []string, error) {
	fi, err := os.Stat(arg)
	if err != nil {
		return diff.Tree{}, nil, fmt.Errorf("%s: %w", arg, diag.Cause(err))
	}
	cfg := arg
	if fi.IsDir() {
		cfg = filepath.Join(arg, "site.yaml")
		if _, err := os.Stat(cfg); err != nil {
			t, err := diff.ReadTree(arg)
			return t, nil, err
		}
	}
	res, err := generator.Build(generator.Options{Config: cfg, Now: now, Getenv: e.getenv})
	if err != nil {
		var de *diag.Errors
		if errors.As(err, &de) {
			fmt.Fprintln(e.stderr, de)
			fmt.Fprintf(e.stderr, "cannot build %s\n", cfg)
			return diff.Tree{}, nil, errSilent
		}
		return diff.Tree{}, nil, err
	}
	var warnings []string
	for _, w := range res.Warnings {
		if w.Severity == diag.Warning {
			warnings = append(warnings, w.String())
		}
	}
	states := map[string]string{}
	for _, k := range res.Keys {
		states[k.JWK.KeyID] = string(k.State)
	}
	return diff.FromArtifacts(res.Artifacts, states), warnings, nil
}
