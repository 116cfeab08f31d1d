package publish_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// fsImmutableFL is FS_IMMUTABLE_FL of linux/fs.h: no entry of a directory
// with it may be added or removed, not even by root.
const fsImmutableFL = 0x10

// pin makes the entries of dir, under root, unremovable until the test
// ends: read-only for a user, immutable for root, whom permissions do not
// stop. dir may move under root meanwhile.
func pin(t *testing.T, root, dir string) {
	t.Helper()
	if os.Getuid() != 0 {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { eachDir(root, func(p string) { os.Chmod(p, 0o755) }) })
		return
	}
	if err := setFlags(dir, fsImmutableFL); err != nil {
		t.Skipf("cannot make %s immutable on this file system: %v", dir, err)
	}
	t.Cleanup(func() { eachDir(root, func(p string) { setFlags(p, 0) }) })
}

func eachDir(root string, f func(p string)) {
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			f(p)
		}
		return nil
	})
}

func setFlags(dir string, flags int) error {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return unix.IoctlSetPointerInt(fd, unix.FS_IOC_SETFLAGS, flags)
}
