package generator_test

import (
	"os"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/publish"
)

func TestZZProf(t *testing.T) {
	out := "/tmp/zzout"
	os.RemoveAll(out)
	for i := 0; i < 2; i++ {
		if i == 1 {
			f, _ := os.Create("/tmp/cpu.prof")
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
		t0 := time.Now()
		res, err := generator.Build(generator.Options{Config: "/tmp/sites/" + os.Getenv("ZZ") + "/site.yaml", Now: clock, Getenv: func(string) string { return "" }})
		if err != nil {
			t.Fatal(err)
		}
		t1 := time.Now()
		if err := publish.Write(out, res.Artifacts); err != nil {
			t.Fatal(err)
		}
		t.Logf("run %d: build %v publish %v", i, t1.Sub(t0), time.Since(t1))
	}
}
