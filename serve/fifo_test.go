//go:build unix

package serve_test

import (
	"bytes"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/generator/hosting"
	"github.com/wellknown-dev/wellknown/internal/sitetest"
	"github.com/wellknown-dev/wellknown/serve"
)

type syncLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// get answers within a deadline, or fails the test: a request that waits
// is what a named pipe used to cause.
func get(t *testing.T, url string) int {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	res, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	res.Body.Close()
	return res.StatusCode
}

// A named pipe in the tree at start-up, and one appearing while serving,
// neither blocks start-up nor any request: an unlisted pipe is skipped with
// a warning, a listed one answers 403, and the rest is served.
func TestFIFOs(t *testing.T) {
	dir := sitetest.Tree(t, issuer)
	mkfifo(t, filepath.Join(dir, "jwks.json"))
	mkfifo(t, filepath.Join(dir, "pipe.json"))
	var logs syncLog
	var h *serve.Handler
	var err error
	done := make(chan struct{})
	go func() { defer close(done); h, err = serve.New(dir, log.New(&logs, "", 0)) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("New blocked on a named pipe")
	}
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	for p, want := range map[string]int{
		"/.well-known/openid-configuration": 200,
		"/jwks.json":                        403,
		"/pipe.json":                        404,
	} {
		if got := get(t, srv.URL+p); got != want {
			t.Errorf("GET %s: %d, want %d", p, got, want)
		}
	}
	for _, want := range []string{"pipe.json: skipped: a named pipe", "cannot serve /jwks.json: read jwks.json: not a regular file (named pipe)"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log does not say %q:\n%s", want, logs.String())
		}
	}

	// While serving: a published file becomes a pipe and _headers is
	// replaced, so the next requests reload the tree, all at once.
	before, _ := h.Files()
	mkfifo(t, filepath.Join(dir, ".well-known", "openid-configuration"))
	headers, err := os.ReadFile(filepath.Join(dir, hosting.HeadersFile))
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, hosting.HeadersFile+".new")
	if err := os.WriteFile(tmp, headers, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, hosting.HeadersFile)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			get(t, srv.URL+"/.well-known/openid-configuration")
		}()
	}
	wg.Wait()
	for p, want := range map[string]int{
		"/.well-known/openid-configuration":       404, // a pipe now, skipped by the walk
		"/jwks.json":                              403,
		"/.well-known/oauth-authorization-server": 200,
	} {
		if got := get(t, srv.URL+p); got != want {
			t.Errorf("after the reload, GET %s: %d, want %d", p, got, want)
		}
	}
	if !strings.Contains(logs.String(), ".well-known/openid-configuration: skipped: a named pipe") {
		t.Errorf("the reload did not warn of the pipe:\n%s", logs.String())
	}
	if ok, broken := h.Files(); ok != before-1 || len(broken) != 1 {
		t.Errorf("after the reload: %d files served (before %d), %v broken", ok, before, broken)
	}
}

func mkfifo(t *testing.T, p string) {
	t.Helper()
	os.Remove(p)
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatal(err)
	}
}
