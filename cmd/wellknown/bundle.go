package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/wellknown-dev/wellknown/generator/bundle"
	"github.com/wellknown-dev/wellknown/generator/sign"
	"github.com/wellknown-dev/wellknown/generator/tree"
)

var bundleCmd = &command{
	name:    "bundle",
	summary: "pack a built, signed tree into one archive for import elsewhere",
	usage: `Usage: wellknown bundle [--dir out] [--out site.tar.gz]

Examples:
  wellknown bundle                          pack out/ into site.tar.gz
  wellknown bundle --dir public --out /media/usb/site-2024-06.tar.gz
  wellknown bundle --out - | ssh gateway 'cat > site.tar.gz'

Packs a signed tree, its manifest and signatures included, into one
deterministic tar.gz: the same tree gives the same bytes. The tree must be
signed and intact (as 'wellknown verify' would find it, key aside): import
accepts nothing else. Signing keys are never part of a tree, so never of a
bundle. Install the bundle with 'wellknown import'.

Flags:
  --dir DIR   the built tree (default out)
  --out FILE  the archive to write, replaced atomically; - for stdout
              (default site.tar.gz)

Exit status:
  0  the archive was written
  1  the tree is unsigned, changed since signing, or cannot be read
  2  wrong usage
`,
	flags: func(fs *pflag.FlagSet) {
		fs.String("dir", "out", "the built tree")
		fs.String("out", "site.tar.gz", "the archive to write; - for stdout")
	},
	run: func(_ context.Context, e *env, fs *pflag.FlagSet, args []string) error {
		if len(args) > 0 {
			return usagef("bundle takes no arguments; name the tree with --dir")
		}
		dir, _ := fs.GetString("dir")
		out, _ := fs.GetString("out")
		files, irregular, err := tree.Read(dir)
		if err != nil {
			return err
		}
		for _, err := range irregular {
			fmt.Fprintf(e.stderr, "%s: %v\n", dir, err)
		}
		if len(irregular) > 0 {
			return errSilent
		}
		rep := sign.Verify(files, sign.VerifyOptions{})
		switch rep.Status() {
		case sign.Unsigned:
			return fmt.Errorf("%s: unsigned: build with a signing key first; import accepts only signed bundles", dir)
		case sign.Invalid:
			printReport(e, dir, func(p string) string { return filepath.Join(dir, p) }, rep)
			return errSilent
		}
		var buf bytes.Buffer
		if err := bundle.Write(&buf, files); err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
		if out == "-" {
			_, err := e.stdout.Write(buf.Bytes())
			return err
		}
		if err := writeFileAtomic(out, buf.Bytes()); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "wrote %s: %d files, %d bytes, sha256 %x, signed by %s\n",
			out, len(files), buf.Len(), sha256.Sum256(buf.Bytes()), rep.Fingerprint)
		return nil
	},
}

// writeFileAtomic replaces name with data through a temporary file in the
// same directory, so a reader never sees half an archive.
func writeFileAtomic(name string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}
