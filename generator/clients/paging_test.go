package clients_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/clients"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const base = "https://login.example.com"

// manyClients makes a registry of n clients: every third a Client ID
// Metadata Document, whose client_id is its URL, the others pre-registered.
func manyClients(t testing.TB, n int) *clients.Registry {
	t.Helper()
	srcs := make([]clients.Source, n)
	for i := range n {
		body := fmt.Sprintf("client_name: Client %[1]d\nclient_uri: https://c%[1]d.example.com\nredirect_uris: [https://c%[1]d.example.com/cb]\ntoken_endpoint_auth_method: none\n", i)
		if i%3 == 2 {
			body = "mode: metadata_document\n" + body
		}
		srcs[i] = clients.Source{Name: fmt.Sprintf("c%06d.yaml", i), Data: []byte(body)}
	}
	r, d := clients.New(site(t, ""), srcs)
	if d.HasErrors() {
		t.Fatal(d.Err())
	}
	return r
}

func byPath(t testing.TB, as []artifact.Artifact) map[string]artifact.Artifact {
	t.Helper()
	m := map[string]artifact.Artifact{}
	for _, a := range as {
		if _, dup := m[a.Path]; dup {
			t.Fatalf("%s is rendered twice", a.Path)
		}
		m[a.Path] = a
	}
	return m
}

func render(t testing.TB, r *clients.Registry, p clients.Paging) map[string]artifact.Artifact {
	t.Helper()
	as, err := r.ArtifactsPaged(base, p)
	if err != nil {
		t.Fatal(err)
	}
	return byPath(t, as)
}

// walk reads the index as a consumer does, from index.json by the URLs it
// gives, and returns every entry. It checks the page links on the way: the
// pages index.json lists are the ones next leads through, prev leads back,
// and every page states the same total.
func walk(t testing.TB, files map[string]artifact.Artifact) []clients.IndexEntry {
	t.Helper()
	get := func(u string, v any) {
		t.Helper()
		p, ok := strings.CutPrefix(u, base+"/")
		if !ok {
			p = u
		}
		a, ok := files[p]
		if !ok {
			t.Fatalf("%s is linked but not published", u)
		}
		dec := json.NewDecoder(bytes.NewReader(a.Body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
	var raw map[string]json.RawMessage
	get("clients/index.json", &raw)
	if _, single := raw["clients"]; single {
		var idx clients.Index
		get("clients/index.json", &idx)
		return idx.Clients
	}
	var idx clients.PagedIndex
	get("clients/index.json", &idx)
	var out []clients.IndexEntry
	next, prev := idx.Pages[0].URL, ""
	for i, ref := range idx.Pages {
		if next != ref.URL {
			t.Fatalf("page %d: next of the page before is %q, index.json lists %q", i+1, next, ref.URL)
		}
		var pg clients.IndexPage
		get(ref.URL, &pg)
		if pg.Page != i+1 || pg.Pages != len(idx.Pages) || pg.Total != idx.Total || pg.Prev != prev || pg.Index != base+"/clients/index.json" {
			t.Fatalf("page %d says page %d of %d, total %d, prev %q, index %q", i+1, pg.Page, pg.Pages, pg.Total, pg.Prev, pg.Index)
		}
		if len(pg.Clients) != ref.Count || len(pg.Clients) == 0 || pg.Clients[0].Slug != ref.FirstSlug || pg.Clients[len(pg.Clients)-1].Slug != ref.LastSlug {
			t.Fatalf("page %d does not hold what index.json says: %+v", i+1, ref)
		}
		if len(pg.Clients) > idx.PageSize {
			t.Fatalf("page %d holds %d clients, page_size is %d", i+1, len(pg.Clients), idx.PageSize)
		}
		out = append(out, pg.Clients...)
		next, prev = pg.Next, ref.URL
	}
	if next != "" {
		t.Fatalf("the last page links a next page %q", next)
	}
	if idx.Total != len(out) {
		t.Fatalf("total %d, the pages hold %d", idx.Total, len(out))
	}
	return out
}

// checkWalk holds walk's result to the registry: every client once, in
// slug order, each linking its published document.
func checkWalk(t testing.TB, r *clients.Registry, files map[string]artifact.Artifact) {
	t.Helper()
	got := walk(t, files)
	if len(got) != len(r.Clients) {
		t.Fatalf("the index lists %d clients, the registry has %d", len(got), len(r.Clients))
	}
	for i, e := range got {
		c := r.Clients[i]
		if e.Slug != c.Slug || e.ClientID != c.ClientID || e.Document != base+"/"+c.Path {
			t.Fatalf("entry %d is %+v, want client %s", i, e, c.Slug)
		}
		doc, ok := files[strings.TrimPrefix(e.Document, base+"/")]
		if !ok || !bytes.Contains(doc.Body, []byte(`"client_id": `+quote(c.ClientID))) {
			t.Fatalf("%s: document %s missing or not the client's", e.Slug, e.Document)
		}
	}
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

var hrefPattern = regexp.MustCompile(`(?:href|data-[a-z]+)="([^"]*)"`)

// checkLinks resolves every link of every HTML page, and the search
// script's data attributes, against the page's path: each must name a
// published file (or, for the script's prefixes, a directory holding one).
// Only the clients' own client_uri links leave the site.
func checkLinks(t testing.TB, files map[string]artifact.Artifact) {
	t.Helper()
	dirs := map[string]bool{}
	for p := range files {
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			dirs[d+"/"] = true
		}
	}
	for p, a := range files {
		if !strings.HasSuffix(p, ".html") {
			continue
		}
		pageURL := &url.URL{Path: "/" + p}
		for _, m := range hrefPattern.FindAllSubmatch(a.Body, -1) {
			for _, ref := range strings.Fields(html.UnescapeString(string(m[1]))) {
				u, err := pageURL.Parse(ref)
				if err != nil {
					t.Fatalf("%s: link %q: %v", p, ref, err)
				}
				if u.Host != "" {
					if !strings.HasSuffix(u.Host, ".example.com") || !strings.HasPrefix(string(m[0]), "href") {
						t.Errorf("%s: link %q leaves the site", p, ref)
					}
					continue
				}
				target := strings.TrimPrefix(u.Path, "/")
				if _, ok := files[target]; ok {
					continue
				}
				if dirs[target] {
					continue
				}
				t.Errorf("%s: link %q resolves to %s, which is not published", p, ref, target)
			}
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestPagingBoundary is the limit of one page: 1,000 clients keep the
// single index.json and clients.html of every release so far; 1,001 make
// two pages of 1,000 and 1.
func TestPagingBoundary(t *testing.T) {
	r := manyClients(t, 1001)
	files := render(t, r, clients.DefaultPaging)
	for _, p := range []string{"clients/index.json", "clients/index/1.json", "clients/index/2.json", "clients/index/search-1.json", "clients.html", "clients-pages/2.html"} {
		if _, ok := files[p]; !ok {
			t.Errorf("1,001 clients: %s is not published", p)
		}
	}
	if len(files) != 1001+6 {
		t.Errorf("1,001 clients: %d files: %v", len(files), keys(files))
	}
	var idx clients.PagedIndex
	if err := json.Unmarshal(files["clients/index.json"].Body, &idx); err != nil {
		t.Fatal(err)
	}
	if len(idx.Pages) != 2 || idx.Pages[0].Count != 1000 || idx.Pages[1].Count != 1 || idx.Total != 1001 || idx.PageSize != 1000 {
		t.Errorf("1,001 clients: index %+v", idx)
	}
	checkWalk(t, r, files)
	checkLinks(t, files)

	r.Clients = r.Clients[:1000]
	files = render(t, r, clients.DefaultPaging)
	if len(files) != 1000+2 {
		t.Errorf("1,000 clients: %d files", len(files))
	}
	page := string(files["clients.html"].Body)
	if strings.Contains(page, "<script") || strings.Contains(page, "<nav") {
		t.Error("1,000 clients: the single page has a script or navigation")
	}
	checkWalk(t, r, files)
	checkLinks(t, files)
}

// TestPagingBytes is the other limit: the single form as long as its
// largest file fits in Paging.Bytes, pages from one byte less.
func TestPagingBytes(t *testing.T) {
	r := manyClients(t, 200)
	single := render(t, r, clients.DefaultPaging)
	largest := max(len(single["clients/index.json"].Body), len(single["clients.html"].Body))
	files := render(t, r, clients.Paging{Clients: 1000, Bytes: largest})
	if _, paged := files["clients/index/1.json"]; paged {
		t.Errorf("paged at %d bytes, where the single files fit", largest)
	}
	// Limits so low that pages are cut by bytes, not by count; at the
	// lower one the search file is split too.
	for _, limit := range []int{40 << 10, 8 << 10} {
		files = render(t, r, clients.Paging{Clients: 1000, Bytes: limit})
		var idx clients.PagedIndex
		if err := json.Unmarshal(files["clients/index.json"].Body, &idx); err != nil {
			t.Fatal(err)
		}
		if len(idx.Pages) < 2 || (limit < 10<<10 && len(idx.Search) < 2) {
			t.Fatalf("%d bytes: %d pages, %d search files", limit, len(idx.Pages), len(idx.Search))
		}
		for p, a := range files {
			if strings.HasPrefix(p, "clients/c") {
				continue // a client's document
			}
			// index.json grows by some 150 bytes a page: with one client a
			// page it is the one file over 8 KiB; at DefaultPaging it
			// reaches 1 MiB at about 7,000,000 clients.
			if p == "clients/index.json" && limit < 10<<10 {
				continue
			}
			if len(a.Body) > limit {
				t.Errorf("%s is %d bytes, over the page limit %d", p, len(a.Body), limit)
			}
		}
		checkWalk(t, r, files)
		checkLinks(t, files)
	}

	files = render(t, r, clients.Paging{Clients: 1000, Bytes: largest - 1})
	if _, paged := files["clients/index/1.json"]; !paged {
		t.Errorf("not paged at %d bytes, one less than the single files need", largest-1)
	}
}

// TestPagingLargeRegistry builds a registry of 100,000 clients: no file is
// over 1 MiB but the clients' own documents, and the index leads to every
// client. It takes some 20 s of CPU; with -short or the race detector
// (minutes) it builds 6,543 clients, which still crosses six page
// boundaries (TestPagingBytes splits the search file).
func TestPagingLargeRegistry(t *testing.T) {
	n := 100_000
	if testing.Short() || raceEnabled {
		n = 6_543
	}
	r := manyClients(t, n)
	as, err := r.Artifacts(base)
	if err != nil {
		t.Fatal(err)
	}
	files := byPath(t, as)
	docs := map[string]bool{}
	for _, c := range r.Clients {
		docs[c.Path] = true
	}
	for p, a := range files {
		if !docs[p] && len(a.Body) > 1<<20 {
			t.Errorf("%s is %d bytes", p, len(a.Body))
		}
	}
	if want := n + 1 + 2*((n+999)/1000) + 1; len(files) < want {
		t.Errorf("%d files, want at least %d", len(files), want)
	}
	var idx clients.PagedIndex
	if err := json.Unmarshal(files["clients/index.json"].Body, &idx); err != nil {
		t.Fatal(err)
	}
	if n == 100_000 && (len(idx.Pages) != 100 || len(idx.Search) < 2) {
		t.Errorf("%d pages, %d search files", len(idx.Pages), len(idx.Search))
	}
	checkWalk(t, r, files)
	checkLinks(t, files)
	checkSearch(t, r, idx, files)
}

// checkSearch holds the search files to the registry and its pages: every
// client once, in order, with the page that lists it.
func checkSearch(t testing.TB, r *clients.Registry, idx clients.PagedIndex, files map[string]artifact.Artifact) {
	t.Helper()
	var got [][]any
	for _, u := range idx.Search {
		var f struct {
			Clients [][]any `json:"clients"`
		}
		if err := json.Unmarshal(files[strings.TrimPrefix(u, base+"/")].Body, &f); err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		got = append(got, f.Clients...)
	}
	if len(got) != len(r.Clients) {
		t.Fatalf("the search files list %d clients, the registry has %d", len(got), len(r.Clients))
	}
	page := 0
	for i, e := range got {
		c := r.Clients[i]
		for page < len(idx.Pages) && idx.Pages[page].LastSlug < c.Slug {
			page++
		}
		if len(e) < 3 || e[0] != c.Slug || e[2] != float64(page+1) {
			t.Fatalf("search entry %d is %v, want %s on page %d", i, e, c.Slug, page+1)
		}
	}
}

// TestPagedScriptAllowed: the page's Content-Security-Policy allows its
// one inline script by hash and nothing else.
func TestPagedScriptAllowed(t *testing.T) {
	files := render(t, manyClients(t, 5), clients.Paging{Clients: 2, Bytes: 1 << 20})
	for _, p := range []string{"clients.html", "clients-pages/2.html", "clients-pages/3.html"} {
		page := files[p].Body
		scripts := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindAllSubmatch(page, -1)
		if len(scripts) != 1 {
			t.Fatalf("%s: %d scripts", p, len(scripts))
		}
		sum := sha256.Sum256(scripts[0][1])
		csp := regexp.MustCompile(`Content-Security-Policy" content="([^"]*)"`).FindSubmatch(page)
		want := "script-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		if csp == nil || !strings.Contains(html.UnescapeString(string(csp[1])), want) {
			t.Errorf("%s: policy %q does not allow the script by hash (%s)", p, csp, want)
		}
	}
}

// TestPagingGolden pins the paged files at a small page size: exactly one
// page (2 clients), one past it (3), and a page with both neighbours (5).
func TestPagingGolden(t *testing.T) {
	for _, n := range []int{2, 3, 5} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			r := manyClients(t, n)
			files := render(t, r, clients.Paging{Clients: 2, Bytes: 1 << 20})
			dir := filepath.Join("testdata", "golden", fmt.Sprintf("paged-%d-of-2", n))
			got := map[string][]byte{}
			for p, a := range files {
				if !strings.HasPrefix(p, "clients/c") {
					got[p] = a.Body
				}
			}
			if *update {
				os.RemoveAll(dir)
				for p, b := range got {
					f := filepath.Join(dir, filepath.FromSlash(p))
					if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(f, b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			var want []string
			err := filepath.WalkDir(dir, func(f string, e os.DirEntry, err error) error {
				if err != nil || e.IsDir() {
					return err
				}
				rel, _ := filepath.Rel(dir, f)
				want = append(want, filepath.ToSlash(rel))
				slices.Sort(want)
				b, _ := os.ReadFile(f)
				if !bytes.Equal(b, got[filepath.ToSlash(rel)]) {
					t.Errorf("%s differs from %s; run go test ./generator/clients -update and review the diff", path.Join(dir, rel), filepath.ToSlash(rel))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(want, keys(got)) {
				t.Errorf("files %v, golden %v", keys(got), want)
			}
			checkWalk(t, r, files)
			checkLinks(t, files)
		})
	}
}

// TestPagingHeldRows: a page is the same whether its rows were held from
// measuring them, spilled to a file or rendered again, all of them, none or
// some, and only those neither held nor spilled are rendered twice. Page 1
// links the documents from another directory than the rest, so its rows
// are always rendered again.
func TestPagingHeldRows(t *testing.T) {
	r := manyClients(t, 7)
	p := clients.Paging{Clients: 2, Bytes: 1 << 20} // 4 pages: 2 rows on page 1
	tmpdir := func(t *testing.T, dir string) {
		for _, v := range []string{"TMPDIR", "TMP", "TEMP"} {
			t.Setenv(v, dir)
		}
	}
	// As on a machine whose $TMPDIR is gone: the spill's file cannot be
	// made.
	noSpill := func(t *testing.T) { tmpdir(t, filepath.Join(t.TempDir(), "absent")) }
	measure := func(t *testing.T) (map[string]artifact.Artifact, int64) {
		t.Helper()
		before := clients.RowsRenderedAgain()
		got := render(t, r, p)
		return got, clients.RowsRenderedAgain() - before
	}
	var want map[string]artifact.Artifact
	t.Run("rendered again", func(t *testing.T) {
		noSpill(t)
		clients.SetHeldRows(t, 0)
		var n int64
		if want, n = measure(t); n != 7 {
			t.Errorf("rendered %d rows again, want 7: every row, measured first, again on its page", n)
		}
	})
	for _, c := range []struct {
		name  string
		held  int64
		spill bool
		// rendered again: 2 for page 1, and those of pages 2-4 neither
		// held nor spilled; -1 when the workers' timing decides which are
		// held
		renders int64
	}{
		{"all held", 1 << 20, false, 2},
		{"some held, the rest rendered again", 900, false, -1},
		{"none held, all spilled", 0, true, 2},
		{"some held, the rest spilled", 900, true, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.spill {
				tmpdir(t, t.TempDir())
			} else {
				noSpill(t)
			}
			clients.SetHeldRows(t, c.held)
			got, n := measure(t)
			if c.renders >= 0 && n != c.renders {
				t.Errorf("rendered %d rows again, want %d", n, c.renders)
			}
			if !slices.Equal(keys(got), keys(want)) {
				t.Fatalf("files %v, want %v", keys(got), keys(want))
			}
			for f, a := range want {
				if !bytes.Equal(got[f].Body, a.Body) {
					t.Errorf("%s differs:\n%s\nwant:\n%s", f, got[f].Body, a.Body)
				}
			}
			if c.spill {
				// Gone as soon as it was made.
				if left, _ := filepath.Glob(filepath.Join(os.TempDir(), "wellknown-rows-*")); len(left) > 0 {
					t.Errorf("spill files left: %v", left)
				}
			}
		})
	}
}

// TestComparePaged: the pull-request summary counts clients from their
// documents, in either form of the index, and lists neither the index's
// pages nor the HTML pages among the other files: they follow from the
// documents.
func TestComparePaged(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, files map[string]artifact.Artifact) string {
		root := filepath.Join(dir, name)
		for p, a := range files {
			f := filepath.Join(root, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(f, a.Body, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return root
	}
	r := manyClients(t, 7)
	p := clients.Paging{Clients: 2, Bytes: 1 << 20}
	paged := write("paged", render(t, r, p))
	r.Clients = r.Clients[:2]
	single := write("single", render(t, r, p))
	d, err := clients.Compare(single, paged, "clients")
	if err != nil {
		t.Fatal(err)
	}
	got := string(d.Markdown())
	want := "### Published tree\n\nClients: 5 added, 0 changed, 0 removed, 2 unchanged.\nThe index and the page for people are split into 4 pages (were 1).\n\n#### Added clients\n\n"
	if !strings.HasPrefix(got, want) || strings.Contains(got, "Other files") {
		t.Errorf("got:\n%s\nwant it to start with:\n%s", got, want)
	}
}

// BenchmarkRenderLargeRegistry renders the documents, index and pages of
// 100,000 clients (parsing them is not timed) and reports the largest file
// the registry adds besides the documents, and what those files total.
func BenchmarkRenderLargeRegistry(b *testing.B) {
	r := manyClients(b, 100_000)
	docs := map[string]bool{}
	for _, c := range r.Clients {
		docs[c.Path] = true
	}
	var largest, total int
	for b.Loop() {
		as, err := r.Artifacts(base)
		if err != nil {
			b.Fatal(err)
		}
		largest, total = 0, 0
		for _, a := range as {
			if !docs[a.Path] {
				largest = max(largest, len(a.Body))
				total += len(a.Body)
			}
		}
	}
	b.ReportMetric(float64(largest), "largest-bytes")
	b.ReportMetric(float64(total), "index+pages-bytes")
}
