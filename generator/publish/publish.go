// Package publish writes a site's artifacts to disk so that the output
// directory is always either the previous build or the new one, whole: the
// files go to a sibling temporary directory, are synced, and the directory
// is swapped in. A build that fails or is killed leaves the old output as it
// was.
package publish

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/wellknown-dev/wellknown/generator/artifact"
)

// markers are entries no build output holds: a directory with one of them is
// a source tree given as --out by mistake, and is never replaced.
var markers = []string{".git", "site.yaml", "go.mod"}

// Write replaces dir with a directory holding exactly the artifacts. Files
// the build in dir already holds byte for byte are hard-linked, not copied.
func Write(dir string, as []artifact.Artifact) error {
	dir = filepath.Clean(dir)
	if err := guard(dir); err != nil {
		return err
	}
	prev := ""
	if _, err := os.Lstat(dir); err == nil {
		prev = dir // guard has seen it is a directory
	}
	return Replace(dir, func(tmp string) error { return writeAll(newTree(tmp, prev), as) })
}

// Replace fills a new sibling directory of dir with fill, syncs it, and puts
// it in the place of dir in one step. If fill fails, dir is left as it was
// and the new directory is removed. Callers decide first whether dir may be
// replaced at all.
func Replace(dir string, fill func(tmp string) error) (err error) {
	dir = filepath.Clean(dir)
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("cannot create %s: %w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".new-")
	if err != nil {
		return fmt.Errorf("cannot create a temporary directory beside %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("%s: %w", tmp, err)
	}
	if err := fill(tmp); err != nil {
		return err
	}
	// One sync for the whole tree: fsync per file costs seconds for large
	// registries, and the swap below is what makes the result visible.
	syncAll(tmp)
	if err := swap(tmp, dir); err != nil {
		return fmt.Errorf("cannot replace %s: %w", dir, err)
	}
	return nil
}

func guard(dir string) error {
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("%s: %w", dir, err)
	case !fi.IsDir():
		return fmt.Errorf("%s exists and is not a directory; refusing to replace it", dir)
	}
	for _, m := range markers {
		if _, err := os.Lstat(filepath.Join(dir, m)); err == nil {
			return fmt.Errorf("%s holds %s, so it is not a build output; refusing to replace it", dir, m)
		}
	}
	return nil
}

func writeAll(t *tree, as []artifact.Artifact) error {
	defer t.close()
	seen := make(map[string]bool, len(as))
	dirs := map[string]bool{} // made already: one MkdirAll a directory, not a file
	for _, a := range as {
		if err := artifact.CheckPath(a.Path); err != nil {
			return err
		}
		if seen[a.Path] {
			return fmt.Errorf("two artifacts are both %s", a.Path)
		}
		seen[a.Path] = true
		if dir := path.Dir(a.Path); !dirs[dir] {
			if err := t.mkdir(dir); err != nil {
				return fmt.Errorf("cannot write %s: %w", a.Path, err)
			}
			dirs[dir] = true
		}
	}
	// The files are written by one worker per CPU, each over its own run of
	// the sorted paths, so that workers mostly fill different directories
	// (a signed site's documents and their signatures, say): most of a
	// file's cost is the file system's, in the kernel, and the directory
	// being changed is locked for it.
	errs := make([]error, len(as))
	var failed atomic.Bool
	k := min(runtime.GOMAXPROCS(0), len(as))
	var wg sync.WaitGroup
	for w := range k {
		wg.Go(func() {
			for i := w * len(as) / k; i < (w+1)*len(as)/k && !failed.Load(); i++ {
				a := as[i]
				if err := t.put(path.Dir(a.Path), path.Base(a.Path), a.Body); err != nil {
					errs[i] = fmt.Errorf("cannot write %s: %w", a.Path, err)
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// File writes data over path through a temporary file and a rename, keeping
// path's mode, so that a file such as site.yaml is never half-written.
func File(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".new-")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(mode)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if err1 := tmp.Close(); err == nil {
		err = err1
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
