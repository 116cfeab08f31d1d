package publish

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/wellknown-dev/wellknown/generator/immutable"
	"github.com/wellknown-dev/wellknown/generator/sign"
)

// ErrRefused is wrapped by every error of Replaceable that refuses dir.
var ErrRefused = errors.New("refusing to replace it")

// sources are entries no build output holds: a directory with one of them
// is a source tree given as the output by mistake.
var sources = []string{".git", "site.yaml", "go.mod"}

// Replaceable reports whether a Write may replace dir, and returns dir if it
// holds a previous build whose files a new one may reuse, "" if it is absent
// or empty. dir may be replaced when it is absent, an empty directory, or
// the output of a wellknown build or import: it holds the index of
// content-addressed copies every build writes (digests.json) or a signed
// tree's manifest (signatures/SHA256SUMS). Anything else is refused with a
// *ForeignError naming what dir holds, since replacing it would delete it.
func Replaceable(dir string) (prev string, err error) {
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", nil
	case err != nil:
		return "", err
	case !fi.IsDir():
		return "", fmt.Errorf("%s exists and is not a directory; %w", dir, ErrRefused)
	}
	for _, m := range sources {
		if _, err := os.Lstat(filepath.Join(dir, m)); err == nil {
			return "", fmt.Errorf("%s holds %s, so it is not a build output; %w", dir, m, ErrRefused)
		}
	}
	if isBuild(dir) {
		return dir, nil
	}
	holds, more, err := sample(dir, 3)
	if err != nil {
		return "", err
	}
	if len(holds) == 0 {
		return "", nil // empty: nothing to reuse, nothing lost
	}
	return "", &ForeignError{Dir: dir, Holds: holds, More: more}
}

// isBuild reports whether dir holds what every build or import writes. The
// index must also read as one, so that a stray file of that name does not
// make a directory fair game.
func isBuild(dir string) bool {
	if fi, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(sign.ManifestPath))); err == nil && fi.Mode().IsRegular() {
		return true
	}
	p := filepath.Join(dir, immutable.IndexPath)
	if fi, err := os.Lstat(p); err != nil || !fi.Mode().IsRegular() || fi.Size() > 16<<20 {
		return false
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return false
	}
	var idx struct {
		Documents []immutable.Entry `json:"documents"`
	}
	return json.Unmarshal(b, &idx) == nil && len(idx.Documents) > 0
}

// sample lists up to n of the files (or other non-directories) under dir,
// walked in lexical order, and whether there are more. It stops there: dir
// may be a home directory.
func sample(dir string, n int) (names []string, more bool, err error) {
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if len(names) == n {
			more = true
			return fs.SkipAll
		}
		rel, _ := filepath.Rel(dir, p)
		names = append(names, filepath.ToSlash(rel))
		return nil
	})
	return names, more, err
}

// ForeignError is a directory a Write refuses to replace because no build
// wrote it.
type ForeignError struct {
	Dir   string
	Holds []string // a few of its files, relative to Dir
	More  bool     // whether it holds other files too
}

func (e *ForeignError) Error() string {
	holds := strings.Join(e.Holds, ", ")
	if e.More {
		holds += " and more"
	}
	return fmt.Sprintf("%s: not a wellknown build (holds %s); %v", e.Dir, holds, ErrRefused)
}

func (e *ForeignError) Unwrap() error { return ErrRefused }
