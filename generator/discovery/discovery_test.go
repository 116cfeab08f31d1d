package discovery_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/discovery"
	"github.com/wellknown-dev/wellknown/generator/keys"
)

func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

// parse loads a site.yaml given as text, failing the test on any error.
func parse(t *testing.T, yaml string) *config.Site {
	t.Helper()
	s, d := config.Parse("site.yaml", []byte(yaml))
	if d.HasErrors() {
		t.Fatalf("site.yaml does not parse:\n%v\n%s", d.Err(), yaml)
	}
	return s
}

// defaults is a minimal OpenID provider that passes every check.
var defaults = []string{
	"  authorization_endpoint: https://login.example.com/authorize",
	"  token_endpoint: https://login.example.com/token",
	"  response_types_supported: [code]",
	"  subject_types_supported: [public]",
	"  id_token_signing_alg_values_supported: [RS256]",
	"  code_challenge_methods_supported: [S256]",
}

// siteYAML writes a site.yaml whose line 1 is the issuer, line 2 the openid
// switch and line 3 "metadata:"; the given metadata lines start at line 4
// and are followed by the defaults they do not mention. A line "-name"
// drops the default called name.
func siteYAML(openid bool, meta ...string) string {
	out := []string{"issuer: https://login.example.com", "openid: false", "metadata:"}
	if openid {
		out[1] = "openid: true"
	}
	skip := map[string]bool{}
	for _, m := range meta {
		if name, ok := strings.CutPrefix(m, "-"); ok {
			skip[name] = true
			continue
		}
		skip[strings.TrimSpace(strings.SplitN(m, ":", 2)[0])] = true
		out = append(out, m)
	}
	for _, d := range defaults {
		if !skip[strings.TrimSpace(strings.SplitN(d, ":", 2)[0])] {
			out = append(out, d)
		}
	}
	return lines(out...)
}

func key(alg string, state config.State) keys.Key {
	return keys.Key{Files: []string{"keys/" + alg + ".pem"}, JWK: jose.JSONWebKey{Algorithm: alg, Use: "sig"}, State: state}
}

var rs256 = []keys.Key{key("RS256", config.Active)}

func strs(ds []diag.Diagnostic) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.String())
	}
	return out
}

const (
	rtRule   = "(RFC 6749 §3.1.1, OAuth 2.0 Multiple Response Types §3)"
	signHint = "\n\thint: add a key for ES256 to the key directory, or set alg on a key in site.yaml (keys: FILE: {alg: ES256})"
)

// TestCheck runs every rule of RFC 8414 §2 and OpenID Connect Discovery §3
// that Render checks, each with a case that passes and one that fails.
func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name   string
		openid bool
		meta   []string
		keys   []keys.Key // rs256 when nil
		errs   []string
		warns  []string
	}{
		{name: "minimal OpenID provider", openid: true},
		{name: "minimal RFC 8414 server", meta: []string{"-subject_types_supported", "-id_token_signing_alg_values_supported"}},

		// response_types_supported: REQUIRED (RFC 8414 §2); each value is
		// none alone or a set of code, token and id_token.
		{
			name: "response_types_supported missing", openid: true, meta: []string{"-response_types_supported"},
			errs: []string{"site.yaml:3:1: response_types_supported is required (RFC 8414 §2)\n\thint: add response_types_supported: [code]"},
		},
		{
			name: "response types of OAuth 2.0 Multiple Response Types", openid: true,
			meta: []string{"  response_types_supported: [none, code, token, id_token, code id_token, id_token token, code id_token token, token code]"},
		},
		{
			name: "response type repeating a value", openid: true, meta: []string{"  response_types_supported: [code code]"},
			errs: []string{`site.yaml:4:30: response type "code code" repeats "code" ` + rtRule},
		},
		{
			name: "unknown response type", openid: true, meta: []string{"  response_types_supported: [code, foo]"},
			errs: []string{`site.yaml:4:36: response type "foo" has unknown value "foo" ` + rtRule},
		},
		{
			name: "none with another response type", openid: true, meta: []string{"  response_types_supported: [none code]"},
			errs: []string{`site.yaml:4:30: response type "none code" combines none with other values ` + rtRule},
		},

		// authorization_endpoint: always for OpenID Connect; for RFC 8414
		// unless no supported grant uses it (omitted grant_types_supported
		// means authorization_code and implicit).
		{
			name: "OpenID without authorization_endpoint", openid: true, meta: []string{"-authorization_endpoint"},
			errs: []string{"site.yaml:3:1: authorization_endpoint is required (OpenID Connect Discovery §3)"},
		},
		{
			name: "OpenID without authorization_endpoint, client credentials only", openid: true,
			meta: []string{"-authorization_endpoint", "  grant_types_supported: [client_credentials]"},
			errs: []string{"site.yaml:3:1: authorization_endpoint is required (OpenID Connect Discovery §3)"},
		},
		{
			name: "RFC 8414 without authorization_endpoint, default grant types",
			meta: []string{"-authorization_endpoint"},
			errs: []string{"site.yaml:3:1: authorization_endpoint is required (RFC 8414 §2: a supported grant type uses it)"},
		},
		{
			name: "RFC 8414 without authorization_endpoint, implicit grant",
			meta: []string{"-authorization_endpoint", "  grant_types_supported: [implicit]", "  response_types_supported: [token]"},
			errs: []string{"site.yaml:3:1: authorization_endpoint is required (RFC 8414 §2: a supported grant type uses it)"},
		},
		{
			name: "RFC 8414 without authorization_endpoint, no grant uses it",
			meta: []string{"-authorization_endpoint", "  grant_types_supported: [client_credentials, urn:ietf:params:oauth:grant-type:device_code, refresh_token]"},
		},

		// token_endpoint: required unless only the implicit grant is supported.
		{
			name: "OpenID without token_endpoint", openid: true, meta: []string{"-token_endpoint"},
			errs: []string{"site.yaml:3:1: token_endpoint is required (OpenID Connect Discovery §3: required unless only the implicit flow is used)"},
		},
		{
			name: "RFC 8414 without token_endpoint", meta: []string{"-token_endpoint"},
			errs: []string{"site.yaml:3:1: token_endpoint is required (RFC 8414 §2: required unless only the implicit grant is supported)"},
		},
		{
			name: "OpenID implicit only without token_endpoint", openid: true,
			meta: []string{"-token_endpoint", "  grant_types_supported: [implicit]", "  response_types_supported: [id_token, id_token token]"},
		},
		{
			name: "RFC 8414 implicit only without token_endpoint",
			meta: []string{"-token_endpoint", "  grant_types_supported: [implicit]", "  response_types_supported: [token]"},
		},
		{
			name: "implicit and refresh without token_endpoint",
			meta: []string{"-token_endpoint", "  grant_types_supported: [implicit, refresh_token]", "  response_types_supported: [token]"},
			errs: []string{"site.yaml:3:1: token_endpoint is required (RFC 8414 §2: required unless only the implicit grant is supported)"},
		},

		// subject_types_supported: REQUIRED for OpenID, public or pairwise.
		{
			name: "OpenID without subject_types_supported", openid: true, meta: []string{"-subject_types_supported"},
			errs: []string{"site.yaml:3:1: subject_types_supported is required (OpenID Connect Discovery §3)\n\thint: add subject_types_supported: [public]"},
		},
		{name: "public and pairwise subjects", openid: true, meta: []string{"  subject_types_supported: [public, pairwise]"}},
		{
			name: "unknown subject type", openid: true, meta: []string{"  subject_types_supported: [public, anonymous]"},
			errs: []string{`site.yaml:4:37: subject type "anonymous" is neither public nor pairwise (OpenID Connect Core §8)`},
		},
		{
			name: "unknown subject type without OpenID", meta: []string{"  subject_types_supported: [public, anonymous]"},
			errs: []string{`site.yaml:4:37: subject type "anonymous" is neither public nor pairwise (OpenID Connect Core §8)`},
		},

		// id_token_signing_alg_values_supported: REQUIRED, and MUST include RS256.
		{
			name: "OpenID without id_token_signing_alg_values_supported", openid: true, meta: []string{"-id_token_signing_alg_values_supported"},
			errs: []string{"site.yaml:3:1: id_token_signing_alg_values_supported is required (OpenID Connect Discovery §3)\n\thint: add id_token_signing_alg_values_supported: [RS256] and an RSA key"},
		},
		{
			name: "OpenID without RS256", openid: true, meta: []string{"  id_token_signing_alg_values_supported: [ES256]"},
			keys: []keys.Key{key("ES256", config.Active)},
			errs: []string{"site.yaml:4:3: id_token_signing_alg_values_supported must include RS256 (OpenID Connect Discovery §3), which every relying party supports\n\thint: add an RSA key to the key directory and RS256 to the list, or set openid: false to publish only RFC 8414 metadata"},
		},
		{
			name: "RFC 8414 without RS256", meta: []string{"  id_token_signing_alg_values_supported: [ES256]"},
			keys: []keys.Key{key("ES256", config.Active)},
		},

		// scopes_supported SHOULD list openid.
		{
			name: "OpenID scopes without openid", openid: true, meta: []string{"  scopes_supported: [profile, email]"},
			warns: []string{"site.yaml:4:3: warning: scopes_supported should list openid (OpenID Connect Discovery §3)"},
		},
		{name: "OpenID scopes with openid", openid: true, meta: []string{"  scopes_supported: [openid, profile]"}},
		{name: "RFC 8414 scopes without openid", meta: []string{"  scopes_supported: [profile, email]"}},

		// *_auth_signing_alg_values_supported MUST be present when
		// private_key_jwt or client_secret_jwt is listed, and MUST NOT list none.
		{
			name: "private_key_jwt at the token endpoint without algs", openid: true,
			meta: []string{"  token_endpoint_auth_methods_supported: [private_key_jwt]"},
			errs: []string{"site.yaml:4:3: token_endpoint_auth_signing_alg_values_supported is required because token_endpoint_auth_methods_supported lists private_key_jwt or client_secret_jwt (RFC 8414 §2)\n\thint: add token_endpoint_auth_signing_alg_values_supported: [RS256, ES256]"},
		},
		{
			name: "private_key_jwt at the token endpoint with algs", openid: true,
			meta: []string{"  token_endpoint_auth_methods_supported: [private_key_jwt]", "  token_endpoint_auth_signing_alg_values_supported: [RS256, ES256]"},
		},
		{
			name: "client_secret_jwt at the revocation endpoint without algs", openid: true,
			meta: []string{"  revocation_endpoint_auth_methods_supported: [client_secret_basic, client_secret_jwt]"},
			errs: []string{"site.yaml:4:3: revocation_endpoint_auth_signing_alg_values_supported is required because revocation_endpoint_auth_methods_supported lists private_key_jwt or client_secret_jwt (RFC 8414 §2)\n\thint: add revocation_endpoint_auth_signing_alg_values_supported: [RS256, ES256]"},
		},
		{
			name: "client_secret_jwt at the revocation endpoint with algs", openid: true,
			meta: []string{"  revocation_endpoint_auth_methods_supported: [client_secret_jwt]", "  revocation_endpoint_auth_signing_alg_values_supported: [HS256]"},
		},
		{
			name: "private_key_jwt at the introspection endpoint without algs", openid: true,
			meta: []string{"  introspection_endpoint_auth_methods_supported: [private_key_jwt]"},
			errs: []string{"site.yaml:4:3: introspection_endpoint_auth_signing_alg_values_supported is required because introspection_endpoint_auth_methods_supported lists private_key_jwt or client_secret_jwt (RFC 8414 §2)\n\thint: add introspection_endpoint_auth_signing_alg_values_supported: [RS256, ES256]"},
		},
		{
			name: "no JWT client authentication needs no algs", openid: true,
			meta: []string{"  token_endpoint_auth_methods_supported: [client_secret_basic, none, tls_client_auth]"},
		},
		{
			name: "none as a token endpoint auth alg", openid: true,
			meta: []string{"  token_endpoint_auth_signing_alg_values_supported: [RS256, none]"},
			errs: []string{"site.yaml:4:61: token_endpoint_auth_signing_alg_values_supported must not list none (RFC 8414 §2)"},
		},
		{
			name: "none as a revocation endpoint auth alg", openid: true,
			meta: []string{"  revocation_endpoint_auth_signing_alg_values_supported: [none]"},
			errs: []string{"site.yaml:4:59: revocation_endpoint_auth_signing_alg_values_supported must not list none (RFC 8414 §2)"},
		},
		{
			name: "none as an introspection endpoint auth alg", openid: true,
			meta: []string{"  introspection_endpoint_auth_signing_alg_values_supported: [none]"},
			errs: []string{"site.yaml:4:62: introspection_endpoint_auth_signing_alg_values_supported must not list none (RFC 8414 §2)"},
		},

		// Registered values (IANA OAuth Token Endpoint Authentication
		// Methods; JWS algorithms of RFC 7518 §3.1 and RFC 8037).
		{
			name: "every registered auth method", openid: true,
			meta: []string{"  token_endpoint_auth_methods_supported: [none, client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt, tls_client_auth, self_signed_tls_client_auth]",
				"  token_endpoint_auth_signing_alg_values_supported: [RS256]"},
		},
		{
			name: "unknown auth method", openid: true,
			meta: []string{"  token_endpoint_auth_methods_supported: [client_secret_basic, client_secret_bearer]"},
			warns: []string{`site.yaml:4:64: warning: token_endpoint_auth_methods_supported lists "client_secret_bearer", which is not a registered client authentication method` +
				"\n\thint: registered methods: none, client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt, tls_client_auth, self_signed_tls_client_auth"},
		},
		{
			name: "registered JWS algorithms", openid: true,
			meta: []string{"  request_object_signing_alg_values_supported: [none, HS256, HS384, HS512, RS256, RS384, RS512, ES256, ES384, ES512, PS256, PS384, PS512, EdDSA]"},
		},
		{
			name: "unknown JWS algorithm", openid: true,
			meta:  []string{"  request_object_signing_alg_values_supported: [RS256, RSA256]"},
			warns: []string{`site.yaml:4:56: warning: request_object_signing_alg_values_supported lists "RSA256", which is not a registered JWS algorithm (RFC 7518 §3.1)`},
		},

		// Algorithms the server signs with need a published signing key.
		{
			name: "server signing alg without a key", openid: true,
			meta: []string{"  id_token_signing_alg_values_supported: [RS256, ES256]"},
			errs: []string{"site.yaml:4:50: id_token_signing_alg_values_supported lists ES256, but no published active or next signing key has alg ES256" + signHint},
		},
		{
			name: "server signing alg with only a retired key", openid: true,
			meta: []string{"  id_token_signing_alg_values_supported: [RS256, ES256]"},
			keys: []keys.Key{key("RS256", config.Active), key("ES256", config.Retired)},
			errs: []string{"site.yaml:4:50: id_token_signing_alg_values_supported lists ES256, but no published active or next signing key has alg ES256" + signHint},
		},
		{
			name: "server signing alg with an encryption key", openid: true,
			meta: []string{"  id_token_signing_alg_values_supported: [RS256, ES256]"},
			keys: []keys.Key{key("RS256", config.Active), {JWK: jose.JSONWebKey{Algorithm: "ES256", Use: "enc"}, State: config.Active}},
			errs: []string{"site.yaml:4:50: id_token_signing_alg_values_supported lists ES256, but no published active or next signing key has alg ES256" + signHint},
		},
		{
			name: "server signing alg with a next key", openid: true,
			meta: []string{"  id_token_signing_alg_values_supported: [RS256, ES256]"},
			keys: []keys.Key{key("RS256", config.Active), key("ES256", config.Next)},
		},
		{
			name: "only RS256 key retired", openid: true,
			keys: []keys.Key{key("RS256", config.Retired)},
			errs: []string{"site.yaml:8:43: id_token_signing_alg_values_supported lists RS256, but no published active or next signing key has alg RS256" +
				"\n\thint: add a key for RS256 to the key directory, or set alg on a key in site.yaml (keys: FILE: {alg: RS256})"},
		},
		{
			name: "none and HS256 need no key", openid: true,
			meta: []string{"  id_token_signing_alg_values_supported: [RS256, none, HS256]", "  userinfo_signing_alg_values_supported: [none, HS512]"},
		},
		{
			name: "userinfo signing alg without a key", openid: true,
			meta: []string{"  userinfo_signing_alg_values_supported: [EdDSA]"},
			errs: []string{"site.yaml:4:43: userinfo_signing_alg_values_supported lists EdDSA, but no published active or next signing key has alg EdDSA" +
				"\n\thint: add a key for EdDSA to the key directory, or set alg on a key in site.yaml (keys: FILE: {alg: EdDSA})"},
		},
		{
			// Request objects and client assertions are signed by clients.
			name: "client signing algs need no key of ours", openid: true,
			meta: []string{"  request_object_signing_alg_values_supported: [ES512]", "  token_endpoint_auth_signing_alg_values_supported: [PS256]"},
		},

		// PKCE: MCP clients refuse servers without S256.
		{
			name: "code_challenge_methods_supported missing", openid: true, meta: []string{"-code_challenge_methods_supported"},
			warns: []string{"site.yaml:3:1: warning: code_challenge_methods_supported is missing: MCP clients refuse authorization servers that do not advertise PKCE\n\thint: add code_challenge_methods_supported: [S256]"},
		},
		{
			name: "code_challenge_methods_supported without S256", openid: true, meta: []string{"  code_challenge_methods_supported: [plain]"},
			warns: []string{"site.yaml:4:3: warning: code_challenge_methods_supported lacks S256, the method clients must use when they can (RFC 7636 §4.2)"},
		},
		{name: "code_challenge_methods_supported with S256 and plain", openid: true, meta: []string{"  code_challenge_methods_supported: [plain, S256]"}},

		// Every problem at once, sorted by position.
		{
			name: "several problems", openid: true,
			meta: []string{"  subject_types_supported: [public, anonymous]", "-response_types_supported", "  code_challenge_methods_supported: [plain]"},
			errs: []string{
				"site.yaml:3:1: response_types_supported is required (RFC 8414 §2)\n\thint: add response_types_supported: [code]",
				`site.yaml:4:37: subject type "anonymous" is neither public nor pairwise (OpenID Connect Core §8)`,
			},
			warns: []string{"site.yaml:5:3: warning: code_challenge_methods_supported lacks S256, the method clients must use when they can (RFC 7636 §4.2)"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			site := parse(t, siteYAML(tc.openid, tc.meta...))
			ks := tc.keys
			if ks == nil {
				ks = rs256
			}
			arts, d := discovery.Render(site, ks, nil, nil)
			if got := strs(d.Errors()); !slices.Equal(got, tc.errs) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.errs, "\n"))
			}
			if got := strs(d.Warnings()); !slices.Equal(got, tc.warns) {
				t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.warns, "\n"))
			}
			if (len(arts) == 0) != d.HasErrors() {
				t.Errorf("%d documents with errors = %v: a failed check must publish nothing", len(arts), d.HasErrors())
			}
		})
	}
}

// memberNames returns the names of a JSON object's members in document order.
func memberNames(t *testing.T, body []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	var names []string
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %s", body)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, tok.(string))
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
	return names
}

func TestRenderDocument(t *testing.T) {
	// Metadata written out of order, with the derived members repeated.
	site := parse(t, lines(
		"issuer: https://login.example.com/tenant/",
		"metadata:",
		"  code_challenge_methods_supported: [S256]",
		"  subject_types_supported: [public]",
		"  jwks_uri: https://login.example.com/jwks.json",
		"  id_token_signing_alg_values_supported: [RS256]",
		"  response_types_supported: [code]",
		"  token_endpoint: https://login.example.com/token",
		"  authorization_endpoint: https://login.example.com/authorize?prompt=login&x=y",
		"  scopes_supported: []",
		"  issuer: https://login.example.com/tenant/",
	))
	header := http.Header{"Content-Type": {"application/json"}}
	arts, d := discovery.Render(site, rs256, nil, header)
	if d.HasErrors() || len(d.Warnings()) != 0 {
		t.Fatalf("Render: %v %q", d.Err(), strs(d.Warnings()))
	}

	// issuer first, then the RFC 8414 §2 order of the registry, jwks_uri
	// after the endpoints; the issuer keeps its trailing slash (§3.3); the
	// empty scopes_supported is left out (§3.2); "&" is not escaped.
	want := `{
  "issuer": "https://login.example.com/tenant/",
  "authorization_endpoint": "https://login.example.com/authorize?prompt=login&x=y",
  "token_endpoint": "https://login.example.com/token",
  "jwks_uri": "https://login.example.com/jwks.json",
  "response_types_supported": [
    "code"
  ],
  "subject_types_supported": [
    "public"
  ],
  "id_token_signing_alg_values_supported": [
    "RS256"
  ],
  "code_challenge_methods_supported": [
    "S256"
  ]
}
`
	wantPaths := []string{
		".well-known/oauth-authorization-server/tenant",
		"tenant/.well-known/openid-configuration",
		".well-known/openid-configuration/tenant",
	}
	var paths []string
	for _, a := range arts {
		paths = append(paths, a.Path)
		if string(a.Body) != want {
			t.Errorf("%s:\n%s\nwant:\n%s", a.Path, a.Body, want)
		}
		if a.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: header %v", a.Path, a.Header)
		}
	}
	if !slices.Equal(paths, wantPaths) {
		t.Errorf("paths = %q, want %q", paths, wantPaths)
	}
	if len(arts) > 1 {
		arts[0].Header.Set("Content-Type", "text/plain")
		if arts[1].Header.Get("Content-Type") != "application/json" {
			t.Error("artifacts share one header map")
		}
	}
	if len(arts) > 0 {
		names := memberNames(t, arts[0].Body)
		if names[0] != "issuer" || slices.Index(names, "jwks_uri") != 3 {
			t.Errorf("member order %q", names)
		}
	}
}

func TestRenderPlacement(t *testing.T) {
	const (
		oauthMiss = "OAuth 2.0 clients that use RFC 8414 discovery, MCP clients among them, will not find the metadata there"
		oidcMiss  = "OpenID Connect relying parties will not find the metadata"
		mcpMiss   = "clients that try the RFC 8414 form for openid-configuration, MCP clients among them, fall back to the appended form"
		project   = "https://example.github.io/project"
		ghPages   = "issuer: " + project
	)
	for _, tc := range []struct {
		name   string
		yaml   string
		paths  []string
		errs   []string
		warns  []string
		openid bool
	}{
		{
			name:  "issuer at the origin",
			yaml:  lines("issuer: https://login.example.com"),
			paths: []string{".well-known/oauth-authorization-server", ".well-known/openid-configuration"},
		},
		{
			name:  "issuer at the origin without OpenID",
			yaml:  lines("issuer: https://login.example.com", "openid: false"),
			paths: []string{".well-known/oauth-authorization-server"},
		},
		{
			name:  "project site: the inserted forms are outside base_url",
			yaml:  lines(ghPages, "base_url: "+project),
			paths: []string{".well-known/openid-configuration"},
			warns: []string{
				"site.yaml:2:1: warning: https://example.github.io/.well-known/oauth-authorization-server/project is not published: it is outside base_url " + project + "; " + oauthMiss,
				"site.yaml:2:1: warning: https://example.github.io/.well-known/openid-configuration/project is not published: it is outside base_url " + project + "; " + mcpMiss,
			},
		},
		{
			name: "project site without OpenID: nothing hostable",
			yaml: lines(ghPages, "base_url: "+project, "openid: false"),
			errs: []string{"site.yaml:2:1: no discovery document can be published: https://example.github.io/.well-known/oauth-authorization-server/project is outside base_url " + project +
				"\n\thint: set base_url to the issuer's origin, or leave it out"},
		},
		{
			name: "base_url on another host",
			yaml: lines("issuer: https://login.example.com", "base_url: https://cdn.example.net"),
			errs: []string{
				"site.yaml:2:1: no discovery document can be published: https://login.example.com/.well-known/oauth-authorization-server is outside base_url https://cdn.example.net\n\thint: set base_url to the issuer's origin, or leave it out",
				"site.yaml:2:1: no discovery document can be published: https://login.example.com/.well-known/openid-configuration is outside base_url https://cdn.example.net\n\thint: set base_url to the issuer's origin, or leave it out",
			},
		},
		{
			// Only the appended OIDC form is missed here: base_url sits
			// below the issuer's path.
			name:  "base_url below the issuer",
			yaml:  lines("issuer: https://login.example.com/t", "base_url: https://login.example.com/t/site"),
			warns: nil,
			errs: []string{
				"site.yaml:2:1: no discovery document can be published: https://login.example.com/.well-known/oauth-authorization-server/t is outside base_url https://login.example.com/t/site\n\thint: set base_url to the issuer's origin, or leave it out",
				"site.yaml:2:1: no discovery document can be published: https://login.example.com/t/.well-known/openid-configuration is outside base_url https://login.example.com/t/site\n\thint: set base_url to the issuer's origin, or leave it out",
				"site.yaml:2:1: no discovery document can be published: https://login.example.com/.well-known/openid-configuration/t is outside base_url https://login.example.com/t/site\n\thint: set base_url to the issuer's origin, or leave it out",
			},
		},
		{
			name:  "base_url at the origin, issuer with a path",
			yaml:  lines("issuer: https://login.example.com/t", "base_url: https://login.example.com"),
			paths: []string{".well-known/oauth-authorization-server/t", "t/.well-known/openid-configuration", ".well-known/openid-configuration/t"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// The placement is all this test is about: add metadata that
			// passes every check after the lines given.
			site := parse(t, tc.yaml+lines("metadata:", defaults[0], defaults[1], defaults[2], defaults[3], defaults[4], defaults[5]))
			arts, d := discovery.Render(site, rs256, nil, nil)
			if got := strs(d.Errors()); !slices.Equal(got, tc.errs) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.errs, "\n"))
			}
			if got := strs(d.Warnings()); !slices.Equal(got, tc.warns) {
				t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.warns, "\n"))
			}
			var paths []string
			for _, a := range arts {
				paths = append(paths, a.Path)
				if !bytes.Equal(a.Body, arts[0].Body) {
					t.Errorf("%s differs from %s", a.Path, arts[0].Path)
				}
			}
			if !slices.Equal(paths, tc.paths) {
				t.Errorf("paths = %q, want %q", paths, tc.paths)
			}
		})
	}
}

func TestRenderOIDCFormMissed(t *testing.T) {
	// The appended form is the one OpenID Connect Discovery §4 defines:
	// when base_url cannot hold it, relying parties are told.
	site := parse(t, lines(
		"issuer: https://login.example.com/t",
		"base_url: https://login.example.com",
		"metadata:", defaults[0], defaults[1], defaults[2], defaults[3], defaults[4], defaults[5]))
	// Move the site below /.well-known, which holds the inserted forms only.
	site.BaseURL = mustURL(t, "https://login.example.com/.well-known")
	arts, d := discovery.Render(site, rs256, nil, nil)
	want := []string{"site.yaml:2:1: warning: https://login.example.com/t/.well-known/openid-configuration is not published: it is outside base_url https://login.example.com/.well-known; OpenID Connect relying parties will not find the metadata"}
	if got := strs(d.Warnings()); !slices.Equal(got, want) {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(arts) != 2 {
		t.Errorf("%d documents, want the two inserted forms", len(arts))
	}
}
