//go:build unix

package tree_test

import (
	"errors"
	"io/fs"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/generator/tree"
)

// A named pipe in a tree is reported, never opened: opening it for reading
// would wait for a writer forever.
func TestReadFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := tree.Write(dir, map[string][]byte{"a": []byte("1")}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "p"), 0o644); err != nil {
		t.Fatal(err)
	}
	type result struct {
		files    map[string][]byte
		problems []error
		err      error
	}
	done := make(chan result, 1)
	go func() {
		f, p, err := tree.Read(dir)
		done <- result{f, p, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Read blocked on a named pipe")
	}
	var pe *fs.PathError
	if r.err != nil || len(r.files) != 1 || len(r.problems) != 1 || !errors.As(r.problems[0], &pe) || pe.Path != "p" || !errors.Is(pe, tree.ErrIrregular) {
		t.Errorf("Read = %v, %v, %v", r.files, r.problems, r.err)
	}
}

// A file replaced by a pipe or a link between the listing and the read is
// refused on its descriptor, without waiting.
func TestReadRegularRefusesReplaced(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "p")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "l")
	if err := syscall.Symlink("p", link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fifo, link} {
		done := make(chan error, 1)
		go func() { _, err := tree.ReadRegular(p); done <- err }()
		select {
		case err := <-done:
			if !errors.Is(err, tree.ErrIrregular) {
				t.Errorf("ReadRegular(%s) = %v", filepath.Base(p), err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("ReadRegular(%s) blocked", filepath.Base(p))
		}
	}
}
