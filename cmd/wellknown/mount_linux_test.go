package main

import (
	"testing"

	"golang.org/x/sys/unix"
)

// mountTmpfs mounts a tmpfs of its own for a test, which needs root.
func mountTmpfs(t *testing.T, opts string) string {
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, opts); err != nil {
		t.Fatalf("mount: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(dir, 0) })
	return dir
}
