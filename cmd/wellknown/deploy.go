package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/wellknown-dev/wellknown/generator/deploy"
	"github.com/wellknown-dev/wellknown/generator/sign"
	"github.com/wellknown-dev/wellknown/generator/tree"
	"github.com/wellknown-dev/wellknown/probe"
)

var deployCmd = &command{
	name:    "deploy",
	summary: "publish the built tree to S3, GCS, Azure Blob or a directory",
	usage: `Usage: wellknown deploy URL [--dir out] [--dry-run] [--json] [--probe BASE_URL]

Examples:
  wellknown deploy 's3://id-example-com?region=eu-west-1'
  wellknown deploy gs://id-example-com --probe https://id.example.com
  wellknown deploy azblob://site            (AZURE_STORAGE_ACCOUNT, AZURE_STORAGE_KEY)
  wellknown deploy 's3://site?endpoint=http://127.0.0.1:7070&use_path_style=true'
  wellknown deploy 's3://shared?prefix=id/' --dry-run
  wellknown deploy file:///srv/www --json

URL is a gocloud.dev/blob bucket URL: s3://BUCKET, gs://BUCKET,
azblob://CONTAINER or file:///DIR, with the driver's parameters (region=,
prefix=, endpoint=, use_path_style=). Credentials come only from each SDK's
own chain and environment (AWS_ACCESS_KEY_ID, AWS_PROFILE,
GOOGLE_APPLICATION_CREDENTIALS, STORAGE_EMULATOR_HOST,
AZURE_STORAGE_ACCOUNT and AZURE_STORAGE_KEY or AZURE_STORAGE_CONNECTION_STRING),
and are never printed.

deploy lists the bucket once and compares each object's size, digests and
stored headers with the tree, without downloading anything. It uploads what
is new or changed, rewrites what only has the wrong headers (Content-Type,
Cache-Control, Content-Disposition, Content-Encoding, Content-Language,
exactly as serve sends them), and deletes what the tree no longer holds, in
this order, each phase finished before the next:
  1. targets    content-addressed copies, JWKS, client documents, their signatures
  2. documents  /.well-known/ metadata, client indexes, digests.json
  3. manifest   signatures/SHA256SUMS and its signature
  4. deletes    at most --max-deletes objects
so an interrupted deploy leaves a consistent site, and the next run completes
it. A signed tree must verify (as verify does) before anything is sent.
CORS and X-Content-Type-Options cannot be stored on objects: configure them
on the bucket or the CDN (see the README), and check with --probe.

Flags:
      --dir DIR           the built tree (default out)
      --dry-run           print the plan and change nothing
      --json              print {"uploaded","updated","deleted","unchanged","invalidate"}
      --workers N         writes at once (default 16)
      --max-deletes N     refuse a plan deleting more objects (default 256; -1: no limit)
      --key FILE          the publisher's public key (PEM) the tree must be signed by
      --probe BASE_URL    after the deploy, check the live site against the tree
      --timeout DURATION  limit for each --probe request (default 10s)
      --progress          show progress on stderr even when it is not a terminal
                          (one line per phase) or the deploy is small
      --no-progress       never show progress (by default a terminal shows it
                          for 2,000 objects or more, unless CI is set,
                          TERM=dumb, or --json is given)

Exit status:
  0  deployed (or, with --dry-run, planned)
  1  the tree is not a valid wellknown build, the store cannot be reached or
     refused a write, too many deletions, or --probe found differences
  2  wrong usage: unknown flag, missing URL, unknown URL scheme
`,
	flags: func(fs *pflag.FlagSet) {
		fs.String("dir", "out", "the built tree")
		fs.Bool("dry-run", false, "print the plan and change nothing")
		fs.Bool("json", false, "print the result as JSON")
		fs.Int("workers", 16, "writes at once")
		fs.Int("max-deletes", 256, "refuse a plan deleting more objects (-1: no limit)")
		fs.String("key", "", "the publisher's public key (PEM)")
		fs.String("probe", "", "check the live site at this URL after deploying")
		fs.Duration("timeout", 10*time.Second, "limit for each --probe request")
		progressFlags(fs)
	},
	run: runDeploy,
}

// deployResult is the --json output.
type deployResult struct {
	Uploaded   []string `json:"uploaded"`
	Updated    []string `json:"updated"`
	Deleted    []string `json:"deleted"`
	Unchanged  int      `json:"unchanged"`
	Invalidate []string `json:"invalidate"`
}

func runDeploy(ctx context.Context, e *env, fs *pflag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usagef("deploy takes one bucket URL (%s)", strings.Join(deploy.Schemes(), "://, ")+"://")
	}
	dir, _ := fs.GetString("dir")
	dry, _ := fs.GetBool("dry-run")
	asJSON, _ := fs.GetBool("json")
	workers, _ := fs.GetInt("workers")
	maxDeletes, _ := fs.GetInt("max-deletes")
	probeURL, _ := fs.GetString("probe")
	timeout, _ := fs.GetDuration("timeout")
	if workers < 1 {
		return usagef("--workers must be at least 1")
	}
	meter, err := newProgress(e, fs, "deploy")
	if err != nil {
		return err
	}
	if probeURL != "" {
		u, err := url.Parse(probeURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return usagef("--probe %q is not an http(s) URL of a site root", probeURL)
		}
	}
	target := deploy.Redact(args[0])
	if err := deploy.CheckURL(args[0]); errors.Is(err, deploy.ErrScheme) {
		return usagef("%v", err)
	} else if err != nil {
		return fmt.Errorf("deploy: %w", err)
	}

	files, err := deploy.Read(dir)
	if err != nil {
		return fmt.Errorf("deploy: %w", err)
	}
	if err := verifyBeforeDeploy(e, fs, dir); err != nil {
		return err
	}

	b, err := deploy.Open(ctx, args[0])
	if err != nil {
		return withHint(fmt.Errorf("deploy: %w", err), deploy.Hint(err))
	}
	defer b.Close()
	want := make(map[string]bool, len(files))
	for _, f := range files {
		want[f.Path] = true
	}
	remote, err := deploy.ListMetered(ctx, b, want, workers, meter)
	if err != nil {
		return withHint(fmt.Errorf("deploy: %s: %w", target, err), deploy.Hint(err))
	}
	plan := deploy.NewPlan(files, remote)

	if dry && !asJSON {
		printPlan(e.stdout, plan)
	}
	if !dry {
		opt := deploy.Options{Workers: workers, MaxDeletes: maxDeletes, Progress: meter}
		if err := plan.Apply(ctx, b, opt); err != nil {
			hint := deploy.Hint(err)
			if !errors.Is(err, deploy.ErrTooManyDeletes) {
				hint = strings.TrimSpace(hint + "\nhint: run the same deploy again to complete it; the store serves a consistent site meanwhile")
			}
			return withHint(fmt.Errorf("deploy: %s: %w", target, err), hint)
		}
	}

	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(deployResult{plan.Uploaded(), plan.Updated(), plan.Deleted(), plan.Unchanged, plan.Invalidate()}); err != nil {
			return err
		}
	} else {
		verb := "deployed"
		if dry {
			verb = "would deploy"
		}
		fmt.Fprintf(e.stdout, "%s %s to %s: %d uploaded, %d updated, %d deleted, %d unchanged\n",
			verb, dir, target, len(plan.Uploaded()), len(plan.Updated()), len(plan.Deleted()), plan.Unchanged)
		if n := len(plan.Invalidate()); n > 0 && !dry {
			fmt.Fprintf(e.stdout, "a CDN in front of it must invalidate %d paths (--json lists them)\n", n)
		}
		if hs := deploy.Unstorable(files); len(hs) > 0 && !plan.Empty() && !dry {
			fmt.Fprintf(e.stdout, "note: objects cannot carry %s: set them on the bucket (CORS) or the CDN, then check with --probe\n", strings.Join(hs, ", "))
		}
	}

	if probeURL != "" && !dry {
		c := probe.Client(&http.Client{Timeout: timeout})
		ps := probe.Check(ctx, c, probeURL, deploy.Artifacts(files))
		for _, p := range ps {
			fmt.Fprintln(e.stderr, p)
		}
		if len(ps) > 0 {
			fmt.Fprintf(e.stderr, "deploy: --probe: %d problems in %d files served at %s\n", len(ps), len(files), probeURL)
			return errSilent
		}
		if !asJSON {
			fmt.Fprintf(e.stdout, "probe: %d files served as built at %s\n", len(files), probeURL)
		}
	}
	return nil
}

// verifyBeforeDeploy refuses a signed tree that verify would reject. An
// unsigned tree is deployed as it is (a build without a signing key), unless
// --key asks for a signature.
func verifyBeforeDeploy(e *env, fs *pflag.FlagSet, dir string) error {
	keyPath, _ := fs.GetString("key")
	if _, err := os.Stat(dir + "/" + sign.ManifestPath); err != nil && keyPath == "" {
		return nil
	}
	opts, err := verifyOptions(fs)
	if err != nil {
		return fmt.Errorf("deploy: %w", err)
	}
	files, irregular, err := tree.Read(dir)
	if err != nil {
		return fmt.Errorf("deploy: %w", err)
	}
	rep := sign.Verify(files, opts)
	for _, err := range irregular {
		rep.Problems = append(rep.Problems, sign.Problem{Msg: err.Error()})
	}
	switch rep.Status() {
	case sign.Valid, sign.Untrusted:
		return nil
	}
	for _, p := range rep.Problems {
		if p.Path == "" {
			fmt.Fprintf(e.stderr, "%s: %s\n", dir, p.Msg)
		} else {
			fmt.Fprintf(e.stderr, "%s/%s: %s\n", dir, p.Path, p.Msg)
		}
	}
	fmt.Fprintf(e.stderr, "deploy: %s\n\thint: the tree fails verify; rebuild it, nothing was sent\n", rep.Verdict(dir))
	return errSilent
}

// printPlan lists every action, phase by phase, for --dry-run.
func printPlan(w io.Writer, p *deploy.Plan) {
	for _, a := range p.Actions {
		fmt.Fprintf(w, "%-9s %-6s %s (%s)\n", a.Phase, a.Kind, a.Path, a.Reason)
	}
}

// withHint appends hint on lines of its own, keeping err for errors.Is.
func withHint(err error, hint string) error {
	if hint == "" {
		return err
	}
	return fmt.Errorf("%w\n%s", err, hint)
}
