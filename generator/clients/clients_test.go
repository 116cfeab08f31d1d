package clients_test

import (
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/clients"
	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
)

const siteYAML = `issuer: https://login.example.com
metadata:
  authorization_endpoint: https://login.example.com/authorize
  token_endpoint: https://login.example.com/token
  scopes_supported: [openid, profile, email, offline_access]
  response_types_supported: [code, "code id_token"]
  grant_types_supported: [authorization_code, refresh_token, client_credentials, implicit]
  token_endpoint_auth_methods_supported: [private_key_jwt, client_secret_basic, none, self_signed_tls_client_auth]
`

func site(t testing.TB, extra string) *config.Site {
	t.Helper()
	s, d := config.Parse("site.yaml", []byte(siteYAML+extra))
	if d.HasErrors() {
		t.Fatalf("site.yaml: %v", d.Err())
	}
	return s
}

// messages lists every diagnostic as users see it, errors first.
func messages(d *diag.List) []string {
	var out []string
	for _, x := range append(d.Errors(), d.Warnings()...) {
		out = append(out, x.Error())
	}
	return out
}

// A minimal valid web client; cases add lines to it.
const web = `client_name: Web
redirect_uris: [https://app.example.com/cb]
token_endpoint_auth_method: private_key_jwt
jwks_uri: https://app.example.com/jwks.json
`

func TestRules(t *testing.T) {
	for _, tc := range []struct {
		name string
		file string
		site string // appended to siteYAML
		want []string
	}{
		{name: "valid web client", file: web},
		{name: "valid native client", file: `application_type: native
redirect_uris: [http://127.0.0.1/cb, "http://[::1]:8080/cb", com.example.app:/cb, https://app.example.com/cb]
token_endpoint_auth_method: none
`},
		{name: "valid service", file: `grant_types: [client_credentials]
token_endpoint_auth_method: private_key_jwt
jwks_uri: https://svc.example.com/jwks.json
`},
		// RFC 7591 §2: refused fields, with the reason.
		{name: "client_secret refused", file: web + "client_secret: s3cr3t\n", want: []string{
			`clients/c.yaml:5:1: client_secret cannot be published: a published file is public: a secret in it is no secret; confidential clients authenticate with private_key_jwt and a public key (RFC 7591 §3.2.1)`}},
		{name: "client_secret_expires_at refused", file: web + "client_secret_expires_at: 0\n", want: []string{
			`clients/c.yaml:5:1: client_secret_expires_at cannot be published: it only describes a client_secret, which a public registry cannot hold (RFC 7591 §3.2.1)`}},
		{name: "registration_access_token refused", file: web + "registration_access_token: x\n", want: []string{
			`clients/c.yaml:5:1: registration_access_token cannot be published: it authorizes a live management endpoint; here a pull request changes the registration (RFC 7592 §3)`}},
		{name: "registration_client_uri refused", file: web + "registration_client_uri: https://x.example/\n", want: []string{
			`clients/c.yaml:5:1: registration_client_uri cannot be published: it names a live management endpoint; here a pull request changes the registration (RFC 7592 §3)`}},
		{name: "unknown field with suggestion", file: web + "client_nmae: x\n", want: []string{
			`clients/c.yaml:5:1: unknown field "client_nmae"`}},
		{name: "registered but unsupported", file: web + "post_logout_redirect_uris: [https://a.example/]\n", want: []string{
			`clients/c.yaml:5:1: post_logout_redirect_uris (OpenID Connect RP-Initiated Logout §3.1) is registered client metadata that wellknown does not publish`}},
		{name: "no coercion", file: web + "software_version: 2.1\n", want: []string{
			`clients/c.yaml:5:19: software_version must be a string, not a number`}},
		// Redirect URIs: RFC 6749 §3.1.2, RFC 8252.
		{name: "redirect fragment", file: "redirect_uris: [https://a.example.com/cb#x]\ntoken_endpoint_auth_method: none\n", want: []string{
			`clients/c.yaml:1:17: redirect URI "https://a.example.com/cb#x" must not have a fragment (RFC 6749 §3.1.2)`}},
		{name: "redirect relative", file: "redirect_uris: [/cb]\ntoken_endpoint_auth_method: none\n", want: []string{
			`clients/c.yaml:1:17: redirect URI "/cb" must be an absolute URI (RFC 6749 §3.1.2)`}},
		{name: "redirect http for web", file: "redirect_uris: [http://127.0.0.1/cb]\ntoken_endpoint_auth_method: none\n", want: []string{
			`clients/c.yaml:1:17: redirect URI "http://127.0.0.1/cb" must use https; http is only for a native app's loopback redirect (RFC 8252 §7.3, RFC 6749 §3.1.2.1)`}},
		{name: "redirect http not loopback", file: "application_type: native\nredirect_uris: [http://app.example.com/cb]\ntoken_endpoint_auth_method: none\n", want: []string{
			`clients/c.yaml:2:17: redirect URI "http://app.example.com/cb" with http must use the loopback address 127.0.0.1 or [::1], with any port (RFC 8252 §7.3)`}},
		{name: "redirect localhost warns", file: "application_type: native\nredirect_uris: [http://localhost:8080/cb]\ntoken_endpoint_auth_method: none\n", want: []string{
			`clients/c.yaml:2:17: warning: redirect URI "http://localhost:8080/cb": localhost is NOT RECOMMENDED for loopback redirects: use http://127.0.0.1 or http://[::1] (RFC 8252 §8.3)`}},
		{name: "private-use scheme for web", file: "redirect_uris: [com.example.app:/cb]\ntoken_endpoint_auth_method: none\n", want: []string{
			`clients/c.yaml:1:17: redirect URI "com.example.app:/cb" uses the private-use scheme "com.example.app", which only native apps may use (RFC 8252 §7.1)`}},
		{name: "private-use scheme not reverse domain", file: "application_type: native\nredirect_uris: [\"myapp:/cb\"]\ntoken_endpoint_auth_method: none\n", want: []string{
			`clients/c.yaml:2:17: redirect URI "myapp:/cb" scheme "myapp" must be a reverse domain name the app's publisher controls, such as com.example.app (RFC 8252 §7.1)`}},
		{name: "private-use scheme double slash", file: "application_type: native\nredirect_uris: [\"com.example.app://cb\"]\ntoken_endpoint_auth_method: none\n", want: []string{
			`clients/c.yaml:2:17: redirect URI "com.example.app://cb" must have a single slash after the scheme, as in com.example.app:/callback (RFC 8252 §7.1)`}},
		{name: "javascript scheme", file: "application_type: native\nredirect_uris: [\"javascript:/alert(1)\"]\ntoken_endpoint_auth_method: none\n", want: []string{
			`clients/c.yaml:2:17: redirect URI "javascript:/alert(1)" scheme "javascript" must be a reverse domain name the app's publisher controls, such as com.example.app (RFC 8252 §7.1)`}},
		{name: "redirect required", file: "token_endpoint_auth_method: none\n", want: []string{
			`clients/c.yaml:1:1: redirect_uris is required: grant type authorization_code redirects to the client (RFC 7591 §2)`}},
		{name: "redirect duplicate", file: "redirect_uris: [https://a.example.com/, https://a.example.com/]\ntoken_endpoint_auth_method: none\n", want: []string{
			`clients/c.yaml:1:41: redirect_uris lists "https://a.example.com/" twice`}},
		{name: "unused redirects warn", file: "grant_types: [client_credentials]\nredirect_uris: [https://a.example.com/]\ntoken_endpoint_auth_method: private_key_jwt\njwks_uri: https://a.example.com/k\n", want: []string{
			`clients/c.yaml:2:16: warning: redirect_uris are not used: no grant type in grant_types redirects to the client`}},
		// RFC 7591 §2.1: grant and response types agree.
		{name: "code without authorization_code", file: web + "grant_types: [refresh_token]\nresponse_types: [code]\n", want: []string{
			`clients/c.yaml:6:18: response type "code" needs grant type authorization_code in grant_types (RFC 7591 §2.1)`,
			`clients/c.yaml:2:16: warning: redirect_uris are not used: no grant type in grant_types redirects to the client`}},
		{name: "authorization_code without code", file: web + "grant_types: [authorization_code, implicit]\nresponse_types: [token]\n", want: []string{
			`clients/c.yaml:5:15: grant type authorization_code needs a response type with code in response_types (RFC 7591 §2.1)`,
			`clients/c.yaml:6:18: response type "token" is not allowed: the site's response_types_supported does not list it (site.yaml:6:3)`}},
		{name: "hybrid needs both grants", file: web + "grant_types: [authorization_code]\nresponse_types: [code id_token]\n", want: []string{
			`clients/c.yaml:6:18: response type "code id_token" needs grant type implicit in grant_types (RFC 7591 §2.1)`}},
		{name: "hybrid in any order", file: web + "grant_types: [authorization_code, implicit]\nresponse_types: [id_token code]\n"},
		{name: "unknown response type value", file: web + "response_types: [code, \"code bogus\"]\n", want: []string{
			`clients/c.yaml:5:24: response type "code bogus" has unknown value "bogus" (RFC 7591 §2, OAuth 2.0 Multiple Response Types)`,
			`clients/c.yaml:5:24: response type "code bogus" is not allowed: the site's response_types_supported does not list it (site.yaml:6:3)`}},
		// Keys: jwks and jwks_uri, public keys only.
		{name: "jwks and jwks_uri", file: web + "jwks: {keys: [{kty: OKP, crv: Ed25519, x: 11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo}]}\n", want: []string{
			`clients/c.yaml:5:7: jwks and jwks_uri must not both be present (RFC 7591 §2)`}},
		{name: "jwks valid", file: "client_name: W\nredirect_uris: [https://a.example.com/]\ntoken_endpoint_auth_method: private_key_jwt\njwks: {keys: [{kty: OKP, crv: Ed25519, x: 11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo, kid: a}]}\n"},
		{name: "jwks private key", file: "redirect_uris: [https://a.example.com/]\ntoken_endpoint_auth_method: private_key_jwt\njwks:\n  keys:\n    - {kty: OKP, crv: Ed25519, x: 11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo, d: nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A}\n", want: []string{
			`clients/c.yaml:5:7: jwks key 1 holds private key members (d): publish only the public key (RFC 7591 §2)`}},
		{name: "jwks symmetric key", file: "redirect_uris: [https://a.example.com/]\ntoken_endpoint_auth_method: private_key_jwt\njwks: {keys: [{kty: oct, k: c2VjcmV0}]}\n", want: []string{
			`clients/c.yaml:3:15: jwks key 1 is a symmetric (oct) key: a shared secret must never be published (RFC 7591 §2)`}},
		{name: "jwks duplicate kid", file: "redirect_uris: [https://a.example.com/]\ntoken_endpoint_auth_method: private_key_jwt\njwks: {keys: [{kty: OKP, crv: Ed25519, x: 11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo, kid: a}, {kty: EC, crv: P-256, x: f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU, y: x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0, kid: a}]}\n", want: []string{
			`clients/c.yaml:3:97: jwks key 2 has the kid "a" of key 1; kids must be unique in a set (RFC 7517 §4.5) (RFC 7591 §2)`}},
		{name: "jwks not a set", file: "redirect_uris: [https://a.example.com/]\ntoken_endpoint_auth_method: private_key_jwt\njwks: {kty: OKP}\n", want: []string{
			`clients/c.yaml:3:7: jwks must be a JWK Set: {keys: [...]} (RFC 7517 §5)`,
			`clients/c.yaml:3:8: jwks holds only keys: a JWK Set (RFC 7517 §5), not "kty"`}},
		{name: "private_key_jwt needs keys", file: "redirect_uris: [https://a.example.com/]\ntoken_endpoint_auth_method: private_key_jwt\n", want: []string{
			`clients/c.yaml:2:29: token_endpoint_auth_method private_key_jwt needs the client's public keys in jwks_uri or jwks (RFC 7523 §2.2, RFC 8705 §2.2)`}},
		{name: "public client with client_credentials", file: "grant_types: [client_credentials]\ntoken_endpoint_auth_method: none\n", want: []string{
			`clients/c.yaml:1:15: grant type client_credentials needs a confidential client; token_endpoint_auth_method none makes this a public client (RFC 6749 §4.4)`}},
		// URL fields.
		{name: "client_uri http", file: web + "client_uri: http://app.example.com\n", want: []string{
			`clients/c.yaml:5:13: client_uri must use https, not "http" (RFC 7591 §2)`}},
		{name: "logo_uri relative", file: web + "logo_uri: /logo.png\n", want: []string{
			`clients/c.yaml:5:11: logo_uri must be an absolute https URL, not "/logo.png" (RFC 7591 §2)`}},
		// §5: the consent pages on a redirect URI's host.
		{name: "pages on the redirect host", file: web + "client_uri: https://app.example.com\nlogo_uri: https://app.example.com/logo.png\n"},
		{name: "pages elsewhere warn", file: web + "logo_uri: https://cdn.example.net/logo.png\nclient_uri#de: https://de.example.com\n", want: []string{
			`clients/c.yaml:5:11: warning: logo_uri https://cdn.example.net/logo.png is not on the host of a redirect URI (app.example.com); authorization servers are asked to check that it is (RFC 7591 §5)`,
			`clients/c.yaml:6:16: warning: client_uri https://de.example.com is not on the host of a redirect URI (app.example.com); authorization servers are asked to check that it is (RFC 7591 §5)`}},
		{name: "native pages anywhere", file: "application_type: native\nredirect_uris: [http://127.0.0.1/cb, com.example.app:/cb]\ntoken_endpoint_auth_method: none\nclient_uri: https://app.example.com\n"},
		{name: "tos_uri userinfo", file: web + "tos_uri: https://u:p@app.example.com/tos\n", want: []string{
			`clients/c.yaml:5:10: tos_uri must not hold a user name or password (RFC 7591 §2)`}},
		{name: "policy_uri fragment", file: web + "policy_uri: https://app.example.com/p#x\n", want: []string{
			`clients/c.yaml:5:13: policy_uri must not have a fragment (RFC 7591 §2)`}},
		{name: "jwks_uri http", file: "redirect_uris: [https://a.example.com/]\ntoken_endpoint_auth_method: private_key_jwt\njwks_uri: http://a.example.com/jwks\n", want: []string{
			`clients/c.yaml:3:11: jwks_uri must use https, not "http" (RFC 7591 §2)`}},
		// §2.2 language tags.
		{name: "language tags", file: web + "client_name#ja-Jpan-JP: ウェブ\nclient_name#en-GB: Web\ntos_uri#de: https://app.example.com/de/tos\n"},
		{name: "bad language tag", file: web + "client_name#en_US: Web\n", want: []string{
			`clients/c.yaml:5:1: language tag "en_US" has an empty, overlong or non-alphanumeric subtag (BCP 47, RFC 7591 §2.2)`}},
		{name: "tag out of order", file: web + "client_name#en-US-Latn: Web\n", want: []string{
			`clients/c.yaml:5:1: language tag "en-US-Latn" has subtags out of order (language-script-region-variant-extension) (BCP 47, RFC 7591 §2.2)`}},
		{name: "tags match case-insensitively", file: web + "client_name#ja-JP: A\nclient_name#JA-jp: B\n", want: []string{
			`clients/c.yaml:6:1: client_name#JA-jp has the language tag of line 5: tags match without regard to case (RFC 7591 §2.2, RFC 5646 §2.1.1)`}},
		{name: "unregistered subtag warns", file: web + "client_name#jp: ウェブ\n", want: []string{
			`clients/c.yaml:5:1: warning: language tag "jp": subtag "jp" is not in the IANA Language Subtag Registry; clients that ask for a registered tag will not pick this value`}},
		{name: "tags match as strings, not canonical forms", file: web + "client_name#iw: A\nclient_name#he: B\n"},
		{name: "tag on a field that takes none", file: web + "scope#en: openid\n", want: []string{
			`clients/c.yaml:5:1: scope is not a human-readable field and takes no language tag (RFC 7591 §2.2)`}},
		// Other fields.
		{name: "contacts", file: web + "contacts: [ops@example.com, \"Ops <ops@example.com>\", nobody]\n", want: []string{
			`clients/c.yaml:5:29: contacts entry "Ops <ops@example.com>" must be an e-mail address such as ops@example.com (RFC 7591 §2)`,
			`clients/c.yaml:5:54: contacts entry "nobody" must be an e-mail address such as ops@example.com (RFC 7591 §2)`}},
		{name: "scope syntax", file: web + "scope: \"openid  profile\"\n", want: []string{
			`clients/c.yaml:5:8: scope must be scope tokens separated by single spaces (RFC 6749 §3.3)`}},
		{name: "software_statement unsigned", file: web + "software_statement: eyJhbGciOiJub25lIn0.e30.\n", want: []string{
			`clients/c.yaml:5:21: software_statement must be signed: its header has no alg, or alg none (RFC 7591 §2.3)`}},
		{name: "software_statement not a JWT", file: web + "software_statement: hello\n", want: []string{
			`clients/c.yaml:5:21: software_statement must be a signed JWT: three base64url parts separated by dots (RFC 7591 §2.3)`}},
		{name: "client_id_issued_at not a date", file: web + "client_id_issued_at: 1700000000\n", want: []string{
			`clients/c.yaml:5:22: client_id_issued_at must be a date such as 2027-01-31 or 2027-01-31T12:00:00Z, not "1700000000"`}},
		{name: "client_id control character", file: web + "client_id: \"a\\tb\"\n", want: []string{
			`clients/c.yaml:5:12: client_id must be printable ASCII, not '\t' (RFC 6749 Appendix A.1)`}},
		{name: "empty string", file: web + "software_id: \"\"\n", want: []string{
			`clients/c.yaml:5:14: software_id must not be empty`}},
		// Site policy: what the site's metadata says it supports.
		{name: "grant not supported", file: web + "grant_types: [authorization_code, password]\n", want: []string{
			`clients/c.yaml:5:35: grant type password is not allowed: the site's grant_types_supported does not list it (site.yaml:7:3)`}},
		{name: "auth method not supported", file: "redirect_uris: [https://a.example.com/]\ntoken_endpoint_auth_method: client_secret_post\n", want: []string{
			`clients/c.yaml:2:29: token_endpoint_auth_method client_secret_post is not allowed: the site's token_endpoint_auth_methods_supported does not list it (site.yaml:8:3)`}},
		{name: "scope not supported", file: web + "scope: openid admin\n", want: []string{
			`clients/c.yaml:5:8: scope admin is not allowed: the site's scopes_supported does not list it (site.yaml:5:3)`}},
		// Client ID Metadata Documents.
		{name: "cimd valid", file: "mode: metadata_document\n" + web},
		{name: "cimd with secret method", file: "mode: metadata_document\nclient_name: C\nredirect_uris: [https://a.example.com/]\ntoken_endpoint_auth_method: client_secret_basic\n", want: []string{
			`clients/c.yaml:4:29: token_endpoint_auth_method client_secret_basic cannot be used by a Client ID Metadata Document: it has no shared secret; use none or private_key_jwt (OAuth Client ID Metadata Document §4.1)`}},
		{name: "cimd default method", file: "mode: metadata_document\nclient_name: C\nredirect_uris: [https://a.example.com/]\n", want: []string{
			`clients/c.yaml:1:1: token_endpoint_auth_method defaults to client_secret_basic (RFC 7591 §2), which a Client ID Metadata Document cannot use: set none or private_key_jwt (OAuth Client ID Metadata Document §4.1)`}},
		{name: "cimd needs client_name", file: "mode: metadata_document\nredirect_uris: [https://a.example.com/]\ntoken_endpoint_auth_method: none\n", want: []string{
			`clients/c.yaml:1:1: client_name is required in a Client ID Metadata Document: the authorization server shows it when asking for consent (MCP)`}},
		{name: "cimd client_id must be its URL", file: "mode: metadata_document\nclient_id: c\n" + web, want: []string{
			`clients/c.yaml:2:12: client_id of a Client ID Metadata Document is the URL it is published at, "https://login.example.com/clients/c.json", not "c" (OAuth Client ID Metadata Document §3)`}},
		{name: "cimd client_id may be stated", file: "mode: metadata_document\nclient_id: https://login.example.com/clients/c.json\n" + web},
		{name: "cimd with private key", file: "mode: metadata_document\nclient_name: C\nredirect_uris: [https://a.example.com/]\ntoken_endpoint_auth_method: private_key_jwt\njwks: {keys: [{kty: OKP, crv: Ed25519, x: 11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo, d: nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A}]}\n", want: []string{
			`clients/c.yaml:5:15: jwks key 1 holds private key members (d): publish only the public key (RFC 7591 §2)`}},
		{name: "cimd over 5 KiB warns", file: "mode: metadata_document\n" + web + "client_uri: https://app.example.com/" + strings.Repeat("a", 5200) + "\n", want: []string{
			`clients/c.yaml: warning: the document is 5578 bytes; authorization servers may refuse Client ID Metadata Documents over 5120 bytes (OAuth Client ID Metadata Document §6.6)`}},
		{name: "site says no cimd", file: "mode: metadata_document\n" + web, site: "  client_id_metadata_document_supported: false\n", want: []string{
			`site.yaml:9:3: client_id_metadata_document_supported is false, but clients use Client ID Metadata Documents (OAuth Client ID Metadata Document §5)`}},
		{name: "bad mode", file: web + "mode: dynamic\n", want: []string{
			`clients/c.yaml:5:7: mode must be pre_registered or metadata_document, not "dynamic"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, sd := config.Parse("site.yaml", []byte(siteYAML+tc.site))
			_, d := clients.New(s, []clients.Source{{Name: "c.yaml", Data: []byte(tc.file)}})
			sd.Merge(d)
			got := messages(sd)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(tc.want, "\n\t"))
			}
		})
	}
}
