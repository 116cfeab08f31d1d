// Package publish writes a site's artifacts to disk so that the output
// directory is always either the previous build or the new one, whole: the
// files go to a sibling temporary directory, are synced, and the directory
// is swapped in. A build that fails, is interrupted or is killed leaves the
// old output as it was.
//
// Writers of one directory take turns: each holds a lock beside it
// (.NAME.lock, see Options) from before it looks at the directory until the
// swap is done, and removes the temporary trees that killed writers left.
package publish

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/progress"
)

// Options say how a Write shares its directory with other writers and
// where it reports what does not fail it. The zero value waits for the lock
// and reports nothing.
type Options struct {
	// NoWait makes a Write fail at once with an error wrapping ErrBusy when
	// another process holds the directory's lock, instead of waiting.
	NoWait bool
	// Note, when set, receives what the user should know while the write
	// goes on: that it waits for another writer, that it removed temporary
	// trees interrupted writers left.
	Note func(msg string)
	// Warn, when set, receives problems that leave the write successful: a
	// previous tree that could not be removed once the new one was in place.
	Warn func(err error)
	// Progress, when set, counts the files written (see package progress).
	Progress *progress.Meter
}

// ErrBusy is wrapped by the error of a Write with NoWait whose directory
// another process is writing.
var ErrBusy = errors.New("another build is writing it")

// Write replaces dir with a directory holding exactly the artifacts, waiting
// for any other writer of dir, and reporting nothing but its error.
func Write(dir string, as []artifact.Artifact) error {
	return Options{}.Write(context.Background(), dir, as)
}

// Write replaces dir with a directory holding exactly the artifacts. Files
// the build in dir already holds byte for byte are hard-linked, not copied.
//
// dir must be absent, empty or a previous build (see Replaceable). When ctx
// is done before the new tree is swapped in, Write removes it and returns
// ctx's error, dir untouched; once swapped in, the write is finished
// whatever ctx says.
func (o Options) Write(ctx context.Context, dir string, as []artifact.Artifact) error {
	dir = filepath.Clean(dir)
	return o.replace(ctx, dir, func(tmp, prev string) error {
		return writeAll(ctx, newTree(tmp, prev), dir, as, o.Progress)
	})
}

func (o Options) note(format string, args ...any) {
	if o.Note != nil {
		o.Note(fmt.Sprintf(format, args...))
	}
}

func (o Options) warn(err error) {
	if o.Warn != nil {
		o.Warn(err)
	}
}

// replace fills a new sibling directory of dir with fill, syncs it, and puts
// it in the place of dir in one step. fill is given the previous build to
// reuse files of, or "". If fill fails or ctx ends first, dir is left as it
// was and the new directory is removed.
func (o Options) replace(ctx context.Context, dir string, fill func(tmp, prev string) error) (err error) {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("cannot create %s: %w", parent, err)
	}
	unlock, err := o.lock(ctx, dir)
	if err != nil {
		return err
	}
	defer unlock()
	// Checked under the lock, so that what is judged is what is replaced.
	prev, err := Replaceable(dir)
	if err != nil {
		return err
	}
	if haveLock {
		if err := o.removeStale(ctx, dir); err != nil {
			return err
		}
	}
	tmp, err := os.MkdirTemp(parent, tempPrefix(dir))
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
	// Opened before anything is written: a sync reports the write-back
	// errors of its file system seen since then, and only those.
	s, err := openSync(tmp)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", dir, err)
	}
	defer s.close()
	if err := fill(tmp, prev); err != nil {
		return err
	}
	if err := s.sync(); err != nil {
		return fmt.Errorf("cannot write %s: sync: %w", dir, err)
	}
	// The last moment to give up: after the swap dir is the new build.
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	old, err := swap(tmp, dir)
	if err != nil {
		return fmt.Errorf("cannot replace %s: %w", dir, err)
	}
	if old != "" {
		if err := os.RemoveAll(old); err != nil {
			o.warn(&LeftoverError{Dir: dir, Left: old, Err: err})
		}
	}
	return nil
}

// LeftoverError is a previous build that stayed behind a successful swap.
type LeftoverError struct {
	Dir  string // the directory now holding the new build
	Left string // the previous build's tree, where it remains
	Err  error
}

func (e *LeftoverError) Error() string {
	return fmt.Sprintf("%s holds the new build, but the previous one could not be removed: %v; remove %s by hand (the next build tries again)", e.Dir, e.Err, e.Left)
}

func (e *LeftoverError) Unwrap() error { return e.Err }

func writeAll(ctx context.Context, t *tree, dir string, as []artifact.Artifact, m *progress.Meter) error {
	defer t.close()
	target := func(p string) string { return filepath.Join(dir, filepath.FromSlash(p)) }
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
		if d := path.Dir(a.Path); !dirs[d] {
			if err := t.mkdir(d); err != nil {
				return fmt.Errorf("cannot write %s: %w", target(a.Path), err)
			}
			dirs[d] = true
		}
	}
	// The files are written by one worker per CPU, each over its own run of
	// the sorted paths, so that workers mostly fill different directories
	// (a signed site's documents and their signatures, say): most of a
	// file's cost is the file system's, in the kernel, and the directory
	// being changed is locked for it.
	m.Start("write", len(as), "files")
	defer m.End()
	errs := make([]error, len(as))
	var failed atomic.Bool
	k := min(runtime.GOMAXPROCS(0), len(as))
	var wg sync.WaitGroup
	for w := range k {
		wg.Go(func() {
			for i := w * len(as) / k; i < (w+1)*len(as)/k && !failed.Load(); i++ {
				if done(ctx) {
					failed.Store(true)
					return
				}
				a := as[i]
				if err := t.put(path.Dir(a.Path), path.Base(a.Path), a.Body); err != nil {
					errs[i] = fmt.Errorf("cannot write %s: %w", target(a.Path), err)
					failed.Store(true)
				}
				m.Add(1)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	return nil
}

// withoutPath drops the temporary tree's path from err: the error names the
// output path instead, and the temporary tree is removed.
func withoutPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// done is ctx.Err() != nil without its lock, cheap enough for every file.
func done(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return true
	default:
		return false
	}
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
