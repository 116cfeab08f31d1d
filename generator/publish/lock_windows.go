package publish

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// haveLock says that writers here take turns, so that a temporary tree
// beside a locked directory belongs to no live writer.
const haveLock = true

// pidAt is past the locked first byte, which no other handle may read.
const pidAt = 1

func openLock(p string) (*os.File, error) {
	return os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
}

// tryLock takes an exclusive LockFileEx lock on f's first byte. The pid is
// written beyond it: a locked range cannot be read by another handle.
func tryLock(f *os.File) (bool, error) {
	err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, new(windows.Overlapped))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, windows.ERROR_LOCK_VIOLATION):
		return false, nil
	}
	return false, err
}

// current is true: the lock file is never removed here, since an open file
// cannot always be.
func current(*os.File, string) bool { return true }

func release(f *os.File, _ string) {
	f.Truncate(0)
	f.Close()
}
