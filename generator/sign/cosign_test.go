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

// TestCosignManifestOnly checks a manifest-only tree (signing.per_file:
// false) the way the README tells users to: the real cosign verify-blob on
// the manifest, with its bundle and with its .sig, then sha256sum -c for
// every file the manifest lists. A tampered manifest must fail cosign, and a
// tampered file sha256sum.
func TestCosignManifestOnly(t *testing.T) {
	cosign := peers.Cosign(t)
	sha256sum, err := exec.LookPath("sha256sum")
	if err != nil {
		t.Skip("sha256sum (GNU coreutils) not installed")
	}
	for _, k := range roundTripKeys(t) {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			files := manifestOnlyTree(t, loadSigner(t, k), testFresh)
			dir := t.TempDir()
			if err := tree.Write(dir, files); err != nil {
				t.Fatal(err)
			}
			trusted := filepath.Join(t.TempDir(), "publisher.pub")
			if err := os.WriteFile(trusted, files[sign.PublicKeyPath], 0o644); err != nil {
				t.Fatal(err)
			}
			run := func(name string, args ...string) (string, error) {
				cmd := exec.Command(name, args...)
				cmd.Dir = dir
				cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "TUF_ROOT="+t.TempDir())
				out, err := cmd.CombinedOutput()
				return string(out), err
			}
			verify := func() {
				t.Helper()
				for _, with := range [][]string{{"--bundle", sign.ManifestBundle}, {"--signature", sign.ManifestSig}} {
					args := append([]string{"verify-blob", "--key", trusted, "--insecure-ignore-tlog=true"}, with...)
					if out, err := run(cosign, append(args, sign.ManifestPath)...); err != nil || !strings.Contains(out, "Verified OK") {
						t.Errorf("cosign verify-blob %s: %v\n%s", with[0], err, out)
					}
				}
			}
			verify()
			out, err := run(sha256sum, "--strict", "-c", sign.ManifestPath)
			if err != nil {
				t.Fatalf("sha256sum -c: %v\n%s", err, out)
			}
			if n := strings.Count(out, ": OK\n"); n != len(site())+1 {
				t.Errorf("sha256sum checked %d files, want %d:\n%s", n, len(site())+1, out)
			}

			if err := os.WriteFile(filepath.Join(dir, "jwks.json"), []byte(`{"keys":[{}]}`), 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := run(sha256sum, "--strict", "-c", sign.ManifestPath); err == nil || !strings.Contains(out, "jwks.json: FAILED") {
				t.Errorf("sha256sum accepted a tampered file: %v\n%s", err, out)
			}
			flip(files, sign.ManifestPath)
			if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(sign.ManifestPath)), files[sign.ManifestPath], 0o644); err != nil {
				t.Fatal(err)
			}
			for _, with := range []string{"--bundle", "--signature"} {
				sig := sign.ManifestBundle
				if with == "--signature" {
					sig = sign.ManifestSig
				}
				if out, err := run(cosign, "verify-blob", "--key", trusted, "--insecure-ignore-tlog=true", with, sig, sign.ManifestPath); err == nil {
					t.Errorf("cosign accepted a tampered manifest (%s):\n%s", with, out)
				}
			}
		})
	}
}
