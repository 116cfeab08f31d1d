//go:build unix

package publish

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/internal/binfmt"
)

func gen(v string, n int) []artifact.Artifact {
	as := []artifact.Artifact{{Path: "digests.json", Body: []byte(`{"documents":[{"path":"x","sha256":"","copy":""}]}`)}}
	for i := range n {
		body := "same"
		if i%3 == 0 {
			body = v
		}
		as = append(as, artifact.Artifact{Path: fmt.Sprintf("c/%03d.json", i), Body: []byte(body)})
	}
	return as
}

// A build that dies halfway through patching the spare (a panic here,
// which runs no cleanup, as kill -9 would not) leaves out as it was and a
// spare without an index; the next build removes that spare, says so, and
// writes exactly its artifacts.
func TestSpareCrashMidPatch(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	for _, v := range []string{"v1", "v2"} {
		if err := Write(out, gen(v, 60)); err != nil {
			t.Fatal(err)
		}
	}
	before, err := os.ReadFile(filepath.Join(out, "c/000.json"))
	if err != nil {
		t.Fatal(err)
	}
	v3 := gen("v3", 40)
	func() {
		defer func() {
			if r := recover(); r != "crash" {
				t.Fatalf("recovered %v", r)
			}
		}()
		Options{}.replace(context.Background(), out, func(tr *tree) error {
			if tr.root != SparePath(out) {
				t.Fatalf("filling %s, not the spare", tr.root)
			}
			if _, err := os.Lstat(spareIndexPath(out)); err == nil {
				t.Fatal("the spare's index is there while it is patched")
			}
			for _, a := range v3[:len(v3)/2] {
				if err := tr.put(path.Dir(a.Path), path.Base(a.Path), a.Body); err != nil {
					t.Fatal(err)
				}
			}
			panic("crash")
		})
	}()
	if b, _ := os.ReadFile(filepath.Join(out, "c/000.json")); !bytes.Equal(b, before) {
		t.Fatalf("out changed: %q", b)
	}
	if _, err := os.Lstat(SparePath(out)); err != nil {
		t.Fatal("the half-patched spare is not there to test with")
	}
	var notes []string
	v4 := gen("v4", 50)
	if err := (Options{Note: func(m string) { notes = append(notes, m) }}).Write(context.Background(), out, v4); err != nil {
		t.Fatal(err)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "by an interrupted build") {
		t.Errorf("notes: %q", notes)
	}
	got := map[string]string{}
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(out, p)
			got[filepath.ToSlash(rel)] = string(b)
		}
		return nil
	})
	if len(got) != len(v4) {
		t.Errorf("out holds %d files, want %d", len(got), len(v4))
	}
	for _, a := range v4 {
		if got[a.Path] != string(a.Body) {
			t.Errorf("%s = %q, want %q", a.Path, got[a.Path], a.Body)
		}
	}
	// And the build after patches the spare again.
	if err := Write(out, gen("v5", 50)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(spareIndexPath(out)); err != nil {
		t.Error("no spare index after two good builds")
	}
}

// The index reads back as written, and any other bytes read as none
// rather than as a wrong index.
func FuzzDecodeIndex(f *testing.F) {
	x := &index{root: [2]uint64{1, 2}, files: map[string]entry{
		"a":     entryOf(identity{Dev: 1, Ino: 7, Size: 3, Mtime: 1 << 60, Ctime: -1}, [32]byte{1}),
		"c/d/e": entryOf(identity{Ino: 1 << 40}, [32]byte{}),
	}}
	good := encoded(f, x)
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add([]byte(indexMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		y, err := decodeIndex(b)
		if err != nil {
			return
		}
		z, err := decodeIndex(encoded(t, y))
		if err != nil || !reflect.DeepEqual(y, z) {
			t.Fatalf("decoded %x, which does not read back: %v", b, err)
		}
	})
}

func TestIndexRoundTrip(t *testing.T) {
	x := &index{root: [2]uint64{1, 2}, files: map[string]entry{
		"a":     entryOf(identity{Dev: 1, Ino: 7, Size: 3, Mtime: 1 << 60, Ctime: -1}, [32]byte{1}),
		"c/d/e": entryOf(identity{Ino: 1 << 40}, [32]byte{}),
	}}
	y, err := decodeIndex(encoded(t, x))
	if err != nil || y.root != x.root || len(y.files) != 2 || y.files["a"] != x.files["a"] || y.files["c/d/e"] != x.files["c/d/e"] {
		t.Fatalf("%v %+v", err, y)
	}
}

func encoded(t testing.TB, x *index) []byte {
	var b bytes.Buffer
	if err := x.encode(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// An entry tells apart every change of identity or digest, each of which
// the tree must not take for the file it recorded.
func TestEntryOf(t *testing.T) {
	id := identity{Dev: 1, Ino: 2, Size: 3, Mtime: 4, Ctime: 5}
	sum := [32]byte{6}
	base := entryOf(id, sum)
	if entryOf(id, sum) != base {
		t.Fatal("entryOf is not a function of its inputs")
	}
	moved := []func(*identity, *[32]byte){
		func(i *identity, _ *[32]byte) { i.Dev++ },
		func(i *identity, _ *[32]byte) { i.Ino++ },
		func(i *identity, _ *[32]byte) { i.Size++ },
		func(i *identity, _ *[32]byte) { i.Mtime++ },
		func(i *identity, _ *[32]byte) { i.Ctime++ },
		func(_ *identity, s *[32]byte) { s[31] ^= 1 },
		func(i *identity, _ *[32]byte) { i.Dev, i.Ino = i.Ino, i.Dev },
	}
	for n, move := range moved {
		i, s := id, sum
		move(&i, &s)
		if entryOf(i, s) == base {
			t.Errorf("change %d keeps the entry", n)
		}
	}
}

// readIndex vouches for an index's files only once they decode: one that
// is sealed but does not decode (a bug, not damage, which the seal finds)
// vouches for none, and every file is then read to be compared.
func TestReadIndexDecodesAfter(t *testing.T) {
	root := [2]uint64{7, 8}
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	x := &index{root: root, files: map[string]entry{"a": {1}, "b/c": {2}}}
	if err := os.WriteFile(good, encoded(t, x), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad")
	body := binfmt.New(indexMagic, 0).Uvarint(root[0]).Uvarint(root[1]).Uvarint(2).String("a")
	body = append(body, make([]byte, len(entry{}))...)
	for range 20 {
		body = body.Byte(0xff) // the second path's length, past any varint's
	}
	if err := os.WriteFile(bad, body.Seal(), 0o644); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]map[string]entry{good: x.files, bad: {}} {
		y := readIndex(p, root)
		if y == nil || y.n != 2 {
			t.Fatalf("%s: %+v", p, y)
		}
		y.wait()
		if !maps.Equal(y.files, want) || y.files == nil {
			t.Errorf("%s: files %v, want %v", p, y.files, want)
		}
	}
	if readIndex(good, [2]uint64{7, 9}) != nil {
		t.Error("an index of another root was taken")
	}
}
