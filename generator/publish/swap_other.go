//go:build !linux

package publish

import (
	"io/fs"
	"os"
	"path/filepath"
)

func swap(tmp, dir string) (string, error) { return swapRenames(tmp, dir) }

// syncer fsyncs every file and directory of the tree, where no single call
// syncs one file system.
type syncer struct{ root string }

func openSync(dir string) (*syncer, error) { return &syncer{dir}, nil }

func (s *syncer) sync() error {
	return filepath.WalkDir(s.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		err = f.Sync()
		if err1 := f.Close(); err == nil {
			err = err1
		}
		if err != nil && d.IsDir() {
			return nil // not every system syncs a directory
		}
		return err
	})
}

func (s *syncer) close() {}
