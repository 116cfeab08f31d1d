package hosting_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
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
		"pattern":     "/clients/*\n  Content-Type: application/json\n",
		"placeholder": "/clients/:slug\n  Content-Type: application/json\n",
		"duplicate":   "/jwks.json\n  Content-Type: application/json\n/jwks.json\n  Cache-Control: no-store\n",
		"twice":       "/jwks.json\n  Content-Type: application/json\n  content-type: text/plain\n",
		"relative":    "jwks.json\n",
		"orphan":      "  Content-Type: application/json\n",
		"no colon":    "/jwks.json\n  Content-Type application/json\n",
		"traversal":   "/../secret.json\n  Content-Type: application/json\n",
		"control":     "/_headers\n  Content-Type: text/plain\n",
	} {
		if _, err := hosting.ParseHeaders([]byte(in)); err == nil {
			t.Errorf("%s: want an error for %q", name, in)
		}
	}
}

func TestUnwritable(t *testing.T) {
	as := sitetest.Published(sitetest.Site(t, issuer))
	bad := as[0]
	bad.Path = "clients/it's.json"
	if _, err := hosting.Headers(append(as, bad)); err == nil {
		t.Error("a quote in a path must be refused: it would break the upload scripts")
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
