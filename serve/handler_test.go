package serve_test

import (
	"bufio"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/generator/hosting"
	"github.com/wellknown-dev/wellknown/internal/sitetest"
	"github.com/wellknown-dev/wellknown/serve"
)

func do(t *testing.T, method, url string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestMethodsAndConditional(t *testing.T) {
	srv := newServer(t, sitetest.Tree(t, issuer))
	u := srv.URL + "/.well-known/openid-configuration"

	res, body := do(t, "GET", u)
	etag := res.Header.Get("ETag")
	if res.StatusCode != 200 || etag == "" || !strings.Contains(body, `"issuer":"https://id.example.com"`) {
		t.Fatalf("GET: %d etag %q body %q", res.StatusCode, etag, body)
	}
	if res.Header.Get("Last-Modified") != "" {
		t.Errorf("Last-Modified %q: it would change with every build", res.Header.Get("Last-Modified"))
	}

	res, body = do(t, "HEAD", u)
	if res.StatusCode != 200 || body != "" || res.Header.Get("Content-Type") != "application/json" || res.Header.Get("ETag") != etag {
		t.Errorf("HEAD: %d %q %v", res.StatusCode, body, res.Header)
	}

	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		res, body = do(t, "GET", u, "If-None-Match", inm)
		if res.StatusCode != 304 || body != "" || res.Header.Get("ETag") != etag || res.Header.Get("Cache-Control") == "" {
			t.Errorf("If-None-Match %s: %d %q %v", inm, res.StatusCode, body, res.Header)
		}
	}
	res, _ = do(t, "GET", u, "If-None-Match", `"stale"`)
	if res.StatusCode != 200 {
		t.Errorf("If-None-Match with another tag: %d, want 200", res.StatusCode)
	}

	res, body = do(t, "OPTIONS", u, "Origin", "http://localhost:3000", "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "x-requested-with")
	if res.StatusCode != 204 || body != "" || res.Header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(res.Header.Get("Access-Control-Allow-Methods"), "GET") || res.Header.Get("Access-Control-Allow-Headers") == "" {
		t.Errorf("preflight: %d %v", res.StatusCode, res.Header)
	}

	res, _ = do(t, "POST", u)
	if res.StatusCode != 405 || res.Header.Get("Allow") != "GET, HEAD, OPTIONS" {
		t.Errorf("POST: %d %v", res.StatusCode, res.Header)
	}

	for _, p := range []string{"/", "/_headers", "/.nojekyll", "/nothing.json", "/jwks.json/", "//jwks.json", "/.well-known/", "/JWKS.json"} {
		if res, _ := do(t, "GET", srv.URL+p); res.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", p, res.StatusCode)
		}
	}
}

// TestTraversal sends paths that climb out of the tree, raw on the wire so
// no client cleans them first, and plants a symbolic link that points out
// of it. The file outside holds a secret no answer may contain.
func TestTraversal(t *testing.T) {
	base := t.TempDir()
	secret := "SECRET-OUTSIDE-THE-TREE"
	if err := os.WriteFile(filepath.Join(base, "secret.json"), []byte(secret), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "out")
	sitetest.Write(t, dir, sitetest.Site(t, issuer))
	// A listed file replaced by a link out of the tree, one by an absolute
	// link, and an unlisted link: none may be followed.
	for name, target := range map[string]string{
		"jwks.json":         "../secret.json",
		"publisher.pub":     filepath.Join(base, "secret.json"),
		"clients/evil.json": "../../secret.json",
	} {
		p := filepath.Join(dir, name)
		os.Remove(p)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	srv := newServer(t, dir)
	host := strings.TrimPrefix(srv.URL, "http://")

	cases := map[string][]int{
		"/../secret.json":                        {400, 404},
		"/%2e%2e/secret.json":                    {400, 404},
		"/%2E%2E/secret.json":                    {400, 404},
		"/.well-known/../../secret.json":         {400, 404},
		"/.well-known/%2e%2e/%2e%2e/secret.json": {400, 404},
		"/..%2fsecret.json":                      {400, 404},
		"/%2e%2e%2fsecret.json":                  {400, 404},
		"/..\\secret.json":                       {400, 404},
		"/secret.json":                           {404},
		"/clients/evil.json":                     {404},
		"/jwks.json":                             {403},
		"/publisher.pub":                         {403},
	}
	for target, want := range cases {
		status, body := rawGet(t, host, target)
		ok := false
		for _, w := range want {
			ok = ok || status == w
		}
		if !ok || strings.Contains(body, secret) {
			t.Errorf("GET %s: status %d (want one of %v), body %q", target, status, want, body)
		}
	}
	// The rest of the tree is still served.
	if status, _ := rawGet(t, host, "/.well-known/openid-configuration"); status != 200 {
		t.Errorf("openid-configuration: %d", status)
	}
}

func rawGet(t *testing.T, host, target string) (int, string) {
	t.Helper()
	c, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, host)
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("%s: %v", target, err)
	}
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestReload replaces the tree the way publish does, a new directory
// renamed into place, and expects the next request to see it.
func TestReload(t *testing.T) {
	dir := sitetest.Tree(t, issuer)
	srv := newServer(t, dir)
	next := dir + ".new"
	sitetest.Write(t, next, sitetest.Site(t, "https://other.example.com"))
	if err := os.Rename(dir, dir+".old"); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(next, dir); err != nil {
		t.Fatal(err)
	}
	_, body := do(t, "GET", srv.URL+"/.well-known/openid-configuration")
	if !strings.Contains(body, "other.example.com") {
		t.Errorf("after the swap still serving %q", body)
	}
}

func TestNewNeedsHeaders(t *testing.T) {
	dir := sitetest.Tree(t, issuer)
	os.Remove(filepath.Join(dir, hosting.HeadersFile))
	if _, err := serve.New(dir, log.New(io.Discard, "", 0)); err == nil || !strings.Contains(err.Error(), "hint:") {
		t.Errorf("New without _headers: %v", err)
	}
}

// TestReloadConcurrent sends many requests at once right after a swap: each
// must get the new tree, none the one it replaced, though only one of them
// reloads (probe sends its requests this way after a rebuild).
func TestReloadConcurrent(t *testing.T) {
	dir := sitetest.Tree(t, issuer)
	srv := newServer(t, dir)
	next := dir + ".new"
	sitetest.Write(t, next, sitetest.Site(t, "https://other.example.com"))
	// A large file makes the reload last long enough for the other
	// requests to arrive while it runs.
	if err := os.WriteFile(filepath.Join(next, "large.json"), make([]byte, 8<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(dir, dir+".old"); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(next, dir); err != nil {
		t.Fatal(err)
	}
	const n = 16
	bodies := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, bodies[i] = do(t, "GET", srv.URL+"/.well-known/openid-configuration")
		})
	}
	wg.Wait()
	for i, b := range bodies {
		if !strings.Contains(b, "other.example.com") {
			t.Errorf("request %d after the swap got the replaced tree: %.80q", i, b)
		}
	}
}
