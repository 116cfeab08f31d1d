package generator_test

import (
	"bytes"
	"crypto/elliptic"
	"fmt"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/sign"
	tk "github.com/wellknown-dev/wellknown/internal/testkeys"
)

// TestManifestFreshness: the signed manifest's version is the build clock
// and its expiry the clock plus signing.expires_after, so two builds at one
// clock give the same bytes and a later clock a higher version.
func TestManifestFreshness(t *testing.T) {
	config, _ := testSite(t, "https://login.example.com")
	appendFile(t, config, "signing:\n  expires_after: 7d\n")
	key := tk.Write(t, t.TempDir(), "publisher.key", tk.PKCS8(t, tk.EC(t, elliptic.P256())))
	signer, err := sign.LoadSigner(key, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	manifestAt := func(now time.Time) []byte {
		res, err := generator.Build(generator.Options{Config: config, Now: now, Getenv: func(string) string { return "" }, Signer: signer})
		if err != nil {
			t.Fatal(err)
		}
		return artifactAt(t, res.Artifacts, sign.ManifestPath)
	}
	m := manifestAt(clock)
	want := fmt.Sprintf("# version: %d\n# expires: %s\n", clock.Unix(), clock.Add(7*24*time.Hour).UTC().Format(time.RFC3339))
	if !bytes.HasPrefix(m, []byte(want)) {
		t.Fatalf("manifest starts\n%.120s\nwant\n%s", m, want)
	}
	if again := manifestAt(clock); !bytes.Equal(again, m) {
		t.Error("two builds at one clock differ")
	}
	later := manifestAt(clock.Add(time.Second))
	if !bytes.HasPrefix(later, fmt.Appendf(nil, "# version: %d\n", clock.Unix()+1)) {
		t.Errorf("a build a second later starts %.40q", later)
	}
}
