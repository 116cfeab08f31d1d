package generator_test

import (
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/hosting"
)

// TestBuildPagedRegistry runs a registry of three pages through the whole
// build: the pages get their headers like every other file, _headers
// covers them with a rule for their directory, and no file the build makes
// is over 1 MiB.
func TestBuildPagedRegistry(t *testing.T) {
	cfg := registrySite(t, 2_500)
	res, err := generator.Build(generator.Options{Config: cfg, Now: clock, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	var pages int
	var headers string
	for _, a := range res.Artifacts {
		if len(a.Body) > 1<<20 {
			t.Errorf("%s is %d bytes", a.Path, len(a.Body))
		}
		if strings.HasSuffix(a.Path, ".html") {
			pages++
			if ct := a.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" || a.Header.Get("Cache-Control") == "" {
				t.Errorf("%s: headers %v", a.Path, a.Header)
			}
		}
		if a.Path == hosting.HeadersFile {
			headers = string(a.Body)
		}
	}
	if pages != 3 {
		t.Errorf("%d HTML pages, want 3", pages)
	}
	if !strings.Contains(headers, "\n/clients-pages/*\n") || strings.Contains(headers, "/clients-pages/2.html") {
		t.Errorf("_headers does not cover the pages with one rule:\n%s", headers)
	}
	if n := hosting.Rules(res.Artifacts); n > 20 {
		t.Errorf("_headers has %d rules", n)
	}
}
