// Package sitetest builds small published trees for tests, standing in for
// the render and publish phases: a representative artifact list with
// content-addressed copies, headers and control files, and a writer that
// puts it on disk.
package sitetest

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/headers"
	"github.com/wellknown-dev/wellknown/generator/hosting"
	"github.com/wellknown-dev/wellknown/generator/immutable"
)

// JWKS is the fixture key set (the RFC 7517 §3 P-256 example key).
const JWKS = `{"keys":[{"kty":"EC","crv":"P-256","kid":"oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U","use":"sig","alg":"ES256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}` + "\n"

// Rendered returns what render would produce for issuer, before the
// immutable and headers phases: both metadata placements, the JWKS, a
// client document, a signature and a public key.
func Rendered(issuer string) []artifact.Artifact {
	u, err := url.Parse(issuer)
	if err != nil {
		panic(err)
	}
	p := strings.Trim(u.Path, "/")
	oauth, oidc, jwks := ".well-known/oauth-authorization-server", ".well-known/openid-configuration", "jwks.json"
	if p != "" {
		oauth += "/" + p
		oidc = p + "/" + oidc
		jwks = p + "/" + jwks
	}
	base := strings.TrimSuffix(issuer, "/")
	meta := fmt.Sprintf(`{"issuer":%q,"authorization_endpoint":"%s/authorize","token_endpoint":"%s/token","jwks_uri":"%s/jwks.json","response_types_supported":["code"],"subject_types_supported":["public"],"id_token_signing_alg_values_supported":["RS256","ES256"],"code_challenge_methods_supported":["S256"]}`+"\n",
		issuer, base, base, base)
	return []artifact.Artifact{
		{Path: oauth, Body: []byte(meta)},
		{Path: oidc, Body: []byte(meta)},
		{Path: jwks, Body: []byte(JWKS)},
		{Path: "clients/cli.json", Body: []byte(`{"client_id":"` + base + `/clients/cli.json","client_name":"CLI","redirect_uris":["http://127.0.0.1/callback"],"token_endpoint_auth_method":"none"}` + "\n")},
		{Path: jwks + ".sig", Body: []byte("untrusted comment: fixture\nRWQf6LRCGA9i5\n")},
		{Path: "publisher.pub", Body: []byte("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n")},
	}
}

// Site returns the full artifact list for issuer, as publish receives it:
// copies, headers and control files included.
func Site(t testing.TB, issuer string) []artifact.Artifact {
	t.Helper()
	as, err := immutable.Add(Rendered(issuer))
	if err != nil {
		t.Fatal(err)
	}
	as, err = headers.Apply(as, headers.DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	as, err = hosting.Control(as)
	if err != nil {
		t.Fatal(err)
	}
	return as
}

// Published drops the control files: what is served.
func Published(as []artifact.Artifact) []artifact.Artifact {
	var out []artifact.Artifact
	for _, a := range as {
		if !hosting.IsControl(a.Path) {
			out = append(out, a)
		}
	}
	return out
}

// Write writes as below dir, as publish would (without its atomic swap).
func Write(t testing.TB, dir string, as []artifact.Artifact) {
	t.Helper()
	for _, a := range as {
		p := filepath.Join(dir, filepath.FromSlash(a.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, a.Body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Tree writes Site(issuer) into a new temporary directory and returns it.
func Tree(t testing.TB, issuer string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out")
	Write(t, dir, Site(t, issuer))
	return dir
}

// Header returns h with only the named keys, for comparisons.
func Header(h http.Header, keys ...string) http.Header {
	out := http.Header{}
	for _, k := range keys {
		if v := h.Values(k); len(v) > 0 {
			out[http.CanonicalHeaderKey(k)] = v
		}
	}
	return out
}

// Example builds the repository's example site (site.yaml and keys/) with
// the real pipeline: what `wellknown build` writes into out/.
func Example(t testing.TB) []artifact.Artifact {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	res, err := generator.Build(generator.Options{
		Config: filepath.Join(root, "site.yaml"),
		Now:    time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC),
		Getenv: func(string) string { return "" },
	})
	if err != nil {
		t.Fatalf("build the example site: %v", err)
	}
	return res.Artifacts
}
