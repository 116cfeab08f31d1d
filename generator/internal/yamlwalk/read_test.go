package yamlwalk

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/internal/stamp"
)

// ReadFile must read as os does: all of a file up to maxSize, and one byte
// more of a larger one, so that Parse refuses it.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	const maxSize = 64
	for _, n := range []int{0, 1, maxSize - 1, maxSize, maxSize + 1, 10 * maxSize} {
		p := filepath.Join(dir, "f")
		want := bytes.Repeat([]byte("x"), n)
		if err := os.WriteFile(p, want, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := ReadFile(p, maxSize)
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		if n > maxSize {
			want = want[:maxSize+1]
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%d bytes: read %d bytes, want %d", n, len(got), len(want))
		}
		if os, _ := readFileOS(p, maxSize); !bytes.Equal(os, got) {
			t.Errorf("%d bytes: os reads %d bytes, ReadFile %d", n, len(os), len(got))
		}
		d, err := OpenDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		at, _, err := d.ReadFile("f", maxSize)
		d.Close()
		if err != nil || !bytes.Equal(at, got) {
			t.Errorf("%d bytes: Dir.ReadFile reads %d bytes (%v), ReadFile %d", n, len(at), err, len(got))
		}
	}
	if _, err := OpenDir(filepath.Join(dir, "f")); err == nil {
		t.Error("a file opens as a directory")
	}
	_, err := ReadFile(filepath.Join(dir, "absent"), maxSize)
	if !errors.Is(err, fs.ErrNotExist) || strings.Contains(err.Error(), dir) {
		t.Errorf("absent file: %v, want ENOENT without the path (callers add it)", err)
	}
	if _, err := ReadFile(dir, maxSize); err == nil {
		t.Error("a directory reads without error")
	}
}

// A file whose size stat does not know (as /proc's) is read whole all the
// same.
func TestReadFileUnsized(t *testing.T) {
	const p = "/proc/self/cmdline"
	want, err := os.ReadFile(p)
	if err != nil || len(want) == 0 {
		t.Skipf("no %s here to read: %v", p, err)
	}
	got, err := ReadFile(p, 1<<20)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("read %q (%v), want %q", got, err, want)
	}
}

// A Stamp is what the file read was, and moves with any write, even one
// that keeps its size and modification time.
func TestStamp(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := os.WriteFile(p, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	b, read, err := d.ReadFile("f", 64)
	if err != nil || string(b) != "one" {
		t.Fatalf("read %q: %v", b, err)
	}
	st, ok := d.Stat("f")
	if !ok {
		t.Skip("stat says too little here for a Stamp")
	}
	if read != st || st == (stamp.Stamp{}) {
		t.Fatalf("read as %+v, stat says %+v", read, st)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("two"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if now, _ := d.Stat("f"); now == st {
		t.Errorf("a write that kept size and mtime kept the Stamp %+v", st)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, ok := d.Stat("sub"); ok {
		t.Error("a directory has a Stamp")
	}
	if _, ok := d.Stat("absent"); ok {
		t.Error("an absent file has a Stamp")
	}
}
