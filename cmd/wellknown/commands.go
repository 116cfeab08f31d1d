package main

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/pflag"
)

// commands lists every command in the order --help shows them.
func commands() []*command {
	return []*command{initCmd, buildCmd, checkCmd, verifyCmd, clientCmd, keysCmd, diffCmd, serveCmd, probeCmd, hostingCmd, deployCmd, bundleCmd, importCmd, completionCmd, versionCmd}
}

func mainUsage() string {
	var b strings.Builder
	b.WriteString(`wellknown publishes an OAuth 2.0 / OpenID Connect authorization server's
public metadata (discovery documents, JWKS, client metadata) as static files.

Examples:
  wellknown init --issuer URL              a new site, ready to build
  wellknown build                          build site.yaml and keys/ into out/
  wellknown build --config prod.yaml --out public
  wellknown serve                          preview out/ with the headers production sends
  wellknown keys generate --type ec-p256   a new signing key, published as next
  wellknown keys rotate                    promote it once caches hold it
  wellknown diff out .                     what relying parties will see change
  wellknown build --sign-key pub.key       sign every file; check with wellknown verify

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-10s %s\n", c.name, c.summary)
	}
	b.WriteString(`
Run 'wellknown COMMAND --help' for a command's flags and examples.
` + exitStatusHelp)
	return b.String()
}

const exitStatusHelp = `
Exit status:
  0  success
  1  invalid input, failed build or failed verification (every problem is listed)
  2  wrong usage: unknown command or flag, missing argument
  129, 130, 143  stopped by SIGHUP, SIGINT or SIGTERM (128 + its number) before
     the work was done: build and import then leave their directory unchanged
`

var versionCmd = &command{
	name:    "version",
	summary: "print the version of wellknown",
	usage: `Usage: wellknown version

Prints the module version and the Go version wellknown was built with.
` + exitStatusHelp,
	run: func(_ context.Context, e *env, _ *pflag.FlagSet, args []string) error {
		if len(args) > 0 {
			return usagef("version takes no arguments")
		}
		fmt.Fprintf(e.stdout, "wellknown %s\n", version())
		return nil
	},
}

func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	return v + " " + bi.GoVersion
}
