package clients

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/internal/yamlwalk"
	"github.com/wellknown-dev/wellknown/generator/jsonout"
	"github.com/wellknown-dev/wellknown/generator/keys"
)

// MaxSize bounds a client file. A Client ID Metadata Document should stay
// under 5 KiB; the bound leaves room for a pre-registered client's inline
// jwks with certificate chains.
const MaxSize = 256 << 10

// Text is one value of a human-readable field, in one language.
type Text struct {
	Tag   string // BCP 47 language tag as written; "" for the default
	Value string
	Pos   diag.Pos
}

// File is one decoded client file: what it says, before the site's rules
// and the identity mode are applied.
type File struct {
	Path string // as messages name it: clients/web.yaml

	Mode            config.ClientMode // "" to follow site.yaml
	ClientID        string            // explicit; "" to derive
	IssuedAt        time.Time         // zero when the file gives no date
	ApplicationType string            // "web" (default) or "native"

	RedirectURIs  []string
	GrantTypes    []string
	ResponseTypes []string
	AuthMethod    string
	Scope         []string // the scope value split at spaces
	Contacts      []string
	JWKSURI       string
	JWKS          jsonout.Object // {"keys": [...]}, public members only
	SoftwareID    string
	SoftwareVer   string
	SoftwareStmt  string
	// Texts holds the human-readable fields by name (client_name, ...),
	// the untagged value first, then by language tag.
	Texts map[string][]Text

	// set records which fields the file writes, so that defaults are told
	// apart from written values.
	set map[string]bool
	pos map[string]diag.Pos // of each field's value, and of list items as name.N
}

// Where returns the position of a field's value (or of list item i as
// "redirect_uris.2"), or the file when the field is not written.
func (f *File) Where(name string) diag.Pos {
	if p, ok := f.pos[name]; ok {
		return p
	}
	return diag.Pos{Path: f.Path}
}

// Has reports whether the file writes the field.
func (f *File) Has(name string) bool { return f.set[name] }

// Parse decodes and checks the content of the client file at path: every
// rule that needs nothing but the file. The File is nil when data is not a
// YAML mapping; otherwise it holds whatever decoded, and diags say what did
// not.
func Parse(path string, data []byte) (*File, *diag.List) {
	diags := &diag.List{}
	root, w := yamlwalk.Parse(path, data, MaxSize, diags)
	if root == nil {
		return nil, diags
	}
	pairs, ok := w.Mapping(root, "a client file")
	if !ok {
		return nil, diags
	}
	f := &File{Path: path, Texts: map[string][]Text{}, set: map[string]bool{}, pos: map[string]diag.Pos{}}
	for _, p := range pairs {
		f.decodeField(w, p)
	}
	f.check(diags)
	return f, diags
}

func (f *File) decodeField(w *yamlwalk.Walker, p yamlwalk.Pair) {
	name, tag, tagged := strings.Cut(p.Key, "#")
	field, known := Lookup(name)
	switch {
	case !known:
		if spec, ok := unsupported[name]; ok {
			w.Errorf(p.KNode, "%s (%s) is registered client metadata that wellknown does not publish", name, spec)
			return
		}
		w.Unknown(p, "", names())
		return
	case field.Disposition == Refused:
		w.Errorf(p.KNode, "%s cannot be published: %s (%s)", name, field.Why, field.Spec)
		return
	case tagged && !field.Localized:
		w.Errorf(p.KNode, "%s is not a human-readable field and takes no language tag (RFC 7591 §2.2)", name)
		return
	case tagged:
		if err := checkLangTag(tag); err != nil {
			w.Errorf(p.KNode, "language tag %q %v (BCP 47, RFC 7591 §2.2)", tag, err)
			return
		}
		if sub := unregistered(tag); sub != "" {
			w.Warnf(p.KNode, "language tag %q: subtag %q is not in the IANA Language Subtag Registry; clients that ask for a registered tag will not pick this value", tag, sub)
		}
	}
	f.set[name] = true
	f.pos[p.Key] = w.Pos(p.Val)
	if !tagged {
		f.pos[name] = w.Pos(p.Val)
	}
	str := func() (string, bool) {
		v, ok := w.Str(p.Val, p.Key)
		if ok && strings.TrimSpace(v) == "" {
			w.Errorf(p.Val, "%s must not be empty", p.Key)
			return "", false
		}
		return v, ok
	}
	list := func() []string {
		v, items, _ := w.Strings(p.Val, name)
		for i, pos := range items {
			f.pos[fmt.Sprintf("%s.%d", name, i)] = pos
		}
		return v
	}
	switch name {
	case "client_id":
		if v, ok := str(); ok {
			if err := checkVSChars(v); err != nil {
				w.Errorf(p.Val, "client_id %v (RFC 6749 Appendix A.1)", err)
			}
			f.ClientID = v
		}
	case "client_id_issued_at":
		if t, ok := w.Date(p.Val, name); ok {
			f.IssuedAt = t
		}
	case "mode":
		if v, ok := str(); ok {
			if m, good := config.ParseClientMode(v); good {
				f.Mode = m
			} else {
				w.Errorf(p.Val, "mode must be pre_registered or metadata_document, not %q", v)
			}
		}
	case "application_type":
		if v, ok := str(); ok {
			if v != "web" && v != "native" {
				w.Errorf(p.Val, "application_type must be web or native, not %q (OpenID Connect Registration §2)", v)
			}
			f.ApplicationType = v
		}
	case "redirect_uris":
		f.RedirectURIs = list()
	case "grant_types":
		f.GrantTypes = list()
	case "response_types":
		f.ResponseTypes = list()
	case "contacts":
		f.Contacts = list()
		for i, c := range f.Contacts {
			if a, err := mail.ParseAddress(c); err != nil || a.Address != c {
				f.errorf(w, fmt.Sprintf("contacts.%d", i), "contacts entry %q must be an e-mail address such as ops@example.com (RFC 7591 §2)", c)
			}
		}
	case "token_endpoint_auth_method":
		f.AuthMethod, _ = str()
	case "scope":
		if v, ok := str(); ok {
			f.Scope = f.decodeScope(w, p.Val, v)
		}
	case "jwks_uri":
		if v, ok := str(); ok {
			f.JWKSURI = v
			if err := checkHTTPS(v); err != nil {
				w.Errorf(p.Val, "jwks_uri %v (RFC 7591 §2)", err)
			}
		}
	case "jwks":
		f.JWKS = f.decodeJWKS(w, p.Val)
	case "software_id":
		f.SoftwareID, _ = str()
	case "software_version":
		f.SoftwareVer, _ = str()
	case "software_statement":
		if v, ok := str(); ok {
			f.SoftwareStmt = v
			if err := checkJWS(v); err != nil {
				w.Errorf(p.Val, "software_statement %v (RFC 7591 §2.3)", err)
			}
		}
	default: // the human-readable fields
		v, ok := str()
		if !ok {
			return
		}
		if name != "client_name" {
			if err := checkHTTPS(v); err != nil {
				w.Errorf(p.Val, "%s %v (RFC 7591 §2)", p.Key, err)
			}
		}
		for _, t := range f.Texts[name] {
			if strings.EqualFold(t.Tag, tag) {
				w.Errorf(p.KNode, "%s has the language tag of line %d: tags match without regard to case (RFC 7591 §2.2, RFC 5646 §2.1.1)", p.Key, t.Pos.Line)
				return
			}
		}
		f.Texts[name] = append(f.Texts[name], Text{Tag: tag, Value: v, Pos: w.Pos(p.KNode)})
	}
}

func (f *File) errorf(w *yamlwalk.Walker, field, format string, args ...any) {
	w.Diags.Errorf(f.Where(field), format, args...)
}

// checkVSChars accepts RFC 6749's client_id characters: printable ASCII.
func checkVSChars(v string) error {
	for _, r := range v {
		if r < 0x20 || r > 0x7e {
			return fmt.Errorf("must be printable ASCII, not %q", r)
		}
	}
	if strings.TrimSpace(v) != v {
		return fmt.Errorf("must not start or end with a space")
	}
	return nil
}

// decodeScope splits a scope value (RFC 6749 §3.3: scope-tokens separated
// by single spaces) and checks each token.
func (f *File) decodeScope(w *yamlwalk.Walker, n *yaml.Node, v string) []string {
	tokens := strings.Split(v, " ")
	seen := map[string]bool{}
	for _, t := range tokens {
		switch {
		case t == "":
			w.Errorf(n, "scope must be scope tokens separated by single spaces (RFC 6749 §3.3)")
			return nil
		case seen[t]:
			w.Errorf(n, "scope lists %q twice", t)
		case strings.ContainsAny(t, "\"\\") || strings.ContainsFunc(t, func(r rune) bool { return r < 0x21 || r > 0x7e }):
			w.Errorf(n, "scope token %q has a character RFC 6749 §3.3 does not allow", t)
		}
		seen[t] = true
	}
	return tokens
}

// decodeJWKS reads an inline JWK Set and checks that every key is a public
// key: the document is published for anyone to read.
func (f *File) decodeJWKS(w *yamlwalk.Walker, n *yaml.Node) jsonout.Object {
	pairs, ok := w.Mapping(n, "jwks")
	if !ok {
		return nil
	}
	var keysNode *yaml.Node
	for _, p := range pairs {
		if p.Key != "keys" {
			w.Errorf(p.KNode, "jwks holds only keys: a JWK Set (RFC 7517 §5), not %q", p.Key)
			continue
		}
		keysNode = p.Val
	}
	if keysNode == nil {
		w.Errorf(n, "jwks must be a JWK Set: {keys: [...]} (RFC 7517 §5)")
		return nil
	}
	kn := w.Resolve(keysNode)
	if kn == nil {
		return nil
	}
	if kn.Kind != yaml.SequenceNode || len(kn.Content) == 0 {
		w.Errorf(kn, "jwks keys must be a non-empty list of JWKs, not %s", yamlwalk.Describe(kn))
		return nil
	}
	ok = true
	list := make([]any, 0, len(kn.Content))
	kids := map[string]int{}
	for i, item := range kn.Content {
		v, good := toJSON(w, item, fmt.Sprintf("jwks key %d", i+1))
		if !good {
			ok = false
			continue
		}
		raw, err := json.Marshal(v)
		if err == nil {
			var k jwkKid
			_ = json.Unmarshal(raw, &k)
			if _, err = keys.ParsePublicJWK(raw); err == nil && k.Kid != "" {
				if first, dup := kids[k.Kid]; dup {
					err = fmt.Errorf("has the kid %q of key %d; kids must be unique in a set (RFC 7517 §4.5)", k.Kid, first)
				}
				kids[k.Kid] = i + 1
			}
		}
		if err != nil {
			w.Errorf(item, "jwks key %d %v (RFC 7591 §2)", i+1, err)
			ok = false
			continue
		}
		list = append(list, v)
	}
	if !ok {
		return nil
	}
	return jsonout.Object{{Name: "keys", Value: list}}
}

type jwkKid struct {
	Kid string `json:"kid"`
}

// toJSON turns a YAML value into the JSON value it reads as, keeping the
// order of mapping keys. Only strings, booleans, integers, lists and
// mappings are JSON a JWK holds; anything else is an error, not a guess.
func toJSON(w *yamlwalk.Walker, n *yaml.Node, what string) (any, bool) {
	if n = w.Resolve(n); n == nil {
		return nil, false
	}
	switch n.Kind {
	case yaml.MappingNode:
		pairs, ok := w.Mapping(n, what)
		if !ok {
			return nil, false
		}
		obj := make(jsonout.Object, 0, len(pairs))
		for _, p := range pairs {
			v, good := toJSON(w, p.Val, what+" member "+p.Key)
			if !good {
				ok = false
				continue
			}
			obj.Set(p.Key, v)
		}
		return obj, ok
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		ok := true
		for _, item := range n.Content {
			v, good := toJSON(w, item, what)
			ok = ok && good
			list = append(list, v)
		}
		return list, ok
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str":
			return n.Value, true
		case "!!bool":
			return n.Value == "true", true
		case "!!int":
			if digits(strings.TrimPrefix(n.Value, "-")) {
				return json.Number(n.Value), true
			}
		}
	}
	w.Errorf(n, "%s must be a JSON value (string, boolean, integer, list or mapping), not %s", what, yamlwalk.Describe(n))
	return nil, false
}

// checkJWS accepts the compact serialization of a JWS (RFC 7515 §7.1)
// whose header names an algorithm. The signature cannot be checked here:
// the authorization server holds the software publisher's keys.
func checkJWS(v string) error {
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return fmt.Errorf("must be a signed JWT: three base64url parts separated by dots")
	}
	hdr, err := base64.RawURLEncoding.DecodeString(parts[0])
	var h struct {
		Alg string `json:"alg"`
	}
	if err != nil || json.Unmarshal(hdr, &h) != nil {
		return fmt.Errorf("has a header that is not base64url-encoded JSON")
	}
	if h.Alg == "" || h.Alg == "none" {
		return fmt.Errorf("must be signed: its header has no alg, or alg none")
	}
	for _, p := range parts[1:] {
		if _, err := base64.RawURLEncoding.DecodeString(p); err != nil || p == "" {
			return fmt.Errorf("has a part that is not base64url")
		}
	}
	return nil
}

// Grant types that use the authorization endpoint, and the response types
// each needs (RFC 7591 §2.1).
const (
	authorizationCode = "authorization_code"
	implicit          = "implicit"
	clientCredentials = "client_credentials"
)

// grantsOf returns the grant types a response type needs (RFC 7591 §2.1,
// OpenID Connect Registration §2: code needs authorization_code, token and
// id_token need implicit).
func grantsOf(rt string) []string {
	var out []string
	for _, part := range strings.Split(rt, " ") {
		switch part {
		case "code":
			out = append(out, authorizationCode)
		case "token", "id_token":
			out = append(out, implicit)
		}
	}
	return out
}

// check applies the rules between fields of one file.
func (f *File) check(diags *diag.List) {
	// Defaults: RFC 7591 §2 gives authorization_code and code. A file that
	// writes one list and not the other gets the one that agrees with it,
	// so a client_credentials client needs no empty response_types.
	switch {
	case !f.Has("grant_types") && !f.Has("response_types"):
		f.GrantTypes, f.ResponseTypes = []string{authorizationCode}, []string{"code"}
	case !f.Has("response_types"):
		f.ResponseTypes = []string{}
		if slices.Contains(f.GrantTypes, authorizationCode) {
			f.ResponseTypes = append(f.ResponseTypes, "code")
		}
		if slices.Contains(f.GrantTypes, implicit) {
			f.ResponseTypes = append(f.ResponseTypes, "token")
		}
	case !f.Has("grant_types"):
		f.GrantTypes = []string{}
		for _, rt := range f.ResponseTypes {
			for _, g := range grantsOf(rt) {
				if !slices.Contains(f.GrantTypes, g) {
					f.GrantTypes = append(f.GrantTypes, g)
				}
			}
		}
	default:
		for i, rt := range f.ResponseTypes {
			for _, g := range grantsOf(rt) {
				if !slices.Contains(f.GrantTypes, g) {
					diags.Errorf(f.Where(fmt.Sprintf("response_types.%d", i)), "response type %q needs grant type %s in grant_types (RFC 7591 §2.1)", rt, g)
				}
			}
		}
		for i, g := range f.GrantTypes {
			var need string
			switch g {
			case authorizationCode:
				need = "code"
			case implicit:
				need = "token"
			default:
				continue
			}
			if !slices.ContainsFunc(f.ResponseTypes, func(rt string) bool { return slices.Contains(grantsOf(rt), g) }) {
				diags.Errorf(f.Where(fmt.Sprintf("grant_types.%d", i)), "grant type %s needs a response type with %s in response_types (RFC 7591 §2.1)", g, need)
			}
		}
	}
	for i, rt := range f.ResponseTypes {
		if rt != "none" {
			for _, part := range strings.Split(rt, " ") {
				if part != "code" && part != "token" && part != "id_token" {
					diags.Errorf(f.Where(fmt.Sprintf("response_types.%d", i)), "response type %q has unknown value %q (RFC 7591 §2, OAuth 2.0 Multiple Response Types)", rt, part)
					break
				}
			}
		}
	}
	if f.AuthMethod == "" && !f.Has("token_endpoint_auth_method") {
		f.AuthMethod = "client_secret_basic" // RFC 7591 §2
	}

	redirects := slices.Contains(f.GrantTypes, authorizationCode) || slices.Contains(f.GrantTypes, implicit)
	switch {
	case redirects && len(f.RedirectURIs) == 0 && !f.Has("redirect_uris"):
		diags.Errorf(diag.Pos{Path: f.Path, Line: 1, Col: 1}, "redirect_uris is required: grant type %s redirects to the client (RFC 7591 §2)", f.GrantTypes[0])
	case redirects && len(f.RedirectURIs) == 0:
		diags.Errorf(f.Where("redirect_uris"), "redirect_uris must not be empty: grant type %s redirects to the client (RFC 7591 §2)", f.GrantTypes[0])
	case !redirects && len(f.RedirectURIs) > 0:
		diags.Warnf(f.Where("redirect_uris"), "redirect_uris are not used: no grant type in grant_types redirects to the client")
	}
	native := f.ApplicationType == "native"
	for i, r := range f.RedirectURIs {
		at := f.Where(fmt.Sprintf("redirect_uris.%d", i))
		warning, err := checkRedirect(r, native)
		if err != nil {
			diags.Errorf(at, "redirect URI %q %v", r, err)
			if !native && !strings.HasPrefix(r, "https:") && !strings.Contains(r, "#") {
				diags.Hint("a native app's redirect URI needs application_type: native")
			}
		}
		if warning != "" {
			diags.Warnf(at, "redirect URI %q: %s", r, warning)
		}
	}

	f.checkPageHosts(diags)

	if f.Has("jwks") && f.Has("jwks_uri") {
		diags.Errorf(f.Where("jwks"), "jwks and jwks_uri must not both be present (RFC 7591 §2)")
		diags.Hint("keep jwks_uri: keys at a URL can be rotated without a new registration")
	}
	switch f.AuthMethod {
	case "private_key_jwt", "self_signed_tls_client_auth":
		if !f.Has("jwks") && !f.Has("jwks_uri") {
			diags.Errorf(f.Where("token_endpoint_auth_method"), "token_endpoint_auth_method %s needs the client's public keys in jwks_uri or jwks (RFC 7523 §2.2, RFC 8705 §2.2)", f.AuthMethod)
		}
	case "none":
		if i := slices.Index(f.GrantTypes, clientCredentials); i >= 0 {
			diags.Errorf(f.Where(fmt.Sprintf("grant_types.%d", i)), "grant type client_credentials needs a confidential client; token_endpoint_auth_method none makes this a public client (RFC 6749 §4.4)")
		}
	}
}

// pages are the fields an authorization server shows a user when asking for
// consent.
var pages = []string{"client_uri", "logo_uri", "tos_uri", "policy_uri"}

// checkPageHosts warns when a page is on none of the https redirect URIs'
// origins: RFC 7591 §5 has authorization servers check this, so that the
// name and logo a user consents to lead to the party that gets the code.
// Native clients, whose redirect URIs are loopback or private-use, have no
// origin to compare with.
func (f *File) checkPageHosts(diags *diag.List) {
	origins := map[string]bool{}
	var names []string
	for _, r := range f.RedirectURIs {
		if u, err := url.Parse(r); err == nil && u.Scheme == "https" && !origins[u.Hostname()] {
			origins[u.Hostname()] = true
			names = append(names, u.Hostname())
		}
	}
	if len(origins) == 0 {
		return
	}
	for _, name := range pages {
		for _, t := range f.Texts[name] {
			u, err := url.Parse(t.Value)
			if err != nil || u.Scheme != "https" || u.Host == "" || origins[u.Hostname()] {
				continue // an error already, or on a redirect URI's host
			}
			key := name
			if t.Tag != "" {
				key += "#" + t.Tag
			}
			diags.Warnf(f.Where(key), "%s %s is not on the host of a redirect URI (%s); authorization servers are asked to check that it is (RFC 7591 §5)", name, t.Value, strings.Join(names, ", "))
		}
	}
}
