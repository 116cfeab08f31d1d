//go:build unix

package yamlwalk

import (
	"errors"
	"syscall"
)

// readFile is ReadFile by the system's calls alone: a registry's build
// reads 100,000 client files, and os.Open offers each to the network
// poller first, which costs more system calls than reading it.
func readFile(path string, maxSize int) ([]byte, error) {
	fd, err := open(path)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, err
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return readFileOS(path, maxSize) // a pipe or device: os knows how to wait on it
	}
	// Room for one byte more than the file holds shows a file that grew
	// as it was read, and one more than maxSize one that is too big.
	size := min(int(max(st.Size, 0))+1, maxSize+1)
	b := make([]byte, size, size+1)
	n := 0
	for n < len(b) {
		m, err := syscall.Read(fd, b[n:])
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if m == 0 {
			return b[:n], nil
		}
		n += m
	}
	if n > maxSize {
		return b[:n], nil // too big: Parse says so
	}
	// The file grew past its size as it was read: the rest, as os reads it.
	return readFileOS(path, maxSize)
}

func open(path string) (int, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		return fd, err
	}
}
