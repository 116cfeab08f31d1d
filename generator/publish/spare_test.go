//go:build unix

package publish_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/publish"
	"github.com/wellknown-dev/wellknown/internal/testfs"
)

func ino(t *testing.T, p string) uint64 {
	t.Helper()
	return inode(t, p).Sys().(*syscall.Stat_t).Ino
}

// inodes maps every file under dir to its inode and bytes.
func inodes(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for p, v := range snapshot(t, dir) {
		if !strings.HasSuffix(p, "/") {
			m[p] = fmt.Sprint(ino(t, filepath.Join(dir, p)), " ", v)
		}
	}
	return m
}

func with(as []artifact.Artifact, more ...artifact.Artifact) []artifact.Artifact {
	return append(slices.Clone(as), more...)
}

func art(p, body string) artifact.Artifact { return artifact.Artifact{Path: p, Body: []byte(body)} }

// The second rebuild patches the spare: a file it holds is kept (its inode
// too), a file out holds is linked from out, a new one is written, and
// what the build lacks goes. The trees' inodes are never written: out,
// served meanwhile, becomes the spare exactly as it was.
func TestSparePatch(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	spare := publish.SparePath(out)
	if spare != filepath.Join(parent, ".out.spare") {
		t.Fatalf("SparePath = %s", spare)
	}
	v1 := with(site("v1"), art("c/same.json", "same"), art("c/gone.json", "gone"), art("c/twice.json", "t1"))
	v2 := with(site("v2"), art("c/same.json", "same"), art("c/twice.json", "t2"), art("c/v2.json", "v2"))
	v3 := with(site("v3"), art("c/same.json", "same"), art("c/twice.json", "t2"), art("c/new.json", "new"))
	if err := publish.Write(out, v1); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(spare); err == nil {
		t.Fatal("a first build kept a spare")
	}
	same := ino(t, filepath.Join(out, "c/same.json"))
	if err := publish.Write(out, v2); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{spare, filepath.Join(parent, ".out.spare.index"), filepath.Join(parent, ".out.index")} {
		if _, err := os.Lstat(p); err != nil {
			t.Fatalf("after a rebuild: %v", err)
		}
	}
	v1Tree := snapshot(t, spare)
	served := inodes(t, out)
	spareRoot := ino(t, spare)
	twice := ino(t, filepath.Join(out, "c/twice.json"))
	if err := publish.Write(out, v3); err != nil {
		t.Fatal(err)
	}
	if ino(t, out) != spareRoot {
		t.Error("out is not the patched spare")
	}
	if got := inodes(t, spare); !equal(got, served) {
		t.Errorf("the tree that was out changed:\n got %v\nwant %v", got, served)
	}
	if ino(t, filepath.Join(out, "c/same.json")) != same {
		t.Error("a file the spare holds was not kept")
	}
	if ino(t, filepath.Join(out, "c/twice.json")) != twice {
		t.Error("a file out holds was not linked from it")
	}
	fresh := filepath.Join(t.TempDir(), "out")
	if err := publish.Write(fresh, v3); err != nil {
		t.Fatal(err)
	}
	if got, want := snapshot(t, out), snapshot(t, fresh); !equal(got, want) {
		t.Errorf("patched spare:\n%v\nfresh write:\n%v", got, want)
	}
	if equal(v1Tree, snapshot(t, out)) {
		t.Fatal("test is void: v1 and v3 are the same")
	}
	if l := leftovers(t, parent); len(l) > 0 {
		t.Errorf("left beside out: %v", l)
	}
}

// A spare changed after its build, whatever the change, is detected by
// its stat identity and written again, even when the bytes are changed in
// place and the mtime put back.
func TestSpareEditedByHand(t *testing.T) {
	v1 := with(site("v1"), art("c/a.json", "aaaa"), art("c/b/x.json", "x"), art("d/f", "f"))
	v2 := with(site("v2"), art("c/a.json", "AAAA"), art("c/b/x.json", "x"), art("d/f", "f"))
	for name, edit := range map[string]func(t *testing.T, spare string){
		"same size, mtime put back": func(t *testing.T, spare string) {
			p := filepath.Join(spare, "c/a.json")
			fi := inode(t, p)
			f, err := os.OpenFile(p, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteAt([]byte("bbbb"), 0)
			f.Close()
			os.Chtimes(p, fi.ModTime(), fi.ModTime())
		},
		"other size": func(t *testing.T, spare string) {
			os.WriteFile(filepath.Join(spare, "c/a.json"), []byte("aaaaa"), 0o644)
		},
		"mode": func(t *testing.T, spare string) { os.Chmod(filepath.Join(spare, "c/a.json"), 0o600) },
		"symlink": func(t *testing.T, spare string) {
			os.Remove(filepath.Join(spare, "c/a.json"))
			os.Symlink("../../out/c/a.json", filepath.Join(spare, "c/a.json"))
		},
		"directory": func(t *testing.T, spare string) {
			os.Remove(filepath.Join(spare, "c/a.json"))
			os.MkdirAll(filepath.Join(spare, "c/a.json/z"), 0o755)
		},
		"file for a directory": func(t *testing.T, spare string) {
			os.RemoveAll(filepath.Join(spare, "c/b"))
			os.WriteFile(filepath.Join(spare, "c/b"), []byte("x"), 0o644)
		},
		"symlinked directory": func(t *testing.T, spare string) {
			os.RemoveAll(filepath.Join(spare, "d"))
			os.Symlink(t.TempDir(), filepath.Join(spare, "d"))
		},
		"directory mode": func(t *testing.T, spare string) { os.Chmod(filepath.Join(spare, "c"), 0o700) },
		"extra file": func(t *testing.T, spare string) {
			os.WriteFile(filepath.Join(spare, "c/b/extra"), []byte("x"), 0o644)
		},
		"another link": func(t *testing.T, spare string) {
			os.Link(filepath.Join(spare, "d/f"), filepath.Join(t.TempDir(), "f"))
		},
	} {
		t.Run(name, func(t *testing.T) {
			parent := t.TempDir()
			out := filepath.Join(parent, "out")
			for _, as := range [][]artifact.Artifact{v1, v2} {
				if err := publish.Write(out, as); err != nil {
					t.Fatal(err)
				}
			}
			// The spare holds v1: v3 is v1 again, so that every file of
			// the spare would be kept if it were trusted.
			spare := publish.SparePath(out)
			edit(t, spare)
			time.Sleep(time.Millisecond)
			if err := publish.Write(out, v1); err != nil {
				t.Fatal(err)
			}
			fresh := filepath.Join(t.TempDir(), "out")
			if err := publish.Write(fresh, v1); err != nil {
				t.Fatal(err)
			}
			if got, want := snapshot(t, out), snapshot(t, fresh); !equal(got, want) {
				t.Errorf("got\n%v\nwant\n%v", got, want)
			}
			if fi := inode(t, filepath.Join(out, "c")); fi.Mode().Perm() != 0o755 {
				t.Errorf("c is %v", fi.Mode())
			}
			if n := inode(t, filepath.Join(out, "d/f")).Sys().(*syscall.Stat_t).Nlink; n > 2 {
				t.Errorf("d/f has %d links", n)
			}
		})
	}
}

// Random builds, each a few changes from the last (files added, removed,
// changed, turned into directories and back), give out exactly what a
// fresh write of the same artifacts gives, and leave the build before as
// the spare, unchanged.
func TestSpareMatchesFreshWrite(t *testing.T) {
	parent := scratch(t)
	out := filepath.Join(parent, "out")
	r := rand.New(rand.NewPCG(1, 2))
	files := map[string]string{"digests.json": string(mark.Body)}
	paths := []string{"a", "b", "c/a", "c/b", "c/d/e", "d", "d/x", "e/f/g", "e/f", ".well-known/x", "c"}
	var before map[string]string
	for i := range 40 {
		for range 1 + r.IntN(4) {
			p := paths[r.IntN(len(paths))]
			switch {
			case r.IntN(3) == 0:
				delete(files, p)
			default:
				files[p] = fmt.Sprint(i, r.IntN(3))
			}
		}
		// Drop what conflicts: a file that is another's directory.
		var as []artifact.Artifact
		for p, b := range files {
			conflict := false
			for q := range files {
				if strings.HasPrefix(q, p+"/") {
					conflict = true
				}
			}
			if !conflict {
				as = append(as, art(p, b))
			}
		}
		slices.SortFunc(as, func(a, b artifact.Artifact) int { return strings.Compare(a.Path, b.Path) })
		if err := publish.Write(out, as); err != nil {
			t.Fatalf("build %d: %v", i, err)
		}
		fresh := filepath.Join(t.TempDir(), "out")
		if err := publish.Write(fresh, as); err != nil {
			t.Fatal(err)
		}
		if got, want := snapshot(t, out), snapshot(t, fresh); !equal(got, want) {
			t.Fatalf("build %d:\n got %v\nwant %v", i, got, want)
		}
		if before != nil {
			if got := snapshot(t, publish.SparePath(out)); !equal(got, before) {
				t.Fatalf("build %d: the spare is not the build before:\n got %v\nwant %v", i, got, before)
			}
		}
		before = snapshot(t, out)
	}
	if l := leftovers(t, parent); len(l) > 0 {
		t.Errorf("left beside out: %v", l)
	}
}

// A build that fails while patching leaves out as it was: a list that
// cannot be written does not touch the spare; a full disk costs it.
func TestSpareFailedWrite(t *testing.T) {
	parent := testfs.MustTmpfs(t, "size=256k")
	out := filepath.Join(parent, "out")
	for _, v := range []string{"v1", "v2"} {
		if err := publish.Write(out, site(v)); err != nil {
			t.Fatal(err)
		}
	}
	spare := snapshot(t, publish.SparePath(out))
	before := snapshot(t, out)
	if err := publish.Write(out, with(site("v3"), art("../x", ""))); err == nil {
		t.Fatal("bad path written")
	}
	if !equal(before, snapshot(t, out)) || !equal(spare, snapshot(t, publish.SparePath(out))) {
		t.Fatal("a list that cannot be written changed out or the spare")
	}
	var warns []error
	err := publish.Options{Warn: func(err error) { warns = append(warns, err) }}.Write(context.Background(), out, big())
	if err == nil || !strings.Contains(err.Error(), syscall.ENOSPC.Error()) {
		t.Fatalf("err = %v", err)
	}
	if !equal(before, snapshot(t, out)) {
		t.Error("out changed")
	}
	// The spare is tried first, then a tree of its own.
	if len(warns) != 1 || !strings.Contains(warns[0].Error(), "cannot patch the spare tree") {
		t.Errorf("warnings: %v", warns)
	}
	if l := leftovers(t, parent); len(l) > 0 {
		t.Errorf("left beside out: %v", l)
	}
	if err := publish.Write(out, site("v4")); err != nil {
		t.Fatal(err)
	}
	if got := snapshot(t, out)[".well-known/openid-configuration"]; got != "-rw-r--r-- v4" {
		t.Errorf("out holds %q", got)
	}
}

// unpatchable returns an output built twice, v1 then v2, whose spare
// cannot be patched: a directory of it is immutable.
func unpatchable(t *testing.T) string {
	t.Helper()
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	for _, v := range []string{"v1", "v2"} {
		if err := publish.Write(out, with(site(v), art("d/x", v))); err != nil {
			t.Fatal(err)
		}
	}
	pin(t, parent, filepath.Join(publish.SparePath(out), "d"))
	return out
}

// A spare that cannot be patched costs a warning, and the build writes a
// tree of its own.
func TestSpareUnpatchable(t *testing.T) {
	out := unpatchable(t)
	var warns []error
	o := publish.Options{Warn: func(err error) { warns = append(warns, err) }}
	for _, v := range []string{"v3", "v4"} {
		warns = nil
		if err := o.Write(context.Background(), out, with(site(v), art("d/x", v))); err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		if got := snapshot(t, out)["d/x"]; got != "-rw-r--r-- "+v {
			t.Errorf("%s: out holds %q", v, got)
		}
		if len(warns) == 0 || !strings.Contains(fmt.Sprint(warns), publish.SparePath(out)) {
			t.Errorf("%s: warnings: %v", v, warns)
		}
	}
}

// A corrupt or foreign index is no index: the spare goes, with a note.
func TestSpareBadIndex(t *testing.T) {
	for name, spoil := range map[string]func(p string){
		"flipped byte": func(p string) {
			b, _ := os.ReadFile(p)
			b[len(b)/2] ^= 1
			os.WriteFile(p, b, 0o644)
		},
		"truncated": func(p string) {
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)-1], 0o644)
		},
		"another tree's": func(p string) {
			os.Rename(filepath.Join(filepath.Dir(p), ".out.index"), p)
		},
		"gone": func(p string) { os.Remove(p) },
	} {
		t.Run(name, func(t *testing.T) {
			parent := t.TempDir()
			out := filepath.Join(parent, "out")
			for _, v := range []string{"v1", "v2"} {
				if err := publish.Write(out, with(site(v), art("x", "x"))); err != nil {
					t.Fatal(err)
				}
			}
			spoil(filepath.Join(parent, ".out.spare.index"))
			var notes []string
			o := publish.Options{Note: func(m string) { notes = append(notes, m) }}
			if err := o.Write(context.Background(), out, with(site("v3"), art("x", "x"))); err != nil {
				t.Fatal(err)
			}
			if len(notes) != 1 || !strings.Contains(notes[0], "removed .out.spare, a spare tree left beside "+out+" by an interrupted build") {
				t.Errorf("notes: %q", notes)
			}
			if got := snapshot(t, out)[".well-known/openid-configuration"]; got != "-rw-r--r-- v3" {
				t.Errorf("out holds %q", got)
			}
		})
	}
}

// NoSpare keeps nothing beside out, and removes what a build kept.
func TestNoSpare(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	for _, v := range []string{"v1", "v2"} {
		if err := publish.Write(out, site(v)); err != nil {
			t.Fatal(err)
		}
	}
	if err := (publish.Options{NoSpare: true}).Write(context.Background(), out, site("v3")); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 {
		t.Errorf("beside out: %v", entries)
	}
}

// An index another version of wellknown wrote (as after an upgrade) costs
// the spare, without the note of an interrupted build.
func TestSpareIndexOtherVersion(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	for _, v := range []string{"v1", "v2"} {
		if err := publish.Write(out, with(site(v), art("x", "x"))); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(parent, ".out.spare.index")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	v := bytes.IndexByte(b, '\n') - 1 // the format's version digit
	b[v] = '1'
	os.WriteFile(p, b, 0o644)
	var notes []string
	o := publish.Options{Note: func(m string) { notes = append(notes, m) }}
	if err := o.Write(context.Background(), out, with(site("v3"), art("x", "x"))); err != nil {
		t.Fatal(err)
	}
	if len(notes) != 0 {
		t.Errorf("notes: %q", notes)
	}
	if got := snapshot(t, out)[".well-known/openid-configuration"]; got != "-rw-r--r-- v3" {
		t.Errorf("out holds %q", got)
	}
	if _, err := os.Lstat(publish.SparePath(out)); err != nil {
		t.Errorf("no spare after the build: %v", err)
	}
}

// A build that gives up the spare for a tree of its own renders again:
// what the first attempt handed to Beside is aborted, and the second's
// committed.
func TestBesideRetried(t *testing.T) {
	out := unpatchable(t)
	var attempts []*pending
	render := func(sink artifact.Sink) ([]artifact.Artifact, error) {
		p := &pending{out: out}
		attempts = append(attempts, p)
		publish.Beside(sink, p)
		return with(site("v3"), art("d/x", "v3")), nil
	}
	if err := (publish.Options{Warn: func(error) {}}).Build(context.Background(), out, render); err != nil {
		t.Fatal(err)
	}
	if len(attempts) != 2 {
		t.Fatalf("%d attempts, want 2: the spare was not given up", len(attempts))
	}
	for i, want := range [][]string{{"abort over v2"}, {"commit over v3"}} {
		if !slices.Equal(attempts[i].events, want) {
			t.Errorf("attempt %d: %q, want %q", i+1, attempts[i].events, want)
		}
	}
}

// TestPrevious: a Build's sink reads a file of the previous build only
// when it holds the bytes the caller names by size and digest, which a
// file edited by hand, or a FIFO in its place, does not.
func TestPrevious(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	previous := func(reads func(r artifact.Reader)) {
		t.Helper()
		err := (publish.Options{}).Build(context.Background(), out, func(sink artifact.Sink) ([]artifact.Artifact, error) {
			r, ok := sink.(artifact.Reader)
			if !ok {
				t.Fatal("a Build's sink is not an artifact.Reader")
			}
			reads(r)
			return with(site("v"), art("d/x", "one"), art("d/y", "two")), nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	sum := func(s string) [sha256.Size]byte { return sha256.Sum256([]byte(s)) }
	previous(func(r artifact.Reader) {
		if _, ok := r.Previous("d/x", 3, sum("one")); ok {
			t.Error("a first build read a previous one")
		}
	})
	previous(func(r artifact.Reader) {
		if b, ok := r.Previous("d/x", 3, sum("one")); !ok || string(b) != "one" {
			t.Errorf("the previous build's d/x: %q %v", b, ok)
		}
		for _, c := range []struct {
			path string
			size int
			sum  [sha256.Size]byte
		}{{"d/x", 3, sum("two")}, {"d/x", 4, sum("one")}, {"d/z", 3, sum("one")}, {"d/../d/x", 3, sum("one")}} {
			if b, ok := r.Previous(c.path, c.size, c.sum); ok {
				t.Errorf("Previous(%s, %d) gave %q", c.path, c.size, b)
			}
		}
	})
	// Written over in place, which a build never does, and replaced.
	if err := os.WriteFile(filepath.Join(out, "d", "x"), []byte("six"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(out, "d", "y")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(out, "d", "y"), 0o644); err != nil {
		t.Fatal(err)
	}
	previous(func(r artifact.Reader) {
		if b, ok := r.Previous("d/x", 3, sum("one")); ok {
			t.Errorf("a file edited by hand gave %q", b)
		}
		if b, ok := r.Previous("d/y", 3, sum("two")); ok {
			t.Errorf("a FIFO gave %q", b)
		}
	})
}

// A file of the previous build that cannot be linked fails the build with
// the reason, not as a file that changed while the build read it: tmpfs
// counts each link as an inode, and a full one refuses the link. Out stays
// as it was.
func TestKeepFullFileSystem(t *testing.T) {
	parent := testfs.MustTmpfs(t, "nr_inodes=400")
	out := filepath.Join(parent, "out")
	as := registry(3, "v1")
	if err := (publish.Options{}).Build(context.Background(), out, streamed(as)); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, out)
	keep := func(sink artifact.Sink) ([]artifact.Artifact, error) {
		k, ok := sink.(artifact.Keeper)
		if !ok {
			t.Fatal("a Build's sink keeps no files")
		}
		list := slices.Clone(as)
		for i, a := range list {
			if !strings.HasPrefix(a.Path, "clients/") {
				continue
			}
			list[i] = artifact.Artifact{Path: a.Path, Stored: true, Size: len(a.Body), Digest: sha256.Sum256(a.Body)}
			if kept, err := k.Keep(list[i : i+1]); err != nil || !kept {
				return nil, fmt.Errorf("keep %s: %v, %w", a.Path, kept, err)
			}
		}
		return list, nil
	}
	// Fill the file system, then free an inode at a time until the build
	// gets as far as its first link.
	var fill []string
	for i := 0; ; i++ {
		p := filepath.Join(parent, fmt.Sprint("fill", i))
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
		fill = append(fill, p)
	}
	for {
		if len(fill) == 0 {
			t.Fatal("no inode left to free")
		}
		if err := os.Remove(fill[len(fill)-1]); err != nil {
			t.Fatal(err)
		}
		fill = fill[:len(fill)-1]
		err := (publish.Options{}).Build(context.Background(), out, keep)
		if err == nil {
			t.Fatal("the build never failed at a link")
		}
		if !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("err = %v", err)
		}
		if !equal(before, snapshot(t, out)) {
			t.Fatal("a failed build changed out")
		}
		if strings.Contains(err.Error(), "changed") {
			t.Fatalf("a full file system reads as a changed file: %v", err)
		}
		if strings.Contains(err.Error(), "link: ") {
			break
		}
	}
}
