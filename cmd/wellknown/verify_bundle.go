package main

import (
	"fmt"
	"os"

	"github.com/wellknown-dev/wellknown/generator/bundle"
	"github.com/wellknown-dev/wellknown/generator/sign"
)

// verifyBundle is verify of a bundle archive rather than a tree: streamed
// under the same limits as import, then checked as import checks it, with
// nothing written.
func verifyBundle(e *env, name string, opts sign.VerifyOptions) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	files, err := bundle.Read(f, bundle.DefaultLimits)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	rep := sign.Verify(files, opts)
	printReport(e, name, func(p string) string { return name + ": " + p }, rep)
	if rep.Status() != sign.Valid {
		return errSilent
	}
	return nil
}
