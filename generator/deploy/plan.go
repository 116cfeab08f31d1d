// Package deploy puts a built tree on an object store (S3, GCS, Azure Blob,
// a directory) through gocloud.dev/blob, as a plan: list the store once,
// compare every object with the tree without downloading it, then upload,
// rewrite and delete in phases that keep the store serving a consistent
// site at every moment.
//
// Deploy decides no header: it reads the tree through hosting.Served, the
// one reader of a served tree, and stores on each object the headers that
// serve sends for it, as far as the store can hold them (see Stored).
//
// Each object carries two digests in its metadata: the SHA-256 of its body
// (MetaBody) and of the header set written with it (MetaHeaders). A
// re-deploy compares them, and the headers the store actually holds, with
// the tree, so an unchanged site costs one listing and no upload, and an
// object whose headers were edited by hand is written again.
package deploy

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/hosting"
	"github.com/wellknown-dev/wellknown/generator/immutable"
	"github.com/wellknown-dev/wellknown/generator/sign"
)

// Metadata keys deploy writes on every object. gocloud escapes them for
// stores with stricter rules (Azure), and reads them back the same.
const (
	MetaBody    = "wellknown-sha256"
	MetaHeaders = "wellknown-headers-sha256"
)

// File is one file of the tree, as serve sends it.
type File struct {
	Path   string
	Body   []byte
	Header http.Header
}

// Read reads the built tree at dir as serve does (hosting.Served). A
// directory without _headers is not a wellknown build and is refused: its
// objects would be published with no Content-Type and no cache policy.
func Read(dir string) ([]File, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	if _, err := root.Stat(hosting.HeadersFile); err != nil {
		return nil, fmt.Errorf("%s: not a wellknown build: no %s\nhint: run wellknown build, or point --dir at the tree it wrote", dir, hosting.HeadersFile)
	}
	paths, hs, err := hosting.Served(root)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	files := make([]File, 0, len(paths))
	for _, p := range paths {
		body, err := root.ReadFile(filepath.FromSlash(p))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
		files = append(files, File{Path: p, Body: body, Header: hs[p]})
	}
	return files, nil
}

// Artifacts returns files as artifacts, for probe.
func Artifacts(files []File) []artifact.Artifact {
	as := make([]artifact.Artifact, len(files))
	for i, f := range files {
		as[i] = artifact.Artifact{Path: f.Path, Body: f.Body, Header: f.Header}
	}
	return as
}

// Stored is the part of a header set an object store keeps on an object
// and sends back as response headers. Every store deploy speaks to holds
// these five; none holds CORS or X-Content-Type-Options per object (S3,
// GCS and Azure set CORS on the bucket or account, see Unstorable).
type Stored struct {
	ContentType        string
	CacheControl       string
	ContentDisposition string
	ContentEncoding    string
	ContentLanguage    string
}

// StoredOf returns the part of h an object can hold.
func StoredOf(h http.Header) Stored {
	return Stored{
		ContentType:        h.Get("Content-Type"),
		CacheControl:       h.Get("Cache-Control"),
		ContentDisposition: h.Get("Content-Disposition"),
		ContentEncoding:    h.Get("Content-Encoding"),
		ContentLanguage:    h.Get("Content-Language"),
	}
}

// digest is the SHA-256 of the stored header set, in a fixed text form.
func (s Stored) digest() string {
	var b strings.Builder
	for _, f := range [][2]string{
		{"Cache-Control", s.CacheControl},
		{"Content-Disposition", s.ContentDisposition},
		{"Content-Encoding", s.ContentEncoding},
		{"Content-Language", s.ContentLanguage},
		{"Content-Type", s.ContentType},
	} {
		if f[1] != "" {
			b.WriteString(f[0] + ": " + f[1] + "\n")
		}
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// diff names the headers in which got differs from s.
func (s Stored) diff(got Stored) []string {
	var out []string
	for _, f := range [][3]string{
		{"Content-Type", s.ContentType, got.ContentType},
		{"Cache-Control", s.CacheControl, got.CacheControl},
		{"Content-Disposition", s.ContentDisposition, got.ContentDisposition},
		{"Content-Encoding", s.ContentEncoding, got.ContentEncoding},
		{"Content-Language", s.ContentLanguage, got.ContentLanguage},
	} {
		if f[1] != f[2] {
			out = append(out, fmt.Sprintf("%s %q, want %q", f[0], f[2], f[1]))
		}
	}
	return out
}

// Unstorable returns, sorted, the names of headers in files that no object
// store holds per object: they must be configured on the bucket (CORS) or
// the CDN in front of it.
func Unstorable(files []File) []string {
	seen := map[string]bool{}
	for _, f := range files {
		for name := range f.Header {
			switch http.CanonicalHeaderKey(name) {
			case "Content-Type", "Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language":
			default:
				seen[http.CanonicalHeaderKey(name)] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Phase is a group of writes that finishes before the next starts. The
// order keeps every reference valid while a deploy runs: what documents
// point to goes up before the documents, and the signed manifest, which
// names every file's digest, goes up last, when every file it names is in
// place. Deletions come after everything else, so nothing still pointed to
// disappears.
type Phase int

const (
	// Targets: content-addressed copies and every file a document points
	// to (JWKS, client documents, the publisher key), with their
	// signatures.
	Targets Phase = iota
	// Documents: the files that point to others: metadata under
	// /.well-known/, client indexes and pages, digests.json.
	Documents
	// Manifest: the signed manifest and its signature.
	Manifest
	// Deletes: what the tree no longer holds.
	Deletes
)

func (p Phase) String() string {
	switch p {
	case Targets:
		return "targets"
	case Documents:
		return "documents"
	case Manifest:
		return "manifest"
	case Deletes:
		return "deletes"
	}
	return fmt.Sprintf("Phase(%d)", int(p))
}

// PhaseOf returns the phase the file at p is written in. A per-file
// signature or Sigstore bundle goes with its file, so that a signature and
// what it signs differ only while their phase runs.
func PhaseOf(p string) Phase {
	switch p {
	case sign.ManifestPath, sign.ManifestSig, sign.ManifestBundle:
		return Manifest
	}
	if s, ok := sign.SignedPath(p); ok {
		return PhaseOf(s)
	}
	if immutable.IsCopy(p) {
		return Targets
	}
	switch {
	case artifact.WellKnown(p) != "",
		p == immutable.IndexPath,
		path.Base(p) == "index.json",
		path.Ext(p) == ".html":
		return Documents
	}
	return Targets
}

// Kind is what an action does to an object.
type Kind int

const (
	// Upload writes a new object or one whose body changed.
	Upload Kind = iota
	// Update writes an object again, same body, to repair its headers or
	// metadata.
	Update
	// Delete removes an object the tree no longer holds.
	Delete
)

func (k Kind) String() string {
	switch k {
	case Upload:
		return "upload"
	case Update:
		return "update"
	case Delete:
		return "delete"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Action is one write or deletion of the plan.
type Action struct {
	Path   string
	Kind   Kind
	Phase  Phase
	Reason string // why, for --dry-run: "new", "body changed", the drifted headers
	file   *File
}

// Remote is what the store holds for one object: what the listing and the
// object's attributes say, never its body.
type Remote struct {
	ModTime  time.Time // from the listing
	Size     int64
	MD5      []byte // nil when the store does not report one
	Stored   Stored
	Metadata map[string]string // keys lowercased
	// known is true when the listing alone said all of the above (GCS),
	// or the state object vouches for it.
	known bool
}

// Plan is what a deploy does, in the order it does it.
type Plan struct {
	Actions   []Action // by phase, then path
	Unchanged int
	Files     int // in the tree

	remote map[string]Remote
	state  []byte // the state object as read, to skip rewriting it unchanged
	asked  int
}

// NewPlan compares the tree with what the store holds (see List).
func NewPlan(files []File, l *Listing) *Plan {
	remote := l.Objects
	p := &Plan{Files: len(files), remote: remote, state: l.state, asked: l.Asked}
	local := make(map[string]bool, len(files))
	for i := range files {
		f := &files[i]
		local[f.Path] = true
		want := StoredOf(f.Header)
		r, ok := remote[f.Path]
		a := Action{Path: f.Path, Phase: PhaseOf(f.Path), file: f}
		switch {
		case !ok:
			a.Kind, a.Reason = Upload, "new"
		case !sameBody(f.Body, r):
			a.Kind, a.Reason = Upload, "body changed"
		default:
			drift := want.diff(r.Stored)
			if r.Metadata[MetaHeaders] != want.digest() || r.Metadata[MetaBody] != bodyDigest(f.Body) {
				drift = append(drift, "deploy metadata")
			}
			if len(drift) == 0 {
				p.Unchanged++
				continue
			}
			a.Kind, a.Reason = Update, strings.Join(drift, ", ")
		}
		p.Actions = append(p.Actions, a)
	}
	for k := range remote {
		if !local[k] && k != StateKey {
			p.Actions = append(p.Actions, Action{Path: k, Kind: Delete, Phase: Deletes, Reason: "not in the tree"})
		}
	}
	slices.SortFunc(p.Actions, func(x, y Action) int {
		if x.Phase != y.Phase {
			return int(x.Phase) - int(y.Phase)
		}
		return strings.Compare(x.Path, y.Path)
	})
	return p
}

// sameBody reports whether the store holds body, as far as its digests
// tell: our SHA-256 when present (with the size), else the store's MD5.
// An object without either cannot be told equal and is uploaded again.
func sameBody(body []byte, r Remote) bool {
	if r.Size != int64(len(body)) {
		return false
	}
	if r.MD5 != nil {
		sum := md5.Sum(body)
		if !slices.Equal(r.MD5, sum[:]) {
			return false
		}
	}
	if d, ok := r.Metadata[MetaBody]; ok {
		return d == bodyDigest(body)
	}
	return r.MD5 != nil
}

func bodyDigest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// paths returns the paths of the actions of kind k, sorted.
func (p *Plan) paths(k Kind) []string {
	out := []string{}
	for _, a := range p.Actions {
		if a.Kind == k {
			out = append(out, a.Path)
		}
	}
	slices.Sort(out)
	return out
}

// Uploaded, Updated and Deleted return the paths of each kind of action.
func (p *Plan) Uploaded() []string { return p.paths(Upload) }
func (p *Plan) Updated() []string  { return p.paths(Update) }
func (p *Plan) Deleted() []string  { return p.paths(Delete) }

// Empty reports whether the store already serves the tree.
func (p *Plan) Empty() bool { return len(p.Actions) == 0 }

// MaxInvalidationPaths is CloudFront's limit of paths per invalidation
// batch (wildcards included).
const MaxInvalidationPaths = 3000

// Invalidate returns what a CDN in front of the store must invalidate: every
// path written or deleted. Beyond MaxInvalidationPaths, the directories with
// the most paths are collapsed into "DIR/*" until the list fits; the whole
// site ("*") only when every file changed.
func (p *Plan) Invalidate() []string {
	var ps []string
	for _, a := range p.Actions {
		ps = append(ps, a.Path)
	}
	all := p.Unchanged == 0
	return collapse(ps, MaxInvalidationPaths, all)
}

func collapse(ps []string, max int, all bool) []string {
	set := map[string]bool{}
	for _, p := range ps {
		set[p] = true
	}
	// parent of an entry: "a/b/c.json" and "a/b/*" are in "a/b" and "a".
	parent := func(e string) string {
		e = strings.TrimSuffix(e, "/*")
		if d := path.Dir(e); d != "." {
			return d
		}
		return ""
	}
	for len(set) > max {
		count := map[string]int{}
		for e := range set {
			if e != "*" {
				count[parent(e)]++
			}
		}
		best, n := "", 0
		for d, c := range count {
			if d == "" && !all {
				continue
			}
			if c > n || c == n && d < best {
				best, n = d, c
			}
		}
		if n < 2 {
			break
		}
		for e := range set {
			if e != "*" && parent(e) == best {
				delete(set, e)
			}
		}
		if best == "" {
			set["*"] = true
		} else {
			set[best+"/*"] = true
		}
	}
	out := make([]string, 0, len(set))
	for e := range set {
		out = append(out, e)
	}
	slices.Sort(out)
	return out
}
