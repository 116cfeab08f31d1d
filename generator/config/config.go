// Package config reads site.yaml into a validated Site. Decoding walks the
// yaml.v3 node tree against the schema, so every problem of a file is
// reported in one run with its line and column, unknown fields included.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/headers"
	"github.com/wellknown-dev/wellknown/generator/internal/yamlwalk"
	"github.com/wellknown-dev/wellknown/generator/metadata"
)

// MaxSize bounds site.yaml; a real one is a few kilobytes.
const MaxSize = 1 << 20

// Defaults for the optional settings.
const (
	DefaultJWKSPath = "jwks.json"
	DefaultKeyDir   = "keys"
	// DefaultTokenLifetime is long on purpose: a retired key must outlive
	// every token it signed, and a guess that is too short breaks logins.
	DefaultTokenLifetime = 24 * time.Hour
)

// Site is a loaded and validated site.yaml.
type Site struct {
	File string // the path as the user gave it, used in messages
	Dir  string // the directory holding File; relative paths resolve against it

	Issuer   string
	BaseURL  *url.URL // where the site root is served; no trailing slash
	OpenID   bool     // publish /.well-known/openid-configuration
	JWKSPath string   // relative to the site root
	JWKSURI  string   // derived from BaseURL and JWKSPath
	KeyDir   string   // as written in the file, relative to Dir
	// KidScheme names keys without an explicit kid, site-wide: one of
	// KidSchemes ("" is the default, rfc7638).
	KidScheme string
	// Endpoints is false for an issuer that only signs tokens somewhere
	// else and serves no OAuth endpoint, a Kubernetes service-account
	// issuer: its OpenID document then has none (see package discovery).
	Endpoints bool

	Keys     []KeySettings // in file order
	Metadata []Value       // in file order; empty lists are dropped
	// SignedMetadata, when set, adds an RFC 8414 §2.1 signed_metadata JWT.
	SignedMetadata *SignedMetadata
	// Cache is how long caches may keep what is published.
	Cache headers.Policy
	// TokenLifetime is the longest lifetime of any token signed with the
	// site's keys; a retired key stays published at least that long.
	TokenLifetime time.Duration
	// Clients says where client files are and how their identifiers are made.
	Clients Clients
	// Signing is how long the signed manifest stays valid.
	Signing Signing

	// Issuers, Resources and Federation: see issuers.go.
	extensions

	pos     map[string]diag.Pos
	refused map[string]bool // metadata fields written but refused
}

// KeySettings is what site.yaml says of one file in the key directory.
type KeySettings struct {
	File  string // name inside the key directory
	State State
	Use   string // "sig" or "enc"; empty for the default
	Alg   string // empty for the default
	Kid   string // empty for the RFC 7638 thumbprint
	// PublishedUntil is when a retired key leaves the key set.
	PublishedUntil time.Time
	// PublishedSince is when the key was first published; zero when not
	// written. A key may sign only once caches have had time to fetch it.
	PublishedSince time.Time
	// RetiredSince is when a retired key stopped signing; zero when not
	// written. Tokens it signed live until then plus the token lifetime.
	RetiredSince time.Time
	// Pos holds the position of the entry and of each of its fields, by name
	// ("" for the entry itself).
	Pos map[string]diag.Pos
}

// State is where a key is in its life.
type State string

const (
	Active  State = "active"  // signs now; published
	Next    State = "next"    // published ahead of use, so caches hold it before it signs
	Retired State = "retired" // no longer signs; published until PublishedUntil
)

// SignedMetadata says which key signs the signed_metadata JWT.
type SignedMetadata struct {
	Key    string // a file name in the key directory
	OpenID bool   // put it in the OpenID Connect document too
	Pos    diag.Pos
}

// Value is one metadata field as written in site.yaml.
type Value struct {
	Field metadata.Field
	// Value is a string, bool, []string or map[string]string, by Field.Kind.
	Value any
	Pos   diag.Pos   // of the field name
	Items []diag.Pos // of each list entry or object member, in order
}

// Where returns the position of a setting by its dotted name
// ("issuer", "metadata.token_endpoint", "keys.rsa.pem.alg"), or the file
// itself when the setting is not written.
func (s *Site) Where(name string) diag.Pos {
	if p, ok := s.pos[name]; ok {
		return p
	}
	return diag.Pos{Path: s.File}
}

// Refused reports whether the metadata field name is written but was refused
// with an error of its own: a rule that requires the field says nothing
// more, so that one mistake is reported once.
func (s *Site) Refused(name string) bool { return s.refused[name] }

func (s *Site) refuse(name string) {
	if s.refused == nil {
		s.refused = map[string]bool{}
	}
	s.refused[name] = true
}

// Lookup returns the metadata value called name.
func (s *Site) Lookup(name string) (Value, bool) {
	for _, v := range s.Metadata {
		if v.Field.Name == name {
			return v, true
		}
	}
	return Value{}, false
}

// Load reads and validates the file at path. The returned list holds every
// error and warning. When the file is YAML the Site holds whatever did
// decode, so that later phases can still report their own problems; it must
// not be built from while the list has errors.
func Load(path string) (*Site, *diag.List) {
	data, err := yamlwalk.ReadFile(path, MaxSize)
	if err != nil {
		var diags diag.List
		diags.Errorf(diag.Pos{Path: path}, "cannot read configuration: %v", err)
		if errors.Is(err, os.ErrNotExist) {
			diags.Hint("run wellknown from the directory holding site.yaml, or name it with --config")
		}
		return nil, &diags
	}
	return Parse(path, data)
}

// Parse validates data as the content of the file at path.
func Parse(path string, data []byte) (*Site, *diag.List) {
	diags := &diag.List{}
	root, w := yamlwalk.Parse(path, data, MaxSize, diags)
	if root == nil {
		return nil, diags
	}
	s := &Site{File: path, Dir: filepath.Dir(path), OpenID: true, Endpoints: true,
		JWKSPath: DefaultJWKSPath, KeyDir: DefaultKeyDir, Cache: headers.DefaultPolicy(),
		TokenLifetime: DefaultTokenLifetime, Clients: defaultClients(),
		Signing: defaultSigning(), pos: map[string]diag.Pos{}}
	s.decode(w, root)
	return s, diags
}

// KidSchemes are the values of kid_scheme (see package keys).
var KidSchemes = []string{"rfc7638", "x5t#S256", "x5t", "kubernetes"}

var topFields = []string{"issuer", "base_url", "openid", "endpoints", "jwks_path", "key_dir", "kid_scheme", "keys", "metadata", "signed_metadata", "cache", "token_lifetime", "clients", "signing", "issuers", "resources", "federation"}

func (s *Site) decode(w *yamlwalk.Walker, root *yaml.Node) {
	pairs, ok := w.Mapping(root, "the configuration")
	if !ok {
		return
	}
	var metaNode, keysNode *yaml.Node
	var jwksNode, baseNode *yaml.Node
	var ext []yamlwalk.Pair
	for _, p := range pairs {
		s.pos[p.Key] = w.Pos(p.KNode)
		switch p.Key {
		case "issuer":
			if v, ok := w.Str(p.Val, "issuer"); ok {
				s.Issuer = v
				if err := checkIssuer(v); err != nil {
					w.Errorf(p.Val, "issuer %v (RFC 8414 §2)", err)
				} else if err := checkServedPath(v); err != nil {
					w.Errorf(p.Val, "issuer %v", err)
				}
			}
		case "base_url":
			baseNode = p.Val
		case "openid":
			s.OpenID, _ = w.Bool(p.Val, "openid")
		case "endpoints":
			s.Endpoints, _ = w.Bool(p.Val, "endpoints")
		case "jwks_path":
			jwksNode = p.Val
		case "key_dir":
			s.pos[p.Key] = w.Pos(p.Val) // a directory's problems point at its name
			if v, ok := w.Str(p.Val, "key_dir"); ok {
				if v == "" {
					w.Errorf(p.Val, "key_dir must not be empty")
				}
				s.KeyDir = v
			}
		case "kid_scheme":
			if v, ok := w.Str(p.Val, "kid_scheme"); ok {
				if !slices.Contains(KidSchemes, v) {
					w.Errorf(p.Val, "kid_scheme %q is not one of %s", v, strings.Join(KidSchemes, ", "))
				} else {
					s.KidScheme = v
				}
			}
		case "keys":
			keysNode = p.Val
		case "metadata":
			metaNode = p.Val
		case "signed_metadata":
			s.decodeSignedMetadata(w, p)
		case "cache":
			s.decodeCache(w, p)
		case "token_lifetime":
			if d, ok := w.Duration(p.Val, "token_lifetime"); ok {
				if d <= 0 {
					w.Errorf(p.Val, "token_lifetime must be longer than zero")
				}
				s.TokenLifetime = d
			}
		case "clients":
			s.decodeClients(w, p)
		case "signing":
			s.decodeSigning(w, p)
		case "issuers", "resources", "federation":
			ext = append(ext, p) // decoded last: they refer to the settings above
		default:
			w.Unknown(p, "", topFields)
			if _, isMeta := metadata.Lookup(p.Key); isMeta {
				w.Diags.Hint("metadata fields go under the metadata: key")
			}
		}
	}
	if _, ok := s.pos["issuer"]; !ok && !s.multi() {
		w.Errorf(root, "issuer is required (RFC 8414 §2)")
		w.Diags.Hint("add a line such as: issuer: https://login.example.com")
	}
	if !s.Endpoints && !s.OpenID {
		// RFC 8414 has no form without endpoints: its metadata requires an
		// authorization endpoint for the default grant types and a token
		// endpoint for all but the implicit one.
		w.Diags.Errorf(s.Where("endpoints"), "endpoints: false needs openid: an issuer without endpoints publishes only the OpenID Connect document, and openid: false leaves none")
		w.Diags.Hint("remove openid: false: relying parties of a token-only issuer read /.well-known/openid-configuration")
	}
	s.decodeBaseURL(w, baseNode)
	if jwksNode != nil {
		if written, ok := w.Str(jwksNode, "jwks_path"); ok {
			v := strings.TrimPrefix(written, "/")
			if err := artifact.CheckPath(v); err != nil || strings.ContainsAny(v, "?#") {
				w.Errorf(jwksNode, "jwks_path %q must be a file path below the site root, such as /jwks.json", written)
			} else {
				s.JWKSPath = v
			}
		}
	}
	if s.BaseURL != nil {
		u := *s.BaseURL
		u.Path = path.Join(u.Path, s.JWKSPath)
		if !strings.HasPrefix(u.Path, "/") {
			u.Path = "/" + u.Path
		}
		s.JWKSURI = u.String()
	}
	// "keys:" with only comments under it is a section waiting for its
	// first entry (keys generate fills it), not an error.
	if keysNode != nil && !(keysNode.Kind == yaml.ScalarNode && keysNode.Tag == "!!null") {
		s.decodeKeys(w, keysNode)
	}
	if metaNode != nil {
		s.decodeMetadata(w, metaNode)
	}
	s.decodeExtensions(w, root, ext)
}

func (s *Site) decodeBaseURL(w *yamlwalk.Walker, n *yaml.Node) {
	if n == nil {
		if s.BaseURL != nil {
			return // an issuer entry, which shares the site's
		}
		if u, err := url.Parse(s.Issuer); err == nil && checkIssuer(s.Issuer) == nil {
			s.BaseURL = &url.URL{Scheme: u.Scheme, Host: u.Host}
		}
		return
	}
	v, ok := w.Str(n, "base_url")
	if !ok {
		return
	}
	u, err := parseHTTPS(v)
	if err == nil && (u.RawQuery != "" || u.ForceQuery) {
		err = errors.New("must not have a query")
	}
	if err != nil {
		w.Errorf(n, "base_url %v", err)
		return
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	s.BaseURL = u
}

// checkIssuer applies RFC 8414 §2: https, a host, no query, no fragment.
func checkIssuer(v string) error {
	u, err := parseHTTPS(v)
	if err != nil {
		return err
	}
	if u.RawQuery != "" || u.ForceQuery {
		return errors.New("must not have a query")
	}
	return nil
}

// parseHTTPS parses an absolute https URL with a host and without userinfo
// or fragment.
func parseHTTPS(v string) (*url.URL, error) {
	u, err := parseAbsolute(v)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "https" {
		return nil, fmt.Errorf("must use https, not %q", u.Scheme)
	}
	return u, nil
}

func parseAbsolute(v string) (*url.URL, error) {
	if err := checkURIChars(v); err != nil {
		return nil, err
	}
	u, err := url.Parse(v)
	switch {
	case err != nil:
		return nil, fmt.Errorf("is not a URL: %q", v)
	case !u.IsAbs() || u.Host == "":
		return nil, fmt.Errorf("must be an absolute URL with a host, not %q", v)
	case u.Hostname() == "":
		return nil, fmt.Errorf("must name a host, not %q", v)
	case u.Fragment != "" || strings.Contains(v, "#"):
		return nil, errors.New("must not have a fragment")
	case u.User != nil:
		return nil, errors.New("must not hold a user name or password")
	}
	if err := checkPort(u); err != nil {
		return nil, err
	}
	return u, nil
}

// checkPort refuses a port TCP cannot have, which url.Parse lets through
// (it checks only that a port is digits), and an empty one ("host:"), which
// a client would drop and then no longer match the identifier.
func checkPort(u *url.URL) error {
	if strings.HasSuffix(u.Host, ":") {
		return fmt.Errorf("has an empty port in %q; leave out the colon", u.Host)
	}
	p := u.Port()
	if p == "" {
		return nil
	}
	if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("has port %s, outside 1-65535", p)
	}
	return nil
}

// checkURIChars refuses what RFC 3986 leaves out of a URI: spaces, control
// and non-ASCII characters, and " < > \ ^ ` { | }. Go's parser lets some of
// them through, and a client compares an issuer byte for byte with the one
// it expects, which a browser or HTTP library would have encoded.
func checkURIChars(v string) error {
	for i, r := range v {
		if r > ' ' && r < 0x7f && !strings.ContainsRune(`"<>\^`+"`{|}", r) {
			continue
		}
		hint := "percent-encode it"
		if u, err := url.Parse(v); err == nil && strings.Contains(u.Host, string(r)) && r >= 0x80 {
			hint = "write the host in its ASCII (xn--) form"
		}
		return fmt.Errorf("must be a URI (RFC 3986): %q holds %q at byte %d; %s", v, r, i, hint)
	}
	return nil
}

// checkServedPath keeps the path of a URL that names a directory of out/ (an
// issuer, a protected resource) to RFC 3986's unreserved characters, which
// every static host serves as written and every host format can carry.
func checkServedPath(v string) error {
	u, err := url.Parse(v)
	if err != nil {
		return err
	}
	for _, r := range u.EscapedPath() {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-~/", r)) {
			return fmt.Errorf("path %q holds %q: it becomes a directory of the published tree, and not every static host serves that as written; use letters, digits and . _ - ~", u.EscapedPath(), r)
		}
	}
	return nil
}

var keyFields = []string{"state", "use", "alg", "kid", "published_since", "retired_since", "published_until"}

func (s *Site) decodeKeys(w *yamlwalk.Walker, n *yaml.Node) {
	pairs, ok := w.Mapping(n, "keys")
	if !ok {
		return
	}
	for _, p := range pairs {
		k := KeySettings{File: p.Key, State: Active, Pos: map[string]diag.Pos{"": w.Pos(p.KNode)}}
		prefix := "keys." + p.Key
		s.pos[prefix] = w.Pos(p.KNode)
		if p.Key != filepath.Base(p.Key) || p.Key == "." || p.Key == ".." || strings.ContainsAny(p.Key, `/\`) {
			w.Errorf(p.KNode, "keys entry %q must be a file name in the key directory", p.Key)
		}
		fields, ok := w.Mapping(p.Val, "keys entry "+p.Key)
		if !ok {
			continue
		}
		var untilNode, retiredNode *yaml.Node
		for _, f := range fields {
			k.Pos[f.Key] = w.Pos(f.Val)
			s.pos[prefix+"."+f.Key] = w.Pos(f.Val)
			switch f.Key {
			case "state":
				if v, ok := w.Str(f.Val, "state"); ok {
					switch State(v) {
					case Active, Next, Retired:
						k.State = State(v)
					default:
						w.Errorf(f.Val, "state must be active, next or retired, not %q", v)
					}
				}
			case "use":
				if v, ok := w.Str(f.Val, "use"); ok {
					if v != "sig" && v != "enc" {
						w.Errorf(f.Val, "use must be sig or enc, not %q (RFC 7517 §4.2)", v)
					}
					k.Use = v
				}
			case "alg":
				k.Alg, _ = w.Str(f.Val, "alg")
			case "kid":
				if v, ok := w.Str(f.Val, "kid"); ok {
					if v == "" {
						w.Errorf(f.Val, "kid must not be empty; leave it out for the RFC 7638 thumbprint")
					}
					k.Kid = v
				}
			case "published_until":
				untilNode = f.Val
				k.PublishedUntil, _ = w.Date(f.Val, "published_until")
			case "published_since":
				k.PublishedSince, _ = w.Date(f.Val, "published_since")
			case "retired_since":
				retiredNode = f.Val
				k.RetiredSince, _ = w.Date(f.Val, "retired_since")
			default:
				w.Unknown(f, " in keys entry "+p.Key, keyFields)
			}
		}
		switch {
		case k.State == Retired && untilNode == nil:
			w.Errorf(p.KNode, "retired key %s needs published_until: the date after which it leaves the key set", p.Key)
			w.Diags.Hint("a retired key stays published until the tokens it signed have expired and caches have let go")
		case k.State != Retired && untilNode != nil:
			w.Errorf(untilNode, "published_until applies to retired keys only; %s is %s", p.Key, k.State)
		}
		if k.State != Retired && retiredNode != nil {
			w.Errorf(retiredNode, "retired_since applies to retired keys only; %s is %s", p.Key, k.State)
		}
		s.Keys = append(s.Keys, k)
	}
}

var cacheFields = []string{"max_age", "stale_while_revalidate", "immutable_max_age"}

func (s *Site) decodeCache(w *yamlwalk.Walker, p yamlwalk.Pair) {
	fields, ok := w.Mapping(p.Val, "cache")
	if !ok {
		return
	}
	for _, f := range fields {
		s.pos["cache."+f.Key] = w.Pos(f.Val)
		var d *time.Duration
		switch f.Key {
		case "max_age":
			d = &s.Cache.MaxAge
		case "stale_while_revalidate":
			d = &s.Cache.StaleWhileRevalidate
		case "immutable_max_age":
			d = &s.Cache.ImmutableMaxAge
		default:
			w.Unknown(f, " in cache", cacheFields)
			continue
		}
		if v, ok := w.Duration(f.Val, "cache."+f.Key); ok {
			*d = v
		}
	}
	if err := s.Cache.Validate(); err != nil {
		w.Errorf(p.KNode, "cache: %v", err)
	}
}

func (s *Site) decodeSignedMetadata(w *yamlwalk.Walker, p yamlwalk.Pair) {
	fields, ok := w.Mapping(p.Val, "signed_metadata")
	if !ok {
		return
	}
	sm := &SignedMetadata{OpenID: true, Pos: w.Pos(p.KNode)}
	for _, f := range fields {
		s.pos["signed_metadata."+f.Key] = w.Pos(f.Val)
		switch f.Key {
		case "key":
			sm.Key, _ = w.Str(f.Val, "signed_metadata.key")
		case "openid":
			sm.OpenID, _ = w.Bool(f.Val, "signed_metadata.openid")
		default:
			w.Unknown(f, " in signed_metadata", []string{"key", "openid"})
		}
	}
	if sm.Key == "" {
		w.Errorf(p.KNode, "signed_metadata.key is required: the key file whose private key signs the metadata")
		return
	}
	s.SignedMetadata = sm
}

func (s *Site) decodeMetadata(w *yamlwalk.Walker, n *yaml.Node) {
	pairs, ok := w.Mapping(n, "metadata")
	if !ok {
		return
	}
	for _, p := range pairs {
		name := "metadata." + p.Key
		s.pos[name] = w.Pos(p.KNode)
		f, known := metadata.Lookup(p.Key)
		if !known {
			if p.Key == "signed_metadata" {
				w.Errorf(p.KNode, "signed_metadata is made by the build, not written (RFC 8414 §2.1)")
				continue
			}
			w.Unknown(p, " in metadata", metadata.Names())
			if typo := yamlwalk.Suggest(p.Key, metadata.Names()); typo != "" {
				s.refuse(typo) // a misspelt field is not also a missing one
			}
			continue
		}
		v := Value{Field: f, Pos: w.Pos(p.KNode)}
		var ok bool
		switch f.Kind {
		case metadata.String:
			v.Value, ok = w.Str(p.Val, p.Key)
		case metadata.Bool:
			v.Value, ok = w.Bool(p.Val, p.Key)
		case metadata.Endpoint, metadata.Page:
			var str string
			if str, ok = w.Str(p.Val, p.Key); ok {
				v.Value = str
				if err := checkURL(f.Kind, str); err != nil {
					w.Errorf(p.Val, "%s %v (%s)", p.Key, err, f.Spec)
				}
			}
		case metadata.Strings:
			var list []string
			if list, v.Items, ok = w.Strings(p.Val, p.Key); ok {
				v.Value = list
				if len(list) == 0 {
					w.Warnf(p.KNode, "empty %s left out: arrays with zero elements are omitted (RFC 8414 §3.2)", p.Key)
					continue
				}
			}
		case metadata.Endpoints:
			v.Value, v.Items, ok = s.decodeEndpoints(w, p.Key, p.Val, f)
		}
		if !ok {
			s.refuse(p.Key)
			continue
		}
		if f.Derived {
			s.checkDerived(w, p, v)
			continue
		}
		s.Metadata = append(s.Metadata, v)
	}
}

// checkDerived accepts a derived field only when it agrees with the build.
func (s *Site) checkDerived(w *yamlwalk.Walker, p yamlwalk.Pair, v Value) {
	want := map[string]string{"issuer": s.Issuer, "jwks_uri": s.JWKSURI}[p.Key]
	if got, _ := v.Value.(string); got != want {
		w.Errorf(p.Val, "%s is derived as %q; the value here disagrees", p.Key, want)
		w.Diags.Hint("remove %s from metadata; wellknown fills it in", p.Key)
	}
}

func (s *Site) decodeEndpoints(w *yamlwalk.Walker, name string, n *yaml.Node, f metadata.Field) (any, []diag.Pos, bool) {
	pairs, ok := w.Mapping(n, name)
	if !ok {
		return nil, nil, false
	}
	out := map[string]string{}
	var ps []diag.Pos
	for _, p := range pairs {
		v, good := w.Str(p.Val, name+"."+p.Key)
		if !good {
			ok = false
			continue
		}
		if err := checkURL(metadata.Endpoint, v); err != nil {
			w.Errorf(p.Val, "%s.%s %v (%s)", name, p.Key, err, f.Spec)
			ok = false
		}
		out[p.Key] = v
		ps = append(ps, w.Pos(p.KNode))
	}
	if len(out) == 0 {
		if ok {
			w.Warnf(n, "empty %s left out", name)
		}
		return nil, nil, false
	}
	return out, ps, ok
}

func checkURL(k metadata.Kind, v string) error {
	if k == metadata.Endpoint {
		_, err := parseHTTPS(v)
		return err
	}
	u, err := parseAbsolute(v)
	if err == nil && u.Scheme != "https" && u.Scheme != "http" {
		err = fmt.Errorf("must be an http or https URL, not %q", u.Scheme)
	}
	return err
}

// ParseDate reads a day (midnight UTC) or an RFC 3339 instant.
func ParseDate(s string) (time.Time, error) { return yamlwalk.ParseDate(s) }

// Resolve returns where a directory setting of the site (key_dir,
// clients.dir) is on disk: an absolute path as written, so that keys can
// live outside the repository (/etc/wellknown/keys), and a relative one
// against the directory of site.yaml, wherever the build is run from.
func (s *Site) Resolve(dir string) string {
	if filepath.IsAbs(dir) {
		return filepath.Clean(dir)
	}
	return filepath.Join(s.Dir, dir)
}

// JWKSCacheLifetime is how long a relying party or CDN may go on using a
// key set it fetched: a new key must be published that long before it
// signs. It is the one place rotation reads the cache policy from.
func (s *Site) JWKSCacheLifetime() time.Duration {
	return s.Cache.MaxAge + s.Cache.StaleWhileRevalidate
}
