package publish

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/wellknown-dev/wellknown/generator/internal/binfmt"
	"github.com/wellknown-dev/wellknown/generator/internal/stamp"
)

// identity is what stat says of a file (see stamp.Stamp).
type identity = stamp.Stamp

// entry is one file of a tree as its index records it: the key of its
// identity and digest (see stamp.Stamp.Key), which is all a lookup
// compares, since the caller knows both. 16 bytes rather than 72 keep each
// of a build's three indexes of 100,000 files some 10 MB smaller.
type entry [16]byte

func entryOf(id identity, sum [sha256.Size]byte) entry { return id.Key(sum[:]) }

// index says what a tree held when it was built: every file's digest and
// identity, and the identity of the tree's root directory, by which the
// index is known to describe that tree and not another at the same name.
type index struct {
	root  [2]uint64 // dev, ino
	n     int       // how many files it holds
	files map[string]entry
	// ready, when set, is closed once files is filled: readIndex decodes
	// them while the build starts (see wait).
	ready chan struct{}
}

// wait returns once x's files are there; x may be nil.
func (x *index) wait() {
	if x != nil && x.ready != nil {
		<-x.ready
	}
}

// indexMagic starts every index file; the digit is the format's version.
const indexMagic = indexKind + "2\n"

const indexKind = "wellknown tree index "

// encode writes the index to w (see package binfmt), a piece at a time:
// whole, the index of 100,000 files is 11 MB more at the build's peak. The
// files are in no order: sorting 100,000 paths would cost more than
// writing them.
func (x *index) encode(w io.Writer) error {
	bw := binfmt.NewWriter(w, indexMagic)
	b := binfmt.Buf(nil).Uvarint(x.root[0]).Uvarint(x.root[1]).Uvarint(uint64(len(x.files)))
	for p, e := range x.files {
		b = append(b.String(p), e[:]...)
		if len(b) >= 64<<10 {
			if err := bw.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	if err := bw.Write(b); err != nil {
		return err
	}
	return bw.Close()
}

var errIndex = errors.New("not a tree index")

// decodeIndex decodes the index file b.
func decodeIndex(b []byte) (*index, error) {
	x, fill, err := openIndex(b)
	if err != nil {
		return nil, err
	}
	if err := fill(); err != nil {
		return nil, err
	}
	return x, nil
}

// openIndex checks the index file b and reads its root and size; fill
// then decodes its files.
func openIndex(b []byte) (x *index, fill func() error, err error) {
	r, err := binfmt.Open(b, indexMagic)
	if err != nil {
		return nil, nil, errIndex
	}
	// The paths share b, which the caller reads for this and leaves alone.
	r.Share()
	x = &index{}
	x.root[0], x.root[1] = r.Uvarint(), r.Uvarint()
	x.n = r.Count(1 + len(entry{}))
	if r.Err() != nil {
		return nil, nil, errIndex
	}
	return x, func() error {
		files := make(map[string]entry, x.n)
		for range x.n {
			p := r.String()
			e := entry(r.Take(len(entry{})))
			if r.Err() != nil {
				return errIndex
			}
			files[p] = e
		}
		if r.End() != nil {
			return errIndex
		}
		x.files = files
		return nil
	}, nil
}

// The files a Write keeps beside dir, hidden like its lock and never
// inside dir or any published tree:
//
//	.NAME.spare        the previous build, patched into the next one
//	.NAME.spare.index  what the spare held when it was built
//	.NAME.index        what dir holds, which becomes the spare's index
//	.NAME.cache        what the build's inputs gave (see CachePath)
//
// and, while a Write writes them, the indexes with ".new" added.
func besides(dir, suffix string) string {
	return filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+suffix)
}

// SparePath is the spare tree a Write of dir keeps beside it: the build dir
// held before the last one, sharing every unchanged file with dir by a hard
// link, which the next Write patches into the new build instead of writing
// a whole tree. It may be removed at any time outside a Write.
func SparePath(dir string) string { return besides(filepath.Clean(dir), ".spare") }

// CachePath is where a build of dir keeps what each of its client files
// gave, for the next build to take from (see clients.Cache). It names
// files of dir by their digests, and is worth nothing without the indexes
// that vouch for them: a Write with NoSpare removes it with them.
func CachePath(dir string) string { return besides(filepath.Clean(dir), ".cache") }

func spareIndexPath(dir string) string { return besides(dir, ".spare.index") }
func outIndexPath(dir string) string   { return besides(dir, ".index") }

// otherIndexVersion reports whether p starts as an index of another
// version of the format does.
func otherIndexVersion(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, len(indexMagic))
	n, _ := io.ReadFull(f, b)
	return strings.HasPrefix(string(b[:n]), indexKind) && string(b[:n]) != indexMagic
}

// readIndex reads the index at p if it describes the tree whose root has
// identity root, and returns nil otherwise.
func readIndex(p string, root [2]uint64) *index {
	fi, err := os.Lstat(p)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > 1<<30 {
		return nil
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil
	}
	x, fill, err := openIndex(b)
	if err != nil || x.root != root {
		return nil
	}
	// 100,000 files take 40 ms to decode, on a core the build's start
	// leaves idle. One that does not decode, sealed as it is, vouches
	// for nothing: every file is then read to be compared.
	x.ready = make(chan struct{})
	go func() {
		defer close(x.ready)
		if fill() != nil {
			x.files = map[string]entry{}
		}
	}()
	return x
}

// writeIndex writes x to p+".new", for a rename into p once the tree it
// describes has its name. It is written after the tree is synced, and is
// not synced itself: after a crash an index may be lost or torn, which
// costs the spare, but never describes files that are not on disk.
func writeIndex(p string, x *index) error {
	f, err := os.OpenFile(p+".new", os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	err = x.encode(f)
	if err1 := f.Close(); err == nil {
		err = err1
	}
	if err != nil {
		os.Remove(p + ".new")
		return fmt.Errorf("%s: %w", p, err)
	}
	return nil
}
