package sign_test

import (
	"bytes"
	"crypto/ed25519"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/sign"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestGolden pins the bytes of the signing files for a fixed Ed25519 key
// (deterministic) and freshness, so a change to the manifest or bundle
// encoding shows in review. Regenerate with go test ./generator/sign -update.
func TestGolden(t *testing.T) {
	s, err := sign.NewSigner(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize)))
	if err != nil {
		t.Fatal(err)
	}
	files := treeAt(t, s, fixedFresh, site())
	for _, p := range []string{sign.ManifestPath, sign.ManifestBundle, sign.BundlePath("jwks.json"), sign.SignaturePath("jwks.json"), sign.PublicKeyPath} {
		golden := filepath.Join("testdata", "golden", filepath.FromSlash(p))
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, files[p], 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update)", err)
		}
		if !bytes.Equal(files[p], want) {
			t.Errorf("%s differs from %s:\n%s", p, golden, files[p])
		}
	}
}
