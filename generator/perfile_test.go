package generator_test

import (
	"bytes"
	"crypto/ed25519"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/hosting"
	"github.com/wellknown-dev/wellknown/generator/publish"
	"github.com/wellknown-dev/wellknown/generator/sign"
	"github.com/wellknown-dev/wellknown/internal/peers"
)

// exampleSite copies the example site (site.yaml, keys/, clients/) into a
// temporary directory, appends extra to its site.yaml, and returns the
// path of that site.yaml.
func exampleSite(t testing.TB, extra string) string {
	t.Helper()
	dir := t.TempDir()
	site, err := os.ReadFile("../site.yaml")
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(dir, "site.yaml"), string(site)+extra)
	copyDir(t, "../keys", filepath.Join(dir, "keys"))
	copyDir(t, "../clients", filepath.Join(dir, "clients"))
	return filepath.Join(dir, "site.yaml")
}

// goldenSigner is a fixed Ed25519 key, so a signed tree can be pinned byte
// for byte.
func goldenSigner(t testing.TB) *sign.Signer {
	t.Helper()
	s, err := sign.NewSigner(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestManifestOnlyGolden pins the whole tree of the example site signed
// with signing.per_file: false, headers included: only the publisher key,
// the manifest and its signature and bundle under signatures/, and no
// _headers rule for the per-file directories.
func TestManifestOnlyGolden(t *testing.T) {
	cfg := exampleSite(t, "\nsigning:\n  per_file: false\n")
	res, err := generator.Build(generator.Options{Config: cfg, Now: clock, Getenv: func(string) string { return "" }, Signer: goldenSigner(t)})
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, res, filepath.Join("testdata", "golden", "example-manifest-only"))

	var sigs []string
	for _, a := range res.Artifacts {
		if strings.HasPrefix(a.Path, sign.Dir+"/") {
			sigs = append(sigs, a.Path)
		}
	}
	if want := sign.ManifestOnly.Paths(nil); strings.Join(sigs, " ") != strings.Join(want, " ") {
		t.Errorf("signatures/ holds %v, want %v", sigs, want)
	}
	headers := artifactAt(t, res.Artifacts, hosting.HeadersFile)
	if bytes.Contains(headers, []byte(sign.FileSigDir)) || bytes.Contains(headers, []byte(sign.BundleDir)) {
		t.Errorf("_headers has rules for per-file signatures:\n%s", headers)
	}

	// Everything outside signatures/ and _headers (which lists the
	// signature files' rules) is what the per-file build publishes.
	perFile, err := generator.Build(generator.Options{Config: exampleSite(t, ""), Now: clock, Getenv: func(string) string { return "" }, Signer: goldenSigner(t)})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{}
	for _, a := range perFile.Artifacts {
		if !strings.HasPrefix(a.Path, sign.Dir+"/") && a.Path != hosting.HeadersFile {
			want[a.Path] = a.Body
		}
	}
	n := 0
	for _, a := range res.Artifacts {
		if strings.HasPrefix(a.Path, sign.Dir+"/") || a.Path == hosting.HeadersFile {
			continue
		}
		n++
		if b, ok := want[a.Path]; !ok || !bytes.Equal(b, a.Body) {
			t.Errorf("%s differs from the per-file build", a.Path)
		}
	}
	if n != len(want) {
		t.Errorf("%d files outside signatures/, the per-file build has %d", n, len(want))
	}

	files := map[string][]byte{}
	for _, a := range res.Artifacts {
		files[a.Path] = a.Body
	}
	r := sign.Verify(files, sign.VerifyOptions{Key: goldenSigner(t).Public(), Now: clock})
	if r.Status() != sign.Valid || r.Layout != sign.ManifestOnly {
		t.Errorf("verify: %s, layout %v, problems %v", r.Status(), r.Layout, r.Problems)
	}
}

// TestCosignVerifiesManifestOnlyBuild is TestCosignVerifiesBuild for a
// manifest-only build: the real cosign checks the manifest, and sha256sum
// every file against it.
func TestCosignVerifiesManifestOnlyBuild(t *testing.T) {
	cosign := peers.Cosign(t)
	sha256sum, err := exec.LookPath("sha256sum")
	if err != nil {
		t.Skip("sha256sum (GNU coreutils) not installed")
	}
	signer := goldenSigner(t)
	res, err := generator.Build(generator.Options{Config: exampleSite(t, "\nsigning: {per_file: false}\n"), Now: clock, Getenv: func(string) string { return "" }, Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	if err := publish.Write(out, res.Artifacts); err != nil {
		t.Fatal(err)
	}
	trusted := filepath.Join(dir, "trusted.pub")
	if err := os.WriteFile(trusted, signer.PublicKeyPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, sig := range []string{sign.ManifestBundle, sign.ManifestSig} {
		flag := "--signature"
		if sig == sign.ManifestBundle {
			flag = "--bundle"
		}
		cmd := exec.Command(cosign, "verify-blob", "--key", trusted, "--insecure-ignore-tlog=true", flag, filepath.Join(out, sig), filepath.Join(out, sign.ManifestPath))
		cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "TUF_ROOT="+t.TempDir())
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("cosign verify-blob %s %s: %v\n%s", flag, sign.ManifestPath, err, b)
		}
	}
	cmd := exec.Command(sha256sum, "--strict", "-c", sign.ManifestPath)
	cmd.Dir = out
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, b)
	}
	if n := bytes.Count(b, []byte(": OK\n")); n != len(res.Artifacts)-3 {
		t.Errorf("sha256sum checked %d files, want %d", n, len(res.Artifacts)-3)
	}
}
