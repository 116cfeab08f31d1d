package config_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/config"
)

// runCases checks what Parse says of each case.
func runCases(t *testing.T, cases []parseCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, d := config.Parse("site.yaml", []byte(tc.yaml))
			if got := render(d.Errors()); !slices.Equal(got, tc.errs) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.errs, "\n"))
			}
			if got := render(d.Warnings()); !slices.Equal(got, tc.warns) {
				t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.warns, "\n"))
			}
			if tc.check != nil {
				if s == nil {
					t.Fatal("Parse returned no Site")
				}
				tc.check(t, s)
			}
		})
	}
}

var issuerCases = []parseCase{
	{
		name: "single issuer is the one-element list",
		yaml: lines(okIssuer),
		check: func(t *testing.T, s *config.Site) {
			if len(s.Issuers) != 1 || s.Issuers[0] != s || !s.SharedKeys {
				t.Errorf("issuers %v, shared keys %v", s.Issuers, s.SharedKeys)
			}
		},
	},
	{
		name: "two issuers, shared and own keys",
		yaml: lines(
			"issuers:",
			"  - issuer: https://id.example.com/t/a",
			"    metadata: {token_endpoint: https://id.example.com/t/a/token}",
			"  - issuer: https://id.example.com/t/b",
			"    openid: false",
			"    key_dir: b-keys",
			"    keys: {rsa.pem: {alg: RS256}}",
		),
		check: func(t *testing.T, s *config.Site) {
			if got := s.BaseURL.String(); got != "https://id.example.com" {
				t.Errorf("base_url %s, want the first issuer's origin", got)
			}
			a, b := s.Issuers[0], s.Issuers[1]
			if !a.SharedKeys || a.JWKSPath != "jwks.json" || a.JWKSURI != "https://id.example.com/jwks.json" || a.KeyDir != "keys" {
				t.Errorf("issuer a: shared %v, %s, %s, %s", a.SharedKeys, a.JWKSPath, a.JWKSURI, a.KeyDir)
			}
			if b.SharedKeys || b.JWKSPath != "t/b/jwks.json" || b.JWKSURI != "https://id.example.com/t/b/jwks.json" || b.KeyDir != "b-keys" || b.OpenID {
				t.Errorf("issuer b: shared %v, %s, %s, %s, openid %v", b.SharedKeys, b.JWKSPath, b.JWKSURI, b.KeyDir, b.OpenID)
			}
			if len(b.Keys) != 1 || b.Keys[0].Alg != "RS256" {
				t.Errorf("issuer b keys %v", b.Keys)
			}
			if got := b.Where("key_dir").String(); got != "site.yaml:6:14" { // its value: the directory named
				t.Errorf("key_dir at %s", got)
			}
			if got := b.Entry().String(); got != "site.yaml:4:5" {
				t.Errorf("entry at %s", got)
			}
		},
	},
	{
		name: "derived jwks_uri of an issuer with its own keys",
		yaml: lines(
			"issuers:",
			"  - issuer: https://id.example.com/t/a",
			"    key_dir: a-keys",
			"    jwks_path: /a.json",
			"    metadata: {jwks_uri: https://id.example.com/jwks.json}",
		),
		errs: []string{"site.yaml:5:26: jwks_uri is derived as \"https://id.example.com/a.json\"; the value here disagrees\n\thint: remove jwks_uri from metadata; wellknown fills it in"},
	},
	{
		name: "issuer settings at the top level beside issuers",
		yaml: lines(
			"issuer: https://id.example.com",
			"metadata: {token_endpoint: https://id.example.com/token}",
			"issuers:",
			"  - issuer: https://id.example.com/t/a",
		),
		errs: []string{
			"site.yaml:1:1: issuer goes in each entry of issuers, not at the top level",
			"site.yaml:2:1: metadata goes in each entry of issuers, not at the top level",
		},
	},
	{
		name: "entry errors, all at once",
		yaml: lines(
			"issuers:",
			"  - issuer: http://id.example.com/t/a",
			"    cache: {max_age: 5m}",
			"    isuer: x",
			"  - openid: false",
			"  - issuer: https://id.example.com/t/c",
			"    keys: {rsa.pem: {alg: RS256}}",
			"    jwks_path: /c.json",
			"  - issuer: https://id.example.com/t/c",
			"  - just a string",
		),
		errs: []string{
			"site.yaml:2:13: issuer must use https, not \"http\" (RFC 8414 §2)",
			"site.yaml:3:5: cache is a site setting: write it at the top level, not in an issuers entry",
			"site.yaml:4:5: unknown field \"isuer\" in issuers entry\n\thint: did you mean \"issuer\"?",
			"site.yaml:5:5: issuer is required (RFC 8414 §2)\n\thint: add a line such as: issuer: https://login.example.com",
			"site.yaml:7:5: keys in an issuers entry need its own key_dir; without key_dir the issuer publishes the site's shared keys\n\thint: set key settings of the shared keys at the top level, or give this issuer a key_dir",
			"site.yaml:9:5: issuer https://id.example.com/t/c is already listed at site.yaml:6:5",
			"site.yaml:10:5: issuers entry must be a mapping, not a string",
		},
	},
	{
		name: "jwks_path with shared keys",
		yaml: lines(
			"jwks_path: /keys.json",
			"issuers:",
			"  - issuer: https://id.example.com/t/a",
			"    jwks_path: /a.json",
		),
		errs: []string{"site.yaml:4:5: jwks_path in an issuers entry needs its own key_dir; this issuer publishes the site's shared keys at /keys.json"},
	},
	{
		name: "issuers must be a non-empty list",
		yaml: lines("issuers: []"),
		errs: []string{"site.yaml:1:10: issuers must list at least one issuer"},
	},
	{
		name: "issuers must be a list",
		yaml: lines("issuers: {issuer: https://id.example.com}"),
		errs: []string{"site.yaml:1:10: issuers must be a list of issuer entries, not a mapping"},
	},
}

func TestIssuers(t *testing.T) { runCases(t, issuerCases) }
