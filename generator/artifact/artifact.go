// Package artifact defines what the render phase produces and every later
// consumer reads: a file of the published site with the HTTP headers it must
// be served with. Host formats (_headers, S3 metadata, nginx) are derived from
// these headers, never decided again per host.
package artifact

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"path"
	"slices"
	"sort"
	"strings"
)

// Artifact is one published file.
type Artifact struct {
	// Path is slash-separated and relative to the site root, with no leading
	// slash: ".well-known/openid-configuration", "jwks.json".
	Path string
	Body []byte
	// Header holds the response headers, canonicalised (http.CanonicalHeaderKey).
	Header http.Header
	// Kind says what the file is when its path cannot: the JWK Set a site
	// publishes at its jwks_path is one whatever that path looks like
	// (kube-apiserver's /openid/v1/jwks, WSO2's /t/TENANT/oauth2/jwks), and
	// is served and copied as one. Empty: the path says, by its
	// /.well-known/ name or its extension.
	Kind Kind
	// Stored tells that the body went to the build's Sink as soon as it was
	// rendered and was let go: Body is nil, and Size and Digest describe
	// it. A registry of 100,000 clients would otherwise hold every
	// document, signature and bundle until the last one is made.
	Stored bool
	Size   int
	Digest [sha256.Size]byte
}

// Len is the size of the file's body, stored or not.
func (a Artifact) Len() int {
	if a.Stored {
		return a.Size
	}
	return len(a.Body)
}

// SHA256 is the digest of the file's body, stored or not.
func (a Artifact) SHA256() [sha256.Size]byte {
	if a.Stored {
		return a.Digest
	}
	return sha256.Sum256(a.Body)
}

// A Sink takes files as they are rendered: the tree a build is written to.
// Put may be called from several goroutines at once, each with another path.
type Sink interface {
	Put(path string, body []byte) error
}

// A Reader is a Sink that can read a file of the tree's previous build,
// knowing its size and digest: a build that remembers where a part of an
// unchanged file lies (the client cache, each row of the registry's
// pages) takes the part from it instead of making it again.
type Reader interface {
	Sink
	// Previous returns the previous build's file at path if it holds
	// exactly size bytes with that digest.
	Previous(path string, size int, digest [sha256.Size]byte) ([]byte, bool)
}

// A Keeper is a Sink that can put a file as the tree's previous build
// holds it, knowing only its size and digest: a build that remembers what
// an unchanged input made (the client cache) then neither makes the file
// again nor reads it.
type Keeper interface {
	Sink
	// Keep puts each of files, Stored, as the previous build holds it. It
	// reports false, having put none of them, unless the previous build
	// holds every one with that size and digest, as its own index says,
	// unchanged since.
	Keep(files []Artifact) (bool, error)
}

// Store puts a's body into s and keeps only its size and digest.
func Store(s Sink, a *Artifact) error {
	if a.Stored {
		return nil
	}
	if err := s.Put(a.Path, a.Body); err != nil {
		return err
	}
	a.Stored, a.Size, a.Digest = true, len(a.Body), sha256.Sum256(a.Body)
	a.Body = nil
	return nil
}

// Kind is what a file is, for the phases that treat kinds of files alike
// (headers, content-addressed copies) when the path alone would not tell.
type Kind string

// KeySet is a JWK Set (RFC 7517 §5) the site publishes.
const KeySet Kind = "jwk-set"

// URLPath is the path the file is served at, relative to the site root's URL path.
func (a Artifact) URLPath() string { return "/" + a.Path }

// CheckPath reports whether p is acceptable as an artifact path: relative,
// clean, slash-separated, without empty, "." or ".." segments.
func CheckPath(p string) error {
	if p == "" || strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") {
		return fmt.Errorf("artifact path %q must be relative and name a file", p)
	}
	if path.Clean(p) != p || strings.Contains(p, "\\") {
		return fmt.Errorf("artifact path %q is not clean", p)
	}
	// A clean path holds "." only whole, and ".." only leading.
	switch {
	case p == ".":
		return fmt.Errorf("artifact path %q has a %q segment", p, ".")
	case p == ".." || strings.HasPrefix(p, "../"):
		return fmt.Errorf("artifact path %q has a %q segment", p, "..")
	}
	return nil
}

// WellKnown returns the name under /.well-known/ that the file at p is
// published as, in either placement: ".well-known/NAME" followed by the
// issuer's or resource's path, if it has one (RFC 8414 §3.1, RFC 9728 §3.1:
// inserted), or "PATH/.well-known/NAME" (OpenID Connect Discovery §4, OpenID
// Federation: appended). It returns "" when p is neither. The path after an
// inserted name is the issuer's and may look like anything, "my.realm"
// included; it says nothing about the file's type.
//
// It is asked of every file a few times, 100,000 client documents among
// them, so it reads p in place: splitting it cost a one-change rebuild of
// that registry 40 ms of CPU.
func WellKnown(p string) string {
	for first := true; ; first = false {
		seg, rest, more := strings.Cut(p, "/")
		if !more {
			return ""
		}
		if seg == ".well-known" {
			name, _, deeper := strings.Cut(rest, "/")
			if first || !deeper {
				return name
			}
			return ""
		}
		p = rest
	}
}

// Sort orders artifacts by path, the order every consumer sees them in.
// Paths are unique, so any sort gives one order.
//
// The list is one long run already in order (a registry's 100,000
// documents) and a few hundred files around it (the site's own, and the
// registry's pages, whose HTML and JSON alternate), so the others are
// sorted alone, each is found in the run by a galloping search, and the
// run's pieces between them move with one copy each: a few thousand
// comparisons and a memmove, where a general sort of 100,000 artifacts
// cost a no-change rebuild a tenth of its time.
func Sort(as []Artifact) {
	lo, hi, start := 0, 0, 0 // the longest run is as[lo:hi]
	for i := 1; i <= len(as); i++ {
		if i == len(as) || as[i].Path < as[i-1].Path {
			if i-start > hi-lo {
				lo, hi = start, i
			}
			start = i
		}
	}
	if hi-lo == len(as) {
		return
	}
	rest := make([]Artifact, 0, len(as)-(hi-lo))
	rest = append(append(rest, as[:lo]...), as[hi:]...)
	slices.SortFunc(rest, func(a, b Artifact) int { return strings.Compare(a.Path, b.Path) })
	// at[k] is where in the run rest[k] goes: before as[at[k]].
	at := make([]int, len(rest)+1)
	from := lo
	for k := range rest {
		p := rest[k].Path
		// Doubling steps bound the run's first path after p, a binary
		// search finds it.
		step := 1
		for from+step <= hi && as[from+step-1].Path < p {
			step *= 2
		}
		l, h := from+step/2, min(from+step, hi)
		from = l + sort.Search(h-l, func(i int) bool { return p < as[l+i].Path })
		at[k] = from
	}
	at[len(rest)] = hi
	// The run's piece k, before rest[k], moves by k-lo: those moving left
	// go first from the left, those moving right from the right, so that
	// none is written over before it moves.
	piece := func(k int) (int, int) {
		if k == 0 {
			return lo, at[0]
		}
		return at[k-1], at[k]
	}
	for k := 0; k <= len(rest) && k < lo; k++ {
		f, t := piece(k)
		copy(as[f+k-lo:], as[f:t])
	}
	for k := len(rest); k > lo; k-- {
		f, t := piece(k)
		copy(as[f+k-lo:], as[f:t])
	}
	for k := range rest {
		as[at[k]-lo+k] = rest[k]
	}
}
