//go:build unix

package publish

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// tree is the directory a build is written to, with the previous build it
// replaces. Its methods run once per published file, tens of thousands of
// times for a large registry, where a file's cost is almost all system
// calls: so every directory is opened once and files are reached from it by
// name, and the kernel is called directly (os.OpenFile adds four calls per
// file on Linux, offering a regular file to the network poller).
//
// A file the previous build holds byte for byte is hard-linked into the new
// tree rather than written again. A new inode costs the file system far more
// than a link, and freeing the old one when the old tree is removed costs as
// much again, so a rebuild of a large registry, whose signature files are
// deterministic too, mostly costs links. Only a regular file with mode 0644
// and no other link, reached through directories alone, is taken, and the
// link is checked to be the very file that was compared; anything else is
// written afresh. The previous tree gains a link count on some files and is
// otherwise untouched, so a failed build still leaves it as it was.
type tree struct {
	root string
	prev string         // "" when there is no previous build
	dirs map[string]int // slash path → descriptor, in the new tree
	old  map[string]int // the same in the previous build; -1 if it is not a directory there
}

func newTree(root, prev string) *tree {
	return &tree{root: root, prev: prev, dirs: map[string]int{}, old: map[string]int{}}
}

// mkdir makes dir and opens it, and the previous build's dir, for put. It
// is called for every directory before put runs concurrently.
func (t *tree) mkdir(dir string) error {
	p := filepath.Join(t.root, filepath.FromSlash(dir))
	if err := os.MkdirAll(p, 0o755); err != nil {
		return withoutPath(err)
	}
	fd, err := unix.Open(p, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	t.dirs[dir] = fd
	t.openOld(dir)
	return nil
}

// openOld opens dir of the previous build one name at a time, refusing
// symlinks, so that no file from elsewhere is taken for one of its own.
func (t *tree) openOld(dir string) int {
	if fd, ok := t.old[dir]; ok {
		return fd
	}
	fd := -1
	switch {
	case t.prev == "":
	case dir == ".":
		fd, _ = unix.Open(t.prev, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	default:
		if parent := t.openOld(path.Dir(dir)); parent >= 0 {
			fd, _ = unix.Openat(parent, path.Base(dir), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		}
	}
	t.old[dir] = max(fd, -1)
	return t.old[dir]
}

// put writes name into dir, which mkdir has made, holding body.
func (t *tree) put(dir, name string, body []byte) error {
	d := t.dirs[dir]
	if old := t.old[dir]; old >= 0 && link(old, d, name, body) {
		return nil
	}
	fd, err := unix.Openat(d, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	err = writeFull(fd, body)
	// close reports what write-back found for file systems that write at
	// close (NFS): it counts like a failed write.
	if err1 := unix.Close(fd); err == nil && err1 != nil {
		err = fmt.Errorf("close: %w", err1)
	}
	return err
}

// writeFull writes all of b to fd. A failed write returns -1 with its
// error (ENOSPC, EFBIG past RLIMIT_FSIZE, EIO); a short one is retried for
// the rest, which then fails with the reason.
func writeFull(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := unix.Write(fd, b)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return fmt.Errorf("write: %w", err)
		case n == 0:
			return fmt.Errorf("write: %w", io.ErrShortWrite)
		}
		b = b[n:]
	}
	return nil
}

// link puts the previous build's name from the directory old into new if it
// holds exactly body, and reports whether it did.
func link(old, new int, name string, body []byte) bool {
	fd, err := unix.Openat(old, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	var st unix.Stat_t
	same := unix.Fstat(fd, &st) == nil &&
		st.Mode == unix.S_IFREG|0o644 && st.Size == int64(len(body)) && st.Nlink == 1 &&
		readsAs(fd, body)
	unix.Close(fd)
	if !same || unix.Linkat(old, name, new, name, 0) != nil {
		return false
	}
	var lst unix.Stat_t
	if unix.Fstatat(new, name, &lst, unix.AT_SYMLINK_NOFOLLOW) != nil || lst.Dev != st.Dev || lst.Ino != st.Ino {
		unix.Unlinkat(new, name, 0) // replaced between the compare and the link
		return false
	}
	return true
}

// readsAs reports whether fd holds exactly body, reading one byte more to
// catch a file that grew since it was measured.
func readsAs(fd int, body []byte) bool {
	buf := make([]byte, len(body)+1)
	n := 0
	for n < len(buf) {
		m, err := unix.Read(fd, buf[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil || m == 0 {
			break
		}
		n += m
	}
	return bytes.Equal(buf[:n], body)
}

func (t *tree) close() {
	for _, m := range []map[string]int{t.dirs, t.old} {
		for _, fd := range m {
			if fd >= 0 {
				unix.Close(fd)
			}
		}
	}
}
