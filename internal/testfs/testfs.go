// Package testfs mounts small file systems for tests of what a build does
// when one fills, or whose syncs must not wait for the rest of the disk.
package testfs

import (
	"os"
	"testing"
)

// MustTmpfs is Tmpfs for a test that needs one: without one it skips,
// and fails instead under CI=true, which runs as root on Linux.
func MustTmpfs(t testing.TB, opts string) string {
	t.Helper()
	dir, err := Tmpfs(t, opts)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("cannot mount a tmpfs (CI runs as root): %v", err)
		}
		t.Skipf("cannot mount a tmpfs (needs root, on Linux): %v", err)
	}
	return dir
}
