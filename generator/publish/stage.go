package publish

import (
	"context"
	"crypto/sha256"
	"fmt"
	"hash/maphash"
	"path"
	"path/filepath"
	"sync"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/internal/parallel"
	"github.com/wellknown-dev/wellknown/generator/progress"
)

// Render is a build that writes its files as it makes them: it puts each
// one into sink (see artifact.Store) and returns the whole list, stored
// files and others alike.
type Render func(sink artifact.Sink) ([]artifact.Artifact, error)

// Build replaces dir with the tree render makes, as Write does, but gives
// render the new tree to fill while it runs: a build then holds only the
// files it has not stored yet, not every one of them. The lock on dir is
// held for the whole build. When render fails or ctx ends first, its error
// is returned and dir is left as it was. Artifacts render returns that are
// not stored are written after it; one it stored that is not in the list,
// or one in the list marked stored that it never put, fails the write.
func (o Options) Build(ctx context.Context, dir string, render Render) error {
	dir = filepath.Clean(dir)
	// What the attempt that is under way handed to Beside. A build that
	// a full disk stopped is run again (see replace), and each attempt's
	// is kept or dropped with its own tree.
	var pending []Pending
	o.swapped = func() {
		for _, p := range pending {
			if err := p.Commit(); err != nil {
				o.warn(err)
			}
		}
		pending = nil
	}
	o.abandoned = func() {
		for _, p := range pending {
			p.Abort()
		}
		pending = nil
	}
	return o.replace(ctx, dir, func(t *tree) error {
		s := &stage{t: t, dir: dir, ctx: ctx, meter: o.Progress, pending: &pending}
		as, err := render(s)
		if err != nil {
			return err
		}
		return s.finish(as)
	})
}

// Pending is what a build writes beside its tree rather than in it, such as
// the client cache (see clients.Registry.WriteCache): Commit puts it in
// place once the tree is, and Abort drops it when the tree is given up.
type Pending interface {
	Commit() error
	Abort()
}

// Beside hands p to the Build whose render was given sink. The Build
// commits p once its tree is in place and aborts it when the tree is given
// up, both with the lock on dir still held: no other build can find it
// half written, or kept for a tree that was not published. A Commit's
// error goes to Options.Warn, since the tree stands. Beside reports false,
// and does nothing, for a sink that no Build gave.
func Beside(sink artifact.Sink, p Pending) bool {
	s, ok := sink.(*stage)
	if !ok || p == nil {
		return false
	}
	s.putMu.Lock()
	*s.pending = append(*s.pending, p)
	s.putMu.Unlock()
	return true
}

// WriteError is a file a Build could not write into the new tree: the
// build it interrupts failed for want of space or permission, not for its
// input.
type WriteError struct {
	Path string // as it would be in the output: out/jwks.json
	Err  error
}

func (e *WriteError) Error() string { return fmt.Sprintf("cannot write %s: %v", e.Path, e.Err) }

func (e *WriteError) Unwrap() error { return e.Err }

// stage is the tree a Build fills, as an artifact.Sink.
type stage struct {
	t     *tree
	dir   string // the output, as errors name it
	ctx   context.Context
	meter *progress.Meter
	// pending is what Beside was given, kept by the Build.
	pending *[]Pending

	// puts counts the files put, and sum adds up a hash of each path, so
	// that finish can tell the list and the tree apart without a set of
	// 300,000 paths.
	putMu sync.Mutex
	puts  int
	sum   uint64
}

// pathSeed is fixed so that one Build's sums compare.
var pathSeed = maphash.MakeSeed()

func (s *stage) Put(p string, body []byte) error {
	if err := artifact.CheckPath(p); err != nil {
		return err
	}
	if done(s.ctx) {
		return context.Cause(s.ctx)
	}
	target := filepath.Join(s.dir, filepath.FromSlash(p))
	s.count(p)
	d := path.Dir(p)
	if err := s.t.put(d, path.Base(p), body); err != nil {
		return &WriteError{target, err}
	}
	return nil
}

// Previous reads a file of the previous build (see artifact.Reader).
func (s *stage) Previous(p string, size int, digest [sha256.Size]byte) ([]byte, bool) {
	if artifact.CheckPath(p) != nil || done(s.ctx) {
		return nil, false
	}
	return s.t.previous(p, size, digest)
}

// Keep puts files as the previous build holds them (see artifact.Keeper):
// the spare's own files stay, and the previous build's are linked.
func (s *stage) Keep(files []artifact.Artifact) (bool, error) {
	if done(s.ctx) {
		return false, context.Cause(s.ctx)
	}
	// Every file is found before any is put, so that a client the
	// previous build does not hold whole is made again, from nothing.
	found := make([]source, len(files))
	for i, a := range files {
		if !a.Stored || artifact.CheckPath(a.Path) != nil {
			return false, nil
		}
		src, ok, err := s.t.find(a.Path, a.Size, a.Digest)
		if err != nil {
			return false, &WriteError{filepath.Join(s.dir, filepath.FromSlash(a.Path)), err}
		}
		if !ok {
			return false, nil
		}
		found[i] = src
	}
	for i, a := range files {
		s.count(a.Path)
		if err := s.t.keep(found[i], a.Size, a.Digest); err != nil {
			return false, &WriteError{filepath.Join(s.dir, filepath.FromSlash(a.Path)), err}
		}
	}
	return true, nil
}

func (s *stage) count(p string) {
	s.putMu.Lock()
	s.puts++
	s.sum += maphash.String(pathSeed, p)
	s.putMu.Unlock()
}

// finish writes the files render kept and checks that the tree holds
// exactly the list.
func (s *stage) finish(as []artifact.Artifact) error {
	var rest []int
	stored, sum := 0, uint64(0)
	for i, a := range as {
		if !a.Stored {
			rest = append(rest, i)
			continue
		}
		stored++
		sum += maphash.String(pathSeed, a.Path)
	}
	// A path put twice fails its second put (files are created
	// exclusively), so equal counts and sums mean the same paths.
	if stored != s.puts || sum != s.sum {
		return fmt.Errorf("the build wrote %d files and lists %d as written, or not the same ones", s.puts, stored)
	}
	// What render kept is written as Write writes: a worker per CPU.
	s.meter.Start("write", len(rest), "files")
	defer s.meter.End()
	return parallel.Try(0, len(rest), func(k int) error {
		a := as[rest[k]]
		if err := s.Put(a.Path, a.Body); err != nil {
			return err
		}
		s.meter.Add(1)
		return nil
	})
}
