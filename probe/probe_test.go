package probe_test

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/hosting"
	"github.com/wellknown-dev/wellknown/internal/peers"
	"github.com/wellknown-dev/wellknown/internal/sitetest"
	"github.com/wellknown-dev/wellknown/probe"
	"github.com/wellknown-dev/wellknown/serve"
)

// site starts an unstarted test server's listener first, so the fixture's
// issuer can be the server's own URL, then builds the tree for it.
func site(t *testing.T, handler func(dir string) http.Handler) (*httptest.Server, []artifact.Artifact) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	url := "http://" + srv.Listener.Addr().String()
	dir := sitetest.Tree(t, url)
	srv.Config.Handler = handler(dir)
	srv.Start()
	t.Cleanup(srv.Close)
	as, err := hosting.ReadTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	return srv, as
}

func serveTree(t *testing.T) func(string) http.Handler {
	return func(dir string) http.Handler {
		h, err := serve.New(dir, log.New(io.Discard, "", 0))
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
}

func TestAgainstServe(t *testing.T) {
	srv, as := site(t, serveTree(t))
	if ps := probe.Check(context.Background(), nil, srv.URL, as); len(ps) != 0 {
		t.Errorf("probe of serve found problems:\n%v", ps)
	}
	// The site URL with a trailing slash names the same root.
	if ps := probe.Check(context.Background(), nil, srv.URL+"/", as); len(ps) != 0 {
		t.Errorf("probe of %s/ found problems:\n%v", srv.URL, ps)
	}
}

// TestFaults runs a host that gets one thing wrong per file and expects
// one line per fault, naming the file and what clients do about it.
func TestFaults(t *testing.T) {
	srv, as := site(t, func(dir string) http.Handler {
		good := serveTree(t)(dir)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/.well-known/oauth-authorization-server":
				http.Redirect(w, r, "/.well-known/openid-configuration", http.StatusMovedPermanently)
				return
			case "/jwks.json":
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Access-Control-Allow-Origin", "*")
				w.Header().Set("Cache-Control", "public, max-age=300, stale-while-revalidate=600")
				w.Header().Set("X-Content-Type-Options", "nosniff")
				io.WriteString(w, `{"keys":[]}`) // the key set before rotation
				return
			}
			// Every answer loses its CORS header; two lose more.
			fix := func(h http.Header) {
				h.Del("Access-Control-Allow-Origin")
				switch r.URL.Path {
				case "/.well-known/openid-configuration":
					h.Set("Content-Type", "application/octet-stream")
				case "/clients/cli.json":
					h.Set("Cache-Control", "no-store")
				}
			}
			good.ServeHTTP(tamper{w, fix}, r)
		})
	})
	ps := probe.Check(context.Background(), nil, srv.URL, as)
	var lines []string
	for _, p := range ps {
		lines = append(lines, p.String())
	}
	got := strings.Join(lines, "\n")
	for _, want := range []string{
		srv.URL + "/.well-known/oauth-authorization-server: answers 301, a redirect",
		srv.URL + "/.well-known/openid-configuration: served as application/octet-stream, declared application/json: strict clients refuse",
		srv.URL + "/.well-known/openid-configuration: no Access-Control-Allow-Origin",
		srv.URL + "/jwks.json: serves other bytes than the build",
		"tokens signed with a new key fail verification",
		srv.URL + "/clients/cli.json: Cache-Control is \"no-store\"",
		srv.URL + "/digests.json: no Access-Control-Allow-Origin",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	// Only the needed requests: the redirect is reported, not followed,
	// and nothing is fetched that the tree does not list.
	if strings.Contains(got, "oauth-authorization-server: served as") {
		t.Errorf("the redirect was followed:\n%s", got)
	}
}

// tamper changes the headers of an answer just before they are sent.
type tamper struct {
	http.ResponseWriter
	fix func(http.Header)
}

func (t tamper) WriteHeader(code int) {
	t.fix(t.Header())
	t.ResponseWriter.WriteHeader(code)
}

func TestIssuerMismatch(t *testing.T) {
	srv := httptest.NewUnstartedServer(nil)
	url := "http://" + srv.Listener.Addr().String()
	// Built for the issuer with a trailing slash, deployed at the root.
	dir := sitetest.Tree(t, url+"/")
	srv.Config.Handler = serveTree(t)(dir)
	srv.Start()
	defer srv.Close()
	as, err := hosting.ReadTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	ps := probe.Check(context.Background(), nil, srv.URL, as)
	n := 0
	for _, p := range ps {
		if strings.Contains(p.Msg, "issuer is \""+url+"/\"") && strings.Contains(p.Msg, "trailing slash") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("want the issuer mismatch in both metadata documents, got:\n%v", ps)
	}
}

func TestUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	as := sitetest.Published(sitetest.Site(t, url))
	ps := probe.Check(context.Background(), nil, url, as)
	if len(ps) != len(as) || !strings.Contains(ps[0].Msg, "not reachable") {
		t.Errorf("want one 'not reachable' per file, got:\n%v", ps)
	}
}

// TestPreflight: serve answers a CORS preflight, so probe says nothing; a
// host that answers OPTIONS with 405, as Cloudflare Pages and Netlify do,
// gets one warning naming the file and the status, and Check still finds
// nothing wrong with the GETs.
func TestPreflight(t *testing.T) {
	srv, as := site(t, serveTree(t))
	if ws := probe.Preflight(context.Background(), nil, srv.URL, as); len(ws) != 0 {
		t.Errorf("preflight to serve: %v", ws)
	}
	srv, as = site(t, func(dir string) http.Handler {
		h := serveTree(t)(dir)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodOptions {
				http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	ws := probe.Preflight(context.Background(), nil, srv.URL, as)
	if len(ws) != 1 || !strings.Contains(ws[0].String(), "/.well-known/") || !strings.Contains(ws[0].Msg, "warning: a CORS preflight (OPTIONS) gets 405") {
		t.Errorf("want one warning for a metadata document, got %v", ws)
	}
	if ps := probe.Check(context.Background(), nil, srv.URL, as); len(ps) != 0 {
		t.Errorf("the GETs are fine, yet: %v", ps)
	}
}

// TestPreflightWranglerPages runs the preflight against Cloudflare's own
// Pages runtime: it answers 405, and probe warns. It skips without
// wrangler and fails under CI=true.
func TestPreflightWranglerPages(t *testing.T) {
	peers.Wrangler(t)
	as := sitetest.Site(t, "https://id.example.com")
	dir := filepath.Join(t.TempDir(), "out")
	sitetest.Write(t, dir, as)
	base := peers.PagesDev(t, dir)
	ws := probe.Preflight(context.Background(), nil, base, sitetest.Published(as))
	if len(ws) != 1 || !strings.Contains(ws[0].Msg, "gets 405") {
		t.Errorf("want a warning that the preflight gets 405, got %v", ws)
	}
}
