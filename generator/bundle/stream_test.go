package bundle_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/bundle"
	"github.com/wellknown-dev/wellknown/generator/sign"
)

// Everything the gzip stream inflates to counts against MaxInflated, not
// only member contents: PAX records and the zero padding after the end of
// the archive too.
func TestReadCountsHeadersAndPadding(t *testing.T) {
	lim := bundle.Limits{MaxFileSize: 1024, MaxTotalSize: 1500, MaxFiles: 3, MaxInflated: 16 << 10}
	pax := member{tar.Header{Typeflag: tar.TypeReg, Name: "a", Mode: 0o644, Size: 1, Format: tar.FormatPAX,
		PAXRecords: map[string]string{"comment": strings.Repeat("x", 32<<10)}}, []byte("1")}
	padded := func(n int) []byte {
		raw := inflate(t, archive(t, reg("a", "1")))
		return deflate(t, append(raw, make([]byte, n)...))
	}
	for _, tc := range []struct {
		name string
		data []byte
		ok   bool
	}{
		{"PAX records", archive(t, pax), false},
		{"padding within the limit", padded(4 << 10), true},
		{"padding past the limit", padded(16 << 10), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files, err := bundle.Read(bytes.NewReader(tc.data), lim)
			if tc.ok {
				if err != nil || string(files["a"]) != "1" {
					t.Fatalf("Read = %q, %v", files, err)
				}
				return
			}
			var le *bundle.LimitError
			if !errors.As(err, &le) {
				t.Fatalf("Read = %v, want a *LimitError", err)
			}
			if msg := err.Error(); !strings.Contains(msg, "larger than the limit of 16384 bytes") || !strings.Contains(msg, "hint:") {
				t.Errorf("error %q should name the limit and say what to do", msg)
			}
		})
	}
}

// An archive bigger than what a spool keeps in memory goes through a
// temporary file, which is gone afterwards, whether Read accepts the archive
// or refuses it.
func TestReadSpoolsToDisk(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	a := bytes.Repeat([]byte("abcdefgh"), 1<<19) // 4 MiB
	b := bytes.Repeat([]byte("12345678"), 1<<18) // 2 MiB
	data := archive(t, reg("a", string(a)), reg("b", string(b)))
	files, err := bundle.Read(bytes.NewReader(data), bundle.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(files["a"], a) || !bytes.Equal(files["b"], b) || len(files) != 2 {
		t.Fatalf("read back %d files, not what was written", len(files))
	}
	lim := bundle.DefaultLimits
	lim.MaxTotalSize = 5 << 20
	if _, err := bundle.Read(bytes.NewReader(data), lim); err == nil || !strings.Contains(err.Error(), "add up to more than the limit of 5 MiB") {
		t.Fatalf("Read past MaxTotalSize = %v", err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) > 0 {
		t.Errorf("left behind in TMPDIR: %v", entries)
	}
}

func inflate(t *testing.T, gz []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func deflate(t *testing.T, raw []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	if _, err := gz.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// largeSite is a signed tree too large for the spool's memory, signed by
// priv.
func largeSite(t *testing.T, priv *ecdsa.PrivateKey) map[string][]byte {
	t.Helper()
	s, err := sign.NewSigner(priv)
	if err != nil {
		t.Fatal(err)
	}
	as := []artifact.Artifact{
		{Path: "jwks.json", Body: []byte(`{"keys":[]}`)},
		{Path: "clients/big.json", Body: bytes.Repeat([]byte(" "), 6<<20)},
	}
	extra, err := sign.Artifacts(as, s, testFresh)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, a := range append(as, extra...) {
		files[a.Path] = a.Body
	}
	return files
}

// An archive past the spool's memory has its manifest's signature checked
// before its files are read back: a valid one installs as any other, one
// signed by another key or unsigned is refused on that alone.
func TestImportLargeChecksSignatureFirst(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	trusted, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	bundleOf := func(files map[string][]byte) []byte {
		var buf bytes.Buffer
		if err := bundle.Write(&buf, files); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	opts := sign.VerifyOptions{Key: trusted.Public()}

	dir := filepath.Join(t.TempDir(), "site")
	good := largeSite(t, trusted)
	rep, err := bundle.Import(bytes.NewReader(bundleOf(good)), dir, opts, bundle.DefaultLimits)
	if err != nil || rep.Status() != sign.Valid || rep.Files != len(good) {
		t.Fatalf("valid large bundle: %v, %+v", err, rep)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "clients", "big.json")); err != nil || !bytes.Equal(b, good["clients/big.json"]) {
		t.Fatalf("installed big.json: %d bytes, %v", len(b), err)
	}

	rep, err = bundle.Import(bytes.NewReader(bundleOf(largeSite(t, other))), dir, opts, bundle.DefaultLimits)
	if !errors.Is(err, bundle.ErrRejected) || rep == nil {
		t.Fatalf("signed by another key: %v, %v", err, rep)
	}
	var paths []string
	for _, p := range rep.Problems {
		paths = append(paths, p.Path)
	}
	if want := []string{sign.ManifestSig, sign.PublicKeyPath}; !slices.Equal(paths, want) {
		t.Errorf("signed by another key: problems %v, want on %v only", rep.Problems, want)
	}

	unsigned := map[string][]byte{"clients/big.json": good["clients/big.json"]}
	rep, err = bundle.Import(bytes.NewReader(bundleOf(unsigned)), dir, opts, bundle.DefaultLimits)
	if !errors.Is(err, bundle.ErrRejected) || rep == nil || rep.Status() != sign.Unsigned {
		t.Fatalf("unsigned: %v, %+v", err, rep)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "clients", "big.json")); !bytes.Equal(b, good["clients/big.json"]) {
		t.Error("a refused import changed the tree")
	}
}
