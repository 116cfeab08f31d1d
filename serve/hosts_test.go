package serve_test

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/hosting"
	"github.com/wellknown-dev/wellknown/internal/sitetest"
)

// liveTree is a built tree that the real hosts serve.
type liveTree struct {
	name string
	as   []artifact.Artifact // control files included
}

// liveTrees are the trees every real host is checked on: the example site
// built by the real pipeline, a tenant issuer below the root, and a
// registry large enough that its clients are covered by a /clients/* rule.
func liveTrees(t *testing.T) []liveTree {
	return []liveTree{
		{"example", sitetest.Example(t)},
		{"tenant", sitetest.Site(t, issuer+"/tenant")},
		{"clients", sitetest.WithClients(t, issuer, 300)},
	}
}

// writeTree writes as below a new directory that unprivileged server
// workers (nginx drops to www-data) can read, and returns it.
func writeTree(t *testing.T, as []artifact.Artifact) (tmp, dir string) {
	t.Helper()
	tmp = t.TempDir()
	for _, d := range []string{filepath.Dir(tmp), tmp} {
		os.Chmod(d, 0o755)
	}
	dir = filepath.Join(tmp, "out")
	sitetest.Write(t, dir, as)
	return tmp, dir
}

// readTree reads the written tree back as the hosting command does, through
// hosting.Served, so the snippets under test are the ones a user gets.
func readTree(t *testing.T, dir string) []artifact.Artifact {
	t.Helper()
	as, err := hosting.ReadTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// hostQuirks says where a real host may differ from serve by design.
type hostQuirks struct {
	// htmlRedirect: the host serves X.html at X and answers X.html with a
	// 308 to it (Cloudflare Pages); the redirect still carries the rule's
	// headers, which are compared.
	htmlRedirect bool
	// preflight is the status the host answers a CORS preflight with.
	preflight int
	// servesControl: the host decides itself what /_headers and /.nojekyll
	// answer (Cloudflare Pages serves the empty .nojekyll; wrangler's dev
	// server answers /_headers with 502), so only a missing file's 404 is
	// checked.
	servesControl bool
}

// compareLive asks the host at base for every published file of as and
// checks the status, the body and every header the tree declares against
// what serve sends for the same tree; then that a CORS preflight gets the
// host's status and serve's CORS headers, and that the control files and a
// missing file are 404. Headers a host adds on its own (ETag, Date,
// Server...) are not compared: only those the tree sets.
func compareLive(t *testing.T, host, base, dir string, as []artifact.Artifact, q hostQuirks) {
	t.Helper()
	srv := newServer(t, dir)
	pub := sitetest.Published(as)
	failures := 0
	for _, a := range pub {
		if failures > 10 {
			t.Fatalf("%s: too many differences", host)
		}
		ours, _ := do(t, "GET", srv.URL+a.URLPath())
		theirs, body := do(t, "GET", base+a.URLPath())
		switch {
		case q.htmlRedirect && filepath.Ext(a.Path) == ".html":
			if want := a.URLPath()[:len(a.URLPath())-len(".html")]; theirs.StatusCode != http.StatusPermanentRedirect || theirs.Header.Get("Location") != want {
				t.Errorf("%s %s: %d to %q, want 308 to %s", host, a.Path, theirs.StatusCode, theirs.Header.Get("Location"), want)
				failures++
			}
		case theirs.StatusCode != 200 || body != string(a.Body):
			t.Errorf("%s %s: status %d, body equal %v", host, a.Path, theirs.StatusCode, body == string(a.Body))
			failures++
			continue
		}
		if got, want := sitetest.Header(theirs.Header, declared...), sitetest.Header(ours.Header, declared...); !equal(got, want) {
			t.Errorf("%s %s: sends %v, serve %v", host, a.Path, got, want)
			failures++
		}
		if a.Header.Get("Access-Control-Allow-Origin") == "" {
			continue
		}
		pre := []string{"Origin", "https://app.example", "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "authorization"}
		ours, _ = do(t, "OPTIONS", srv.URL+a.URLPath(), pre...)
		theirs, _ = do(t, "OPTIONS", base+a.URLPath(), pre...)
		if theirs.StatusCode != q.preflight {
			t.Errorf("%s OPTIONS %s: %d, want %d", host, a.Path, theirs.StatusCode, q.preflight)
			failures++
		}
		cors := []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age"}
		if q.preflight/100 != 2 {
			cors = cors[:1] // a host that refuses preflights sends no preflight headers
		}
		if got, want := sitetest.Header(theirs.Header, cors...), sitetest.Header(ours.Header, cors...); !equal(got, want) {
			t.Errorf("%s OPTIONS %s: sends %v, serve %v", host, a.Path, got, want)
			failures++
		}
	}
	missing := []string{"/_headers", "/.nojekyll", "/nothing.json"}
	if q.servesControl {
		missing = missing[2:]
	}
	for _, p := range missing {
		if res, _ := do(t, "GET", base+p); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s %s: %d, want 404", host, p, res.StatusCode)
		}
	}
}
