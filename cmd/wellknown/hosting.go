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
	summary: "write server and bucket configuration for a built tree",
	usage: `Usage: wellknown hosting [--format s3,gcs,nginx,caddy,github-pages] [--dir out] [--out hosting]

Examples:
  wellknown hosting --format nginx
      write hosting/nginx/wellknown.conf to include in a server block
  wellknown hosting --format s3
      write the CloudFront headers policy for a bucket that wellknown deploy fills
  wellknown hosting
      write every format

Netlify and Cloudflare Pages need nothing from here: they read out/_headers.
Object stores are uploaded to with wellknown deploy (s3://, gs://, azblob://).
The files written here are for whoever deploys and must not be published,
so they go next to the tree, never into it. Everything is derived from the
tree's _headers; nothing is decided again per host.

Formats and what they write below --out:
  s3            s3/cloudfront-headers-policy.json (CORS and nosniff, which S3
                cannot store per object), s3/objects.json (per-object headers)
  gcs           gcs/cors.json (the bucket's CORS), gcs/objects.json
  nginx         nginx/wellknown.conf: a location per _headers rule
  caddy         caddy/wellknown.caddy: a header block per _headers rule
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
		if next := hosting.Next[name]; next != "" {
			fmt.Fprint(e.stderr, strings.ReplaceAll(next, "OUT/", filepath.ToSlash(out)+"/"))
		}
		if name == "github-pages" {
			w, _ := hosting.GitHubPagesWarning(as)
			fmt.Fprint(e.stderr, w)
		}
	}
	return nil
}
