package tree_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/tree"
)

func TestWriteRead(t *testing.T) {
	dir := t.TempDir()
	files := map[string][]byte{"a": []byte("1"), "d/e/f.json": []byte("{}"), "empty": nil}
	if err := tree.Write(dir, files); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "d/e/f.json"))
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v, %v", fi.Mode(), err)
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "d/link")); err != nil {
		t.Fatal(err)
	}
	got, problems, err := tree.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || string(got["d/e/f.json"]) != "{}" || got["empty"] == nil && len(got["empty"]) != 0 {
		t.Errorf("read %v", got)
	}
	var pe *fs.PathError
	if len(problems) != 1 || !errors.As(problems[0], &pe) || pe.Path != "d/link" || !errors.Is(pe, tree.ErrIrregular) {
		t.Errorf("problems %v", problems)
	}
}

func TestWriteRefusesEscape(t *testing.T) {
	for _, p := range []string{"../x", "/abs", "a/../../x"} {
		if err := tree.Write(t.TempDir(), map[string][]byte{p: nil}); err == nil {
			t.Errorf("%q written", p)
		}
	}
}

func TestReadNotDir(t *testing.T) {
	f := filepath.Join(t.TempDir(), "f")
	os.WriteFile(f, nil, 0o644)
	if _, _, err := tree.Read(f); err == nil {
		t.Error("file read as a tree")
	}
	if _, _, err := tree.Read(filepath.Join(t.TempDir(), "none")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing dir: %v", err)
	}
}
