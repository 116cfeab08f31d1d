package clients

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestSpill: a row comes back as it was put, a row never put or read past
// the end does not, and once a write fails no row is kept.
func TestSpill(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	s := newSpill(3)
	defer s.close()
	if !s.put(1, []byte("<tr>one</tr>")) || !s.put(2, []byte("<tr>two</tr>")) {
		t.Fatal("put refused a row")
	}
	// Windows keeps the name of a file open; close removes it there.
	if _, err := os.Stat(s.f.Name()); runtime.GOOS != "windows" && (!s.removed || !errors.Is(err, fs.ErrNotExist)) {
		t.Errorf("the spill's file is still at %s (removed %v, stat %v)", s.f.Name(), s.removed, err)
	}
	for _, c := range []struct {
		i, size int
		want    string
	}{
		{1, 12, "<tr>one</tr>"},
		{2, 12, "<tr>two</tr>"},
		{0, 12, ""}, // never put
		{2, 13, ""}, // past the end
	} {
		if got := string(s.get(c.i, c.size)); got != c.want {
			t.Errorf("get(%d, %d) = %q, want %q", c.i, c.size, got, c.want)
		}
	}

	// A file that takes no writes, as a full disk does.
	name := filepath.Join(t.TempDir(), "ro")
	if err := os.WriteFile(name, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ro, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	s.f.Close()
	s.f = ro
	if s.put(0, []byte("<tr>zero</tr>")) {
		t.Error("put kept a row it could not write")
	}
	if !s.failed.Load() {
		t.Error("a failed write did not stop the spill")
	}
	if s.get(0, 13) != "" {
		t.Error("get returned a row that was not written")
	}
}

// TestSpillNoFile: without a place for its file, the spill keeps nothing
// and says so.
func TestSpillNoFile(t *testing.T) {
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "absent"))
	s := newSpill(2)
	defer s.close()
	if s.put(0, []byte("<tr>zero</tr>")) {
		t.Error("put kept a row with no file")
	}
	if s.get(0, 13) != "" {
		t.Error("get returned a row with no file")
	}
}
