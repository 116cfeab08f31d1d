// Package config reads site.yaml into a validated Site. Decoding walks the
// yaml.v3 node tree against the schema, so every problem of a file is
// reported in one run with its line and column, unknown fields included.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/metadata"
)

// MaxSize bounds site.yaml; a real one is a few kilobytes.
const MaxSize = 1 << 20

// Defaults for the optional settings.
const (
	DefaultJWKSPath = "jwks.json"
	DefaultKeyDir   = "keys"
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

	Keys     []KeySettings // in file order
	Metadata []Value       // in file order; empty lists are dropped

	pos map[string]diag.Pos
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
	var diags diag.List
	f, err := os.Open(path)
	if err != nil {
		diags.Errorf(diag.Pos{Path: path}, "cannot read configuration: %v", unwrapPathError(err))
		if errors.Is(err, os.ErrNotExist) {
			diags.Hint("run wellknown from the directory holding site.yaml, or name it with --config")
		}
		return nil, &diags
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		diags.Errorf(diag.Pos{Path: path}, "cannot read configuration: %v", unwrapPathError(err))
		return nil, &diags
	}
	return Parse(path, data)
}

// unwrapPathError drops the path from an *os.PathError, which the
// diagnostic already names.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Parse validates data as the content of the file at path.
func Parse(path string, data []byte) (site *Site, diags *diag.List) {
	diags = &diag.List{}
	file := diag.Pos{Path: path}
	if len(data) > MaxSize {
		diags.Errorf(file, "configuration is larger than %d bytes", MaxSize)
		return nil, diags
	}
	// yaml.v3 has panicked on hostile input in the past; a configuration
	// error is the right answer to any input, never a crash.
	defer func() {
		if r := recover(); r != nil {
			diags.Errorf(file, "invalid YAML: parser failed: %v", r)
			site = nil
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	w := &walker{file: file, diags: diags}
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			diags.Errorf(file.At(1, 1), "configuration is empty")
			diags.Hint("start from the site.yaml in the wellknown repository")
		} else {
			w.syntaxError(err)
		}
		return nil, diags
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		diags.Errorf(file.At(extra.Line, extra.Column), "configuration must be a single YAML document")
		return nil, diags
	} else if !errors.Is(err, io.EOF) {
		w.syntaxError(err)
		return nil, diags
	}
	s := &Site{File: path, Dir: filepath.Dir(path), OpenID: true,
		JWKSPath: DefaultJWKSPath, KeyDir: DefaultKeyDir, pos: map[string]diag.Pos{}}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	s.decode(w, root)
	return s, diags
}

var topFields = []string{"issuer", "base_url", "openid", "jwks_path", "key_dir", "keys", "metadata"}

func (s *Site) decode(w *walker, root *yaml.Node) {
	pairs, ok := w.mapping(root, "the configuration")
	if !ok {
		return
	}
	var metaNode, keysNode *yaml.Node
	var jwksNode, baseNode *yaml.Node
	for _, p := range pairs {
		s.pos[p.key] = w.pos(p.kNode)
		switch p.key {
		case "issuer":
			if v, ok := w.str(p.val, "issuer"); ok {
				s.Issuer = v
				if err := checkIssuer(v); err != nil {
					w.errorf(p.val, "issuer %v (RFC 8414 §2)", err)
				}
			}
		case "base_url":
			baseNode = p.val
		case "openid":
			s.OpenID, _ = w.boolean(p.val, "openid")
		case "jwks_path":
			jwksNode = p.val
		case "key_dir":
			if v, ok := w.str(p.val, "key_dir"); ok {
				if v == "" {
					w.errorf(p.val, "key_dir must not be empty")
				}
				s.KeyDir = v
			}
		case "keys":
			keysNode = p.val
		case "metadata":
			metaNode = p.val
		default:
			w.unknown(p, "", topFields)
			if _, isMeta := metadata.Lookup(p.key); isMeta {
				w.diags.Hint("metadata fields go under the metadata: key")
			}
		}
	}
	if _, ok := s.pos["issuer"]; !ok {
		w.errorf(root, "issuer is required (RFC 8414 §2)")
		w.diags.Hint("add a line such as: issuer: https://login.example.com")
	}
	s.decodeBaseURL(w, baseNode)
	if jwksNode != nil {
		if v, ok := w.str(jwksNode, "jwks_path"); ok {
			v = strings.TrimPrefix(v, "/")
			if err := artifact.CheckPath(v); err != nil || strings.ContainsAny(v, "?#") {
				w.errorf(jwksNode, "jwks_path %q must be a file path below the site root, such as /jwks.json", v)
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
	if keysNode != nil {
		s.decodeKeys(w, keysNode)
	}
	if metaNode != nil {
		s.decodeMetadata(w, metaNode)
	}
}

func (s *Site) decodeBaseURL(w *walker, n *yaml.Node) {
	if n == nil {
		if u, err := url.Parse(s.Issuer); err == nil && checkIssuer(s.Issuer) == nil {
			s.BaseURL = &url.URL{Scheme: u.Scheme, Host: u.Host}
		}
		return
	}
	v, ok := w.str(n, "base_url")
	if !ok {
		return
	}
	u, err := parseHTTPS(v)
	if err == nil && (u.RawQuery != "" || u.ForceQuery) {
		err = errors.New("must not have a query")
	}
	if err != nil {
		w.errorf(n, "base_url %v", err)
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
	u, err := url.Parse(v)
	switch {
	case err != nil:
		return nil, fmt.Errorf("is not a URL: %q", v)
	case !u.IsAbs() || u.Host == "":
		return nil, fmt.Errorf("must be an absolute URL with a host, not %q", v)
	case u.Fragment != "" || strings.Contains(v, "#"):
		return nil, errors.New("must not have a fragment")
	case u.User != nil:
		return nil, errors.New("must not hold a user name or password")
	}
	return u, nil
}

var keyFields = []string{"state", "use", "alg", "kid", "published_until"}

func (s *Site) decodeKeys(w *walker, n *yaml.Node) {
	pairs, ok := w.mapping(n, "keys")
	if !ok {
		return
	}
	for _, p := range pairs {
		k := KeySettings{File: p.key, State: Active, Pos: map[string]diag.Pos{"": w.pos(p.kNode)}}
		prefix := "keys." + p.key
		s.pos[prefix] = w.pos(p.kNode)
		if p.key != filepath.Base(p.key) || p.key == "." || p.key == ".." || strings.ContainsAny(p.key, `/\`) {
			w.errorf(p.kNode, "keys entry %q must be a file name in the key directory", p.key)
		}
		fields, ok := w.mapping(p.val, "keys entry "+p.key)
		if !ok {
			continue
		}
		var untilNode *yaml.Node
		for _, f := range fields {
			k.Pos[f.key] = w.pos(f.val)
			s.pos[prefix+"."+f.key] = w.pos(f.val)
			switch f.key {
			case "state":
				if v, ok := w.str(f.val, "state"); ok {
					switch State(v) {
					case Active, Next, Retired:
						k.State = State(v)
					default:
						w.errorf(f.val, "state must be active, next or retired, not %q", v)
					}
				}
			case "use":
				if v, ok := w.str(f.val, "use"); ok {
					if v != "sig" && v != "enc" {
						w.errorf(f.val, "use must be sig or enc, not %q (RFC 7517 §4.2)", v)
					}
					k.Use = v
				}
			case "alg":
				k.Alg, _ = w.str(f.val, "alg")
			case "kid":
				if v, ok := w.str(f.val, "kid"); ok {
					if v == "" {
						w.errorf(f.val, "kid must not be empty; leave it out for the RFC 7638 thumbprint")
					}
					k.Kid = v
				}
			case "published_until":
				untilNode = f.val
				k.PublishedUntil, _ = w.date(f.val, "published_until")
			default:
				w.unknown(f, " in keys entry "+p.key, keyFields)
			}
		}
		switch {
		case k.State == Retired && untilNode == nil:
			w.errorf(p.kNode, "retired key %s needs published_until: the date after which it leaves the key set", p.key)
			w.diags.Hint("a retired key stays published until the tokens it signed have expired and caches have let go")
		case k.State != Retired && untilNode != nil:
			w.errorf(untilNode, "published_until applies to retired keys only; %s is %s", p.key, k.State)
		}
		s.Keys = append(s.Keys, k)
	}
}

func (s *Site) decodeMetadata(w *walker, n *yaml.Node) {
	pairs, ok := w.mapping(n, "metadata")
	if !ok {
		return
	}
	for _, p := range pairs {
		name := "metadata." + p.key
		s.pos[name] = w.pos(p.kNode)
		f, known := metadata.Lookup(p.key)
		if !known {
			if p.key == "signed_metadata" {
				w.errorf(p.kNode, "signed_metadata is made by the build, not written (RFC 8414 §2.1)")
				continue
			}
			w.unknown(p, " in metadata", metadata.Names())
			continue
		}
		v := Value{Field: f, Pos: w.pos(p.kNode)}
		var ok bool
		switch f.Kind {
		case metadata.String:
			v.Value, ok = w.str(p.val, p.key)
		case metadata.Bool:
			v.Value, ok = w.boolean(p.val, p.key)
		case metadata.Endpoint, metadata.Page:
			var str string
			if str, ok = w.str(p.val, p.key); ok {
				v.Value = str
				if err := checkURL(f.Kind, str); err != nil {
					w.errorf(p.val, "%s %v (%s)", p.key, err, f.Spec)
				}
			}
		case metadata.Strings:
			var list []string
			if list, v.Items, ok = w.strings(p.val, p.key); ok {
				v.Value = list
				if len(list) == 0 {
					w.warnf(p.kNode, "empty %s left out: arrays with zero elements are omitted (RFC 8414 §3.2)", p.key)
					continue
				}
			}
		case metadata.Endpoints:
			v.Value, v.Items, ok = s.decodeEndpoints(w, p.key, p.val, f)
		}
		if !ok {
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
func (s *Site) checkDerived(w *walker, p pair, v Value) {
	want := map[string]string{"issuer": s.Issuer, "jwks_uri": s.JWKSURI}[p.key]
	if got, _ := v.Value.(string); got != want {
		w.errorf(p.val, "%s is derived as %q; the value here disagrees", p.key, want)
		w.diags.Hint("remove %s from metadata; wellknown fills it in", p.key)
	}
}

func (s *Site) decodeEndpoints(w *walker, name string, n *yaml.Node, f metadata.Field) (any, []diag.Pos, bool) {
	pairs, ok := w.mapping(n, name)
	if !ok {
		return nil, nil, false
	}
	out := map[string]string{}
	var ps []diag.Pos
	for _, p := range pairs {
		v, good := w.str(p.val, name+"."+p.key)
		if !good {
			ok = false
			continue
		}
		if err := checkURL(metadata.Endpoint, v); err != nil {
			w.errorf(p.val, "%s.%s %v (%s)", name, p.key, err, f.Spec)
			ok = false
		}
		out[p.key] = v
		ps = append(ps, w.pos(p.kNode))
	}
	if len(out) == 0 {
		w.warnf(n, "empty %s left out", name)
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
