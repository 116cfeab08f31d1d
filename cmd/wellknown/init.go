package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/initsite"
	"github.com/wellknown-dev/wellknown/generator/keys"
	"github.com/wellknown-dev/wellknown/generator/publish"
)

var initCmd = &command{
	name:    "init",
	summary: "start a new site, or move an existing server's metadata to one",
	usage: `Usage: wellknown init [DIR] --issuer URL [--openid=false] [--key-type TYPE] [--github-pages]
       wellknown init [DIR] --from-discovery FILE --from-jwks FILE [--github-pages]

Examples:
  wellknown init login --issuer https://login.example.com --github-pages
  wellknown init --issuer https://api.example.com --openid=false
  curl -fsS https://sso.example.com/realms/acme/.well-known/openid-configuration -o discovery.json
  curl -fsS https://sso.example.com/realms/acme/protocol/openid-connect/certs -o jwks.json
  wellknown init acme --from-discovery discovery.json --from-jwks jwks.json

Writes a new site into DIR (default: the current directory), ready to
build with no warnings: a commented site.yaml whose endpoints sit under
the issuer, a first signing key (active), a .gitignore that keeps out/ and
private keys out of git, the pull-request workflow, the GitHub Pages
workflow (--github-pages), and .github/CODEOWNERS.example.

The build needs only public keys, so the key's public half goes into keys/
(committed) and its private half into private/ (mode 0600, ignored by git).
The private key belongs where the authorization server runs: move it to
its secret store, an HSM or a KMS, and delete it here.

--from-discovery turns an existing server's saved discovery document and
JWK Set (Keycloak, Hydra, dex, ...) into site.yaml and one public JWK file
per key (kid, alg, use and x5c kept). Every value the site cannot carry as
the server published it is a warning naming it.

Nothing is written over: if any of the files exists, init writes none.

Flags:
      --issuer URL          the issuer identifier (https)
      --openid              publish OpenID Connect Discovery too (default true)
      --key-type TYPE       the first key: rsa-2048 with OpenID Connect
                            (RS256 is required), else ec-p256
      --github-pages        add the workflow that publishes to GitHub Pages
      --from-discovery FILE a server's saved discovery document
      --from-jwks FILE      the JWK Set at its jwks_uri
      --clock TIME          the date in the key's file name (default: now)

Key types: ` + strings.Join(keys.Types, ", ") + `
` + exitStatusHelp,
	flags: func(fs *pflag.FlagSet) {
		fs.String("issuer", "", "")
		fs.Bool("openid", true, "")
		fs.String("key-type", "", "")
		fs.Bool("github-pages", false, "")
		fs.String("from-discovery", "", "")
		fs.String("from-jwks", "", "")
		fs.String("clock", "", "")
	},
	run: runInit,
}

func runInit(_ context.Context, e *env, fs *pflag.FlagSet, args []string) error {
	if len(args) > 1 {
		return usagef("want at most one directory, got %d arguments", len(args))
	}
	dir := "."
	if len(args) == 1 {
		dir = args[0]
	}
	issuer, _ := fs.GetString("issuer")
	discovery, _ := fs.GetString("from-discovery")
	jwks, _ := fs.GetString("from-jwks")
	pages, _ := fs.GetBool("github-pages")
	var files []initsite.File
	if discovery != "" || jwks != "" {
		switch {
		case discovery == "":
			return usagef("--from-jwks goes with --from-discovery")
		case jwks == "":
			return usagef("--from-discovery needs --from-jwks: save the JWK Set at the document's jwks_uri (curl -fsS JWKS_URI -o jwks.json)")
		case issuer != "":
			return usagef("--issuer comes from the discovery document; leave it out")
		case fs.Changed("openid") || fs.Changed("key-type"):
			return usagef("--openid and --key-type come from the discovery document and its JWK Set; leave them out")
		}
		m := initsite.Migration{DiscoveryFile: discovery, JWKSFile: jwks, GitHubPages: pages, Version: version()}
		var err error
		if m.Discovery, err = os.ReadFile(discovery); err != nil {
			return fmt.Errorf("%s: %w", discovery, diag.Cause(err))
		}
		if m.JWKS, err = os.ReadFile(jwks); err != nil {
			return fmt.Errorf("%s: %w", jwks, diag.Cause(err))
		}
		f, d, err := initsite.FromDiscovery(m)
		if err != nil {
			return err
		}
		printDiagnostics(e.stderr, d.Warnings())
		files = f
	} else {
		if issuer == "" {
			return usagef("--issuer is required, e.g. --issuer https://login.example.com (or --from-discovery FILE)")
		}
		now, err := clock(e, fs)
		if err != nil {
			return err
		}
		openid, _ := fs.GetBool("openid")
		typ, _ := fs.GetString("key-type")
		if typ != "" && !contains(keys.Types, typ) {
			return usagef("--key-type: unknown key type %q; use one of %s", typ, strings.Join(keys.Types, ", "))
		}
		files, err = initsite.New(initsite.Options{Issuer: issuer, OpenID: openid, KeyType: typ, GitHubPages: pages, Now: now, Version: version()})
		if errors.Is(err, initsite.ErrNeedRSA) {
			return usagef("--key-type %s: %v; use rsa-2048 (add an %s key later with wellknown keys generate), or --openid=false", typ, err, typ)
		}
		if err != nil {
			return usagef("--issuer: %v", err)
		}
	}
	if err := writeSite(e, dir, files); err != nil {
		return err
	}
	if err := checkBuild(e, fs, dir); err != nil {
		return err
	}
	nextSteps(e, dir, files, pages)
	return nil
}

// checkBuild builds the new site in memory, as wellknown check does. A new
// site always builds; a migrated one carries the server's values, which
// the build may refuse (a server that offers private_key_jwt without its
// algorithms, say): the files are the user's starting point and stay, and
// the problems are listed with their lines in site.yaml.
func checkBuild(e *env, fs *pflag.FlagSet, dir string) error {
	now, err := clock(e, fs)
	if err != nil {
		return err
	}
	res, err := generator.Build(generator.Options{Config: filepath.Join(dir, "site.yaml"), Now: now, Getenv: e.getenv})
	printDiagnostics(e.stderr, res.Warnings)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		fmt.Fprintln(e.stderr, "init wrote the site, but the build refuses it: fix site.yaml, then run wellknown check")
		return errSilent
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// writeSite writes every file or none: existing files are named and
// nothing is written; a failure midway removes what was written.
func writeSite(e *env, dir string, files []initsite.File) error {
	var existing []string
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if _, err := os.Lstat(p); err == nil {
			existing = append(existing, p)
		}
	}
	if len(existing) > 0 {
		for _, p := range existing {
			fmt.Fprintf(e.stderr, "%s: already exists; wellknown init never writes over a file\n", p)
		}
		fmt.Fprintf(e.stderr, "\thint: init into a new directory (wellknown init DIR ...), or move %s away\nnothing was written\n", plural(len(existing), "it", "them"))
		return errSilent
	}
	var written []string
	undo := func() {
		for i := len(written) - 1; i >= 0; i-- {
			os.Remove(written[i])
		}
	}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		mode := os.FileMode(0o755)
		if strings.HasPrefix(f.Path, initsite.PrivateDir+"/") {
			mode = 0o700
		}
		if err := os.MkdirAll(filepath.Dir(p), mode); err != nil {
			undo()
			return err
		}
		if err := publish.Create(p, f.Data, f.Mode); err != nil {
			undo()
			if errors.Is(err, os.ErrExist) {
				fmt.Fprintf(e.stderr, "%s: already exists; wellknown init never writes over a file\nnothing was written\n", p)
				return errSilent
			}
			return err
		}
		written = append(written, p)
	}
	for _, f := range files {
		fmt.Fprintf(e.stdout, "wrote %s (%s, mode %04o)\n", filepath.ToSlash(filepath.Join(dir, f.Path)), f.What, f.Mode)
	}
	return nil
}

func nextSteps(e *env, dir string, files []initsite.File, pages bool) {
	fmt.Fprintln(e.stdout, "next:")
	for _, f := range files {
		if strings.HasPrefix(f.Path, initsite.PrivateDir+"/") {
			fmt.Fprintf(e.stdout, "  move %s to the authorization server's secret store, HSM or KMS; it never enters git\n", filepath.ToSlash(filepath.Join(dir, f.Path)))
		}
	}
	cd := ""
	if dir != "." {
		cd = "cd " + dir + " && "
	}
	fmt.Fprintf(e.stdout, "  %swellknown build && wellknown serve     build out/ and preview it\n", cd)
	fmt.Fprintln(e.stdout, "  git init && git add . && git commit -m \"wellknown site\"")
	if pages {
		fmt.Fprintln(e.stdout, "  on GitHub: Settings > Pages > Source: GitHub Actions; push to main to publish")
	} else {
		fmt.Fprintln(e.stdout, "  publish out/ to a CDN: wellknown hosting --format s3|gcs|nginx|caddy (see docs/hosting.md)")
	}
}
