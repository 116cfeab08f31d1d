package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/wellknown-dev/wellknown/generator/check"
	iofs "io/fs"
	"path"
	"sort"

	"github.com/spf13/pflag"

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
	usage: `Usage: wellknown verify [--key publisher.pub] [--json] [DIR]

Examples:
  wellknown verify --key publisher.pub out
  wellknown verify --key publisher.pub /srv/www/site

Checks DIR (default out) offline: the signature of its manifest
(signatures/SHA256SUMS) against the trusted key, the digest of every file,
that no file is missing or extra, every per-file signature, and that the
metadata, JWKS and client documents are valid. Prints a one-line verdict on
stdout and every problem on stderr, naming the file.

Verdicts:
  valid      signed by the trusted key and intact
  invalid    at least one problem (each is listed)
  untrusted  consistent with the key DIR carries, but no --key was given:
             anyone can re-sign a tree with a key of their own
  unsigned   DIR has no manifest: it was built without a signing key

Flags:
  --key FILE  the publisher's public key (PEM), obtained from the publisher,
              never only the copy in DIR/signatures/publisher.pub
  --json      print one JSON report on stdout (the verdict and every problem)

Exit status:
  0  valid
  1  invalid, untrusted or unsigned, or DIR cannot be read
  2  wrong usage
`,
	flags: func(fs *pflag.FlagSet) {
		fs.String("key", "", "the publisher's public key (PEM)")
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
		where := func(p string) string { return path.Join(dir, p) }
		if asJSON, _ := fs.GetBool("json"); asJSON {
			verifyReport(e, where, dir, rep)
		} else {
			printReport(e, dir, where, rep)
		}
		if rep.Status() != sign.Valid {
			return errSilent
		}
		return nil
	},
}

// verifyOptions loads the trusted key named by --key, if any.
func verifyOptions(fs *pflag.FlagSet) (sign.VerifyOptions, error) {
	opts := sign.VerifyOptions{Validate: validateTree}
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
	switch rep.Status() {
	case sign.Untrusted:
		fmt.Fprintf(e.stderr, "\thint: pass --key with the publisher's public key, obtained from the publisher rather than from %s\n", name)
	case sign.Unsigned:
		fmt.Fprintf(e.stderr, "\thint: build with a signing key to publish signatures/\n")
	}
}
