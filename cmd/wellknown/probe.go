package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
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

Examples:
  wellknown probe https://id.example.com
      after deploying out/, check every published file on the live site
  wellknown probe https://example.github.io/project --dir public
  wellknown serve & wellknown probe http://127.0.0.1:8080
  wellknown probe https://id.internal.example --cacert corp-root.pem
      a site behind a private CA (or serve --tls, with the certificate
      serve printed)

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
` + `
Exit status:
  0  the live site serves the tree as built
  1  at least one problem (each is listed), or the tree or FILE cannot
     be read
  2  wrong usage: unknown flag, missing or malformed URL
`,
	flags: func(fs *pflag.FlagSet) {
		fs.String("dir", "out", "the built tree")
		fs.Duration("timeout", 10*time.Second, "limit for each request")
		fs.String("cacert", "", "trust only the CA certificates in this PEM file")
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
	base := &http.Client{Timeout: timeout}
	if f, _ := fs.GetString("cacert"); f != "" {
		roots, err := certPool(f)
		if err != nil {
			return fmt.Errorf("probe: %w", err)
		}
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.TLSClientConfig = &tls.Config{RootCAs: roots}
		base.Transport = t
	}
	c := probe.Client(base)
	ps := probe.Check(ctx, c, args[0], as)
	for _, p := range ps {
		fmt.Fprintln(e.stdout, p)
	}
	// A refused preflight is a warning: no host that reads _headers answers
	// one, and simple GETs still work.
	for _, w := range probe.Preflight(ctx, c, args[0], as) {
		fmt.Fprintln(e.stderr, w)
	}
	if len(ps) > 0 {
		fmt.Fprintf(e.stderr, "probe: %d problems in %d files\n", len(ps), len(as))
		return errSilent
	}
	fmt.Fprintf(e.stdout, "ok: %d files served as built\n", len(as))
	return nil
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
