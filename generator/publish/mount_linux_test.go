package publish_test

import (
	"testing"

	"golang.org/x/sys/unix"
)

// mountTmpfs mounts a tmpfs of its own for a test, which needs root.
func mountTmpfs(t *testing.T, opts string) (string, error) {
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
