package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// A build whose previous tree cannot be changed (a directory in it
// immutable, or read-only for a user) exits 0: the swap succeeds and the
// tree stays as the spare; the build after cannot patch that spare, warns,
// naming it, and writes a tree of its own; the one after that warns that
// it cannot remove the spare.
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
	for _, tc := range []struct {
		v    int
		want string
	}{
		{7, ""},
		{8, "warning: cannot patch the spare tree .out.spare, writing a new one instead: "},
		{9, "warning: cannot remove .out.spare, a spare tree left beside out by an interrupted build: "},
	} {
		s.setVersion(t, tc.v)
		code, _, stderr := s.run(t, "build")
		if code != 0 || tc.want == "" && strings.Contains(stderr, "spare") || !strings.Contains(stderr, tc.want) {
			t.Fatalf("version %d: exit %d:\n%s", tc.v, code, stderr)
		}
		if got := s.version(t); got != tc.v {
			t.Errorf("out holds version %d", got)
		}
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
