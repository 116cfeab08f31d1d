// Package bundle packs a signed tree into one deterministic tar.gz and
// installs such an archive elsewhere, typically across an air gap, only after
// verifying every byte of it.
//
// # Format
//
// A bundle is a gzip-compressed tar (POSIX ustar, PAX records only for paths
// too long for ustar) holding one regular-file member per file of the tree,
// sorted by path, with the tree's signatures/ directory like any other files.
// Nothing of the machine that made it leaks in and nothing varies between
// runs: no directory members, mode 0644, uid and gid 0, no user or group
// names, mtime 0 (1970-01-01), a gzip header with neither name nor mtime. The
// same tree gives the same bytes with the same wellknown binary (another Go
// release may compress differently; the tar inside is the same).
//
// Standard tools read it: tar -tzvf site.tar.gz.
package bundle

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/wellknown-dev/wellknown/generator/manifest"
)

// Write writes the bundle of files (keyed by slash-separated path) to w.
func Write(w io.Writer, files map[string][]byte) error {
	paths, err := checkPaths(files)
	if err != nil {
		return err
	}
	gz, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	// The zero gzip.Header: no file name, mtime 0, OS "unknown".
	tw := tar.NewWriter(gz)
	for _, p := range paths {
		b := files[p]
		hdr := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     p,
			Size:     int64(len(b)),
			Mode:     0o644,
			ModTime:  time.Unix(0, 0),
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		if _, err := tw.Write(b); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// checkPaths returns the sorted paths of files after checking them with
// checkNames.
func checkPaths(files map[string][]byte) ([]string, error) {
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths, checkNames(paths)
}

// checkNames checks that paths, sorted and without duplicates, can be
// installed side by side on any file system: listable in a manifest, no path
// both a file and a directory, none differing from another only in case.
func checkNames(paths []string) error {
	folded := make(map[string]string, len(paths))
	isFile := make(map[string]bool, len(paths))
	for _, p := range paths {
		if err := manifest.CheckPath(p); err != nil {
			return err
		}
		isFile[p] = true
	}
	for _, p := range paths {
		f := strings.ToLower(p)
		if q, ok := folded[f]; ok {
			return fmt.Errorf("paths %q and %q differ only in case", q, p)
		}
		folded[f] = p
		for d := p; ; {
			i := strings.LastIndexByte(d, '/')
			if i < 0 {
				break
			}
			d = d[:i]
			if isFile[d] {
				return fmt.Errorf("%q is a file and the directory of %q", d, p)
			}
		}
	}
	return nil
}
