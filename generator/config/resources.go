package config

import (
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/internal/yamlwalk"
	"github.com/wellknown-dev/wellknown/generator/metadata"
)

// Resource is a protected resource whose metadata (RFC 9728) the site
// publishes.
type Resource struct {
	ID string // the resource identifier, as written
	// Fields are the RFC 9728 §2 values besides resource, in file order.
	// Names may carry a language tag (resource_name#de).
	Fields []Value
	// SignedMetadata, when set, adds an RFC 9728 §2.2 signed_metadata JWT.
	SignedMetadata *ResourceSigning
	Pos            diag.Pos // of the entry

	pos map[string]diag.Pos
}

// ResourceSigning says who attests a resource's signed_metadata: an issuer
// of the site, with a key of its key set, so that a client verifies the JWT
// with the keys at that issuer's jwks_uri.
type ResourceSigning struct {
	Key    string // a file name in the issuer's key directory
	Issuer *Site
	Pos    diag.Pos
}

// Where returns the position of a field of the resource, or of the entry.
func (r *Resource) Where(name string) diag.Pos {
	if p, ok := r.pos[name]; ok {
		return p
	}
	return r.Pos
}

// Lookup returns the value of the field called name.
func (r *Resource) Lookup(name string) (Value, bool) {
	for _, v := range r.Fields {
		if v.Field.Name == name {
			return v, true
		}
	}
	return Value{}, false
}

// ResourceFields are the RFC 9728 §2 metadata names, in the order documents
// list them.
var ResourceFields = []metadata.Field{
	{Name: "resource", Kind: metadata.String, Spec: "RFC 9728 §2"},
	{Name: "authorization_servers", Kind: metadata.Strings, Spec: "RFC 9728 §2"},
	{Name: "jwks_uri", Kind: metadata.Endpoint, Spec: "RFC 9728 §2"},
	{Name: "scopes_supported", Kind: metadata.Strings, Spec: "RFC 9728 §2"},
	{Name: "bearer_methods_supported", Kind: metadata.Strings, Spec: "RFC 9728 §2"},
	{Name: "resource_signing_alg_values_supported", Kind: metadata.Strings, Spec: "RFC 9728 §2"},
	{Name: "resource_name", Kind: metadata.String, Spec: "RFC 9728 §2"},
	{Name: "resource_documentation", Kind: metadata.Page, Spec: "RFC 9728 §2"},
	{Name: "resource_policy_uri", Kind: metadata.Page, Spec: "RFC 9728 §2"},
	{Name: "resource_tos_uri", Kind: metadata.Page, Spec: "RFC 9728 §2"},
	{Name: "tls_client_certificate_bound_access_tokens", Kind: metadata.Bool, Spec: "RFC 9728 §2"},
	{Name: "authorization_details_types_supported", Kind: metadata.Strings, Spec: "RFC 9728 §2"},
	{Name: "dpop_signing_alg_values_supported", Kind: metadata.Strings, Spec: "RFC 9728 §2"},
	{Name: "dpop_bound_access_tokens_required", Kind: metadata.Bool, Spec: "RFC 9728 §2"},
}

// localized are the human-readable fields, which may also be written with a
// language tag (RFC 9728 §2.1).
var localized = []string{"resource_name", "resource_documentation", "resource_policy_uri", "resource_tos_uri"}

func resourceField(name string) (metadata.Field, bool) {
	base, tag, tagged := strings.Cut(name, "#")
	if tagged && (tag == "" || !slices.Contains(localized, base)) {
		return metadata.Field{}, false
	}
	for _, f := range ResourceFields {
		if f.Name == base {
			f.Name = name
			return f, true
		}
	}
	return metadata.Field{}, false
}

func (s *Site) decodeResources(w *yamlwalk.Walker, p yamlwalk.Pair) {
	n := w.Resolve(p.Val)
	if n == nil {
		return
	}
	if n.Kind != yaml.SequenceNode {
		w.Errorf(p.Val, "resources must be a list of resource entries, not %s", yamlwalk.Describe(n))
		return
	}
	first := map[string]diag.Pos{}
	for _, item := range n.Content {
		r := s.decodeResource(w, item)
		if r == nil {
			continue
		}
		if at, dup := first[r.ID]; dup {
			w.Diags.Errorf(r.Where("resource"), "resource %s is already listed at %s", r.ID, at)
			continue
		}
		first[r.ID] = r.Where("resource")
		s.Resources = append(s.Resources, *r)
	}
}

func (s *Site) decodeResource(w *yamlwalk.Walker, item *yaml.Node) *Resource {
	pairs, ok := w.Mapping(item, "resources entry")
	if !ok {
		return nil
	}
	r := &Resource{Pos: w.Pos(item), pos: map[string]diag.Pos{}}
	names := []string{"signed_metadata"}
	for _, f := range ResourceFields {
		names = append(names, f.Name)
	}
	var signing *yamlwalk.Pair
	for i, p := range pairs {
		r.pos[p.Key] = w.Pos(p.KNode)
		if p.Key == "signed_metadata" {
			signing = &pairs[i]
			continue
		}
		f, known := resourceField(p.Key)
		if !known {
			w.Unknown(p, " in resources entry", names)
			continue
		}
		v, ok := decodeValue(w, p, f)
		if !ok {
			continue
		}
		if f.Name == "resource" {
			r.ID = v.Value.(string)
			if u, err := parseHTTPS(r.ID); err != nil {
				w.Errorf(p.Val, "resource %v (RFC 9728 §2)", err)
			} else if u.RawQuery != "" || u.ForceQuery {
				w.Errorf(p.Val, "resource has a query, which a static file cannot answer for (RFC 9728 §2 prefers none)")
			} else if err := checkServedPath(r.ID); err != nil {
				w.Errorf(p.Val, "resource %v", err)
			}
			continue
		}
		s.checkResourceValue(w, p, v)
		r.Fields = append(r.Fields, v)
	}
	if r.ID == "" {
		if _, written := r.pos["resource"]; !written {
			w.Errorf(item, "resource is required: the identifier clients use for the protected resource (RFC 9728 §2)")
		}
		return nil
	}
	if signing != nil {
		r.SignedMetadata = s.decodeResourceSigning(w, *signing, r)
	}
	return r
}

// decodeValue reads one value by its kind, checking URLs.
func decodeValue(w *yamlwalk.Walker, p yamlwalk.Pair, f metadata.Field) (Value, bool) {
	v := Value{Field: f, Pos: w.Pos(p.KNode)}
	var ok bool
	switch f.Kind {
	case metadata.Bool:
		v.Value, ok = w.Bool(p.Val, p.Key)
	case metadata.Strings:
		var list []string
		if list, v.Items, ok = w.Strings(p.Val, p.Key); ok {
			v.Value = list
			if len(list) == 0 {
				w.Warnf(p.KNode, "empty %s left out: arrays with zero elements are omitted", p.Key)
				ok = false
			}
		}
	default:
		var str string
		if str, ok = w.Str(p.Val, p.Key); ok {
			v.Value = str
			if f.Kind == metadata.Endpoint || f.Kind == metadata.Page {
				if err := checkURL(f.Kind, str); err != nil {
					w.Errorf(p.Val, "%s %v (%s)", p.Key, err, f.Spec)
					ok = false
				}
			}
		}
	}
	return v, ok
}

func (s *Site) checkResourceValue(w *yamlwalk.Walker, p yamlwalk.Pair, v Value) {
	list, _ := v.Value.([]string)
	for i, item := range list {
		at := v.Items[i]
		switch p.Key {
		case "authorization_servers":
			// An issuer the site publishes, or another one's identifier.
			if _, ours := s.IssuerNamed(item); !ours {
				if err := checkIssuer(item); err != nil {
					w.Diags.Errorf(at, "authorization server %v (RFC 9728 §2, RFC 8414 §2)", err)
				}
			}
		case "bearer_methods_supported":
			if item != "header" && item != "body" && item != "query" {
				w.Diags.Errorf(at, "bearer method %q is not header, body or query (RFC 9728 §2, RFC 6750 §2)", item)
			}
		case "resource_signing_alg_values_supported", "dpop_signing_alg_values_supported":
			if item == "none" {
				w.Diags.Errorf(at, "%s must not list none (RFC 9728 §2)", p.Key)
			}
		}
	}
}

// decodeResourceSigning reads signed_metadata: {key: FILE, issuer: URL}.
// The issuer defaults to the first authorization server that is an issuer
// of the site.
func (s *Site) decodeResourceSigning(w *yamlwalk.Walker, p yamlwalk.Pair, r *Resource) *ResourceSigning {
	fields, ok := w.Mapping(p.Val, "signed_metadata")
	if !ok {
		return nil
	}
	rs := &ResourceSigning{Pos: w.Pos(p.KNode)}
	var issuer string
	var issuerNode *yaml.Node
	for _, f := range fields {
		r.pos["signed_metadata."+f.Key] = w.Pos(f.Val)
		switch f.Key {
		case "key":
			rs.Key, _ = w.Str(f.Val, "signed_metadata.key")
		case "issuer":
			issuer, _ = w.Str(f.Val, "signed_metadata.issuer")
			issuerNode = f.Val
		default:
			w.Unknown(f, " in signed_metadata", []string{"key", "issuer"})
		}
	}
	if rs.Key == "" {
		w.Errorf(p.KNode, "signed_metadata.key is required: the key file whose private key signs the metadata")
		return nil
	}
	if issuerNode == nil {
		if as, ok := r.Lookup("authorization_servers"); ok {
			for _, id := range as.Value.([]string) {
				if iss, ours := s.IssuerNamed(id); ours {
					rs.Issuer = iss
					break
				}
			}
		}
		if rs.Issuer == nil {
			w.Errorf(p.KNode, "signed_metadata.issuer is required: none of authorization_servers is an issuer of this site (RFC 9728 §2.2)")
			w.Diags.Hint("the signer is the iss of the JWT; clients verify it with that issuer's keys")
		}
		return rs
	}
	if rs.Issuer, ok = s.IssuerNamed(issuer); !ok {
		w.Errorf(issuerNode, "signed_metadata.issuer %s is not an issuer of this site", issuer)
	}
	return rs
}
