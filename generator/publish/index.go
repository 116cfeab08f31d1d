package publish

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// identity is what stat says of a file: while all of it stays the same,
// nothing has written to the file, renamed another over it, or changed its
// mode or links (every such change moves ctime, which no user can set).
type identity struct {
	Dev, Ino     uint64
	Size         int64
	Mtime, Ctime int64 // nanoseconds
}

// entry is one file of a tree as its index records it.
type entry struct {
	id  identity
	sum [sha256.Size]byte
}

// index says what a tree held when it was built: every file's digest and
// identity, and the identity of the tree's root directory, by which the
// index is known to describe that tree and not another at the same name.
type index struct {
	root  [2]uint64 // dev, ino
	files map[string]entry
}

// indexMagic starts every index file; the digit is the format's version.
const indexMagic = "wellknown tree index 1\n"

// encode writes the index in a small binary form, ended by the SHA-256 of
// what precedes it so that a torn or edited index reads as none. Gob or
// JSON would do, at ten times the cost for 100,000 files: this file is read
// and written on every build. The files are in no order: sorting 100,000
// paths would cost more than writing them.
func (x *index) encode() []byte {
	b := make([]byte, 0, 64+len(x.files)*112)
	b = append(b, indexMagic...)
	b = binary.AppendUvarint(b, x.root[0])
	b = binary.AppendUvarint(b, x.root[1])
	b = binary.AppendUvarint(b, uint64(len(x.files)))
	for p, e := range x.files {
		b = binary.AppendUvarint(b, uint64(len(p)))
		b = append(b, p...)
		b = append(b, e.sum[:]...)
		b = binary.AppendUvarint(b, e.id.Dev)
		b = binary.AppendUvarint(b, e.id.Ino)
		b = binary.AppendVarint(b, e.id.Size)
		b = binary.AppendVarint(b, e.id.Mtime)
		b = binary.AppendVarint(b, e.id.Ctime)
	}
	sum := sha256.Sum256(b)
	return append(b, sum[:]...)
}

var errIndex = errors.New("not a tree index")

func decodeIndex(b []byte) (*index, error) {
	if len(b) < len(indexMagic)+sha256.Size || !bytes.HasPrefix(b, []byte(indexMagic)) {
		return nil, errIndex
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if s := sha256.Sum256(body); !bytes.Equal(s[:], sum) {
		return nil, errIndex
	}
	r := body[len(indexMagic):]
	bad := false
	uv := func() uint64 {
		v, n := binary.Uvarint(r)
		if n <= 0 {
			bad = true
			return 0
		}
		r = r[n:]
		return v
	}
	sv := func() int64 {
		v, n := binary.Varint(r)
		if n <= 0 {
			bad = true
			return 0
		}
		r = r[n:]
		return v
	}
	x := &index{}
	x.root[0], x.root[1] = uv(), uv()
	n := uv()
	if bad || n > uint64(len(r)) {
		return nil, errIndex
	}
	x.files = make(map[string]entry, n)
	for range n {
		l := uv()
		if bad || l > uint64(len(r)) || uint64(len(r))-l < sha256.Size {
			return nil, errIndex
		}
		p := string(r[:l])
		var e entry
		copy(e.sum[:], r[l:])
		r = r[l+sha256.Size:]
		e.id = identity{Dev: uv(), Ino: uv(), Size: sv(), Mtime: sv(), Ctime: sv()}
		if bad {
			return nil, errIndex
		}
		x.files[p] = e
	}
	if len(r) != 0 {
		return nil, errIndex
	}
	return x, nil
}

// The files a Write keeps beside dir, hidden like its lock and never
// inside dir or any published tree:
//
//	.NAME.spare        the previous build, patched into the next one
//	.NAME.spare.index  what the spare held when it was built
//	.NAME.index        what dir holds, which becomes the spare's index
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

func spareIndexPath(dir string) string { return besides(dir, ".spare.index") }
func outIndexPath(dir string) string   { return besides(dir, ".index") }

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
	x, err := decodeIndex(b)
	if err != nil || x.root != root {
		return nil
	}
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
	_, err = f.Write(x.encode())
	if err1 := f.Close(); err == nil {
		err = err1
	}
	if err != nil {
		os.Remove(p + ".new")
		return fmt.Errorf("%s: %w", p, err)
	}
	return nil
}
