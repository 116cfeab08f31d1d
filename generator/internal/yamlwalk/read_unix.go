//go:build unix

package yamlwalk

import (
	"errors"

	"golang.org/x/sys/unix"

	"github.com/wellknown-dev/wellknown/generator/internal/stamp"
)

// readFile is ReadFile by the system's calls alone: a registry's build
// reads 100,000 client files, and os.Open offers each to the network
// poller first, which costs more system calls than reading it.
func readFile(path string, maxSize int) ([]byte, error) {
	b, _, err := readFileStamp(unix.AT_FDCWD, path, path, maxSize)
	return b, err
}

// readFileStamp reads name in the directory dirfd, path being what os
// would open for it, and says what stat said of it as it was read; the zero
// Stamp for a file that is not regular.
func readFileStamp(dirfd int, name, path string, maxSize int) ([]byte, stamp.Stamp, error) {
	fd, err := openat(dirfd, name)
	if err != nil {
		return nil, stamp.Stamp{}, err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, stamp.Stamp{}, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		b, err := readFileOS(path, maxSize) // a pipe or device: os knows how to wait on it
		return b, stamp.Stamp{}, err
	}
	b, asStat, err := readOpen(fd, int(max(st.Size, 0)), path, maxSize)
	if err != nil || !asStat {
		return b, stamp.Stamp{}, err
	}
	return b, stamp.Of(&st), nil
}

// readOpen reads fd, which stat says holds size bytes, reporting whether
// it held what stat said.
func readOpen(fd, size int, path string, maxSize int) (b []byte, asStat bool, err error) {
	// Room for one byte more than maxSize shows a file that is too big.
	// A file that holds exactly what stat said is read in one call: one
	// that grows meanwhile is read as it stood when stat looked, as if
	// read a moment earlier.
	b = make([]byte, min(size+1, maxSize+1), min(size, maxSize)+1)
	n := 0
	for n < len(b) {
		m, err := unix.Read(fd, b[n:])
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return nil, false, err
		}
		if m == 0 || n+m == size && size > 0 {
			return b[:n+m], n+m == size, nil
		}
		n += m
	}
	if n > maxSize {
		return b[:n], false, nil // too big: Parse says so
	}
	// The file grew past its size as it was read, or says none (as
	// /proc does): the rest, as os reads it.
	b, err = readFileOS(path, maxSize)
	return b, false, err
}

func openat(dirfd int, name string) (int, error) {
	for {
		fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		return fd, err
	}
}

// Dir is a directory whose files are read by name: each of a registry's
// 100,000 client files is then found from the directory, not from the
// root, which shortens every open by a few directories' lookups.
type Dir struct {
	path string
	fd   int
}

// OpenDir opens the directory at path.
func OpenDir(path string) (*Dir, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	return &Dir{path: path, fd: fd}, nil
}

// ReadFile is ReadFile of the file name in d, with the file's Stamp as it
// was read.
func (d *Dir) ReadFile(name string, maxSize int) ([]byte, stamp.Stamp, error) {
	return readFileStamp(d.fd, name, d.path+"/"+name, maxSize)
}

// Stat returns the Stamp of the regular file name in d, or false.
func (d *Dir) Stat(name string) (stamp.Stamp, bool) {
	var st unix.Stat_t
	if unix.Fstatat(d.fd, name, &st, unix.AT_SYMLINK_NOFOLLOW) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return stamp.Stamp{}, false
	}
	return stamp.Of(&st), true
}

func (d *Dir) Close() error { return unix.Close(d.fd) }
