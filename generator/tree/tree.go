// Package tree reads and writes a published tree as a map from
// slash-separated path (relative to the tree's root) to file content: the
// form verify, bundle and import share.
package tree

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// ErrIrregular is the problem Read reports for anything but a regular file
// or directory: a published tree holds neither links nor devices, and
// following a link would check a file outside the tree.
var ErrIrregular = errors.New("not a regular file")

// Read returns the content of every regular file below dir. Entries that are
// not regular files or directories are returned as problems, one
// *fs.PathError per entry with the path relative to dir, so that a verifier
// can list them all; err is for failures to read at all.
func Read(dir string) (files map[string][]byte, problems []error, err error) {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, nil, err
	}
	if fi, err := os.Stat(root); err != nil {
		return nil, nil, err
	} else if !fi.IsDir() {
		return nil, nil, fmt.Errorf("%s: not a directory", dir)
	}
	files = map[string][]byte{}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch {
		case d.IsDir():
			return nil
		case !d.Type().IsRegular():
			problems = append(problems, &fs.PathError{Op: "read", Path: rel, Err: fmt.Errorf("%w (%s)", ErrIrregular, d.Type())})
			return nil
		}
		b, err := readRegular(p)
		if errors.Is(err, ErrIrregular) {
			// Replaced since the directory was listed.
			problems = append(problems, &fs.PathError{Op: "read", Path: rel, Err: err})
			return nil
		}
		if err != nil {
			return err
		}
		files[rel] = b
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return files, problems, nil
}

// readRegular reads the regular file at name and opens nothing else: the
// open follows no link and does not wait for a named pipe's writer, and the
// descriptor's type is checked before reading, so a pipe or link that
// replaced the file after the walk listed it is refused, never waited on.
func readRegular(name string) ([]byte, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|openNoFollow|openNonblock, 0)
	if err != nil {
		if isLoop(err) {
			return nil, fmt.Errorf("%w (%s)", ErrIrregular, fs.ModeSymlink)
		}
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w (%s)", ErrIrregular, fi.Mode().Type())
	}
	return io.ReadAll(f)
}

// Write creates every file below dir, which must exist, with parents as
// needed: files 0644 and directories 0755, since everything in a published
// tree is public. Each file and directory is synced, so that a rename of dir
// that follows publishes complete content even after a crash.
func Write(dir string, files map[string][]byte) error {
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	dirs := map[string]bool{dir: true}
	for _, p := range paths {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if !filepath.IsLocal(filepath.FromSlash(p)) {
			return fmt.Errorf("%s: path escapes the tree", p)
		}
		for d := filepath.Dir(full); !dirs[d]; d = filepath.Dir(d) {
			dirs[d] = true
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := writeFile(full, files[p]); err != nil {
			return err
		}
	}
	for d := range dirs {
		if err := syncDir(d); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(name string, b []byte) error {
	// O_EXCL: Write fills a fresh directory; an existing file means two
	// paths collided (on a case-insensitive file system, say).
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// SyncDir makes a directory's entries durable (after creating or renaming
// entries in it).
func SyncDir(dir string) error { return syncDir(dir) }

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
