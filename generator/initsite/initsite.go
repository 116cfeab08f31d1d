// Package initsite makes the files of a new site, as wellknown init writes
// them: a commented site.yaml, the first key, a .gitignore, the workflows
// and a CODEOWNERS example; or the same from a running server's discovery
// document and JWK Set, so that moving to a static site is one command.
//
// It only makes the files; the command writes them (never over an
// existing file).
package initsite

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/keys"
	"github.com/wellknown-dev/wellknown/templates"
)

// File is one file of the new site.
type File struct {
	Path string // slash-separated, relative to the site directory
	Data []byte
	Mode fs.FileMode
	What string // what it is, for the summary init prints
}

// Module is the path go install fetches wellknown from in the workflows.
const Module = "github.com/wellknown-dev/wellknown/cmd/wellknown"

// GoVersion is the Go the workflows set up: go.mod's go directive, which
// go install needs at least (a test keeps the two in step).
const GoVersion = "1.26.0"

// PrivateDir holds the private key init generates. It is outside key_dir,
// so the build never reads it, and .gitignore keeps it out of git.
const PrivateDir = "private"

// Options are the settings of a new site.
type Options struct {
	Issuer string
	OpenID bool
	// KeyType is one of keys.Types; empty means DefaultKeyType(OpenID).
	KeyType string
	// GitHubPages adds the workflow that publishes the site to GitHub Pages.
	GitHubPages bool
	// Now dates the key's file name.
	Now time.Time
	// Version is the wellknown version the workflows install ("" or
	// "(devel)": latest).
	Version string
}

// DefaultKeyType is the first key's type. OpenID Connect requires every
// relying party to accept RS256 and every provider to offer it (OpenID
// Connect Discovery §3), so an OpenID site starts with RSA; a plain OAuth
// server starts with P-256 (ES256), smaller and faster, as docs/signing.md
// recommends.
func DefaultKeyType(openid bool) string {
	if openid {
		return "rsa-2048"
	}
	return "ec-p256"
}

// ErrNeedRSA is returned for an OpenID site whose first key is not RSA.
var ErrNeedRSA = errors.New("an OpenID Connect provider must sign ID tokens with RS256 (OpenID Connect Discovery §3), so its first key is RSA")

// New makes the files of a new site with a freshly generated key: its
// public half in keys/ (published, committed), its private half in
// private/ (ignored by git, to be moved to the server's secret store).
func New(o Options) ([]File, error) {
	if err := checkIssuer(o.Issuer); err != nil {
		return nil, err
	}
	typ := o.KeyType
	if typ == "" {
		typ = DefaultKeyType(o.OpenID)
	}
	if o.OpenID && !strings.HasPrefix(typ, "rsa-") {
		return nil, ErrNeedRSA
	}
	if !slices.Contains(keys.Types, typ) {
		return nil, fmt.Errorf("unknown key type %q; use one of %s", typ, strings.Join(keys.Types, ", "))
	}
	stem := fmt.Sprintf("%s-%s", typ, o.Now.UTC().Format("20060102"))
	keyFile, privFile := stem+".pub", PrivateDir+"/"+stem+".pem"

	u, _ := url.Parse(o.Issuer)
	data := map[string]any{
		"Issuer":      o.Issuer,
		"Origin":      u.Scheme + "://" + u.Host,
		"BaseURL":     pagesBaseURL(o.GitHubPages, u),
		"OpenID":      o.OpenID,
		"KeyFile":     keyFile,
		"PrivateFile": privFile,
		"Alg":         algOf(typ),
		"Endpoint": func(name string) string {
			return strings.TrimSuffix(o.Issuer, "/") + "/oauth2/" + name
		},
	}
	site, err := render("site.yaml.tmpl", data)
	if err != nil {
		return nil, err
	}
	if err := selfCheck(site); err != nil {
		return nil, err
	}
	// The key is made last: an RSA key takes a while, and nothing above
	// depends on it.
	k, err := keys.Generate(typ)
	if err != nil {
		return nil, err
	}
	priv, err := keys.PrivatePEM(k)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKIXPublicKey(k.Public())
	if err != nil {
		return nil, err
	}
	pub := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	kid, _ := keys.Thumbprint(k.Public())
	files := []File{
		{Path: "site.yaml", Data: site, Mode: 0o644, What: "the site configuration, issuer " + o.Issuer},
		{Path: "keys/" + keyFile, Data: pub, Mode: 0o644, What: fmt.Sprintf("%s public key, active, %s, kid %s", keys.Desc(k.Public()), algOf(typ), kid)},
		{Path: privFile, Data: priv, Mode: 0o600, What: "its private key: move it to the server's secret store, HSM or KMS"},
	}
	common, err := commonFiles(o.GitHubPages, o.Version)
	if err != nil {
		return nil, err
	}
	return append(files, common...), nil
}

// pagesBaseURL is the site root of a GitHub Pages project site
// (https://OWNER.github.io/REPO) when the issuer is below one; a user site
// or a custom domain is served at the host root, the default.
func pagesBaseURL(pages bool, u *url.URL) string {
	if !pages || !strings.HasSuffix(strings.ToLower(u.Host), ".github.io") {
		return ""
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	if first == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host + "/" + first
}

func algOf(typ string) string {
	switch typ {
	case "ec-p256":
		return "ES256"
	case "ec-p384":
		return "ES384"
	case "ec-p521":
		return "ES512"
	case "ed25519":
		return "EdDSA"
	}
	return "RS256"
}

// checkIssuer refuses what config would refuse, before a key is made for
// it, in words that name the flag rather than a line of a file not yet
// written.
func checkIssuer(issuer string) error {
	u, err := url.Parse(issuer)
	switch {
	case issuer == "":
		return errors.New("the issuer is required")
	case err != nil:
		return fmt.Errorf("issuer %q is not a URL: %w", issuer, errors.Unwrap(err))
	case u.Scheme != "https" || u.Host == "":
		return fmt.Errorf("issuer %q must be an https URL with a host (RFC 8414 §2)", issuer)
	}
	return nil
}

// selfCheck parses the site.yaml about to be written, so that init never
// writes a configuration the build refuses; what it finds is about the
// issuer, the one value the user gave.
func selfCheck(site []byte) error {
	_, d := config.Parse("site.yaml", site)
	if !d.HasErrors() {
		return nil
	}
	var msgs []string
	for _, e := range d.Errors() {
		msgs = append(msgs, e.Msg)
	}
	return errors.New(strings.Join(msgs, "; "))
}

func render(name string, data any) ([]byte, error) {
	t, err := templates.Parse(name, nil)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Install says how a workflow gets wellknown: in wellknown's own
// repository it builds the checked-out source; a site installs a release.
type Install struct {
	GoVersion   string // the setup-go input line
	InstallName string
	InstallRun  string
}

// RepositoryInstall is how wellknown's own workflows get the command.
var RepositoryInstall = Install{
	GoVersion:   "go-version-file: go.mod",
	InstallName: "Build wellknown",
	InstallRun:  `go build -o "$RUNNER_TEMP/wellknown" ./cmd/wellknown`,
}

// SiteInstall is how a site's workflows get the command: a pinned release
// when init knows its own version, else the latest.
func SiteInstall(version string) Install {
	if version == "" || strings.HasPrefix(version, "(") {
		version = "latest"
	}
	return Install{
		GoVersion:   fmt.Sprintf("go-version: %q", GoVersion),
		InstallName: "Install wellknown",
		InstallRun:  fmt.Sprintf(`GOBIN="$RUNNER_TEMP" go install %s@%s`, Module, version),
	}
}

// GoVersionAt is the setup-go input line for a checkout in dir: the
// pull-request workflow checks the base out below the workspace.
func (in Install) GoVersionAt(dir string) string {
	if v, ok := strings.CutPrefix(in.GoVersion, "go-version-file: "); ok {
		return "go-version-file: " + dir + "/" + v
	}
	return in.GoVersion
}

// Workflows are the workflow templates and where they are written.
var Workflows = []struct{ Template, Path string }{
	{"workflow-clients.yml.tmpl", ".github/workflows/clients-pr.yml"},
	{"workflow-clients-comment.yml.tmpl", ".github/workflows/clients-pr-comment.yml"},
	{"workflow-pages.yml.tmpl", ".github/workflows/pages.yml"},
}

// RenderWorkflow renders one of Workflows' templates.
func RenderWorkflow(tmpl string, in Install) ([]byte, error) {
	t, err := templates.ParseWorkflow(tmpl)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, in); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// gitignore keeps what must not be committed out of git. Git cannot tell a
// private key by its content, so private keys go where these patterns
// reach: private/, or a *.key file (the publisher key's usual name).
const gitignore = `# Made by wellknown init.
# The build's output, and what it keeps beside it (its lock, temporary
# trees, the spare tree and their indexes): the workflows build them.
/out/
/.out.*
# Upload scripts and server snippets written by wellknown hosting.
/hosting/
# Private keys never enter the repository. The build needs only the public
# keys in keys/; the authorization server keeps the private halves (an HSM,
# a KMS, or its secret store), and the publisher key (build --sign-key) is a
# CI secret.
/private/
*.key
`

// commonFiles are the files every new site gets.
func commonFiles(pages bool, version string) ([]File, error) {
	files := []File{{Path: ".gitignore", Data: []byte(gitignore), Mode: 0o644, What: "keeps out/ and private keys out of git"}}
	in := SiteInstall(version)
	for _, w := range Workflows {
		what := "checks every pull request with the base's wellknown and summarizes what the published tree gains and loses"
		if strings.HasSuffix(w.Path, "-comment.yml") {
			what = "posts that summary as one comment per pull request, running none of its code"
		}
		if strings.HasSuffix(w.Path, "pages.yml") {
			if !pages {
				continue
			}
			what = "publishes the site to GitHub Pages on every push to main and daily"
		}
		data, err := RenderWorkflow(w.Template, in)
		if err != nil {
			return nil, err
		}
		files = append(files, File{Path: w.Path, Data: data, Mode: 0o644, What: what})
	}
	owners, err := templates.Raw("CODEOWNERS.example.tmpl")
	if err != nil {
		return nil, err
	}
	files = append(files, File{Path: ".github/CODEOWNERS.example", Data: owners, Mode: 0o644, What: "copy to .github/CODEOWNERS so that reviewers approve every change"})
	return files, nil
}
