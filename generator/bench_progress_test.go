package generator_test

import (
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/progress"
	"github.com/wellknown-dev/wellknown/generator/publish"
	"github.com/wellknown-dev/wellknown/generator/sign"
)

// BenchmarkBuildProgress is what the progress meter costs a 10,000-client
// build: the same build and publish (over the previous output, as every
// rebuild on one machine) without a meter and with one redrawing a line for
// every phase, small ones included, as a terminal would see it. The
// difference between the pairs is the meter's cost; draws/op is how often
// it wrote.
func BenchmarkBuildProgress(b *testing.B) {
	cfg := registrySite(b, benchClients)
	signer := p256Signer(b)
	for _, s := range []struct {
		name   string
		signer *sign.Signer
	}{{"unsigned", nil}, {"signed-p256", signer}} {
		for _, metered := range []bool{false, true} {
			name := s.name + "/none"
			if metered {
				name = s.name + "/meter"
			}
			b.Run(name, func(b *testing.B) {
				out := filepath.Join(b.TempDir(), "out")
				var w countingWriter
				var m *progress.Meter
				if metered {
					m = progress.New(&w, progress.Options{Name: "build", Min: -1})
				}
				opts := generator.Options{Config: cfg, Now: clock, Getenv: func(string) string { return "" }, Signer: s.signer, Progress: m}
				for b.Loop() {
					res, err := generator.Build(opts)
					if err != nil {
						b.Fatal(err)
					}
					if err := (publish.Options{Progress: m}).Write(b.Context(), out, res.Artifacts); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(w.writes.Load())/float64(b.N), "draws/op")
			})
		}
	}
}

type countingWriter struct{ writes atomic.Int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes.Add(1)
	return len(p), nil
}
