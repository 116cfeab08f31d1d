package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"

	"github.com/wellknown-dev/wellknown/generator/bundle"
)

var importCmd = &command{
	name:    "import",
	summary: "verify a bundle and install it into a directory",
	usage: `Usage: wellknown import --key publisher.pub [--allow-rollback] [--clock TIME] [--no-wait] BUNDLE DIR

Examples:
  wellknown import --key publisher.pub site.tar.gz /srv/www/site
  ssh gateway cat site.tar.gz | wellknown import --key publisher.pub - /srv/www/site

Streams the bundle under the limits below (past 4 MiB through an unlinked
temporary file, with the manifest's signature checked before the files are
read into memory) and verifies it as 'wellknown verify' does, against the
trusted key, before writing anything. Only a valid bundle
is installed: into a temporary directory beside DIR, synced, then renamed
over DIR. A bundle that fails any check leaves DIR exactly as it was.

A bundle whose manifest has expired is refused, and so is one older than the
tree DIR holds (a lower version), or of the same version with other content:
an attacker who kept an old, validly signed bundle cannot roll DIR back.
Installing the same bundle again is allowed.

Refused, naming the member: links, devices and other non-regular files,
absolute paths and '..', duplicate members, paths that clash as file and
directory or by case, a member over 16 MiB, more than 256 MiB or 100,000
members in all, or an archive inflating past 512 MiB (tar headers and
padding included). DIR must be absent, empty, or a tree a build or import
wrote. Imports and builds of DIR take turns, as for 'wellknown build'.

Flags:
  --key FILE        the publisher's public key (PEM), obtained from the publisher
                    (required: the key inside the bundle proves nothing)
  --allow-rollback  install a bundle older than DIR's tree on purpose
  --clock TIME      check the expiry as of this time, 2027-01-31 or RFC 3339
                    (default: now)
  --no-wait         fail at once if another build or import is writing DIR

Exit status:
  0  verified and installed
  1  the bundle was refused (DIR unchanged), or DIR could not be written
  2  wrong usage, including a missing --key
  129, 130, 143  stopped by SIGHUP, SIGINT or SIGTERM before DIR was replaced
`,
	flags: func(fs *pflag.FlagSet) {
		fs.String("key", "", "the publisher's public key (PEM)")
		fs.Bool("allow-rollback", false, "")
		fs.String("clock", "", "")
		noWaitFlag(fs)
	},
	run: func(ctx context.Context, e *env, fs *pflag.FlagSet, args []string) error {
		if len(args) != 2 {
			return usagef("import takes a bundle and a directory, got %d arguments", len(args))
		}
		if k, _ := fs.GetString("key"); k == "" {
			return usagef("--key is required: import installs only what the publisher's key verifies")
		}
		name, dir := args[0], args[1]
		opts, err := verifyOptions(fs)
		if err != nil {
			return err
		}
		opts.AllowRollback, _ = fs.GetBool("allow-rollback")
		var r io.Reader = os.Stdin
		if name != "-" {
			f, err := os.Open(name)
			if err != nil {
				return err
			}
			defer f.Close()
			r = f
		}
		rep, err := bundle.ImportContext(ctx, r, dir, opts, bundle.DefaultLimits, writeOptions(e, fs))
		if rep != nil {
			printReport(e, name, func(p string) string { return name + ": " + p }, rep)
		}
		if errors.Is(err, bundle.ErrRejected) {
			if rep == nil {
				fmt.Fprintf(e.stderr, "%s: %v\n", name, err)
			}
			fmt.Fprintf(e.stderr, "%s was not changed\n", dir)
			return errSilent
		}
		if err != nil {
			return publishFailed(ctx, "installing "+name, dir, err)
		}
		fmt.Fprintf(e.stdout, "installed %d files into %s\n", rep.Files, dir)
		return nil
	},
}
