package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/keys"
	"github.com/wellknown-dev/wellknown/generator/lifecycle"
	"github.com/wellknown-dev/wellknown/generator/publish"
)

var keysCmd = &command{
	name:    "keys",
	summary: "generate, import, list and rotate the site's keys",
	usage: `Usage: wellknown keys COMMAND [flags]

Examples:
  wellknown keys generate --type ec-p256 --cert   a new key, published as next
  wellknown keys list                             every key, its state and what is due
  wellknown keys rotate                           next → active, active → retired
  wellknown keys import kms-key.pem               a public key whose private half stays in a KMS

Commands:
  generate   write a new private key (and certificate) and add it to site.yaml as next
  import     copy a public key or certificate into the key directory as next
  list       print every key: kid, type, alg, use, state, certificate, next change
  rotate     promote next keys and retire the active keys they replace

A rotation is an edit of site.yaml that you review and commit; every edit
keeps the file's comments and layout. The build refuses a step taken too
early and names the date that makes it safe (see 'Key rotation' in the README).
` + exitStatusHelp,
}

func init() {
	keysCmd.subcommands = []*command{keysGenerateCmd, keysImportCmd, keysListCmd, keysRotateCmd}
}

// siteFlags are the flags every keys command takes.
func siteFlags(fs *pflag.FlagSet) {
	fs.StringP("config", "c", "site.yaml", "")
	fs.String("clock", "", "")
}

const siteFlagsHelp = `  -c, --config FILE   the site configuration (default site.yaml)
      --clock TIME    the time to act at, 2027-01-31 or RFC 3339 (default: now)
`

var keysGenerateCmd = &command{
	name:    "keys generate",
	summary: "write a new key and add it to site.yaml",
	usage: `Usage: wellknown keys generate --type TYPE [--cert [--days N]] [--state next|active] [--name FILE]

Examples:
  wellknown keys generate --type ec-p256            keys/ec-p256-YYYYMMDD.pem, as next
  wellknown keys generate --type rsa-2048 --cert    with a self-signed certificate (x5c)
  wellknown keys generate --type ed25519 --state active --name first.pem

Writes a new private key (PKCS#8 PEM, mode 0600, never over an existing
file) into the key directory and adds its entry to site.yaml. A next key
gets published_since, the time it is published from; it may become active
once caches have held it for the JWKS cache lifetime (wellknown keys rotate).
--state active skips that wait: only for a site's first key, or after a
compromise, when relying parties that cached the old key set are expected
to fail for a while.

Types: ` + strings.Join(keys.Types, ", ") + `

Flags:
  -t, --type TYPE     the key type (required)
      --cert          also write a self-signed certificate, published as x5c
      --days N        the certificate's validity in days (default 365)
      --state STATE   next (default) or active
      --name FILE     the key file's name in the key directory
                      (default TYPE-YYYYMMDD.pem; the certificate is FILE.crt)
` + siteFlagsHelp + exitStatusHelp,
	flags: func(fs *pflag.FlagSet) {
		fs.StringP("type", "t", "", "")
		fs.Bool("cert", false, "")
		fs.Int("days", 365, "")
		fs.String("state", "next", "")
		fs.String("name", "", "")
		siteFlags(fs)
	},
	run: runKeysGenerate,
}

var keysImportCmd = &command{
	name:    "keys import",
	summary: "import a public key or certificate",
	usage: `Usage: wellknown keys import FILE [--name NAME] [--state next|active]

Examples:
  wellknown keys import kms-signing.pub              keys/kms-signing.pub, as next
  wellknown keys import hsm.crt --name hsm-2027.crt  a certificate chain, leaf first

Copies a public key (PEM), certificate chain (PEM, leaf first) or public JWK
exported from an HSM or KMS into the key directory (mode 0644, never over an
existing file) and adds its entry to site.yaml, as keys generate does. A
file holding a private key is refused: its private half must not enter
the repository this way.

Flags:
      --name NAME     the file's name in the key directory (default: FILE's name)
      --state STATE   next (default) or active
` + siteFlagsHelp + exitStatusHelp,
	flags: func(fs *pflag.FlagSet) {
		fs.String("name", "", "")
		fs.String("state", "next", "")
		siteFlags(fs)
	},
	run: runKeysImport,
}

var keysRotateCmd = &command{
	name:    "keys rotate",
	summary: "promote next keys and retire the keys they replace",
	usage: `Usage: wellknown keys rotate [--dry-run] [--config site.yaml] [--clock TIME]

Examples:
  wellknown keys rotate
  wellknown keys rotate --dry-run            print the change, write nothing

Every next key becomes active, and the active keys with its use and alg
become retired: retired_since is now, and published_until is now plus
token_lifetime plus the JWKS cache lifetime, when its last token has
expired everywhere. An active key with no next key of its kind stays.
Refused, naming the safe date, while a next key has been published for
less than the cache lifetime.

Flags:
  -n, --dry-run       print the change without writing site.yaml
` + siteFlagsHelp + exitStatusHelp,
	flags: func(fs *pflag.FlagSet) {
		fs.BoolP("dry-run", "n", false, "")
		siteFlags(fs)
	},
	run: runKeysRotate,
}

// site is what the keys commands read: the configuration, its text, and
// the key directory.
type site struct {
	*config.Site
	src  []byte
	keys []keys.Key
}

// loadSite reads site.yaml and the key directory, printing warnings. Input
// errors are printed and give errSilent. Adding a key needs only site.yaml:
// with keysOptional, the key directory's problems (it may not exist yet)
// are left to the build.
func loadSite(e *env, fs *pflag.FlagSet, now time.Time, keysOptional bool) (*site, error) {
	cfg, _ := fs.GetString("config")
	src, err := os.ReadFile(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot read configuration: %w", cfg, diag.Cause(err))
	}
	st, d := config.Parse(cfg, src)
	if !d.HasErrors() {
		ks, kd := keys.Load(keys.Options{
			Dir:         st.Resolve(st.KeyDir),
			Display:     filepath.ToSlash(st.Resolve(st.KeyDir)),
			DirPos:      st.Where("key_dir"),
			Settings:    st.Keys,
			Password:    func() ([]byte, bool) { v := e.getenv(keys.PasswordEnv); return []byte(v), v != "" },
			Now:         now,
			KeepExpired: true,
			KidScheme:   st.KidScheme,
		})
		if !keysOptional {
			d.Merge(kd)
		}
		if !d.HasErrors() {
			printDiagnostics(e.stderr, d.Warnings())
			return &site{Site: st, src: src, keys: ks}, nil
		}
	}
	printDiagnostics(e.stderr, d.Warnings())
	fmt.Fprintln(e.stderr, d.Err())
	return nil, errSilent
}

func stateFlag(fs *pflag.FlagSet) (config.State, error) {
	v, _ := fs.GetString("state")
	switch s := config.State(v); s {
	case config.Next, config.Active:
		return s, nil
	}
	return "", usagef("--state must be next or active, not %q", v)
}

func runKeysGenerate(_ context.Context, e *env, fs *pflag.FlagSet, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	typ, _ := fs.GetString("type")
	withCert, _ := fs.GetBool("cert")
	days, _ := fs.GetInt("days")
	name, _ := fs.GetString("name")
	switch {
	case typ == "":
		return usagef("--type is required: one of %s", strings.Join(keys.Types, ", "))
	case fs.Changed("days") && !withCert:
		return usagef("--days applies to the certificate; add --cert")
	case days < 1:
		return usagef("--days must be at least 1")
	}
	state, err := stateFlag(fs)
	if err != nil {
		return err
	}
	now, err := clock(e, fs)
	if err != nil {
		return err
	}
	if name == "" {
		name = fmt.Sprintf("%s-%s.pem", typ, now.Format("20060102"))
	}
	s, err := loadSite(e, fs, now, true)
	if err != nil {
		return err
	}
	k, err := keys.Generate(typ)
	if err != nil {
		return usagef("--type: %v", err)
	}
	files := []newFile{{name: name, mode: 0o600, what: keys.Desc(k.Public()) + " private key"}}
	if files[0].data, err = keys.PrivatePEM(k); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	var expiry time.Time
	if withCert {
		certName := strings.TrimSuffix(name, filepath.Ext(name)) + ".crt"
		subject := "wellknown signing key"
		if u, err := url.Parse(s.Issuer); err == nil && u.Host != "" {
			subject = u.Host + " signing key"
		}
		data, err := keys.SelfSign(k, subject, now, days)
		if err != nil {
			return fmt.Errorf("%s: %w", certName, err)
		}
		expiry = now.UTC().Truncate(time.Second).AddDate(0, 0, days)
		files = append(files, newFile{name: certName, data: data, mode: 0o644, what: "self-signed certificate, expires " + lifecycle.Stamp(expiry)})
	}
	var chain []*x509.Certificate
	if withCert {
		if b, _ := pem.Decode(files[1].data); b != nil {
			if c, err := x509.ParseCertificate(b.Bytes); err == nil {
				chain = append(chain, c)
			}
		}
	}
	kid, err := keys.KeyID(s.KidScheme, k.Public(), chain)
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n\thint: add --cert\n", s.File, err)
		return errSilent
	}
	return addKey(e, s, files, state, now, kid)
}

func runKeysImport(_ context.Context, e *env, fs *pflag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usagef("want one file to import, got %d arguments", len(args))
	}
	state, err := stateFlag(fs)
	if err != nil {
		return err
	}
	now, err := clock(e, fs)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(args[0])
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], diag.Cause(err))
	}
	pub, err := keys.ReadPublic(data)
	if errors.Is(err, keys.ErrPrivate) {
		fmt.Fprintf(e.stderr, "%s: holds a private key; keys import takes public keys and certificates only\n\thint: export the public half (openssl pkey -pubout), or use wellknown keys generate\n", args[0])
		return errSilent
	}
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	name, _ := fs.GetString("name")
	if name == "" {
		name = filepath.Base(args[0])
	}
	s, err := loadSite(e, fs, now, true)
	if err != nil {
		return err
	}
	what := keys.Desc(pub.Key) + " public key"
	if len(pub.Chain) > 0 {
		what += fmt.Sprintf(" with a certificate for %s, expires %s", pub.Chain[0].Subject, lifecycle.Stamp(pub.Chain[0].NotAfter))
	}
	kid, err := pub.KeyID(s.KidScheme)
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	return addKey(e, s, []newFile{{name: name, data: data, mode: 0o644, what: what}}, state, now, kid)
}

type newFile struct {
	name string
	data []byte
	mode os.FileMode
	what string
}

// addKey writes new key files and their entry into site.yaml. The edit is
// made in memory first, and a file is never written over: a failure leaves
// the key directory and site.yaml as they were.
func addKey(e *env, s *site, files []newFile, state config.State, now time.Time, kid string) error {
	entry := files[0].name
	if entry != filepath.Base(entry) || entry == "." || entry == ".." || strings.HasPrefix(entry, ".") {
		return usagef("--name %q must be a file name in the key directory", entry)
	}
	for _, k := range s.Keys {
		if k.File == entry {
			fmt.Fprintf(e.stderr, "%s: keys entry %s already exists\n", k.Pos[""], entry)
			return errSilent
		}
	}
	out, err := lifecycle.Add(s.src, entry, state, now)
	if err != nil {
		return fmt.Errorf("%s: %w", s.File, err)
	}
	if _, d := config.Parse(s.File, out); d.HasErrors() {
		return fmt.Errorf("%s: the edit would not parse, so nothing was written: %w", s.File, d.Err())
	}
	dir := s.Resolve(s.KeyDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var written []string
	undo := func() {
		for _, p := range written {
			os.Remove(p)
		}
	}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := writeNew(p, f.data, f.mode); err != nil {
			undo()
			if errors.Is(err, os.ErrExist) {
				fmt.Fprintf(e.stderr, "%s: already exists; wellknown never writes over a key file\n\thint: choose another name with --name\n", p)
				return errSilent
			}
			return err
		}
		written = append(written, p)
	}
	if err := publish.File(s.File, out); err != nil {
		undo()
		return err
	}
	for _, f := range files {
		fmt.Fprintf(e.stdout, "wrote %s (%s, mode %04o)\n", filepath.ToSlash(filepath.Join(s.KeyDir, f.name)), f.what, f.mode)
	}
	fmt.Fprintf(e.stdout, "added keys.%s to %s: state %s, kid %s\n", entry, s.File, state, kid)
	if state == config.Next {
		fmt.Fprintf(e.stdout, "next: build and deploy; from %s (the JWKS cache lifetime later) run wellknown keys rotate\n",
			lifecycle.Stamp(lifecycle.ActiveFrom(s.Site, now.UTC().Truncate(time.Second))))
	} else if len(s.keys) > 0 {
		fmt.Fprintf(e.stderr, "warning: %s is active at once: relying parties that cached the key set reject its tokens for up to %s\n", entry, s.JWKSCacheLifetime())
	}
	return nil
}

// writeNew creates path with O_EXCL: an existing key is never replaced.
func writeNew(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err1 := f.Sync(); err == nil {
		err = err1
	}
	if err1 := f.Close(); err == nil {
		err = err1
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func runKeysRotate(_ context.Context, e *env, fs *pflag.FlagSet, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	dry, _ := fs.GetBool("dry-run")
	now, err := clock(e, fs)
	if err != nil {
		return err
	}
	s, err := loadSite(e, fs, now, false)
	if err != nil {
		return err
	}
	plan, d := lifecycle.Rotate(s.Site, s.keys, now)
	if d.HasErrors() {
		fmt.Fprintln(e.stderr, d.Err())
		fmt.Fprintf(e.stderr, "rotate refused: %s was not changed\n", s.File)
		return errSilent
	}
	out, err := plan.Apply(s.src)
	if err != nil {
		return fmt.Errorf("%s: %w", s.File, err)
	}
	if _, d := config.Parse(s.File, out); d.HasErrors() {
		return fmt.Errorf("%s: the edit would not parse, so nothing was written: %w", s.File, d.Err())
	}
	for _, k := range plan.Promote {
		fmt.Fprintf(e.stdout, "%s (kid %s): next → active\n", lifecycle.Entry(k), k.JWK.KeyID)
	}
	for _, k := range plan.Retire {
		fmt.Fprintf(e.stdout, "%s (kid %s): active → retired, published until %s\n", lifecycle.Entry(k), k.JWK.KeyID, lifecycle.Stamp(plan.Until))
	}
	if plan.MetadataKey != "" {
		fmt.Fprintf(e.stdout, "signed_metadata.key: %s\n", plan.MetadataKey)
	}
	if dry {
		fmt.Fprintf(e.stdout, "dry run: %s was not changed\n", s.File)
		return nil
	}
	if err := publish.File(s.File, out); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "updated %s; review, commit, build and deploy\n", s.File)
	return nil
}
