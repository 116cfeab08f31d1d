package keys

import (
	"crypto"
	"sort"

	"github.com/go-jose/go-jose/v4"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
)

// A Reference is a signing key that site.yaml names by reference (a pkcs11:
// URI, a KMS URI, env:NAME) rather than as a file of the key directory: only
// its signer is at hand, never its private half.
type Reference struct {
	Name   string // the reference as messages show it, without a PIN
	Signer crypto.Signer
	Pos    diag.Pos // where site.yaml names it
}

// attach makes each reference a key of the set. A file of the directory that
// holds the same public key (a public key or a certificate, for x5c and
// site.yaml settings) is that key and gets the reference's signer;
// otherwise the key is published from the signer's public key alone, active,
// for signing, with its RFC 7638 thumbprint as kid.
func attach(ks []Key, refs []Reference, diags *diag.List) []Key {
	for _, r := range refs {
		pub := r.Signer.Public()
		if err := checkKeyType(pub); err != nil {
			diags.Errorf(r.Pos, "%s: %v", r.Name, err)
			continue
		}
		tp, err := thumbprint(pub)
		if err != nil {
			diags.Errorf(r.Pos, "%s: cannot compute the key's thumbprint: %v", r.Name, err)
			continue
		}
		found := false
		for i := range ks {
			if ks[i].Thumbprint == tp {
				ks[i].Signer, ks[i].Ref, found = r.Signer, r.Name, true
				break
			}
		}
		if found {
			continue
		}
		alg := defaultAlg(pub, "sig")
		ks = append(ks, Key{
			Files:      []string{r.Name},
			JWK:        jose.JSONWebKey{Key: pub, KeyID: tp, Algorithm: alg, Use: "sig"},
			Thumbprint: tp,
			State:      config.Active,
			Signer:     r.Signer,
			Ref:        r.Name,
		})
	}
	sort.SliceStable(ks, func(i, j int) bool {
		if a, b := stateOrder(ks[i].State), stateOrder(ks[j].State); a != b {
			return a < b
		}
		return ks[i].File() < ks[j].File()
	})
	return ks
}
