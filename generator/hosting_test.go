package generator_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/hosting"
	"github.com/wellknown-dev/wellknown/generator/publish"
	"github.com/wellknown-dev/wellknown/probe"
	"github.com/wellknown-dev/wellknown/serve"
)

// TestServeAndProbeBuiltSite runs the whole path a user takes: build,
// publish, preview with serve, and probe the preview against the tree.
// Every header serve sends comes from the built _headers, so a probe that
// passes shows the build, the host format and the preview agree.
func TestServeAndProbeBuiltSite(t *testing.T) {
	var h http.Handler
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	defer srv.Close()
	config, _ := testSite(t, srv.URL+"/tenant")
	res := build(t, config)
	out := filepath.Join(t.TempDir(), "out")
	if err := publish.Write(out, res.Artifacts); err != nil {
		t.Fatal(err)
	}
	handler, err := serve.New(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	h = handler
	tree, err := hosting.ReadTree(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(tree) == 0 {
		t.Fatal("empty tree")
	}
	for _, p := range probe.Check(context.Background(), probe.Client(srv.Client()), srv.URL, tree) {
		t.Errorf("probe: %s", p)
	}
}
