//go:build !unix

package publish

import (
	"os"
	"path/filepath"
)

// tree is the directory a build is written to. Without link counts to tell
// that no other name shares a file, nothing of the previous build is reused
// here.
type tree struct{ root string }

func newTree(root, _ string) *tree { return &tree{root: root} }

func (t *tree) mkdir(dir string) error {
	return withoutPath(os.MkdirAll(filepath.Join(t.root, filepath.FromSlash(dir)), 0o755))
}

func (t *tree) put(dir, name string, body []byte) error {
	return withoutPath(os.WriteFile(filepath.Join(t.root, filepath.FromSlash(dir), name), body, 0o644))
}

func (t *tree) close() {}
