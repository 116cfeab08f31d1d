package serve_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/hosting"
	"github.com/wellknown-dev/wellknown/internal/sitetest"
	"github.com/wellknown-dev/wellknown/serve"
)

const issuer = "https://id.example.com"

func newServer(t *testing.T, dir string) *httptest.Server {
	t.Helper()
	h, err := serve.New(dir, log.New(io.Discard, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// declared are the headers every format must agree on.
var declared = []string{"Content-Type", "Cache-Control", "Access-Control-Allow-Origin", "X-Content-Type-Options"}

// TestHeadersAgree checks, file by file, that what serve sends is what
// _headers, the S3/GCS object map, the nginx snippet and the Caddy snippet
// declare: one source of truth, parsed back from each format.
func TestHeadersAgree(t *testing.T) {
	// "example" is the repository's example site built by the real pipeline;
	// the others are fixtures with files the example does not have yet.
	for _, iss := range []string{"example", issuer, "https://id.example.com/tenant"} {
		t.Run(iss, func(t *testing.T) {
			var as []artifact.Artifact
			if iss == "example" {
				as = sitetest.Example(t)
			} else {
				as = sitetest.Site(t, iss)
			}
			pub := sitetest.Published(as)
			dir := filepath.Join(t.TempDir(), "out")
			sitetest.Write(t, dir, as)
			srv := newServer(t, dir)
			var paths []string
			for _, a := range pub {
				paths = append(paths, a.Path)
			}

			formats := map[string]map[string]http.Header{
				"_headers": parseHeadersFile(t, dir),
				"s3":       parseObjects(t, file(t, hosting.S3, pub, "s3/objects.json")),
				"gcs":      parseObjects(t, file(t, hosting.GCS, pub, "gcs/objects.json")),
				"nginx":    parseNginx(t, file(t, hosting.Nginx, pub, "nginx/wellknown.conf"), paths),
				"caddy":    parseCaddy(t, file(t, hosting.Caddy, pub, "caddy/wellknown.caddy"), paths),
			}
			for name, m := range formats {
				if len(m) != len(pub) {
					t.Errorf("%s lists %d files, want %d", name, len(m), len(pub))
				}
			}
			for _, a := range pub {
				res, err := http.Get(srv.URL + a.URLPath())
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != 200 || !bytes.Equal(body, a.Body) {
					t.Errorf("%s: status %d, body equal %v", a.Path, res.StatusCode, bytes.Equal(body, a.Body))
				}
				got := sitetest.Header(res.Header, declared...)
				if want := sitetest.Header(a.Header, declared...); !equal(got, want) {
					t.Errorf("%s: serve sends %v, the artifact declares %v", a.Path, got, want)
				}
				for name, m := range formats {
					if want := sitetest.Header(m[a.Path], declared...); !equal(got, want) {
						t.Errorf("%s: serve sends %v, %s declares %v", a.Path, got, name, want)
					}
				}
			}
		})
	}
}

func equal(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func file(t *testing.T, f hosting.Format, as []artifact.Artifact, name string) []byte {
	t.Helper()
	fs, err := f(as)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Name == name {
			return f.Body
		}
	}
	t.Fatalf("no %s", name)
	return nil
}

func parseHeadersFile(t *testing.T, dir string) map[string]http.Header {
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	_, m, err := hosting.Served(root)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func parseObjects(t *testing.T, b []byte) map[string]http.Header {
	var om hosting.ObjectMap
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&om); err != nil {
		t.Fatal(err)
	}
	m := map[string]http.Header{}
	for _, o := range om.Objects {
		h := http.Header{}
		for k, v := range o.Headers {
			h.Set(k, v)
		}
		m[o.Key] = h
	}
	return m
}

// parseNginx reads what the snippet makes nginx send for a GET of each of
// paths: the location nginx picks (the exact one, else the longest prefix)
// and the default_type and add_header lines directly inside it (the ones
// inside "if" answer OPTIONS).
func parseNginx(t *testing.T, b []byte, paths []string) map[string]http.Header {
	blocks := map[string]http.Header{} // "= /jwks.json", "^~ /clients/", "/"
	var cur http.Header
	depth := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if m, ok := strings.CutPrefix(line, "location "); ok && depth == 0 {
			cur = http.Header{}
			blocks[strings.TrimSuffix(m, " {")] = cur
		}
		if depth == 1 && cur != nil {
			if v, ok := strings.CutPrefix(line, "default_type "); ok {
				cur.Set("Content-Type", unquote(t, strings.TrimSuffix(v, ";")))
			}
			if v, ok := strings.CutPrefix(line, "add_header "); ok {
				name, value, _ := strings.Cut(strings.TrimSuffix(v, " always;"), " ")
				cur.Set(name, unquote(t, value))
			}
		}
		depth += strings.Count(line, "{") - strings.Count(line, "}")
		if depth == 0 {
			cur = nil
		}
	}
	m := map[string]http.Header{}
	for _, p := range paths {
		if h, ok := blocks["= /"+p]; ok {
			m[p] = h
			continue
		}
		best := ""
		for match := range blocks {
			prefix, ok := strings.CutPrefix(match, "^~ ")
			if match == "/" {
				prefix, ok = "/", true
			}
			if ok && strings.HasPrefix("/"+p, prefix) && len(prefix) > len(best) {
				best = prefix
			}
		}
		switch best {
		case "":
			t.Errorf("nginx: no location serves /%s", p)
		case "/":
			m[p] = blocks["/"]
		default:
			m[p] = blocks["^~ "+best]
		}
	}
	return m
}

// parseCaddy reads the "@rN path P" matchers and their header blocks back
// into rules and applies them to paths as Caddy does: every matching block
// adds its headers.
func parseCaddy(t *testing.T, b []byte, paths []string) map[string]http.Header {
	patterns := map[string]string{}
	var rules []hosting.Rule
	var cur http.Header
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		f := strings.Fields(line)
		switch {
		case len(f) == 3 && strings.HasPrefix(f[0], "@r") && f[1] == "path":
			patterns[f[0]] = f[2]
		case len(f) == 3 && f[0] == "header" && strings.HasPrefix(f[1], "@r") && f[2] == "{":
			cur = http.Header{}
			rules = append(rules, hosting.Rule{Pattern: patterns[f[1]], Header: cur})
		case line == "}":
			cur = nil
		case cur != nil:
			name, value, _ := strings.Cut(line, " ")
			cur.Set(name, unquote(t, value))
		}
	}
	m, err := hosting.Resolve(rules, paths)
	if err != nil {
		t.Fatalf("caddy: %v", err)
	}
	return m
}

func unquote(t *testing.T, s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		t.Fatalf("want a quoted string, got %s", s)
	}
	return s[1 : len(s)-1]
}
