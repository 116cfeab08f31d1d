package config_test

import (
	"testing"

	"github.com/wellknown-dev/wellknown/generator/config"
)

var resourceCases = []parseCase{
	{
		name: "resource with every kind of field",
		yaml: lines(okIssuer,
			"resources:",
			"  - resource: https://login.example.com/api",
			"    resource_name: API",
			"    resource_name#de: Schnittstelle",
			"    authorization_servers: [https://login.example.com, https://other.example]",
			"    tls_client_certificate_bound_access_tokens: true",
			"    signed_metadata: {key: ec.pem}",
		),
		check: func(t *testing.T, s *config.Site) {
			r := s.Resources[0]
			if r.ID != "https://login.example.com/api" || len(r.Fields) != 4 {
				t.Errorf("resource %+v", r)
			}
			if r.SignedMetadata == nil || r.SignedMetadata.Issuer != s || r.SignedMetadata.Key != "ec.pem" {
				t.Errorf("signed_metadata %+v", r.SignedMetadata)
			}
		},
	},
	{
		name: "every rule of RFC 9728 §2, reported at once",
		yaml: lines(okIssuer,
			"resources:",
			"  - resource: http://login.example.com/api#x",
			"    authorization_servers: [https://login.example.com, http://as.example, \"https://as.example?q\"]",
			"    bearer_methods_supported: [header, cookie]",
			"    resource_signing_alg_values_supported: [ES256, none]",
			"    dpop_signing_alg_values_supported: [none]",
			"    jwks_uri: http://login.example.com/jwks",
			"    resource_nmae: API",
			"    scopes_supported: read",
			"  - resource_name: no identifier",
			"  - resource: https://login.example.com/q?x=1",
			"  - resource: https://login.example.com/b",
			"    signed_metadata: {key: ec.pem}",
			"  - resource: https://login.example.com/b",
		),
		errs: []string{
			"site.yaml:3:15: resource must not have a fragment (RFC 9728 §2)",
			"site.yaml:4:56: authorization server must use https, not \"http\" (RFC 9728 §2, RFC 8414 §2)",
			"site.yaml:4:75: authorization server must not have a query (RFC 9728 §2, RFC 8414 §2)",
			"site.yaml:5:40: bearer method \"cookie\" is not header, body or query (RFC 9728 §2, RFC 6750 §2)",
			"site.yaml:6:52: resource_signing_alg_values_supported must not list none (RFC 9728 §2)",
			"site.yaml:7:41: dpop_signing_alg_values_supported must not list none (RFC 9728 §2)",
			"site.yaml:8:15: jwks_uri must use https, not \"http\" (RFC 9728 §2)",
			"site.yaml:9:5: unknown field \"resource_nmae\" in resources entry\n\thint: did you mean \"resource_name\"?",
			"site.yaml:10:23: scopes_supported must be a list of strings, not a string",
			"site.yaml:11:5: resource is required: the identifier clients use for the protected resource (RFC 9728 §2)",
			"site.yaml:12:15: resource has a query, which a static file cannot answer for (RFC 9728 §2 prefers none)",
			"site.yaml:14:5: signed_metadata.issuer is required: none of authorization_servers is an issuer of this site (RFC 9728 §2.2)\n\thint: the signer is the iss of the JWT; clients verify it with that issuer's keys",
			"site.yaml:15:5: resource https://login.example.com/b is already listed at site.yaml:13:5",
		},
	},
	{
		name: "a resource path must be served as written; another site's issuer need only be a URI",
		yaml: lines(okIssuer,
			"resources:",
			"  - resource: https://login.example.com/api%2Fv1",
			"  - resource: https://login.example.com/api/v1.2",
			"    authorization_servers: [https://other.example/t/a%20b, https://other.example/ä]",
		),
		errs: []string{
			`site.yaml:3:15: resource path "/api%2Fv1" holds '%': it becomes a directory of the published tree, and not every static host serves that as written; use letters, digits and . _ - ~`,
			`site.yaml:5:60: authorization server must be a URI (RFC 3986): "https://other.example/ä" holds 'ä' at byte 22; percent-encode it (RFC 9728 §2, RFC 8414 §2)`,
		},
	},
	{
		name: "signed_metadata by an issuer the site does not publish",
		yaml: lines(okIssuer,
			"resources:",
			"  - resource: https://login.example.com/api",
			"    signed_metadata: {key: ec.pem, issuer: https://other.example}",
		),
		errs: []string{"site.yaml:4:44: signed_metadata.issuer https://other.example is not an issuer of this site"},
	},
}

func TestResources(t *testing.T) { runCases(t, resourceCases) }
