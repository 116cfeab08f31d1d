package main

import (
	"context"
	"errors"

	"github.com/spf13/pflag"

	"github.com/wellknown-dev/wellknown/generator/keyops"
)

var keysListCmd = &command{
	name:    "keys list",
	summary: "print every key and what is due",
	usage: `Usage: wellknown keys list [--issuer URL | --federation] [--json] [--strict] [--quiet] [--config site.yaml] [--clock TIME]

Examples:
  wellknown keys list
  wellknown keys list --clock 2027-06-01     what will be due then
  wellknown keys list --issuer https://login.example.com/tenant-a
  wellknown keys list --json | jq -r '.keys[] | select(.state == "next") | .file'
  wellknown keys list --strict --quiet       in CI: fail on any warning

Prints one row per key of every key set the site publishes (the shared
key_dir, each issuer's own key_dir, and the federation keys), each set
under a heading when there are several: file, kid, type, alg, use, state,
certificate subject and expiry, and the next change due with its date.
Retired keys past their date are listed too, so that their files can be
deleted. The problems of reading the keys, and the warnings of the
rotation rules (certificates near expiry, next keys without
published_since, key files without an entry), go to stderr.

Flags:
      --issuer URL    only the key set this issuer publishes
      --federation    only the federation key set
      --json          print one JSON report on stdout (see "Machine-readable
                      output" in the README) and nothing else
      --strict        fail (exit 1) on warnings too
  -q, --quiet         print the problems only, not the keys
` + siteFlagsHelp + exitStatusHelp,
	flags: func(fs *pflag.FlagSet) {
		keySetFlags(fs)
		outputFlags(fs)
		siteFlags(fs)
	},
	run: runKeysList,
}

// keysReport is the --json output of keys list.
type keysReport struct {
	Report
	Sets []keyops.ListedSet `json:"sets"`
	Keys []keyops.ListedKey `json:"keys"`
}

func runKeysList(_ context.Context, e *env, fs *pflag.FlagSet, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	ko, err := keyOptions(e, fs)
	if err != nil {
		return err
	}
	l, d, err := keyops.List(ko)
	var ue *keyops.UsageError
	if errors.As(err, &ue) {
		return usagef("%s", ue.Msg)
	} else if err != nil {
		return err
	}
	o := newOutput(e, fs, "keys list")
	// --quiet leaves out the listing; the problems are what it prints.
	quiet := o.quiet
	o.quiet = false
	o.envelope = func(r Report) any {
		kr := keysReport{Report: r}
		kr.Sets, kr.Keys = l.JSON()
		return kr
	}
	failed := ""
	if o.strict {
		failed = "keys list failed"
	}
	err = o.report(d.Errors(), d.Warnings(), failed, "")
	switch {
	case o.json && err == nil:
		o.print(o.envelope(o.result(true)))
	case !o.json && !quiet && l != nil:
		// Under --strict the keys are listed all the same: only the
		// policy failed, not the reading.
		l.Write(e.stdout)
	}
	return err
}
