package config_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
)

// lines joins its arguments as the lines of a file, so that a case reads
// with its line numbers: the first argument is line 1.
func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

// parseCase is one site.yaml and everything Parse must say about it. errs
// and warns are the exact diagnostics as users see them (Diagnostic.String:
// "site.yaml:LINE:COL: message", then "\n\thint: ..." when there is a hint),
// sorted by position.
type parseCase struct {
	name  string
	yaml  string
	errs  []string
	warns []string
	check func(t *testing.T, s *config.Site)
}

const okIssuer = "issuer: https://login.example.com"

var parseCases = []parseCase{
	// Ports: url.Parse checks only that a port is digits.
	{
		name: "issuer port above 65535",
		yaml: lines("issuer: https://login.example.com:65536"),
		errs: []string{"site.yaml:1:9: issuer has port 65536, outside 1-65535 (RFC 8414 §2)"},
	},
	{
		name: "issuer port 0",
		yaml: lines("issuer: https://login.example.com:0/t"),
		errs: []string{"site.yaml:1:9: issuer has port 0, outside 1-65535 (RFC 8414 §2)"},
	},
	{
		name: "issuer with an empty port",
		yaml: lines("issuer: https://login.example.com:/t"),
		errs: []string{`site.yaml:1:9: issuer has an empty port in "login.example.com:"; leave out the colon (RFC 8414 §2)`},
	},
	{
		name: "issuer port 65535 is fine",
		yaml: lines("issuer: https://login.example.com:65535"),
		check: func(t *testing.T, s *config.Site) {
			if s.BaseURL.Host != "login.example.com:65535" {
				t.Errorf("base_url %v", s.BaseURL)
			}
		},
	},
	{
		name: "base_url and endpoint ports",
		yaml: lines(okIssuer, "base_url: https://login.example.com:99999", "metadata:", "  token_endpoint: https://login.example.com:123456/token"),
		errs: []string{
			"site.yaml:2:11: base_url has port 99999, outside 1-65535",
			"site.yaml:4:19: token_endpoint has port 123456, outside 1-65535 (RFC 8414 §2)",
		},
	},
	// Fields the schema does not have.
	{
		name: "unknown top-level field with a hint",
		yaml: lines(okIssuer, "isser: https://login.example.com"),
		errs: []string{"site.yaml:2:1: unknown field \"isser\"\n\thint: did you mean \"issuer\"?"},
	},
	{
		name: "misspelt issuer is both unknown and missing",
		yaml: lines("isser: https://login.example.com"),
		errs: []string{
			"site.yaml:1:1: unknown field \"isser\"\n\thint: did you mean \"issuer\"?",
			"site.yaml:1:1: issuer is required (RFC 8414 §2)\n\thint: add a line such as: issuer: https://login.example.com",
		},
	},
	{
		name: "unknown metadata field with a hint",
		yaml: lines(okIssuer, "metadata:", "  token_endpiont: https://login.example.com/token"),
		errs: []string{"site.yaml:3:3: unknown field \"token_endpiont\" in metadata\n\thint: did you mean \"token_endpoint\"?"},
	},
	{
		name: "unknown metadata field far from any name has no hint",
		yaml: lines(okIssuer, "metadata:", "  frobnicate: true"),
		errs: []string{"site.yaml:3:3: unknown field \"frobnicate\" in metadata"},
	},
	{
		name: "metadata field at top level",
		yaml: lines(okIssuer, "token_endpoint: https://login.example.com/token"),
		errs: []string{"site.yaml:2:1: unknown field \"token_endpoint\"\n\thint: metadata fields go under the metadata: key"},
	},
	{
		name: "unknown field in a keys entry",
		yaml: lines(okIssuer, "keys:", "  a.pem:", "    stat: next"),
		errs: []string{"site.yaml:4:5: unknown field \"stat\" in keys entry a.pem\n\thint: did you mean \"state\"?"},
	},

	// Types are never coerced.
	{
		name: "string expected, boolean given",
		yaml: lines("issuer: true"),
		errs: []string{"site.yaml:1:9: issuer must be a string, not a boolean"},
	},
	{
		name: "string expected, number given",
		yaml: lines(okIssuer, "key_dir: 42"),
		errs: []string{"site.yaml:2:10: key_dir must be a string, not a number"},
	},
	{
		name: "string expected, list given",
		yaml: lines("issuer: [https://login.example.com]"),
		errs: []string{"site.yaml:1:9: issuer must be a string, not a list"},
	},
	{
		name: "string expected, null given",
		yaml: lines("issuer:", "openid: true"),
		errs: []string{"site.yaml:1:8: issuer must be a string, not null"},
	},
	{
		name: "string expected, date given",
		yaml: lines(okIssuer, "keys:", "  a.pem:", "    kid: 2027-01-31"),
		errs: []string{"site.yaml:4:10: kid must be a string, not a date"},
	},
	{
		name: "boolean expected, YAML 1.1 yes given",
		yaml: lines(okIssuer, "openid: yes"),
		errs: []string{"site.yaml:2:9: openid must be true or false, not a string"},
	},
	{
		name: "boolean expected, quoted true given",
		yaml: lines(okIssuer, "metadata:", `  claims_parameter_supported: "true"`),
		errs: []string{"site.yaml:3:31: claims_parameter_supported must be true or false, not a string"},
	},
	{
		name: "list expected, string given",
		yaml: lines(okIssuer, "metadata:", "  scopes_supported: openid"),
		errs: []string{"site.yaml:3:21: scopes_supported must be a list of strings, not a string"},
	},
	{
		name: "list of strings with a number",
		yaml: lines(okIssuer, "metadata:", "  scopes_supported: [openid, 1]"),
		errs: []string{"site.yaml:3:30: scopes_supported entries must be a string, not a number"},
	},
	{
		name: "metadata must be a mapping",
		yaml: lines(okIssuer, "metadata: [token_endpoint]"),
		errs: []string{"site.yaml:2:11: metadata must be a mapping, not a list"},
	},
	{
		name: "empty metadata is null",
		yaml: lines(okIssuer, "metadata:"),
		errs: []string{"site.yaml:2:10: metadata must be a mapping, not null"},
	},
	{
		name: "keys entry must be a mapping",
		yaml: lines(okIssuer, "keys:", "  a.pem: active"),
		errs: []string{"site.yaml:3:10: keys entry a.pem must be a mapping, not a string"},
	},
	{
		name: "mapping keys must be strings",
		yaml: lines(okIssuer, "1: x"),
		errs: []string{"site.yaml:2:1: the configuration keys must be strings, not a number"},
	},

	// The issuer (RFC 8414 §2): https, a host, no query, no fragment.
	{
		name: "issuer with a path and a trailing slash is kept as written",
		yaml: lines("issuer: https://login.example.com/tenant/"),
		check: func(t *testing.T, s *config.Site) {
			// RFC 8414 §3.3: the issuer is compared code point for code
			// point, so the slash must survive.
			if s.Issuer != "https://login.example.com/tenant/" {
				t.Errorf("Issuer = %q", s.Issuer)
			}
		},
	},
	{
		name: "issuer over http",
		yaml: lines("issuer: http://login.example.com"),
		errs: []string{`site.yaml:1:9: issuer must use https, not "http" (RFC 8414 §2)`},
	},
	{
		name: "issuer with a query",
		yaml: lines("issuer: https://login.example.com/?tenant=1"),
		errs: []string{"site.yaml:1:9: issuer must not have a query (RFC 8414 §2)"},
	},
	{
		name: "issuer with an empty query",
		yaml: lines("issuer: https://login.example.com/?"),
		errs: []string{"site.yaml:1:9: issuer must not have a query (RFC 8414 §2)"},
	},
	{
		name: "issuer with a raw space",
		yaml: lines(`issuer: "https://login.example.com/a b"`),
		errs: []string{`site.yaml:1:9: issuer must be a URI (RFC 3986): "https://login.example.com/a b" holds ' ' at byte 27; percent-encode it (RFC 8414 §2)`},
	},
	{
		name: "issuer with a non-ASCII host",
		yaml: lines("issuer: https://lögin.example.com"),
		errs: []string{`site.yaml:1:9: issuer must be a URI (RFC 3986): "https://lögin.example.com" holds 'ö' at byte 9; write the host in its ASCII (xn--) form (RFC 8414 §2)`},
	},
	{
		name: "issuer with a non-ASCII path",
		yaml: lines("issuer: https://login.example.com/müller"),
		errs: []string{`site.yaml:1:9: issuer must be a URI (RFC 3986): "https://login.example.com/müller" holds 'ü' at byte 27; percent-encode it (RFC 8414 §2)`},
	},
	{
		name: "issuer with a percent-encoded path",
		yaml: lines("issuer: https://login.example.com/a%20b"),
		errs: []string{`site.yaml:1:9: issuer path "/a%20b" holds '%': it becomes a directory of the published tree, and not every static host serves that as written; use letters, digits and . _ - ~`},
	},
	{
		name: "issuer with a dot in its path",
		yaml: lines("issuer: https://login.microsoftonline.example/tenant/v2.0"),
		check: func(t *testing.T, s *config.Site) {
			if s.Issuer != "https://login.microsoftonline.example/tenant/v2.0" {
				t.Errorf("Issuer = %q", s.Issuer)
			}
		},
	},
	{
		name: "issuer with a fragment",
		yaml: lines("issuer: https://login.example.com/#top"),
		errs: []string{"site.yaml:1:9: issuer must not have a fragment (RFC 8414 §2)"},
	},
	{
		name: "issuer with an empty fragment",
		yaml: lines("issuer: https://login.example.com#"),
		errs: []string{"site.yaml:1:9: issuer must not have a fragment (RFC 8414 §2)"},
	},
	{
		name: "issuer with userinfo",
		yaml: lines("issuer: https://admin:secret@login.example.com"),
		errs: []string{"site.yaml:1:9: issuer must not hold a user name or password (RFC 8414 §2)"},
	},
	{
		name: "relative issuer",
		yaml: lines("issuer: /tenant"),
		errs: []string{`site.yaml:1:9: issuer must be an absolute URL with a host, not "/tenant" (RFC 8414 §2)`},
	},
	{
		name: "issuer without a host",
		yaml: lines("issuer: https:///tenant"),
		errs: []string{`site.yaml:1:9: issuer must be an absolute URL with a host, not "https:///tenant" (RFC 8414 §2)`},
	},
	{
		name: "issuer that is not a URL",
		yaml: lines(`issuer: "https://login.example.com:port"`),
		errs: []string{`site.yaml:1:9: issuer is not a URL: "https://login.example.com:port" (RFC 8414 §2)`},
	},
	{
		name: "issuer missing",
		yaml: lines("openid: false"),
		errs: []string{"site.yaml:1:1: issuer is required (RFC 8414 §2)\n\thint: add a line such as: issuer: https://login.example.com"},
	},

	// base_url: where out/ is served.
	{
		name: "base_url defaults to the issuer's origin",
		yaml: lines("issuer: https://login.example.com/tenant/a"),
		check: func(t *testing.T, s *config.Site) {
			if got := s.BaseURL.String(); got != "https://login.example.com" {
				t.Errorf("BaseURL = %q, want the issuer's origin", got)
			}
			if s.JWKSURI != "https://login.example.com/jwks.json" {
				t.Errorf("JWKSURI = %q", s.JWKSURI)
			}
		},
	},
	{
		name: "base_url below the root loses its trailing slash",
		yaml: lines("issuer: https://example.github.io/project", "base_url: https://example.github.io/project/"),
		check: func(t *testing.T, s *config.Site) {
			if got := s.BaseURL.String(); got != "https://example.github.io/project" {
				t.Errorf("BaseURL = %q", got)
			}
			if s.JWKSURI != "https://example.github.io/project/jwks.json" {
				t.Errorf("JWKSURI = %q", s.JWKSURI)
			}
		},
	},
	{
		name: "base_url at the root with a trailing slash",
		yaml: lines(okIssuer, "base_url: https://login.example.com/"),
		check: func(t *testing.T, s *config.Site) {
			if got := s.BaseURL.String(); got != "https://login.example.com" {
				t.Errorf("BaseURL = %q", got)
			}
			if s.JWKSURI != "https://login.example.com/jwks.json" {
				t.Errorf("JWKSURI = %q", s.JWKSURI)
			}
		},
	},
	{
		name: "base_url over http",
		yaml: lines(okIssuer, "base_url: http://login.example.com"),
		errs: []string{`site.yaml:2:11: base_url must use https, not "http"`},
	},
	{
		name: "base_url with a query",
		yaml: lines(okIssuer, "base_url: https://login.example.com/?x=1"),
		errs: []string{"site.yaml:2:11: base_url must not have a query"},
	},
	{
		name: "base_url with a fragment",
		yaml: lines(okIssuer, "base_url: https://login.example.com/#x"),
		errs: []string{"site.yaml:2:11: base_url must not have a fragment"},
	},
	{
		name: "relative base_url",
		yaml: lines(okIssuer, "base_url: /site"),
		errs: []string{`site.yaml:2:11: base_url must be an absolute URL with a host, not "/site"`},
	},
	{
		name: "base_url of the wrong type",
		yaml: lines(okIssuer, "base_url: false"),
		errs: []string{"site.yaml:2:11: base_url must be a string, not a boolean"},
	},

	// jwks_path and the derived jwks_uri.
	{
		name: "jwks_path default",
		yaml: lines(okIssuer),
		check: func(t *testing.T, s *config.Site) {
			if s.JWKSPath != "jwks.json" || s.JWKSURI != "https://login.example.com/jwks.json" {
				t.Errorf("JWKSPath, JWKSURI = %q, %q", s.JWKSPath, s.JWKSURI)
			}
		},
	},
	{
		name: "jwks_path custom below base_url with a path",
		yaml: lines("issuer: https://example.github.io/project", "base_url: https://example.github.io/project", "jwks_path: /keys/set.json"),
		check: func(t *testing.T, s *config.Site) {
			if s.JWKSPath != "keys/set.json" {
				t.Errorf("JWKSPath = %q, want it relative to the site root", s.JWKSPath)
			}
			if s.JWKSURI != "https://example.github.io/project/keys/set.json" {
				t.Errorf("JWKSURI = %q", s.JWKSURI)
			}
		},
	},
	{
		name: "jwks_path without a leading slash",
		yaml: lines(okIssuer, "jwks_path: jwks"),
		check: func(t *testing.T, s *config.Site) {
			if s.JWKSPath != "jwks" || s.JWKSURI != "https://login.example.com/jwks" {
				t.Errorf("JWKSPath, JWKSURI = %q, %q", s.JWKSPath, s.JWKSURI)
			}
		},
	},
	{
		name: "jwks_path climbing out of the site",
		yaml: lines(okIssuer, "jwks_path: ../x"),
		errs: []string{`site.yaml:2:12: jwks_path "../x" must be a file path below the site root, such as /jwks.json`},
	},
	{
		name: "jwks_path with an empty segment",
		yaml: lines(okIssuer, "jwks_path: a//b"),
		errs: []string{`site.yaml:2:12: jwks_path "a//b" must be a file path below the site root, such as /jwks.json`},
	},
	{
		name: "jwks_path naming a directory",
		yaml: lines(okIssuer, "jwks_path: keys/"),
		errs: []string{`site.yaml:2:12: jwks_path "keys/" must be a file path below the site root, such as /jwks.json`},
	},
	{
		name: "jwks_path with a query",
		yaml: lines(okIssuer, "jwks_path: jwks.json?v=2"),
		errs: []string{`site.yaml:2:12: jwks_path "jwks.json?v=2" must be a file path below the site root, such as /jwks.json`},
	},

	// Derived metadata: accepted when it agrees, never published twice.
	{
		name: "metadata jwks_uri and issuer equal to the derived values",
		yaml: lines(
			"issuer: https://example.github.io/project/",
			"base_url: https://example.github.io/project",
			"metadata:",
			"  issuer: https://example.github.io/project/",
			"  jwks_uri: https://example.github.io/project/jwks.json",
			"  token_endpoint: https://login.example.com/token",
		),
		check: func(t *testing.T, s *config.Site) {
			// Document() adds issuer and jwks_uri itself; the values written
			// here must not make a second member.
			if len(s.Metadata) != 1 || s.Metadata[0].Field.Name != "token_endpoint" {
				t.Errorf("Metadata = %v, want only token_endpoint", names(s.Metadata))
			}
		},
	},
	{
		name: "metadata jwks_uri different from the derived one",
		yaml: lines(okIssuer, "metadata:", "  jwks_uri: https://login.example.com/keys.json"),
		errs: []string{"site.yaml:3:13: jwks_uri is derived as \"https://login.example.com/jwks.json\"; the value here disagrees\n\thint: remove jwks_uri from metadata; wellknown fills it in"},
	},
	{
		name: "metadata issuer differing by a trailing slash",
		yaml: lines("issuer: https://login.example.com/t/", "metadata:", "  issuer: https://login.example.com/t"),
		errs: []string{"site.yaml:3:11: issuer is derived as \"https://login.example.com/t/\"; the value here disagrees\n\thint: remove issuer from metadata; wellknown fills it in"},
	},
	{
		name: "signed_metadata is not written by hand",
		yaml: lines(okIssuer, "metadata:", "  signed_metadata: eyJhbGciOiJSUzI1NiJ9.e30.c2ln"),
		errs: []string{"site.yaml:3:3: signed_metadata is made by the build, not written (RFC 8414 §2.1)"},
	},

	// Metadata values.
	{
		name: "endpoint over http",
		yaml: lines(okIssuer, "metadata:", "  token_endpoint: http://login.example.com/token"),
		errs: []string{`site.yaml:3:19: token_endpoint must use https, not "http" (RFC 8414 §2)`},
	},
	{
		name: "endpoint with a fragment",
		yaml: lines(okIssuer, "metadata:", "  device_authorization_endpoint: https://login.example.com/device#x"),
		errs: []string{"site.yaml:3:34: device_authorization_endpoint must not have a fragment (RFC 8628 §4)"},
	},
	{
		name: "page may use http but not ftp",
		yaml: lines(okIssuer, "metadata:", "  op_policy_uri: http://login.example.com/policy", "  service_documentation: ftp://login.example.com/docs"),
		errs: []string{`site.yaml:4:26: service_documentation must be an http or https URL, not "ftp" (RFC 8414 §2)`},
	},
	{
		name: "metadata keeps file order and list positions",
		yaml: lines(okIssuer, "metadata:", "  token_endpoint: https://login.example.com/token", "  scopes_supported: [openid, profile]", "  claims_parameter_supported: false"),
		check: func(t *testing.T, s *config.Site) {
			if got := names(s.Metadata); !slices.Equal(got, []string{"token_endpoint", "scopes_supported", "claims_parameter_supported"}) {
				t.Errorf("Metadata = %v", got)
			}
			v, _ := s.Lookup("scopes_supported")
			if got, _ := v.Value.([]string); !slices.Equal(got, []string{"openid", "profile"}) {
				t.Errorf("scopes_supported = %#v", v.Value)
			}
			want := []diag.Pos{{Path: "site.yaml", Line: 4, Col: 22}, {Path: "site.yaml", Line: 4, Col: 30}}
			if !slices.Equal(v.Items, want) || v.Pos != (diag.Pos{Path: "site.yaml", Line: 4, Col: 3}) {
				t.Errorf("scopes_supported at %v, items %v", v.Pos, v.Items)
			}
			if b, _ := s.Lookup("claims_parameter_supported"); b.Value != false {
				t.Errorf("claims_parameter_supported = %#v, want false", b.Value)
			}
		},
	},
	{
		name: "duplicate list entries",
		yaml: lines(okIssuer, "metadata:", "  scopes_supported: [openid, openid]"),
		errs: []string{`site.yaml:3:30: scopes_supported lists "openid" twice`},
	},
	{
		name:  "empty list is a warning and is omitted",
		yaml:  lines(okIssuer, "metadata:", "  scopes_supported: []", "  token_endpoint: https://login.example.com/token"),
		warns: []string{"site.yaml:3:3: warning: empty scopes_supported left out: arrays with zero elements are omitted (RFC 8414 §3.2)"},
		check: func(t *testing.T, s *config.Site) {
			if _, ok := s.Lookup("scopes_supported"); ok {
				t.Error("an empty array must not be published (RFC 8414 §3.2)")
			}
		},
	},
	{
		name: "empty string entry",
		yaml: lines(okIssuer, "metadata:", `  scopes_supported: [openid, ""]`),
		errs: []string{"site.yaml:3:30: scopes_supported entries must not be empty"},
	},

	// Mapping rules.
	{
		name: "duplicate top-level key names the first line",
		yaml: lines(okIssuer, "openid: true", "issuer: https://other.example.com"),
		errs: []string{`site.yaml:3:1: "issuer" is already set at line 1`},
	},
	{
		name: "duplicate metadata key",
		yaml: lines(okIssuer, "metadata:", "  token_endpoint: https://login.example.com/a", "  token_endpoint: https://login.example.com/b"),
		errs: []string{`site.yaml:4:3: "token_endpoint" is already set at line 3`},
	},
	{
		name: "merge key refused",
		yaml: lines(okIssuer, "metadata:", "  <<: {token_endpoint: https://login.example.com/token}"),
		errs: []string{"site.yaml:3:3: merge keys (<<) are not supported; write the fields out"},
	},
	{
		name: "anchor and alias on a list",
		yaml: lines(okIssuer, "metadata:",
			"  token_endpoint_auth_signing_alg_values_supported: &algs [RS256, ES256]",
			"  revocation_endpoint_auth_signing_alg_values_supported: *algs"),
		check: func(t *testing.T, s *config.Site) {
			for _, name := range []string{"token_endpoint_auth_signing_alg_values_supported", "revocation_endpoint_auth_signing_alg_values_supported"} {
				v, ok := s.Lookup(name)
				if got, _ := v.Value.([]string); !ok || !slices.Equal(got, []string{"RS256", "ES256"}) {
					t.Errorf("%s = %#v", name, v.Value)
				}
			}
		},
	},

	// mtls_endpoint_aliases (RFC 8705 §5): an object of https endpoints.
	{
		name: "mtls_endpoint_aliases valid",
		yaml: lines(okIssuer, "metadata:", "  mtls_endpoint_aliases:", "    token_endpoint: https://mtls.example.com/token", "    revocation_endpoint: https://mtls.example.com/revoke"),
		check: func(t *testing.T, s *config.Site) {
			v, ok := s.Lookup("mtls_endpoint_aliases")
			want := map[string]string{"token_endpoint": "https://mtls.example.com/token", "revocation_endpoint": "https://mtls.example.com/revoke"}
			if got, _ := v.Value.(map[string]string); !ok || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("mtls_endpoint_aliases = %#v", v.Value)
			}
			if len(v.Items) != 2 {
				t.Errorf("Items = %v, want one position per member", v.Items)
			}
		},
	},
	{
		name: "mtls_endpoint_aliases over http",
		yaml: lines(okIssuer, "metadata:", "  mtls_endpoint_aliases:", "    token_endpoint: http://mtls.example.com/token"),
		errs: []string{`site.yaml:4:21: mtls_endpoint_aliases.token_endpoint must use https, not "http" (RFC 8705 §5)`},
	},
	{
		name: "mtls_endpoint_aliases is not a list",
		yaml: lines(okIssuer, "metadata:", "  mtls_endpoint_aliases: [https://mtls.example.com/token]"),
		errs: []string{"site.yaml:3:26: mtls_endpoint_aliases must be a mapping, not a list"},
	},
	{
		name:  "mtls_endpoint_aliases empty",
		yaml:  lines(okIssuer, "metadata:", "  mtls_endpoint_aliases: {}"),
		warns: []string{"site.yaml:3:26: warning: empty mtls_endpoint_aliases left out"},
		check: func(t *testing.T, s *config.Site) {
			if _, ok := s.Lookup("mtls_endpoint_aliases"); ok {
				t.Error("an empty object must not be published")
			}
		},
	},

	// keys entries.
	{
		name: "keys entries in every state",
		yaml: lines(okIssuer, "keys:",
			"  a.pem: {}",
			"  b.pem: {state: next, use: enc, alg: RSA-OAEP-256, kid: b-2027}",
			"  c.pem: {state: retired, published_until: 2027-01-31}",
			"  d.pem: {state: retired, published_until: 2027-01-31T12:00:00+02:00}",
			"  e.pem: {state: retired, published_until: \"2027-01-31T12:00:00Z\"}",
		),
		check: func(t *testing.T, s *config.Site) {
			type key struct {
				File           string
				State          config.State
				Use, Alg, Kid  string
				PublishedUntil time.Time
			}
			var got []key
			for _, k := range s.Keys {
				got = append(got, key{k.File, k.State, k.Use, k.Alg, k.Kid, k.PublishedUntil})
			}
			want := []key{
				{File: "a.pem", State: config.Active},
				{File: "b.pem", State: config.Next, Use: "enc", Alg: "RSA-OAEP-256", Kid: "b-2027"},
				{File: "c.pem", State: config.Retired, PublishedUntil: time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)},
				{File: "d.pem", State: config.Retired, PublishedUntil: time.Date(2027, 1, 31, 10, 0, 0, 0, time.UTC)},
				{File: "e.pem", State: config.Retired, PublishedUntil: time.Date(2027, 1, 31, 12, 0, 0, 0, time.UTC)},
			}
			if !slices.Equal(got, want) {
				t.Errorf("Keys =\n%+v\nwant\n%+v", got, want)
			}
			if p := s.Where("keys.b.pem.alg"); p != (diag.Pos{Path: "site.yaml", Line: 4, Col: 39}) {
				t.Errorf("Where(keys.b.pem.alg) = %v", p)
			}
			if p := s.Keys[1].Pos[""]; p != (diag.Pos{Path: "site.yaml", Line: 4, Col: 3}) {
				t.Errorf("b.pem entry at %v", p)
			}
		},
	},
	{
		name: "unknown key state",
		yaml: lines(okIssuer, "keys:", "  a.pem: {state: revoked}"),
		errs: []string{`site.yaml:3:18: state must be active, next or retired, not "revoked"`},
	},
	{
		name: "unknown key use",
		yaml: lines(okIssuer, "keys:", "  a.pem: {use: sign}"),
		errs: []string{`site.yaml:3:16: use must be sig or enc, not "sign" (RFC 7517 §4.2)`},
	},
	{
		name: "alg of the wrong type",
		yaml: lines(okIssuer, "keys:", "  a.pem: {alg: 256}"),
		errs: []string{"site.yaml:3:16: alg must be a string, not a number"},
	},
	{
		name: "empty kid",
		yaml: lines(okIssuer, "keys:", `  a.pem: {kid: ""}`),
		errs: []string{"site.yaml:3:16: kid must not be empty; leave it out for the RFC 7638 thumbprint"},
	},
	{
		name: "retired key without published_until",
		yaml: lines(okIssuer, "keys:", "  a.pem: {state: retired}"),
		errs: []string{"site.yaml:3:3: retired key a.pem needs published_until: the date after which it leaves the key set\n\thint: a retired key stays published until the tokens it signed have expired and caches have let go"},
	},
	{
		name: "published_until on an active key",
		yaml: lines(okIssuer, "keys:", "  a.pem: {published_until: 2027-01-31}"),
		errs: []string{"site.yaml:3:28: published_until applies to retired keys only; a.pem is active"},
	},
	{
		name: "published_until on a next key",
		yaml: lines(okIssuer, "keys:", "  a.pem: {state: next, published_until: 2027-01-31}"),
		errs: []string{"site.yaml:3:41: published_until applies to retired keys only; a.pem is next"},
	},
	{
		name: "published_until not a date",
		yaml: lines(okIssuer, "keys:", "  a.pem: {state: retired, published_until: 2027-02-30}"),
		errs: []string{`site.yaml:3:44: published_until must be a date such as 2027-01-31 or 2027-01-31T12:00:00Z, not "2027-02-30"`},
	},
	{
		name: "published_until a number",
		yaml: lines(okIssuer, "keys:", "  a.pem: {state: retired, published_until: 20270131}"),
		errs: []string{`site.yaml:3:44: published_until must be a date such as 2027-01-31 or 2027-01-31T12:00:00Z, not "20270131"`},
	},
	{
		name: "keys entry names outside the key directory",
		yaml: lines(okIssuer, "keys:", "  sub/a.pem: {}", "  ..: {}", `  'a\b.pem': {}`, `  "": {}`),
		errs: []string{
			`site.yaml:3:3: keys entry "sub/a.pem" must be a file name in the key directory`,
			`site.yaml:4:3: keys entry ".." must be a file name in the key directory`,
			`site.yaml:5:3: keys entry "a\\b.pem" must be a file name in the key directory`,
			`site.yaml:6:3: keys entry "" must be a file name in the key directory`,
		},
	},

	// Files that are not one YAML mapping.
	{
		name: "multiple documents",
		yaml: lines(okIssuer, "---", okIssuer),
		errs: []string{"site.yaml:2:1: file must hold a single YAML document"},
	},
	{
		name: "empty file",
		yaml: "",
		errs: []string{"site.yaml:1:1: file is empty"},
	},
	{
		name: "comments only",
		yaml: lines("# nothing here", ""),
		errs: []string{"site.yaml:1:1: file is empty"},
	},
	{
		name: "syntax error in the scanner",
		yaml: lines(okIssuer, "metadata:", "\ttoken_endpoint: https://login.example.com/token"),
		errs: []string{"site.yaml:3:1: invalid YAML: found a tab character where indentation is expected\n\thint: YAML indents with spaces only; replace the tab with spaces"},
	},
	{
		name: "syntax error on the first line",
		yaml: lines(`issuer: "https://login.example.com`),
		errs: []string{"site.yaml:1:9: invalid YAML: quoted string is not closed before the end of the file\n\thint: add the closing quote"},
	},
	{
		name: "root is a list",
		yaml: lines("- " + okIssuer),
		errs: []string{"site.yaml:1:1: the configuration must be a mapping, not a list"},
	},
	{
		name: "root is a string",
		yaml: lines("https://login.example.com"),
		errs: []string{"site.yaml:1:1: the configuration must be a mapping, not a string"},
	},

	// Every error of a file in one run, sorted by position although they
	// are found in another order (issuer first, then jwks_path, then metadata).
	{
		name: "all errors at once, sorted",
		yaml: lines(
			"metadata:",
			"  token_endpoint: http://login.example.com/token",
			"jwks_path: ../jwks.json",
			"issuer: http://login.example.com",
		),
		errs: []string{
			`site.yaml:2:19: token_endpoint must use https, not "http" (RFC 8414 §2)`,
			`site.yaml:3:12: jwks_path "../jwks.json" must be a file path below the site root, such as /jwks.json`,
			`site.yaml:4:9: issuer must use https, not "http" (RFC 8414 §2)`,
		},
	},
}

func names(vs []config.Value) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Field.Name)
	}
	return out
}

func render(ds []diag.Diagnostic) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.String())
	}
	return out
}

func TestParse(t *testing.T) { runCases(t, parseCases) }

// TestParseExample checks that the repository's site.yaml, the one the
// README tells users to start from, is valid as it stands.
func TestParseExample(t *testing.T) {
	s, d := config.Load("../../site.yaml")
	if len(d.Errors()) > 0 || len(d.Warnings()) > 0 {
		t.Fatalf("the example site.yaml does not load cleanly:\n%s", strings.Join(render(append(d.Errors(), d.Warnings()...)), "\n"))
	}
	if s.Issuer != "https://login.example.com" || !s.OpenID || s.JWKSURI != "https://login.example.com/jwks.json" {
		t.Errorf("Issuer, OpenID, JWKSURI = %q, %v, %q", s.Issuer, s.OpenID, s.JWKSURI)
	}
	if p := s.Where("metadata.token_endpoint"); p.Path != "../../site.yaml" || p.Line == 0 || p.Col != 3 {
		t.Errorf("Where(metadata.token_endpoint) = %v", p)
	}
	if p := s.Where("metadata.not_written"); p != (diag.Pos{Path: "../../site.yaml"}) {
		t.Errorf("Where of an unwritten setting = %v, want the file alone", p)
	}
}

func TestSize(t *testing.T) {
	// A file of exactly MaxSize bytes is read; one byte more is refused
	// before it is parsed.
	body := lines(okIssuer, "# ")
	pad := strings.Repeat("x", config.MaxSize-len(body))
	exact := body[:len(body)-1] + pad + "\n"
	exact = exact[:config.MaxSize]
	if _, d := config.Parse("site.yaml", []byte(exact)); d.HasErrors() {
		t.Errorf("a file of MaxSize bytes: %v", d.Err())
	}
	_, d := config.Parse("site.yaml", []byte(exact+"\n"))
	want := []string{fmt.Sprintf("site.yaml: file is larger than %d bytes", config.MaxSize)}
	if got := render(d.Errors()); !slices.Equal(got, want) {
		t.Errorf("a file of MaxSize+1 bytes: %q, want %q", got, want)
	}

	// Load reads no more than MaxSize+1 bytes, and refuses the file too.
	path := filepath.Join(t.TempDir(), "site.yaml")
	if err := os.WriteFile(path, []byte(exact+strings.Repeat("#", 5<<20)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, d = config.Load(path)
	want = []string{fmt.Sprintf("%s: file is larger than %d bytes", path, config.MaxSize)}
	if got := render(d.Errors()); !slices.Equal(got, want) {
		t.Errorf("Load of a 6 MiB file: %q, want %q", got, want)
	}
}

func TestLoadMissing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "site.yaml")
	s, d := config.Load(path)
	want := []string{path + ": cannot read configuration: no such file or directory\n\thint: run wellknown from the directory holding site.yaml, or name it with --config"}
	if got := render(d.Errors()); s != nil || !slices.Equal(got, want) {
		t.Errorf("Load = %v, %q; want nil, %q", s, got, want)
	}

	// A directory is unreadable but exists: no hint about where to run.
	_, d = config.Load(dir)
	want = []string{dir + ": cannot read configuration: is a directory"}
	if got := render(d.Errors()); !slices.Equal(got, want) {
		t.Errorf("Load of a directory = %q, want %q", got, want)
	}
}

// billionLaughs returns a configuration whose metadata lists refer to each
// other nine deep: 9^9 strings if expanded.
func billionLaughs() string {
	ls := []string{okIssuer, "metadata:", `  scopes_supported: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`}
	fields := []string{"claims_supported", "acr_values_supported", "response_modes_supported", "ui_locales_supported",
		"claims_locales_supported", "display_values_supported", "claim_types_supported", "prompt_values_supported"}
	for i, f := range fields {
		refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d,", i), 9), ",")
		ls = append(ls, fmt.Sprintf("  %s: &l%d [%s]", f, i+1, refs))
	}
	return lines(ls...)
}

// TestAliasBomb parses a billion-laughs document and checks that it fails
// without expanding the aliases: the walk follows each alias once, so the
// work and the diagnostics are bounded by the size of the file. It is not
// parallel, so that the allocation count is its own.
func TestAliasBomb(t *testing.T) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, d := config.Parse("site.yaml", []byte(billionLaughs()))
	runtime.ReadMemStats(&after)

	errs := d.Errors()
	if len(errs) == 0 {
		t.Fatal("an alias bomb parsed without errors")
	}
	// 8 lines refer to 9 lists each, plus 8 repeated "lol" in the first list.
	if len(errs) > 9*9 {
		t.Errorf("%d errors: the aliases were expanded", len(errs))
	}
	for _, e := range errs {
		if e.Line == 0 {
			t.Errorf("error without a line: %v", e)
		}
	}
	if want := "claims_supported entries must be a string, not a list"; !slices.ContainsFunc(errs, func(d diag.Diagnostic) bool { return d.Msg == want }) {
		t.Errorf("no %q among:\n%v", want, d.Err())
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
		t.Errorf("parsing a 1 KB alias bomb allocated %d MiB", grew>>20)
	}
}

// TestNodeBudget reaches the walker's node budget with aliases that are
// each valid (so the error cap does not stop the walk first): one mapping,
// anchored once and named by 60,000 key entries. The walk stops there with
// one error.
func TestNodeBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString(lines(okIssuer, "anchor: &a {state: active}", "keys:"))
	for i := range 60_000 {
		fmt.Fprintf(&b, "  f%d.pem: *a\n", i)
	}
	_, d := config.Parse("site.yaml", []byte(b.String()))
	var budget []string
	for _, e := range d.Errors() {
		if strings.Contains(e.Msg, "too many aliases") {
			budget = append(budget, e.Error())
		}
	}
	if len(budget) != 1 {
		t.Errorf("budget errors = %q, want one", budget)
	}
}

// TestErrorCap: a file of thousands of faults reports the first hundred and
// stops, so a hostile file costs no more than a small one.
func TestErrorCap(t *testing.T) {
	var b strings.Builder
	b.WriteString(lines(okIssuer, "metadata:"))
	for i := 0; b.Len() < config.MaxSize-200; i++ {
		fmt.Fprintf(&b, "  k%0100d: x\n", i)
	}
	_, d := config.Parse("site.yaml", []byte(b.String()))
	errs := d.Errors()
	if len(errs) != 101 {
		t.Fatalf("%d errors, want 100 and the one that says it stopped", len(errs))
	}
	if last := errs[len(errs)-1].Msg; last != "too many errors (over 100); stopping here" {
		t.Errorf("last error %q", last)
	}
}

// BenchmarkHostile measures a MaxSize file of unknown metadata keys, which
// once took seconds (a did-you-mean edit distance per key).
func BenchmarkHostile(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(lines(okIssuer, "metadata:"))
	for i := 0; sb.Len() < config.MaxSize-200; i++ {
		fmt.Fprintf(&sb, "  k%0100d: x\n", i)
	}
	data := []byte(sb.String())
	for b.Loop() {
		config.Parse("site.yaml", data)
	}
}

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
		err  string
	}{
		{in: "2027-01-31", want: time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)},
		{in: "2027-01-31T12:00:00Z", want: time.Date(2027, 1, 31, 12, 0, 0, 0, time.UTC)},
		{in: "2027-01-31T12:00:00+02:00", want: time.Date(2027, 1, 31, 10, 0, 0, 0, time.UTC)},
		{in: "2027-01-31T23:30:00-01:00", want: time.Date(2027, 2, 1, 0, 30, 0, 0, time.UTC)},
		{in: "2027-01-31T12:00:00.5Z", want: time.Date(2027, 1, 31, 12, 0, 0, 5e8, time.UTC)},
		{in: "2028-02-29", want: time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC)},
		{in: "2027-02-29", err: `"2027-02-29" is not a date (2027-01-31) or an RFC 3339 time`},
		{in: "31/01/2027", err: `"31/01/2027" is not a date (2027-01-31) or an RFC 3339 time`},
		{in: "2027-01-31 12:00:00", err: `"2027-01-31 12:00:00" is not a date (2027-01-31) or an RFC 3339 time`},
		{in: "2027-01-31T12:00:00", err: `"2027-01-31T12:00:00" is not a date (2027-01-31) or an RFC 3339 time`},
		{in: "", err: `"" is not a date (2027-01-31) or an RFC 3339 time`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := config.ParseDate(tc.in)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("ParseDate(%q) = %v, %v; want error %q", tc.in, got, err, tc.err)
				}
				return
			}
			if err != nil || !got.Equal(tc.want) || got.Location() != time.UTC {
				t.Errorf("ParseDate(%q) = %v, %v; want %v in UTC", tc.in, got, err, tc.want)
			}
		})
	}
}

// Bugs these tests found, fixed; the tests keep them fixed.

func TestFixedIssuerWithoutHostName(t *testing.T) {
	for _, in := range []string{"https://:443", "https://:443/tenant"} {
		_, d := config.Parse("site.yaml", []byte(lines("issuer: "+in)))
		if !d.HasErrors() {
			t.Errorf("issuer %s has no host name but is accepted (RFC 8414 §2 needs a host)", in)
		}
	}
}

func TestFixedAliasPosition(t *testing.T) {
	_, d := config.Parse("site.yaml", []byte(lines(okIssuer, "metadata:",
		"  scopes_supported: &s [openid]",
		"  token_endpoint: *s")))
	want := []string{"site.yaml:4:19: token_endpoint must be a string, not a list"}
	if got := render(d.Errors()); !slices.Equal(got, want) {
		t.Errorf("errors = %q, want %q", got, want)
	}
}

func TestFixedParserErrorLine(t *testing.T) {
	// The block sequence that cannot hold "b: c" starts on line 4, and the
	// fault is on line 5; yaml.v3 says "line 3".
	_, d := config.Parse("site.yaml", []byte(lines(okIssuer, "openid: true", "metadata:", "  - a", "  b: c")))
	for _, e := range d.Errors() {
		if e.Line < 4 {
			t.Errorf("%v: the fault is on line 5, in the list that starts on line 4", e)
		}
	}
}

func TestFixedJWKSPathMessage(t *testing.T) {
	_, d := config.Parse("site.yaml", []byte(lines(okIssuer, "jwks_path: /")))
	want := []string{`site.yaml:2:12: jwks_path "/" must be a file path below the site root, such as /jwks.json`}
	if got := render(d.Errors()); !slices.Equal(got, want) {
		t.Errorf("errors = %q, want %q", got, want)
	}
}

func TestFixedEndpointsTypeErrorAlsoWarnsEmpty(t *testing.T) {
	_, d := config.Parse("site.yaml", []byte(lines(okIssuer, "metadata:", "  mtls_endpoint_aliases: {token_endpoint: 5}")))
	want := []string{"site.yaml:3:43: mtls_endpoint_aliases.token_endpoint must be a string, not a number"}
	if got := render(d.Errors()); !slices.Equal(got, want) {
		t.Errorf("errors = %q, want %q", got, want)
	}
	if got := render(d.Warnings()); len(got) != 0 {
		t.Errorf("warnings = %q, want none: the object is not empty, its member is wrong", got)
	}
}
