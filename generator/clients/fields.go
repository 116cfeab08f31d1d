package clients

// Disposition is what the build does with a client metadata name.
type Disposition int

const (
	Published Disposition = iota // copied into the document as written
	Derived                      // computed by the build (client_id, client_id_issued_at)
	Refused                      // an error: a static registry cannot carry it
	Setting                      // read by wellknown, never published (mode)
)

// Field is one name a client file may hold.
type Field struct {
	Name        string
	Disposition Disposition
	Spec        string
	// Localized fields take BCP 47 language tags: client_name#ja-Jpan-JP.
	Localized bool
	// Why explains a Refused field, or how a Derived one is made.
	Why string
}

// Fields is every name of the IANA "OAuth Dynamic Client Registration
// Metadata" registry that RFC 7591 and RFC 7592 define, plus the
// application_type of OpenID Connect Registration (it decides which redirect
// URIs a client may use) and wellknown's own mode. The order is the order of
// the published document: the identifier first, then RFC 7591 §2's order.
var Fields = []Field{
	{Name: "client_id", Disposition: Derived, Spec: "RFC 7591 §3.2.1", Why: "the slug, a value set in the file (pre-registered), or the document's URL (Client ID Metadata Document)"},
	{Name: "client_id_issued_at", Disposition: Derived, Spec: "RFC 7591 §3.2.1", Why: "from a date written in the file, in seconds since 1970; never the build clock, so builds are reproducible"},
	{Name: "redirect_uris", Spec: "RFC 7591 §2"},
	{Name: "token_endpoint_auth_method", Spec: "RFC 7591 §2"},
	{Name: "grant_types", Spec: "RFC 7591 §2"},
	{Name: "response_types", Spec: "RFC 7591 §2"},
	{Name: "client_name", Spec: "RFC 7591 §2", Localized: true},
	{Name: "client_uri", Spec: "RFC 7591 §2", Localized: true},
	{Name: "logo_uri", Spec: "RFC 7591 §2", Localized: true},
	{Name: "scope", Spec: "RFC 7591 §2"},
	{Name: "contacts", Spec: "RFC 7591 §2"},
	{Name: "tos_uri", Spec: "RFC 7591 §2", Localized: true},
	{Name: "policy_uri", Spec: "RFC 7591 §2", Localized: true},
	{Name: "jwks_uri", Spec: "RFC 7591 §2"},
	{Name: "jwks", Spec: "RFC 7591 §2"},
	{Name: "software_id", Spec: "RFC 7591 §2"},
	{Name: "software_version", Spec: "RFC 7591 §2"},
	{Name: "software_statement", Spec: "RFC 7591 §2.3"},
	{Name: "application_type", Spec: "OpenID Connect Registration §2"},
	{Name: "mode", Disposition: Setting, Spec: "wellknown", Why: "pre_registered or metadata_document; overrides clients.mode of site.yaml"},
	{Name: "client_secret", Disposition: Refused, Spec: "RFC 7591 §3.2.1",
		Why: "a published file is public: a secret in it is no secret; confidential clients authenticate with private_key_jwt and a public key"},
	{Name: "client_secret_expires_at", Disposition: Refused, Spec: "RFC 7591 §3.2.1",
		Why: "it only describes a client_secret, which a public registry cannot hold"},
	{Name: "registration_access_token", Disposition: Refused, Spec: "RFC 7592 §3",
		Why: "it authorizes a live management endpoint; here a pull request changes the registration"},
	{Name: "registration_client_uri", Disposition: Refused, Spec: "RFC 7592 §3",
		Why: "it names a live management endpoint; here a pull request changes the registration"},
}

// unsupported are registered client metadata names wellknown does not
// publish yet. They get a clearer error than a typo would.
var unsupported = map[string]string{
	"sector_identifier_uri":                      "OpenID Connect Registration §2",
	"subject_type":                               "OpenID Connect Registration §2",
	"id_token_signed_response_alg":               "OpenID Connect Registration §2",
	"id_token_encrypted_response_alg":            "OpenID Connect Registration §2",
	"userinfo_signed_response_alg":               "OpenID Connect Registration §2",
	"request_object_signing_alg":                 "OpenID Connect Registration §2",
	"token_endpoint_auth_signing_alg":            "OpenID Connect Registration §2",
	"default_max_age":                            "OpenID Connect Registration §2",
	"require_auth_time":                          "OpenID Connect Registration §2",
	"default_acr_values":                         "OpenID Connect Registration §2",
	"initiate_login_uri":                         "OpenID Connect Registration §2",
	"request_uris":                               "OpenID Connect Registration §2",
	"post_logout_redirect_uris":                  "OpenID Connect RP-Initiated Logout §3.1",
	"frontchannel_logout_uri":                    "OpenID Connect Front-Channel Logout §2",
	"backchannel_logout_uri":                     "OpenID Connect Back-Channel Logout §2.2",
	"tls_client_auth_subject_dn":                 "RFC 8705 §2.1.2",
	"tls_client_certificate_bound_access_tokens": "RFC 8705 §3.4",
	"dpop_bound_access_tokens":                   "RFC 9449 §5.2",
	"require_pushed_authorization_requests":      "RFC 9126 §6",
	"authorization_details_types":                "RFC 9396 §10",
}

// Lookup returns the field called name (without a language tag).
func Lookup(name string) (Field, bool) {
	for _, f := range Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

func names() []string {
	out := make([]string, len(Fields))
	for i, f := range Fields {
		out[i] = f.Name
	}
	return out
}
