package discovery_test

import (
	"net/url"
	"slices"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/discovery"
)

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// place is where one document goes: its well-known name, the URL a client
// fetches, and the file below the site root ("" when the site cannot hold it).
type place struct{ Name, URL, Path string }

const (
	oauth = discovery.OAuthName
	oidc  = discovery.OIDCName
)

// TestLocations derives every URL from the specifications: RFC 8414 §3.1
// inserts /.well-known/oauth-authorization-server between the host and the
// issuer's path, after removing a terminating "/"; OpenID Connect Discovery
// §4 appends /.well-known/openid-configuration to the issuer, also without
// its terminating "/"; RFC 8414 §5 allows the inserted form for
// openid-configuration, which MCP clients try first.
func TestLocations(t *testing.T) {
	for _, tc := range []struct {
		name, issuer, base string
		openid             bool
		want               []place
	}{
		{
			name: "host only", issuer: "https://example.com", base: "https://example.com", openid: true,
			want: []place{
				{oauth, "https://example.com/.well-known/oauth-authorization-server", ".well-known/oauth-authorization-server"},
				{oidc, "https://example.com/.well-known/openid-configuration", ".well-known/openid-configuration"},
			},
		},
		{
			name: "host only without OpenID", issuer: "https://example.com", base: "https://example.com", openid: false,
			want: []place{
				{oauth, "https://example.com/.well-known/oauth-authorization-server", ".well-known/oauth-authorization-server"},
			},
		},
		{
			// The path "/" is a terminating slash: removed, nothing is left,
			// and the inserted and appended OIDC forms are the same URL, listed once.
			name: "host with a slash", issuer: "https://example.com/", base: "https://example.com", openid: true,
			want: []place{
				{oauth, "https://example.com/.well-known/oauth-authorization-server", ".well-known/oauth-authorization-server"},
				{oidc, "https://example.com/.well-known/openid-configuration", ".well-known/openid-configuration"},
			},
		},
		{
			name: "path", issuer: "https://example.com/issuer1", base: "https://example.com", openid: true,
			want: []place{
				{oauth, "https://example.com/.well-known/oauth-authorization-server/issuer1", ".well-known/oauth-authorization-server/issuer1"},
				{oidc, "https://example.com/issuer1/.well-known/openid-configuration", "issuer1/.well-known/openid-configuration"},
				{oidc, "https://example.com/.well-known/openid-configuration/issuer1", ".well-known/openid-configuration/issuer1"},
			},
		},
		{
			name: "path with a terminating slash", issuer: "https://example.com/issuer1/", base: "https://example.com", openid: true,
			want: []place{
				{oauth, "https://example.com/.well-known/oauth-authorization-server/issuer1", ".well-known/oauth-authorization-server/issuer1"},
				{oidc, "https://example.com/issuer1/.well-known/openid-configuration", "issuer1/.well-known/openid-configuration"},
				{oidc, "https://example.com/.well-known/openid-configuration/issuer1", ".well-known/openid-configuration/issuer1"},
			},
		},
		{
			name: "path without OpenID", issuer: "https://example.com/issuer1/", base: "https://example.com", openid: false,
			want: []place{
				{oauth, "https://example.com/.well-known/oauth-authorization-server/issuer1", ".well-known/oauth-authorization-server/issuer1"},
			},
		},
		{
			name: "two segments", issuer: "https://example.com/a/b/", base: "https://example.com", openid: true,
			want: []place{
				{oauth, "https://example.com/.well-known/oauth-authorization-server/a/b", ".well-known/oauth-authorization-server/a/b"},
				{oidc, "https://example.com/a/b/.well-known/openid-configuration", "a/b/.well-known/openid-configuration"},
				{oidc, "https://example.com/.well-known/openid-configuration/a/b", ".well-known/openid-configuration/a/b"},
			},
		},
		{
			// A GitHub Pages project site serves only below /project: the
			// inserted forms start at the host root, outside the site.
			name: "base below the root", issuer: "https://example.github.io/project", base: "https://example.github.io/project", openid: true,
			want: []place{
				{oauth, "https://example.github.io/.well-known/oauth-authorization-server/project", ""},
				{oidc, "https://example.github.io/project/.well-known/openid-configuration", ".well-known/openid-configuration"},
				{oidc, "https://example.github.io/.well-known/openid-configuration/project", ""},
			},
		},
		{
			name: "base below the root, issuer deeper", issuer: "https://example.github.io/project/tenant/", base: "https://example.github.io/project", openid: true,
			want: []place{
				{oauth, "https://example.github.io/.well-known/oauth-authorization-server/project/tenant", ""},
				{oidc, "https://example.github.io/project/tenant/.well-known/openid-configuration", "tenant/.well-known/openid-configuration"},
				{oidc, "https://example.github.io/.well-known/openid-configuration/project/tenant", ""},
			},
		},
		{
			name: "base below the root without OpenID", issuer: "https://example.github.io/project", base: "https://example.github.io/project", openid: false,
			want: []place{
				{oauth, "https://example.github.io/.well-known/oauth-authorization-server/project", ""},
			},
		},
		{
			name: "base on another host", issuer: "https://login.example.com", base: "https://cdn.example.net", openid: true,
			want: []place{
				{oauth, "https://login.example.com/.well-known/oauth-authorization-server", ""},
				{oidc, "https://login.example.com/.well-known/openid-configuration", ""},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []place
			for _, l := range discovery.Locations(mustURL(t, tc.issuer), mustURL(t, tc.base), tc.openid) {
				got = append(got, place{l.Name, l.URL, l.Path})
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Locations(%s, %s, %v) =\n%q\nwant\n%q", tc.issuer, tc.base, tc.openid, got, tc.want)
			}
		})
	}
}

func TestSitePath(t *testing.T) {
	for _, tc := range []struct {
		name, base, target string
		want               string
		ok                 bool
	}{
		{"root", "https://example.com", "https://example.com/.well-known/x", ".well-known/x", true},
		{"root with a slash", "https://example.com/", "https://example.com/jwks.json", "jwks.json", true},
		{"below the root", "https://example.github.io/project", "https://example.github.io/project/jwks.json", "jwks.json", true},
		{"base with a slash", "https://example.github.io/project/", "https://example.github.io/project/a/b", "a/b", true},
		{"host case-insensitive", "https://example.com", "https://EXAMPLE.com/jwks.json", "jwks.json", true},
		{"scheme case-insensitive", "https://example.com", "HTTPS://example.com/jwks.json", "jwks.json", true},
		{"other host", "https://example.com", "https://example.org/jwks.json", "", false},
		{"subdomain", "https://example.com", "https://www.example.com/jwks.json", "", false},
		{"other scheme", "https://example.com", "http://example.com/jwks.json", "", false},
		{"other port", "https://example.com", "https://example.com:8443/jwks.json", "", false},
		{"prefix but not a segment", "https://example.github.io/project", "https://example.github.io/projectX/jwks.json", "", false},
		{"the base itself", "https://example.github.io/project", "https://example.github.io/project", "", false},
		{"above the base", "https://example.github.io/project", "https://example.github.io/jwks.json", "", false},
		{"not a URL", "https://example.com", "https://example.com/%zz", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := discovery.SitePath(mustURL(t, tc.base), tc.target)
			if got != tc.want || ok != tc.ok {
				t.Errorf("SitePath(%s, %s) = %q, %v; want %q, %v", tc.base, tc.target, got, ok, tc.want, tc.ok)
			}
		})
	}
}
