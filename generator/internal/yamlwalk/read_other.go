//go:build !unix

package yamlwalk

import (
	"os"
	"path/filepath"

	"github.com/wellknown-dev/wellknown/generator/internal/stamp"
)

func readFile(path string, maxSize int) ([]byte, error) { return readFileOS(path, maxSize) }

// Dir is a directory whose files are read by name.
type Dir struct{ path string }

// OpenDir opens the directory at path.
func OpenDir(path string) (*Dir, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, &os.PathError{Op: "open", Path: path, Err: os.ErrInvalid}
	}
	return &Dir{path: path}, nil
}

// ReadFile is ReadFile of the file name in d. The Stamp is zero: stat
// here does not say enough.
func (d *Dir) ReadFile(name string, maxSize int) ([]byte, stamp.Stamp, error) {
	b, err := readFileOS(filepath.Join(d.path, name), maxSize)
	return b, stamp.Stamp{}, err
}

// Stat reports false: stat here does not say enough.
func (d *Dir) Stat(string) (stamp.Stamp, bool) { return stamp.Stamp{}, false }

func (d *Dir) Close() error { return nil }
