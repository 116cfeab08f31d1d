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
	// NoSpare makes a Write keep no spare (see SparePath): it writes a new
	// tree, linking only the files of the previous build it has read and
	// found the same, removes the previous build once the new one is in
	// place, and removes any spare, index and cache beside dir.
	NoSpare bool

	// swapped is called once the new tree is in place, and abandoned when
	// a tree is given up, both with the lock held (see Beside).
	swapped, abandoned func()
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
	// Checked before anything is touched: a list that cannot be written
	// costs neither the spare nor a temporary tree.
	dirs, err := check(dir, as)
	if err != nil {
		return err
	}
	return o.replace(ctx, dir, func(t *tree) error {
		return writeAll(ctx, t, dir, dirs, as, o.Progress)
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

// replace puts a tree that fill fills in the place of dir in one step,
// after syncing it. The tree is the spare beside dir when there is a valid
// one, patched by fill's puts and then pruned of what they did not put;
// else a new sibling directory, which reuses the files of the previous
// build. If fill fails or ctx ends first, dir is left as it was and the
// tree is removed.
func (o Options) replace(ctx context.Context, dir string, fill func(t *tree) error) error {
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
	// Only writers that take turns may keep a spare: an unlocked one could
	// patch the tree another is patching.
	b := build{Options: o, dir: dir, prev: prev, keep: haveLock && spareSupported && !o.NoSpare}
	if haveLock && o.NoSpare {
		b.dropSpare()
	}
	if prev != "" && b.keep {
		if root, ok := rootOf(prev); ok {
			b.prevRoot, b.prevIx = root, readIndex(outIndexPath(dir), root)
		}
	}
	if b.keep {
		if spare := b.spare(); spare != nil {
			err := b.attempt(ctx, SparePath(dir), spare, fill)
			if err == nil || ctx.Err() != nil || !isSystemError(err) {
				return err
			}
			// The spare may be what fails (a directory made immutable, a
			// full disk its old files fill): a tree of its own may not.
			o.warn(fmt.Errorf("cannot patch the spare tree %s, writing a new one instead: %w", SparePath(dir), err))
		}
	}
	tmp, err := os.MkdirTemp(parent, tempPrefix(dir))
	if err != nil {
		return fmt.Errorf("cannot create a temporary directory beside %s: %w", dir, err)
	}
	return b.attempt(ctx, tmp, nil, fill)
}

// build is one Write's replacement of dir.
type build struct {
	Options
	dir, prev string
	keep      bool      // whether the previous build stays as the spare
	prevRoot  [2]uint64 // the previous build's root directory
	prevIx    *index    // and what it holds, if its index is still its own
}

// attempt fills root (the spare, whose index says it holds what spare says,
// or a new directory) and swaps it in, removing it if it fails.
func (b *build) attempt(ctx context.Context, root string, spare *index, fill func(t *tree) error) error {
	err := b.fillAndSwap(ctx, root, spare, fill)
	if err != nil {
		if b.abandoned != nil {
			b.abandoned()
		}
		os.RemoveAll(root)
		os.Remove(outIndexPath(b.dir) + ".new")
		os.Remove(spareIndexPath(b.dir) + ".new")
	}
	return err
}

func (b *build) fillAndSwap(ctx context.Context, root string, spare *index, fill func(t *tree) error) error {
	if err := os.Chmod(root, 0o755); err != nil {
		return fmt.Errorf("%s: %w", root, err)
	}
	// Opened before anything is written: a sync reports the write-back
	// errors of its file system seen since then, and only those.
	s, err := openSync(root)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", b.dir, err)
	}
	defer s.close()
	t := newTree(root, b.prev)
	t.spare, t.prevIx = spare, b.prevIx
	if spare != nil {
		t.expect(spare.n)
	} else if b.prevIx != nil {
		t.expect(b.prevIx.n)
	}
	defer t.close()
	if err := fill(t); err != nil {
		return err
	}
	if err := t.prune(); err != nil {
		return fmt.Errorf("cannot write %s: %w", b.dir, err)
	}
	if err := s.sync(); err != nil {
		return fmt.Errorf("cannot write %s: sync: %w", b.dir, err)
	}
	indexed := false
	if b.keep {
		indexed = b.writeIndexes(t, root)
	}
	// The last moment to give up: after the swap dir is the new build.
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	old, err := swap(root, b.dir)
	if err != nil {
		return fmt.Errorf("cannot replace %s: %w", b.dir, err)
	}
	b.settle(old, indexed)
	if b.swapped != nil {
		b.swapped()
	}
	return nil
}

// writeIndexes writes, beside dir, the index of the new tree and that of
// the previous build, which becomes the spare. They are written after the
// tree is synced, so that an index never describes files not yet on disk,
// and renamed into place once the trees have their names. A failure costs
// the spare, not the build.
func (b *build) writeIndexes(t *tree, root string) bool {
	rootID, ok := rootOf(root)
	if !ok {
		return false
	}
	cur, prev := t.indexes(rootID, b.prevRoot)
	err := writeIndex(outIndexPath(b.dir), cur)
	if err == nil && b.prev != "" {
		err = writeIndex(spareIndexPath(b.dir), prev)
	}
	if err != nil {
		os.Remove(outIndexPath(b.dir) + ".new")
		b.warn(fmt.Errorf("cannot keep the previous build of %s as a spare: %w", b.dir, err))
		return false
	}
	return true
}

// settle keeps old, the previous build now beside dir, as the spare with
// its index, or removes it when none is kept.
func (b *build) settle(old string, indexed bool) {
	if old == "" {
		if indexed {
			os.Rename(outIndexPath(b.dir)+".new", outIndexPath(b.dir))
		}
		return
	}
	sp := SparePath(b.dir)
	keep := indexed && b.prev != "" // an empty directory is not worth keeping
	if keep && old != sp {
		if _, err := os.Lstat(sp); err == nil {
			keep = false // a spare that would not go holds the name
		} else if err := os.Rename(old, sp); err != nil {
			keep = false
		} else {
			old = sp
		}
	}
	if keep {
		os.Rename(spareIndexPath(b.dir)+".new", spareIndexPath(b.dir))
	} else {
		os.Remove(spareIndexPath(b.dir) + ".new")
		if err := os.RemoveAll(old); err != nil {
			b.warn(&LeftoverError{Dir: b.dir, Left: old, Err: err})
		}
	}
	if indexed {
		os.Rename(outIndexPath(b.dir)+".new", outIndexPath(b.dir))
	}
	syncDir(filepath.Dir(b.dir))
}

// spare returns the index of the spare beside dir, having removed it from
// disk so that the spare, about to be patched, is never taken for what the
// index says while half of it is. A spare without a valid index is one a
// build was patching when it was stopped: it is removed.
func (b *build) spare() *index {
	sp, ip := SparePath(b.dir), spareIndexPath(b.dir)
	if _, err := os.Lstat(sp); err != nil {
		os.Remove(ip)
		return nil
	}
	var x *index
	if root, ok := rootOf(sp); ok {
		x = readIndex(ip, root)
	}
	if x != nil {
		if err := os.Remove(ip); err != nil {
			b.warn(fmt.Errorf("cannot use the spare tree %s: %w", sp, err))
			return nil
		}
		syncDir(filepath.Dir(b.dir))
		return x
	}
	// An index another version of wellknown wrote is not a sign of an
	// interrupted build: its spare goes without a word.
	foreign := otherIndexVersion(ip)
	os.Remove(ip)
	if err := os.RemoveAll(sp); err != nil {
		b.warn(fmt.Errorf("cannot remove %s, a spare tree left beside %s by an interrupted build: %w", sp, b.dir, err))
		return nil
	}
	if !foreign {
		b.note("removed %s, a spare tree left beside %s by an interrupted build", filepath.Base(sp), b.dir)
	}
	return nil
}

// dropSpare removes the spare, the indexes and the cache beside dir, for a
// Write that keeps none.
func (b *build) dropSpare() {
	sp := SparePath(b.dir)
	for _, p := range []string{spareIndexPath(b.dir), outIndexPath(b.dir), CachePath(b.dir)} {
		os.Remove(p)
	}
	if err := os.RemoveAll(sp); err != nil {
		b.warn(fmt.Errorf("cannot remove the spare tree %s: %w", sp, err))
	}
}

// syncDir makes the renames and removals in dir durable, where the system
// can; a failure costs at most the spare after a crash.
func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		f.Sync()
		f.Close()
	}
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

// check returns the directories the artifacts are in, after checking that
// they can all be written: clean paths, none twice, none both a file and a
// directory.
func check(dir string, as []artifact.Artifact) ([]string, error) {
	seen := make(map[string]bool, len(as))
	var dirs []string
	parents := map[string]bool{}
	for _, a := range as {
		if err := artifact.CheckPath(a.Path); err != nil {
			return nil, err
		}
		if seen[a.Path] {
			return nil, fmt.Errorf("two artifacts are both %s", a.Path)
		}
		seen[a.Path] = true
		if d := path.Dir(a.Path); !parents[d] {
			dirs = append(dirs, d)
			for ; !parents[d]; d = path.Dir(d) {
				parents[d] = true
			}
		}
	}
	for _, d := range dirs {
		for ; d != "."; d = path.Dir(d) {
			if seen[d] {
				return nil, fmt.Errorf("cannot write %s: %s is both a file and a directory", filepath.Join(dir, filepath.FromSlash(d)), d)
			}
		}
	}
	return dirs, nil
}

// writeAll puts the artifacts, which check has passed, into t: dirs first,
// then the files.
func writeAll(ctx context.Context, t *tree, dir string, dirs []string, as []artifact.Artifact, m *progress.Meter) error {
	defer t.close()
	target := func(p string) string { return filepath.Join(dir, filepath.FromSlash(p)) }
	for _, d := range dirs {
		if err := t.mkdir(d); err != nil {
			return fmt.Errorf("cannot write %s: %w", target(d), err)
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

// Create creates path with O_EXCL, so that an existing file (a key above
// all) is never replaced, and syncs it; a failed write leaves no file.
func Create(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err1 := f.Sync(); err == nil {
		err = err1
	}
	if err1 := f.Close(); err == nil {
		err = err1
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("%s: %w", path, err)
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
