package publish

import (
	"errors"
	"io/fs"
	"os"
)

// swapRenames moves dir aside and moves tmp in, returning where the old
// directory went. If the second rename fails, the old directory is put back.
// The name it is moved aside to is one removeStale knows.
func swapRenames(tmp, dir string) (old string, err error) {
	old = tmp + ".old"
	if err := os.Rename(dir, old); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", os.Rename(tmp, dir)
		}
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.Rename(old, dir)
		return "", err
	}
	return old, nil
}
