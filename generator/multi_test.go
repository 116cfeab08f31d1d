package generator_test

import (
	"context"
	"crypto/elliptic"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/wellknown-dev/wellknown/generator/publish"
	tk "github.com/wellknown-dev/wellknown/internal/testkeys"
)

// TestMultiGolden pins the published tree of examples/multi, a site with
// two issuers: every file's bytes and headers. Run with -update after a
// deliberate change and review the diff.
func TestMultiGolden(t *testing.T) {
	checkGolden(t, build(t, "../examples/multi/site.yaml"), filepath.Join("testdata", "golden", "multi"))
}

// multiSite writes a site with two issuers below root: one publishing the
// shared keys, one its own and with a dot in its path, as a Keycloak realm
// may have; it returns the path of its site.yaml.
func multiSite(t *testing.T, root string) string {
	t.Helper()
	dir := t.TempDir()
	tk.Write(t, filepath.Join(dir, "keys"), "rsa.pem", tk.PKCS8(t, tk.RSA(t, 0)))
	tk.Write(t, filepath.Join(dir, "keys"), "ec.pem", tk.PKCS8(t, tk.EC(t, elliptic.P256())))
	tk.Write(t, filepath.Join(dir, "b-keys"), "rsa.pem", tk.PKCS8(t, tk.RSA(t, 1)))
	var b strings.Builder
	fmt.Fprintf(&b, "issuers:\n")
	for _, tenant := range []string{"a", "my.realm"} {
		iss := root + "/t/" + tenant
		fmt.Fprintf(&b, "  - issuer: %s\n", iss)
		if tenant == "my.realm" {
			fmt.Fprintf(&b, "    key_dir: b-keys\n")
		}
		fmt.Fprintf(&b, `    metadata:
      authorization_endpoint: %[1]s/authorize
      token_endpoint: %[1]s/token
      response_types_supported: [code]
      subject_types_supported: [public]
      id_token_signing_alg_values_supported: [RS256]
      code_challenge_methods_supported: [S256]
`, iss)
	}
	return tk.Write(t, dir, "site.yaml", []byte(b.String()))
}

// TestRelyingPartyEachIssuer serves a two-issuer site over TLS and lets
// coreos/go-oidc discover each issuer, as a relying party of that tenant.
func TestRelyingPartyEachIssuer(t *testing.T) {
	var files http.Handler
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { files.ServeHTTP(w, r) }))
	defer srv.Close()
	res := build(t, multiSite(t, srv.URL))
	out := filepath.Join(t.TempDir(), "out")
	if err := publish.Write(out, res.Artifacts); err != nil {
		t.Fatal(err)
	}
	files = http.FileServer(http.Dir(out))
	ctx := oidc.ClientContext(context.Background(), srv.Client())
	jwks := map[string]string{"a": srv.URL + "/jwks.json", "my.realm": srv.URL + "/t/my.realm/jwks.json"}
	for tenant, wantJWKS := range jwks {
		t.Run(tenant, func(t *testing.T) {
			iss := srv.URL + "/t/" + tenant
			p, err := oidc.NewProvider(ctx, iss)
			if err != nil {
				t.Fatalf("go-oidc cannot discover %s: %v", iss, err)
			}
			var claims struct {
				JWKSURI string `json:"jwks_uri"`
			}
			if err := p.Claims(&claims); err != nil {
				t.Fatal(err)
			}
			if claims.JWKSURI != wantJWKS {
				t.Errorf("jwks_uri %s, want %s", claims.JWKSURI, wantJWKS)
			}
			if p.Endpoint().TokenURL != iss+"/token" {
				t.Errorf("token endpoint %s", p.Endpoint().TokenURL)
			}
		})
	}
	// RFC 8414 §3.1 inserts the issuer's path after the name, so the
	// document's name ends in ".realm": its type comes from the name.
	for _, a := range res.Artifacts {
		if a.Path == ".well-known/oauth-authorization-server/t/my.realm" {
			if ct := a.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("%s is served as %q", a.Path, ct)
			}
			return
		}
	}
	t.Error("no RFC 8414 document for the issuer with a dot in its path")
}
