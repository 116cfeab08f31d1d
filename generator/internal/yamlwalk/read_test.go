package yamlwalk

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		at, err := d.ReadFile("f", maxSize)
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
