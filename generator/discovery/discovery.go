// Package discovery renders the authorization-server metadata documents
// (RFC 8414, OpenID Connect Discovery 1.0) of a site and checks every rule of
// those specifications that a static publisher can check.
package discovery

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/jsonout"
	"github.com/wellknown-dev/wellknown/generator/keys"
	"github.com/wellknown-dev/wellknown/generator/metadata"
)

// Document returns the metadata object of the site: issuer first, then every
// field in the order of metadata.Fields, jwks_uri derived.
func Document(site *config.Site) jsonout.Object {
	var doc jsonout.Object
	for _, f := range metadata.Fields {
		switch f.Name {
		case "issuer":
			doc.Set("issuer", site.Issuer)
		case "jwks_uri":
			doc.Set("jwks_uri", site.JWKSURI)
		default:
			if v, ok := site.Lookup(f.Name); ok {
				doc.Set(f.Name, v.Value)
			}
		}
	}
	return doc
}

// SignedMetadata returns the RFC 8414 §2.1 signed_metadata JWT of doc: its
// claims are the metadata values, with iss, the issuer, first.
func SignedMetadata(site *config.Site, doc jsonout.Object, k keys.Key) (string, error) {
	claims := jsonout.Object{{Name: "iss", Value: site.Issuer}}
	claims = append(claims, doc...)
	payload, err := claims.MarshalJSON()
	if err != nil {
		return "", err
	}
	return k.SignCompact(payload, "")
}

// Render checks the site's metadata against the published keys and returns
// the discovery documents, one artifact per location. When signer is not
// nil, the documents carry signed_metadata made with it.
func Render(site *config.Site, ks []keys.Key, signer *keys.Key, header http.Header) ([]artifact.Artifact, *diag.List) {
	var diags diag.List
	check(site, ks, true, &diags)
	issuer, _ := url.Parse(site.Issuer)
	locs := Locations(issuer, site.BaseURL, site.OpenID)
	if !site.Endpoints {
		// An issuer without endpoints is no OAuth authorization server: an
		// RFC 8414 document would claim the default grant types with none
		// of the endpoints they need. kube-apiserver publishes only the
		// OpenID document, which is what the clouds read.
		locs = slices.DeleteFunc(locs, func(l Location) bool { return l.Name == OAuthName })
	}
	hostable := 0
	for _, l := range locs {
		if l.Path != "" {
			hostable++
		}
	}
	for _, l := range locs {
		if l.Path != "" {
			continue
		}
		if hostable == 0 {
			diags.Errorf(site.Where("base_url"), "no discovery document can be published: %s is outside base_url %s", l.URL, site.BaseURL)
			diags.Hint("set base_url to the issuer's origin, or leave it out")
			continue
		}
		diags.Warnf(site.Where("base_url"), "%s is not published: it is outside base_url %s; %s",
			l.URL, site.BaseURL, whoMisses(l))
	}
	if diags.HasErrors() {
		return nil, &diags
	}
	doc := Document(site)
	signed := doc
	if signer != nil {
		jwt, err := SignedMetadata(site, doc, *signer)
		if err != nil {
			diags.Errorf(site.Where("signed_metadata.key"), "cannot sign metadata with %s: %v", signer.File(), err)
			return nil, &diags
		}
		signed = append(signed[:len(signed):len(signed)], jsonout.Member{Name: "signed_metadata", Value: jwt})
	}
	bodies := map[string][]byte{}
	var out []artifact.Artifact
	for _, l := range locs {
		if l.Path == "" {
			continue
		}
		d := signed
		if l.Name == OIDCName && site.SignedMetadata != nil && !site.SignedMetadata.OpenID {
			d = doc
		}
		body, ok := bodies[l.Name]
		if !ok {
			var err error
			if body, err = jsonout.Marshal(d); err != nil {
				diags.Errorf(diag.Pos{Path: site.File}, "cannot render metadata: %v", err)
				return nil, &diags
			}
			bodies[l.Name] = body
		}
		out = append(out, artifact.Artifact{Path: l.Path, Body: body, Header: header.Clone()})
	}
	return out, &diags
}

func whoMisses(l Location) string {
	if strings.Contains(l.URL, "/.well-known/"+OAuthName) {
		return "OAuth 2.0 clients that use RFC 8414 discovery, MCP clients among them, will not find the metadata there"
	}
	if strings.HasSuffix(l.URL, "/.well-known/"+OIDCName) {
		return "OpenID Connect relying parties will not find the metadata"
	}
	return "clients that try the RFC 8414 form for openid-configuration, MCP clients among them, fall back to the appended form"
}

// Server-side signing fields: the authorization server signs with these
// algorithms, so a published key must be able to. Request objects and client
// assertions are signed by clients, and are not listed.
var serverSigning = []string{
	"id_token_signing_alg_values_supported",
	"userinfo_signing_alg_values_supported",
	"introspection_signing_alg_values_supported",
	"authorization_signing_alg_values_supported",
}

// Endpoints that authenticate clients, with the field that lists their
// signing algorithms (RFC 8414 §2).
var authAlgFields = [][2]string{
	{"token_endpoint_auth_methods_supported", "token_endpoint_auth_signing_alg_values_supported"},
	{"revocation_endpoint_auth_methods_supported", "revocation_endpoint_auth_signing_alg_values_supported"},
	{"introspection_endpoint_auth_methods_supported", "introspection_endpoint_auth_signing_alg_values_supported"},
}

var knownAuthMethods = []string{
	"none", "client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt",
	"tls_client_auth", "self_signed_tls_client_auth",
}

// JWS algorithms of RFC 7518 §3.1, RFC 8037 and RFC 9864.
var knownJWSAlgs = []string{
	"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512",
	"PS256", "PS384", "PS512", "none", "EdDSA", "Ed25519", "Ed448", "ES256K",
}

// Check applies the metadata rules that Render applies, for a build that
// fails before rendering, so that one run reports them beside the key and
// client errors. keysKnown is false when the key set did not load: the rules
// that need the keys are then left out rather than failing for want of them.
func Check(site *config.Site, ks []keys.Key, keysKnown bool) *diag.List {
	var diags diag.List
	check(site, ks, keysKnown, &diags)
	return &diags
}

func check(site *config.Site, ks []keys.Key, keysKnown bool, diags *diag.List) {
	list := func(name string) ([]string, config.Value, bool) {
		v, ok := site.Lookup(name)
		if !ok {
			return nil, v, false
		}
		l, _ := v.Value.([]string)
		return l, v, true
	}
	has := func(name string) bool { _, ok := site.Lookup(name); return ok }
	missing := func(name, rule, hint string) {
		if site.Refused(name) {
			return // written but refused: its error is at its line already
		}
		diags.Errorf(site.Where("metadata"), "%s is required (%s)", name, rule)
		if hint != "" {
			diags.Hint("%s", hint)
		}
	}

	rts, rtv, ok := list("response_types_supported")
	if !ok {
		missing("response_types_supported", "RFC 8414 §2", "add response_types_supported: [code]")
	}
	for i, rt := range rts {
		if err := checkResponseType(rt); err != nil {
			diags.Errorf(rtv.Items[i], "response type %q %v (RFC 6749 §3.1.1, OAuth 2.0 Multiple Response Types §3)", rt, err)
		}
	}

	grants, _, grantsSet := list("grant_types_supported")
	if !grantsSet {
		grants = []string{"authorization_code", "implicit"} // RFC 8414 §2 default
	}
	usesAuthz := slices.Contains(grants, "authorization_code") || slices.Contains(grants, "implicit")
	onlyImplicit := len(grants) == 1 && grants[0] == "implicit"
	if !site.Endpoints {
		checkTokenOnly(site, rts, rtv, diags)
	}
	switch {
	case has("authorization_endpoint") || !site.Endpoints:
	case site.OpenID:
		missing("authorization_endpoint", "OpenID Connect Discovery §3", "")
	case usesAuthz:
		missing("authorization_endpoint", "RFC 8414 §2: a supported grant type uses it", "")
	}
	if !has("token_endpoint") && !onlyImplicit && site.Endpoints {
		rule := "RFC 8414 §2: required unless only the implicit grant is supported"
		if site.OpenID {
			rule = "OpenID Connect Discovery §3: required unless only the implicit flow is used"
		}
		missing("token_endpoint", rule, "")
	}

	if site.OpenID {
		if !has("subject_types_supported") {
			missing("subject_types_supported", "OpenID Connect Discovery §3", "add subject_types_supported: [public]")
		}
		algs, v, ok := list("id_token_signing_alg_values_supported")
		switch {
		case !ok:
			missing("id_token_signing_alg_values_supported", "OpenID Connect Discovery §3", "add id_token_signing_alg_values_supported: [RS256] and an RSA key")
		case !slices.Contains(algs, "RS256"):
			diags.Errorf(v.Pos, "id_token_signing_alg_values_supported must include RS256 (OpenID Connect Discovery §3), which every relying party supports")
			diags.Hint("add an RSA key to the key directory and RS256 to the list, or set openid: false to publish only RFC 8414 metadata")
		}
		if scopes, v, ok := list("scopes_supported"); ok && !slices.Contains(scopes, "openid") {
			diags.Warnf(v.Pos, "scopes_supported should list openid (OpenID Connect Discovery §3)")
		}
	}
	if sts, v, ok := list("subject_types_supported"); ok {
		for i, st := range sts {
			if st != "public" && st != "pairwise" {
				diags.Errorf(v.Items[i], "subject type %q is neither public nor pairwise (OpenID Connect Core §8)", st)
			}
		}
	}

	for _, pair := range authAlgFields {
		methods, mv, ok := list(pair[0])
		for i, m := range methods {
			if !slices.Contains(knownAuthMethods, m) {
				diags.Warnf(mv.Items[i], "%s lists %q, which is not a registered client authentication method", pair[0], m)
				diags.Hint("registered methods: %s", strings.Join(knownAuthMethods, ", "))
			}
		}
		jwt := ok && (slices.Contains(methods, "private_key_jwt") || slices.Contains(methods, "client_secret_jwt"))
		algs, av, algsSet := list(pair[1])
		if jwt && !algsSet && !site.Refused(pair[1]) {
			diags.Errorf(mv.Pos, "%s is required because %s lists private_key_jwt or client_secret_jwt (RFC 8414 §2)", pair[1], pair[0])
			diags.Hint("add %s: [RS256, ES256]", pair[1])
		}
		for i, a := range algs {
			if a == "none" {
				diags.Errorf(av.Items[i], "%s must not list none (RFC 8414 §2)", pair[1])
			}
		}
	}

	for _, f := range metadata.Fields {
		if !strings.HasSuffix(f.Name, "_signing_alg_values_supported") {
			continue
		}
		algs, v, _ := list(f.Name)
		for i, a := range algs {
			if !slices.Contains(knownJWSAlgs, a) {
				diags.Warnf(v.Items[i], "%s lists %q, which is not a registered JWS algorithm (RFC 7518 §3.1)", f.Name, a)
			}
		}
	}
	for _, name := range serverSigning {
		if !keysKnown {
			break
		}
		algs, v, _ := list(name)
		for i, a := range algs {
			if a == "none" || strings.HasPrefix(a, "HS") {
				continue // no key of ours: unsigned, or keyed by the client's secret
			}
			if !canSign(ks, a) {
				diags.Errorf(v.Items[i], "%s lists %s, but no published active or next signing key has alg %s", name, a, a)
				diags.Hint("add a key for %s to the key directory, or set alg on a key in site.yaml (keys: FILE: {alg: %s})", a, a)
			}
		}
	}

	ccm, v, ok := list("code_challenge_methods_supported")
	switch {
	case !ok && site.Refused("code_challenge_methods_supported"):
		// refused where it is written
	case !ok && !site.Endpoints:
		// PKCE is a matter of the authorization endpoint, which it has not
	case !ok:
		diags.Warnf(site.Where("metadata"), "code_challenge_methods_supported is missing: MCP clients refuse authorization servers that do not advertise PKCE")
		diags.Hint("add code_challenge_methods_supported: [S256]")
	case !slices.Contains(ccm, "S256"):
		diags.Warnf(v.Pos, "code_challenge_methods_supported lacks S256, the method clients must use when they can (RFC 7636 §4.2)")
	}
}

// checkTokenOnly applies the rules of an issuer with endpoints: false, one
// that signs tokens elsewhere (kube-apiserver's TokenRequest) and serves
// nothing but its metadata and keys.
//
// OpenID Connect Discovery §3 makes authorization_endpoint REQUIRED and
// token_endpoint required unless only the implicit flow is used. A
// service-account issuer has neither, and kube-apiserver, ccoctl and azwi
// publish their documents without them; AWS IAM, Azure and GCP workload
// identity federation read only issuer, jwks_uri and the signing
// algorithms. The rules are relaxed for an issuer that says so in
// site.yaml, never guessed from the metadata: response_types_supported:
// [id_token] without an authorization_endpoint is also what a forgotten
// field of a real implicit-flow provider looks like, whose ID tokens come
// from that endpoint. Saying it lets the build check the converse: such an
// issuer lists no endpoint and no grant type, and issues only ID tokens.
func checkTokenOnly(site *config.Site, rts []string, rtv config.Value, diags *diag.List) {
	for _, v := range site.Metadata {
		f := v.Field
		endpoint := (f.Kind == metadata.Endpoint || f.Kind == metadata.Endpoints) && !f.Derived
		if endpoint || f.Name == "grant_types_supported" {
			diags.Errorf(v.Pos, "%s contradicts endpoints: false: the issuer serves no endpoint, so clients have nothing to call", f.Name)
			diags.Hint("remove %s, or endpoints: false if the issuer does serve OAuth endpoints", f.Name)
		}
	}
	for i, rt := range rts {
		if rt != "id_token" {
			diags.Errorf(rtv.Items[i], "response type %q contradicts endpoints: false: an issuer without endpoints issues ID tokens only", rt)
			diags.Hint("write response_types_supported: [id_token], as kube-apiserver publishes it")
		}
	}
}

func canSign(ks []keys.Key, alg string) bool {
	for _, k := range ks {
		if k.State != config.Retired && k.JWK.Use == "sig" && k.JWK.Algorithm == alg {
			return true
		}
	}
	return false
}

// checkResponseType accepts "none" alone, or a set of code, token and id_token.
func checkResponseType(rt string) error {
	parts := strings.Split(rt, " ")
	if rt == "none" {
		return nil
	}
	seen := map[string]bool{}
	for _, p := range parts {
		switch p {
		case "code", "token", "id_token":
		case "none":
			return fmt.Errorf("combines none with other values")
		default:
			return fmt.Errorf("has unknown value %q", p)
		}
		if seen[p] {
			return fmt.Errorf("repeats %q", p)
		}
		seen[p] = true
	}
	return nil
}
