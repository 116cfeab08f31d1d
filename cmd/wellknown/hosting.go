package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/wellknown-dev/wellknown/generator/hosting"
)

var hostingCmd = &command{
	name:    "hosting",
	summary: "write upload scripts and server configuration for a built tree",
	usage: `Usage: wellknown hosting [--format s3,gcs,nginx,caddy,github-pages] [--dir out] [--out hosting]

Examples:
  wellknown hosting --format s3 && sh hosting/s3/upload.sh s3://my-bucket
      upload out/ to S3 with each file's Content-Type and Cache-Control
  wellknown hosting --format gcs && sh hosting/gcs/upload.sh gs://my-bucket
  wellknown hosting --format nginx
      write hosting/nginx/wellknown.conf to include in a server block
  wellknown hosting
      write every format

Netlify and Cloudflare Pages need nothing from here: they read out/_headers.
The files written here are for whoever deploys and must not be published,
so they go next to the tree, never into it. Everything is derived from the
tree's _headers; nothing is decided again per host.

Formats and what they write below --out:
  s3            s3/objects.json (per-object headers), s3/upload.sh (aws s3 cp),
                s3/cloudfront-headers-policy.json (CORS and nosniff)
  gcs           gcs/objects.json, gcs/upload.sh (gcloud storage cp), gcs/cors.json
  nginx         nginx/wellknown.conf
  caddy         caddy/wellknown.caddy
  github-pages  github-pages/WARNING.txt: the headers GitHub Pages cannot set

Flags:
      --format LIST  formats to write, comma-separated (default: all)
      --dir DIR      the built tree (default out)
      --out DIR      where to write (default hosting)
` + exitStatusHelp,
	flags: func(fs *pflag.FlagSet) {
		fs.StringSlice("format", nil, "formats to write")
		fs.String("dir", "out", "the built tree")
		fs.String("out", "hosting", "where to write")
	},
	run: runHosting,
}

func runHosting(_ context.Context, e *env, fs *pflag.FlagSet, args []string) error {
	if len(args) > 0 {
		return usagef("hosting takes no arguments, got %q", args[0])
	}
	formats, _ := fs.GetStringSlice("format")
	dir, _ := fs.GetString("dir")
	out, _ := fs.GetString("out")
	if len(formats) == 0 {
		formats = hosting.FormatNames()
	}
	for _, f := range formats {
		if hosting.Formats[f] == nil {
			return usagef("unknown format %q; want one of %s", f, strings.Join(hosting.FormatNames(), ", "))
		}
	}
	if a, b := filepath.Clean(out), filepath.Clean(dir); a == b || strings.HasPrefix(a, b+string(filepath.Separator)) {
		return usagef("--out %s is inside the served tree %s; deploy files must not be published", out, dir)
	}
	as, err := hosting.ReadTree(dir)
	if err != nil {
		return fmt.Errorf("hosting: %w", err)
	}
	slices.Sort(formats)
	for _, name := range slices.Compact(formats) {
		files, err := hosting.Formats[name](as)
		if err != nil {
			return fmt.Errorf("hosting: %w", err)
		}
		for _, f := range files {
			p := filepath.Join(out, filepath.FromSlash(f.Name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return fmt.Errorf("hosting: %w", err)
			}
			if err := os.WriteFile(p, f.Body, f.Mode); err != nil {
				return fmt.Errorf("hosting: %w", err)
			}
			if err := os.Chmod(p, f.Mode); err != nil { // WriteFile keeps an old file's mode
				return fmt.Errorf("hosting: %w", err)
			}
			fmt.Fprintf(e.stdout, "wrote %s\n", p)
		}
		if name == "github-pages" {
			w, _ := hosting.GitHubPagesWarning(as)
			fmt.Fprint(e.stderr, w)
		}
	}
	return nil
}
