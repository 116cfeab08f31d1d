package stamp

import "testing"

// A Key tells apart every field of the Stamp and the content it is given.
func TestKey(t *testing.T) {
	s := Stamp{Dev: 1, Ino: 2, Size: 3, Mtime: 4, Ctime: 5}
	base := s.Key(nil)
	if s.Key(nil) != base || s.Key([]byte{}) != base {
		t.Fatal("Key is not a function of its inputs")
	}
	for i, moved := range []Stamp{
		{Dev: 9, Ino: 2, Size: 3, Mtime: 4, Ctime: 5},
		{Dev: 1, Ino: 9, Size: 3, Mtime: 4, Ctime: 5},
		{Dev: 1, Ino: 2, Size: 9, Mtime: 4, Ctime: 5},
		{Dev: 1, Ino: 2, Size: 3, Mtime: 9, Ctime: 5},
		{Dev: 1, Ino: 2, Size: 3, Mtime: 4, Ctime: 9},
		{Dev: 2, Ino: 1, Size: 3, Mtime: 4, Ctime: 5},
	} {
		if moved.Key(nil) == base {
			t.Errorf("stamp %d keeps the key", i)
		}
	}
	if s.Key([]byte("digest")) == base || s.Key([]byte("digest")) == s.Key([]byte("other")) {
		t.Error("the content does not move the key")
	}
}

// A build keys every file it keeps; the key of a stamp and a digest
// allocates nothing.
func TestKeyAllocates(t *testing.T) {
	s := Stamp{Dev: 1, Ino: 2, Size: 3, Mtime: 4, Ctime: 5}
	sum := make([]byte, 32)
	if n := testing.AllocsPerRun(100, func() { s.Key(sum) }); n != 0 {
		t.Errorf("Key allocates %v times", n)
	}
}
