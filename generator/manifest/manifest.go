// Package manifest reads and writes the list of SHA-256 digests that covers a
// published tree.
//
// The format is exactly what GNU coreutils' sha256sum prints in text mode, one
// line per file:
//
//	<64 lowercase hex digits><space><space><path>\n
//
// with paths slash-separated, relative to the site root, and sorted by their
// bytes. It was chosen over canonical JSON because every system already has a
// checker for it and needs no wellknown to audit a tree:
//
//	cd out && sha256sum -c signatures/SHA256SUMS       # GNU coreutils
//	cd out && shasum -a 256 -c signatures/SHA256SUMS   # macOS, BSD
//
// The encoding is canonical: one byte string per set of files. Paths that
// sha256sum would have to escape (backslash, newline, other control
// characters) are refused rather than escaped, so every line is the plain form
// and Parse accepts only what Marshal writes.
package manifest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/wellknown-dev/wellknown/generator/artifact"
)

// Entry is one file of the manifest.
type Entry struct {
	Path   string
	Digest [sha256.Size]byte
}

// Manifest is the set of files of a tree, sorted by path.
type Manifest []Entry

// Of computes the manifest of files, keyed by path.
func Of(files map[string][]byte) (Manifest, error) {
	m := make(Manifest, 0, len(files))
	for p, body := range files {
		if err := CheckPath(p); err != nil {
			return nil, err
		}
		m = append(m, Entry{Path: p, Digest: sha256.Sum256(body)})
	}
	sort.Slice(m, func(i, j int) bool { return m[i].Path < m[j].Path })
	return m, nil
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

// Marshal returns the canonical text form of m.
func (m Manifest) Marshal() []byte {
	var b bytes.Buffer
	b.Grow(len(m) * (sha256.Size*2 + 40))
	for _, e := range m {
		b.WriteString(hex.EncodeToString(e.Digest[:]))
		b.WriteString("  ")
		b.WriteString(e.Path)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// Lookup returns the digest listed for path.
func (m Manifest) Lookup(path string) ([sha256.Size]byte, bool) {
	i := sort.Search(len(m), func(i int) bool { return m[i].Path >= path })
	if i < len(m) && m[i].Path == path {
		return m[i].Digest, true
	}
	return [sha256.Size]byte{}, false
}

// Parse reads the canonical form written by Marshal. Anything else, including
// a line in binary mode ("*path"), unsorted or repeated paths, or a missing
// final newline, is an error naming the line: a signed manifest has exactly
// one valid encoding, so any deviation means it was not written by wellknown.
func Parse(data []byte) (Manifest, error) {
	if len(data) == 0 {
		return Manifest{}, nil
	}
	if data[len(data)-1] != '\n' {
		return nil, fmt.Errorf("missing final newline")
	}
	lines := strings.Split(string(data[:len(data)-1]), "\n")
	m := make(Manifest, 0, len(lines))
	for i, line := range lines {
		n := i + 1
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
		if len(m) > 0 && m[len(m)-1].Path >= p {
			return nil, fmt.Errorf("line %d: path %q is out of order or repeated", n, p)
		}
		m = append(m, e)
	}
	return m, nil
}
