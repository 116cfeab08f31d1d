package sign_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/generator/manifest"
	"github.com/wellknown-dev/wellknown/generator/sign"
)

// manifestOnlyTree is site() signed by s in layout ManifestOnly.
func manifestOnlyTree(t testing.TB, s *sign.Signer, f manifest.Freshness) map[string][]byte {
	t.Helper()
	as := site()
	extra, err := sign.ManifestOnly.Artifacts(as, s, f)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, a := range append(as, extra...) {
		if _, dup := files[a.Path]; dup {
			t.Fatalf("%s produced twice", a.Path)
		}
		files[a.Path] = a.Body
	}
	return files
}

func TestManifestOnly(t *testing.T) {
	for _, k := range roundTripKeys(t) {
		t.Run(k.name, func(t *testing.T) {
			s := loadSigner(t, k)
			files := manifestOnlyTree(t, s, testFresh)
			var reserved []string
			for p := range files {
				if strings.HasPrefix(p, sign.Dir+"/") {
					reserved = append(reserved, p)
				}
			}
			slices.Sort(reserved)
			want := sign.ManifestOnly.Paths(nil)
			if !slices.Equal(reserved, want) {
				t.Fatalf("signing added %v, want %v", reserved, want)
			}
			m, err := manifest.Parse(files[sign.ManifestPath])
			if err != nil {
				t.Fatal(err)
			}
			// Every file but the manifest and its two signatures is listed.
			var listed []string
			for _, e := range m.Entries {
				listed = append(listed, e.Path)
			}
			var all []string
			for p := range files {
				if p != sign.ManifestPath && p != sign.ManifestSig && p != sign.ManifestBundle {
					all = append(all, p)
				}
			}
			slices.Sort(all)
			if !slices.Equal(listed, all) {
				t.Errorf("manifest lists %v, want %v", listed, all)
			}

			r := sign.Verify(files, sign.VerifyOptions{Key: k.priv.Public()})
			if r.Status() != sign.Valid {
				t.Fatalf("status %v, problems %v", r.Status(), r.Problems)
			}
			if r.Layout != sign.ManifestOnly {
				t.Errorf("layout %v, want manifest only", r.Layout)
			}
			if v := r.Verdict("out"); !strings.HasPrefix(v, "valid: out: ") || !strings.HasSuffix(v, "(no per-file signatures)") {
				t.Errorf("verdict %q", v)
			}
			if r := sign.Verify(signedTree(t, s), sign.VerifyOptions{Key: k.priv.Public()}); r.Layout != sign.PerFile || strings.Contains(r.Verdict("out"), "per-file") {
				t.Errorf("per-file tree: layout %v, verdict %q", r.Layout, r.Verdict("out"))
			}
		})
	}
}

// TestManifestOnlyTamper is TestTamper for a manifest-only tree: with no
// per-file signature, the manifest's digests alone must catch every change.
func TestManifestOnlyTamper(t *testing.T) {
	k := roundTripKeys(t)[0]
	s := loadSigner(t, k)
	for _, tc := range []Tamper{
		{"flip byte of document", func(f map[string][]byte) { flip(f, "jwks.json") }, []string{"jwks.json"}},
		{"flip byte of empty file", func(f map[string][]byte) { f["empty"] = []byte{0} }, []string{"empty"}},
		{"flip byte of public key", func(f map[string][]byte) { flip(f, sign.PublicKeyPath) }, []string{sign.PublicKeyPath}},
		{"flip byte of manifest", func(f map[string][]byte) { flip(f, sign.ManifestPath) }, []string{sign.ManifestSig}},
		{"flip byte of manifest signature", func(f map[string][]byte) { flip(f, sign.ManifestSig) }, []string{sign.ManifestSig}},
		{"flip byte of manifest bundle", func(f map[string][]byte) { flip(f, sign.ManifestBundle) }, []string{sign.ManifestBundle}},
		{"remove document", func(f map[string][]byte) { delete(f, "clients/app.json") }, []string{"clients/app.json"}},
		{"remove manifest", func(f map[string][]byte) { delete(f, sign.ManifestPath) }, []string{sign.ManifestPath}},
		{"remove manifest signature", func(f map[string][]byte) { delete(f, sign.ManifestSig) }, []string{sign.ManifestSig}},
		{"remove manifest bundle", func(f map[string][]byte) { delete(f, sign.ManifestBundle) }, []string{sign.ManifestBundle}},
		{"remove public key", func(f map[string][]byte) { delete(f, sign.PublicKeyPath) }, []string{sign.PublicKeyPath}},
		{"add file", func(f map[string][]byte) { f["clients/evil.json"] = []byte(`{}`) }, []string{"clients/evil.json"}},
		// A signature added after signing is extra, however valid: the
		// layout is what the manifest says.
		{"add valid signature", func(f map[string][]byte) {
			raw, err := s.Sign(f["jwks.json"])
			if err != nil {
				t.Fatal(err)
			}
			f[sign.SignaturePath("jwks.json")] = []byte(base64.StdEncoding.EncodeToString(raw))
		}, []string{sign.SignaturePath("jwks.json")}},
	} {
		t.Run(tc.Name, func(t *testing.T) {
			files := manifestOnlyTree(t, s, testFresh)
			tc.Apply(files)
			r := sign.Verify(files, sign.VerifyOptions{Key: k.priv.Public()})
			if r.Status() != sign.Invalid {
				t.Fatalf("status %v, want invalid", r.Status())
			}
			for _, p := range tc.Names {
				if !named(r.Problems, p) {
					t.Errorf("no problem names %s; got %v", p, r.Problems)
				}
			}
		})
	}
}

// TestDowngrade strips a per-file tree down to what a manifest-only tree
// holds: the manifest still lists the per-file signatures, so each one
// removed is reported, and the tree is invalid. Passing it off as a
// manifest-only tree would need a manifest that does not list them, which
// only the publisher's key can sign.
func TestDowngrade(t *testing.T) {
	k := roundTripKeys(t)[0]
	s := loadSigner(t, k)
	files := signedTree(t, s)
	removed := 0
	for p := range files {
		if _, ok := sign.SignedPath(p); ok {
			delete(files, p)
			removed++
		}
	}
	if removed != 2*len(site()) {
		t.Fatalf("removed %d per-file files, want %d", removed, 2*len(site()))
	}
	r := sign.Verify(files, sign.VerifyOptions{Key: k.priv.Public()})
	if r.Status() != sign.Invalid || r.Layout != sign.PerFile {
		t.Fatalf("status %v, layout %v; want invalid, per file", r.Status(), r.Layout)
	}
	for _, a := range site() {
		for _, p := range []string{sign.SignaturePath(a.Path), sign.BundlePath(a.Path)} {
			if !named(r.Problems, p) {
				t.Errorf("no problem names %s; got %v", p, r.Problems)
			}
		}
		// And the file itself says it has lost its signature.
		if !named(r.Problems, a.Path) {
			t.Errorf("no problem names %s; got %v", a.Path, r.Problems)
		}
	}

	// Removing only some of them is as bad: one listed signature makes
	// every file need its own.
	files = signedTree(t, s)
	delete(files, sign.SignaturePath("jwks.json"))
	delete(files, sign.BundlePath("jwks.json"))
	if r := sign.Verify(files, sign.VerifyOptions{Key: k.priv.Public()}); r.Status() != sign.Invalid || !named(r.Problems, "jwks.json") {
		t.Errorf("status %v, problems %v", r.Status(), r.Problems)
	}

	// Swapping in the manifest of a manifest-only build of the same files
	// is caught only if that manifest is older: it is a different,
	// genuinely signed tree, and the rollback rule is what refuses it.
	older := manifestOnlyTree(t, s, manifest.At(testFresh.Built().Add(-time.Hour), 30*24*time.Hour))
	cur := signedTree(t, s)
	r = sign.Verify(older, sign.VerifyOptions{Key: k.priv.Public(), Installed: cur[sign.ManifestPath]})
	if r.Status() != sign.Invalid || !named(r.Problems, sign.ManifestPath) {
		t.Errorf("older manifest-only tree over a per-file one: status %v, problems %v", r.Status(), r.Problems)
	}
}

func TestLayoutPaths(t *testing.T) {
	paths := []string{"jwks.json", ".well-known/openid-configuration"}
	if got, want := sign.PerFile.Paths(paths), sign.Paths(paths); !slices.Equal(got, want) {
		t.Errorf("PerFile.Paths %v, Paths %v", got, want)
	}
	got := sign.ManifestOnly.Paths(paths)
	if !slices.IsSorted(got) || len(got) != 4 {
		t.Errorf("ManifestOnly.Paths %v", got)
	}
	// The build plans the paths before signing; what signing makes must
	// be exactly that.
	s, err := sign.NewSigner(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize)))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []sign.Layout{sign.PerFile, sign.ManifestOnly} {
		as := site()
		var ps []string
		for _, a := range as {
			ps = append(ps, a.Path)
		}
		extra, err := l.Artifacts(as, s, testFresh)
		if err != nil {
			t.Fatal(err)
		}
		var made []string
		for _, a := range extra {
			made = append(made, a.Path)
		}
		if want := l.Paths(ps); !slices.Equal(made, want) {
			t.Errorf("%v: made %v, planned %v", l, made, want)
		}
	}
}

// TestGoldenManifestOnly pins the signing files of a manifest-only tree,
// as TestGolden does for a per-file one. The manifest differs from the
// per-file golden only by the lines it no longer has.
func TestGoldenManifestOnly(t *testing.T) {
	s, err := sign.NewSigner(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize)))
	if err != nil {
		t.Fatal(err)
	}
	files := manifestOnlyTree(t, s, fixedFresh)
	dir := filepath.Join("testdata", "golden-manifest-only")
	got := map[string][]byte{}
	for p, b := range files {
		if strings.HasPrefix(p, sign.Dir+"/") {
			got[p] = b
		}
	}
	if *update {
		os.RemoveAll(dir)
		for p, b := range got {
			golden := filepath.Join(dir, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := map[string][]byte{}
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		want[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !slices.Equal(slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want))) {
		t.Fatalf("signing files %v, golden %v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}
	for p, b := range got {
		if !bytes.Equal(b, want[p]) {
			t.Errorf("%s differs from %s:\n%s", p, filepath.Join(dir, p), b)
		}
	}
	// Same key, same files, same clock: the manifest is the per-file one
	// less its signature lines.
	perFile, err := os.ReadFile(filepath.Join("testdata", "golden", filepath.FromSlash(sign.ManifestPath)))
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, line := range strings.SplitAfter(string(perFile), "\n") {
		if !strings.Contains(line, "  "+sign.FileSigDir+"/") && !strings.Contains(line, "  "+sign.BundleDir+"/") {
			kept = append(kept, line)
		}
	}
	if strings.Join(kept, "") != string(got[sign.ManifestPath]) {
		t.Errorf("manifest-only manifest is not the per-file one less its signature lines:\n%s", got[sign.ManifestPath])
	}
}

// TestManifestOnlySize: what the size hint promises is the size a
// manifest-only build of the same files has.
func TestManifestOnlySize(t *testing.T) {
	s := goldenSigner(t)
	perFile := treeAt(t, s, fixedFresh, site())[sign.ManifestPath]
	only := manifestOnlyTree(t, s, fixedFresh)[sign.ManifestPath]
	if n, ok := sign.ManifestOnlySize(perFile); !ok || n != len(only) {
		t.Errorf("ManifestOnlySize of the per-file manifest = %d, %v; the manifest-only one is %d bytes", n, ok, len(only))
	}
	if n, ok := sign.ManifestOnlySize(only); ok || n != len(only) {
		t.Errorf("ManifestOnlySize of a manifest-only manifest = %d, %v; want %d, false", n, ok, len(only))
	}
}

func goldenSigner(t testing.TB) *sign.Signer {
	t.Helper()
	s, err := sign.NewSigner(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSignatureCost(t *testing.T) {
	for _, k := range roundTripKeys(t) {
		d, costly := sign.SignatureCost(k.priv.Public())
		if rsa := strings.HasPrefix(k.name, "RSA"); costly != rsa || (rsa && d < 100*time.Microsecond) {
			t.Errorf("%s: %v, %v", k.name, d, costly)
		}
	}
	// Sizes between the measured ones scale with the cube of the modulus
	// from the one below, and never fall under it.
	small := must(rsa.GenerateKey(rand.Reader, 2048))
	d2048, _ := sign.SignatureCost(&small.PublicKey)
	big := must(rsa.GenerateKey(rand.Reader, 2560))
	d2560, _ := sign.SignatureCost(&big.PublicKey)
	if want := time.Duration(float64(d2048) * 1.25 * 1.25 * 1.25); d2560 != want {
		t.Errorf("RSA-2560: %v, want %v", d2560, want)
	}
}
