package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/hosting"
	"github.com/wellknown-dev/wellknown/generator/immutable"
	"github.com/wellknown-dev/wellknown/generator/keys"
	"github.com/wellknown-dev/wellknown/generator/publish"
	"github.com/wellknown-dev/wellknown/generator/sign"
	"github.com/wellknown-dev/wellknown/generator/tree"
)

var buildCmd = &command{
	name:    "build",
	summary: "build the site into the output directory",
	usage: `Usage: wellknown build [--config site.yaml] [--out out] [--clock TIME] [--sign-key KEY]
                       [--json] [--strict] [--quiet] [--no-wait]

Examples:
  wellknown build                          build ./site.yaml and ./keys into ./out
  wellknown build --config prod/site.yaml --out public
  wellknown build --clock 2027-01-31       build as of a date (retired keys past it are dropped)
  wellknown build --sign-key publisher.key sign every file (verify with: wellknown verify --key publisher.pub out)
  wellknown build --sign-key env:WELLKNOWN_SIGN_KEY   sign with a PEM held in a CI secret
  wellknown build --sign-key 'pkcs11:token=site;object=publisher?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:PIN'

Reads site.yaml and the key directory it names, checks them against
RFC 8414, OpenID Connect Discovery and RFC 7517, and writes the discovery
documents and the JWK Set into the output directory. The directory is
replaced whole: a failed or interrupted build leaves the previous one as it
was. It must be absent, empty, or a previous build (holding digests.json or
signatures/SHA256SUMS); a directory holding anything else is refused.

Builds and imports of one directory take turns, under a lock beside it
(.out.lock for out): a second one says it is waiting, or with --no-wait
fails at once. The next build removes the temporary trees (.out.new-*)
that a killed build left. A client whose file is unchanged since the last
build is taken from the client cache beside DIR (.out.cache), its files
kept from the previous tree. SIGINT, SIGTERM or SIGHUP before the new tree is
swapped in stops the build (exit 130, 143, 129), out unchanged; after it,
the build finishes. A second signal stops it at once.

Encrypted private keys in the key directory are decrypted with the password
in the environment variable ` + keys.PasswordEnv + `. A cosign-encrypted
signing key is decrypted with the password in ` + sign.PasswordEnv + `, as cosign does.
The signing key never enters the output; keep it outside the key directory.

Flags:
  -c, --config FILE   the site configuration (default site.yaml)
  -o, --out DIR       the output directory (default out)
      --clock TIME    the build's date, 2027-01-31 or RFC 3339 (default:
                      $SOURCE_DATE_EPOCH if set, else now)
      --sign-key KEY  sign the tree with this key: a PEM file (or
                      cosign-encrypted), env:NAME (a PEM in that variable),
                      a pkcs11: URI (RFC 7512), or awskms://, gcpkms://,
                      azurekms://, hashivault:// (ECDSA P-256/P-384/P-521,
                      Ed25519 or RSA; Ed25519 in PEM only)
      --no-wait       fail at once if another build is writing DIR
      --no-cache      check, render and sign every client again and write a
                      new tree, trusting nothing an earlier build left: use
                      no client cache (.DIR.cache) or spare tree (.DIR.spare)
                      beside DIR, and remove them
` + outputHelp + progressHelp + exitStatusHelp,
	flags: func(fs *pflag.FlagSet) {
		fs.StringP("config", "c", "site.yaml", "")
		fs.StringP("out", "o", "out", "")
		fs.String("clock", "", "")
		fs.String("sign-key", "", "")
		outputFlags(fs)
		noWaitFlag(fs)
		fs.Bool("no-cache", false, "")
		progressFlags(fs)
	},
	run: runBuild,
}

func runBuild(ctx context.Context, e *env, fs *pflag.FlagSet, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	cfg, _ := fs.GetString("config")
	out, _ := fs.GetString("out")
	now, err := clock(e, fs)
	if err != nil {
		return err
	}
	meter, err := newProgress(e, fs, "build")
	if err != nil {
		return err
	}
	var signer *sign.Signer
	if p, _ := fs.GetString("sign-key"); p != "" {
		if signer, err = sign.LoadSigner(p, e.getenv); err != nil {
			return fmt.Errorf("--sign-key: %w", err)
		}
		defer signer.Close()
		if !signer.Deterministic() {
			// ECDSA in a token or KMS signs with random nonces: keep
			// the last tree's signatures of unchanged files, so an
			// unchanged site rebuilds to the same bytes.
			if prev, _, err := tree.Read(out); err == nil {
				signer.Reuse(prev)
			}
		}
	}
	// The build writes into the new tree as it renders (see publish.Build),
	// so that it holds only what the indexes need, whatever the number of
	// clients. Its problems are judged before the tree is swapped in, so
	// that --strict leaves out as it was.
	report := newOutput(e, fs, "build")
	var res *generator.Result
	var reported error
	checked := false
	verb := "publish"
	wo := writeOptions(e, fs)
	wo.Progress = meter
	// The client cache sits beside out with the spare tree whose files it
	// names; --no-cache uses neither, and removes both.
	var cache string
	if !wo.NoSpare {
		cache = publish.CachePath(out)
	}
	err = wo.Build(ctx, out, func(sink artifact.Sink) ([]artifact.Artifact, error) {
		var err error
		res, err = generator.BuildContext(ctx, generator.Options{Config: cfg, Now: now, Getenv: e.getenv, Signer: signer, Sink: sink, Progress: meter,
			Cache: cache, Tool: toolID()})
		var problems *diag.Errors
		if err != nil && (ctx.Err() != nil || !errors.As(err, &problems)) {
			verb = "build"
			return nil, err
		}
		// A build that a full disk stopped is run again into a tree of its
		// own (see publish.Options): its problems are said once.
		if !checked {
			checked = true
			reported = report.check(res, err, "build failed", "; "+out+" was not changed")
		}
		if reported != nil {
			return nil, reported
		}
		// What the clients gave is written beside the cache while the
		// tree is synced, and kept for the next build only once this one
		// is published: a failed one, --strict's included, leaves the
		// cache as it was.
		publish.Beside(sink, res.Clients.WriteCache())
		return res.Artifacts, nil
	})
	if reported != nil {
		return reported
	}
	var we *publish.WriteError
	if errors.As(err, &we) {
		return publishFailed(ctx, "publish", out, we)
	}
	if err != nil {
		return publishFailed(ctx, verb, out, err)
	}
	if report.json {
		report.emit(buildSummary(res, out, signer != nil))
		return nil
	}
	if report.quiet {
		return nil
	}
	summary(e.stdout, out, res)
	if signer != nil {
		fmt.Fprintf(e.stdout, "signed with %s (public key: %s/%s)\n", signer.Fingerprint(), out, sign.PublicKeyPath)
	} else {
		fmt.Fprintln(e.stdout, "unsigned: pass --sign-key to sign every file for offline verification")
	}
	return nil
}

// clock is the build's date: --clock, else SOURCE_DATE_EPOCH (the
// reproducible-builds convention, seconds since 1970), else now.
func clock(e *env, fs *pflag.FlagSet) (time.Time, error) {
	v, _ := fs.GetString("clock")
	if v == "" {
		if epoch := e.getenv("SOURCE_DATE_EPOCH"); epoch != "" {
			sec, err := strconv.ParseInt(epoch, 10, 64)
			if err != nil || sec < 0 {
				return time.Time{}, usagef("SOURCE_DATE_EPOCH %q is not a number of seconds", epoch)
			}
			return time.Unix(sec, 0).UTC(), nil
		}
		return time.Now().UTC(), nil
	}
	t, err := config.ParseDate(v)
	if err != nil {
		return time.Time{}, usagef("--clock: %v", err)
	}
	return t, nil
}

func printDiagnostics(w io.Writer, ds []diag.Diagnostic) {
	for _, d := range ds {
		fmt.Fprintln(w, d.String())
	}
}

// count says "1 key", "2 keys".
func count(n int, noun string) string { return countAs(n, noun, noun+"s") }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func countAs(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// summary prints one screen: what was written and which keys are in the set.
func summary(w io.Writer, out string, res *generator.Result) {
	var issuers []string
	for _, iss := range res.Site.Issuers {
		issuers = append(issuers, iss.Issuer)
	}
	fmt.Fprintf(w, "built %s for %s %s\n", out, plural(len(issuers), "issuer", "issuers"), strings.Join(issuers, ", "))
	var listed []artifact.Artifact
	copies, control, sigs := 0, 0, 0
	manifest := false
	for _, a := range res.Artifacts {
		switch {
		case immutable.IsCopy(a.Path):
			copies++
		case strings.HasPrefix(a.Path, sign.FileSigDir+"/") && strings.HasSuffix(a.Path, ".sig"):
			sigs++
		case strings.HasPrefix(a.Path, sign.Dir+"/"):
			manifest = manifest || a.Path == sign.ManifestPath
		case hosting.IsControl(a.Path):
			control++
		default:
			listed = append(listed, a)
		}
	}
	const most = 12 // keep the summary on one screen, whatever the registry's size
	width := 0
	for _, a := range listed[:min(most, len(listed))] {
		width = max(width, len(a.Path)+1)
	}
	for _, a := range listed[:min(most, len(listed))] {
		fmt.Fprintf(w, "  %-*s %7d bytes\n", width, "/"+a.Path, a.Len())
	}
	if n := len(listed) - most; n > 0 {
		fmt.Fprintf(w, "  … and %s more\n", count(n, "document"))
	}
	fmt.Fprintf(w, "  + %s under /%s/, and %s for static hosts\n", countAs(copies, "content-addressed copy", "content-addressed copies"), immutable.Dir, count(control, "control file"))
	if c := res.Clients; c != nil && c.Cached > 0 {
		fmt.Fprintf(w, "  %d of %s unchanged, taken from the client cache (%s)\n", c.Cached, count(len(c.Clients), "client"), filepath.Base(publish.CachePath(out)))
	}
	if sigs > 0 {
		fmt.Fprintf(w, "  + %s and as many Sigstore bundles, the manifest and the publisher key under /%s/\n", count(sigs, "signature"), sign.Dir)
	} else if manifest {
		fmt.Fprintf(w, "  + the signed manifest and the publisher key under /%s/, no per-file signatures (signing.per_file: false)\n", sign.Dir)
	}
	fmt.Fprintf(w, "%s published:\n", count(len(res.Keys), "key"))
	summarizeKeys(w, res.Keys)
	if len(res.FederationKeys) > 0 {
		fmt.Fprintf(w, "%s published in the entity configuration:\n", count(len(res.FederationKeys), "federation key"))
		summarizeKeys(w, res.FederationKeys)
	}
	if n := len(res.Warnings); n > 0 {
		fmt.Fprintf(w, "%s (see above)\n", count(n, "warning"))
	}
}

// summarizeKeys prints one line per key: state, algorithm, type, kid, files.
func summarizeKeys(w io.Writer, ks []keys.Key) {
	for _, k := range ks {
		line := fmt.Sprintf("  %-8s %-7s %-10s %s  %s", k.State, k.JWK.Algorithm, keys.Desc(k.JWK.Key), k.JWK.KeyID, strings.Join(k.Files, ", "))
		if len(k.JWK.Certificates) > 0 {
			c := k.JWK.Certificates[0]
			line += fmt.Sprintf("  (certificate %s, expires %s)", c.Subject, c.NotAfter.UTC().Format(time.DateOnly))
		}
		if k.State == config.Retired {
			line += "  until " + k.PublishedUntil.Format(time.DateOnly)
		}
		fmt.Fprintln(w, line)
	}
}
