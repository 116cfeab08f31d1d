package serve_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/internal/sitetest"
	"github.com/wellknown-dev/wellknown/serve"
)

// chromium finds Debian's chromium; it skips without it, except in CI
// (CI=true), where .ci/install-chromium.sh must have installed it.
func chromium(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed; run .ci/install-chromium.sh")
		}
		t.Skip("chromium is not installed; run .ci/install-chromium.sh")
	}
	return bin
}

// harness drives the clients page from a page of the same origin, which
// loads it in a frame: it follows every link of every page it reaches (a
// fetch for each, whose status it records), walks the pages by their
// "next" links and back by "prev", and types into the search box, whose
// script only runs if the page's Content-Security-Policy allows it. What
// it saw goes into the DOM, which --dump-dom prints.
const harness = `<!doctype html><html><body><pre id="result">pending</pre>
<iframe id="f" width="1000" height="800"></iframe><script>
const f = document.getElementById("f");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function open(url) {
  return new Promise((resolve) => { f.onload = () => resolve(f.contentDocument); f.src = url; });
}
async function until(cond) {
  for (let i = 0; i < 600; i++) { const v = cond(); if (v) return v; await sleep(50); }
  return null;
}
(async () => {
  const out = {pages: [], links: {}, external: [], back: [], search: null, errors: []};
  const seen = new Set();
  async function links(doc) {
    const todo = [];
    for (const a of doc.querySelectorAll("a[href]")) {
      const u = new URL(a.href);
      if (u.origin !== location.origin) { out.external.push(a.href + " " + a.rel); continue; }
      u.hash = "";
      if (!seen.has(u.href)) { seen.add(u.href); todo.push(u.href); }
    }
    for (let i = 0; i < todo.length; i += 16) {
      await Promise.all(todo.slice(i, i + 16).map(async (u) => {
        try { out.links[u.slice(location.origin.length)] = (await fetch(u)).status; }
        catch (e) { out.links[u] = String(e); }
      }));
    }
  }
  try {
    let doc = await open(START);
    for (;;) {
      out.pages.push({path: f.contentWindow.location.pathname, title: doc.title, rows: doc.querySelectorAll("tbody tr").length,
        search: !!doc.getElementById("search-box") && !doc.getElementById("search-box").hidden});
      await links(doc);
      const next = doc.querySelector("nav a[rel=next]");
      if (!next) break;
      doc = await open(next.href);
    }
    for (let prev = doc.querySelector("nav a[rel=prev]"); prev; prev = doc.querySelector("nav a[rel=prev]")) {
      doc = await open(prev.href);
      out.back.push(f.contentWindow.location.pathname);
    }
    if (QUERY) {
      const box = doc.getElementById("search");
      box.value = QUERY;
      box.dispatchEvent(new Event("input", {bubbles: true}));
      const status = doc.getElementById("search-status");
      await until(() => status.textContent !== "" && !status.textContent.startsWith("Loading"));
      const items = [...doc.querySelectorAll("#search-results li")];
      out.search = {status: status.textContent, results: items.map((li) => li.textContent)};
      const hit = items.length ? items[0].querySelector("a") : null;
      if (hit) {
        const target = await open(hit.href);
        const id = decodeURIComponent(new URL(hit.href).hash.slice(1));
        const row = target.getElementById(id);
        out.search.followed = f.contentWindow.location.pathname + "#" + id;
        out.search.row = row ? row.textContent.replace(/\s+/g, " ").trim() : null;
      }
    }
  } catch (e) { out.errors.push(String(e && e.stack || e)); }
  document.getElementById("result").textContent = JSON.stringify(out);
})();
</script></body></html>`

type browsed struct {
	Pages []struct {
		Path   string `json:"path"`
		Title  string `json:"title"`
		Rows   int    `json:"rows"`
		Search bool   `json:"search"`
	} `json:"pages"`
	Links    map[string]any `json:"links"`
	External []string       `json:"external"`
	Back     []string       `json:"back"`
	Search   *struct {
		Status   string   `json:"status"`
		Results  []string `json:"results"`
		Followed string   `json:"followed"`
		Row      *string  `json:"row"`
	} `json:"search"`
	Errors []string `json:"errors"`
}

// browse serves dir with serve's handler below prefix, as a host serves a
// site below its root (a GitHub Pages project site), and runs the harness
// from start.
func browse(t *testing.T, dir, prefix, start, query string) browsed {
	t.Helper()
	bin := chromium(t)
	h, err := serve.New(dir, log.New(io.Discard, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	// The page is made before the server starts: a handler reading a
	// variable written after that is a data race to the race detector,
	// which cannot see that Chromium asks for it only later.
	q, _ := json.Marshal(query)
	page := strings.Replace(harness, "<script>", fmt.Sprintf("<script>\nconst START = %q, QUERY = %s;", prefix+"/"+start, q), 1)
	mux := http.NewServeMux()
	mux.HandleFunc("/harness.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, page)
	})
	mux.Handle(prefix+"/", http.StripPrefix(prefix, h))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--virtual-time-budget=120000", "--dump-dom", srv.URL+"/harness.html")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`<pre id="result">(.*?)</pre>`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no result in the page:\n%s", out)
	}
	var got browsed
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &got); err != nil {
		t.Fatalf("result %.2000s: %v", m[1], err)
	}
	if len(got.Errors) > 0 {
		t.Fatalf("the harness failed: %v", got.Errors)
	}
	for u, status := range got.Links {
		if status != float64(200) {
			t.Errorf("%s: %v, want 200", u, status)
		}
	}
	for _, e := range got.External {
		if !strings.Contains(e, "nofollow") {
			t.Errorf("link out of the site without rel=nofollow: %s", e)
		}
	}
	return got
}

// TestBrowserClientsPage loads the example site's clients page below a
// path prefix and follows every link on it (issue 13: the page moved out
// of clients/ and every link was a 404).
func TestBrowserClientsPage(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	sitetest.Write(t, dir, sitetest.Example(t))
	got := browse(t, dir, "/project", "clients.html", "")
	if len(got.Pages) != 1 || got.Pages[0].Rows != 3 || got.Pages[0].Search {
		t.Errorf("pages: %+v", got.Pages)
	}
	for _, p := range []string{"/project/clients/index.json", "/project/clients/web-portal.json", "/project/clients/field-app.json", "/project/clients/cli-assistant.json"} {
		if _, ok := got.Links[p]; !ok {
			t.Errorf("the page does not link %s; it links %v", p, got.Links)
		}
	}
	if len(got.Links) != 4 || len(got.External) != 3 {
		t.Errorf("links %v, external %v", got.Links, got.External)
	}
}

// TestBrowserPagedClients builds a registry of three pages, then walks
// them in the browser by their navigation, follows every link of each,
// and searches for one client from the first page, which is on another.
func TestBrowserPagedClients(t *testing.T) {
	const n = 2_100
	src := t.TempDir()
	site, err := os.ReadFile("../site.yaml")
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(src, "site.yaml"), site, 0o644))
	must(os.MkdirAll(filepath.Join(src, "keys"), 0o755))
	must(os.MkdirAll(filepath.Join(src, "clients"), 0o755))
	keys, err := os.ReadDir("../keys")
	must(err)
	for _, k := range keys {
		b, err := os.ReadFile(filepath.Join("../keys", k.Name()))
		must(err)
		must(os.WriteFile(filepath.Join(src, "keys", k.Name()), b, 0o600))
	}
	for i := range n {
		body := fmt.Sprintf("client_name: App %[1]d <b>&</b>\nredirect_uris: [https://app%[1]d.example.com/cb]\ntoken_endpoint_auth_method: none\n", i)
		must(os.WriteFile(filepath.Join(src, "clients", fmt.Sprintf("app-%04d.yaml", i)), []byte(body), 0o644))
	}
	res, err := generator.Build(generator.Options{Config: filepath.Join(src, "site.yaml"), Now: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), Getenv: func(string) string { return "" }})
	must(err)
	dir := filepath.Join(t.TempDir(), "out")
	sitetest.Write(t, dir, res.Artifacts)

	got := browse(t, dir, "", "clients.html", "app 2042 <b>")
	var paths []string
	rows := 0
	for _, p := range got.Pages {
		paths = append(paths, p.Path)
		rows += p.Rows
		if !p.Search {
			t.Errorf("%s: the search box is hidden: its script did not run", p.Path)
		}
	}
	if want := "/clients.html /clients-pages/2.html /clients-pages/3.html"; strings.Join(paths, " ") != want || rows != n {
		t.Errorf("walked %v with %d rows, want %s with %d", paths, rows, want, n)
	}
	if want := "/clients-pages/2.html /clients.html"; strings.Join(got.Back, " ") != want {
		t.Errorf("back through prev: %v, want %s", got.Back, want)
	}
	docs := 0
	for u := range got.Links {
		if strings.HasPrefix(u, "/clients/app-") {
			docs++
		}
	}
	if docs != n || got.Links["/clients/index.json"] == nil {
		t.Errorf("%d documents linked, want %d; index.json linked: %v", docs, n, got.Links["/clients/index.json"] != nil)
	}
	s := got.Search
	if s == nil || s.Status != "1 client matches." || len(s.Results) != 1 || !strings.HasPrefix(s.Results[0], "App 2042 <b>&</b> app-2042.json") {
		t.Fatalf("search: %+v", s)
	}
	if s.Followed != "/clients-pages/3.html#c-app-2042" || s.Row == nil || !strings.HasPrefix(*s.Row, "App 2042 <b>&</b>") {
		t.Errorf("the search result leads to %s, row %v", s.Followed, s.Row)
	}
}
