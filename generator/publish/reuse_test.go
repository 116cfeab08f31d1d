//go:build unix

package publish_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/publish"
)

func inode(t *testing.T, p string) fs.FileInfo {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi
}

// A rebuild that keeps no spare keeps the inode of every file whose bytes
// did not change, gives a changed file a new one, and leaves nothing shared
// with the old tree.
func TestWriteReusesUnchangedFiles(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	if err := publish.Write(out, site("v1")); err != nil {
		t.Fatal(err)
	}
	write := func(as []artifact.Artifact) error {
		return publish.Options{NoSpare: true}.Write(context.Background(), out, as)
	}
	jwks := inode(t, filepath.Join(out, "jwks.json"))
	conf := inode(t, filepath.Join(out, ".well-known/openid-configuration"))
	if err := write(site("v2")); err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(jwks, inode(t, filepath.Join(out, "jwks.json"))) {
		t.Error("an unchanged file was written again")
	}
	if os.SameFile(conf, inode(t, filepath.Join(out, ".well-known/openid-configuration"))) {
		t.Error("a changed file kept its inode")
	}
	if got := snapshot(t, out); got["jwks.json"] != `-rw-r--r-- {"keys":[]}` || got[".well-known/openid-configuration"] != "-rw-r--r-- v2" {
		t.Errorf("got %q", got)
	}
	if n := inode(t, filepath.Join(out, "jwks.json")).Sys().(*syscall.Stat_t).Nlink; n != 1 {
		t.Errorf("jwks.json has %d links after the old tree went", n)
	}
	if _, err := os.Lstat(publish.SparePath(out)); err == nil {
		t.Error("a spare was kept")
	}
}

// Only a plain file of the old tree, reached through real directories, with
// the mode a build gives it and no other name, is reused; the rest is written
// afresh and whatever the old tree pointed at is left alone.
func TestWriteReusesOnlyPlainFiles(t *testing.T) {
	body := []byte(`{"keys":[]}`)
	as := []artifact.Artifact{{Path: "d/jwks.json", Body: body}, mark}
	for name, spoil := range map[string]func(t *testing.T, out, elsewhere string){
		"symlink to a file": func(t *testing.T, out, elsewhere string) {
			os.WriteFile(filepath.Join(elsewhere, "jwks.json"), body, 0o644)
			os.Symlink(filepath.Join(elsewhere, "jwks.json"), filepath.Join(out, "d/jwks.json"))
		},
		"symlink to a directory": func(t *testing.T, out, elsewhere string) {
			os.WriteFile(filepath.Join(elsewhere, "jwks.json"), body, 0o644)
			os.Symlink(elsewhere, filepath.Join(out, "d"))
		},
		"another link": func(t *testing.T, out, elsewhere string) {
			os.WriteFile(filepath.Join(elsewhere, "jwks.json"), body, 0o644)
			os.Link(filepath.Join(elsewhere, "jwks.json"), filepath.Join(out, "d/jwks.json"))
		},
		"another mode": func(t *testing.T, out, elsewhere string) {
			os.WriteFile(filepath.Join(out, "d/jwks.json"), body, 0o600)
		},
		"other bytes, same size": func(t *testing.T, out, elsewhere string) {
			os.WriteFile(filepath.Join(out, "d/jwks.json"), bytes.ToUpper(body), 0o644)
		},
		"more bytes": func(t *testing.T, out, elsewhere string) {
			os.WriteFile(filepath.Join(out, "d/jwks.json"), append(body, '\n'), 0o644)
		},
	} {
		t.Run(name, func(t *testing.T) {
			out, elsewhere := filepath.Join(t.TempDir(), "out"), t.TempDir()
			if err := os.MkdirAll(filepath.Join(out, "d"), 0o755); err != nil {
				t.Fatal(err)
			}
			if name == "symlink to a directory" {
				os.Remove(filepath.Join(out, "d"))
			}
			spoil(t, out, elsewhere)
			if err := os.WriteFile(filepath.Join(out, mark.Path), mark.Body, 0o644); err != nil {
				t.Fatal(err)
			}
			var before fs.FileInfo
			if _, err := os.Lstat(filepath.Join(elsewhere, "jwks.json")); err == nil {
				before = inode(t, filepath.Join(elsewhere, "jwks.json"))
			}
			if err := publish.Write(out, as); err != nil {
				t.Fatal(err)
			}
			got := inode(t, filepath.Join(out, "d/jwks.json"))
			if !got.Mode().IsRegular() || got.Mode().Perm() != 0o644 || got.Sys().(*syscall.Stat_t).Nlink != 1 {
				t.Errorf("published %v with %d links", got.Mode(), got.Sys().(*syscall.Stat_t).Nlink)
			}
			if b, _ := os.ReadFile(filepath.Join(out, "d/jwks.json")); !bytes.Equal(b, body) {
				t.Errorf("published %q", b)
			}
			if before != nil {
				if os.SameFile(before, got) {
					t.Error("the published file is the one outside the tree")
				}
				if b, _ := os.ReadFile(filepath.Join(elsewhere, "jwks.json")); !bytes.Equal(b, body) {
					t.Error("the file outside the tree changed")
				}
			}
		})
	}
}

// Every directory is held open while files are written; none stays open.
func TestWriteLeaksNoDescriptors(t *testing.T) {
	fds := func() int {
		entries, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skip("no /proc/self/fd")
		}
		return len(entries)
	}
	out := filepath.Join(t.TempDir(), "out")
	as := append(site("v1"), artifact.Artifact{Path: "a/b/c.json", Body: []byte("{}")})
	if err := publish.Write(out, as); err != nil {
		t.Fatal(err)
	}
	before := fds()
	for _, as := range [][]artifact.Artifact{as, append(as, artifact.Artifact{Path: "../x", Body: nil})} {
		publish.Write(out, as)
	}
	if after := fds(); after != before {
		t.Errorf("%d descriptors open before, %d after", before, after)
	}
}
