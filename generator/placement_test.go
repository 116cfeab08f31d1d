package generator_test

import (
	"crypto/elliptic"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/diag"
	tk "github.com/wellknown-dev/wellknown/internal/testkeys"
)

// placementSite writes a site.yaml with the given body over a key directory
// holding one RSA key, and returns its path.
func placementSite(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	tk.Write(t, filepath.Join(dir, "keys"), "rsa.pem", tk.PKCS8(t, tk.RSA(t, 0)))
	tk.Write(t, filepath.Join(dir, "own"), "ec.pem", tk.PKCS8(t, tk.EC(t, elliptic.P256())))
	tk.Write(t, filepath.Join(dir, "own"), "rsa.pem", tk.PKCS8(t, tk.RSA(t, 1)))
	return tk.Write(t, dir, "site.yaml", []byte(body))
}

// issuerEntry is an issuers entry with the least metadata a build accepts.
func issuerEntry(iss string, extra ...string) string {
	s := "  - issuer: " + iss + "\n"
	for _, e := range extra {
		s += "    " + e + "\n"
	}
	return s + "    metadata: {authorization_endpoint: https://h.example/a, token_endpoint: https://h.example/t, response_types_supported: [code], subject_types_supported: [public], id_token_signing_alg_values_supported: [RS256], code_challenge_methods_supported: [S256]}\n"
}

// TestIssuerPlacement lists where every document of a site goes, for
// issuers with and without paths, and the conflicts a file tree cannot hold.
func TestIssuerPlacement(t *testing.T) {
	cases := []struct {
		name  string
		yaml  string
		paths []string // documents and key sets published
		errs  []string // without the file name
	}{
		{
			name: "one issuer without a path",
			yaml: "issuers:\n" + issuerEntry("https://h.example"),
			paths: []string{
				".well-known/oauth-authorization-server",
				".well-known/openid-configuration",
				"jwks.json",
			},
		},
		{
			name: "two issuers with paths, shared and own keys",
			yaml: "issuers:\n" + issuerEntry("https://h.example/t/a") + issuerEntry("https://h.example/t/b/", "key_dir: own", "openid: false"),
			paths: []string{
				".well-known/oauth-authorization-server/t/a",
				".well-known/oauth-authorization-server/t/b",
				".well-known/openid-configuration/t/a",
				"jwks.json",
				"t/a/.well-known/openid-configuration",
				"t/b/jwks.json",
			},
		},
		{
			name: "issuer at the root and one below it",
			yaml: "issuers:\n" + issuerEntry("https://h.example") + issuerEntry("https://h.example/t"),
			errs: []string{
				"4:5: issuer https://h.example/t needs /.well-known/oauth-authorization-server as a directory for /.well-known/oauth-authorization-server/t, but issuer https://h.example (site.yaml:2:5) publishes a file there\n\thint: a static file tree cannot hold both: publish one of them from another host, or under another path",
				"4:5: issuer https://h.example/t needs /.well-known/openid-configuration as a directory for /.well-known/openid-configuration/t, but issuer https://h.example (site.yaml:2:5) publishes a file there\n\thint: a static file tree cannot hold both: publish one of them from another host, or under another path",
			},
		},
		{
			name: "two own key sets at one path",
			yaml: "issuers:\n" + issuerEntry("https://h.example/a", "key_dir: own", "jwks_path: /k.json") + issuerEntry("https://h.example/b", "key_dir: own", "jwks_path: /k.json"),
			errs: []string{
				"8:5: issuer https://h.example/b and issuer https://h.example/a (site.yaml:4:5) both publish /k.json\n\thint: give one of them another path; a static file tree holds one document per path",
			},
		},
		{
			name: "own key set at a discovery document's path",
			yaml: "issuers:\n" + issuerEntry("https://h.example/a", "key_dir: own", "jwks_path: /a/.well-known/openid-configuration"),
			errs: []string{
				"4:5: issuer https://h.example/a publishes a discovery document and a JWK Set both at /a/.well-known/openid-configuration",
			},
		},
		{
			name: "shared key set where an issuer needs a directory",
			yaml: "jwks_path: /t\nissuers:\n" + issuerEntry("https://h.example/t/a"),
			errs: []string{
				"1:1: issuer https://h.example/t/a publishes a JWK Set at /t and needs it as a directory for /t/a/.well-known/openid-configuration",
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			config := placementSite(t, tc.yaml)
			res, err := buildErr(config)
			if len(tc.errs) > 0 {
				if got := errorLines(err, config); !slices.Equal(got, tc.errs) {
					t.Errorf("errors (%v):\n%s\nwant:\n%s", err, strings.Join(got, "\n"), strings.Join(tc.errs, "\n"))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range res.Artifacts {
				if !strings.HasPrefix(a.Path, "immutable/") && !strings.HasPrefix(a.Path, "_") && !strings.HasPrefix(a.Path, ".nojekyll") && a.Path != "digests.json" {
					got = append(got, a.Path)
				}
			}
			if !slices.Equal(got, tc.paths) {
				t.Errorf("published:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.paths, "\n"))
			}
		})
	}
}

// errorLines returns the diagnostics of a failed build as users see them,
// without the directory of config and its file name.
func errorLines(err error, config string) []string {
	var got []string
	if e, ok := err.(*diag.Errors); ok {
		for _, d := range e.List {
			got = append(got, strings.TrimPrefix(strings.ReplaceAll(d.String(), filepath.Dir(config)+"/", ""), "site.yaml:"))
		}
	}
	return got
}
