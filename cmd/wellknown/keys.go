package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/keyops"
	"github.com/wellknown-dev/wellknown/generator/keys"
	"github.com/wellknown-dev/wellknown/generator/lifecycle"
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
  generate   write a new key pair (and certificate) and add it to site.yaml as next
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
	usage: `Usage: wellknown keys generate --type TYPE [--cert [--days N]] [--state next|active] [--name FILE] [--issuer URL | --federation]

Examples:
  wellknown keys generate --type ec-p256            keys/ec-p256-YYYYMMDD.pub and .key, as next
  wellknown keys generate --type rsa-2048 --cert    with a self-signed certificate (x5c)
  wellknown keys generate --type ed25519 --state active --name first.pub
  wellknown keys generate -t ec-p256 --issuer https://id.example.com/t/globex
  wellknown keys generate -t ec-p256 --federation   a federation signing key

Writes a new key pair into the key directory, never over an existing file:
the public key (NAME, PEM, mode 0644), which the build publishes and you
commit, and beside it the private key (STEM.key, PKCS#8 PEM, mode 0600),
which never enters git: unless git already ignores it (wellknown init's
.gitignore does), *.key is added to the key directory's .gitignore first.
The build signs with the private key where site.yaml says so
(signed_metadata.key, federation.signing_key); a checkout without it
publishes the same key set. Then the entry is added to site.yaml. Without
--name, a second key of a type on one day is TYPE-YYYYMMDD-2.pub, and so
on. The key goes to the shared key_dir unless --issuer names an issuer
with a key_dir of its own, or --federation. A next key
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
      --name FILE     the public key file's name in the key directory, and
                      the entry's (default TYPE-YYYYMMDD.pub, the first
                      free); the private key is STEM.key, the certificate
                      STEM.crt
` + keySetFlagsHelp + siteFlagsHelp + exitStatusHelp,
	flags: func(fs *pflag.FlagSet) {
		fs.StringP("type", "t", "", "")
		fs.Bool("cert", false, "")
		fs.Int("days", 365, "")
		fs.String("state", "next", "")
		fs.String("name", "", "")
		keySetFlags(fs)
		siteFlags(fs)
	},
	run: runKeysGenerate,
}

var keysImportCmd = &command{
	name:    "keys import",
	summary: "import a public key or certificate",
	usage: `Usage: wellknown keys import FILE [--name NAME] [--state next|active] [--issuer URL | --federation]

Examples:
  wellknown keys import kms-signing.pub              keys/kms-signing.pub, as next
  wellknown keys import hsm.crt --name hsm-2027.crt  a certificate chain, leaf first
  wellknown keys import signing.crt                  the certificate of a key already in keys/

Copies a public key (PEM), certificate chain (PEM, leaf first) or public JWK
exported from an HSM or KMS into the key directory (mode 0644, never over an
existing file) and adds its entry to site.yaml, as keys generate does. A
file holding a private key is refused: its private half must not enter
the repository this way.

A certificate for a key the set already holds is paired with it: written
beside the key file as KEY.crt (or NAME), so that the key publishes x5c,
x5t and x5t#S256, and site.yaml is not changed.

Flags:
      --name NAME     the file's name in the key directory, not *.key, which
                      git ignores as private keys (default: FILE's name,
                      STEM.pub for FILE.key; for a certificate that pairs,
                      KEY.crt)
      --state STATE   next (default) or active; for a new key only
` + keySetFlagsHelp + siteFlagsHelp + exitStatusHelp,
	flags: func(fs *pflag.FlagSet) {
		fs.String("name", "", "")
		fs.String("state", "next", "")
		keySetFlags(fs)
		siteFlags(fs)
	},
	run: runKeysImport,
}

var keysRotateCmd = &command{
	name:    "keys rotate",
	summary: "promote next keys and retire the keys they replace",
	usage: `Usage: wellknown keys rotate [--dry-run] [--issuer URL | --federation] [--config site.yaml] [--clock TIME]

Examples:
  wellknown keys rotate
  wellknown keys rotate --dry-run            print the change, write nothing
  wellknown keys rotate --issuer https://id.example.com/t/globex

Every next key becomes active, and the active keys with its use and alg
become retired: retired_since is now, and published_until is now plus
token_lifetime plus the JWKS cache lifetime, when its last token has
expired everywhere. An active key with no next key of its kind stays.
Refused, naming the safe date, while a next key has been published for
less than the cache lifetime. A signed_metadata.key or
federation.signing_key naming a retiring key moves to its successor.
One key set at a time: the shared key_dir unless --issuer or
--federation chooses another.

Flags:
  -n, --dry-run       print the change without writing site.yaml
` + keySetFlagsHelp + siteFlagsHelp + exitStatusHelp,
	flags: func(fs *pflag.FlagSet) {
		fs.BoolP("dry-run", "n", false, "")
		keySetFlags(fs)
		siteFlags(fs)
	},
	run: runKeysRotate,
}

// keySetFlags choose the key set a keys command acts on.
func keySetFlags(fs *pflag.FlagSet) {
	fs.String("issuer", "", "")
	fs.Bool("federation", false, "")
}

const keySetFlagsHelp = `      --issuer URL    the key set this issuer publishes (its own key_dir,
                      or the shared one)
      --federation    the federation key set
`

// keyOptions reads the flags every keys command takes.
func keyOptions(e *env, fs *pflag.FlagSet) (keyops.Options, error) {
	o := keyops.Options{Password: func() ([]byte, bool) { v := e.getenv(keys.PasswordEnv); return []byte(v), v != "" }}
	o.Config, _ = fs.GetString("config")
	o.Set, _ = fs.GetString("issuer")
	if fed, _ := fs.GetBool("federation"); fed {
		if o.Set != "" {
			return o, usagef("--issuer and --federation each choose one key set; give one")
		}
		o.Set = lifecycle.Federation
	}
	var err error
	o.Now, err = clock(e, fs)
	return o, err
}

// openSite opens site.yaml with the key set the flags choose.
func openSite(e *env, fs *pflag.FlagSet) (*keyops.Site, error) {
	o, err := keyOptions(e, fs)
	if err != nil {
		return nil, err
	}
	s, d, err := keyops.Open(o)
	if err := keysDone(e, d, err); err != nil {
		return nil, err
	}
	return s, nil
}

// keysDone prints the problems of a keys command and says how it ends: a
// usage error, input errors (printed: errSilent), or another failure.
func keysDone(e *env, d *diag.List, err error) error {
	if d != nil {
		printDiagnostics(e.stderr, d.Warnings())
		if d.HasErrors() {
			fmt.Fprintln(e.stderr, d.Err())
			err = errSilent
		}
	}
	var ue *keyops.UsageError
	if errors.As(err, &ue) {
		return usagef("%s", ue.Msg)
	}
	return err
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
	nk := keyops.NewKey{}
	nk.Type, _ = fs.GetString("type")
	nk.Cert, _ = fs.GetBool("cert")
	nk.Days, _ = fs.GetInt("days")
	nk.Name, _ = fs.GetString("name")
	switch {
	case nk.Type == "":
		return usagef("--type is required: one of %s", strings.Join(keys.Types, ", "))
	case fs.Changed("days") && !nk.Cert:
		return usagef("--days applies to the certificate; add --cert")
	case nk.Days < 1:
		return usagef("--days must be at least 1")
	}
	var err error
	if nk.State, err = stateFlag(fs); err != nil {
		return err
	}
	s, err := openSite(e, fs)
	if err != nil {
		return err
	}
	a, d, err := s.Generate(nk)
	if a != nil {
		a.Write(e.stdout)
	}
	return keysDone(e, d, err)
}

func runKeysImport(_ context.Context, e *env, fs *pflag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usagef("want one file to import, got %d arguments", len(args))
	}
	var state config.State
	if fs.Changed("state") {
		var err error
		if state, err = stateFlag(fs); err != nil {
			return err
		}
	}
	name, _ := fs.GetString("name")
	s, err := openSite(e, fs)
	if err != nil {
		return err
	}
	im, d, err := s.Import(args[0], name, state)
	if im != nil {
		im.Write(e.stdout)
	}
	return keysDone(e, d, err)
}

func runKeysRotate(_ context.Context, e *env, fs *pflag.FlagSet, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	dry, _ := fs.GetBool("dry-run")
	s, err := openSite(e, fs)
	if err != nil {
		return err
	}
	r, d, err := s.Rotate(dry)
	if r != nil {
		r.Write(e.stdout)
	}
	if err := keysDone(e, d, err); !errors.Is(err, errSilent) {
		return err
	}
	fmt.Fprintf(e.stderr, "rotate refused: %s was not changed\n", s.File)
	return errSilent
}
