package config

import (
	"net/url"
	"path"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/internal/yamlwalk"
)

// extensions are the settings beyond one authorization server: several
// issuers, protected resources (RFC 9728) and an OpenID Federation entity
// configuration. They live in their own files so that the single-issuer
// schema in config.go reads as it always has.
type extensions struct {
	// Issuers are the authorization servers the site publishes, in file
	// order. In the single-issuer form it holds the Site itself; with an
	// issuers: list, one Site per entry, each sharing File, Dir, BaseURL
	// and Cache with the site. Render from these, never from the top-level
	// Site's issuer fields, which are empty in the list form.
	Issuers []*Site
	// SharedKeys is set on an issuer that publishes the site's key set (the
	// top-level key_dir, keys and jwks_path) rather than its own key_dir.
	SharedKeys bool
	// Resources are the protected resources (RFC 9728), in file order.
	Resources []Resource
	// Federation, when set, adds an OpenID Federation entity configuration.
	Federation *Federation

	parent *Site    // the site of an issuers entry
	entry  diag.Pos // where an issuers entry starts
}

// Entry is where an issuer is declared: its issuers entry, or the issuer
// setting of a single-issuer site.
func (s *Site) Entry() diag.Pos {
	if s.parent != nil {
		return s.entry
	}
	return s.Where("issuer")
}

// IssuerNamed returns the site's issuer with identifier id.
func (s *Site) IssuerNamed(id string) (*Site, bool) {
	for _, iss := range s.Issuers {
		if iss.Issuer == id {
			return iss, true
		}
	}
	return nil, false
}

// multi reports whether the site uses the issuers: list.
func (s *Site) multi() bool {
	_, ok := s.pos["issuers"]
	return ok && s.parent == nil
}

// issuerOnly are the top-level settings that describe one issuer; with an
// issuers: list they go in its entries.
var issuerOnly = []string{"issuer", "openid", "endpoints", "metadata", "signed_metadata"}

var entryFields = []string{"issuer", "openid", "endpoints", "jwks_path", "key_dir", "keys", "metadata", "signed_metadata"}

// decodeExtensions decodes issuers first, since resources and federation
// name issuers.
func (s *Site) decodeExtensions(w *yamlwalk.Walker, root *yaml.Node, ext []yamlwalk.Pair) {
	if s.parent != nil {
		return
	}
	if !s.multi() {
		s.Issuers = []*Site{s}
		s.SharedKeys = true
	}
	for _, key := range []string{"issuers", "resources", "federation"} {
		for _, p := range ext {
			if p.Key != key {
				continue
			}
			switch key {
			case "issuers":
				s.decodeIssuers(w, p)
			case "resources":
				s.decodeResources(w, p)
			case "federation":
				s.decodeFederation(w, p)
			}
		}
	}
}

func (s *Site) decodeIssuers(w *yamlwalk.Walker, p yamlwalk.Pair) {
	for _, name := range issuerOnly {
		if at, ok := s.pos[name]; ok {
			w.Diags.Errorf(at, "%s goes in each entry of issuers, not at the top level", name)
		}
	}
	n := w.Resolve(p.Val)
	if n == nil {
		return
	}
	if n.Kind != yaml.SequenceNode {
		w.Errorf(p.Val, "issuers must be a list of issuer entries, not %s", yamlwalk.Describe(n))
		return
	}
	if len(n.Content) == 0 {
		w.Errorf(p.Val, "issuers must list at least one issuer")
		return
	}
	if _, written := s.pos["base_url"]; !written {
		// The site is served at the first issuer's origin unless base_url
		// says otherwise, as in the single-issuer form.
		if u, err := url.Parse(scalar(w, n.Content[0], "issuer")); err == nil && checkIssuer(u.String()) == nil {
			s.BaseURL = &url.URL{Scheme: u.Scheme, Host: u.Host}
			s.JWKSURI = joinURL(s.BaseURL, s.JWKSPath)
		}
	}
	first := map[string]diag.Pos{}
	for _, item := range n.Content {
		iss := s.decodeIssuer(w, item)
		if iss == nil || iss.Issuer == "" {
			continue
		}
		if at, dup := first[iss.Issuer]; dup {
			w.Diags.Errorf(iss.Where("issuer"), "issuer %s is already listed at %s", iss.Issuer, at)
			continue
		}
		first[iss.Issuer] = iss.Where("issuer")
		s.Issuers = append(s.Issuers, iss)
	}
}

// decodeIssuer decodes one issuers entry with the single-issuer schema, so
// that an entry reads, and is checked, exactly like a one-issuer site.
func (s *Site) decodeIssuer(w *yamlwalk.Walker, item *yaml.Node) *Site {
	pairs, ok := w.Mapping(item, "issuers entry")
	if !ok {
		return nil
	}
	iss := &Site{File: s.File, Dir: s.Dir, OpenID: true, Endpoints: true, BaseURL: s.BaseURL, Cache: s.Cache,
		TokenLifetime: s.TokenLifetime, Clients: s.Clients,
		KeyDir: s.KeyDir, JWKSPath: s.JWKSPath, pos: map[string]diag.Pos{}}
	iss.parent = s
	iss.entry = w.Pos(item)
	entry := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: item.Line, Column: item.Column}
	var keysPair, dirPair, jwksPair *yamlwalk.Pair
	for i, f := range pairs {
		switch f.Key {
		case "key_dir":
			dirPair = &pairs[i]
		case "keys":
			keysPair = &pairs[i]
		case "jwks_path":
			jwksPair = &pairs[i]
		case "issuer", "openid", "endpoints", "metadata", "signed_metadata":
		case "base_url", "cache", "issuers", "resources", "federation":
			w.Errorf(f.KNode, "%s is a site setting: write it at the top level, not in an issuers entry", f.Key)
			continue
		default:
			w.Unknown(f, " in issuers entry", entryFields)
			continue
		}
		entry.Content = append(entry.Content, f.KNode, f.Val)
	}
	iss.SharedKeys = dirPair == nil
	switch {
	case iss.SharedKeys && keysPair != nil:
		w.Errorf(keysPair.KNode, "keys in an issuers entry need its own key_dir; without key_dir the issuer publishes the site's shared keys")
		w.Diags.Hint("set key settings of the shared keys at the top level, or give this issuer a key_dir")
	case iss.SharedKeys && jwksPair != nil:
		w.Errorf(jwksPair.KNode, "jwks_path in an issuers entry needs its own key_dir; this issuer publishes the site's shared keys at /%s", s.JWKSPath)
	case !iss.SharedKeys && jwksPair == nil:
		// An issuer's own key set goes below the issuer by default, where
		// it cannot collide with another issuer's.
		if p, ok := sitePath(s.BaseURL, strings.TrimSuffix(scalar(w, item, "issuer"), "/")+"/jwks.json"); ok {
			iss.JWKSPath = p
		}
	}
	iss.decode(w, entry)
	if iss.SharedKeys {
		iss.KeyDir, iss.Keys = s.KeyDir, nil
	}
	for _, name := range []string{"issuer", "metadata", "signed_metadata.key", "base_url", "jwks_path"} {
		if _, ok := iss.pos[name]; ok {
			continue
		}
		if at, ok := s.pos[name]; ok && (name == "base_url" || name == "jwks_path" && iss.SharedKeys) {
			iss.pos[name] = at
		} else {
			iss.pos[name] = iss.entry
		}
	}
	return iss
}

// scalar returns the string value of field in the mapping n, or "".
func scalar(w *yamlwalk.Walker, n *yaml.Node, field string) string {
	if n = w.Resolve(n); n == nil || n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == field && n.Content[i+1].Kind == yaml.ScalarNode {
			return n.Content[i+1].Value
		}
	}
	return ""
}

// joinURL returns the URL of the file at p below base.
func joinURL(base *url.URL, p string) string {
	u := *base
	u.Path = path.Join(u.Path, p)
	if !strings.HasPrefix(u.Path, "/") {
		u.Path = "/" + u.Path
	}
	return u.String()
}

// sitePath returns the path of target below the site root base.
func sitePath(base *url.URL, target string) (string, bool) {
	t, err := url.Parse(target)
	if base == nil || err != nil || !strings.EqualFold(t.Scheme, base.Scheme) || !strings.EqualFold(t.Host, base.Host) {
		return "", false
	}
	rel, ok := strings.CutPrefix(t.Path, strings.TrimSuffix(base.Path, "/")+"/")
	return rel, ok && rel != ""
}
