package generator_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/publish"
	"github.com/wellknown-dev/wellknown/generator/sign"
)

// TestStreamedBuild: a build that writes its files as it makes them gives
// the tree, byte for byte, of one that holds them all and writes them after,
// for a paged registry, signed per file, manifest only and unsigned; and the
// registry's documents, pages and signatures come back stored, not held.
func TestStreamedBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 2,500 clients six times")
	}
	cfg := registrySite(t, 2500)
	only := filepath.Join(filepath.Dir(cfg), "manifest-only.yaml")
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, only, string(b)+"\nsigning:\n  per_file: false\n")
	signer := p256Signer(t)
	for _, c := range []struct {
		name, cfg string
		signer    *sign.Signer
	}{{"per-file", cfg, signer}, {"manifest-only", only, signer}, {"unsigned", cfg, nil}} {
		t.Run(c.name, func(t *testing.T) {
			opts := generator.Options{Config: c.cfg, Now: clock, Getenv: func(string) string { return "" }, Signer: c.signer}
			res, err := generator.Build(opts)
			if err != nil {
				t.Fatal(err)
			}
			want := filepath.Join(t.TempDir(), "out")
			if err := publish.Write(want, res.Artifacts); err != nil {
				t.Fatal(err)
			}
			got := filepath.Join(t.TempDir(), "out")
			var held []string
			stored := 0
			err = publish.Options{}.Build(context.Background(), got, func(sink artifact.Sink) ([]artifact.Artifact, error) {
				o := opts
				o.Sink = sink
				res, err := generator.Build(o)
				if err != nil {
					return nil, err
				}
				for _, a := range res.Artifacts {
					switch {
					case a.Stored:
						stored++
					case strings.Contains(a.Path, "clients/index.json"):
						// made last, with the page count, and signed with the rest
					case strings.HasPrefix(a.Path, "clients/") || strings.HasPrefix(a.Path, sign.FileSigDir+"/clients/"):
						held = append(held, a.Path)
					}
				}
				return res.Artifacts, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(held) > 0 {
				t.Errorf("%d registry files held, not stored: %v", len(held), held[:min(len(held), 5)])
			}
			if stored < 2500 {
				t.Errorf("%d files stored", stored)
			}
			assertSameTree(t, want, got)
		})
	}
}

// assertSameTree fails unless the trees at a and b hold the same files
// with the same bytes.
func assertSameTree(t *testing.T, a, b string) {
	t.Helper()
	read := func(root string) map[string]string {
		m := map[string]string{}
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			rel, _ := filepath.Rel(root, p)
			m[rel] = string(data)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	ma, mb := read(a), read(b)
	if len(ma) != len(mb) {
		t.Errorf("%d files, want %d", len(mb), len(ma))
	}
	n := 0
	for p, body := range ma {
		if got, ok := mb[p]; !ok || got != body {
			if n++; n <= 5 {
				t.Errorf("%s differs or is missing", p)
			}
		}
	}
}
