package publish

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// swap puts the directory tmp in the place of dir and returns where the
// previous dir now is, "" if there was none. On Linux the two are exchanged
// in one atomic step, so there is no moment without dir.
func swap(tmp, dir string) (old string, err error) {
	err = unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, dir, unix.RENAME_EXCHANGE)
	switch {
	case err == nil:
		return tmp, nil // tmp now holds the previous build
	case errors.Is(err, unix.ENOENT):
		return "", os.Rename(tmp, dir) // no previous build
	case errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOSYS):
		return swapRenames(tmp, dir) // a file system without RENAME_EXCHANGE
	}
	return "", err
}

// syncer makes a new tree durable with syncfs(2): the file system holding
// it, and nothing else. sync(2) would flush every file system and wait for
// whatever other processes wrote, and fsync of each file costs seconds for a
// large registry; syncfs writes back the tree's files, directories and the
// journal in one call, and reports write-back errors (ENOSPC, EIO) that
// happened since the tree was opened (Linux 5.8 and later).
type syncer struct{ fd int }

func openSync(dir string) (*syncer, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	return &syncer{fd}, nil
}

func (s *syncer) sync() error {
	for {
		err := unix.Syncfs(s.fd)
		if err != unix.EINTR {
			return err
		}
	}
}

func (s *syncer) close() { unix.Close(s.fd) }
