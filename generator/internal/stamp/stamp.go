// Package stamp is what stat says of a file, as the files a build keeps
// beside its output record it: the tree indexes (see package publish) and
// the client cache (see package clients).
package stamp

import (
	"crypto/sha256"
	"encoding/binary"
)

// Stamp is what stat says of a file: while all of it stays the same,
// nothing has written to the file, put another in its place, or changed
// its mode or links, since every such change moves its ctime, which no
// user can set. The zero Stamp is of no file.
type Stamp struct {
	Dev, Ino     uint64
	Size         int64
	Mtime, Ctime int64 // nanoseconds
}

// Key is a 16-byte digest of s and of what is known of the file's bytes
// (its SHA-256, or nothing): all a later build compares, since it knows
// both, in a seventh of the room.
func (s Stamp) Key(content []byte) [16]byte {
	// On the stack for a SHA-256, as every caller passes: a build keys
	// each of its 300,000 files, and a heap slice each was 27 MB.
	var buf [40 + 32]byte
	b := buf[:40]
	binary.LittleEndian.PutUint64(b[0:], s.Dev)
	binary.LittleEndian.PutUint64(b[8:], s.Ino)
	binary.LittleEndian.PutUint64(b[16:], uint64(s.Size))
	binary.LittleEndian.PutUint64(b[24:], uint64(s.Mtime))
	binary.LittleEndian.PutUint64(b[32:], uint64(s.Ctime))
	h := sha256.Sum256(append(b, content...))
	return [16]byte(h[:16])
}
