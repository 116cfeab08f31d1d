package diff

import (
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/hosting"
)

// HeadersFile is the control file a tree carries its headers in (Netlify
// and Cloudflare Pages format). Its changes are reported as header changes.
const HeadersFile = hosting.HeadersFile

// FromArtifacts makes the tree of a build in memory.
func FromArtifacts(as []artifact.Artifact, states map[string]string) Tree {
	t := Tree{Files: map[string]File{}, States: states}
	for _, a := range as {
		if a.Path != HeadersFile {
			t.Files[a.Path] = File{Body: a.Body, Header: a.Header}
		}
	}
	return t
}

// ReadTree reads a published tree from disk. When it holds _headers, every
// file gets the headers it lists (none when it lists none).
func ReadTree(dir string) (Tree, error) {
	t := Tree{Files: map[string]File{}}
	var hdr []byte
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: not a regular file; a published tree holds files only", p)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if rel == HeadersFile {
			hdr = b
			return nil
		}
		t.Files[rel] = File{Body: b}
		return nil
	})
	if err != nil {
		return Tree{}, err
	}
	if hdr != nil {
		rules, err := hosting.ParseHeaders(hdr)
		if err != nil {
			return Tree{}, fmt.Errorf("%s: %w", dir, err)
		}
		byPath := map[string]http.Header{}
		for _, r := range rules {
			byPath[r.Path] = r.Header
		}
		for p, f := range t.Files {
			f.Header = byPath[p]
			if f.Header == nil {
				f.Header = http.Header{}
			}
			t.Files[p] = f
		}
	}
	return t, nil
}
