package publish

import (
	"errors"
	"io/fs"
	"os"
)

// swapRenames moves dir aside, moves tmp in, and removes the old one. If the
// second rename fails, the old directory is put back.
func swapRenames(tmp, dir string) error {
	old := tmp + ".old"
	if err := os.Rename(dir, old); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return os.Rename(tmp, dir)
		}
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.Rename(old, dir)
		return err
	}
	return os.RemoveAll(old)
}
