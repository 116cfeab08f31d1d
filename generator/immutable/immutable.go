// Package immutable adds content-addressed copies of the documents that
// change on key rotation (metadata and JWKS), so that caches may keep them
// forever and a mirror can keep every version, and an index that points from
// each document to its current copy.
//
// Layout: every copy lives in one directory, immutable/, as
// NAME.HEX.json, where NAME says what the document is and HEX is the first
// 16 hex digits of the SHA-256 of its bytes. The .json extension makes every
// host, including those that only look at extensions (GitHub Pages, a bare
// S3 bucket), serve the copy as application/json; one flat directory keeps
// the copies out of /.well-known/, whose names are registered (RFC 8615).
// The same bytes always get the same name, so two documents that happen to be
// identical share a copy.
package immutable

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/wellknown-dev/wellknown/generator/artifact"
)

const (
	// Dir is the directory that holds the copies.
	Dir = "immutable"
	// IndexPath is where the index is published. It changes with every
	// rotation, so it lives outside Dir and gets the short cache policy.
	IndexPath = "digests.json"
	// hexLen is how much of the digest goes into a name: 64 bits tell
	// versions of one document apart; the index carries the full digest.
	hexLen = 16
)

// Index is the document at IndexPath.
type Index struct {
	Documents []Entry `json:"documents"`
}

// Entry points from one published document to its content-addressed copy.
type Entry struct {
	Path   string `json:"path"`   // the document, relative to the site root
	SHA256 string `json:"sha256"` // hex, of the document's bytes
	Copy   string `json:"copy"`   // the copy, relative to the site root
}

// IsCopy reports whether p names a content-addressed copy.
func IsCopy(p string) bool { return strings.HasPrefix(p, Dir+"/") }

// Changing reports whether the document at p changes on rotation and so
// gets a copy: the metadata documents under /.well-known/ and the JWKS. Add
// also copies every artifact marked artifact.KeySet, whose path need not
// end in jwks.json.
func Changing(p string) bool {
	if IsCopy(p) {
		return false
	}
	return path.Base(p) == "jwks.json" || metadata[artifact.WellKnown(p)]
}

// metadata are the well-known documents that are JSON metadata. The
// federation entity statement is not: it is a JWT with its own expiry, and a
// .json copy would be served with the wrong type.
var metadata = map[string]bool{
	"openid-configuration":       true,
	"oauth-authorization-server": true,
	"oauth-protected-resource":   true,
}

// CopyPath returns where the copy of body, published at p, goes.
func CopyPath(p string, body []byte) string {
	sum := sha256.Sum256(body)
	return fmt.Sprintf("%s/%s.%s.json", Dir, label(p), hex.EncodeToString(sum[:])[:hexLen])
}

// label names what the document at p is: the registered name for a
// well-known document ("openid-configuration", whichever placement), the
// base name without extension otherwise ("jwks").
func label(p string) string {
	if name := artifact.WellKnown(p); name != "" {
		return name
	}
	return strings.TrimSuffix(path.Base(p), path.Ext(p))
}

// Add returns as, sorted by path, with a copy of every changing document and
// the index. The copies carry no headers; they get them, like every other
// artifact, from the headers phase, which runs after this one. Like
// append, it reuses as's array when it has room (a registry's list is
// 300,000 files long), so use what it returns, not as.
func Add(as []artifact.Artifact) ([]artifact.Artifact, error) {
	copies := 1 // the index
	for _, a := range as {
		if IsCopy(a.Path) || a.Path == IndexPath {
			return nil, fmt.Errorf("immutable: %s: path is reserved for content-addressed copies", a.Path)
		}
		if Changing(a.Path) || a.Kind == artifact.KeySet {
			copies++
		}
	}
	// Sized to the copies: every file of a registry's list but a few has
	// none.
	out := slices.Grow(as, copies)
	// No input is below the copies' directory, so only copies can meet.
	seen := map[string]bool{}
	var idx Index
	for _, a := range as {
		if !Changing(a.Path) && a.Kind != artifact.KeySet {
			continue
		}
		sum := sha256.Sum256(a.Body)
		cp := CopyPath(a.Path, a.Body)
		idx.Documents = append(idx.Documents, Entry{Path: a.Path, SHA256: hex.EncodeToString(sum[:]), Copy: cp})
		if seen[cp] {
			continue // identical bytes, already copied
		}
		seen[cp] = true
		out = append(out, artifact.Artifact{Path: cp, Body: a.Body, Header: http.Header{}, Kind: a.Kind})
	}
	if len(idx.Documents) == 0 {
		artifact.Sort(out)
		return out, nil
	}
	// Sorted so the index does not depend on the order render produced.
	slices.SortFunc(idx.Documents, func(a, b Entry) int { return strings.Compare(a.Path, b.Path) })
	body, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("immutable: %s: %w", IndexPath, err)
	}
	out = append(out, artifact.Artifact{Path: IndexPath, Body: append(body, '\n'), Header: http.Header{}})
	artifact.Sort(out)
	return out, nil
}
