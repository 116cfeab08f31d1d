package main

import (
	"io/fs"
	"path/filepath"
)

// copyTree copies the regular files below src into dst, for scripts that
// start from a directory of the repository as a user would copy it.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		return copyFile(p, filepath.Join(dst, rel))
	})
}
