package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// A build whose swap succeeds while the previous tree cannot be removed (a
// directory in it immutable, or read-only for a user) exits 0 and warns,
// naming what it left.
func TestBuildLeftoverWarns(t *testing.T) {
	s := newFaultSite(t, 10)
	d := filepath.Join(s.out, "clients")
	if os.Getuid() == 0 {
		if err := setFlags(d, 0x10); err != nil { // FS_IMMUTABLE_FL
			t.Skipf("cannot make a directory immutable here: %v", err)
		}
	} else if err := os.Chmod(d, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		filepath.WalkDir(s.dir, func(p string, e fs.DirEntry, err error) error {
			if err == nil && e.IsDir() {
				setFlags(p, 0)
				os.Chmod(p, 0o755)
			}
			return nil
		})
	})
	s.setVersion(t, 7)
	code, _, stderr := s.run(t, "build")
	if code != 0 || !strings.Contains(stderr, "warning: out holds the new build, but the previous one could not be removed") || !strings.Contains(stderr, "remove ./.out.new-") {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if got := s.version(t); got != 7 {
		t.Errorf("out holds version %d", got)
	}
}

func setFlags(dir string, flags int) error {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return unix.IoctlSetPointerInt(fd, unix.FS_IOC_SETFLAGS, flags)
}
