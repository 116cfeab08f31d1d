package bundle

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits bound what Read accepts, so that a hostile archive cannot exhaust
// memory: everything is held in memory until verified.
type Limits struct {
	MaxFileSize  int64 // bytes of one member
	MaxTotalSize int64 // bytes of all members together, uncompressed
	MaxFiles     int   // members
}

// DefaultLimits are generous for metadata sites: a 10,000-client site is
// around 20 MB with its signatures.
var DefaultLimits = Limits{
	MaxFileSize:  16 << 20,
	MaxTotalSize: 256 << 20,
	MaxFiles:     100_000,
}

// errTooLarge ends reading once the uncompressed archive passes its bound.
var errTooLarge = errors.New("archive too large")

type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// Read reads a bundle entirely into memory and returns its files keyed by
// path. It writes nothing. It refuses, naming the member: anything but a
// regular file (links, devices, FIFOs, global headers; directory members are
// skipped), absolute or unclean paths and ".." segments, duplicates, paths
// that clash as file and directory or by case, and members or totals beyond
// lim.
func Read(r io.Reader, lim Limits) (map[string][]byte, error) {
	zr, err := gzip.NewReader(bufio.NewReader(r))
	if err != nil {
		return nil, fmt.Errorf("not a gzip archive: %w", err)
	}
	// Tar headers are at most a few blocks per member; bound the
	// decompressed stream too, against a gzip bomb of padding.
	bound := lim.MaxTotalSize + int64(lim.MaxFiles+2)*4096
	lr := &limitedReader{r: zr, n: bound}
	tr := tar.NewReader(lr)
	files := map[string][]byte{}
	var total int64
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, readErr(err, bound)
		}
		name := strings.TrimPrefix(hdr.Name, "./")
		switch hdr.Typeflag {
		case tar.TypeReg:
		case tar.TypeDir:
			if d := strings.TrimSuffix(name, "/"); d != "" && d != "." {
				if err := checkMember(d); err != nil {
					return nil, err
				}
			}
			continue
		default:
			return nil, fmt.Errorf("%q: %s members are not allowed, only regular files", hdr.Name, typeName(hdr.Typeflag))
		}
		if err := checkMember(name); err != nil {
			return nil, err
		}
		if _, dup := files[name]; dup {
			return nil, fmt.Errorf("%q: appears twice", hdr.Name)
		}
		if len(files) >= lim.MaxFiles {
			return nil, fmt.Errorf("more than %d members", lim.MaxFiles)
		}
		if hdr.Size > lim.MaxFileSize {
			return nil, fmt.Errorf("%q: %d bytes, more than the limit of %d", hdr.Name, hdr.Size, lim.MaxFileSize)
		}
		if total += hdr.Size; total > lim.MaxTotalSize {
			return nil, fmt.Errorf("members add up to more than the limit of %d bytes", lim.MaxTotalSize)
		}
		b := make([]byte, hdr.Size)
		if _, err := io.ReadFull(tr, b); err != nil {
			return nil, fmt.Errorf("%q: %w", hdr.Name, readErr(err, bound))
		}
		files[name] = b
	}
	// What follows the end-of-archive marker may only be padding.
	rest, err := io.ReadAll(lr)
	if err != nil {
		return nil, readErr(err, bound)
	}
	if len(bytes.Trim(rest, "\x00")) > 0 {
		return nil, fmt.Errorf("data after the end of the archive")
	}
	if _, err := checkPaths(files); err != nil {
		return nil, err
	}
	return files, nil
}

func checkMember(name string) error {
	if strings.HasPrefix(name, "/") {
		return fmt.Errorf("%q: absolute path", name)
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == ".." {
			return fmt.Errorf("%q: path leaves the tree", name)
		}
	}
	return nil // the rest is checked with every path at once by checkPaths
}

func readErr(err error, bound int64) error {
	if errors.Is(err, errTooLarge) {
		return fmt.Errorf("uncompressed archive is larger than %d bytes", bound)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("archive is truncated: %w", err)
	}
	return err
}

func typeName(t byte) string {
	switch t {
	case tar.TypeSymlink:
		return "symbolic link"
	case tar.TypeLink:
		return "hard link"
	case tar.TypeChar:
		return "character device"
	case tar.TypeBlock:
		return "block device"
	case tar.TypeFifo:
		return "FIFO"
	case tar.TypeXGlobalHeader:
		return "PAX global header"
	case tar.TypeGNUSparse:
		return "sparse file"
	}
	return fmt.Sprintf("type %q", t)
}
