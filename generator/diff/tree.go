package diff

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/hosting"
	"github.com/wellknown-dev/wellknown/generator/tree"
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
	files, problems, err := tree.Read(dir)
	if err != nil {
		return Tree{}, err
	}
	if len(problems) > 0 {
		return Tree{}, fmt.Errorf("%s: %w", dir, errors.Join(problems...))
	}
	t := Tree{Files: map[string]File{}}
	hdr, hasHeaders := files[HeadersFile]
	for p, b := range files {
		if p != HeadersFile {
			t.Files[p] = File{Body: b}
		}
	}
	if hasHeaders {
		rules, err := hosting.ParseHeaders(hdr)
		if err != nil {
			return Tree{}, fmt.Errorf("%s: %w", dir, err)
		}
		// The control files are in the tree but not served: no headers.
		served := slices.DeleteFunc(slices.Collect(maps.Keys(t.Files)), hosting.IsControl)
		hs, err := hosting.Resolve(rules, served)
		if err != nil {
			return Tree{}, fmt.Errorf("%s: %w", dir, err)
		}
		for p, f := range t.Files {
			f.Header = hs[p]
			if f.Header == nil {
				f.Header = http.Header{}
			}
			t.Files[p] = f
		}
	}
	return t, nil
}
