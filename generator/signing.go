package generator

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/keyref"
	"github.com/wellknown-dev/wellknown/generator/keys"
	"github.com/wellknown-dev/wellknown/generator/sign"
)

// signingLayout is the signature files site.yaml's signing.per_file asks for.
func signingLayout(s config.Signing) sign.Layout {
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
			// A clone of a site whose keys generate wrote: the private half
			// stayed out of git, as it should.
			diags.Hint("put the private key beside it as %s.key (git ignores it), or name the signer by reference (%s: env:NAME, a KMS or pkcs11: URI), as a CI job does",
				strings.TrimSuffix(file, filepath.Ext(file)), setting)
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

// noteSigningCost says what per-file signing costs when an RSA key signs
// more than sign.CostlyFiles files, and what is cheaper. A note, not a
// warning: the tree is right, only slow to build, and --strict must not
// fail a site whose policy requires RSA.
func noteSigningCost(as []artifact.Artifact, signer *sign.Signer, site *config.Site, diags *diag.List) {
	if signer == nil {
		return
	}
	per, costly := sign.SignatureCost(signer.Public())
	if !costly {
		return
	}
	n := 0
	for _, a := range as {
		if strings.HasPrefix(a.Path, sign.FileSigDir+"/") {
			n++
		}
	}
	if n <= sign.CostlyFiles {
		return
	}
	at := diag.Pos{Path: signer.Ref()}
	if at.Path == "" {
		at = site.Where("signing.per_file")
	}
	p256, ed := sign.CheapCosts()
	diags.Notef(at, "per-file signing with this %s key costs about %s of CPU per file, %s for these %d files (P-256: %s, Ed25519: %s per file)",
		keys.Desc(signer.Public()), ms(per), seconds(time.Duration(n)*per), n, ms(p256), ms(ed))
	diags.Hint("sign with an ECDSA P-256 or Ed25519 key (see docs/signing.md), or set signing.per_file: false in site.yaml to sign only the manifest, which still covers every file")
}

// ms formats a short duration in milliseconds, as "1.3 ms" or "0.03 ms".
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	if v >= 1 {
		return fmt.Sprintf("%.1f ms", v)
	}
	return fmt.Sprintf("%.2f ms", v)
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }
