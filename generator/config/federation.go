package config

import (
	"slices"
	"time"

	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/internal/yamlwalk"
	"github.com/wellknown-dev/wellknown/generator/metadata"
)

// DefaultStatementLifetime is how long an entity configuration is valid
// after its build: a day, so that a published statement expires soon after
// the site stops being rebuilt.
const DefaultStatementLifetime = 24 * time.Hour

// Federation is the site's OpenID Federation entity: an issuer of the site
// that publishes an entity configuration, signed with federation keys kept
// apart from its protocol keys.
type Federation struct {
	Issuer     *Site  // the entity: its identifier is the issuer's
	KeyDir     string // the federation keys, relative to the site's Dir
	Keys       []KeySettings
	SigningKey string        // a file in KeyDir; empty for the only active key
	Lifetime   time.Duration // exp - iat
	// AuthorityHints are the entity's superiors; nil for a trust anchor.
	AuthorityHints []string
	// Entity is the federation_entity metadata, in file order.
	Entity []Value
	// RegistrationTypes is client_registration_types_supported of an
	// OpenID provider (OpenID Federation §5.1.3).
	RegistrationTypes []string
	Pos               diag.Pos
	pos               map[string]diag.Pos
}

// Where returns the position of a federation setting, or of federation:.
func (f *Federation) Where(name string) diag.Pos {
	if p, ok := f.pos[name]; ok {
		return p
	}
	return f.Pos
}

// EntityFields are the federation_entity metadata names wellknown accepts
// (OpenID Federation §5.1.1, §5.2.2).
var EntityFields = []metadata.Field{
	{Name: "organization_name", Kind: metadata.String, Spec: "OpenID Federation §5.2.2"},
	{Name: "contacts", Kind: metadata.Strings, Spec: "OpenID Federation §5.2.2"},
	{Name: "logo_uri", Kind: metadata.Page, Spec: "OpenID Federation §5.2.2"},
	{Name: "policy_uri", Kind: metadata.Page, Spec: "OpenID Federation §5.2.2"},
	{Name: "information_uri", Kind: metadata.Page, Spec: "OpenID Federation §5.2.2"},
	{Name: "organization_uri", Kind: metadata.Page, Spec: "OpenID Federation §5.2.2"},
}

var federationFields = []string{"entity_id", "key_dir", "keys", "signing_key", "lifetime", "authority_hints", "federation_entity", "client_registration_types_supported"}

func (s *Site) decodeFederation(w *yamlwalk.Walker, p yamlwalk.Pair) {
	fields, ok := w.Mapping(p.Val, "federation")
	if !ok {
		return
	}
	f := &Federation{Lifetime: DefaultStatementLifetime, Pos: w.Pos(p.KNode), pos: map[string]diag.Pos{}}
	var entityID string
	for _, kv := range fields {
		f.pos[kv.Key] = w.Pos(kv.Val)
		switch kv.Key {
		case "entity_id":
			entityID, _ = w.Str(kv.Val, "federation.entity_id")
		case "key_dir":
			if f.KeyDir, _ = w.Str(kv.Val, "federation.key_dir"); f.KeyDir == s.KeyDir {
				w.Errorf(kv.Val, "federation.key_dir must not be the protocol key directory: federation keys only sign entity statements (OpenID Federation §1.2)")
			}
		case "keys":
			tmp := &Site{pos: map[string]diag.Pos{}}
			tmp.decodeKeys(w, kv.Val)
			f.Keys = tmp.Keys
		case "signing_key":
			f.SigningKey, _ = w.Str(kv.Val, "federation.signing_key")
		case "lifetime":
			if d, ok := w.Duration(kv.Val, "federation.lifetime"); ok {
				if d <= 0 {
					w.Errorf(kv.Val, "federation.lifetime must be positive")
				}
				f.Lifetime = d
			}
		case "authority_hints":
			var items []diag.Pos
			var ok bool
			if f.AuthorityHints, items, ok = w.Strings(kv.Val, "authority_hints"); ok && len(f.AuthorityHints) == 0 {
				w.Errorf(kv.Val, "authority_hints must not be empty; leave it out for a trust anchor (OpenID Federation §3.1.1)")
			}
			for i, h := range f.AuthorityHints {
				if _, err := parseHTTPS(h); err != nil {
					w.Diags.Errorf(items[i], "authority hint %v (OpenID Federation §3.1.1)", err)
				}
			}
		case "federation_entity":
			pairs, ok := w.Mapping(kv.Val, "federation_entity")
			if !ok {
				continue
			}
			names := make([]string, len(EntityFields))
			for i, ef := range EntityFields {
				names[i] = ef.Name
			}
			for _, e := range pairs {
				i := slices.Index(names, e.Key)
				if i < 0 {
					w.Unknown(e, " in federation_entity", names)
					continue
				}
				if v, ok := decodeValue(w, e, EntityFields[i]); ok {
					f.Entity = append(f.Entity, v)
				}
			}
		case "client_registration_types_supported":
			f.RegistrationTypes, _, _ = w.Strings(kv.Val, "client_registration_types_supported")
			for _, t := range f.RegistrationTypes {
				if t != "automatic" && t != "explicit" {
					w.Errorf(kv.Val, "client registration type %q is neither automatic nor explicit (OpenID Federation §5.1.3)", t)
				}
			}
		default:
			w.Unknown(kv, " in federation", federationFields)
		}
	}
	if f.KeyDir == "" {
		w.Errorf(p.KNode, "federation.key_dir is required: the directory of the federation keys, which sign the entity configuration")
	}
	switch {
	case entityID != "":
		var ok bool
		if f.Issuer, ok = s.IssuerNamed(entityID); !ok {
			w.Diags.Errorf(f.Where("entity_id"), "federation.entity_id %s is not an issuer of this site", entityID)
			return
		}
	case len(s.Issuers) == 1:
		f.Issuer = s.Issuers[0]
	default:
		w.Errorf(p.KNode, "federation.entity_id is required with several issuers: the issuer that is the federation entity")
		return
	}
	s.Federation = f
}
