package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/wellknown-dev/wellknown/generator/hosting"
	"github.com/wellknown-dev/wellknown/probe"
)

var probeCmd = &command{
	name:    "probe",
	summary: "check the deployed site against the built tree",
	usage: `Usage: wellknown probe URL [--dir out] [--timeout 10s] [--cacert FILE]
                       [--resolve HOST:PORT:ADDR]... [--json] [--strict] [--quiet]

Examples:
  wellknown probe https://id.example.com
      after deploying out/, check every published file on the live site
  wellknown probe https://example.github.io/project --dir public
  wellknown serve & wellknown probe http://127.0.0.1:8080
  wellknown probe https://id.internal.example --cacert corp-root.pem
      a site behind a private CA (or serve --tls, with the certificate
      serve printed)
  wellknown probe https://login.example.com --resolve login.example.com:443:127.0.0.1:8443 --cacert preview-ca.pem
      a preview on this machine, under the issuer it will be published at

URL is where the site root is published. For every file the tree's
_headers lists, probe makes one GET (with an Origin header, as a browser
would) and checks that it answers 200 without a redirect, with the built
bytes, the declared Content-Type, CORS, nosniff and Cache-Control, and that
every metadata document's issuer is, byte for byte, the URL it was fetched
from. It prints one line per problem, with what strict clients do about it.
It never follows a redirect.

Flags:
      --dir DIR          the built tree (default out)
      --timeout DURATION limit for each request (default 10s)
      --cacert FILE      trust only the CA certificates in FILE (PEM), as
                         curl --cacert does, instead of the system's
      --resolve HOST:PORT:ADDR
                         connect to ADDR for HOST:PORT, as curl --resolve
                         does; the URL, Host header and TLS name stay HOST.
                         ADDR may carry its own port (127.0.0.1:8443,
                         [::1]:8443). Repeatable
      --json             print one JSON report on stdout (see "Machine-readable
                         output" in the README) and nothing else: every
                         file with its status and problems; a usage error
                         too is that report, with its one error
      --strict           fail (exit 1) on warnings too: a refused CORS
                         preflight
  -q, --quiet            print problems only: no warnings (unless --strict
                         fails on them) and no ok line
` + `
Exit status:
  0  the live site serves the tree as built
  1  at least one problem (each is listed), a warning with --strict, or
     the tree or FILE cannot be read
  2  wrong usage: unknown flag, missing or malformed URL
`,
	flags: func(fs *pflag.FlagSet) {
		fs.String("dir", "out", "the built tree")
		fs.Duration("timeout", 10*time.Second, "limit for each request")
		fs.String("cacert", "", "trust only the CA certificates in this PEM file")
		fs.StringArray("resolve", nil, "connect to ADDR for HOST:PORT")
		outputFlags(fs)
	},
	run: runProbe,
}

func runProbe(ctx context.Context, e *env, fs *pflag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usagef("probe takes one URL, the published site root")
	}
	u, err := url.Parse(args[0])
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return usagef("%q is not an http(s) URL of a site root", args[0])
	}
	dir, _ := fs.GetString("dir")
	timeout, _ := fs.GetDuration("timeout")
	as, err := hosting.ReadTree(dir)
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	resolves, err := resolveFlags(fs, u)
	if err != nil {
		return err
	}
	base := &http.Client{Timeout: timeout}
	t := http.DefaultTransport.(*http.Transport).Clone()
	if f, _ := fs.GetString("cacert"); f != "" {
		roots, err := certPool(f)
		if err != nil {
			return fmt.Errorf("probe: %w", err)
		}
		t.TLSClientConfig = &tls.Config{RootCAs: roots}
	}
	if len(resolves) > 0 {
		t.Proxy = nil // the point is to reach this address, not a proxy's idea of the name
		t.DialContext = probe.Dialer(resolves, (&net.Dialer{Timeout: timeout}).DialContext)
	}
	base.Transport = t
	c := probe.Client(base)
	ps := probe.Check(ctx, c, args[0], as)
	// A refused preflight is a warning: no host that reads _headers answers
	// one, and simple GETs still work. --strict makes it fail the run, as
	// a warning fails check and build.
	warns := probe.Preflight(ctx, c, args[0], as)
	o := newOutput(e, fs, "probe")
	fail := len(ps) > 0 || (o.strict && len(warns) > 0)
	if o.json {
		r := probeReport(args[0], as, ps, warns)
		r.OK = !fail
		b, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			panic(err) // plain structs of strings and numbers always marshal
		}
		fmt.Fprintf(e.stdout, "%s\n", b)
		if fail {
			return errSilent
		}
		return nil
	}
	for _, p := range ps {
		fmt.Fprintln(e.stdout, p)
	}
	if !o.quiet || (fail && o.strict) {
		for _, w := range warns {
			fmt.Fprintln(e.stderr, w)
		}
	}
	switch {
	case len(ps) > 0:
		fmt.Fprintf(e.stderr, "probe: %d problems in %d files\n", len(ps), len(as))
		return errSilent
	case fail:
		fmt.Fprintf(e.stderr, "probe failed: %s and --strict\n", count(len(warns), "warning"))
		return errSilent
	}
	if !o.quiet {
		fmt.Fprintf(e.stdout, "ok: %d files served as built\n", len(as))
	}
	return nil
}

// resolveFlags reads the --resolve entries. One that the URL does not
// reach is a usage error: a wrong port (443 for a preview on 8443) would
// otherwise probe the real site, and seem to pass.
func resolveFlags(fs *pflag.FlagSet, u *url.URL) ([]probe.Resolve, error) {
	vs, _ := fs.GetStringArray("resolve")
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
	}
	var rs []probe.Resolve
	hit := false
	for _, v := range vs {
		r, err := probe.ParseResolve(v)
		if err != nil {
			return nil, usagef("%v", err)
		}
		hit = hit || r.Matches(net.JoinHostPort(u.Hostname(), port))
		rs = append(rs, r)
	}
	if len(rs) > 0 && !hit {
		return nil, usagef("no --resolve entry is for %s, the host and port of %s", net.JoinHostPort(u.Hostname(), port), u)
	}
	return rs, nil
}

// certPool reads the PEM certificates in file.
func certPool(file string) (*x509.CertPool, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("%s: no PEM certificate", file)
	}
	return pool, nil
}
