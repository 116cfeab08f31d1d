package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/spf13/pflag"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/clients"
	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/templates"
)

var checkCmd = &command{
	name:    "check",
	summary: "validate site.yaml, keys and clients; write nothing",
	usage: `Usage: wellknown check [--config site.yaml] [--clock TIME] [--json] [--strict] [--quiet]

Examples:
  wellknown check                      check ./site.yaml, keys/ and clients/
  wellknown check --config prod/site.yaml

Runs every check of 'wellknown build' and writes nothing. Every problem
is listed as path:line:col: message, with the rule it breaks.

Flags:
  -c, --config FILE   the site configuration (default site.yaml)
      --clock TIME    the date to check as of, 2027-01-31 or RFC 3339 (default: now)
` + outputHelp + exitStatusHelp,
	flags: func(fs *pflag.FlagSet) {
		fs.StringP("config", "c", "site.yaml", "")
		fs.String("clock", "", "")
		outputFlags(fs)
	},
	run: runCheck,
}

func runCheck(_ context.Context, e *env, fs *pflag.FlagSet, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	cfg, _ := fs.GetString("config")
	now, err := clock(e, fs)
	if err != nil {
		return err
	}
	res, err := generator.Build(generator.Options{Config: cfg, Now: now, Getenv: e.getenv})
	report := newOutput(e, fs, "check")
	if err := report.check(res, err, "check failed", ""); err != nil {
		return err
	}
	if report.json {
		report.emit(buildSummary(res, "", false))
		return nil
	}
	if report.quiet {
		return nil
	}
	n := 0
	if res.Clients != nil {
		n = len(res.Clients.Clients)
	}
	fmt.Fprintf(e.stdout, "ok: %s, %s and %s would publish %s\n", cfg, count(len(res.Keys), "key"), count(n, "client"), count(len(res.Artifacts), "file"))
	return nil
}

var clientCmd = &command{
	name:    "client",
	summary: "scaffold a client file, or compare the clients of two builds",
	usage: `Usage: wellknown client COMMAND [flags]

Examples:
  wellknown client new portal --redirect-uri https://portal.example.com/callback
  wellknown client diff base-out out       summarize what a change publishes

Commands:
  new    write clients/SLUG.yaml with defaults for a kind of client
  diff   print, as Markdown, what the clients of two built trees differ in
` + exitStatusHelp,
}

func init() {
	clientCmd.subcommands = []*command{clientNewCmd, clientDiffCmd}
}

var clientNewCmd = &command{
	name:    "client new",
	summary: "write clients/SLUG.yaml with defaults for a kind of client",
	usage: `Usage: wellknown client new SLUG [--kind web|native|service] [--name NAME]
                            [--redirect-uri URI]... [--jwks-uri URL] [--mode MODE]

Examples:
  wellknown client new portal --redirect-uri https://portal.example.com/callback
  wellknown client new field-app --kind native --redirect-uri com.example.field:/callback
  wellknown client new billing --kind service --jwks-uri https://billing.example.com/jwks.json
  wellknown client new cli --kind native --mode metadata_document

'client new' writes clients/SLUG.yaml (the directory clients.dir of
site.yaml names) with defaults for the kind of client, after checking it
against the site. It never replaces an existing file.
  web      a server-side app: authorization_code (+ refresh_token),
           private_key_jwt with a jwks_uri (default: the redirect URI's
           origin + /.well-known/jwks.json); needs --redirect-uri
  native   a mobile or desktop app: public (auth method none), PKCE,
           loopback http://127.0.0.1/callback unless --redirect-uri is given
  service  a machine client: client_credentials, private_key_jwt; needs --jwks-uri

Flags:
  -c, --config FILE         the site configuration (default site.yaml)
      --kind KIND           web, native or service (default web)
      --name NAME           client_name (default: the slug)
      --redirect-uri URI    a redirect URI; repeat for more
      --jwks-uri URL        where the client publishes its public keys
      --mode MODE           pre_registered or metadata_document (default: clients.mode of site.yaml)
      --clock TIME          the registration date written as client_id_issued_at (default: today)
` + exitStatusHelp,
	flags: func(fs *pflag.FlagSet) {
		fs.StringP("config", "c", "site.yaml", "")
		fs.String("kind", "web", "")
		fs.String("name", "", "")
		fs.StringArray("redirect-uri", nil, "")
		fs.String("jwks-uri", "", "")
		fs.String("mode", "", "")
		fs.String("clock", "", "")
	},
	run: func(_ context.Context, e *env, fs *pflag.FlagSet, args []string) error {
		return runClientNew(e, fs, args)
	},
}

var clientDiffCmd = &command{
	name:    "client diff",
	summary: "print, as Markdown, what the clients of two built trees differ in",
	usage: `Usage: wellknown client diff [--path DIR] OLD NEW

Examples:
  wellknown client diff base-out out       summarize what a change publishes

'client diff' compares two output directories and prints, as Markdown, the
clients added, changed (field by field) and removed, and the other files
that change. The pull-request workflow posts 'wellknown diff --markdown',
which covers the whole tree.

Flags:
      --path DIR    the client directory in the trees (default clients)
` + exitStatusHelp,
	flags: func(fs *pflag.FlagSet) {
		fs.String("path", config.DefaultClientsPath, "")
	},
	run: func(_ context.Context, e *env, fs *pflag.FlagSet, args []string) error {
		return runClientDiff(e, fs, args)
	},
}

func runClientDiff(e *env, fs *pflag.FlagSet, args []string) error {
	if len(args) != 2 {
		return usagef("client diff takes two output directories: OLD NEW")
	}
	dir, _ := fs.GetString("path")
	d, err := clients.Compare(args[0], args[1], strings.Trim(dir, "/"))
	if err != nil {
		return fmt.Errorf("client diff: %w", err)
	}
	_, err = e.stdout.Write(d.Markdown())
	return err
}

// kind is a kind of client 'client new' knows defaults for.
type kind struct {
	Name, Title string
	AuthMethod  string
	Grants      []string // the first is required; the others only if the site allows them
	Scopes      []string // used when the site lists them
}

var kinds = map[string]kind{
	"web":     {Name: "web", Title: "A server-side web application", AuthMethod: "private_key_jwt", Grants: []string{"authorization_code", "refresh_token"}, Scopes: []string{"openid", "profile", "email"}},
	"native":  {Name: "native", Title: "A native (mobile or desktop) app", AuthMethod: "none", Grants: []string{"authorization_code", "refresh_token"}, Scopes: []string{"openid", "profile", "offline_access"}},
	"service": {Name: "service", Title: "A service (machine-to-machine) client", AuthMethod: "private_key_jwt", Grants: []string{"client_credentials"}},
}

func runClientNew(e *env, fs *pflag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usagef("client new takes one argument: the client's slug")
	}
	slug := args[0]
	if err := clients.CheckSlug(slug); err != nil {
		return usagef("%v", err)
	}
	cfg, _ := fs.GetString("config")
	kindName, _ := fs.GetString("kind")
	k, ok := kinds[kindName]
	if !ok {
		return usagef("--kind must be web, native or service, not %q", kindName)
	}
	name, _ := fs.GetString("name")
	if name == "" {
		name = slug
	}
	redirects, _ := fs.GetStringArray("redirect-uri")
	jwksURI, _ := fs.GetString("jwks-uri")
	mode, _ := fs.GetString("mode")
	if mode != "" {
		if _, ok := config.ParseClientMode(mode); !ok {
			return usagef("--mode must be pre_registered or metadata_document, not %q", mode)
		}
	}
	now, err := clock(e, fs)
	if err != nil {
		return err
	}
	switch k.Name {
	case "web":
		if len(redirects) == 0 {
			return usagef("a web client needs --redirect-uri")
		}
		if jwksURI == "" {
			if u, err := url.Parse(redirects[0]); err == nil && u.Scheme == "https" && u.Host != "" {
				jwksURI = "https://" + u.Host + "/.well-known/jwks.json"
			}
		}
	case "native":
		if len(redirects) == 0 {
			redirects = []string{"http://127.0.0.1/callback"}
		}
	case "service":
		if len(redirects) > 0 {
			return usagef("a service client uses no redirects; leave out --redirect-uri")
		}
		if jwksURI == "" {
			return usagef("a service client needs --jwks-uri: the URL of its public keys")
		}
	}

	site, d := config.Load(cfg)
	if site == nil || d.HasErrors() {
		return printFailure(e, d, "fix site.yaml first")
	}
	allowed := func(field string, v string) bool {
		l, ok := site.Lookup(field)
		if !ok {
			return false
		}
		return slices.Contains(l.Value.([]string), v)
	}
	grants := k.Grants[:1]
	for _, g := range k.Grants[1:] {
		if allowed("grant_types_supported", g) {
			grants = append(grants, g)
		}
	}
	var scopes []string
	for _, s := range k.Scopes {
		if allowed("scopes_supported", s) {
			scopes = append(scopes, s)
		}
	}
	data := struct {
		Kind                       kind
		Mode, Name, JWKSURI, Scope string
		AuthMethod, Date           string
		RedirectURIs, Grants       []string
	}{k, mode, name, jwksURI, strings.Join(scopes, " "), k.AuthMethod, now.Format(time.DateOnly), redirects, grants}
	body, err := renderScaffold(data)
	if err != nil {
		return err
	}

	// Check the new file with the others before writing it, so a file that
	// would break the build is never created.
	dir, display := clients.DirOf(site)
	file := path.Join(display, slug+clients.Ext)
	var srcs []clients.Source
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("client new: %w", err)
	}
	for _, en := range entries {
		n := en.Name()
		if strings.HasSuffix(n, clients.Ext) && en.Type().IsRegular() {
			if strings.EqualFold(n, slug+clients.Ext) {
				return fmt.Errorf("%s: a client file of that name exists already; edit it, or choose another slug", path.Join(display, n))
			}
			b, err := os.ReadFile(filepath.Join(dir, n))
			if err != nil {
				return fmt.Errorf("client new: %w", err)
			}
			srcs = append(srcs, clients.Source{Name: n, Data: b})
		}
	}
	srcs = append(srcs, clients.Source{Name: slug + clients.Ext, Data: body})
	_, d = clients.New(site, srcs)
	var mine, others diag.List
	for _, x := range d.Errors() {
		if x.Path == file {
			mine.Add(x)
		} else {
			others.Add(x)
		}
	}
	if mine.HasErrors() {
		return printFailure(e, &mine, file+" was not written")
	}

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("client new: %w", err)
	}
	out, err := os.OpenFile(filepath.Join(dir, slug+clients.Ext), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("client new: %w", err)
	}
	if _, err := out.Write(body); err != nil {
		out.Close()
		return fmt.Errorf("client new: %s: %w", file, err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("client new: %s: %w", file, err)
	}
	fmt.Fprintf(e.stdout, "created %s (%s)\n", file, k.Title)
	fmt.Fprintf(e.stdout, "next: review it, run 'wellknown check', and open a pull request\n")
	if others.HasErrors() {
		fmt.Fprintln(e.stderr, others.Err())
		fmt.Fprintf(e.stderr, "other files have %s; the build fails until they are fixed\n", count(len(others.Errors()), "error"))
		return errSilent
	}
	return nil
}

func printFailure(e *env, d *diag.List, what string) error {
	printDiagnostics(e.stderr, d.Warnings())
	if err := d.Err(); err != nil {
		fmt.Fprintln(e.stderr, err)
		fmt.Fprintf(e.stderr, "%s: %s\n", count(len(d.Errors()), "error"), what)
	}
	return errSilent
}

func renderScaffold(data any) ([]byte, error) {
	t, err := templates.Parse("client.yaml.tmpl", template.FuncMap{
		// JSON strings are YAML double-quoted scalars: a value from a flag
		// is quoted, never read as YAML syntax.
		"json": func(s string) (string, error) {
			var b strings.Builder
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			err := enc.Encode(s)
			return strings.TrimSuffix(b.String(), "\n"), err
		},
		"join": func(l []string) string { return strings.Join(l, ", ") },
	})
	if err != nil {
		return nil, fmt.Errorf("client new: %w", err)
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("client new: %w", err)
	}
	return []byte(b.String()), nil
}
