// Package manifest reads and writes the list of SHA-256 digests that covers a
// published tree, with the version and expiry that make it safe against
// rollback and freeze (TUF's rules, for one role and one key).
//
// The format is two header lines, then what GNU coreutils' sha256sum prints
// in text mode, one line per file:
//
//	# version: <decimal: the build clock, in seconds since 1970>
//	# expires: <RFC 3339, UTC, whole seconds>
//	<64 lowercase hex digits><space><space><path>\n
//
// with paths slash-separated, relative to the site root, and sorted by their
// bytes. It was chosen over canonical JSON because every system already has a
// checker for it and needs no wellknown to audit a tree:
//
//	cd out && sha256sum -c signatures/SHA256SUMS       # GNU coreutils
//	cd out && shasum -a 256 -c signatures/SHA256SUMS   # macOS, BSD
//
// Both skip lines that start with '#', also with --strict, so the header
// costs those checks nothing; the signature covers the whole file, header
// included.
//
// The encoding is canonical: one byte string per set of files. Paths that
// sha256sum would have to escape (backslash, newline, other control
// characters) are refused rather than escaped, so every line is the plain form
// and Parse accepts only what Marshal writes.
package manifest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wellknown-dev/wellknown/generator/artifact"
)

// Entry is one file of the manifest.
type Entry struct {
	Path   string
	Digest [sha256.Size]byte
}

// Freshness is what a manifest says of its own age.
type Freshness struct {
	// Version only grows from one build to the next: it is the build
	// clock in seconds since 1970, so a rebuild at the same clock gives the
	// same version (and the same bytes).
	Version int64
	// Expires is when the tree stops being valid, in whole seconds.
	Expires time.Time
}

// At returns the freshness of a build at clock now that is valid for
// lifetime.
func At(now time.Time, lifetime time.Duration) Freshness {
	now = now.UTC().Truncate(time.Second)
	return Freshness{Version: now.Unix(), Expires: now.Add(lifetime)}
}

// Built is the build clock the version was derived from.
func (f Freshness) Built() time.Time { return time.Unix(f.Version, 0).UTC() }

// String reads "version 1798761600 (built 2027-01-01T00:00:00Z), expires
// 2027-01-31T00:00:00Z".
func (f Freshness) String() string {
	return fmt.Sprintf("version %d (built %s), expires %s", f.Version, f.Built().Format(time.RFC3339), f.Expires.UTC().Format(time.RFC3339))
}

func (f Freshness) check() error {
	switch {
	case f.Version <= 0:
		return fmt.Errorf("version %d is not positive", f.Version)
	case !f.Expires.Equal(f.Expires.Truncate(time.Second)):
		return errors.New("expiry is not in whole seconds")
	case !f.Expires.After(f.Built()):
		return fmt.Errorf("expires %s, not after it was built (%s)", f.Expires.UTC().Format(time.RFC3339), f.Built().Format(time.RFC3339))
	}
	return nil
}

// Manifest is the set of files of a tree, sorted by path, and its freshness.
type Manifest struct {
	Freshness
	Entries []Entry
}

// Of computes the manifest of files, keyed by path.
func Of(files map[string][]byte, f Freshness) (*Manifest, error) {
	entries := make([]Entry, 0, len(files))
	for p, body := range files {
		entries = append(entries, Entry{Path: p, Digest: sha256.Sum256(body)})
	}
	return New(entries, f)
}

// New returns the manifest of the files entries name, which it sorts: a
// build that has let its files' bytes go still has their digests. Two
// entries of one path are refused.
func New(entries []Entry, f Freshness) (*Manifest, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	for _, e := range entries {
		if err := CheckPath(e.Path); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(entries, func(a, b Entry) int { return strings.Compare(a.Path, b.Path) })
	for i := 1; i < len(entries); i++ {
		if entries[i].Path == entries[i-1].Path {
			return nil, fmt.Errorf("artifact path %q appears twice", entries[i].Path)
		}
	}
	return &Manifest{Freshness: f, Entries: entries}, nil
}

// CheckPath reports whether p can be listed: an artifact path (relative,
// clean) that sha256sum prints without escaping.
func CheckPath(p string) error {
	if err := artifact.CheckPath(p); err != nil {
		return err
	}
	if !utf8.ValidString(p) {
		return fmt.Errorf("path %q is not valid UTF-8", p)
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("path %q has a control character", p)
		}
	}
	return nil
}

const (
	versionLine = "# version: "
	expiresLine = "# expires: "
)

// Marshal returns the canonical text form of m.
func (m *Manifest) Marshal() []byte {
	head := versionLine + strconv.FormatInt(m.Version, 10) + "\n" + expiresLine + m.Expires.UTC().Format(time.RFC3339) + "\n"
	// Sized exactly: the manifest of a 100,000-client tree is 33 MB, and
	// growing a buffer to it would hold twice that at the end.
	n := len(head)
	for _, e := range m.Entries {
		n += hex.EncodedLen(sha256.Size) + 2 + len(e.Path) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, head...)
	for _, e := range m.Entries {
		b = hex.AppendEncode(b, e.Digest[:])
		b = append(b, "  "...)
		b = append(b, e.Path...)
		b = append(b, '\n')
	}
	return b
}

// Lookup returns the digest listed for path.
func (m *Manifest) Lookup(path string) ([sha256.Size]byte, bool) {
	es := m.Entries
	i := sort.Search(len(es), func(i int) bool { return es[i].Path >= path })
	if i < len(es) && es[i].Path == path {
		return es[i].Digest, true
	}
	return [sha256.Size]byte{}, false
}

// Parse reads the canonical form written by Marshal. Anything else, including
// a missing or reordered header, a line in binary mode ("*path"), unsorted or
// repeated paths, or a missing final newline, is an error naming the line: a
// signed manifest has exactly one valid encoding, so any deviation means it
// was not written by wellknown.
func Parse(data []byte) (*Manifest, error) {
	if len(data) == 0 || data[len(data)-1] != '\n' {
		return nil, fmt.Errorf("missing final newline")
	}
	lines := strings.Split(string(data[:len(data)-1]), "\n")
	m := &Manifest{}
	if err := m.parseHeader(lines); err != nil {
		return nil, err
	}
	const header = 2
	m.Entries = make([]Entry, 0, len(lines)-header)
	for i, line := range lines[header:] {
		n := i + 1 + header
		hexDigest, p, ok := strings.Cut(line, "  ")
		if !ok || len(hexDigest) != sha256.Size*2 {
			return nil, fmt.Errorf("line %d: want \"<sha256 hex>  <path>\"", n)
		}
		var e Entry
		if _, err := hex.Decode(e.Digest[:], []byte(hexDigest)); err != nil || strings.ToLower(hexDigest) != hexDigest {
			return nil, fmt.Errorf("line %d: digest is not 64 lowercase hex digits", n)
		}
		if err := CheckPath(p); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		e.Path = p
		if k := len(m.Entries); k > 0 && m.Entries[k-1].Path >= p {
			return nil, fmt.Errorf("line %d: path %q is out of order or repeated", n, p)
		}
		m.Entries = append(m.Entries, e)
	}
	return m, nil
}

// parseHeader reads the version and expiry lines, refusing every form but
// the one Marshal writes (no sign, no leading zeros, UTC, whole seconds).
func (m *Manifest) parseHeader(lines []string) error {
	v, ok := strings.CutPrefix(lines[0], versionLine)
	if !ok {
		return fmt.Errorf("line 1: want %q and the version (written by a wellknown older than the manifest's version and expiry?)", versionLine)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != v {
		return fmt.Errorf("line 1: version %q is not a decimal number", v)
	}
	if len(lines) < 2 {
		return fmt.Errorf("line 2: want %q and the expiry", expiresLine)
	}
	e, ok := strings.CutPrefix(lines[1], expiresLine)
	if !ok {
		return fmt.Errorf("line 2: want %q and the expiry", expiresLine)
	}
	t, err := time.Parse(time.RFC3339, e)
	if err != nil || t.UTC().Format(time.RFC3339) != e {
		return fmt.Errorf("line 2: expiry %q is not an RFC 3339 UTC time such as 2027-01-31T00:00:00Z", e)
	}
	m.Version, m.Expires = n, t.UTC()
	if err := m.Freshness.check(); err != nil {
		return fmt.Errorf("line 1: %w", err)
	}
	return nil
}
