package publish

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// swap puts the directory tmp in the place of dir. On Linux the two are
// exchanged in one atomic step, so there is no moment without dir.
func swap(tmp, dir string) error {
	err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, dir, unix.RENAME_EXCHANGE)
	switch {
	case err == nil:
		return os.RemoveAll(tmp) // tmp now holds the previous build
	case errors.Is(err, unix.ENOENT):
		return os.Rename(tmp, dir) // no previous build
	case errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOSYS):
		return swapRenames(tmp, dir) // a file system without RENAME_EXCHANGE
	}
	return err
}

func syncAll(string) { unix.Sync() }
