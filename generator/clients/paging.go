package clients

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/internal/parallel"
	"github.com/wellknown-dev/wellknown/generator/jsonout"
	"github.com/wellknown-dev/wellknown/templates"
)

// A registry that fits on one page publishes index.json and clients.html
// listing every client, as it always has. A larger one would make files that
// hosts refuse (Cloudflare Pages takes at most 25 MiB a file) and browsers
// stall on, so it is split into pages of at most Paging.Clients clients and
// Paging.Bytes bytes, in slug order:
//
//	clients/index.json          the pages: URL, count, first and last slug of each
//	clients/index/N.json        page N: its clients, as index.json lists them, with prev/next
//	clients/index/search-N.json slug, name, page and client_id of every client, compact
//	clients.html                page 1 for people, with navigation and a search box
//	clients-pages/N.html        page N ≥ 2
//
// Everything the index adds stays under clients/index/, a name no client
// can take (CheckSlug refuses the slug "index"), so every file of clients/
// is still JSON. The HTML pages get a directory of their own beside it, so
// that one _headers rule covers all of them whatever their number.

// Paging is the size of a page of the registry.
type Paging struct {
	Clients int // clients on a page, at most
	// Bytes bounds every file of the index and the page: a page ends
	// before the client that would make its JSON or HTML larger. A client
	// whose entry alone is larger gets a page of its own.
	Bytes int
}

// DefaultPaging fits every host and stays quick to load in a browser.
var DefaultPaging = Paging{Clients: 1000, Bytes: 1 << 20}

// PagesDir returns the directory of the HTML pages after the first, for the
// clients published at dir.
func PagesDir(dir string) string { return dir + "-pages" }

// IndexDir returns the directory of the index's pages and search files.
func IndexDir(dir string) string { return path.Join(dir, "index") }

// PagedIndex is index.json of a registry split into pages.
type PagedIndex struct {
	Total    int       `json:"total"`     // clients in the registry
	PageSize int       `json:"page_size"` // clients on a page, at most
	Pages    []PageRef `json:"pages"`
	Search   []string  `json:"search"` // URLs of the search files
}

// PageRef is one page, as index.json lists it.
type PageRef struct {
	URL       string `json:"url"`
	Count     int    `json:"count"`
	FirstSlug string `json:"first_slug"`
	LastSlug  string `json:"last_slug"`
}

// IndexPage is the document at clients/index/N.json.
type IndexPage struct {
	Page    int          `json:"page"`
	Pages   int          `json:"pages"`
	Total   int          `json:"total"`
	Index   string       `json:"index"`          // URL of index.json
	Prev    string       `json:"prev,omitempty"` // URL of the page before; none on the first
	Next    string       `json:"next,omitempty"` // URL of the page after; none on the last
	Clients []IndexEntry `json:"clients"`
}

// SearchFields names the members of each entry of a search file.
var SearchFields = []string{"slug", "client_name", "page", "client_id"}

// single returns index.json and the page of a registry that fits on one
// page, or nil when it does not.
func (r *Registry) single(t *template.Template, issuer string, p Paging) ([]artifact.Artifact, error) {
	if len(r.Clients) > p.Clients {
		return nil, nil
	}
	idx, err := jsonout.Marshal(r.IndexOf())
	if err != nil {
		return nil, fmt.Errorf("clients: index: %w", err)
	}
	if len(idx) > p.Bytes {
		return nil, nil
	}
	pagePath := PagePath(r.Path)
	d := pageData{Issuer: issuer, Total: len(r.Clients), IndexHref: relative(pagePath, IndexPath(r.Path))}
	for i := range r.Clients {
		h, err := row(t, &r.Clients[i], pagePath, false)
		if err != nil {
			return nil, err
		}
		d.Rows = append(d.Rows, h)
	}
	page, err := render(t, d)
	if err != nil {
		return nil, err
	}
	if len(page) > p.Bytes {
		return nil, nil
	}
	return []artifact.Artifact{
		{Path: IndexPath(r.Path), Body: idx},
		{Path: pagePath, Body: page, Header: http.Header{"Content-Type": {HTML}}},
	}, nil
}

// pagedData is what the page template reads of a page of a paged registry.
type pagedData struct {
	Page, Pages, First, Last int
	Links                    []navLink
	ScriptHash               string // CSP source of Script
	Script                   template.JS
	// Links for the search script, relative to the page.
	SearchHrefs, FirstHref, PagesHref, DocsHref string
}

type navLink struct {
	Label, Href, Rel string
	Current          bool
}

// pageOverhead is room kept on every page for what is not a client: the
// page's head, navigation and links. It is generous, so that a page cut at
// Paging.Bytes by its rows alone stays below the limit.
const pageOverhead = 16 << 10

// rowsAgain counts the rows paged renders a second time for their page,
// neither held, spilled nor the previous tree's: for the tests.
var rowsAgain atomic.Int64

// heldRows is how many bytes of rows paged keeps from measuring them to
// putting them on their pages: every row of 10,000 clients, a fifth of
// 100,000.
var heldRows int64 = 8 << 20 // a variable for the tests

// paged returns the index, its pages and search files, and the HTML pages.
func (r *Registry) paged(t *template.Template, issuer string, p Paging) ([]artifact.Artifact, error) {
	later := path.Join(PagesDir(r.Path), "2.html") // every page after the first sits here
	// The rows are measured here, and a page cannot be made before the
	// last row is measured: every page says how many there are. Holding
	// every row until then would cost as much memory as all the pages
	// together (40 MB for 100,000 clients), so rows are held up to
	// heldRows bytes and the rest spilled to a file, or else rendered
	// again page by page. Rendering a row twice was a fifth of a fresh
	// build's CPU at 10,000 clients.
	rowSize := make([]int, len(r.Clients))
	jsonSize := make([]int, len(r.Clients))
	held := make([]template.HTML, len(r.Clients))
	var room atomic.Int64
	room.Store(heldRows)
	sp := newSpill(len(r.Clients))
	defer sp.close()
	err := parallel.Try(0, len(r.Clients), func(i int) error {
		// A client the cache gave comes with its sizes: measuring is
		// most of what a page costs.
		if r.memos != nil {
			if m := &r.memos[i]; m.rowSize > 0 {
				rowSize[i], jsonSize[i] = int(m.rowSize), int(m.jsonSize)
				return nil
			}
		}
		var h bytes.Buffer
		if err := rowTo(&h, t, &r.Clients[i], later, true); err != nil {
			return err
		}
		rowSize[i] = h.Len()
		// Which rows are held depends on the workers' timing, not what the
		// pages say: a held or spilled row is the one rendered again would be.
		if room.Add(-int64(h.Len())) >= 0 {
			held[i] = template.HTML(h.String())
		} else {
			sp.put(i, h.Bytes())
		}
		// As the entry is indented inside a page, with its separator.
		b, err := json.MarshalIndent(r.Clients[i].indexEntry(), "    ", "  ")
		if err != nil {
			return fmt.Errorf("clients: index: %w", err)
		}
		jsonSize[i] = len(b) + len(",\n    ")
		if r.memos != nil {
			r.memos[i].rowSize, r.memos[i].jsonSize = int32(rowSize[i]), int32(jsonSize[i])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Pages end at p.Clients clients, or before the client that would take
	// the JSON or the HTML page past p.Bytes.
	budget := p.Bytes - pageOverhead
	var ends []int // ends[k] is one past the last client of page k+1
	start, js, hs := 0, 0, 0
	for i := range r.Clients {
		hsize := rowSize[i] + 1
		if n := i - start; n > 0 && (n == p.Clients || js+jsonSize[i] > budget || hs+hsize > budget) {
			ends = append(ends, i)
			start, js, hs = i, 0, 0
		}
		js += jsonSize[i]
		hs += hsize
	}
	ends = append(ends, len(r.Clients))
	pages := len(ends)

	script, err := templates.Raw("clients-search.js.tmpl")
	if err != nil {
		return nil, fmt.Errorf("clients: page: %w", err)
	}
	sum := sha256.Sum256(script)
	hash := "sha256-" + base64.StdEncoding.EncodeToString(sum[:])

	indexDir := IndexDir(r.Path)
	pageJSON := func(n int) string { return path.Join(indexDir, strconv.Itoa(n)+".json") }
	pageHTML := func(n int) string {
		if n == 1 {
			return PagePath(r.Path)
		}
		return path.Join(PagesDir(r.Path), strconv.Itoa(n)+".html")
	}
	url := func(p string) string {
		if r.BaseURL == "" {
			return p
		}
		return r.BaseURL + "/" + p
	}

	search, searchPaths, err := r.searchFiles(ends, p.Bytes)
	if err != nil {
		return nil, err
	}
	idx := PagedIndex{Total: len(r.Clients), PageSize: p.Clients}
	for _, sp := range searchPaths {
		idx.Search = append(idx.Search, url(sp))
	}
	out := search
	starts := make([]int, len(ends))
	for k := range ends {
		if k > 0 {
			starts[k] = ends[k-1]
		}
		idx.Pages = append(idx.Pages, PageRef{URL: url(pageJSON(k + 1)), Count: ends[k] - starts[k],
			FirstSlug: r.Clients[starts[k]].Slug, LastSlug: r.Clients[ends[k]-1].Slug})
	}
	// Pages are made on every core, each one's two files stored as soon
	// as it is rendered, or kept from the previous tree when the cache
	// says they are what this build would render.
	made := make([][2]artifact.Artifact, pages)
	var keys [][sha256.Size]byte
	if r.cache != nil {
		keys = make([][sha256.Size]byte, pages)
		r.pages = make([]pageMemo, pages)
	}
	err = parallel.Try(0, pages, func(k int) error {
		n, start, end := k+1, starts[k], ends[k]
		var kept [2]bool
		if keys != nil {
			keys[k] = r.pageKey(issuer, n, pages, start, end, hash, searchPaths)
			var err error
			if kept, err = r.keepPage(pageJSON(n), keys[k], &made[k]); err != nil {
				return err
			}
			if kept[0] && kept[1] {
				made[k][1].Header = http.Header{"Content-Type": {HTML}}
				r.pages[k] = pageMemo{key: keys[k], files: made[k], kept: true}
				return nil
			}
		}
		doc := IndexPage{Page: n, Pages: pages, Total: len(r.Clients), Index: url(IndexPath(r.Path)), Clients: r.indexEntries(start, end)}
		if n > 1 {
			doc.Prev = url(pageJSON(n - 1))
		}
		if n < pages {
			doc.Next = url(pageJSON(n + 1))
		}
		body, err := jsonout.Marshal(doc)
		if err != nil {
			return fmt.Errorf("clients: index: %w", err)
		}
		at := pageHTML(n)
		pd := &pagedData{Page: n, Pages: pages, First: start + 1, Last: end, ScriptHash: hash, Script: template.JS(script),
			FirstHref: relative(at, pageHTML(1)), PagesHref: relative(at, PagesDir(r.Path)) + "/",
			DocsHref: relative(at, r.Path) + "/"}
		var hrefs []string
		for _, sp := range searchPaths {
			hrefs = append(hrefs, relative(at, sp))
		}
		pd.SearchHrefs = strings.Join(hrefs, " ")
		pd.Links = navigation(n, pages, func(m int) string { return relative(at, pageHTML(m)) })
		d := pageData{Issuer: issuer, Total: len(r.Clients), IndexHref: relative(at, IndexPath(r.Path)), Paged: pd}
		// A client added or removed moves every later client to another
		// place, but not to another row: an unchanged client's row is the
		// same on every page after the first (page 1 links documents
		// from another directory), and is taken from the page of the
		// previous tree that holds it. Rendering 50,000 rows again was
		// two thirds of a rebuild of 100,000 clients after one was added.
		d.Rows = make([]template.HTML, end-start)
		if n > 1 {
			r.previousRows(d.Rows, start, pageJSON, pageHTML)
		}
		// Rows on every core too: a rebuild after one client changed
		// renders its page alone, and 1,000 rows on one core were a
		// quarter of it at 10,000 clients.
		err = parallel.Try(0, end-start, func(j int) error {
			i := start + j
			h := held[i]
			held[i] = "" // the page holds it now
			switch {
			case n == 1:
				h = "" // page 1 links documents from another directory
			case h == "":
				// Else the previous tree's row, else the spilled one.
				if h = d.Rows[j]; h == "" {
					h = sp.get(i, rowSize[i])
				}
			}
			if h == "" {
				rowsAgain.Add(1)
				var err error
				if h, err = row(t, &r.Clients[i], at, true); err != nil {
					return err
				}
			}
			d.Rows[j] = h
			return nil
		})
		if err != nil {
			return err
		}
		page, err := render(t, d)
		if err != nil {
			return err
		}
		if r.memos != nil {
			// Where each row is, for the next build's previousRows, which
			// takes none from page 1.
			var offs []int32
			ok := false
			if n > 1 {
				offs, ok = rowOffsets(page, d.Rows)
			}
			for j := range d.Rows {
				m := &r.memos[start+j]
				m.rowPage, m.rowOff = 0, 0
				if ok {
					m.rowPage, m.rowOff = int32(n), offs[j]
				}
			}
		}
		fresh := [2]artifact.Artifact{{Path: pageJSON(n), Body: body}, {Path: at, Body: page, Header: http.Header{"Content-Type": {HTML}}}}
		for i := range made[k] {
			if kept[i] {
				continue
			}
			made[k][i] = fresh[i]
			if r.store != nil {
				if err := r.store(&made[k][i]); err != nil {
					return err
				}
			}
		}
		made[k][1].Header = fresh[1].Header
		if keys != nil {
			r.pages[k] = pageMemo{key: keys[k], files: made[k]}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, m := range made {
		out = append(out, m[0], m[1])
	}
	body, err := jsonout.Marshal(idx)
	if err != nil {
		return nil, fmt.Errorf("clients: index: %w", err)
	}
	return append(out, artifact.Artifact{Path: IndexPath(r.Path), Body: body}), nil
}

// previousRows fills rows, those of the clients from start on a page after
// the first, with the rows the previous tree's pages hold of them: the row
// of a client that came from the cache, whose row was on a page after the
// first there too. A page is read only when its size and digest are what
// the cache says it held, so a tree edited by hand gives nothing; a row is
// taken only where it has the client's anchor and the size the cache says.
func (r *Registry) previousRows(rows []template.HTML, start int, pageJSON, pageHTML func(int) string) {
	if r.cache == nil || r.cache.Previous == nil || r.memos == nil {
		return
	}
	pages := map[int32][]byte{} // by number, nil when it cannot be read
	for j := range rows {
		m := &r.memos[start+j]
		if m.rowPage < 2 || m.rowSize <= 0 {
			continue
		}
		b, ok := pages[m.rowPage]
		if !ok {
			if e, ok := r.cache.pages[pageJSON(int(m.rowPage))]; ok && len(e.files[1]) > 0 {
				if a := e.files[1][0]; a.Path == pageHTML(int(m.rowPage)) {
					b, _ = r.cache.Previous(a.Path, a.Size, a.Digest)
				}
			}
			pages[m.rowPage] = b
		}
		off, size := int(m.rowOff), int(m.rowSize)
		if off < 0 || off > len(b)-size {
			continue
		}
		h := b[off : off+size]
		if !bytes.HasPrefix(h, []byte(`<tr id="c-`+r.Clients[start+j].Slug+`">`)) || !bytes.HasSuffix(h, []byte("</tr>")) {
			continue
		}
		rows[j] = template.HTML(h) // a copy: the page goes
	}
}

// rowOffsets returns where each of rows starts in page, which holds them
// in order, and false if it does not.
func rowOffsets(page []byte, rows []template.HTML) ([]int32, bool) {
	offs := make([]int32, len(rows))
	pos := 0
	for j, h := range rows {
		for {
			k := bytes.IndexByte(page[pos:], '<')
			if k < 0 {
				return nil, false
			}
			pos += k
			if len(page)-pos >= len(h) && string(page[pos:pos+len(h)]) == string(h) {
				break
			}
			pos++
		}
		offs[j] = int32(pos)
		pos += len(h)
	}
	return offs, true
}

// navigation links the first, previous, next and last pages of page n, and
// the pages up to three away on either side, so that a page's size does not
// grow with the number of pages.
func navigation(n, pages int, href func(int) string) []navLink {
	var out []navLink
	if n > 1 {
		out = append(out, navLink{Label: "First", Href: href(1), Rel: "first"}, navLink{Label: "Previous", Href: href(n - 1), Rel: "prev"})
	}
	for m := max(1, n-3); m <= min(pages, n+3); m++ {
		l := navLink{Label: strconv.Itoa(m), Href: href(m), Current: m == n}
		out = append(out, l)
	}
	if n < pages {
		out = append(out, navLink{Label: "Next", Href: href(n + 1), Rel: "next"}, navLink{Label: "Last", Href: href(pages), Rel: "last"})
	}
	return out
}

// searchFiles writes the name/id files the page's search reads: one entry
// a line, [slug, client_name, page] and the client_id when it is not the
// slug, each file at most limit bytes. Compact, unlike the other
// documents: this is the one file a browser fetches whole to search.
func (r *Registry) searchFiles(ends []int, limit int) ([]artifact.Artifact, []string, error) {
	head, err := json.Marshal(SearchFields)
	if err != nil {
		return nil, nil, err
	}
	open := `{"fields":` + string(head) + `,"clients":[`
	const closing = "\n]}\n"
	var out []artifact.Artifact
	var paths []string
	var keepErr error
	var b bytes.Buffer
	n := 0 // entries in b
	flush := func() {
		b.WriteString(closing)
		p := path.Join(IndexDir(r.Path), fmt.Sprintf("search-%d.json", len(out)+1))
		out, keepErr = r.keep(out, artifact.Artifact{Path: p, Body: bytes.Clone(b.Bytes())})
		paths = append(paths, p)
		b.Reset()
		n = 0
	}
	// The entries are encoded on every core, a run of clients at a time,
	// and joined here in order: 100,000 of them cost a rebuild 0.1 s.
	const run = 4096
	type encoded struct {
		b    []byte
		ends []int // where each entry of the run ends in b
	}
	runs := make([]encoded, (len(r.Clients)+run-1)/run)
	err = parallel.Try(0, len(runs), func(k int) error {
		var line bytes.Buffer
		enc := json.NewEncoder(&line)
		enc.SetEscapeHTML(false)
		e := make([]any, 0, 4)
		lo, hi := k*run, min((k+1)*run, len(r.Clients))
		page := 1
		out := encoded{ends: make([]int, 0, hi-lo)}
		for i := lo; i < hi; i++ {
			for i >= ends[page-1] {
				page++
			}
			c := &r.Clients[i]
			e = append(e[:0], c.Slug, c.Name(), page)
			if c.ClientID != c.Slug {
				e = append(e, c.ClientID)
			}
			if err := enc.Encode(e); err != nil {
				return fmt.Errorf("clients: search: %w", err)
			}
			line.Truncate(line.Len() - 1) // Encode's newline
			out.ends = append(out.ends, line.Len())
		}
		out.b = line.Bytes()
		runs[k] = out
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	for i := range r.Clients {
		rn, j := &runs[i/run], i%run
		start := 0
		if j > 0 {
			start = rn.ends[j-1]
		}
		entry := rn.b[start:rn.ends[j]]
		if n > 0 && b.Len()+2+len(entry)+len(closing) > limit {
			flush()
		}
		if n == 0 {
			b.WriteString(open)
		} else {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
		b.Write(entry)
		n++
	}
	if n > 0 {
		flush()
	}
	if keepErr != nil {
		return nil, nil, keepErr
	}
	return out, paths, nil
}

// keep adds a to out, stored first when the registry stores its files as
// they are made (see Options.Store).
func (r *Registry) keep(out []artifact.Artifact, a artifact.Artifact) ([]artifact.Artifact, error) {
	if r.store != nil {
		if err := r.store(&a); err != nil {
			return nil, err
		}
	}
	return append(out, a), nil
}
