package publish_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/publish"
)

func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			out[rel+"/"] = ""
			return nil
		}
		b, _ := os.ReadFile(p)
		fi, _ := d.Info()
		out[rel] = fi.Mode().String() + " " + string(b)
		return nil
	})
	return out
}

func equal(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// mark is the index every build writes, by which a Write knows a tree as
// a previous build.
var mark = artifact.Artifact{Path: "digests.json", Body: []byte(`{"documents":[{"path":"jwks.json","sha256":"","copy":""}]}`)}

func site(body string) []artifact.Artifact {
	return []artifact.Artifact{
		{Path: ".well-known/openid-configuration", Body: []byte(body)},
		mark,
		{Path: "jwks.json", Body: []byte(`{"keys":[]}`)},
	}
}

// besideOut are what a Write keeps beside out: the spare and the indexes.
var besideOut = map[string]bool{"out": true, ".out.index": true, ".out.spare": true, ".out.spare.index": true}

// leftovers lists what is beside out in parent, but for the spare and the
// indexes: neither a temporary tree nor the lock should stay.
func leftovers(t *testing.T, parent string) []string {
	t.Helper()
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !besideOut[e.Name()] {
			names = append(names, e.Name())
		}
	}
	return names
}

func TestWriteReplacesWhole(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	if err := publish.Write(out, append(site("v1"), artifact.Artifact{Path: "old-only.json", Body: []byte("x")})); err != nil {
		t.Fatal(err)
	}
	if err := publish.Write(out, site("v2")); err != nil {
		t.Fatal(err)
	}
	got := snapshot(t, out)
	if _, ok := got["old-only.json"]; ok {
		t.Error("a file of the previous build survived")
	}
	if got[".well-known/openid-configuration"] != "-rw-r--r-- v2" {
		t.Errorf("got %q", got[".well-known/openid-configuration"])
	}
	if l := leftovers(t, parent); len(l) > 0 {
		t.Errorf("leftovers beside out: %v", l)
	}
}

// A build that fails while writing leaves the previous output byte for byte,
// and nothing beside it.
func TestFailedWriteLeavesPreviousOutput(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	if err := publish.Write(out, site("v1")); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, out)
	for name, as := range map[string][]artifact.Artifact{
		"bad path midway":  append(site("v2"), artifact.Artifact{Path: "../escape", Body: []byte("x")}),
		"duplicate path":   append(site("v2"), artifact.Artifact{Path: "jwks.json", Body: []byte("y")}),
		"file under file":  append(site("v2"), artifact.Artifact{Path: "jwks.json/x", Body: []byte("y")}),
		"absolute path":    append(site("v2"), artifact.Artifact{Path: "/etc/passwd", Body: []byte("y")}),
		"dot-dot inside":   append(site("v2"), artifact.Artifact{Path: "a/../../b", Body: []byte("y")}),
		"empty path":       append(site("v2"), artifact.Artifact{Path: "", Body: []byte("y")}),
		"directory target": append(site("v2"), artifact.Artifact{Path: "dir/", Body: []byte("y")}),
	} {
		if err := publish.Write(out, as); err == nil {
			t.Errorf("%s: write succeeded", name)
		}
		if after := snapshot(t, out); !equal(before, after) {
			t.Errorf("%s: previous output changed", name)
		}
		if l := leftovers(t, parent); len(l) > 0 {
			t.Errorf("%s: leftovers beside out: %v", name, l)
		}
	}
	if _, err := os.Stat(filepath.Join(parent, "escape")); err == nil {
		t.Error("a file was written outside the output")
	}
}

func TestRefusesSourceTrees(t *testing.T) {
	for _, marker := range []string{".git", "site.yaml", "go.mod"} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, marker), []byte("x"), 0o644)
		err := publish.Write(dir, site("v1"))
		if err == nil || !strings.Contains(err.Error(), "refusing to replace it") {
			t.Errorf("%s: err = %v", marker, err)
		}
		if b, _ := os.ReadFile(filepath.Join(dir, marker)); !bytes.Equal(b, []byte("x")) {
			t.Errorf("%s: the tree was touched", marker)
		}
	}
	f := filepath.Join(t.TempDir(), "file")
	os.WriteFile(f, []byte("x"), 0o644)
	if err := publish.Write(f, site("v1")); err == nil {
		t.Error("a regular file was replaced by a directory")
	}
}
