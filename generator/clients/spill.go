package clients

import (
	"html/template"
	"os"
	"sync"
	"sync/atomic"
)

// spill keeps the rows measured past heldRows in a temporary file, so that
// their page reads them back instead of rendering them again: rendering
// the rows of 100,000 clients twice was a tenth of a fresh build's CPU,
// and holding them all in memory took the live heap so close to the soft
// memory limit that two builds in eight peaked 40 MB above the others.
//
// It is only a shortcut. A row it cannot write or read back is rendered
// again, as it would be without it, and a build that cannot create the
// file (no $TMPDIR, say) renders every such row again.
type spill struct {
	once    sync.Once
	n       int
	f       *os.File
	removed bool         // the file's name is gone already
	end     atomic.Int64 // where the next row goes
	failed  atomic.Bool  // a write failed: write no more
	at      []int64      // one past the offset of each client's row; 0 when it has none
}

// newSpill returns the spill of a registry of n clients. It creates its
// file when the first row comes.
func newSpill(n int) *spill { return &spill{n: n} }

func (s *spill) open() {
	f, err := os.CreateTemp("", "wellknown-rows-*")
	if err != nil {
		return
	}
	// Gone from the directory at once where the system allows it, so a
	// build that is killed leaves nothing behind; elsewhere, on close.
	s.f, s.removed, s.at = f, os.Remove(f.Name()) == nil, make([]int64, s.n)
}

// put keeps row, client i's, and reports whether it did.
func (s *spill) put(i int, row []byte) bool {
	s.once.Do(s.open)
	if s.f == nil || s.failed.Load() {
		return false
	}
	off := s.end.Add(int64(len(row))) - int64(len(row))
	if _, err := s.f.WriteAt(row, off); err != nil {
		s.failed.Store(true)
		return false
	}
	s.at[i] = off + 1
	return true
}

// get returns client i's row, of size bytes, or "" when put did not keep it
// or it cannot be read back whole.
func (s *spill) get(i, size int) template.HTML {
	if s.f == nil || s.at[i] == 0 {
		return ""
	}
	b := make([]byte, size)
	if _, err := s.f.ReadAt(b, s.at[i]-1); err != nil { // io.EOF when short
		return ""
	}
	return template.HTML(b) // as html/template made it for put
}

// close removes the file.
func (s *spill) close() {
	if s.f == nil {
		return
	}
	s.f.Close()
	if !s.removed {
		os.Remove(s.f.Name())
	}
}
