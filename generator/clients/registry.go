// Package clients turns the client files of a site (clients/SLUG.yaml, with
// RFC 7591 field names) into published client metadata documents, an index
// of them, and the diagnostics of every rule a static registry can check:
// RFC 7591 §2, RFC 8252 for redirect URIs, the OAuth Client ID Metadata
// Document draft, and the site's own policy, read from its authorization
// server metadata.
package clients

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/internal/binfmt"
	"github.com/wellknown-dev/wellknown/generator/internal/parallel"
	"github.com/wellknown-dev/wellknown/generator/internal/stamp"
	"github.com/wellknown-dev/wellknown/generator/internal/yamlwalk"
	"github.com/wellknown-dev/wellknown/generator/jsonout"
	"github.com/wellknown-dev/wellknown/generator/progress"
)

// MaxDocumentSize is the size above which a Client ID Metadata Document
// draws a warning: the draft recommends that authorization servers refuse
// to fetch more than 5 KB.
const MaxDocumentSize = 5 << 10

// Ext is the extension of a client file.
const Ext = ".yaml"

// Client is one registered client, checked against its site and rendered.
type Client struct {
	// File is the decoded client file. A registry lets it go once every
	// file is checked (see Summary): a registry of 100,000 clients would
	// otherwise hold every field's value and position to the end.
	*File
	Slug     string
	Mode     config.ClientMode
	ClientID string
	URL      string // where the document is served
	Path     string // the document's path below the site root
	// Doc is the document: its body, or only its size and digest once it
	// is stored (see Options.Store).
	Doc   artifact.Artifact
	Shown Summary
}

// Summary is what the index and the page for people show of a client,
// kept when its File is let go.
type Summary struct {
	Source       string // the client file, as messages name it: clients/web.yaml
	DisplayName  string // the default client_name, or the slug
	ClientURI    string // the untagged client_uri
	AuthMethod   string
	GrantTypes   []string
	RedirectURIs []string
}

// Options are a registry's optional behaviours.
type Options struct {
	// Store, when set, takes each client's document as soon as it is
	// rendered and checked, from several goroutines at once (see
	// artifact.Store): the document then stays with the Registry only as
	// its size and digest.
	Store func(doc *artifact.Artifact) error
	// Workers is how many files are checked and rendered at once, at
	// least one per core: more when Store waits on a token or KMS for
	// each document's signature.
	Workers int
	// Meter, when set, counts each client file checked (see package
	// progress).
	Meter *progress.Meter
	// Cache, when set, is what the last build remembers of each client:
	// a file it holds with the same bytes is taken from it, its files
	// kept from the previous tree, rather than checked, rendered and
	// stored again (see Cache). It needs Store.
	Cache *Cache
}

// Registry is every client of a site.
type Registry struct {
	Dir     string // as messages name it: "clients"
	Path    string // where documents are published, below the site root
	Clients []Client
	// Present tells whether the site has a client directory; without one
	// the build publishes no index.
	Present bool
	// BaseURL is the site's base_url, without a trailing slash: the index
	// links its pages by absolute URL, as it links documents.
	BaseURL string
	store   func(*artifact.Artifact) error // Options.Store

	cache      *Cache
	cacheKey   [sha256.Size]byte
	cacheFresh bool       // the cache is what SaveCache would write
	memos      []memo     // by client, for SaveCache
	pages      []pageMemo // by page, for SaveCache
	// Cached is how many clients were taken from the cache.
	Cached int
}

// Source is the content of one file of the client directory.
type Source struct {
	Name string // the file name: web.yaml
	Data []byte
	dir  string // where the file is read from when Data is nil, in parallel
}

// idSource is where a client's client_id comes from, for the check that
// no two clients share one.
type idSource struct {
	file    string
	pos     diag.Pos
	written bool // the file writes client_id, rather than deriving it
}

// MetadataDocuments reports whether any client uses its document's URL as
// its client_id, so the site must advertise client_id_metadata_document_supported.
func (r *Registry) MetadataDocuments() bool {
	return slices.ContainsFunc(r.Clients, func(c Client) bool { return c.Mode == config.MetadataDocument })
}

// DirOf returns the client directory of a site on disk and as messages name it.
func DirOf(site *config.Site) (dir, display string) {
	dir = site.Resolve(site.Clients.Dir)
	return dir, filepath.ToSlash(dir)
}

// Load reads the client directory of the site and checks every file. The
// Registry is nil when there are errors.
func Load(site *config.Site) (*Registry, *diag.List) {
	r, diags, _ := Options{}.Load(site) // only Store fails
	return r, diags
}

// Load is Load with o's behaviours. Its error is Store's, which ends the
// registry's making.
func (o Options) Load(site *config.Site) (*Registry, *diag.List, error) {
	if o.Cache != nil && o.Store != nil {
		o.Cache.prefetch()
	}
	srcs, present, diags := read(site)
	if !present {
		return &Registry{Dir: site.Clients.Dir, Path: site.Clients.Path}, diags, nil
	}
	// The phase ends when the build's next one starts (or the build
	// ends): its line stays up meanwhile.
	o.Meter.Start("clients", len(srcs), "clients")
	r, d, err := o.New(site, srcs)
	diags.Merge(d)
	return r, diags, err
}

func read(site *config.Site) ([]Source, bool, *diag.List) {
	var diags diag.List
	dir, display := DirOf(site)
	entries, err := readDir(dir)
	if errors.Is(err, fs.ErrNotExist) && !site.Clients.DirSet {
		return nil, false, &diags // no clients: a site need not have any
	}
	if err != nil {
		diags.Errorf(site.Where("clients.dir"), "cannot read the client directory %s: %v", display, diag.Cause(err))
		return nil, false, &diags
	}
	// Client files are sorted by name alone, as strings (os.ReadDir sorts
	// 100,000 entries through an interface, and sorting the Sources moves
	// 56 bytes a swap: 75 ms, where this takes 40), and the few others by
	// name too, so that their messages come in order.
	names := make([]string, 0, len(entries))
	var others []fs.DirEntry
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, Ext) && !strings.HasPrefix(name, ".") && e.Type().IsRegular() {
			names = append(names, name)
		} else {
			others = append(others, e)
		}
	}
	slices.Sort(names)
	srcs := make([]Source, len(names))
	for i, name := range names {
		srcs[i] = Source{Name: name, dir: dir}
	}
	slices.SortFunc(others, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	for _, e := range others {
		name := e.Name()
		file := path.Join(display, name)
		switch {
		case strings.HasPrefix(name, ".") || strings.EqualFold(path.Ext(name), ".md"):
			continue // dot files and notes (README.md, CODEOWNERS) live beside clients
		case e.IsDir():
			diags.Warnf(diag.Pos{Path: file}, "directory not read: client files are %s/SLUG%s", display, Ext)
		case strings.HasSuffix(name, ".yml"):
			diags.Errorf(diag.Pos{Path: file}, "client files end in %s", Ext)
			diags.Hint("rename it to %s", strings.TrimSuffix(name, ".yml")+Ext)
		case !strings.HasSuffix(name, Ext):
			diags.Errorf(diag.Pos{Path: file}, "not a client file: the client directory holds SLUG%s files", Ext)
		case !e.Type().IsRegular():
			diags.Errorf(diag.Pos{Path: file}, "not a regular file; client files must not be links or devices")
		}
	}
	return srcs, true, &diags
}

// readDir is os.ReadDir, unsorted.
func readDir(dir string) ([]fs.DirEntry, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.ReadDir(-1)
}

// CheckSlug reports whether slug can name a client. Slugs keep to what
// every host, URL and file system takes as it is: 1 to 64 letters, digits,
// '-' and '_', starting with a letter or digit, which rules out traversal
// ("..", "/"), dot files and percent-encoding. (A loop, not a regular
// expression: a registry checks 100,000 of them every build.)
func CheckSlug(slug string) error {
	ok := len(slug) >= 1 && len(slug) <= 64 && slug[0] != '-' && slug[0] != '_'
	for i := 0; ok && i < len(slug); i++ {
		c := slug[i]
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
	}
	if !ok {
		return fmt.Errorf("slug %q must be 1 to 64 letters, digits, '-' or '_', starting with a letter or digit", slug)
	}
	if strings.EqualFold(slug, "index") {
		return fmt.Errorf("slug %q is taken by the registry's index", slug)
	}
	return nil
}

// New checks the client files srcs against the site and renders them. The
// Registry is nil when there are errors.
func New(site *config.Site, srcs []Source) (*Registry, *diag.List) {
	r, diags, _ := Options{}.New(site, srcs) // only Store fails
	return r, diags
}

// New is New with o's behaviours. Its error is Store's.
func (o Options) New(site *config.Site, srcs []Source) (*Registry, *diag.List, error) {
	var diags diag.List
	_, display := DirOf(site)
	r := &Registry{Dir: display, Path: site.Clients.Path, Present: true, store: o.Store}
	if site.BaseURL != nil {
		r.BaseURL = siteURL(site, "")
	}
	byName := func(a, b Source) int { return strings.Compare(a.Name, b.Name) }
	if !slices.IsSortedFunc(srcs, byName) { // as a directory is read
		srcs = slices.Clone(srcs)
		slices.SortFunc(srcs, byName)
	}
	pol := policyOf(site)
	var hits [][]byte
	var memos []memo
	held := 0
	if o.Cache != nil && o.Store != nil {
		r.cache, r.cacheKey = o.Cache, o.Cache.key(site, display)
		hits, held = o.Cache.read(r.cacheKey, srcs, &diags)
		memos = make([]memo, len(srcs))
	}
	// Files are checked and rendered in parallel (a registry may hold
	// thousands); what relates files to each other is checked after, in
	// file order, so the diagnostics do not depend on scheduling.
	type result struct {
		id    idSource
		ok    bool
		diags diag.List
	}
	// Files are read by name from their directory, opened once.
	dirs := map[string]*yamlwalk.Dir{}
	for _, src := range srcs {
		if _, ok := dirs[src.dir]; !ok && src.Data == nil && src.dir != "" {
			if d, err := yamlwalk.OpenDir(src.dir); err == nil {
				defer d.Close()
				dirs[src.dir] = d
			}
		}
	}
	results := make([]result, len(srcs))
	// The clients are made in place and kept in place, by file order: a
	// second slice of 100,000 of them would double the registry's memory.
	made := make([]Client, len(srcs))
	// Written once here, before the collector can scan them: a page of
	// these 50 MB (at 100,000 clients) that it reads first maps the zero
	// page, and a worker's first write to it then copies the page and
	// flushes the TLB of every core. Clearing them faults them in plainly;
	// it cut a one-change rebuild of 100,000 clients by 0.2 s and 20,000
	// faults.
	parallel.Clear(made)
	parallel.Clear(results)
	parallel.Clear(memos)
	var storeErr atomic.Pointer[error]
	var nCached atomic.Int64
	start := time.Now()
	// A client file's name as messages give it: path.Join(display, name)
	// for a name without a slash, joined without cleaning it 100,000 times.
	prefix := strings.TrimSuffix(path.Join(display, "x"), "x")
	parallel.Each(o.Workers, len(srcs), func(i int) {
		o.Meter.Add(1)
		res := &results[i]
		src := srcs[i]
		file := prefix + src.Name
		slug := strings.TrimSuffix(src.Name, Ext)
		if err := CheckSlug(slug); err != nil {
			res.diags.Errorf(diag.Pos{Path: file}, "%v", err)
			return
		}
		data := src.Data
		dir := dirs[src.dir]
		var readAs stamp.Stamp // what stat said of the file as it was read
		read := func() bool {
			if data != nil || src.dir == "" {
				return true
			}
			var err error
			if dir != nil {
				data, readAs, err = dir.ReadFile(src.Name, MaxSize)
			} else {
				data, err = yamlwalk.ReadFile(filepath.Join(src.dir, src.Name), MaxSize)
			}
			if err != nil {
				res.diags.Errorf(diag.Pos{Path: file}, "cannot read: %v", err)
				return false
			}
			return true
		}
		var m *memo
		var rec []byte
		if memos != nil {
			m, rec = &memos[i], hits[i]
		}
		// A file stat says is as the cache saw it is not read again
		// unless it is to be made again (see keyOfStamp).
		known := false
		if rec != nil && dir != nil && data == nil {
			if st, ok := dir.Stat(src.Name); ok {
				if k := keyOfStamp(st, start); k != (stampKey{}) && k == cachedStamp(rec) {
					m.sum, m.stamp, known = cachedSum(rec), k, true
				}
			}
		}
		if !known {
			if !read() {
				return
			}
			if m != nil {
				m.sum, m.stamp = sha256.Sum256(data), keyOfStamp(readAs, start)
			}
		}
		if m != nil {
			if rec != nil && cachedSum(rec) == m.sum {
				buf := groups.Get().(*[3]artifact.Artifact)
				e, ok := decodeCached(rec, file, buf[:])
				if ok {
					var err error
					ok, err = r.cache.use(&e, slug, docPath(site, slug))
					if err != nil {
						groups.Put(buf)
						storeErr.CompareAndSwap(nil, &err)
						return
					}
				}
				groups.Put(buf)
				if ok {
					k := m.stamp // as read now, for the next cache written
					made[i], *m = e.c, e.m
					m.stamp = k
					res.ok, res.id = true, m.id(file)
					for _, d := range m.diags {
						res.diags.Add(d)
					}
					nCached.Add(1)
					return
				}
			}
			if known {
				// Made again after all: from the bytes read now.
				if !read() {
					return
				}
				m.sum, m.stamp = sha256.Sum256(data), keyOfStamp(readAs, start)
			}
		}
		f, d := Parse(file, data)
		res.diags.Merge(d)
		if f == nil {
			return
		}
		c := &made[i]
		*c, res.ok = compile(site, f, slug, pol, &res.diags), true
		res.id = idSource{file: file, pos: f.Where("client_id"), written: f.Has("client_id")}
		if m != nil {
			m.setID(res.id)
			m.diags = res.diags.Warnings()
		}
		// The file's values and positions are done with: a
		// registry of 100,000 would hold them all until the last
		// one is read.
		c.File = nil
		if o.Store != nil && !res.diags.HasErrors() && c.Doc.Body != nil {
			if err := o.Store(&c.Doc); err != nil {
				storeErr.CompareAndSwap(nil, &err)
			}
		}
	})
	if err := storeErr.Load(); err != nil {
		return nil, &diags, *err
	}
	r.Cached = int(nCached.Load())
	// A cache that holds every client as it is stays as it is, even where
	// a file's stamp moved (touched, or new when the cache was written):
	// such a file is read again until the next change rewrites the cache.
	r.cacheFresh = r.Cached == len(srcs) && held == len(srcs)

	// Both maps hold indexes in srcs: 100,000 clients are many strings.
	folded := make(map[string]int, len(srcs))
	ids := make(map[string]int, len(srcs))
	r.Clients = made[:0]
	for i, src := range srcs {
		res := &results[i]
		slug := strings.TrimSuffix(src.Name, Ext)
		if other, dup := folded[strings.ToLower(slug)]; dup {
			diags.Errorf(diag.Pos{Path: path.Join(display, src.Name)}, "slug %q differs from %s only in case; case-insensitive file systems and hosts would mix them up",
				slug, path.Join(display, srcs[other].Name))
			continue
		}
		folded[strings.ToLower(slug)] = i
		diags.Merge(&res.diags)
		if !res.ok {
			continue
		}
		c, id := &made[i], res.id
		if j, dup := ids[c.ClientID]; dup {
			// Report it where client_id is written, naming the other file.
			other := results[j].id
			at, name := id.pos, other.file
			if !id.written && other.written {
				at, name = other.pos, id.file
			}
			diags.Errorf(at, "client_id %q is also the client_id of %s; client identifiers must be unique (RFC 6749 §2.2)", c.ClientID, name)
		} else {
			ids[c.ClientID] = i
		}
		// Both kept in place: never ahead of index i, and copied only
		// once a client before it was dropped.
		if k := len(r.Clients); k < i {
			made[k] = *c
			if memos != nil {
				memos[k] = memos[i]
			}
		}
		r.Clients = made[:len(r.Clients)+1]
		if memos != nil {
			r.memos = memos[:len(r.Clients)]
		}
	}
	if r.MetadataDocuments() {
		if v, ok := site.Lookup("client_id_metadata_document_supported"); ok && v.Value == false {
			diags.Errorf(v.Pos, "client_id_metadata_document_supported is false, but clients use Client ID Metadata Documents (OAuth Client ID Metadata Document §5)")
			diags.Hint("remove it: wellknown sets it to true when a client uses mode metadata_document")
		}
	}
	if diags.HasErrors() {
		return nil, &diags, nil
	}
	return r, &diags, nil
}

// groups hold a cached client's files while Keep puts them: a document
// and its signature files, which would otherwise be 100,000 allocations
// that Keep lets go at once.
var groups = sync.Pool{New: func() any { return new([3]artifact.Artifact) }}

// compile applies the identity mode and the site's policy to one file and
// renders its document.
func compile(site *config.Site, f *File, slug string, pol policy, diags *diag.List) Client {
	c := Client{File: f, Slug: slug, Mode: site.Clients.Mode, Path: docPath(site, slug)}
	c.Shown = Summary{Source: f.Path, DisplayName: f.name(slug), ClientURI: f.untagged("client_uri"),
		AuthMethod: f.AuthMethod, GrantTypes: f.GrantTypes, RedirectURIs: f.RedirectURIs}
	if f.Mode != "" {
		c.Mode = f.Mode
	}
	if site.BaseURL != nil {
		c.URL = siteURL(site, c.Path)
	}
	switch c.Mode {
	case config.MetadataDocument:
		c.ClientID = c.URL
		if f.ClientID != "" && f.ClientID != c.URL {
			diags.Errorf(f.Where("client_id"), "client_id of a Client ID Metadata Document is the URL it is published at, %q, not %q (OAuth Client ID Metadata Document §3)", c.URL, f.ClientID)
			diags.Hint("remove client_id; wellknown fills it in")
		}
		switch {
		case !f.Has("token_endpoint_auth_method"):
			diags.Errorf(diag.Pos{Path: f.Path, Line: 1, Col: 1}, "token_endpoint_auth_method defaults to client_secret_basic (RFC 7591 §2), which a Client ID Metadata Document cannot use: set none or private_key_jwt (OAuth Client ID Metadata Document §4.1)")
		case f.AuthMethod != "none" && f.AuthMethod != "private_key_jwt":
			diags.Errorf(f.Where("token_endpoint_auth_method"), "token_endpoint_auth_method %s cannot be used by a Client ID Metadata Document: it has no shared secret; use none or private_key_jwt (OAuth Client ID Metadata Document §4.1)", f.AuthMethod)
		}
		if len(f.Texts["client_name"]) == 0 {
			diags.Errorf(diag.Pos{Path: f.Path, Line: 1, Col: 1}, "client_name is required in a Client ID Metadata Document: the authorization server shows it when asking for consent (MCP)")
		}
	default:
		c.ClientID = slug
		if f.ClientID != "" {
			c.ClientID = f.ClientID
		}
	}
	pol.check(f, diags)
	body, err := jsonout.Marshal(Document(c))
	if err != nil {
		diags.Errorf(diag.Pos{Path: f.Path}, "cannot render the document: %v", err)
		return c
	}
	c.Doc = artifact.Artifact{Path: c.Path, Body: body}
	if c.Mode == config.MetadataDocument && len(body) > MaxDocumentSize {
		diags.Warnf(diag.Pos{Path: f.Path}, "the document is %d bytes; authorization servers may refuse Client ID Metadata Documents over %d bytes (OAuth Client ID Metadata Document §6.6)", len(body), MaxDocumentSize)
		diags.Hint("publish keys at a jwks_uri instead of inline jwks")
	}
	return c
}

// docPath is where the document of the client at slug is published.
func docPath(site *config.Site, slug string) string {
	return path.Join(site.Clients.Path, slug+".json")
}

// siteURL returns the URL of the file at p below the site root; p "" gives
// the root, without a trailing slash.
func siteURL(site *config.Site, p string) string {
	u := *site.BaseURL
	u.Path = strings.TrimSuffix(u.Path, "/")
	if p != "" {
		u.Path += "/" + p
	}
	u.RawPath = ""
	return u.String()
}

// policy is what the site allows clients to use: its authorization-server
// metadata says what the server supports, so a client asking for anything
// else would register but never work.
type policy struct {
	grants, methods, scopes []string
	responses               []string // each with its values sorted
	at                      map[string]diag.Pos
	scoped, typed           bool
}

func policyOf(site *config.Site) policy {
	p := policy{at: map[string]diag.Pos{}}
	get := func(name string, def []string) ([]string, bool) {
		v, ok := site.Lookup(name)
		p.at[name] = site.Where("metadata." + name)
		if !ok {
			return def, false
		}
		l, _ := v.Value.([]string)
		return l, true
	}
	p.grants, _ = get("grant_types_supported", []string{authorizationCode, implicit})            // RFC 8414 §2
	p.methods, _ = get("token_endpoint_auth_methods_supported", []string{"client_secret_basic"}) // RFC 8414 §2
	p.scopes, p.scoped = get("scopes_supported", nil)
	var rts []string
	rts, p.typed = get("response_types_supported", nil)
	for _, rt := range rts {
		p.responses = append(p.responses, sortedValues(rt))
	}
	return p
}

// key appends to b what of site decides a client's document and checks,
// besides its file: the policy, the identity mode, where documents go and
// the site's URL. Whatever compile and check read of the site must be in
// it, or the cache would keep a client that the site now refuses. The
// positions of the settings are not: they are named in errors only, and a
// file with errors is never cached.
func (p policy) key(site *config.Site, b binfmt.Buf) []byte {
	b = b.Strings(p.grants).Strings(p.methods).Strings(p.scopes).Strings(p.responses)
	flag := func(v bool) byte {
		if v {
			return 1
		}
		return 0
	}
	b = b.Byte(flag(p.scoped)).Byte(flag(p.typed))
	base := ""
	if site.BaseURL != nil {
		base = siteURL(site, "")
	}
	return b.String(string(site.Clients.Mode)).String(site.Clients.Path).String(base)
}

// sortedValues orders the values of a response type: "id_token code" and
// "code id_token" are the same response type (OAuth 2.0 Multiple Response
// Types §3).
func sortedValues(rt string) string {
	parts := strings.Split(rt, " ")
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

func (p policy) check(f *File, diags *diag.List) {
	deny := func(at diag.Pos, what, value, field string) {
		diags.Errorf(at, "%s %s is not allowed: the site's %s does not list it (%s)", what, value, field, p.at[field])
	}
	for i, g := range f.GrantTypes {
		if !slices.Contains(p.grants, g) {
			deny(f.Where(fmt.Sprintf("grant_types.%d", i)), "grant type", g, "grant_types_supported")
		}
	}
	if p.typed {
		for i, rt := range f.ResponseTypes {
			if !slices.Contains(p.responses, sortedValues(rt)) {
				deny(f.Where(fmt.Sprintf("response_types.%d", i)), "response type", fmt.Sprintf("%q", rt), "response_types_supported")
			}
		}
	}
	if f.AuthMethod != "" && !slices.Contains(p.methods, f.AuthMethod) {
		deny(f.Where("token_endpoint_auth_method"), "token_endpoint_auth_method", f.AuthMethod, "token_endpoint_auth_methods_supported")
	}
	if p.scoped {
		for _, s := range f.Scope {
			if !slices.Contains(p.scopes, s) {
				deny(f.Where("scope"), "scope", s, "scopes_supported")
			}
		}
	}
}
