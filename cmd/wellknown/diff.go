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
	usage: `Usage: wellknown diff OLD NEW [--json] [--clock TIME]

Examples:
  wellknown diff out .                  the published tree against what site.yaml builds now
  wellknown diff base/out out           two built trees
  wellknown diff ../main/site.yaml site.yaml --json    two sites' inputs, for a pull request

Compares what two versions of the site publish: keys added, removed or
changed (by kid; with their state when a side is built from site.yaml),
metadata and other JSON document fields, files, and response headers (from
_headers in a tree on disk). OLD and NEW are each a built tree, or a
site.yaml (or the directory holding one), built in memory at --clock.
The exit status is 0 whether or not anything changed.

Flags:
      --json          print the report as JSON
      --clock TIME    the date sites are built at, 2027-01-31 or RFC 3339 (default: now)
` + exitStatusHelp,
	flags: func(fs *pflag.FlagSet) {
		fs.Bool("json", false, "")
		fs.String("clock", "", "")
	},
	run: runDiff,
}

func runDiff(_ context.Context, e *env, fs *pflag.FlagSet, args []string) error {
	if len(args) != 2 {
		return usagef("want OLD and NEW, got %d arguments", len(args))
	}
	asJSON, _ := fs.GetBool("json")
	now, err := clock(e, fs)
	if err != nil {
		return err
	}
	var trees [2]diff.Tree
	for i, arg := range args {
		if trees[i], err = readSide(e, arg, now); err != nil {
			return err
		}
	}
	r := diff.Trees(trees[0], trees[1])
	if asJSON {
		return r.WriteJSON(e.stdout)
	}
	return r.WriteText(e.stdout)
}

// readSide reads a built tree, or builds a site in memory when arg is a
// site.yaml or a directory holding one.
func readSide(e *env, arg string, now time.Time) (diff.Tree, error) {
	fi, err := os.Stat(arg)
	if err != nil {
		return diff.Tree{}, fmt.Errorf("%s: %w", arg, diag.Cause(err))
	}
	cfg := arg
	if fi.IsDir() {
		cfg = filepath.Join(arg, "site.yaml")
		if _, err := os.Stat(cfg); err != nil {
			return diff.ReadTree(arg)
		}
	}
	res, err := generator.Build(generator.Options{Config: cfg, Now: now, Getenv: e.getenv})
	if err != nil {
		var de *diag.Errors
		if errors.As(err, &de) {
			fmt.Fprintln(e.stderr, de)
			fmt.Fprintf(e.stderr, "cannot build %s\n", cfg)
			return diff.Tree{}, errSilent
		}
		return diff.Tree{}, err
	}
	states := map[string]string{}
	for _, k := range res.Keys {
		states[k.JWK.KeyID] = string(k.State)
	}
	return diff.FromArtifacts(res.Artifacts, states), nil
}
