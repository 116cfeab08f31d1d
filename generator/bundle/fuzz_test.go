package bundle_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/bundle"
	"github.com/wellknown-dev/wellknown/generator/manifest"
)

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the fuzz seed corpus in testdata/fuzz/FuzzRead")

// FuzzRead: no input makes Read panic, whatever Read accepts is installable,
// and installing it writes nothing outside the target directory.
func FuzzRead(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	lim := bundle.Limits{MaxFileSize: 1 << 16, MaxTotalSize: 1 << 20, MaxFiles: 64}
	f.Fuzz(func(t *testing.T, data []byte) {
		files, err := bundle.Read(bytes.NewReader(data), lim)
		if err != nil {
			return
		}
		for p := range files {
			if err := manifest.CheckPath(p); err != nil || !filepath.IsLocal(p) {
				t.Fatalf("Read accepted path %q: %v", p, err)
			}
		}
		sandbox := t.TempDir()
		dir := filepath.Join(sandbox, "site")
		if err := bundle.Install(dir, files); err != nil {
			t.Fatalf("Read accepted what Install refuses: %v", err)
		}
		n := 0
		err = filepath.WalkDir(sandbox, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if p != sandbox && p != dir && !strings.HasPrefix(p, dir+string(filepath.Separator)) {
				return fmt.Errorf("written outside the target: %s", p)
			}
			switch {
			case d.Type().IsRegular():
				n++
			case !d.IsDir():
				return fmt.Errorf("%s: not a regular file (%v)", p, d.Type())
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n != len(files) {
			t.Fatalf("installed %d files, read %d", n, len(files))
		}
	})
}

// seeds are a valid signed bundle and the hostile shapes TestReadRefuses
// covers, so the fuzzer starts next to the edges.
func seeds(t testing.TB) [][]byte {
	files, _ := signedSite(t)
	var good bytes.Buffer
	if err := bundle.Write(&good, files); err != nil {
		t.Fatal(err)
	}
	link := func(typ byte, name, target string) member {
		return member{tar.Header{Typeflag: typ, Name: name, Linkname: target, Mode: 0o644}, nil}
	}
	return [][]byte{
		good.Bytes(),
		archive(t, link(tar.TypeSymlink, "a", "/etc/passwd"), reg("a/b", "x")),
		archive(t, link(tar.TypeLink, "h", "/etc/passwd")),
		archive(t, reg("../escape", "x")),
		archive(t, reg("/abs", "x")),
		archive(t, reg("a", "1"), reg("a", "2")),
		archive(t, reg("a", "1"), reg("a/b", "2")),
		archive(t, member{tar.Header{Typeflag: tar.TypeDir, Name: "./d/", Mode: 0o755}, nil}, reg("./d/x", "1")),
		archive(t, member{tar.Header{Typeflag: tar.TypeReg, Name: "p", Mode: 0o644, Size: 1, Format: tar.FormatPAX,
			PAXRecords: map[string]string{"comment": strings.Repeat("x", 4096)}}, []byte("1")}),
		withPadding(t, archive(t, reg("a", "1")), 2<<20), // past the fuzz limits' bound on inflated bytes
	}
}

// withPadding appends n zero bytes after the end of the archive, inside the
// gzip stream.
func withPadding(t testing.TB, gzTar []byte, n int) []byte {
	zr, err := gzip.NewReader(bytes.NewReader(gzTar))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	gz.Write(append(raw, make([]byte, n)...))
	gz.Close()
	return buf.Bytes()
}

// TestFuzzSeeds keeps testdata/fuzz/FuzzRead in step with seeds; run with
// -update-seeds after changing them.
func TestFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzRead")
	if !*updateSeeds {
		if entries, err := os.ReadDir(dir); err != nil || len(entries) == 0 {
			t.Fatalf("no seed corpus in %s (run go test -run TestFuzzSeeds -update-seeds): %v", dir, err)
		}
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, s := range seeds(t) {
		body := "go test fuzz v1\n[]byte(" + strconv.Quote(string(s)) + ")\n"
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
