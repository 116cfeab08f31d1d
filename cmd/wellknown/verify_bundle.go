package main

import (
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/wellknown-dev/wellknown/generator/bundle"
	"github.com/wellknown-dev/wellknown/generator/sign"
)

// verifyBundle is verify of a bundle archive rather than a tree: streamed
// under the same limits as import and checked as import checks it
// (bundle.Check), with nothing written.
func verifyBundle(e *env, fs *pflag.FlagSet, name string, opts sign.VerifyOptions) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	_, rep, err := bundle.Check(f, opts, bundle.DefaultLimits)
	if rep == nil { // refused before verification
		return fmt.Errorf("%s: %w", name, err)
	}
	return showVerify(e, fs, name, func(p string) string { return name + ": " + p }, rep)
}
