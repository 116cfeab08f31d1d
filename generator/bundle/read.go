package bundle

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits bound what Read accepts, so that a hostile archive cannot exhaust
// memory or disk. Every limit is checked while the archive streams in,
// before its contents are held anywhere but a bounded spool.
type Limits struct {
	MaxFileSize  int64 // bytes of one member
	MaxTotalSize int64 // bytes of all members together, uncompressed
	MaxFiles     int   // members
	// MaxInflated bounds everything the gzip stream inflates to: member
	// contents, tar headers (PAX records included), block padding and
	// whatever follows the end of the archive. Zero means MaxTotalSize
	// plus 4 KiB for each member allowed.
	MaxInflated int64
}

// DefaultLimits are generous for metadata sites: a 10,000-client site is
// around 20 MB with its signatures, and its tar headers and padding add
// about 1 KiB a file.
var DefaultLimits = Limits{
	MaxFileSize:  16 << 20,
	MaxTotalSize: 256 << 20,
	MaxFiles:     100_000,
	MaxInflated:  512 << 20,
}

func (l Limits) inflated() int64 {
	if l.MaxInflated > 0 {
		return l.MaxInflated
	}
	return l.MaxTotalSize + int64(l.MaxFiles+2)*4096
}

// LimitError is why Read refused an archive that passed one of its Limits.
type LimitError struct {
	Msg string // what passed which limit
}

func (e *LimitError) Error() string {
	return e.Msg + "\n\thint: a metadata site's bundle is a few MB; if this archive is genuine, " +
		"copy the tree across instead and check it there with 'wellknown verify --key KEY DIR'"
}

func limitf(format string, args ...any) error {
	return &LimitError{Msg: fmt.Sprintf(format, args...)}
}

// bytesString writes a limit as people set it.
func bytesString(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// errInflated ends reading once the decompressed stream passes its bound.
var errInflated = errors.New("inflated past the limit")

// countingReader fails once more than n bytes have been read through it:
// every byte the tar reader consumes from the gzip stream passes here.
type countingReader struct {
	r io.Reader
	n int64 // bytes still allowed
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		// One byte more tells a stream of exactly the limit from a
		// longer one.
		var one [1]byte
		n, err := c.r.Read(one[:])
		if n > 0 {
			return 0, errInflated
		}
		return 0, err
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	n, err := c.r.Read(p)
	c.n -= int64(n)
	return n, err
}

// Read reads a bundle and returns its files keyed by path. It writes
// nothing but an unlinked temporary spool. It refuses, naming the member:
// anything but a regular file (links, devices, FIFOs, global headers;
// directory members are skipped), absolute or unclean paths and ".."
// segments, duplicates, paths that clash as file and directory or by case,
// and members, totals or an inflated stream beyond lim (a *LimitError).
//
// Member contents are spooled, not kept, while the archive streams in, so a
// gzip bomb is refused at its limit having cost a few megabytes of memory;
// only an archive that passed every check is read back into memory.
func Read(r io.Reader, lim Limits) (map[string][]byte, error) {
	a, err := read(r, lim)
	if err != nil {
		return nil, err
	}
	defer a.close()
	return a.files()
}

// archive is a bundle that passed Read's checks, its contents in a spool.
type archive struct {
	names []string
	offs  []int64
	sizes []int64
	sp    *spool
}

func (a *archive) close() { a.sp.close() }

// files reads every member back from the spool, in one allocation.
func (a *archive) files() (map[string][]byte, error) {
	all, err := a.sp.bytes()
	if err != nil {
		return nil, err
	}
	files := make(map[string][]byte, len(a.names))
	for i, name := range a.names {
		end := a.offs[i] + a.sizes[i]
		files[name] = all[a.offs[i]:end:end]
	}
	return files, nil
}

func read(r io.Reader, lim Limits) (*archive, error) {
	zr, err := gzip.NewReader(bufio.NewReader(r))
	if err != nil {
		return nil, fmt.Errorf("not a gzip archive: %w", err)
	}
	bound := lim.inflated()
	cr := &countingReader{r: zr, n: bound}
	tr := tar.NewReader(cr)
	a := &archive{sp: &spool{}}
	ok := false
	defer func() {
		if !ok {
			a.close()
		}
	}()
	readErr := func(err error) error {
		if errors.Is(err, errInflated) {
			return limitf("uncompressed archive is larger than the limit of %s (member contents, tar headers and padding all count)", bytesString(bound))
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("archive is truncated: %w", err)
		}
		return err
	}
	seen := map[string]bool{}
	var total int64
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, readErr(err)
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
		if seen[name] {
			return nil, fmt.Errorf("%q: appears twice", hdr.Name)
		}
		seen[name] = true
		if len(a.names) >= lim.MaxFiles {
			return nil, limitf("more than %d members, the limit", lim.MaxFiles)
		}
		if hdr.Size > lim.MaxFileSize {
			return nil, limitf("%q: %d bytes, more than the limit of %s for one file", hdr.Name, hdr.Size, bytesString(lim.MaxFileSize))
		}
		if total += hdr.Size; total > lim.MaxTotalSize {
			return nil, limitf("members add up to more than the limit of %s", bytesString(lim.MaxTotalSize))
		}
		off := a.sp.n
		if n, err := io.Copy(a.sp, tr); err != nil {
			return nil, fmt.Errorf("%q: %w", hdr.Name, readErr(err))
		} else if n != hdr.Size {
			return nil, fmt.Errorf("%q: archive is truncated: %w", hdr.Name, io.ErrUnexpectedEOF)
		}
		a.names = append(a.names, name)
		a.offs = append(a.offs, off)
		a.sizes = append(a.sizes, hdr.Size)
	}
	// What follows the end-of-archive marker may only be padding: read
	// it in a small buffer, counted like the rest.
	buf := make([]byte, 32<<10)
	for {
		n, err := cr.Read(buf)
		for _, c := range buf[:n] {
			if c != 0 {
				return nil, errors.New("data after the end of the archive")
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, readErr(err)
		}
	}
	if err := checkNames(a.names); err != nil {
		return nil, err
	}
	ok = true
	return a, nil
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
