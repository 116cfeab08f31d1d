package generator_test

import (
	"crypto/elliptic"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/publish"
	"github.com/wellknown-dev/wellknown/generator/sign"
	"github.com/wellknown-dev/wellknown/internal/peers"
	tk "github.com/wellknown-dev/wellknown/internal/testkeys"
)

// TestCosignVerifiesBuild signs the example site with a P-256 key through
// the real build and has the real `cosign verify-blob` check every published
// file against its signature, and the manifest against its own, offline, as
// the README tells users to.
func TestCosignVerifiesBuild(t *testing.T) {
	cosign := peers.Cosign(t)
	dir := t.TempDir()
	keyPath := tk.Write(t, dir, "publisher.key", tk.PKCS8(t, tk.EC(t, elliptic.P256())))
	signer, err := sign.LoadSigner(keyPath, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	res, err := generator.Build(generator.Options{Config: "../site.yaml", Now: clock, Getenv: func(string) string { return "" }, Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if err := publish.Write(out, res.Artifacts); err != nil {
		t.Fatal(err)
	}
	trusted := tk.Write(t, dir, "trusted.pub", signer.PublicKeyPEM())
	blobs := []string{sign.ManifestPath, sign.ManifestPath}
	sigs := []string{sign.ManifestSig, sign.ManifestBundle}
	for _, a := range res.Artifacts {
		if !strings.HasPrefix(a.Path, sign.Dir+"/") {
			blobs = append(blobs, a.Path, a.Path)
			sigs = append(sigs, sign.SignaturePath(a.Path), sign.BundlePath(a.Path))
		}
	}
	if len(blobs) < 10 {
		t.Fatalf("only %d files to check", len(blobs))
	}
	// Each file twice: with its .sig, and with its Sigstore bundle.
	verify := func(blob, sig string) ([]byte, error) {
		flag := "--signature"
		if strings.HasSuffix(sig, sign.BundleSuffix) {
			flag = "--bundle"
		}
		cmd := exec.Command(cosign, "verify-blob", "--key", trusted, "--insecure-ignore-tlog=true",
			flag, filepath.Join(out, sig), filepath.Join(out, blob))
		cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "TUF_ROOT="+t.TempDir())
		return cmd.CombinedOutput()
	}
	for i, blob := range blobs {
		if b, err := verify(blob, sigs[i]); err != nil {
			t.Errorf("cosign verify-blob %s: %v\n%s", blob, err, b)
		}
	}
	// cosign must refuse a changed file, or the checks above prove nothing.
	if err := os.WriteFile(filepath.Join(out, "jwks.json"), []byte(`{"keys":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := verify("jwks.json", sign.SignaturePath("jwks.json")); err == nil {
		t.Error("cosign accepted a changed jwks.json")
	}
	if _, err := verify("jwks.json", sign.BundlePath("jwks.json")); err == nil {
		t.Error("cosign accepted a changed jwks.json with its bundle")
	}
}
