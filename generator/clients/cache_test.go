package clients_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/clients"
	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
)

// cacheMagic is the cache file's first line, as cache.go writes it; a test
// that saves a cache fails unless its file starts so.
const cacheMagic = "wellknown client cache 3\n"

// The clients of the build that writes the cache, and of the build that
// reads it: a, c and e unchanged, b changed, d new.
var (
	before = []clients.Source{
		{Name: "a.yaml", Data: []byte(web)},
		{Name: "b.yaml", Data: []byte("application_type: native\nredirect_uris: [http://127.0.0.1/cb]\ntoken_endpoint_auth_method: none\n")},
		{Name: "c.yaml", Data: []byte("grant_types: [client_credentials]\ntoken_endpoint_auth_method: private_key_jwt\njwks_uri: https://svc.example.com/jwks.json\n")},
		// a warning, which a client from the cache reports too
		{Name: "e.yaml", Data: []byte("application_type: native\nclient_name: Loopback\nredirect_uris: [http://localhost/cb]\ntoken_endpoint_auth_method: none\n")},
	}
	after = []clients.Source{
		before[0],
		{Name: "b.yaml", Data: []byte("application_type: native\nclient_name: Changed\nredirect_uris: [http://127.0.0.1/cb]\ntoken_endpoint_auth_method: none\n")},
		before[2],
		// a warning too: a client the cache has not seen has its own
		{Name: "d.yaml", Data: []byte(web + "client_name#de: Neu\nclient_uri: https://elsewhere.example.com\n")},
		before[3],
	}
	fresh = map[string]bool{"b": true, "d": true} // slugs whose files the cache has not seen
)

// keeper is a build's tree as a faithful artifact.Keeper sees it: Keep
// puts files only if the previous tree holds each with that size and
// digest, as publish's indexes vouch.
type keeper struct {
	prev map[string]artifact.Artifact
	mu   sync.Mutex
	cur  map[string]artifact.Artifact
	kept []string // the first file of each Keep that put them
	// bodies are the files Put wrote, for the next tree's Previous.
	bodies map[string][]byte
}

func newKeeper(prev map[string]artifact.Artifact) *keeper {
	return &keeper{prev: prev, cur: map[string]artifact.Artifact{}}
}

func (k *keeper) Put(p string, body []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.cur[p] = artifact.Artifact{Path: p, Stored: true, Size: len(body), Digest: sha256.Sum256(body)}
	if k.bodies == nil {
		k.bodies = map[string][]byte{}
	}
	k.bodies[p] = bytes.Clone(body)
	return nil
}

func (k *keeper) Keep(files []artifact.Artifact) (bool, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, f := range files {
		p, ok := k.prev[f.Path]
		if !ok || !f.Stored || p.Size != f.Size || p.Digest != f.Digest {
			return false, nil
		}
	}
	for _, f := range files {
		k.cur[f.Path] = f
	}
	k.kept = append(k.kept, files[0].Path)
	return true, nil
}

// options builds with the cache at p over the tree k.
func (k *keeper) options(p string) clients.Options {
	return clients.Options{
		Store: func(doc *artifact.Artifact) error { return artifact.Store(k, doc) },
		Cache: &clients.Cache{Path: p, Tool: "test-1", Keep: k.Keep,
			Files: func(doc artifact.Artifact) []artifact.Artifact { return []artifact.Artifact{doc} }},
	}
}

// shown is what of a client the rest of the build reads.
type shown struct {
	Slug, ClientID, URL, Path string
	Mode                      config.ClientMode
	Size                      int
	Digest                    [32]byte
	Shown                     clients.Summary
}

func shownOf(c clients.Client) shown {
	return shown{c.Slug, c.ClientID, c.URL, c.Path, c.Mode, c.Doc.Len(), c.Doc.SHA256(), c.Shown}
}

// cacheSeed builds before with a cache and returns the cache file's bytes
// and the tree the build left.
func cacheSeed(t testing.TB, s *config.Site) ([]byte, map[string]artifact.Artifact) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "cache")
	k := newKeeper(nil)
	r, d, err := k.options(p).New(s, before)
	if err != nil || d.HasErrors() {
		t.Fatalf("%v %v", err, d.Err())
	}
	if r.Cached != 0 {
		t.Fatalf("%d clients from no cache", r.Cached)
	}
	if err := r.SaveCache(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b, k.cur
}

// reference is the registry of after with no cache.
func reference(t testing.TB, s *config.Site) (map[string]shown, *diag.List) {
	t.Helper()
	r, d, err := newKeeper(nil).options("").New(s, after)
	if err != nil || d.HasErrors() {
		t.Fatalf("%v %v", err, d.Err())
	}
	m := map[string]shown{}
	for _, c := range r.Clients {
		m[c.Slug] = shownOf(c)
	}
	return m, d
}

// TestCacheRegistry: a registry takes from the cache the clients whose
// files are unchanged, with their warnings, and checks the rest, as a
// registry without the cache does; the cache it saves gives every client
// to the next registry of the same files.
func TestCacheRegistry(t *testing.T) {
	s := site(t, "")
	seed, prev := cacheSeed(t, s)
	ref, refDiags := reference(t, s)
	p := filepath.Join(t.TempDir(), "cache")
	if err := os.WriteFile(p, seed, 0o644); err != nil {
		t.Fatal(err)
	}
	k := newKeeper(prev)
	r, d, err := k.options(p).New(s, after)
	if err != nil || d.HasErrors() {
		t.Fatalf("%v %v", err, d.Err())
	}
	if r.Cached != 3 {
		t.Errorf("%d clients from the cache, want 3 (a, c, e)", r.Cached)
	}
	got := map[string]shown{}
	for _, c := range r.Clients {
		got[c.Slug] = shownOf(c)
	}
	if !reflect.DeepEqual(got, ref) {
		t.Errorf("clients\n%+v\nwant\n%+v", got, ref)
	}
	if !reflect.DeepEqual(d.Warnings(), refDiags.Warnings()) {
		t.Errorf("warnings\n%v\nwant\n%v", d.Warnings(), refDiags.Warnings())
	}
	if len(refDiags.Warnings()) < 2 {
		t.Errorf("d.yaml and e.yaml draw %d warnings, want one each: the test shows nothing", len(refDiags.Warnings()))
	}
	if err := r.SaveCache(); err != nil {
		t.Fatal(err)
	}
	next := newKeeper(k.cur)
	r, _, err = next.options(p).New(s, after)
	if err != nil || r.Cached != len(after) {
		t.Errorf("with the cache the last registry saved: %d clients from it (%v), want %d", r.Cached, err, len(after))
	}
}

// TestCacheWriteAbort: a cache write that is aborted leaves the cache in
// place as it was and nothing beside it, and a Commit after it says so
// rather than report a cache it did not write; one committed replaces it.
func TestCacheWriteAbort(t *testing.T) {
	s := site(t, "")
	seed, prev := cacheSeed(t, s)
	p := filepath.Join(t.TempDir(), "cache")
	if err := os.WriteFile(p, seed, 0o644); err != nil {
		t.Fatal(err)
	}
	r, d, err := newKeeper(prev).options(p).New(s, after)
	if err != nil || d.HasErrors() {
		t.Fatalf("%v %v", err, d.Err())
	}
	w := r.WriteCache()
	if w == nil {
		t.Fatal("a registry with changed clients has no cache to write")
	}
	w.Abort()
	if b, err := os.ReadFile(p); err != nil || string(b) != string(seed) {
		t.Errorf("the aborted write changed the cache (%v)", err)
	}
	if _, err := os.Lstat(p + ".new"); !os.IsNotExist(err) {
		t.Errorf("the aborted write left %s.new (%v)", filepath.Base(p), err)
	}
	if err := w.Commit(); err == nil {
		t.Error("Commit after Abort reported a cache written")
	}
	w = r.WriteCache()
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(p); err != nil || string(b) == string(seed) || !strings.HasPrefix(string(b), cacheMagic) {
		t.Errorf("the committed write did not replace the cache (%v)", err)
	}
	if _, err := os.Lstat(p + ".new"); !os.IsNotExist(err) {
		t.Errorf("the committed write left %s.new (%v)", filepath.Base(p), err)
	}
	var none *clients.CacheWrite
	none.Abort()
	if err := none.Commit(); err != nil {
		t.Errorf("nothing to write: %v", err)
	}
}

// FuzzCache feeds arbitrary cache files to a registry. Each input is a
// cache file's body, sealed as SaveCache seals it, so that the fuzzer
// reaches the records and not only the seal; raw inputs are written as
// they are. No input may panic or make a registry fail to load, and a
// client whose file the cache has not seen (b changed, d new) is always
// checked and rendered afresh: the cache is never used for a file with
// another digest, whatever it says. What the registry then saves is a
// cache the next registry takes every client from.
func FuzzCache(f *testing.F) {
	s := site(f, "")
	seed, prev := cacheSeed(f, s)
	if !strings.HasPrefix(string(seed), cacheMagic) {
		f.Fatalf("the cache starts %.30q, not %q: the fuzzer would never pass the magic", seed, cacheMagic)
	}
	ref, refDiags := reference(f, s)
	body := seed[len(cacheMagic) : len(seed)-sha256.Size]
	f.Add(body, false)
	f.Add(seed, true)
	for _, n := range []int{0, 1, 33, len(body) / 3, len(body) / 2, len(body) - 1} {
		f.Add(body[:n], false)
	}
	f.Add(seed[:len(seed)-1], true)
	f.Add([]byte("garbage"), true)
	// One file for every input, in memory where there is a tmpfs: a
	// directory made and removed per input paces the fuzzer by the disk's
	// journal, to a few inputs a second when the disk is busy.
	dir := "/dev/shm"
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		dir = ""
	}
	dir, err := os.MkdirTemp(dir, "fuzzcache")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { os.RemoveAll(dir) })
	p := filepath.Join(dir, "cache")
	f.Fuzz(func(t *testing.T, data []byte, raw bool) {
		file := data
		if !raw {
			file = append([]byte(cacheMagic), data...)
			sum := sha256.Sum256(file)
			file = append(file, sum[:]...)
		}
		if err := os.WriteFile(p, file, 0o644); err != nil {
			t.Fatal(err)
		}
		k := newKeeper(prev)
		r, d, err := k.options(p).New(s, after)
		if err != nil {
			t.Fatalf("a cache made New fail: %v", err)
		}
		if d.HasErrors() {
			// Only a cache that names its clients' ids wrongly can: the
			// cache is trusted for what it says of a file it has seen.
			return
		}
		for _, p := range k.kept {
			for slug := range fresh {
				if p == ref[slug].Path {
					t.Errorf("the files of %s.yaml were kept from the cache, which has not seen its bytes", slug)
				}
			}
		}
		if r.Cached != len(k.kept) || r.Cached > len(after)-len(fresh) {
			t.Errorf("%d clients from the cache, %d kept", r.Cached, len(k.kept))
		}
		for _, c := range r.Clients {
			if fresh[c.Slug] && !reflect.DeepEqual(shownOf(c), ref[c.Slug]) {
				t.Errorf("%s.yaml is\n%+v\nwant\n%+v", c.Slug, shownOf(c), ref[c.Slug])
			}
		}
		if len(r.Clients) != len(after) {
			t.Errorf("%d clients, want %d", len(r.Clients), len(after))
		}
		have := map[string]bool{}
		for _, w := range d.Warnings() {
			have[w.String()] = true
		}
		for _, w := range refDiags.Warnings() {
			// What the cache says of a file it has seen, warnings
			// included, is what the build that saw it found.
			if fresh[strings.TrimSuffix(path.Base(w.Path), ".yaml")] && !have[w.String()] {
				t.Errorf("warning %q is lost", w)
			}
		}
		if err := r.SaveCache(); err != nil {
			t.Fatal(err)
		}
		next := newKeeper(k.cur)
		r2, d2, err := next.options(p).New(s, after)
		if err != nil || d2.HasErrors() || r2.Cached != len(after) {
			t.Errorf("with the cache the registry saved: %d clients from it (%v, %v), want %d", r2.Cached, err, d2.Err(), len(after))
		}
	})
}

// registrySources are n client files, as manyClients makes them, and one
// more, named to sort first, when added.
func registrySources(n int, added bool) []clients.Source {
	var srcs []clients.Source
	if added {
		srcs = append(srcs, clients.Source{Name: "b00000.yaml", Data: []byte("client_name: Added\nredirect_uris: [https://added.example.com/cb]\ntoken_endpoint_auth_method: none\n")})
	}
	for i := range n {
		body := fmt.Sprintf("client_name: Client %[1]d\nclient_uri: https://c%[1]d.example.com\nredirect_uris: [https://c%[1]d.example.com/cb]\ntoken_endpoint_auth_method: none\n", i)
		srcs = append(srcs, clients.Source{Name: fmt.Sprintf("c%06d.yaml", i), Data: []byte(body)})
	}
	return srcs
}

// TestCachePreviousRows: after a client is added before them, the rows
// of the clients on pages after the first are the bytes the previous
// tree's pages held, read through Cache.Previous, and the pages are the
// ones a render without the cache makes. Rows Previous gives that are not
// the client's (another size, another anchor) are rendered again.
func TestCachePreviousRows(t *testing.T) {
	s := site(t, "")
	paging := clients.Paging{Clients: 3, Bytes: 1 << 20} // five pages
	p := filepath.Join(t.TempDir(), "cache")
	first := newKeeper(nil)
	r, d, err := first.options(p).New(s, registrySources(12, false))
	if err != nil || d.HasErrors() {
		t.Fatalf("%v %v", err, d.Err())
	}
	render(t, r, paging)
	if err := r.SaveCache(); err != nil {
		t.Fatal(err)
	}
	ref, d := clients.New(s, registrySources(12, true))
	if d.HasErrors() {
		t.Fatal(d.Err())
	}
	want := render(t, ref, paging)
	seed, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		// previous gives the previous tree's file p, which holds body
		previous func(p string, body []byte) []byte
		taken    bool // whether a page holds client 7's row as previous gave it
	}{
		"as it was": {func(_ string, b []byte) []byte { return b }, false},
		// A Reader checks the digest; what it then gives is the page.
		"changed in place": {func(_ string, b []byte) []byte {
			return bytes.ReplaceAll(b, []byte(">Client 7<"), []byte(">Clienx 7<"))
		}, true},
		"rows moved": {func(_ string, b []byte) []byte { return append([]byte(" "), b...) }, false},
		"other anchors": {func(_ string, b []byte) []byte {
			return bytes.ReplaceAll(b, []byte(`id="c-c0000`), []byte(`id="c-x0000`))
		}, false},
	} {
		if err := os.WriteFile(p, seed, 0o644); err != nil {
			t.Fatal(err)
		}
		k := newKeeper(first.cur)
		o := k.options(p)
		var reads atomic.Int32
		o.Cache.Previous = func(path string, size int, digest [sha256.Size]byte) ([]byte, bool) {
			b, ok := first.bodies[path]
			if !ok || len(b) != size || sha256.Sum256(b) != digest {
				t.Errorf("%s: Previous(%s) of what the previous tree does not hold", name, path)
				return nil, false
			}
			reads.Add(1)
			return c.previous(path, b), true
		}
		r, d, err := o.New(s, registrySources(12, true))
		if err != nil || d.HasErrors() {
			t.Fatalf("%s: %v %v", name, err, d.Err())
		}
		got := render(t, r, paging)
		if reads.Load() == 0 {
			t.Errorf("%s: no page of the previous tree was read", name)
		}
		var taken []string // the pages that hold the row previous changed
		for path, a := range want {
			if strings.Contains(string(k.bodies[path]), ">Clienx 7<") {
				taken = append(taken, path)
				continue
			}
			if g, ok := got[path]; !ok || g.SHA256() != a.SHA256() {
				t.Errorf("%s: %s differs from a render without the cache", name, path)
			}
		}
		if n := map[bool]int{true: 1}[c.taken]; len(taken) != n {
			t.Errorf("%s: %v hold the row Previous gave, want %d pages", name, taken, n)
		}
		if len(taken) == 1 && !strings.HasPrefix(taken[0], clients.PagesDir("clients")+"/") {
			t.Errorf("%s: %s holds a row of the previous tree", name, taken[0])
		}
	}
}
