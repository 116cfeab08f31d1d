package generator_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/publish"
	"github.com/wellknown-dev/wellknown/generator/sign"
	"github.com/wellknown-dev/wellknown/internal/sitetest"
)

// BenchmarkRebuild is a build as the build command runs it (streamed into
// the new tree, with the client cache and the spare beside the output) at
// each size in WELLKNOWN_BENCH_SIZES (default 1000,10000; the issue's
// figures add 100000), unsigned, signed with P-256 once ("signed-manifest":
// signing.per_file false, the floor's one signature) and signed per file
// ("signed-p256", refused at 100,000), against the floor in the same run:
//
//   - floor: parse each client file (yaml.v3, no checks), write it as JSON
//     into a new directory, hash it all, sign the hash once, and sync the
//     file system as a build does before its swap;
//   - fresh: a build where no output, spare or cache exists;
//   - nochange: a build over the output of the same inputs, as builds
//     run one after another: the spare is there to patch;
//   - onechange: the same, after one client file changed;
//   - oneadded: the same, after a client file was added in the middle of
//     the registry, as a registration does, which moves half the rows;
//   - relink: the first build after a fresh one, which has no spare yet
//     and links every file it keeps from the output.
//
// Run with -benchtime 3x (or 1x at 100,000): each iteration of fresh
// builds into a new directory. On ext4 without a journal, start it some
// minutes after anything removed many files (the last run's trees): see
// keep below.
func BenchmarkRebuild(b *testing.B) {
	sizes := sitetest.Sizes(b)
	signer := p256Signer(b)
	// Every tree stays until the end, as in BenchmarkBuildRegistry: on
	// ext4 without a journal, a new inode is not taken from those freed in
	// the last minutes, and the search past them made a case that ran
	// after another's trees were removed pay for it (a fresh build of
	// 1,000 clients signed per file took 1.26 s after them, 0.42 s without).
	keep := b.TempDir()
	for _, n := range sizes {
		cfg := registrySite(b, n)
		// The floor's one signature is what manifest-only signing does.
		manifest := filepath.Join(filepath.Dir(cfg), "site-manifest.yaml")
		site, err := os.ReadFile(cfg)
		if err != nil {
			b.Fatal(err)
		}
		mustWrite(b, manifest, string(site)+"\nsigning:\n  per_file: false\n")
		b.Run(fmt.Sprintf("%d/floor", n), func(b *testing.B) { benchFloor(b, cfg, keep) })
		for _, s := range []struct {
			name   string
			signer *sign.Signer
			cfg    string
		}{{"unsigned", nil, cfg}, {"signed-manifest", signer, manifest}, {"signed-p256", signer, cfg}} {
			for _, mode := range []string{"fresh", "nochange", "onechange", "oneadded", "relink"} {
				b.Run(fmt.Sprintf("%d/%s/%s", n, s.name, mode), func(b *testing.B) { benchRebuild(b, s.cfg, n, s.signer, mode, keep) })
			}
		}
	}
}

func benchRebuild(b *testing.B, cfg string, n int, signer *sign.Signer, mode, keep string) {
	base := mkdirTemp(b, keep)
	out := filepath.Join(base, "out")
	if mode != "fresh" {
		if got := cliBuild(b, cfg, out, signer); got != 0 {
			b.Fatalf("a first build took %d clients from a cache", got)
		}
		if got := cliBuild(b, cfg, out, signer); got != n {
			b.Fatalf("a second build took %d clients from the cache, want %d", got, n)
		}
	}
	defer sitetest.ChangeClient(b, filepath.Dir(cfg), 0)
	settle(b, base)
	run := 0
	for b.Loop() {
		run++
		want := n
		switch mode {
		case "fresh":
			out = filepath.Join(base, fmt.Sprint("out", run))
			want = 0
		case "onechange":
			// Each run changes the file from the last one's.
			b.StopTimer()
			sitetest.ChangeClient(b, filepath.Dir(cfg), run)
			b.StartTimer()
			want = n - 1
		case "oneadded":
			// Each run adds another, which stays for the next.
			b.StopTimer()
			added := sitetest.AddClient(b, filepath.Dir(cfg), n, run)
			defer os.Remove(added)
			b.StartTimer()
			want = n + run - 1
		case "relink":
			b.StopTimer()
			for _, p := range []string{publish.SparePath(out), publish.SparePath(out) + ".index"} {
				if err := os.RemoveAll(p); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
		}
		if got := cliBuild(b, cfg, out, signer); got != want {
			b.Fatalf("%d clients from the cache, want %d", got, want)
		}
	}
	reportMemory(b)
}

// cliBuild builds cfg into out as the build command does, and returns how
// many clients came from the cache.
func cliBuild(b *testing.B, cfg, out string, signer *sign.Signer) int {
	var res *generator.Result
	po := publish.Options{Warn: func(err error) { b.Error(err) }}
	err := po.Build(context.Background(), out, func(sink artifact.Sink) ([]artifact.Artifact, error) {
		var err error
		res, err = generator.BuildContext(context.Background(), generator.Options{Config: cfg, Now: clock,
			Getenv: func(string) string { return "" }, Signer: signer, Sink: sink, Cache: publish.CachePath(out), Tool: "bench"})
		if err != nil {
			return nil, err
		}
		publish.Beside(sink, res.Clients.WriteCache())
		return res.Artifacts, nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return res.Clients.Cached
}

// benchFloor is the least any build of the client files must do, written
// below keep.
func benchFloor(b *testing.B, cfg, keep string) {
	src := filepath.Join(filepath.Dir(cfg), "clients")
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	base := mkdirTemp(b, keep)
	settle(b, base)
	run := 0
	for b.Loop() {
		run++
		out := filepath.Join(base, fmt.Sprint(run))
		if err := os.MkdirAll(out, 0o755); err != nil {
			b.Fatal(err)
		}
		entries, err := os.ReadDir(src)
		if err != nil {
			b.Fatal(err)
		}
		h := sha256.New()
		for _, e := range entries {
			data, err := os.ReadFile(filepath.Join(src, e.Name()))
			if err != nil {
				b.Fatal(err)
			}
			var v map[string]any
			if err := yaml.Unmarshal(data, &v); err != nil {
				b.Fatal(err)
			}
			js, err := json.MarshalIndent(v, "", "  ")
			if err != nil {
				b.Fatal(err)
			}
			h.Write(js)
			if err := os.WriteFile(filepath.Join(out, strings.TrimSuffix(e.Name(), ".yaml")+".json"), js, 0o644); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := key.Sign(rand.Reader, h.Sum(nil), crypto.SHA256); err != nil {
			b.Fatal(err)
		}
		if err := syncTree(out); err != nil {
			b.Fatal(err)
		}
	}
	reportMemory(b)
}

// mkdirTemp makes a new directory below keep, which outlives the benchmark
// that calls it.
func mkdirTemp(b *testing.B, keep string) string {
	dir, err := os.MkdirTemp(keep, "")
	if err != nil {
		b.Fatal(err)
	}
	return dir
}

// settle syncs the file system of dir before a benchmark's timing starts,
// so that it does not pay for what was written or removed before it: the
// last benchmark's trees, removed as it ended, or its own first builds.
func settle(b *testing.B, dir string) {
	if err := syncTree(dir); err != nil {
		b.Fatal(err)
	}
}
