package sign_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/sign"
	"github.com/wellknown-dev/wellknown/generator/tree"
	"github.com/wellknown-dev/wellknown/internal/peers"
)

// TestCosignVerifyBlob runs the real `cosign verify-blob`, offline, on what
// Artifacts publishes, exactly as the package documentation tells users to:
// every per-file signature and the manifest's, for every key type. A
// tampered file must then fail, so a cosign that accepts anything cannot
// pass the test.
func TestCosignVerifyBlob(t *testing.T) {
	cosign := peers.Cosign(t)
	for _, k := range roundTripKeys(t) {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			files := signedTree(t, loadSigner(t, k))
			dir := t.TempDir()
			if err := tree.Write(dir, files); err != nil {
				t.Fatal(err)
			}
			// The trusted key comes from outside the tree.
			trusted := filepath.Join(t.TempDir(), "publisher.pub")
			if err := os.WriteFile(trusted, files[sign.PublicKeyPath], 0o644); err != nil {
				t.Fatal(err)
			}
			verify := func(path string, bundle bool) (string, error) {
				args := []string{"verify-blob", "--key", trusted}
				if bundle {
					args = append(args, "--bundle", filepath.FromSlash(bundleFor(path)))
				} else {
					args = append(args, "--signature", filepath.FromSlash(sigFor(path)))
				}
				args = append(args, "--insecure-ignore-tlog=true", filepath.FromSlash(path))
				cmd := exec.Command(cosign, args...)
				cmd.Dir = dir
				// Keep cosign's state (~/.sigstore) out of the real home.
				cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "TUF_ROOT="+t.TempDir())
				out, err := cmd.CombinedOutput()
				return string(out), err
			}
			n := 0
			for p := range files {
				if strings.HasPrefix(p, sign.Dir+"/") && p != sign.ManifestPath {
					continue
				}
				n++
				for _, bundle := range []bool{false, true} {
					if out, err := verify(p, bundle); err != nil || !strings.Contains(out, "Verified OK") {
						t.Errorf("cosign verify-blob %s (bundle %v): %v\n%s", p, bundle, err, out)
					} else if bundle && strings.Contains(strings.ReplaceAll(out, tlogWarning, ""), "WARNING") {
						// Only the warning --insecure-ignore-tlog asks
						// for; --signature adds a deprecation warning.
						t.Errorf("cosign verify-blob --bundle %s warns:\n%s", p, out)
					}
				}
			}
			if n != len(site())+1 {
				t.Errorf("checked %d files, want %d", n, len(site())+1)
			}

			flip(files, "jwks.json")
			if err := os.WriteFile(filepath.Join(dir, "jwks.json"), files["jwks.json"], 0o644); err != nil {
				t.Fatal(err)
			}
			for _, bundle := range []bool{false, true} {
				if out, err := verify("jwks.json", bundle); err == nil {
					t.Errorf("cosign accepted a tampered file (bundle %v):\n%s", bundle, out)
				}
			}
		})
	}
}

// tlogWarning is what cosign prints for --insecure-ignore-tlog=true.
const tlogWarning = "WARNING: Skipping tlog verification is an insecure practice that lacks transparency and auditability verification for the blob."

func sigFor(path string) string {
	if path == sign.ManifestPath {
		return sign.ManifestSig
	}
	return sign.SignaturePath(path)
}

func bundleFor(path string) string {
	if path == sign.ManifestPath {
		return sign.ManifestBundle
	}
	return sign.BundlePath(path)
}
