package publish

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// tempPrefix starts the name of every temporary tree a Write of dir makes
// beside it (os.MkdirTemp adds decimal digits; swapRenames adds ".old").
func tempPrefix(dir string) string { return "." + filepath.Base(dir) + ".new-" }

// isTemp reports whether name is one of the temporary trees of a Write with
// that prefix, and not, say, the tree of a directory named "out.new-x".
func isTemp(name, prefix string) bool {
	rest, ok := strings.CutPrefix(name, prefix)
	rest = strings.TrimSuffix(rest, ".old")
	if !ok || rest == "" {
		return false
	}
	for _, c := range rest {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// removeStale removes the temporary trees of dir that writers killed before
// they could clean up left beside it. It runs under dir's lock, so no live
// writer owns them. A tree that will not go is a warning: it costs space,
// not correctness.
func (o Options) removeStale(ctx context.Context, dir string) error {
	parent, prefix := filepath.Dir(dir), tempPrefix(dir)
	entries, err := os.ReadDir(parent)
	if err != nil {
		o.warn(fmt.Errorf("cannot look for temporary trees left beside %s: %w", dir, err))
		return nil
	}
	// What a Write killed between its swap and its renames left: index
	// files not yet in place, a spare not yet under its name (rename swaps).
	os.Remove(outIndexPath(dir) + ".new")
	os.Remove(spareIndexPath(dir) + ".new")
	os.Remove(CachePath(dir) + ".new")
	var removed []string
	if _, err := os.Lstat(SparePath(dir) + ".old"); err == nil {
		if err := os.RemoveAll(SparePath(dir) + ".old"); err == nil {
			removed = append(removed, filepath.Base(SparePath(dir)+".old"))
		}
	}
	for _, e := range entries {
		if !e.IsDir() || !isTemp(e.Name(), prefix) {
			continue
		}
		if done(ctx) {
			return context.Cause(ctx)
		}
		p := filepath.Join(parent, e.Name())
		if err := os.RemoveAll(p); err != nil {
			o.warn(fmt.Errorf("cannot remove %s, left by an interrupted build: %w", p, err))
			continue
		}
		removed = append(removed, e.Name())
	}
	if n := len(removed); n > 0 {
		what := "a temporary tree"
		if n > 1 {
			what = fmt.Sprintf("%d temporary trees", n)
		}
		o.note("removed %s left beside %s by an interrupted build: %s", what, dir, strings.Join(removed, ", "))
	}
	return nil
}
