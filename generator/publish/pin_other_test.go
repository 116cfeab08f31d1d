//go:build unix && !linux

package publish_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// pin makes the entries of dir, under root, unremovable until the test
// ends, by making it read-only, which does not stop root.
func pin(t *testing.T, root, dir string) {
	t.Helper()
	if os.Getuid() == 0 {
		t.Skip("root removes entries of a read-only directory")
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				os.Chmod(p, 0o755)
			}
			return nil
		})
	})
}
