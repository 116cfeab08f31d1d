//go:build unix

package hosting_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/generator/hosting"
	"github.com/wellknown-dev/wellknown/internal/sitetest"
)

// within fails the test, rather than hang it, when f blocks: what these
// tests guard against is a reader waiting forever on a named pipe.
func within(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("blocked: a named pipe was opened")
	}
}

func mkfifo(t *testing.T, p string) {
	t.Helper()
	os.Remove(p)
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A named pipe in a tree, listed in _headers or not, is never opened: the
// walk skips and reports an unlisted one, a listed one fails to read, and a
// pipe as _headers fails the read of the tree.
func TestServedSkipsFIFOs(t *testing.T) {
	dir := sitetest.Tree(t, issuer)
	mkfifo(t, filepath.Join(dir, "jwks.json")) // listed
	mkfifo(t, filepath.Join(dir, "pipe.json"))
	if err := os.Symlink("jwks.json", filepath.Join(dir, "link.json")); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	var tree *hosting.Tree
	within(t, func() { tree, err = hosting.ServedTree(root) })
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"link.json: skipped: a symbolic link, not a regular file",
		"pipe.json: skipped: a named pipe, not a regular file",
	}
	if strings.Join(tree.Skipped, "\n") != strings.Join(want, "\n") {
		t.Errorf("skipped %q, want %q", tree.Skipped, want)
	}
	for _, p := range tree.Paths {
		if p == "pipe.json" || p == "link.json" {
			t.Errorf("%s is published", p)
		}
	}
	within(t, func() { _, err = hosting.ReadFile(root, "jwks.json") })
	if !errors.Is(err, hosting.ErrNotRegular) || !strings.Contains(err.Error(), "jwks.json: not a regular file (named pipe)") {
		t.Errorf("ReadFile(pipe) = %v", err)
	}
	within(t, func() { _, err = hosting.ReadTree(dir) })
	if !errors.Is(err, hosting.ErrNotRegular) {
		t.Errorf("ReadTree with a listed pipe = %v", err)
	}
	mkfifo(t, filepath.Join(dir, hosting.HeadersFile))
	within(t, func() { _, err = hosting.ServedTree(root) })
	if !errors.Is(err, hosting.ErrNotRegular) {
		t.Errorf("ServedTree with _headers a pipe = %v", err)
	}
}

// ReadFile reads regular files whole, whatever their size, and follows a
// link that stays in the tree as os.Root does.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	big := strings.Repeat("0123456789", 100_000)
	os.WriteFile(filepath.Join(dir, "big"), []byte(big), 0o644)
	os.WriteFile(filepath.Join(dir, "empty"), nil, 0o644)
	os.Symlink("big", filepath.Join(dir, "link"))
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	for name, want := range map[string]string{"big": big, "empty": "", "link": big} {
		if b, err := hosting.ReadFile(root, name); err != nil || string(b) != want {
			t.Errorf("ReadFile(%s) = %d bytes, %v", name, len(b), err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := hosting.ReadFile(root, "d"); !errors.Is(err, hosting.ErrNotRegular) {
		t.Errorf("ReadFile(dir) = %v", err)
	}
}
