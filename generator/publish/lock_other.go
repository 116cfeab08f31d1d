//go:build !unix && !windows

package publish

import "os"

// haveLock is false: with no lock, a temporary tree may be a live
// writer's, so none is removed.
const haveLock = false

const pidAt = 0

func openLock(p string) (*os.File, error) {
	return os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
}

// tryLock always succeeds: this system has no advisory lock that dies with
// its process, and one that outlived a killed build would block every
// later one. Writers here must not run at once.
func tryLock(*os.File) (bool, error) { return true, nil }

// current is true: the lock file is never removed here, since an open file
// cannot always be.
func current(*os.File, string) bool { return true }

func release(f *os.File, _ string) {
	f.Truncate(0)
	f.Close()
}
