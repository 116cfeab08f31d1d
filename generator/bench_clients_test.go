package generator_test

import (
	"crypto/elliptic"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/bundle"
	"github.com/wellknown-dev/wellknown/generator/publish"
	"github.com/wellknown-dev/wellknown/generator/sign"
	"github.com/wellknown-dev/wellknown/internal/sitetest"
	tk "github.com/wellknown-dev/wellknown/internal/testkeys"
)

const benchClients = 10_000

// registrySite writes the example site with n generated clients (see
// sitetest.Registry) and returns site.yaml's path.
func registrySite(b testing.TB, n int) string {
	b.Helper()
	return sitetest.Registry(b, "..", b.TempDir(), n)
}

// BenchmarkBuildRegistry is the full build of a site with 10,000 clients:
// load, check, render, copies, headers, host files and the atomic publish,
// unsigned and signed with an ECDSA P-256 key. "fresh" publishes where no
// output exists yet, as in CI on a clean clone; "rebuild" replaces the output
// of the same inputs, as every later build on one machine does; "nopublish"
// stops at the artifacts, so what signing costs the build itself shows apart
// from what the file system charges for the 10,000 more files it makes.
func BenchmarkBuildRegistry(b *testing.B) {
	cfg := registrySite(b, benchClients)
	signer := p256Signer(b)
	signers := []struct {
		name   string
		signer *sign.Signer
	}{{"unsigned", nil}, {"signed-p256", signer}}
	// Every output stays until the end: on a file system that skips
	// recently freed inodes (ext4 without a journal), removing one run's
	// files slows the next run's creating them, whichever that is.
	keep := b.TempDir()
	for _, mode := range []publishing{fresh, rebuild, nopublish} {
		for _, s := range signers {
			b.Run(s.name+"/"+mode.String(), func(b *testing.B) { benchBuild(b, cfg, s.signer, mode, keep) })
		}
	}
}

type publishing int

const (
	nopublish publishing = iota
	fresh
	rebuild
)

func (p publishing) String() string { return [...]string{"nopublish", "fresh", "rebuild"}[p] }

func benchBuild(b *testing.B, cfg string, signer *sign.Signer, mode publishing, keep string) {
	opts := generator.Options{Config: cfg, Now: clock, Getenv: func(string) string { return "" }, Signer: signer}
	base := mkdirTemp(b, keep)
	out := filepath.Join(base, "out")
	if mode == rebuild {
		res, err := generator.Build(opts)
		if err != nil {
			b.Fatal(err)
		}
		if err := publish.Write(out, res.Artifacts); err != nil {
			b.Fatal(err)
		}
	}
	run := 0
	var last *generator.Result
	for b.Loop() {
		res, err := generator.Build(opts)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Clients.Clients) != benchClients {
			b.Fatalf("%d clients", len(res.Clients.Clients))
		}
		last = res
		switch mode {
		case fresh:
			run++
			out = filepath.Join(base, fmt.Sprint("out", run))
			fallthrough
		case rebuild:
			if err := publish.Write(out, res.Artifacts); err != nil {
				b.Fatal(err)
			}
		}
	}
	reportMemory(b)
	reportBundles(b, last.Artifacts)
}

// reportBundles reports the size of the Sigstore bundles signing added,
// over all of them and per file.
func reportBundles(b *testing.B, as []artifact.Artifact) {
	n, size := 0, 0
	for _, a := range as {
		if strings.HasSuffix(a.Path, sign.BundleSuffix) {
			n++
			size += len(a.Body)
		}
	}
	if n > 0 {
		b.ReportMetric(float64(size)/(1<<20), "MiB-bundles")
		b.ReportMetric(float64(size)/float64(n), "bytes/bundle")
	}
}

// p256Signer loads a fresh ECDSA P-256 publishing key.
func p256Signer(b testing.TB) *sign.Signer {
	key := tk.Write(b, b.TempDir(), "publisher.key", tk.PKCS8(b, tk.EC(b, elliptic.P256())))
	signer, err := sign.LoadSigner(key, func(string) string { return "" })
	if err != nil {
		b.Fatal(err)
	}
	return signer
}

// BenchmarkImportRegistry installs the signed 10,000-client tree as import
// does after verifying a bundle: into an empty directory, and over the
// mirror of the same tree.
func BenchmarkImportRegistry(b *testing.B) {
	cfg := registrySite(b, benchClients)
	res, err := generator.Build(generator.Options{Config: cfg, Now: clock, Getenv: func(string) string { return "" }, Signer: p256Signer(b)})
	if err != nil {
		b.Fatal(err)
	}
	files := map[string][]byte{}
	for _, a := range res.Artifacts {
		files[a.Path] = a.Body
	}
	keep := b.TempDir()
	b.Run("fresh", func(b *testing.B) {
		run := 0
		for b.Loop() {
			run++
			if err := bundle.Install(filepath.Join(keep, fmt.Sprint("mirror", run)), files); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("over-previous", func(b *testing.B) {
		mirror := filepath.Join(keep, "mirror")
		if err := bundle.Install(mirror, files); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if err := bundle.Install(mirror, files); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRegistryFloor is the least any build of those files must do
// (see benchFloor), at the size of BenchmarkBuildRegistry.
func BenchmarkRegistryFloor(b *testing.B) {
	benchFloor(b, registrySite(b, benchClients), b.TempDir())
}

// reportMemory adds the Go heap's high-water mark as the runtime saw it;
// peak RSS comes from /usr/bin/time -v around the benchmark.
func reportMemory(b *testing.B) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	b.ReportMetric(float64(m.HeapSys)/(1<<20), "MiB-heap-sys")
}
