package publish_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/publish"
	"github.com/wellknown-dev/wellknown/generator/tree"
)

// benchSite is what the rebuild benchmarks publish: the tree named by
// WELLKNOWN_BENCH_TREE (a built site's out/), or WELLKNOWN_BENCH_FILES
// (default 10,000) client documents of about a kilobyte in one directory.
func benchSite(b *testing.B) []artifact.Artifact {
	if dir := os.Getenv("WELLKNOWN_BENCH_TREE"); dir != "" {
		files, problems, err := tree.Read(dir)
		if err != nil || len(problems) > 0 {
			b.Fatal(err, problems)
		}
		as := make([]artifact.Artifact, 0, len(files))
		for p, body := range files {
			as = append(as, artifact.Artifact{Path: p, Body: body})
		}
		return as
	}
	n := 10000
	if s := os.Getenv("WELLKNOWN_BENCH_FILES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	as := site("v0")
	for i := range n {
		as = append(as, artifact.Artifact{Path: fmt.Sprintf("clients/client-%06d.json", i), Body: fmt.Appendf(nil, "{\"client_id\":\"https://login.example.com/clients/client-%06d.json\",\"client_name\":\"Client %d\",\"redirect_uris\":[\"https://app%d.example.com/callback\"],\"pad\":\"%0900d\"}", i, i, i, 0)})
	}
	return as
}

// change returns as with one more file that differs in every build, as a
// one-client change does (its document, and the indexes listing it).
func change(as []artifact.Artifact, i int) []artifact.Artifact {
	return append(as[:len(as):len(as)], artifact.Artifact{Path: "clients/changed.json", Body: fmt.Appendf(nil, "build %d", i)})
}

// BenchmarkWrite measures one Write of the site: into a new directory
// (fresh), a rebuild with one file changed that links into a new tree
// (link: NoSpare, so the previous tree is removed after), and the same
// rebuild patching the spare (spare).
func BenchmarkWrite(b *testing.B) {
	as := benchSite(b)
	b.Run("fresh", func(b *testing.B) {
		parent := b.TempDir()
		for i := range b.N {
			out := filepath.Join(parent, fmt.Sprint("out", i))
			if err := publish.Write(out, change(as, i)); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			os.RemoveAll(out)
			os.Remove(filepath.Join(parent, ".out"+fmt.Sprint(i)+".index"))
			b.StartTimer()
		}
	})
	for _, mode := range []string{"link", "spare"} {
		b.Run(mode, func(b *testing.B) {
			out := filepath.Join(b.TempDir(), "out")
			o := publish.Options{NoSpare: mode == "link"}
			for i := -2; i < b.N; i++ {
				if i == 0 {
					b.ResetTimer()
				}
				if err := o.Write(context.Background(), out, change(as, i)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
