package sign_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/sign"
	"github.com/wellknown-dev/wellknown/generator/tree"
)

// cosignBinary finds the cosign that TestCosignVerifyBlob runs: $WELLKNOWN_COSIGN,
// else cosign on PATH. .ci/install-cosign.sh installs a pinned one and prints
// its path. In CI (CI=true) a missing cosign fails the test: the interop
// claim must not silently go untested.
func cosignBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("WELLKNOWN_COSIGN"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("WELLKNOWN_COSIGN: %v", err)
		}
		return p
	}
	if p, err := exec.LookPath("cosign"); err == nil {
		return p
	}
	const hint = "install it with: export WELLKNOWN_COSIGN=\"$(bash .ci/install-cosign.sh | tail -n1)\""
	if os.Getenv("CI") == "true" {
		t.Fatal("cosign not found (WELLKNOWN_COSIGN unset, not on PATH) and CI=true; " + hint)
	}
	t.Skip("cosign not found; " + hint)
	return ""
}

// TestCosignVerifyBlob runs the real `cosign verify-blob`, offline, on what
// Artifacts publishes, exactly as the package documentation tells users to:
// every per-file signature and the manifest's, for every key type. A
// tampered file must then fail, so a cosign that accepts anything cannot
// pass the test.
func TestCosignVerifyBlob(t *testing.T) {
	cosign := cosignBinary(t)
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
			verify := func(path string) (string, error) {
				cmd := exec.Command(cosign, "verify-blob",
					"--key", trusted,
					"--signature", filepath.FromSlash(sigFor(path)),
					"--insecure-ignore-tlog=true",
					filepath.FromSlash(path))
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
				if out, err := verify(p); err != nil || !strings.Contains(out, "Verified OK") {
					t.Errorf("cosign verify-blob %s: %v\n%s", p, err, out)
				}
			}
			if n != len(site())+1 {
				t.Errorf("checked %d files, want %d", n, len(site())+1)
			}

			flip(files, "jwks.json")
			if err := os.WriteFile(filepath.Join(dir, "jwks.json"), files["jwks.json"], 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := verify("jwks.json"); err == nil {
				t.Errorf("cosign accepted a tampered file:\n%s", out)
			}
		})
	}
}

func sigFor(path string) string {
	if path == sign.ManifestPath {
		return sign.ManifestSig
	}
	return sign.SignaturePath(path)
}
