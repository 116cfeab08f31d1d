package clients

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/internal/binfmt"
	"github.com/wellknown-dev/wellknown/generator/internal/stamp"
)

// A Cache is what a build remembers of each client file it checked: the
// file's digest, and what checking, rendering and storing it gave (the
// client's summary, its warnings, the files it put). The next build takes
// a client whose file has the same bytes from it, under the same tool,
// site policy and signer, and keeps the files from the previous tree
// rather than checking, rendering and signing them again. The cache is
// trusted, as any build cache is, for what a client file gives; it is
// sealed against damage, not against whoever may write beside the output
// (who may as well write the output). It is never trusted for a file's
// bytes: those come only from the previous tree, through the indexes that
// vouch for it (see artifact.Keeper), so a cache that names bytes the tree
// does not hold costs time, not output.
type Cache struct {
	// Path is the cache file, beside the output and never in it.
	Path string
	// Tool identifies this build of wellknown: a cache another build made
	// is not used, since checking or rendering may have changed.
	Tool string
	// Signer identifies how files are signed (the key's fingerprint and
	// the layout); "" when they are not.
	Signer string
	// Keep puts a client's files as the previous build holds them,
	// reporting false when it cannot (see artifact.Keeper).
	Keep func(files []artifact.Artifact) (bool, error)
	// Files lists what storing doc put: doc, then any signature files.
	Files func(doc artifact.Artifact) []artifact.Artifact
	// Previous, when set, reads a file of the previous tree that has the
	// given size and digest (see artifact.Reader): a row of an unchanged
	// client is then taken from the page it was on, not rendered again.
	// It is called from several goroutines at once.
	Previous func(path string, size int, digest [sha256.Size]byte) ([]byte, bool)

	pages   map[string]*pageEntry // by the page's JSON path, as read
	loading chan cacheFile        // see prefetch
}

// cacheMagic starts a cache file; the digit is the format's version.
const cacheMagic = cacheKind + "3\n"

const cacheKind = "wellknown client cache "

// cached is one client as the cache remembers it.
type cached struct {
	c     Client
	m     memo // its diags: warnings and notes; a file with errors is not cached
	files []artifact.Artifact
}

// memo is what the registry keeps of a client for the next cache, the
// rest being in Client; small, since a registry may hold 100,000.
type memo struct {
	sum       [sha256.Size]byte
	stamp     stampKey
	line, col int32 // where client_id is written, or the file's start
	written   bool  // whether the file writes client_id
	// The sizes of the client's row on a page and its entry in the page's
	// JSON, which decide where pages end; 0 until measured.
	rowSize, jsonSize int32
	// Where the row was in the HTML pages the cache's tree holds: its
	// page, one after the first (0 for none), and offset.
	rowPage, rowOff int32
	diags           []diag.Diagnostic
}

// stampKey is a client file's stamp.Stamp as the cache keeps it: its
// Key, or zero for none.
type stampKey [16]byte

// stampMargin is the coarsest clock a file system stamps files with (FAT
// counts modification times in two seconds).
const stampMargin = 2 * time.Second

// keyOfStamp returns the key of st, which a later build compares with
// what stat then says to take the file's digest from the cache unread.
// It is zero, for a file to be read and hashed again, when st is not
// known or when the file changed within stampMargin of since (the build's
// start): a change in the same tick of the file system's clock could then
// leave the Stamp as it was, as git's racily clean files can.
func keyOfStamp(st stamp.Stamp, since time.Time) stampKey {
	if st == (stamp.Stamp{}) || st.Ctime >= since.Add(-stampMargin).UnixNano() {
		return stampKey{}
	}
	return st.Key(nil)
}

// setID records id in m.
func (m *memo) setID(id idSource) {
	m.line, m.col, m.written = int32(id.pos.Line), int32(id.pos.Col), id.written
}

// id is the idSource setID recorded, of the client file file.
func (m *memo) id(file string) idSource {
	return idSource{file: file, pos: diag.Pos{Path: file, Line: int(m.line), Col: int(m.col)}, written: m.written}
}

// A page of a paged registry is kept, as a client is, when the cache has
// it under the key of everything it shows (see pageKey).
type pageEntry struct {
	key   [sha256.Size]byte
	files [2][]artifact.Artifact // the JSON page and the HTML page, each with its signature files
}

// pageMemo is a page as the registry made or kept it, for SaveCache.
type pageMemo struct {
	key   [sha256.Size]byte
	files [2]artifact.Artifact
	kept  bool // both from the cache
}

// pageKey is the digest of everything page n (clients start to end) shows:
// the site (through the cache key), the issuer, where the page sits among
// the others and the search files, and the file of each client on it,
// which decides what it shows of the client.
func (r *Registry) pageKey(issuer string, n, pages, start, end int, script string, search []string) [sha256.Size]byte {
	b := binfmt.New("page\n", 64+(end-start)*sha256.Size).Sum(r.cacheKey).String(issuer)
	b = b.Uvarint(uint64(n)).Uvarint(uint64(pages)).Uvarint(uint64(len(r.Clients))).Uvarint(uint64(start)).Uvarint(uint64(end))
	b = b.String(script).Strings(search)
	for i := start; i < end; i++ {
		b = b.Sum(r.memos[i].sum)
	}
	return sha256.Sum256(b)
}

// keepPage keeps the files of the page whose JSON is at id into made if
// the cache has the page under key, reporting which it kept.
func (r *Registry) keepPage(id string, key [sha256.Size]byte, made *[2]artifact.Artifact) ([2]bool, error) {
	var kept [2]bool
	e, ok := r.cache.pages[id]
	if !ok || e.key != key {
		return kept, nil
	}
	for i, group := range e.files {
		ok, err := r.cache.Keep(group)
		if err != nil {
			return kept, err
		}
		if ok {
			made[i], kept[i] = group[0], true
		}
	}
	return kept, nil
}

// cacheKey is everything besides the client file that decides what
// checking, rendering and signing it give.
func (c *Cache) key(site *config.Site, display string) [sha256.Size]byte {
	var b binfmt.Buf
	b = b.String(c.Tool).String(c.Signer).String(display)
	return sha256.Sum256(policyOf(site).key(site, b))
}

// read returns, by index in srcs, the record the cache file holds for
// each (nil when it holds none), and how many clients it holds in all. A
// record is decoded only when its client's file is found unchanged (see
// decodeCached): decoded up front, 100,000 of them would cost more memory
// than the registry. A cache that cannot be used is noted, unless it is
// only out of date, and gives none. The records are the file's bytes, read
// whole and never changed, which the decoded strings share.
func (c *Cache) read(key [sha256.Size]byte, srcs []Source, diags *diag.List) (recs [][]byte, n int) {
	out := make([][]byte, len(srcs))
	var f cacheFile
	if c.loading != nil {
		f, c.loading = <-c.loading, nil
	} else {
		f = loadCache(c.Path)
	}
	if errors.Is(f.err, fs.ErrNotExist) {
		return out, 0
	}
	n, ok := c.index(f, key, srcs, out, diags)
	if !ok {
		clear(out)
		return out, 0
	}
	return out, n
}

// prefetch starts reading the cache file and checking its seal, which read
// then waits for: Load reads the client directory meanwhile. At 100,000
// clients each took 60 ms of a one-change rebuild's 1.3 s, one after the
// other, on one core.
func (c *Cache) prefetch() {
	ch := make(chan cacheFile, 1)
	c.loading = ch
	go func() { ch <- loadCache(c.Path) }()
}

// cacheFile is the cache file as read, and opened if it could be.
type cacheFile struct {
	b       []byte
	err     error // reading it
	r       *binfmt.Reader
	openErr error // opening what was read
}

func loadCache(p string) cacheFile {
	b, err := readCache(p)
	f := cacheFile{b: b, err: err}
	if err == nil {
		f.r, f.openErr = binfmt.Open(b, cacheMagic)
	}
	return f
}

func (c *Cache) index(f cacheFile, key [sha256.Size]byte, srcs []Source, out [][]byte, diags *diag.List) (int, bool) {
	at := diag.Pos{Path: c.Path}
	if err := f.err; err != nil {
		diags.Notef(at, "the client cache was not read (%v); every client is checked again", diag.Cause(err))
		return 0, false
	}
	damaged := func() (int, bool) {
		diags.Notef(at, "the client cache is damaged and was ignored; every client is checked again")
		return 0, false
	}
	foreign := func() (int, bool) {
		diags.Notef(at, "the client cache was made by another build of wellknown; every client is checked again")
		return 0, false
	}
	r := f.r
	if f.openErr != nil {
		if bytes.HasPrefix(f.b, []byte(cacheKind)) && !bytes.HasPrefix(f.b, []byte(cacheMagic)) {
			return foreign() // another version of the format, as after an upgrade
		}
		return damaged()
	}
	tool, k := r.String(), r.Sum()
	switch {
	case r.Err() != nil:
		return damaged()
	case tool != c.Tool:
		return foreign()
	case k != key:
		return 0, false // the site's policy or the signer changed: nothing in it holds
	}
	// Records are in file order, as srcs are.
	n := r.Count(2)
	j := 0
	var name []byte
	for range n {
		rec := r.Bytes()
		name = append(append(name[:0], binfmt.NewReader(rec).Bytes()...), Ext...)
		if r.Err() != nil {
			return damaged()
		}
		for j < len(srcs) && srcs[j].Name < string(name) {
			j++
		}
		if j < len(srcs) && srcs[j].Name == string(name) {
			out[j] = rec
		}
	}
	r.Share() // the pages' paths
	np := r.Count(1 + sha256.Size + 2)
	c.pages = make(map[string]*pageEntry, np)
	for range np {
		id, e := r.String(), &pageEntry{key: r.Sum()}
		e.files[0], e.files[1] = decodeGroup(r, nil), decodeGroup(r, nil)
		if r.Err() != nil || len(e.files[0]) == 0 || len(e.files[1]) == 0 {
			return damaged()
		}
		c.pages[id] = e
	}
	if r.End() != nil {
		return damaged()
	}
	return n, true
}

// readCache reads the cache file, which must be a regular file of a size
// that a registry makes.
func readCache(p string) ([]byte, error) {
	f, err := os.OpenFile(p, os.O_RDONLY|syscallNoFollow, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", p)
	}
	if fi.Size() > 1<<30 {
		return nil, fmt.Errorf("%s is larger than 1 GiB", p)
	}
	// One block the size of the file: the strings decoded from it share it.
	b := make([]byte, 0, fi.Size()+1)
	for {
		n, err := f.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF || n == 0 && err == nil {
			return b, nil
		}
		if err != nil {
			return nil, err
		}
		if len(b) == cap(b) {
			return nil, fmt.Errorf("%s grew as it was read", p)
		}
	}
}

// encodeCached appends the record of a client to b, framed (see
// Reader.Bytes) so that read can find a client's record by its slug alone;
// rec is room to make it in.
func encodeCached(b, rec binfmt.Buf, c *Client, m *memo, files []artifact.Artifact) (binfmt.Buf, binfmt.Buf) {
	rec = append(rec[:0].String(c.Slug).Sum(m.sum), m.stamp[:]...)
	rec = appendCached(rec, c, m, files)
	return b.Bytes(rec), rec
}

func appendCached(b binfmt.Buf, c *Client, m *memo, files []artifact.Artifact) binfmt.Buf {
	b = b.String(string(c.Mode)).String(c.ClientID).String(c.URL)
	s := &c.Shown
	b = b.String(s.DisplayName).String(s.ClientURI).String(s.AuthMethod).Strings(s.GrantTypes).Strings(s.RedirectURIs)
	b = b.Uvarint(uint64(m.line)).Uvarint(uint64(m.col))
	if m.written {
		b = b.Byte(1)
	} else {
		b = b.Byte(0)
	}
	b = b.Uvarint(uint64(len(m.diags)))
	for _, d := range m.diags {
		b = b.Byte(byte(d.Severity)).String(d.Path).Uvarint(uint64(d.Line)).Uvarint(uint64(d.Col)).String(d.Msg).String(d.Hint)
	}
	b = b.Uvarint(uint64(m.rowSize)).Uvarint(uint64(m.jsonSize))
	b = b.Uvarint(uint64(m.rowPage)).Uvarint(uint64(m.rowOff))
	return encodeGroup(b, files)
}

// pagesFresh reports whether the cache holds exactly the pages made.
func (r *Registry) pagesFresh() bool {
	if len(r.pages) != len(r.cache.pages) {
		return false
	}
	for _, pg := range r.pages {
		if !pg.kept {
			return false
		}
	}
	return true
}

// encodeGroup writes a file and its signature files, as Files lists them.
func encodeGroup(b binfmt.Buf, files []artifact.Artifact) binfmt.Buf {
	b = b.Uvarint(uint64(len(files)))
	for _, f := range files {
		b = b.String(f.Path).Uvarint(uint64(f.Size)).Sum(f.Digest)
	}
	return b
}

// decodeGroup reads a group into buf's room, or a new slice when it has
// none.
func decodeGroup(r *binfmt.Reader, buf []artifact.Artifact) []artifact.Artifact {
	n := r.Count(2 + sha256.Size)
	files := buf[:0]
	if n > cap(buf) {
		files = make([]artifact.Artifact, 0, n)
	}
	for range n {
		files = append(files, artifact.Artifact{Path: r.String(), Stored: true, Size: int(r.Uvarint()), Digest: r.Sum()})
	}
	return files
}

// decodeCached decodes the record rec of the client file file, its files
// into buf's room, or reports false if it is not whole. Its strings share
// rec (see binfmt.Reader.Share), which must not change.
func decodeCached(rec []byte, file string, buf []artifact.Artifact) (e cached, ok bool) {
	r := binfmt.NewReader(rec).Share()
	c := &e.c
	c.Slug, e.m.sum, e.m.stamp = r.String(), r.Sum(), stampKey(r.Take(len(stampKey{})))
	c.Mode, c.ClientID, c.URL = config.ClientMode(r.String()), r.String(), r.String()
	c.Shown = Summary{Source: file, DisplayName: r.String(), ClientURI: r.String(), AuthMethod: r.String(),
		GrantTypes: r.Strings(), RedirectURIs: r.Strings()}
	e.m.line, e.m.col, e.m.written = int32(r.Uvarint()), int32(r.Uvarint()), r.Byte() == 1
	if n := r.Count(5); n > 0 {
		e.m.diags = make([]diag.Diagnostic, n)
		for i := range e.m.diags {
			e.m.diags[i] = diag.Diagnostic{Severity: diag.Severity(r.Byte()),
				Pos: diag.Pos{Path: r.String(), Line: int(r.Uvarint()), Col: int(r.Uvarint())}, Msg: r.String(), Hint: r.String()}
		}
	}
	e.m.rowSize, e.m.jsonSize = int32(r.Uvarint()), int32(r.Uvarint())
	e.m.rowPage, e.m.rowOff = int32(r.Uvarint()), int32(r.Uvarint())
	e.files = decodeGroup(r, buf)
	if r.End() != nil || len(e.files) == 0 {
		return cached{}, false
	}
	c.Doc, c.Path = e.files[0], e.files[0].Path
	return e, true
}

// use takes e for the client at slug if the previous tree still holds its
// files, returning false when it must be made again.
func (c *Cache) use(e *cached, slug, docPath string) (bool, error) {
	if e.c.Slug != slug || e.c.Path != docPath {
		return false, nil
	}
	for _, d := range e.m.diags {
		if d.Severity == diag.Error {
			return false, nil
		}
	}
	return c.Keep(e.files)
}

// SaveCache writes what the next build needs of every client to the
// registry's cache, if it has one and the cache is not already that. It
// is called once the build has succeeded: a failed build leaves the cache
// as it was.
func (r *Registry) SaveCache() error { return r.WriteCache().Commit() }

// CacheWrite is a client cache being written beside the one in place,
// which Commit replaces and Abort leaves as it was. A nil CacheWrite has
// nothing to write.
type CacheWrite struct {
	path, tmp string
	done      chan error
	err       error
}

// WriteCache starts writing what SaveCache writes, beside the cache in
// place, so that a build can write it while it syncs and swaps its tree:
// at 100,000 clients it took 80 ms after the swap, on one core. A
// publish.Build commits it once the tree is in place (see publish.Beside).
// The registry must not change until Commit or Abort returns.
func (r *Registry) WriteCache() *CacheWrite {
	if r == nil || r.cache == nil || r.cacheFresh && r.pagesFresh() {
		return nil
	}
	w := &CacheWrite{path: r.cache.Path, tmp: r.cache.Path + ".new", done: make(chan error, 1)}
	go func() { w.done <- r.writeCache(w.tmp) }()
	return w
}

// Commit waits for the cache to be written and puts it in place. Only the
// first Commit or Abort acts: a Commit after it returns what the first
// Commit did, or that Abort left nothing written.
func (w *CacheWrite) Commit() error {
	if w == nil {
		return nil
	}
	if w.done != nil {
		w.err = <-w.done
		w.done = nil
		if w.err == nil {
			w.err = os.Rename(w.tmp, w.path)
		}
		if w.err != nil {
			os.Remove(w.tmp)
			w.err = fmt.Errorf("cannot write the client cache %s: %w; the next build checks every client again", w.path, diag.Cause(w.err))
		}
	}
	return w.err
}

// Abort waits for the cache to be written and removes it, leaving the
// cache in place as it was.
func (w *CacheWrite) Abort() {
	if w == nil || w.done == nil {
		return
	}
	<-w.done
	w.done = nil
	w.err = fmt.Errorf("cannot write the client cache %s: %w", w.path, errAborted)
	os.Remove(w.tmp)
}

var errAborted = errors.New("the build was abandoned")

// writeCache writes the cache to tmp.
func (r *Registry) writeCache(tmp string) error {
	c := r.cache
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	// Written a piece at a time: whole, the cache of 100,000 clients would
	// be 30 MB more at the build's peak.
	w := binfmt.NewWriter(f, cacheMagic)
	b := binfmt.Buf(nil).String(c.Tool).Sum(r.cacheKey).Uvarint(uint64(len(r.Clients)))
	var rec binfmt.Buf
	for i := range r.Clients {
		cl := &r.Clients[i]
		b, rec = encodeCached(b, rec, cl, &r.memos[i], c.Files(cl.Doc))
		if len(b) >= 64<<10 && err == nil {
			err, b = w.Write(b), b[:0]
		}
	}
	b = b.Uvarint(uint64(len(r.pages)))
	for _, pg := range r.pages {
		b = b.String(pg.files[0].Path).Sum(pg.key)
		b = encodeGroup(encodeGroup(b, c.Files(pg.files[0])), c.Files(pg.files[1]))
	}
	if err == nil {
		if err = w.Write(b); err == nil {
			err = w.Close()
		}
	}
	if err1 := f.Close(); err == nil {
		err = err1
	}
	return err
}

// cachedSum is the digest of the client file a record was made from.
func cachedSum(rec []byte) [sha256.Size]byte {
	r := binfmt.NewReader(rec)
	r.Bytes() // the slug
	return r.Sum()
}

// cachedStamp is the key of the Stamp the file had (see keyOfStamp).
func cachedStamp(rec []byte) stampKey {
	r := binfmt.NewReader(rec)
	r.Bytes() // the slug
	r.Sum()
	return stampKey(r.Take(len(stampKey{})))
}
