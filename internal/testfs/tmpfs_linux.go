package testfs

import (
	"testing"

	"golang.org/x/sys/unix"
)

// Tmpfs mounts a tmpfs of its own, with mount(8)'s options opts
// ("size=2m"), on a new temporary directory, and unmounts it when the test
// ends. Only root may.
func Tmpfs(t testing.TB, opts string) (string, error) {
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, opts); err != nil {
		return "", err
	}
	t.Cleanup(func() {
		if err := unix.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir, nil
}
