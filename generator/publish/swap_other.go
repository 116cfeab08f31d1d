//go:build !linux

package publish

import (
	"io/fs"
	"os"
	"path/filepath"
)

func swap(tmp, dir string) error { return swapRenames(tmp, dir) }

// syncAll fsyncs every file, where no single call syncs a file system.
func syncAll(root string) {
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if f, err := os.Open(p); err == nil {
				f.Sync()
				f.Close()
			}
		}
		return nil
	})
}
