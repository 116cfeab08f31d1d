package main

import (
	"context"
	"encoding/json"
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

// TestProbeJSON: probe --json prints the one report document, every file
// of the tree with its status, a stale file as an error naming its URL,
// and a refused preflight as a warning; nothing else is printed.
func TestProbeJSON(t *testing.T) {
	srv := httptest.NewUnstartedServer(nil)
	url := "http://" + srv.Listener.Addr().String()
	dir := filepath.Join(t.TempDir(), "out")
	sitetest.Write(t, dir, sitetest.Site(t, url))
	h, err := serve.New(dir, log.New(io.Discard, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	stale := false
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodOptions:
			http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		case stale && r.URL.Path == "/jwks.json":
			w.Header().Set("Content-Type", "application/jwk-set+json")
			io.WriteString(w, `{"keys":[]}`)
		default:
			h.ServeHTTP(w, r)
		}
	})
	srv.Start()
	defer srv.Close()

	type report struct {
		Command  string
		OK       bool
		Errors   int
		Warnings int
		Problems []struct{ File, Severity, Message string }
		Files    []struct {
			Path, URL, Status string
			Problems          []string
		}
	}
	run := func(wantCode int) report {
		t.Helper()
		code, out, errOut := runCLI(context.Background(), "probe", url, "--dir", dir, "--json")
		if code != wantCode || errOut != "" {
			t.Fatalf("exit %d, want %d; stderr %q", code, wantCode, errOut)
		}
		var r report
		dec := json.NewDecoder(strings.NewReader(out))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return r
	}

	r := run(exitOK)
	if r.Command != "probe" || !r.OK || r.Errors != 0 || r.Warnings != 1 || len(r.Files) == 0 {
		t.Fatalf("served as built: %+v", r)
	}
	if p := r.Problems[0]; p.Severity != "warning" || !strings.HasPrefix(p.File, url+"/") || !strings.HasPrefix(p.Message, "a CORS preflight (OPTIONS) gets 405") {
		t.Errorf("preflight problem: %+v", p)
	}
	for _, f := range r.Files {
		if f.Status != "ok" || len(f.Problems) != 0 || f.URL != url+f.Path {
			t.Errorf("file served as built: %+v", f)
		}
	}

	stale = true
	r = run(exitInvalid)
	// The stale answer also lacks the declared headers: one error each.
	if r.OK || r.Errors < 1 || len(r.Problems) != r.Errors+1 {
		t.Fatalf("stale jwks.json: %+v", r)
	}
	for _, p := range r.Problems[:r.Errors] {
		if p.Severity != "error" || p.File != url+"/jwks.json" {
			t.Errorf("problem of the stale file: %+v", p)
		}
	}
	failed := 0
	for _, f := range r.Files {
		if f.Status == "failed" {
			failed++
			if f.Path != "/jwks.json" || len(f.Problems) != r.Errors || !strings.Contains(f.Problems[0], "serves other bytes than the build") {
				t.Errorf("failed file: %+v", f)
			}
		}
	}
	if failed != 1 {
		t.Errorf("%d files failed, want 1", failed)
	}
}
