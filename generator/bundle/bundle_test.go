package bundle_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/bundle"
	"github.com/wellknown-dev/wellknown/generator/sign"
	"github.com/wellknown-dev/wellknown/generator/tree"
)

func TestWriteDeterministic(t *testing.T) {
	files, _ := signedSite(t)
	var a, b bytes.Buffer
	if err := bundle.Write(&a, files); err != nil {
		t.Fatal(err)
	}
	if err := bundle.Write(&b, maps.Clone(files)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two bundles of the same tree differ")
	}
	raw := a.Bytes()
	// gzip header: no FNAME/FCOMMENT flags, MTIME 0.
	if raw[3] != 0 || !bytes.Equal(raw[4:8], []byte{0, 0, 0, 0}) {
		t.Errorf("gzip header % x carries a name or mtime", raw[:10])
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if h.Typeflag != tar.TypeReg || h.Mode != 0o644 || h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" || h.ModTime.Unix() != 0 {
			t.Errorf("%s: header %+v is not normalised", h.Name, h)
		}
	}
	if len(names) != len(files) || !sortedStrings(names) {
		t.Errorf("members %v", names)
	}
}

func sortedStrings(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i-1] >= s[i] {
			return false
		}
	}
	return true
}

func TestImport(t *testing.T) {
	files, priv := signedSite(t)
	var buf bytes.Buffer
	if err := bundle.Write(&buf, files); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "site")
	for i := range 2 { // a fresh install, then a replacement
		rep, err := bundle.Import(bytes.NewReader(buf.Bytes()), dir, sign.VerifyOptions{Key: priv.Public()}, bundle.DefaultLimits)
		if err != nil {
			t.Fatalf("import %d: %v (%v)", i, err, rep)
		}
		got, problems, err := tree.Read(dir)
		if err != nil || len(problems) > 0 || !maps.EqualFunc(got, files, bytes.Equal) {
			t.Fatalf("import %d: installed tree differs (%v, %v)", i, err, problems)
		}
		assertNoLeftovers(t, dir)
	}
	if _, err := bundle.Import(bytes.NewReader(buf.Bytes()), dir, sign.VerifyOptions{}, bundle.DefaultLimits); err == nil {
		t.Error("import without a trusted key succeeded")
	}
}

// assertNoLeftovers: Install leaves no temporary directory beside dir.
func assertNoLeftovers(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != filepath.Base(dir) {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// tampers are the changes, applied to a bundle's files; each must be
// refused naming the file.
var tampers = []struct {
	name  string
	apply func(f map[string][]byte)
	names string
}{
	{"change one byte", func(f map[string][]byte) { f["jwks.json"] = []byte(`{"keys":{}}`) }, "jwks.json"},
	{"remove one", func(f map[string][]byte) { delete(f, "clients/app.json") }, "clients/app.json"},
	{"add one", func(f map[string][]byte) { f["clients/evil.json"] = []byte(`{}`) }, "clients/evil.json"},
	{"swap two signatures", func(f map[string][]byte) {
		a, b := sign.SignaturePath("jwks.json"), sign.SignaturePath("clients/app.json")
		f[a], f[b] = f[b], f[a]
	}, "jwks.json"},
	{"change the manifest", func(f map[string][]byte) { f[sign.ManifestPath] = append(f[sign.ManifestPath], "x"...) }, sign.ManifestPath},
}

func TestImportTampered(t *testing.T) {
	good, priv := signedSite(t)
	var buf bytes.Buffer
	if err := bundle.Write(&buf, good); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tampers {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "site")
			if _, err := bundle.Import(bytes.NewReader(buf.Bytes()), dir, sign.VerifyOptions{Key: priv.Public()}, bundle.DefaultLimits); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, dir)

			files := maps.Clone(good)
			tc.apply(files)
			var bad bytes.Buffer
			if err := bundle.Write(&bad, files); err != nil {
				t.Fatal(err)
			}
			rep, err := bundle.Import(&bad, dir, sign.VerifyOptions{Key: priv.Public()}, bundle.DefaultLimits)
			if !errors.Is(err, bundle.ErrRejected) {
				t.Fatalf("error %v, want rejection", err)
			}
			if rep == nil || !mentions(rep, tc.names) {
				t.Errorf("report does not name %s: %+v", tc.names, rep)
			}
			if after := snapshot(t, dir); after != before {
				t.Errorf("dir changed:\n%s\nwas:\n%s", after, before)
			}
			assertNoLeftovers(t, dir)
		})
	}
}

func mentions(r *sign.Report, path string) bool {
	for _, p := range r.Problems {
		if p.Path == path {
			return true
		}
	}
	return false
}

// snapshot lists every entry below dir with its mode, size, mtime and
// content, to compare a directory before and after.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		b.WriteString(p + " " + fi.Mode().String() + " " + fi.ModTime().String())
		if fi.Mode().IsRegular() {
			c, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			b.WriteString(" " + string(c))
		}
		b.WriteByte('\n')
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestReadRefuses(t *testing.T) {
	big := strings.Repeat("x", 2048)
	lim := bundle.Limits{MaxFileSize: 1024, MaxTotalSize: 1500, MaxFiles: 3}
	hdr := func(typ byte, name, link string) member {
		return member{tar.Header{Typeflag: typ, Name: name, Linkname: link, Mode: 0o644}, nil}
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"symlink", archive(t, hdr(tar.TypeSymlink, "jwks.json", "/etc/passwd")), `"jwks.json": symbolic link`},
		{"hard link", archive(t, reg("a", "1"), hdr(tar.TypeLink, "b", "a")), `"b": hard link`},
		{"char device", archive(t, hdr(tar.TypeChar, "dev", "")), "character device"},
		{"block device", archive(t, hdr(tar.TypeBlock, "dev", "")), "block device"},
		{"fifo", archive(t, hdr(tar.TypeFifo, "p", "")), "FIFO"},
		{"absolute", archive(t, reg("/etc/cron.d/x", "1")), "absolute"},
		{"traversal", archive(t, reg("../x", "1")), "leaves the tree"},
		{"inner traversal", archive(t, reg("a/../../x", "1")), "leaves the tree"},
		{"dir traversal", archive(t, hdr(tar.TypeDir, "../d/", "")), "leaves the tree"},
		{"unclean", archive(t, reg("a//b", "1")), "not clean"},
		{"duplicate", archive(t, reg("a", "1"), reg("a", "2")), `"a": appears twice`},
		{"duplicate via ./", archive(t, reg("a", "1"), reg("./a", "2")), "appears twice"},
		{"file and dir", archive(t, reg("a", "1"), reg("a/b", "2")), "is a file and the directory"},
		{"case clash", archive(t, reg("A", "1"), reg("a", "2")), "differ only in case"},
		{"oversized member", archive(t, reg("a", big)), `"a": 2048 bytes, more than the limit of 1024`},
		{"oversized total", archive(t, reg("a", big[:1000]), reg("b", big[:1000])), "add up to more than"},
		{"too many", archive(t, reg("a", ""), reg("b", ""), reg("c", ""), reg("d", "")), "more than 3 members"},
		{"not gzip", []byte("PK\x03\x04"), "not a gzip archive"},
		{"truncated", archive(t, reg("a", big[:1000]))[:60], ""},
		{"trailing data", trailing(archive(t, reg("a", "1"))), "after the end"},
		{"gzip bomb", bomb(t), "larger than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files, err := bundle.Read(bytes.NewReader(tc.data), lim)
			if err == nil {
				t.Fatalf("accepted: %v", files)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to mention %q", err, tc.want)
			}
		})
	}
}

// trailing appends non-zero bytes after the tar's end inside the gzip stream.
func trailing(gzTar []byte) []byte {
	zr, _ := gzip.NewReader(bytes.NewReader(gzTar))
	raw, _ := io.ReadAll(zr)
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	gz.Write(raw)
	gz.Write([]byte("junk"))
	gz.Close()
	return buf.Bytes()
}

// bomb is a small gzip stream of megabytes of zeros: valid tar padding, but
// more than the limits allow to decompress.
func bomb(t *testing.T) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	gz.Write(make([]byte, 64<<20))
	gz.Close()
	if buf.Len() > 1<<20 {
		t.Fatalf("bomb is %d bytes", buf.Len())
	}
	return buf.Bytes()
}

func TestReadAcceptsDirsAndDotSlash(t *testing.T) {
	// What `tar -C out -czf site.tar.gz .` makes: a "./" prefix and
	// directory members.
	data := archive(t,
		member{tar.Header{Typeflag: tar.TypeDir, Name: "./", Mode: 0o755}, nil},
		member{tar.Header{Typeflag: tar.TypeDir, Name: "./d/", Mode: 0o755}, nil},
		reg("./d/a", "1"))
	files, err := bundle.Read(bytes.NewReader(data), bundle.DefaultLimits)
	if err != nil || len(files) != 1 || string(files["d/a"]) != "1" {
		t.Fatalf("%v %v", files, err)
	}
}

func TestInstallRefuses(t *testing.T) {
	parent := t.TempDir()
	unrelated := filepath.Join(parent, "home")
	os.MkdirAll(unrelated, 0o755)
	os.WriteFile(filepath.Join(unrelated, "notes.txt"), []byte("mine"), 0o644)
	if err := bundle.Install(unrelated, map[string][]byte{"a": nil}); err == nil || !strings.Contains(err.Error(), "refusing to replace") {
		t.Errorf("replaced an unrelated directory: %v", err)
	}
	file := filepath.Join(parent, "file")
	os.WriteFile(file, nil, 0o644)
	if err := bundle.Install(file, map[string][]byte{"a": nil}); err == nil {
		t.Error("replaced a file")
	}
	if err := bundle.Install(filepath.Join(parent, "x"), map[string][]byte{"../a": nil}); err == nil {
		t.Error("installed ../a")
	}
	// An empty directory is fine.
	empty := filepath.Join(parent, "empty")
	os.Mkdir(empty, 0o755)
	if err := bundle.Install(empty, map[string][]byte{"a": []byte("1")}); err != nil {
		t.Error(err)
	}
}

// TestNoPrivateKeyInBundle: a bundle carries the public key only.
func TestNoPrivateKeyInBundle(t *testing.T) {
	files, priv := signedSite(t)
	var buf bytes.Buffer
	if err := bundle.Write(&buf, files); err != nil {
		t.Fatal(err)
	}
	zr, _ := gzip.NewReader(&buf)
	raw, _ := io.ReadAll(zr)
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	sec1, _ := x509.MarshalECPrivateKey(priv)
	scalar, _ := priv.Bytes()
	for _, secret := range [][]byte{der, sec1, scalar, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})} {
		if bytes.Contains(raw, secret) {
			t.Fatal("bundle holds the private key")
		}
	}
	if bytes.Contains(raw, []byte("PRIVATE KEY")) {
		t.Fatal("bundle holds a PEM private key")
	}
}
