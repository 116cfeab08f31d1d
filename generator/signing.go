package generator

import (
	"path/filepath"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/keys"
)

// signingKey finds the key in file among the published keys ks and checks
// that it can sign: active or next, use sig, private half present. setting
// names the site.yaml setting that chose it, at its position.
func signingKey(ks []keys.Key, file, setting string, at diag.Pos, dir string, diags *diag.List) *keys.Key {
	for i, k := range ks {
		for _, f := range k.Files {
			if filepath.Base(f) != file {
				continue
			}
			switch {
			case k.State == config.Retired:
				diags.Errorf(at, "%s %s is retired; sign with an active key", setting, file)
			case k.JWK.Use != "sig":
				diags.Errorf(at, "%s %s has use %q; signing needs use sig", setting, file, k.JWK.Use)
			case k.Signer == nil:
				diags.Errorf(at, "%s %s holds only a public key; signing needs its private key in the key directory", setting, file)
			default:
				return &ks[i]
			}
			return nil
		}
	}
	diags.Errorf(at, "%s %s: no published key of that name in %s", setting, file, dir)
	return nil
}
