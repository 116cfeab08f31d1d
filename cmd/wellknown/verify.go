package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/wellknown-dev/wellknown/generator/check"
	iofs "io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/sign"
	"github.com/wellknown-dev/wellknown/generator/tree"
)

// validateTree checks the content of a published tree (discovery documents,
// JWKS, copies) for verify and import, beyond integrity and signatures.
func validateTree(files map[string][]byte) []error {
	var errs []error
	for _, p := range check.Tree(files) {
		errs = append(errs, sign.Problem{Path: p.Path, Msg: p.Msg})
	}
	return errs
}

var verifyCmd = &command{
	name:    "verify",
	summary: "check a built tree offline against the publisher's key",
	usage: `Usage: wellknown verify [--key publisher.pub] [--clock TIME] [--json] [DIR | BUNDLE]

Examples:
  wellknown verify --key publisher.pub out
  wellknown verify --key publisher.pub /srv/www/site
  wellknown verify --key publisher.pub site.tar.gz
  wellknown verify --key publisher.pub --clock 2027-03-01 out   still valid then?

Checks DIR (default out) offline: the signature of its manifest
(signatures/SHA256SUMS) against the trusted key, that the manifest has not
expired, the digest of every file, that no file is missing or extra, every
per-file signature and Sigstore bundle (none when the manifest lists none,
as signing.per_file: false builds it), and that the metadata, JWKS and
client documents are valid. Prints a one-line verdict and the manifest's
version and expiry on stdout, and every problem on stderr, naming the file.
Given a file, verify checks it as a bundle (see wellknown bundle) the way
import does, under the same limits, and writes nothing.

Verdicts:
  valid      signed by the trusted key and intact
  invalid    at least one problem (each is listed)
  untrusted  consistent with the key DIR carries, but no --key was given:
             anyone can re-sign a tree with a key of their own
  unsigned   DIR has no manifest: it was built without a signing key

Flags:
  --key FILE    the publisher's public key (PEM), obtained from the publisher,
                never only the copy in DIR/signatures/publisher.pub
  --clock TIME  check the expiry as of this time, 2027-01-31 or RFC 3339
                (default: now; SOURCE_DATE_EPOCH is not read)
  --json        print one JSON report on stdout (the verdict and every problem)

Exit status:
  0  valid
  1  invalid (expired included), untrusted or unsigned, DIR cannot be
     read, or BUNDLE was refused (a link, traversal, or past a size limit)
  2  wrong usage
`,
	flags: func(fs *pflag.FlagSet) {
		fs.String("key", "", "the publisher's public key (PEM)")
		fs.String("clock", "", "")
		fs.Bool("json", false, "")
	},
	run: func(_ context.Context, e *env, fs *pflag.FlagSet, args []string) error {
		if len(args) > 1 {
			return usagef("verify takes one directory, got %d arguments", len(args))
		}
		dir := "out"
		if len(args) == 1 {
			dir = args[0]
		}
		opts, err := verifyOptions(fs)
		if err != nil {
			return err
		}
		if fi, err := os.Stat(dir); err == nil && fi.Mode().IsRegular() {
			return verifyBundle(e, fs, dir, opts)
		}
		files, irregular, err := tree.Read(dir)
		if err != nil {
			return err
		}
		rep := sign.Verify(files, opts)
		for _, err := range irregular {
			var pe *iofs.PathError
			if errors.As(err, &pe) {
				rep.Problems = append(rep.Problems, sign.Problem{Path: pe.Path, Msg: pe.Err.Error()})
			} else {
				rep.Problems = append(rep.Problems, sign.Problem{Msg: err.Error()})
			}
		}
		sort.SliceStable(rep.Problems, func(i, j int) bool { return rep.Problems[i].Path < rep.Problems[j].Path })
		return showVerify(e, fs, dir, func(p string) string { return path.Join(dir, p) }, rep)
	},
}

// showVerify prints rep for name, as JSON with --json, and fails silently
// (the report said why) unless the tree is valid.
func showVerify(e *env, fs *pflag.FlagSet, name string, where func(string) string, rep *sign.Report) error {
	if asJSON, _ := fs.GetBool("json"); asJSON {
		verifyReport(e, where, name, rep)
	} else {
		printReport(e, name, where, rep)
	}
	if rep.Status() != sign.Valid {
		return errSilent
	}
	return nil
}

// verifyOptions loads the trusted key named by --key, if any, and reads
// --clock. The clock is now unless given: unlike a build's, it never comes
// from SOURCE_DATE_EPOCH, which would let a pinned CI clock hide an expired
// tree.
func verifyOptions(fs *pflag.FlagSet) (sign.VerifyOptions, error) {
	opts := sign.VerifyOptions{Validate: validateTree}
	if v, _ := fs.GetString("clock"); v != "" {
		t, err := config.ParseDate(v)
		if err != nil {
			return opts, usagef("--clock: %v", err)
		}
		opts.Now = t
	}
	keyPath, _ := fs.GetString("key")
	if keyPath == "" {
		return opts, nil
	}
	key, err := sign.LoadPublicKey(keyPath)
	if err != nil {
		return opts, err
	}
	opts.Key = key
	return opts, nil
}

// printReport lists every problem on stderr, as "where: message", then the
// verdict on stdout, with a hint when a trusted key would change it.
func printReport(e *env, name string, where func(path string) string, rep *sign.Report) {
	for _, p := range rep.Problems {
		if p.Path == "" {
			fmt.Fprintf(e.stderr, "%s: %s\n", name, p.Msg)
		} else {
			fmt.Fprintf(e.stderr, "%s: %s\n", where(p.Path), p.Msg)
		}
	}
	fmt.Fprintln(e.stdout, rep.Verdict(name))
	if rep.Freshness.Version != 0 {
		fmt.Fprintf(e.stdout, "manifest %s\n", rep.Freshness)
	}
	for _, p := range rep.Problems {
		switch {
		case p.Path == sign.ManifestPath && strings.HasPrefix(p.Msg, "expired on "):
			fmt.Fprintf(e.stderr, "\thint: rebuild and publish the site again; signing.expires_after in site.yaml sets how long a build stays valid\n")
		case p.Path == sign.ManifestPath && (strings.HasPrefix(p.Msg, "rollback: ") || strings.HasPrefix(p.Msg, "same version as ")),
			p.Path == "" && strings.HasPrefix(p.Msg, "cannot read the version of "):
			fmt.Fprintf(e.stderr, "\thint: pass --allow-rollback to install it on purpose\n")
		}
	}
	switch rep.Status() {
	case sign.Untrusted:
		fmt.Fprintf(e.stderr, "\thint: pass --key with the publisher's public key, obtained from the publisher rather than from %s\n", name)
	case sign.Unsigned:
		fmt.Fprintf(e.stderr, "\thint: build with a signing key to publish signatures/\n")
	}
}
