package main

import (
	"bytes"
	"crypto/elliptic"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/internal/sitetest"
	tk "github.com/wellknown-dev/wellknown/internal/testkeys"
)

// BenchmarkCLIBuild runs `wellknown build` as a user does, a new process
// each time, at each size in WELLKNOWN_BENCH_SIZES (default 1000,10000; the
// registry of generator's BenchmarkRebuild): fresh, with no change and
// with one client changed, unsigned, signed once (signing.per_file: false)
// and signed per file (below 100,000 clients only). Besides the time it
// reports the largest peak resident memory of the runs, as the kernel
// counts it for /usr/bin/time -v, which BenchmarkRebuild, in one process
// that keeps its heap from build to build, cannot. Run it with -benchtime
// 3x (1x at 100,000), and on ext4 without a journal a few minutes after
// the last large removal (see BenchmarkRebuild).
func BenchmarkCLIBuild(b *testing.B) {
	sizes := sitetest.Sizes(b)
	bin := binary(b)
	key := tk.Write(b, b.TempDir(), "publisher.key", tk.PKCS8(b, tk.EC(b, elliptic.P256())))
	// Every tree stays until the end, as in BenchmarkRebuild.
	keep := b.TempDir()
	for _, n := range sizes {
		dir := filepath.Join(keep, fmt.Sprint("site", n))
		cfg := sitetest.Registry(b, "../..", dir, n)
		site, err := os.ReadFile(cfg)
		if err != nil {
			b.Fatal(err)
		}
		manifest := filepath.Join(dir, "site-manifest.yaml")
		if err := os.WriteFile(manifest, append(site, "\nsigning:\n  per_file: false\n"...), 0o644); err != nil {
			b.Fatal(err)
		}
		// Client files younger than the stamps' margin are read again by
		// every build; a registry is older than that when it is rebuilt.
		time.Sleep(2100 * time.Millisecond)
		for _, s := range []struct {
			name string
			args []string
		}{
			{"unsigned", []string{"--config", cfg}},
			{"signed-manifest", []string{"--config", manifest, "--sign-key", key}},
			{"signed-p256", []string{"--config", cfg, "--sign-key", key}},
		} {
			if s.name == "signed-p256" && n >= 100_000 {
				continue
			}
			for _, mode := range []string{"fresh", "nochange", "onechange"} {
				b.Run(fmt.Sprintf("%d/%s/%s", n, s.name, mode), func(b *testing.B) {
					benchCLI(b, bin, dir, s.args, mode, keep)
				})
			}
		}
	}
}

func benchCLI(b *testing.B, bin, dir string, args []string, mode, keep string) {
	base, err := os.MkdirTemp(keep, "")
	if err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(base, "out")
	var peak int64
	build := func() {
		cmd := exec.Command(bin, append([]string{"build", "--out", out, "--clock", "2026-11-22", "--quiet"}, args...)...)
		cmd.Dir = dir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			b.Fatalf("build: %v\n%s", err, stderr.Bytes())
		}
		// Maxrss is in KiB on Linux.
		peak = max(peak, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss)
	}
	if mode != "fresh" {
		// The second build leaves the spare, and a cache whose stamps
		// are past their margin, as any build some seconds after another.
		build()
		time.Sleep(2100 * time.Millisecond)
		build()
	}
	defer sitetest.ChangeClient(b, dir, 0)
	peak = 0
	run := 0
	for b.Loop() {
		run++
		switch mode {
		case "fresh":
			out = filepath.Join(base, fmt.Sprint("out", run))
		case "onechange":
			b.StopTimer()
			sitetest.ChangeClient(b, dir, run)
			b.StartTimer()
		}
		build()
	}
	b.ReportMetric(float64(peak)/1024, "MiB-peak-RSS")
}
