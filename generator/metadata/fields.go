package metadata

// Kind is the JSON type of a metadata value, and how it is checked.
type Kind int

const (
	String    Kind = iota
	Bool           // JSON true or false
	Endpoint       // absolute https URL without a fragment (RFC 8414 §2)
	Page           // absolute http or https URL of a page meant for people
	Strings        // non-empty array of distinct strings
	Endpoints      // object whose members are Endpoint values (RFC 8705 §5)
)

// Field describes one authorization-server metadata name.
type Field struct {
	Name string
	Kind Kind
	Spec string // where the name is defined, for error messages
	// Derived fields are computed by the build; a value in site.yaml is only
	// accepted when it agrees.
	Derived bool
}

// Fields is every metadata name wellknown publishes, in the order documents
// list them: RFC 8414 §2 first, then OpenID Connect Discovery §3, then the
// later registrations of the IANA "OAuth Authorization Server Metadata"
// registry. Names outside this list are rejected, so that a typo cannot
// silently publish a field no client reads.
var Fields = []Field{
	{Name: "issuer", Kind: String, Spec: "RFC 8414 §2", Derived: true},
	{Name: "authorization_endpoint", Kind: Endpoint, Spec: "RFC 8414 §2"},
	{Name: "token_endpoint", Kind: Endpoint, Spec: "RFC 8414 §2"},
	{Name: "userinfo_endpoint", Kind: Endpoint, Spec: "OpenID Connect Discovery §3"},
	{Name: "jwks_uri", Kind: Endpoint, Spec: "RFC 8414 §2", Derived: true},
	{Name: "registration_endpoint", Kind: Endpoint, Spec: "RFC 8414 §2"},
	{Name: "scopes_supported", Kind: Strings, Spec: "RFC 8414 §2"},
	{Name: "response_types_supported", Kind: Strings, Spec: "RFC 8414 §2"},
	{Name: "response_modes_supported", Kind: Strings, Spec: "RFC 8414 §2"},
	{Name: "grant_types_supported", Kind: Strings, Spec: "RFC 8414 §2"},
	{Name: "acr_values_supported", Kind: Strings, Spec: "OpenID Connect Discovery §3"},
	{Name: "subject_types_supported", Kind: Strings, Spec: "OpenID Connect Discovery §3"},
	{Name: "id_token_signing_alg_values_supported", Kind: Strings, Spec: "OpenID Connect Discovery §3"},
	{Name: "id_token_encryption_alg_values_supported", Kind: Strings, Spec: "OpenID Connect Discovery §3"},
	{Name: "id_token_encryption_enc_values_supported", Kind: Strings, Spec: "OpenID Connect Discovery §3"},
	{Name: "userinfo_signing_alg_values_supported", Kind: Strings, Spec: "OpenID Connect Discovery §3"},
	{Name: "userinfo_encryption_alg_values_supported", Kind: Strings, Spec: "OpenID Connect Discovery §3"},
	{Name: "userinfo_encryption_enc_values_supported", Kind: Strings, Spec: "OpenID Connect Discovery §3"},
	{Name: "request_object_signing_alg_values_supported", Kind: Strings, Spec: "OpenID Connect Discovery §3"},
	{Name: "request_object_encryption_alg_values_supported", Kind: Strings, Spec: "OpenID Connect Discovery §3"},
	{Name: "request_object_encryption_enc_values_supported", Kind: Strings, Spec: "OpenID Connect Discovery §3"},
	{Name: "token_endpoint_auth_methods_supported", Kind: Strings, Spec: "RFC 8414 §2"},
	{Name: "token_endpoint_auth_signing_alg_values_supported", Kind: Strings, Spec: "RFC 8414 §2"},
	{Name: "display_values_supported", Kind: Strings, Spec: "OpenID Connect Discovery §3"},
	{Name: "claim_types_supported", Kind: Strings, Spec: "OpenID Connect Discovery §3"},
	{Name: "claims_supported", Kind: Strings, Spec: "OpenID Connect Discovery §3"},
	{Name: "service_documentation", Kind: Page, Spec: "RFC 8414 §2"},
	{Name: "claims_locales_supported", Kind: Strings, Spec: "OpenID Connect Discovery §3"},
	{Name: "ui_locales_supported", Kind: Strings, Spec: "RFC 8414 §2"},
	{Name: "claims_parameter_supported", Kind: Bool, Spec: "OpenID Connect Discovery §3"},
	{Name: "request_parameter_supported", Kind: Bool, Spec: "OpenID Connect Discovery §3"},
	{Name: "request_uri_parameter_supported", Kind: Bool, Spec: "OpenID Connect Discovery §3"},
	{Name: "require_request_uri_registration", Kind: Bool, Spec: "OpenID Connect Discovery §3"},
	{Name: "op_policy_uri", Kind: Page, Spec: "RFC 8414 §2"},
	{Name: "op_tos_uri", Kind: Page, Spec: "RFC 8414 §2"},
	{Name: "revocation_endpoint", Kind: Endpoint, Spec: "RFC 8414 §2"},
	{Name: "revocation_endpoint_auth_methods_supported", Kind: Strings, Spec: "RFC 8414 §2"},
	{Name: "revocation_endpoint_auth_signing_alg_values_supported", Kind: Strings, Spec: "RFC 8414 §2"},
	{Name: "introspection_endpoint", Kind: Endpoint, Spec: "RFC 8414 §2"},
	{Name: "introspection_endpoint_auth_methods_supported", Kind: Strings, Spec: "RFC 8414 §2"},
	{Name: "introspection_endpoint_auth_signing_alg_values_supported", Kind: Strings, Spec: "RFC 8414 §2"},
	{Name: "code_challenge_methods_supported", Kind: Strings, Spec: "RFC 8414 §2"},
	{Name: "end_session_endpoint", Kind: Endpoint, Spec: "OpenID Connect RP-Initiated Logout §2.1"},
	{Name: "check_session_iframe", Kind: Endpoint, Spec: "OpenID Connect Session Management §3.3"},
	{Name: "frontchannel_logout_supported", Kind: Bool, Spec: "OpenID Connect Front-Channel Logout §3"},
	{Name: "frontchannel_logout_session_supported", Kind: Bool, Spec: "OpenID Connect Front-Channel Logout §3"},
	{Name: "backchannel_logout_supported", Kind: Bool, Spec: "OpenID Connect Back-Channel Logout §2.1"},
	{Name: "backchannel_logout_session_supported", Kind: Bool, Spec: "OpenID Connect Back-Channel Logout §2.1"},
	{Name: "device_authorization_endpoint", Kind: Endpoint, Spec: "RFC 8628 §4"},
	{Name: "pushed_authorization_request_endpoint", Kind: Endpoint, Spec: "RFC 9126 §5"},
	{Name: "require_pushed_authorization_requests", Kind: Bool, Spec: "RFC 9126 §5"},
	{Name: "require_signed_request_object", Kind: Bool, Spec: "RFC 9101 §10.5"},
	{Name: "tls_client_certificate_bound_access_tokens", Kind: Bool, Spec: "RFC 8705 §3.3"},
	{Name: "mtls_endpoint_aliases", Kind: Endpoints, Spec: "RFC 8705 §5"},
	{Name: "authorization_response_iss_parameter_supported", Kind: Bool, Spec: "RFC 9207 §3"},
	{Name: "dpop_signing_alg_values_supported", Kind: Strings, Spec: "RFC 9449 §5.1"},
	{Name: "introspection_signing_alg_values_supported", Kind: Strings, Spec: "RFC 9701 §7"},
	{Name: "introspection_encryption_alg_values_supported", Kind: Strings, Spec: "RFC 9701 §7"},
	{Name: "introspection_encryption_enc_values_supported", Kind: Strings, Spec: "RFC 9701 §7"},
	{Name: "authorization_signing_alg_values_supported", Kind: Strings, Spec: "JARM §4"},
	{Name: "authorization_encryption_alg_values_supported", Kind: Strings, Spec: "JARM §4"},
	{Name: "authorization_encryption_enc_values_supported", Kind: Strings, Spec: "JARM §4"},
	{Name: "backchannel_authentication_endpoint", Kind: Endpoint, Spec: "OpenID Connect CIBA §4"},
	{Name: "backchannel_token_delivery_modes_supported", Kind: Strings, Spec: "OpenID Connect CIBA §4"},
	{Name: "backchannel_authentication_request_signing_alg_values_supported", Kind: Strings, Spec: "OpenID Connect CIBA §4"},
	{Name: "backchannel_user_code_parameter_supported", Kind: Bool, Spec: "OpenID Connect CIBA §4"},
	{Name: "authorization_details_types_supported", Kind: Strings, Spec: "RFC 9396 §10"},
	{Name: "prompt_values_supported", Kind: Strings, Spec: "OpenID Connect Prompt Create §4.1"},
	{Name: "client_id_metadata_document_supported", Kind: Bool, Spec: "OAuth Client ID Metadata Document §5"},
}

// Lookup returns the field called name.
func Lookup(name string) (Field, bool) {
	for _, f := range Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Names returns every field name, for suggestions.
func Names() []string {
	out := make([]string, len(Fields))
	for i, f := range Fields {
		out[i] = f.Name
	}
	return out
}
