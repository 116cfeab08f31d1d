package binfmt

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"slices"
	"testing"
)

const magic = "test file 1\n"

func sample() []byte {
	var rec Buf
	rec = rec.String("inner").Uvarint(7)
	b := New(magic, 0).Uvarint(300).Varint(-5).String("héllo").Strings([]string{"a", "", "c"}).Sum(sha256.Sum256([]byte("x"))).Byte(9)
	return b.String(string(rec)).Seal()
}

func TestRoundTrip(t *testing.T) {
	r, err := Open(sample(), magic)
	if err != nil {
		t.Fatal(err)
	}
	if v := r.Uvarint(); v != 300 {
		t.Errorf("Uvarint = %d", v)
	}
	if v := r.Varint(); v != -5 {
		t.Errorf("Varint = %d", v)
	}
	if s := r.String(); s != "héllo" {
		t.Errorf("String = %q", s)
	}
	if l := r.Strings(); !slices.Equal(l, []string{"a", "", "c"}) {
		t.Errorf("Strings = %q", l)
	}
	if s := r.Sum(); s != sha256.Sum256([]byte("x")) {
		t.Errorf("Sum = %x", s)
	}
	if c := r.Byte(); c != 9 {
		t.Errorf("Byte = %d", c)
	}
	inner := NewReader(r.Bytes())
	if s, v := inner.String(), inner.Uvarint(); s != "inner" || v != 7 || inner.End() != nil {
		t.Errorf("record = %q %d %v", s, v, inner.End())
	}
	if err := r.End(); err != nil {
		t.Errorf("End: %v", err)
	}
}

// Every damage, and every value read past the end, reads as ErrFormat.
func TestDamage(t *testing.T) {
	b := sample()
	for i := range b {
		d := slices.Clone(b)
		d[i] ^= 0x40
		if _, err := Open(d, magic); !errors.Is(err, ErrFormat) {
			t.Fatalf("byte %d flipped: %v", i, err)
		}
	}
	for n := range len(b) {
		if _, err := Open(b[:n], magic); !errors.Is(err, ErrFormat) {
			t.Fatalf("cut to %d bytes: %v", n, err)
		}
	}
	if _, err := Open(b, "other 1\n"); !errors.Is(err, ErrFormat) {
		t.Errorf("another magic: %v", err)
	}
	r := NewReader(New("", 0).Uvarint(1 << 40))
	if n := r.Count(1); n != 0 || r.Err() == nil {
		t.Errorf("a count past the file's end: %d, %v", n, r.Err())
	}
	r = NewReader(nil)
	if s := r.String(); s != "" || r.Err() == nil {
		t.Errorf("a string past the end: %q, %v", s, r.Err())
	}
}

// A shared Reader's strings are the file's own bytes; another's are
// copies, which a change to the bytes leaves alone.
func TestShare(t *testing.T) {
	b := sample()
	read := func(r *Reader) (string, []string) {
		r.Uvarint()
		r.Varint()
		return r.String(), r.Strings()
	}
	copied, _ := Open(b, magic)
	shared, _ := Open(b, magic)
	s1, _ := read(copied)
	s2, l2 := read(shared.Share())
	if s1 != "héllo" || s2 != "héllo" || !slices.Equal(l2, []string{"a", "", "c"}) {
		t.Fatalf("read %q and %q, %q", s1, s2, l2)
	}
	at := bytes.Index(b, []byte("héllo"))
	b[at] = 'H'
	if s1 != "héllo" {
		t.Errorf("a copied string changed with the bytes: %q", s1)
	}
	if s2 != "Héllo" {
		t.Errorf("a shared string is not the bytes: %q", s2)
	}
}

// A file written a piece at a time is the file Seal makes.
func TestWriter(t *testing.T) {
	var rec Buf
	rec = rec.String("inner").Uvarint(7)
	var out bytes.Buffer
	w := NewWriter(&out, magic)
	parts := []Buf{Buf(nil).Uvarint(300).Varint(-5), Buf(nil).String("héllo").Strings([]string{"a", "", "c"}),
		Buf(nil).Sum(sha256.Sum256([]byte("x"))).Byte(9).Bytes(rec)}
	for _, p := range parts {
		if err := w.Write(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if want := sample(); !bytes.Equal(out.Bytes(), want) {
		t.Errorf("written:\n%q\nwant:\n%q", out.Bytes(), want)
	}
	big := bytes.Repeat([]byte("y"), 200<<10) // past the writer's buffer
	out.Reset()
	w = NewWriter(&out, magic)
	w.Write(Buf(nil).Bytes(big))
	w.Close()
	r, err := Open(out.Bytes(), magic)
	if err != nil || !bytes.Equal(r.Bytes(), big) || r.End() != nil {
		t.Errorf("a large record does not read back: %v", err)
	}
}
