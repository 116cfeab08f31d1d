package generator

import (
	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/keys"
	"github.com/wellknown-dev/wellknown/generator/placement"
	"github.com/wellknown-dev/wellknown/generator/resource"
)

// renderResources renders the protected resources' metadata (RFC 9728).
// signed_metadata is signed with a key of the attesting issuer's key set.
func renderResources(site *config.Site, sets map[*config.Site]*keySet, diags *diag.List) ([]artifact.Artifact, []placement.Claim) {
	var as []artifact.Artifact
	var claims []placement.Claim
	for i := range site.Resources {
		r := &site.Resources[i]
		var signer *keys.Key
		if sm := r.SignedMetadata; sm != nil && sm.Issuer != nil {
			set := sets[sm.Issuer]
			if set == nil || !set.ok {
				continue
			}
			if signer = signingKey(set.keys, sm.Key, "signed_metadata.key", r.Where("signed_metadata.key"), sm.Issuer.KeyDir, diags); signer == nil {
				continue
			}
		}
		a, d := resource.Render(site.BaseURL, r, signer)
		diags.Merge(d)
		if d.HasErrors() {
			continue
		}
		as = append(as, a)
		claims = append(claims, placement.Claim{Path: a.Path, Owner: "resource " + r.ID, Pos: r.Where("resource"), What: "its metadata"})
	}
	return as, claims
}
