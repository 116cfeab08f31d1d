// Package binfmt is the small binary form of the files a build keeps
// beside its output for the next one (the spare tree's index, the client
// cache): uvarints and length-prefixed strings after a magic line, sealed
// by the SHA-256 of what precedes it, so that a torn, truncated or edited
// file reads as none. Gob or JSON would do, at many times the cost for
// 100,000 records: these files are read and written on every build.
package binfmt

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"hash"
	"io"
	"unsafe"
)

// ErrFormat is what Open and a Reader report of bytes that are not a
// whole, sealed file of the expected kind.
var ErrFormat = errors.New("not a file of this kind, or a damaged one")

// Buf is a file being written. Start it with New.
type Buf []byte

// New starts a file with its magic line, with room for size bytes.
func New(magic string, size int) Buf {
	return append(make(Buf, 0, len(magic)+size+sha256.Size), magic...)
}

func (b Buf) Uvarint(v uint64) Buf { return binary.AppendUvarint(b, v) }

func (b Buf) Varint(v int64) Buf { return binary.AppendVarint(b, v) }

func (b Buf) String(s string) Buf { return append(b.Uvarint(uint64(len(s))), s...) }

// Bytes writes p as String writes a string: a record that Reader.Bytes
// reads back whole.
func (b Buf) Bytes(p []byte) Buf { return append(b.Uvarint(uint64(len(p))), p...) }

func (b Buf) Strings(l []string) Buf {
	b = b.Uvarint(uint64(len(l)))
	for _, s := range l {
		b = b.String(s)
	}
	return b
}

func (b Buf) Sum(s [sha256.Size]byte) Buf { return append(b, s[:]...) }

func (b Buf) Byte(c byte) Buf { return append(b, c) }

// Seal ends the file with the SHA-256 of its bytes.
func (b Buf) Seal() []byte {
	s := sha256.Sum256(b)
	return append(b, s[:]...)
}

// A Writer writes a file to w a piece at a time, sealed as Seal seals it:
// a file of 100,000 records need not be held whole to be written.
type Writer struct {
	bw *bufio.Writer
	w  io.Writer
	h  hash.Hash
}

// NewWriter starts a file with its magic line.
func NewWriter(w io.Writer, magic string) *Writer {
	h := sha256.New()
	x := &Writer{bw: bufio.NewWriterSize(io.MultiWriter(w, h), 64<<10), w: w, h: h}
	x.bw.WriteString(magic)
	return x
}

// Write adds b to the file; its error is the first of the file's writes.
func (x *Writer) Write(b Buf) error {
	_, err := x.bw.Write(b)
	return err
}

// Close writes what is left and the seal. It does not close w.
func (x *Writer) Close() error {
	if err := x.bw.Flush(); err != nil {
		return err
	}
	_, err := x.w.Write(x.h.Sum(nil))
	return err
}

// Open checks that b is a sealed file starting with magic and returns a
// Reader of what follows the magic line.
func Open(b []byte, magic string) (*Reader, error) {
	if len(b) < len(magic)+sha256.Size || !bytes.HasPrefix(b, []byte(magic)) {
		return nil, ErrFormat
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if s := sha256.Sum256(body); !bytes.Equal(s[:], sum) {
		return nil, ErrFormat
	}
	return &Reader{r: body[len(magic):]}, nil
}

// Reader reads a file's values in order. A value that is not there gives
// its zero, and Err then reports ErrFormat: a decoder checks once, at the
// end of a record, rather than after every value.
type Reader struct {
	r      []byte
	bad    bool
	shared bool // see Share
}

// Share makes the strings r reads from now on share the bytes it reads
// rather than copy them, and returns r. Those bytes must never change
// while a string may still be in use: a file read whole into memory and
// then left alone, as the cache and the indexes are. 100,000 clients then
// cost one block that the garbage collector marks at once rather than
// 600,000 strings it marks one by one.
func (r *Reader) Share() *Reader {
	r.shared = true
	return r
}

func (r *Reader) Uvarint() uint64 {
	v, n := binary.Uvarint(r.r)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.r = r.r[n:]
	return v
}

func (r *Reader) Varint() int64 {
	v, n := binary.Varint(r.r)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.r = r.r[n:]
	return v
}

// Count reads a number of records, each at least min bytes long, refusing
// one that the rest of the file cannot hold: a damaged count must not size
// an allocation.
func (r *Reader) Count(min int) int {
	n := r.Uvarint()
	if n > uint64(len(r.r)/max(min, 1)) {
		r.bad = true
		return 0
	}
	return int(n)
}

// Bytes reads what Buf.String wrote as the file's own bytes, not a copy:
// a record framed so that a reader can skip it, or read it later.
func (r *Reader) Bytes() []byte {
	n := r.Uvarint()
	if r.bad || n > uint64(len(r.r)) {
		r.bad = true
		return nil
	}
	b := r.r[:n:n]
	r.r = r.r[n:]
	return b
}

// NewReader reads b, a record that Bytes returned.
func NewReader(b []byte) *Reader { return &Reader{r: b} }

func (r *Reader) String() string {
	b := r.Bytes()
	if r.shared && len(b) > 0 {
		return unsafe.String(&b[0], len(b))
	}
	return string(b)
}

// Strings reads a list written by Buf.Strings; nil when it is empty.
func (r *Reader) Strings() []string {
	n := r.Count(1)
	if n == 0 {
		return nil
	}
	l := make([]string, n)
	for i := range l {
		l[i] = r.String()
	}
	return l
}

// Take reads the next n bytes, written as they are, as the file's own
// bytes; zeros when the file holds fewer.
func (r *Reader) Take(n int) []byte {
	if len(r.r) < n {
		r.bad = true
		return make([]byte, n)
	}
	b := r.r[:n:n]
	r.r = r.r[n:]
	return b
}

func (r *Reader) Sum() (s [sha256.Size]byte) {
	if len(r.r) < sha256.Size {
		r.bad = true
		return s
	}
	copy(s[:], r.r)
	r.r = r.r[sha256.Size:]
	return s
}

func (r *Reader) Byte() byte {
	if len(r.r) == 0 {
		r.bad = true
		return 0
	}
	c := r.r[0]
	r.r = r.r[1:]
	return c
}

// Err is ErrFormat once a read has failed.
func (r *Reader) Err() error {
	if r.bad {
		return ErrFormat
	}
	return nil
}

// End is Err, and ErrFormat too when bytes are left over.
func (r *Reader) End() error {
	if r.bad || len(r.r) != 0 {
		return ErrFormat
	}
	return nil
}
