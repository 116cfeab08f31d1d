package generator

import (
	"path/filepath"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/keyref"
	"github.com/wellknown-dev/wellknown/generator/keys"
	"github.com/wellknown-dev/wellknown/generator/sign"
)

// layout is the signature files site.yaml's signing.per_file asks for.
func layout(s config.Signing) sign.Layout {
	if s.PerFile {
		return sign.PerFile
	}
	return sign.ManifestOnly
}

// signingKey finds the key that file names among the published keys ks and
// checks that it can sign: active or next, use sig, private half present.
// file is a file of the key directory or a key reference (pkcs11:, KMS,
// env:), which joined ks in the keys phase. setting names the site.yaml
// setting that chose it, at its position.
func signingKey(ks []keys.Key, file, setting string, at diag.Pos, dir string, diags *diag.List) *keys.Key {
	ref := keyref.IsReference(file)
	if ref {
		file = keyref.Redact(file)
	}
	for i, k := range ks {
		if !names(k, file, ref) {
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
	if !ref {
		// A reference that did not open was reported when it was opened.
		diags.Errorf(at, "%s %s: no published key of that name in %s", setting, file, dir)
	}
	return nil
}

func names(k keys.Key, file string, ref bool) bool {
	if ref {
		return k.Ref == file
	}
	for _, f := range k.Files {
		if filepath.Base(f) == file {
			return true
		}
	}
	return false
}
