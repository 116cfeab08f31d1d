package discovery_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/discovery"
)

// tokenOnly is a Kubernetes service-account issuer as kube-apiserver
// publishes it: no authorization or token endpoint.
func tokenOnly(issuer string, meta ...string) string {
	out := []string{"issuer: " + issuer, "endpoints: false", "metadata:"}
	out = append(out, meta...)
	return lines(out...)
}

var kubeMeta = []string{
	"  response_types_supported: [id_token]",
	"  subject_types_supported: [public]",
	"  id_token_signing_alg_values_supported: [RS256]",
}

// An issuer with endpoints: false publishes the OpenID document without
// endpoints, warns of nothing, and publishes no RFC 8414 document.
func TestTokenOnlyRender(t *testing.T) {
	for _, tc := range []struct {
		issuer string
		paths  []string
	}{
		{"https://oidc.example.com", []string{".well-known/openid-configuration"}},
		{"https://oidc.example.com/clusters/prod", []string{
			"clusters/prod/.well-known/openid-configuration",
			".well-known/openid-configuration/clusters/prod",
		}},
	} {
		t.Run(tc.issuer, func(t *testing.T) {
			site := parse(t, tokenOnly(tc.issuer, kubeMeta...))
			arts, d := discovery.Render(site, rs256, nil, nil)
			if d.HasErrors() || len(d.Warnings()) != 0 {
				t.Fatalf("Render: %v %q", d.Err(), strs(d.Warnings()))
			}
			var paths []string
			for _, a := range arts {
				paths = append(paths, a.Path)
				names := memberNames(t, a.Body)
				want := []string{"issuer", "jwks_uri", "response_types_supported", "subject_types_supported", "id_token_signing_alg_values_supported"}
				if !slices.Equal(names, want) {
					t.Errorf("%s members %q, want kube-apiserver's %q", a.Path, names, want)
				}
			}
			if !slices.Equal(paths, tc.paths) {
				t.Errorf("paths %q, want %q", paths, tc.paths)
			}
		})
	}
}

// The relaxed rules hold only for an issuer that says it has no endpoints;
// saying so makes the converse an error, each at its own position.
func TestTokenOnlyRules(t *testing.T) {
	const iss = "https://oidc.example.com"
	for _, tc := range []struct {
		name string
		yaml string
		errs []string
	}{
		{
			name: "the same metadata without endpoints: false",
			yaml: lines(append([]string{"issuer: " + iss, "metadata:"}, kubeMeta...)...),
			errs: []string{
				"site.yaml:2:1: authorization_endpoint is required (OpenID Connect Discovery §3)",
				"site.yaml:2:1: token_endpoint is required (OpenID Connect Discovery §3: required unless only the implicit flow is used)",
			},
		},
		{
			name: "an endpoint",
			yaml: tokenOnly(iss, append(kubeMeta, "  token_endpoint: https://oidc.example.com/token")...),
			errs: []string{"site.yaml:7:3: token_endpoint contradicts endpoints: false: the issuer serves no endpoint, so clients have nothing to call\n\thint: remove token_endpoint, or endpoints: false if the issuer does serve OAuth endpoints"},
		},
		{
			name: "endpoint aliases and grant types",
			yaml: tokenOnly(iss, append(kubeMeta,
				"  grant_types_supported: [client_credentials]",
				"  mtls_endpoint_aliases: {token_endpoint: https://mtls.example.com/token}")...),
			errs: []string{
				"site.yaml:7:3: grant_types_supported contradicts endpoints: false: the issuer serves no endpoint, so clients have nothing to call\n\thint: remove grant_types_supported, or endpoints: false if the issuer does serve OAuth endpoints",
				"site.yaml:8:3: mtls_endpoint_aliases contradicts endpoints: false: the issuer serves no endpoint, so clients have nothing to call\n\thint: remove mtls_endpoint_aliases, or endpoints: false if the issuer does serve OAuth endpoints",
			},
		},
		{
			name: "a response type other than id_token",
			yaml: tokenOnly(iss, "  response_types_supported: [id_token, code]", kubeMeta[1], kubeMeta[2]),
			errs: []string{`site.yaml:4:40: response type "code" contradicts endpoints: false: an issuer without endpoints issues ID tokens only` +
				"\n\thint: write response_types_supported: [id_token], as kube-apiserver publishes it"},
		},
		{
			name: "the OpenID rules still hold",
			yaml: tokenOnly(iss, kubeMeta[0], "  id_token_signing_alg_values_supported: [ES256]"),
			errs: []string{
				"site.yaml:3:1: subject_types_supported is required (OpenID Connect Discovery §3)\n\thint: add subject_types_supported: [public]",
				"site.yaml:5:3: id_token_signing_alg_values_supported must include RS256 (OpenID Connect Discovery §3), which every relying party supports" +
					"\n\thint: add an RSA key to the key directory and RS256 to the list, or set openid: false to publish only RFC 8414 metadata",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := discovery.Check(parse(t, tc.yaml), rs256, false)
			var got []string
			for _, e := range d.Errors() {
				got = append(got, e.String())
			}
			if !slices.Equal(got, tc.errs) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.errs, "\n"))
			}
		})
	}
}

// endpoints: false with openid: false would publish nothing an RFC allows.
func TestTokenOnlyNeedsOpenID(t *testing.T) {
	_, d := config.Parse("site.yaml", []byte(lines("issuer: https://oidc.example.com", "openid: false", "endpoints: false", "metadata:", kubeMeta[0])))
	var got []string
	for _, e := range d.Errors() {
		got = append(got, e.String())
	}
	want := "site.yaml:3:1: endpoints: false needs openid: an issuer without endpoints publishes only the OpenID Connect document, and openid: false leaves none" +
		"\n\thint: remove openid: false: relying parties of a token-only issuer read /.well-known/openid-configuration"
	if !slices.Equal(got, []string{want}) {
		t.Errorf("errors %q, want %q", got, want)
	}
	// In an issuers entry it is an issuer's setting, as openid is.
	_, d = config.Parse("site.yaml", []byte(lines("endpoints: false", "issuers:", "  - issuer: https://oidc.example.com", "    endpoints: false")))
	if msg := d.Err(); msg == nil || !strings.Contains(msg.Error(), "site.yaml:1:1: endpoints goes in each entry of issuers, not at the top level") {
		t.Errorf("top-level endpoints beside issuers: %v", msg)
	}
}

// In an issuers entry, endpoints is that issuer's: a service-account issuer
// beside an authorization server of the same site.
func TestTokenOnlyEntry(t *testing.T) {
	site := parse(t, lines(
		"base_url: https://id.example.com",
		"issuers:",
		"  - issuer: https://id.example.com/login",
		"    metadata:",
		"      authorization_endpoint: https://id.example.com/login/authorize",
		"      token_endpoint: https://id.example.com/login/token",
		"      response_types_supported: [code]",
		"      subject_types_supported: [public]",
		"      id_token_signing_alg_values_supported: [RS256]",
		"      code_challenge_methods_supported: [S256]",
		"  - issuer: https://id.example.com/clusters/prod",
		"    endpoints: false",
		"    metadata:",
		kubeMeta[0][:2]+"    "+kubeMeta[0][2:],
		kubeMeta[1][:2]+"    "+kubeMeta[1][2:],
		kubeMeta[2][:2]+"    "+kubeMeta[2][2:],
	))
	want := map[string][]string{
		"https://id.example.com/login": {
			".well-known/oauth-authorization-server/login",
			"login/.well-known/openid-configuration",
			".well-known/openid-configuration/login",
		},
		"https://id.example.com/clusters/prod": {
			"clusters/prod/.well-known/openid-configuration",
			".well-known/openid-configuration/clusters/prod",
		},
	}
	for _, iss := range site.Issuers {
		arts, d := discovery.Render(iss, rs256, nil, nil)
		if d.HasErrors() || len(d.Warnings()) != 0 {
			t.Fatalf("%s: %v %q", iss.Issuer, d.Err(), strs(d.Warnings()))
		}
		var paths []string
		for _, a := range arts {
			paths = append(paths, a.Path)
		}
		if !slices.Equal(paths, want[iss.Issuer]) {
			t.Errorf("%s: paths %q, want %q", iss.Issuer, paths, want[iss.Issuer])
		}
	}
}
