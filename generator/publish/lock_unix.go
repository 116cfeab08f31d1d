//go:build unix

package publish

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// haveLock says that writers here take turns, so that a temporary tree
// beside a locked directory belongs to no live writer.
const haveLock = true

// pidAt is where the lock holder's pid is written in the lock file.
const pidAt = 0

// openLock opens the lock file, never through a symbolic link: in a shared
// directory, one could point the pid written into it at another's file. A
// lock file that is not writable is still lockable, read-only.
func openLock(p string) (*os.File, error) {
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o644)
	if errors.Is(err, os.ErrPermission) {
		if f, err1 := os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW, 0); err1 == nil {
			return f, nil
		}
	}
	return f, err
}

// tryLock takes an flock(2) on f if no other open file holds one.
func tryLock(f *os.File) (bool, error) {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, unix.EWOULDBLOCK):
			return false, nil
		case errors.Is(err, unix.EINTR):
			continue
		}
		return false, err
	}
}

// current reports whether the locked f is still the file at p: a holder
// removes p before it unlocks, and a writer that waited on the removed file
// must lock the new one instead.
func current(f *os.File, p string) bool {
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	pi, err := os.Lstat(p)
	return err == nil && os.SameFile(fi, pi)
}

// release removes the lock file while it is still held, so no writer can
// take the name in between, then unlocks it.
func release(f *os.File, p string) {
	os.Remove(p)
	f.Close()
}
