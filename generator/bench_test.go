package generator_test

import (
	"path/filepath"
	"testing"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/publish"
)

// BenchmarkBuildExample is the example site end to end: load, keys, render,
// headers, and the atomic publish of out/.
func BenchmarkBuildExample(b *testing.B) {
	out := filepath.Join(b.TempDir(), "out")
	for b.Loop() {
		res, err := generator.Build(generator.Options{Config: "../site.yaml", Now: clock, Getenv: func(string) string { return "" }})
		if err != nil {
			b.Fatal(err)
		}
		if err := publish.Write(out, res.Artifacts); err != nil {
			b.Fatal(err)
		}
	}
}
