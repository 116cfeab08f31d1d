package hosting_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

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
