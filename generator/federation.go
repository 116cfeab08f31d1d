package generator

import (
	"path/filepath"
	"time"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/discovery"
	"github.com/wellknown-dev/wellknown/generator/federation"
	"github.com/wellknown-dev/wellknown/generator/jsonout"
	"github.com/wellknown-dev/wellknown/generator/keys"
	"github.com/wellknown-dev/wellknown/generator/placement"
)

// federationKeys runs the keys phase for the federation keys, a directory
// apart from the protocol keys.
func federationKeys(site *config.Site, o Options, refs *references, diags *diag.List) []keys.Key {
	f := site.Federation
	if f == nil || f.KeyDir == "" {
		return nil
	}
	ks, d := keys.Load(keys.Options{
		References: refs.fed,
		Dir:        site.Resolve(f.KeyDir),
		Display:    filepath.ToSlash(site.Resolve(f.KeyDir)),
		DirPos:     f.Where("key_dir"),
		Settings:   f.Keys,
		Password: func() ([]byte, bool) {
			v := o.Getenv(keys.PasswordEnv)
			return []byte(v), v != ""
		},
		Now:       o.Now,
		KidScheme: site.KidScheme,
	})
	diags.Merge(d)
	if len(ks) == 0 && !d.HasErrors() {
		diags.Errorf(f.Where("key_dir"), "federation.key_dir %s holds no key: the entity configuration needs a signing key", f.KeyDir)
	}
	return ks
}

// renderFederation signs the entity configuration of the site's federation
// entity, valid from the build's clock for the configured lifetime.
func renderFederation(site *config.Site, fks []keys.Key, now time.Time, diags *diag.List) ([]artifact.Artifact, []placement.Claim) {
	f := site.Federation
	if f == nil || len(fks) == 0 {
		return nil, nil
	}
	iss := f.Issuer
	signer := federationSigner(f, fks, diags)
	loc := federation.Location(iss.Issuer)
	p, ok := discovery.SitePath(site.BaseURL, loc)
	if !ok {
		diags.Errorf(f.Where("entity_id"), "the entity configuration of %s cannot be published: %s is outside base_url %s", iss.Issuer, loc, site.BaseURL)
	}
	if signer == nil || !ok {
		return nil, nil
	}

	var md jsonout.Object
	doc := discovery.Document(iss)
	if iss.OpenID {
		if f.RegistrationTypes != nil {
			doc.Set("client_registration_types_supported", f.RegistrationTypes)
		} else {
			diags.Warnf(f.Pos, "client_registration_types_supported is missing: an OpenID provider in a federation states it (OpenID Federation §5.1.3)")
			diags.Hint("add client_registration_types_supported: [automatic] under federation")
		}
		md.Set(federation.OpenIDProvider, doc)
	} else {
		md.Set(federation.AuthorizationServer, doc)
	}
	// Relying parties registered in clients/ add their openid_relying_party
	// metadata here, when the client phase provides it.
	if len(f.Entity) > 0 {
		var fe jsonout.Object
		for _, v := range f.Entity {
			fe.Set(v.Field.Name, v.Value)
		}
		md.Set(federation.FederationEntityMetadata, fe)
	}
	jwt, err := federation.Statement{
		EntityID: iss.Issuer, Keys: fks, Signer: *signer,
		IssuedAt: now, Lifetime: f.Lifetime,
		Metadata: md, AuthorityHints: f.AuthorityHints,
	}.Sign()
	if err != nil {
		diags.Errorf(f.Where("signing_key"), "cannot sign the entity configuration with %s: %v", signer.File(), err)
		return nil, nil
	}
	a := artifact.Artifact{Path: p, Body: []byte(jwt)}
	return []artifact.Artifact{a}, []placement.Claim{{Path: p, Owner: "the federation entity " + iss.Issuer, Pos: f.Pos, What: "its entity configuration"}}
}

// federationSigner is signing_key, or the only active signing key.
func federationSigner(f *config.Federation, fks []keys.Key, diags *diag.List) *keys.Key {
	if f.SigningKey != "" {
		return signingKey(fks, f.SigningKey, "federation.signing_key", f.Where("signing_key"), f.KeyDir, diags)
	}
	var found *keys.Key
	for i, k := range fks {
		if k.State == config.Active && k.JWK.Use == "sig" && k.Signer != nil {
			if found != nil {
				diags.Errorf(f.Pos, "federation.signing_key is required: %s holds several active signing keys", f.KeyDir)
				return nil
			}
			found = &fks[i]
		}
	}
	if found == nil {
		diags.Errorf(f.Where("key_dir"), "federation.key_dir %s holds no active signing key with its private half", f.KeyDir)
	}
	return found
}
