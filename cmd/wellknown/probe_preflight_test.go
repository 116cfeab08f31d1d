package main

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/internal/sitetest"
	"github.com/wellknown-dev/wellknown/serve"
)

// TestProbePreflightWarning: a host that answers OPTIONS with 405, as
// Cloudflare Pages and Netlify do, makes probe warn on stderr and still
// exit 0, since every GET is served as built.
func TestProbePreflightWarning(t *testing.T) {
	srv := httptest.NewUnstartedServer(nil)
	url := "http://" + srv.Listener.Addr().String()
	dir := filepath.Join(t.TempDir(), "out")
	sitetest.Write(t, dir, sitetest.Site(t, url))
	h, err := serve.New(dir, log.New(io.Discard, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h.ServeHTTP(w, r)
	})
	srv.Start()
	defer srv.Close()

	code, out, errOut := runCLI(context.Background(), "probe", url, "--dir", dir)
	if code != exitOK || !strings.Contains(out, "served as built") {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(errOut, url+"/.well-known/") || !strings.Contains(errOut, "warning: a CORS preflight (OPTIONS) gets 405 Method Not Allowed") {
		t.Errorf("no preflight warning on stderr: %s", errOut)
	}
}
