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
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/internal/sitetest"
	"github.com/wellknown-dev/wellknown/serve"
)

// TestBrowserCORS has headless Chromium load a page from one origin
// (http://localhost:A) that fetches the discovery document and the JWKS
// from serve on another (http://127.0.0.1:B): only CORS lets the page read
// them. A third origin that sends no CORS header is the control that shows
// the browser really enforces it. The page writes what it saw into the DOM,
// which --dump-dom prints.
//
// It skips when chromium is missing, except in CI (CI=true), where
// .ci/install-chromium.sh must have installed it.
func TestBrowserCORS(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed; run .ci/install-chromium.sh")
		}
		t.Skip("chromium is not installed; run .ci/install-chromium.sh")
	}
	h, err := serve.New(sitetest.Tree(t, issuer), log.New(io.Discard, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	var preflights atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			preflights.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	noCORS := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"keys":[]}`)
	}))
	defer noCORS.Close()

	targets := map[string]string{
		"discovery": srv.URL + "/.well-known/openid-configuration",
		"jwks":      srv.URL + "/jwks.json",
		"control":   noCORS.URL + "/jwks.json",
	}
	targetsJSON, _ := json.Marshal(targets)
	page := `<!doctype html><html><body><pre id="result">pending</pre><script>
const targets = ` + string(targetsJSON) + `;
async function get(name, url, init) {
  try {
    const r = await fetch(url, init);
    const body = await r.json();
    return {status: r.status, type: r.headers.get("content-type"), cache: r.headers.get("cache-control"),
            issuer: body.issuer || null, keys: body.keys ? body.keys.length : null};
  } catch (e) { return {error: String(e)}; }
}
(async () => {
  const out = {};
  for (const [name, url] of Object.entries(targets)) out[name] = await get(name, url);
  // A non-simple header makes the browser send an OPTIONS preflight first.
  out.preflight = await get("preflight", targets.jwks, {headers: {"X-Requested-With": "wellknown-test"}});
  document.getElementById("result").textContent = JSON.stringify(out);
})();
</script></body></html>`
	pageSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}))
	defer pageSrv.Close()
	pageURL := strings.Replace(pageSrv.URL, "127.0.0.1", "localhost", 1) + "/"

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--virtual-time-budget=15000", "--dump-dom", pageURL)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`<pre id="result">(.*?)</pre>`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no result in the page:\n%s", out)
	}
	var got map[string]struct {
		Status int     `json:"status"`
		Type   string  `json:"type"`
		Cache  string  `json:"cache"`
		Issuer *string `json:"issuer"`
		Keys   *int    `json:"keys"`
		Error  string  `json:"error"`
	}
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &got); err != nil {
		t.Fatalf("result %s: %v", m[1], err)
	}
	t.Logf("chromium saw: %s", html.UnescapeString(string(m[1])))
	if d := got["discovery"]; d.Status != 200 || d.Issuer == nil || *d.Issuer != issuer || d.Type != "application/json" || d.Cache == "" {
		t.Errorf("discovery document from another origin: %+v", d)
	}
	for _, name := range []string{"jwks", "preflight"} {
		if j := got[name]; j.Status != 200 || j.Keys == nil || *j.Keys != 1 {
			t.Errorf("%s from another origin: %+v", name, j)
		}
	}
	if preflights.Load() == 0 {
		t.Errorf("the browser sent no preflight for the request with a custom header")
	}
	if c := got["control"]; c.Error == "" {
		t.Errorf("the browser read a document without CORS headers, so the check proves nothing: %+v", c)
	}
}
