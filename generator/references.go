package generator

import (
	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/keyref"
	"github.com/wellknown-dev/wellknown/generator/keys"
)

// references are the signing keys site.yaml names by reference
// (signed_metadata.key or federation.signing_key set to a pkcs11: URI, a KMS
// URI or env:NAME), opened once each for the whole build.
type references struct {
	byOwner map[*config.Site][]keys.Reference // by the site whose key directory they join
	fed     []keys.Reference
	opened  map[string]*keyref.Key
}

// openReferences opens every key reference of site.yaml. A reference that
// does not open is an error at its setting, naming it without its PIN.
func openReferences(site *config.Site, o Options, diags *diag.List) *references {
	r := &references{byOwner: map[*config.Site][]keys.Reference{}, opened: map[string]*keyref.Key{}}
	open := func(ref, setting string, at diag.Pos) (keys.Reference, bool) {
		k, ok := r.opened[ref]
		if !ok {
			var err error
			if k, err = keyref.Open(ref, keyref.Options{Getenv: o.Getenv}); err != nil {
				diags.Errorf(at, "%s: %v", setting, err)
				if keyref.KindOf(ref) == keyref.PKCS11 {
					diags.Hint("check the token with: pkcs11-tool --module MODULE --list-objects --login")
				}
				r.opened[ref] = nil
				return keys.Reference{}, false
			}
			r.opened[ref] = k
		}
		if k == nil {
			return keys.Reference{}, false
		}
		return keys.Reference{Name: k.Ref, Signer: k.Signer, Pos: at}, true
	}
	owner := func(iss *config.Site) *config.Site {
		if iss.SharedKeys {
			return site
		}
		return iss
	}
	add := func(iss *config.Site, ref string, at diag.Pos) {
		if kr, ok := open(ref, "signed_metadata.key", at); ok {
			o := owner(iss)
			r.byOwner[o] = append(r.byOwner[o], kr)
		}
	}
	for _, iss := range site.Issuers {
		if sm := iss.SignedMetadata; sm != nil && keyref.IsReference(sm.Key) {
			add(iss, sm.Key, iss.Where("signed_metadata.key"))
		}
	}
	for i := range site.Resources {
		res := &site.Resources[i]
		if sm := res.SignedMetadata; sm != nil && sm.Issuer != nil && keyref.IsReference(sm.Key) {
			add(sm.Issuer, sm.Key, res.Where("signed_metadata.key"))
		}
	}
	if f := site.Federation; f != nil && keyref.IsReference(f.SigningKey) {
		if kr, ok := open(f.SigningKey, "federation.signing_key", f.Where("signing_key")); ok {
			r.fed = append(r.fed, kr)
		}
	}
	return r
}

// Close ends the token sessions and KMS clients.
func (r *references) Close() {
	for _, k := range r.opened {
		k.Close()
	}
}
