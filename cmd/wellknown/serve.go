package main

import (
	"context"
	"fmt"
	"log"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/wellknown-dev/wellknown/serve"
)

var serveCmd = &command{
	name:    "serve",
	summary: "preview a built tree with the headers production will send",
	usage: `Usage: wellknown serve [--dir out] [--addr 127.0.0.1:8080] [--tls]

Examples:
  wellknown build && wellknown serve
      serve out/ at http://127.0.0.1:8080/
  wellknown serve --tls
      serve https://localhost:8080/ with a self-signed certificate, written
      once and printed, for a relying party that insists on https
  curl -i http://127.0.0.1:8080/.well-known/openid-configuration

serve sends exactly the headers in the tree's _headers, the file Netlify and
Cloudflare Pages apply and every other host format is generated from, so
what you preview is what production sends. It answers GET and HEAD (with
ETag and If-None-Match), CORS preflights (OPTIONS), and 404 for every path
_headers does not list. Files are read only inside the tree: a symbolic link
out of it is answered 403. Only regular files are ever opened: a named pipe,
socket or device in the tree is skipped with a warning (403 if _headers
names it). A rebuilt tree is picked up on the next request. Ctrl-C or
SIGTERM stops it within 5 seconds, after the requests in flight.

Flags:
      --dir DIR        the built tree (default out)
      --addr ADDR      host:port to listen on (default 127.0.0.1:8080; port 0 picks one)
      --tls            serve https with a self-signed certificate for localhost
      --tls-dir DIR    where the certificate and its key (0600) are kept
                       (default: wellknown/tls in the user config directory);
                       a .gitignore there keeps the key out of git
` + exitStatusHelp,
	flags: func(fs *pflag.FlagSet) {
		fs.String("dir", "out", "the built tree")
		fs.String("addr", "127.0.0.1:8080", "host:port to listen on")
		fs.Bool("tls", false, "serve https with a self-signed certificate")
		fs.String("tls-dir", "", "where the certificate and key are kept")
	},
	run: runServe,
}

// shutdownGrace leaves a second of the 5 s a stop may take for closing
// connections and exiting.
const shutdownGrace = 4 * time.Second

func runServe(ctx context.Context, e *env, fs *pflag.FlagSet, args []string) error {
	if len(args) > 0 {
		return usagef("serve takes no arguments, got %q", args[0])
	}
	dir, _ := fs.GetString("dir")
	addr, _ := fs.GetString("addr")
	useTLS, _ := fs.GetBool("tls")
	tlsDir, _ := fs.GetString("tls-dir")

	h, err := serve.New(dir, log.New(e.stderr, "", 0))
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	var cert, key string
	scheme := "http"
	if useTLS {
		if tlsDir == "" {
			cfg, err := os.UserConfigDir()
			if err != nil {
				return fmt.Errorf("serve: %w\nhint: name a directory with --tls-dir", err)
			}
			tlsDir = filepath.Join(cfg, "wellknown", "tls")
		}
		kept, err := serve.KeepKeyOutOfGit(tlsDir)
		if err != nil {
			return fmt.Errorf("serve: certificate: cannot keep its key out of git: %w", err)
		}
		if kept.Wrote != "" {
			fmt.Fprintf(e.stdout, "wrote %s (%s: keeps the preview key out of git)\n", kept.Wrote, serve.KeyFile)
		}
		if kept.Not {
			fmt.Fprintf(e.stderr, "warning: %s: git does not ignore it, although %s says so; never commit it\n", filepath.Join(tlsDir, serve.KeyFile), kept.Wrote)
		}
		var created bool
		if cert, key, created, err = serve.LocalCert(tlsDir); err != nil {
			return fmt.Errorf("serve: certificate: %w", err)
		}
		verb := "using"
		if created {
			verb = "created"
		}
		fmt.Fprintf(e.stdout, "%s certificate %s (key %s); trust it in the client under test, e.g. SSL_CERT_FILE=%s\n", verb, cert, key, cert)
		scheme = "https"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	n, broken := h.Files()
	host := ln.Addr().String()
	if useTLS {
		if _, port, err := net.SplitHostPort(host); err == nil {
			host = net.JoinHostPort("localhost", port) // the name the certificate holds
		}
	}
	fmt.Fprintf(e.stdout, "serving %d files of %s at %s://%s/ (Ctrl-C to stop)\n", n, dir, scheme, host)
	if len(broken) > 0 {
		fmt.Fprintf(e.stdout, "%d files listed in _headers cannot be served and answer 403: %v\n", len(broken), broken)
	}
	// SIGINT or SIGTERM stops serve within 5 s: requests in flight get
	// shutdownGrace, then every connection is closed.
	if err := serve.Serve(ctx, ln, h, cert, key, shutdownGrace); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintln(e.stdout, "stopped")
	return nil
}
