//go:build unix

package publish_test

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/publish"
)

// TestPrevious: a Build's sink reads a file of the previous build only
// when it holds the bytes the caller names by size and digest, which a
// file edited by hand, or a FIFO in its place, does not.
func TestPrevious(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	previous := func(reads func(r artifact.Reader)) {
		t.Helper()
		err := (publish.Options{}).Build(context.Background(), out, func(sink artifact.Sink) ([]artifact.Artifact, error) {
			r, ok := sink.(artifact.Reader)
			if !ok {
				t.Fatal("a Build's sink is not an artifact.Reader")
			}
			reads(r)
			return with(site("v"), art("d/x", "one"), art("d/y", "two")), nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	sum := func(s string) [sha256.Size]byte { return sha256.Sum256([]byte(s)) }
	previous(func(r artifact.Reader) {
		if _, ok := r.Previous("d/x", 3, sum("one")); ok {
			t.Error("a first build read a previous one")
		}
	})
	previous(func(r artifact.Reader) {
		if b, ok := r.Previous("d/x", 3, sum("one")); !ok || string(b) != "one" {
			t.Errorf("the previous build's d/x: %q %v", b, ok)
		}
		for _, c := range []struct {
			path string
			size int
			sum  [sha256.Size]byte
		}{{"d/x", 3, sum("two")}, {"d/x", 4, sum("one")}, {"d/z", 3, sum("one")}, {"d/../d/x", 3, sum("one")}} {
			if b, ok := r.Previous(c.path, c.size, c.sum); ok {
				t.Errorf("Previous(%s, %d) gave %q", c.path, c.size, b)
			}
		}
	})
	// Written over in place, which a build never does, and replaced.
	if err := os.WriteFile(filepath.Join(out, "d", "x"), []byte("six"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(out, "d", "y")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(out, "d", "y"), 0o644); err != nil {
		t.Fatal(err)
	}
	previous(func(r artifact.Reader) {
		if b, ok := r.Previous("d/x", 3, sum("one")); ok {
			t.Errorf("a file edited by hand gave %q", b)
		}
		if b, ok := r.Previous("d/y", 3, sum("two")); ok {
			t.Errorf("a FIFO gave %q", b)
		}
	})
}
