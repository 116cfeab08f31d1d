package artifact

import (
	"fmt"
	"math/rand/v2"
	"path"
	"slices"
	"strings"
	"testing"
)

// Sort orders any list as a general sort does, by the merge of its runs
// or otherwise, and each artifact keeps its own fields.
func TestSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	shapes := map[string]func(n int) []string{
		"sorted":   func(n int) []string { return names(n) },
		"reversed": func(n int) []string { l := names(n); slices.Reverse(l); return l },
		"shuffled": func(n int) []string {
			l := names(n)
			rng.Shuffle(len(l), func(i, j int) { l[i], l[j] = l[j], l[i] })
			return l
		},
		"runs": func(n int) []string { // a build's list: the site's files, the documents, the pages
			l := names(n)
			head := []string{"jwks.json", ".well-known/openid-configuration", "clients.html"}
			return append(append(head, l[:n/2]...), append(l[n/2:], "_headers", ".nojekyll")...)
		},
		"sprinkled": func(n int) []string { // the pages: alternating pairs, each belonging within the run
			l := names(n)
			var out []string
			for i := 0; i < n; i += 7 {
				out = append(out, l[i]+"/page.html", l[i]+".html")
			}
			return append(append(out, l...), "zz", "a")
		},
		"interleaved": func(n int) []string {
			l := names(n)
			var out []string
			for k := range 5 {
				for i := k; i < n; i += 5 {
					out = append(out, l[i])
				}
			}
			return out
		},
	}
	for name, shape := range shapes {
		for _, n := range []int{0, 1, 2, 3, 17, 1000} {
			paths := shape(n)
			as := make([]Artifact, len(paths))
			for i, p := range paths {
				as[i] = Artifact{Path: p, Size: len(p), Body: []byte(p)}
			}
			Sort(as)
			want := slices.Clone(paths)
			slices.Sort(want)
			for i, a := range as {
				if a.Path != want[i] || a.Size != len(a.Path) || string(a.Body) != a.Path {
					t.Fatalf("%s, %d: at %d: %+v, want %s", name, n, i, a, want[i])
				}
			}
			if len(as) != len(want) {
				t.Fatalf("%s, %d: %d artifacts, want %d", name, n, len(as), len(want))
			}
		}
	}
}

func names(n int) []string {
	l := make([]string, n)
	for i := range l {
		l[i] = fmt.Sprintf("clients/client-%05d.json", i)
	}
	slices.SortFunc(l, strings.Compare)
	return l
}

func BenchmarkSort(b *testing.B) {
	l := names(100000)
	as := make([]Artifact, 0, len(l)+210)
	as = append(as, Artifact{Path: "jwks.json"}, Artifact{Path: ".well-known/openid-configuration"})
	for _, p := range l {
		as = append(as, Artifact{Path: p})
	}
	// A build's list: the pages' HTML and JSON alternate, a run each.
	as = append(as, Artifact{Path: "clients.html"})
	for n := 2; n <= 100; n++ {
		as = append(as, Artifact{Path: fmt.Sprintf("clients/index/%d.json", n)}, Artifact{Path: fmt.Sprintf("clients-pages/%d.html", n)})
	}
	as = append(as, Artifact{Path: "digests.json"}, Artifact{Path: "_headers"})
	work := make([]Artifact, len(as))
	for b.Loop() {
		copy(work, as)
		Sort(work)
	}
}

// FuzzCheckPath holds CheckPath to its rule read segment by segment.
func FuzzCheckPath(f *testing.F) {
	for _, p := range []string{"", "/a", "a/", "a//b", "./a", "a/./b", "..", "../a", "a/..", ".", "a\\b", "a/b", "..a", "a/..b", ".well-known/x"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		want := p != "" && !strings.HasPrefix(p, "/") && !strings.HasSuffix(p, "/") && path.Clean(p) == p && !strings.Contains(p, "\\")
		for _, seg := range strings.Split(p, "/") {
			want = want && seg != "." && seg != ".."
		}
		if err := CheckPath(p); (err == nil) != want {
			t.Fatalf("CheckPath(%q) = %v, want ok %v", p, err, want)
		}
	})
}

func TestWellKnown(t *testing.T) {
	for p, want := range map[string]string{
		".well-known/openid-configuration":                "openid-configuration",
		".well-known/oauth-authorization-server/tenant/a": "oauth-authorization-server",
		"tenant/.well-known/openid-configuration":         "openid-configuration",
		"a/b/.well-known/openid-federation":               "openid-federation",
		"tenant/.well-known/openid-configuration/more":    "",
		".well-known":                   "",
		"tenant/.well-known":            "",
		"jwks.json":                     "",
		"":                              "",
		".well-known/":                  "",
		"x/.well-known/a/.well-known/b": "",
		".well-known/oauth-protected-resource/.well-known": "oauth-protected-resource",
	} {
		if got := WellKnown(p); got != want {
			t.Errorf("WellKnown(%q) = %q, want %q", p, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { WellKnown("clients/docs/web.json") }); n != 0 {
		t.Errorf("WellKnown allocates %v times", n)
	}
}

// FuzzWellKnown holds WellKnown to its rule read over p's segments.
func FuzzWellKnown(f *testing.F) {
	for _, p := range []string{"", "/", ".well-known", ".well-known/x", "a/.well-known/x", "a/.well-known/x/y", ".well-known/x/y", "a//.well-known/x", ".well-known//"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		want := ""
		segs := strings.Split(p, "/")
		for i, s := range segs {
			if s == ".well-known" && i+1 < len(segs) {
				if i == 0 || i+2 == len(segs) {
					want = segs[i+1]
				}
				break
			}
		}
		if got := WellKnown(p); got != want {
			t.Fatalf("WellKnown(%q) = %q, want %q", p, got, want)
		}
	})
}
