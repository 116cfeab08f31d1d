package bundle

import (
	"io"
	"os"
)

// spoolMem is how much of an archive's contents a spool keeps in memory
// before it moves them to a temporary file: small bundles, the common case,
// never touch the disk, and a large or hostile one costs this much memory.
const spoolMem = 4 << 20

// spool holds the member contents of an archive being read, in order,
// until the whole archive has passed its checks.
type spool struct {
	mem []byte
	f   *os.File // once the contents outgrew mem
	n   int64    // bytes written
}

func (s *spool) Write(p []byte) (int, error) {
	if s.f == nil && len(s.mem)+len(p) > spoolMem {
		f, err := os.CreateTemp("", "wellknown-import-*")
		if err != nil {
			return 0, err
		}
		// Unlinked at once: nothing is left behind, even by a killed
		// import. (Windows cannot remove an open file; it goes at close.)
		os.Remove(f.Name())
		s.f = f
		if _, err := f.Write(s.mem); err != nil {
			return 0, err
		}
		s.mem = nil
	}
	if s.f != nil {
		n, err := s.f.Write(p)
		s.n += int64(n)
		return n, err
	}
	s.mem = append(s.mem, p...)
	s.n += int64(len(p))
	return len(p), nil
}

// bytes returns everything written, in one allocation.
func (s *spool) bytes() ([]byte, error) {
	if s.f == nil {
		return s.mem, nil
	}
	b := make([]byte, s.n)
	if _, err := s.f.ReadAt(b, 0); err != nil && err != io.EOF {
		return nil, err
	}
	return b, nil
}

// read returns n bytes at off.
func (s *spool) read(off, n int64) ([]byte, error) {
	if s.f == nil {
		return s.mem[off : off+n : off+n], nil
	}
	b := make([]byte, n)
	if _, err := s.f.ReadAt(b, off); err != nil && !(err == io.EOF && n == 0) {
		return nil, err
	}
	return b, nil
}

func (s *spool) close() {
	if s.f != nil {
		name := s.f.Name()
		s.f.Close()
		os.Remove(name) // already gone, except on Windows
		s.f = nil
	}
	s.mem = nil
}
