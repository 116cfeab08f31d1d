package generator_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/publish"
)

// TestGitHubPagesGolden builds the three kinds of GitHub Pages site through
// the whole pipeline, writes out/ as the build command does, and compares it
// with the golden trees: a project site (base_url below the host root), a
// user site (the host root of OWNER.github.io) and a custom domain. Each
// tree has .nojekyll, without which Pages drops /.well-known/. The
// github.io sites also get the warning of what Pages cannot serve; a custom
// domain cannot be told from any other host, so it builds without one.
func TestGitHubPagesGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		warn bool
	}{
		{"project", true},
		{"user", true},
		{"custom", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := build(t, filepath.Join("testdata", "github-pages", tc.name, "site.yaml"))
			golden := filepath.Join("testdata", "golden", "github-pages-"+tc.name)
			checkGolden(t, res, golden)

			out := filepath.Join(t.TempDir(), "out")
			if err := publish.Write(out, res.Artifacts); err != nil {
				t.Fatal(err)
			}
			got, want := readTree(t, out), readTree(t, golden)
			if len(got) != len(want) {
				t.Errorf("out/ has %d files, the golden tree %d", len(got), len(want))
			}
			for p, b := range want {
				if !bytes.Equal(got[p], b) {
					t.Errorf("out/%s differs from %s", p, filepath.Join(golden, p))
				}
			}
			if _, ok := got[".nojekyll"]; !ok {
				t.Error("no .nojekyll: GitHub Pages would run Jekyll and drop /.well-known/")
			}

			var warned bool
			for _, w := range res.Warnings {
				if strings.Contains(w.Msg, "GitHub Pages cannot set response headers") {
					warned = true
					if strings.HasPrefix(w.Msg, "warning:") {
						t.Errorf("the warning says warning twice: %q", w.Msg)
					}
				}
			}
			if warned != tc.warn {
				t.Errorf("GitHub Pages warning given: %v, want %v", warned, tc.warn)
			}
		})
	}
}
