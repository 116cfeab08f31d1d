package hosting_test

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/hosting"
	"github.com/wellknown-dev/wellknown/internal/sitetest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const issuer = "https://id.example.com"

// TestGolden pins every host format for the fixture site. Review the diff
// when one changes: these files are what users deploy.
func TestGolden(t *testing.T) {
	as := sitetest.Site(t, issuer)
	pub := sitetest.Published(as)
	var got []hosting.File
	for _, a := range as {
		if a.Path == hosting.HeadersFile {
			got = append(got, hosting.File{Name: "_headers", Body: a.Body})
		}
	}
	for _, name := range hosting.FormatNames() {
		fs, err := hosting.Formats[name](pub)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got = append(got, fs...)
	}
	for _, f := range got {
		golden := filepath.Join("testdata", filepath.FromSlash(f.Name))
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, f.Body, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test -update)", err)
		}
		if string(want) != string(f.Body) {
			t.Errorf("%s differs from %s (run go test -update and review the diff):\n%s", f.Name, golden, f.Body)
		}
	}
}

func TestParseHeadersStrict(t *testing.T) {
	for name, in := range map[string]string{
		"splat in a name": "/clients/*.json\n  Content-Type: application/json\n",
		"splat inside":    "/clients/*/x\n  Content-Type: application/json\n",
		"splat alone":     "/clients*\n  Content-Type: application/json\n",
		"pattern twice":   "/clients/*\n  Content-Type: application/json\n/clients/*\n  Cache-Control: no-store\n",
		"placeholder":     "/clients/:slug\n  Content-Type: application/json\n",
		"duplicate":       "/jwks.json\n  Content-Type: application/json\n/jwks.json\n  Cache-Control: no-store\n",
		"twice":           "/jwks.json\n  Content-Type: application/json\n  content-type: text/plain\n",
		"relative":        "jwks.json\n",
		"orphan":          "  Content-Type: application/json\n",
		"no colon":        "/jwks.json\n  Content-Type application/json\n",
		"traversal":       "/../secret.json\n  Content-Type: application/json\n",
		"control":         "/_headers\n  Content-Type: text/plain\n",
	} {
		if _, err := hosting.ParseHeaders([]byte(in)); err == nil {
			t.Errorf("%s: want an error for %q", name, in)
		}
	}
	for _, in := range []string{"/*\n  X-Content-Type-Options: nosniff\n", "/clients/*\n  Content-Type: application/json\n"} {
		if _, err := hosting.ParseHeaders([]byte(in)); err != nil {
			t.Errorf("%q: %v", in, err)
		}
	}
}

// A file that two rules give one header is refused, naming both rules:
// hosts would join the values.
func TestResolveConflict(t *testing.T) {
	rules, err := hosting.ParseHeaders([]byte("/*\n  Cache-Control: no-store\n/clients/*\n  Content-Type: application/json\n/clients/a.json\n  Cache-Control: max-age=1\n"))
	if err != nil {
		t.Fatal(err)
	}
	hs, err := hosting.Resolve(rules, []string{"jwks.json", "clients/b.json"})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(hs["clients/b.json"]); got != "map[Cache-Control:[no-store] Content-Type:[application/json]]" {
		t.Errorf("clients/b.json: %s", got)
	}
	if got := fmt.Sprint(hs["jwks.json"]); got != "map[Cache-Control:[no-store]]" {
		t.Errorf("jwks.json: %s", got)
	}
	_, err = hosting.Resolve(rules, []string{"clients/a.json"})
	if err == nil || err.Error() != "_headers:5: /clients/a.json gets Cache-Control from this rule and from line 1; hosts would join the values" {
		t.Errorf("err = %v", err)
	}
}

// TestHeadersCompact: whatever the tree, _headers gives every file exactly
// its headers as hosts apply the rules, and a directory whose files agree
// costs one rule, so a registry of any size fits Cloudflare's 100.
func TestHeadersCompact(t *testing.T) {
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	json := h("Content-Type", "application/json", "Cache-Control", "max-age=300", "Access-Control-Allow-Origin", "*")
	text := h("Content-Type", "text/plain", "Cache-Control", "max-age=300", "Access-Control-Allow-Origin", "*")
	year := h("Content-Type", "application/json", "Cache-Control", "max-age=31536000, immutable", "Access-Control-Allow-Origin", "*")
	html := h("Content-Type", "text/html", "Cache-Control", "max-age=300")
	var registry []artifact.Artifact
	for i := range 5000 {
		registry = append(registry,
			artifact.Artifact{Path: fmt.Sprintf("clients/c%04d.json", i), Header: json},
			artifact.Artifact{Path: fmt.Sprintf("signatures/files/clients/c%04d.json.sig", i), Header: text})
	}
	for name, tc := range map[string]struct {
		as       []artifact.Artifact
		maxRules int
	}{
		"registry": {append(registry,
			artifact.Artifact{Path: "clients.html", Header: html},
			artifact.Artifact{Path: "jwks.json", Header: json},
			artifact.Artifact{Path: "immutable/jwks.0123.json", Header: year},
			artifact.Artifact{Path: "immutable/meta.4567.json", Header: year},
			artifact.Artifact{Path: ".well-known/openid-configuration", Header: json},
			artifact.Artifact{Path: ".well-known/openid-federation", Header: h("Content-Type", "application/entity-statement+jwt", "Cache-Control", "max-age=300", "Access-Control-Allow-Origin", "*")},
		), 10},
		// A directory whose files all differ costs a rule per file.
		"alternating": {[]artifact.Artifact{
			{Path: "d/a", Header: json}, {Path: "d/b", Header: text}, {Path: "d/c", Header: json},
			{Path: "d/e/f", Header: text}, {Path: "d/e/g", Header: text}, {Path: "h", Header: html},
		}, 7},
		"one file": {[]artifact.Artifact{{Path: "jwks.json", Header: json}}, 1},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := hosting.Headers(tc.as)
			if err != nil {
				t.Fatal(err)
			}
			rules, err := hosting.ParseHeaders(b)
			if err != nil {
				t.Fatal(err)
			}
			if len(rules) > tc.maxRules || hosting.Rules(tc.as) != len(rules) {
				t.Errorf("%d rules (Rules says %d), want at most %d:\n%s", len(rules), hosting.Rules(tc.as), tc.maxRules, b)
			}
			if out, n, err := hosting.ControlRules(tc.as); err != nil || n != len(rules) || len(out) != len(tc.as)+2 {
				t.Errorf("ControlRules: %d files, %d rules (%v), want %d and %d", len(out), n, err, len(tc.as)+2, len(rules))
			}
			var paths []string
			for _, a := range tc.as {
				paths = append(paths, a.Path)
			}
			got, err := hosting.Resolve(rules, paths)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range tc.as {
				if fmt.Sprint(got[a.Path]) != fmt.Sprint(a.Header) {
					t.Errorf("%s: served with %v, built with %v", a.Path, got[a.Path], a.Header)
				}
			}
		})
	}
}

func TestUnwritable(t *testing.T) {
	as := sitetest.Published(sitetest.Site(t, issuer))
	bad := as[0]
	bad.Path = "clients/it's.json"
	if _, err := hosting.Headers(append(as, bad)); err == nil {
		t.Error("a quote in a path must be refused: it would break the server snippets")
	}
	bad = as[0]
	bad.Header = bad.Header.Clone()
	bad.Header.Set("Cache-Control", "max-age=1\n/evil")
	if _, err := hosting.Headers([]artifact.Artifact{bad}); err == nil {
		t.Error("a newline in a value must be refused: it would add a rule to _headers")
	}
	if _, err := hosting.Headers(append(as, as[0])); err == nil {
		t.Error("a path published twice must be refused")
	}
}

// TestRoundTrip: ReadTree of a written tree gives back the artifacts.
func TestRoundTrip(t *testing.T) {
	as := sitetest.Site(t, "https://id.example.com/tenant")
	dir := filepath.Join(t.TempDir(), "out")
	sitetest.Write(t, dir, as)
	got, err := hosting.ReadTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := sitetest.Published(as)
	if len(got) != len(want) {
		t.Fatalf("read %d files, wrote %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Path != want[i].Path || string(got[i].Body) != string(want[i].Body) || fmt.Sprint(got[i].Header) != fmt.Sprint(want[i].Header) {
			t.Errorf("%s: read back differently", want[i].Path)
		}
	}
}

// TestServerSnippetsPerRule: the nginx and Caddy snippets hold a block per
// _headers rule, not per file, so they are the same for 100 clients as for
// 10,000 and a new client needs no new server configuration.
func TestServerSnippetsPerRule(t *testing.T) {
	snippets := func(n int) (nginx, caddy []byte, rules int) {
		pub := sitetest.Published(sitetest.WithClients(t, issuer, n))
		for name, out := range map[string]*[]byte{"nginx": &nginx, "caddy": &caddy} {
			fs, err := hosting.Formats[name](pub)
			if err != nil {
				t.Fatal(err)
			}
			*out = fs[0].Body
		}
		return nginx, caddy, hosting.Rules(pub)
	}
	smallN, smallC, _ := snippets(100)
	nginx, caddy, rules := snippets(10000)
	if string(nginx) != string(smallN) || string(caddy) != string(smallC) {
		t.Errorf("the snippets change with the number of clients:\n%s\n%s", nginx, caddy)
	}
	// nginx: a block per rule, one for "/" and one for each control file.
	if n := strings.Count(string(nginx), "\nlocation "); n > rules+3 {
		t.Errorf("nginx has %d locations for %d rules", n, rules)
	}
	if n := strings.Count(string(caddy), "\nheader @r"); n != rules {
		t.Errorf("caddy has %d header blocks for %d rules", n, rules)
	}
	t.Logf("10,000 clients: %d rules, nginx %d bytes, caddy %d bytes", rules, len(nginx), len(caddy))
}
