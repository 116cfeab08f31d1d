//go:build unix

package generator_test

import (
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/progress"
	"github.com/wellknown-dev/wellknown/generator/publish"
	"github.com/wellknown-dev/wellknown/generator/sign"
)

// BenchmarkBuildProgress is what the progress meter costs a 10,000-client
// build: each iteration builds and publishes (over the previous output, as
// every rebuild on one machine does) twice, once without a meter and once
// with one redrawing a line for every phase, small ones included, as a
// terminal would see it, in alternating order, so that a machine shared
// with other work slows both alike. It reports the wall and CPU time of
// each (ms-none, ms-meter, cpu-ms-none, cpu-ms-meter), and draws/op, how
// often the meter wrote.
func BenchmarkBuildProgress(b *testing.B) {
	cfg := registrySite(b, benchClients)
	signer := p256Signer(b)
	for _, s := range []struct {
		name   string
		signer *sign.Signer
	}{{"unsigned", nil}, {"signed-p256", signer}} {
		b.Run(s.name, func(b *testing.B) {
			var w countingWriter
			m := progress.New(&w, progress.Options{Name: "build", Min: -1})
			outs := [2]string{filepath.Join(b.TempDir(), "out"), filepath.Join(b.TempDir(), "out")}
			var wall, cpu [2]time.Duration
			build := func(metered int) {
				var meter *progress.Meter
				if metered == 1 {
					meter = m
				}
				t0, c0 := time.Now(), cpuTime(b)
				opts := generator.Options{Config: cfg, Now: clock, Getenv: func(string) string { return "" }, Signer: s.signer, Progress: meter}
				res, err := generator.Build(opts)
				if err != nil {
					b.Fatal(err)
				}
				if err := (publish.Options{Progress: meter}).Write(b.Context(), outs[metered], res.Artifacts); err != nil {
					b.Fatal(err)
				}
				wall[metered] += time.Since(t0)
				cpu[metered] += cpuTime(b) - c0
			}
			// The first publish of each output is fresh; the loop's are
			// rebuilds.
			build(0)
			build(1)
			wall, cpu = [2]time.Duration{}, [2]time.Duration{}
			w.writes.Store(0)
			i := 0
			for b.Loop() {
				build(i % 2)
				build(1 - i%2)
				i++
			}
			n := float64(b.N)
			ms := func(d time.Duration) float64 { return float64(d.Milliseconds()) / n }
			b.ReportMetric(ms(wall[0]), "ms-none")
			b.ReportMetric(ms(wall[1]), "ms-meter")
			b.ReportMetric(ms(cpu[0]), "cpu-ms-none")
			b.ReportMetric(ms(cpu[1]), "cpu-ms-meter")
			b.ReportMetric(float64(w.writes.Load())/n, "draws/op")
		})
	}
}

// cpuTime is the user and system time the process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type countingWriter struct{ writes atomic.Int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes.Add(1)
	return len(p), nil
}
