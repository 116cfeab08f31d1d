package generator_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/publish"
	"github.com/wellknown-dev/wellknown/generator/sign"
)

// The client cache (clients.Cache) is tested here through whole builds, the
// way wellknown build runs them: streamed into publish's stage, with the
// cache beside out. Every test holds a rebuild that took clients from the
// cache to the tree a build of the same input makes with no cache at all,
// byte for byte: the cache may only ever save time.

const cacheClients = 30

// cacheBuild is how a test builds: the signer, the tool identity (default
// "test-1"), and whether to use no cache.
type cacheBuild struct {
	signer  *sign.Signer
	tool    string
	noCache bool
	now     time.Time // the build's clock; zero is clock
	// stop cancels the build as its render returns, so that it fails
	// before the swap with the cache being written beside it.
	stop bool
}

func (o cacheBuild) run(t *testing.T, cfg, out string) (*generator.Result, error) {
	t.Helper()
	tool := o.tool
	if tool == "" {
		tool = "test-1"
	}
	cache := publish.CachePath(out)
	if o.noCache {
		cache = ""
	}
	now := o.now
	if now.IsZero() {
		now = clock
	}
	var res *generator.Result
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// As the build command does; a cache that cannot be saved is a
	// warning there, and shows here as the next build's misses.
	po := publish.Options{Warn: func(err error) { t.Logf("warning: %v", err) }}
	err := po.Build(ctx, out, func(sink artifact.Sink) ([]artifact.Artifact, error) {
		r, err := generator.BuildContext(ctx, generator.Options{Config: cfg, Now: now, Getenv: func(string) string { return "" },
			Signer: o.signer, Sink: sink, Cache: cache, Tool: tool})
		res = r
		if err != nil {
			return nil, err
		}
		publish.Beside(sink, r.Clients.WriteCache())
		if o.stop {
			cancel()
		}
		return r.Artifacts, nil
	})
	return res, err
}

func (o cacheBuild) must(t *testing.T, cfg, out string) *generator.Result {
	t.Helper()
	res, err := o.run(t, cfg, out)
	if err != nil {
		t.Fatalf("build %s: %v", out, err)
	}
	return res
}

// reference is the tree a build of cfg makes into a new directory with no
// cache: what every cached rebuild must give.
func (o cacheBuild) reference(t *testing.T, cfg string) map[string][]byte {
	t.Helper()
	o.noCache = true
	out := filepath.Join(t.TempDir(), "out")
	o.must(t, cfg, out)
	if _, err := os.Lstat(publish.CachePath(out)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a build with no cache left %s (%v)", publish.CachePath(out), err)
	}
	return readTree(t, out)
}

// sameFiles fails unless got holds exactly want's files with want's bytes.
func sameFiles(t *testing.T, what string, got, want map[string][]byte) {
	t.Helper()
	n := 0
	for p, b := range want {
		g, ok := got[p]
		switch {
		case !ok:
			n++
			if n <= 5 {
				t.Errorf("%s: %s is missing", what, p)
			}
		case !bytes.Equal(g, b):
			n++
			if n <= 5 {
				t.Errorf("%s: %s differs from a build without the cache:\n got %.200q\nwant %.200q", what, p, g, b)
			}
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			n++
			if n <= 5 {
				t.Errorf("%s: %s is in the tree but not in a build without the cache", what, p)
			}
		}
	}
	if n > 5 {
		t.Errorf("%s: %d files differ in all", what, n)
	}
}

// checkCached fails unless the rebuild took want clients from the cache and
// its tree is ref.
func checkCached(t *testing.T, what string, res *generator.Result, want int, out string, ref map[string][]byte) {
	t.Helper()
	if res.Clients == nil {
		t.Fatalf("%s: no registry", what)
	}
	if res.Clients.Cached != want {
		t.Errorf("%s: %d of %d clients from the cache, want %d", what, res.Clients.Cached, len(res.Clients.Clients), want)
	}
	sameFiles(t, what, readTree(t, out), ref)
}

// cacheNotes returns the notes and warnings of res that name the cache file.
func cacheNotes(res *generator.Result, out string) []string {
	var l []string
	if res == nil {
		return nil
	}
	for _, d := range res.Warnings {
		if d.Path == publish.CachePath(out) || strings.Contains(d.Msg, "client cache") {
			l = append(l, d.String())
		}
	}
	return l
}

func hasNote(res *generator.Result, out, part string) bool {
	for _, n := range cacheNotes(res, out) {
		if strings.Contains(n, part) {
			return true
		}
	}
	return false
}

// signings are the three ways a tree is signed; site writes a site of n
// clients signed that way.
func signings() []struct {
	name string
	site func(t *testing.T, n int) (string, cacheBuild)
} {
	return []struct {
		name string
		site func(t *testing.T, n int) (string, cacheBuild)
	}{
		{"unsigned", func(t *testing.T, n int) (string, cacheBuild) { return registrySite(t, n), cacheBuild{} }},
		{"per-file", func(t *testing.T, n int) (string, cacheBuild) {
			return registrySite(t, n), cacheBuild{signer: p256Signer(t)}
		}},
		{"manifest-only", func(t *testing.T, n int) (string, cacheBuild) {
			cfg := registrySite(t, n)
			mustWrite(t, cfg, readString(t, cfg)+"\nsigning:\n  per_file: false\n")
			return cfg, cacheBuild{signer: p256Signer(t)}
		}},
	}
}

func readString(t testing.TB, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// editFile replaces old with new in the file at p, failing unless it is
// there to replace.
func editFile(t *testing.T, p, old, new string) {
	t.Helper()
	s := readString(t, p)
	if !strings.Contains(s, old) {
		t.Fatalf("%s does not hold %q", p, old)
	}
	mustWrite(t, p, strings.Replace(s, old, new, 1))
}

func clientFile(cfg string, i int) string {
	return filepath.Join(filepath.Dir(cfg), "clients", fmt.Sprintf("client-%05d.yaml", i))
}

// TestCacheNoChange: rebuilding unchanged input takes every client from the
// cache, twice in a row (the first rebuild links the previous build's
// files, the second keeps the spare's own in place), and gives the tree a
// build with no cache gives, unsigned, signed per file and manifest-only.
// A rebuild that took every client leaves the cache file as it was.
func TestCacheNoChange(t *testing.T) {
	for _, c := range signings() {
		t.Run(c.name, func(t *testing.T) {
			cfg, o := c.site(t, cacheClients)
			ref := o.reference(t, cfg)
			out := filepath.Join(t.TempDir(), "out")
			first := o.must(t, cfg, out)
			checkCached(t, "first build", first, 0, out, ref)
			fi, err := os.Lstat(publish.CachePath(out))
			if err != nil {
				t.Fatalf("the first build left no cache: %v", err)
			}
			if _, ok := readTree(t, out)[filepath.Base(publish.CachePath(out))]; ok {
				t.Errorf("the cache is published in out")
			}
			saved := readString(t, publish.CachePath(out))
			for i := range 2 {
				what := fmt.Sprintf("rebuild %d", i+1)
				res := o.must(t, cfg, out)
				checkCached(t, what, res, cacheClients, out, ref)
				if !reflect.DeepEqual(res.Warnings, first.Warnings) {
					t.Errorf("%s: warnings\n%v\nwant those of the first build\n%v", what, res.Warnings, first.Warnings)
				}
				now, err := os.Lstat(publish.CachePath(out))
				if err != nil {
					t.Fatal(err)
				}
				if !os.SameFile(fi, now) || readString(t, publish.CachePath(out)) != saved {
					t.Errorf("%s: the cache was written again, though every client came from it", what)
				}
			}
			if _, err := os.Lstat(publish.SparePath(out)); err != nil {
				t.Errorf("no spare after three builds: %v", err)
			}
		})
	}
}

// TestCacheOneChange: a rebuild after one client file changed, one was
// added or one removed takes every other client from the cache and gives
// the tree a build with no cache gives.
func TestCacheOneChange(t *testing.T) {
	for _, c := range signings()[:2] {
		t.Run(c.name, func(t *testing.T) {
			cfg, o := c.site(t, cacheClients)
			out := filepath.Join(t.TempDir(), "out")
			o.must(t, cfg, out)
			o.must(t, cfg, out) // a spare, as every later build has

			editFile(t, clientFile(cfg, 4), "Native app 4\n", "Native app four\n")
			res := o.must(t, cfg, out)
			checkCached(t, "one changed", res, cacheClients-1, out, o.reference(t, cfg))

			added := filepath.Join(filepath.Dir(cfg), "clients", "added.yaml")
			mustWrite(t, added, strings.ReplaceAll(readString(t, clientFile(cfg, 3)), "app3", "added"))
			res = o.must(t, cfg, out)
			checkCached(t, "one added", res, cacheClients, out, o.reference(t, cfg))

			if err := os.Remove(clientFile(cfg, 7)); err != nil {
				t.Fatal(err)
			}
			res = o.must(t, cfg, out)
			checkCached(t, "one removed", res, cacheClients, out, o.reference(t, cfg))

			// Changed back: neither the cache nor the spare holds it as
			// it was any more.
			editFile(t, clientFile(cfg, 4), "Native app four\n", "Native app 4\n")
			res = o.must(t, cfg, out)
			checkCached(t, "changed back", res, cacheClients-1, out, o.reference(t, cfg))
			res = o.must(t, cfg, out)
			checkCached(t, "no change after", res, cacheClients, out, o.reference(t, cfg))
		})
	}
}

// TestCachePaged: a registry of more clients than one page holds, where
// index.json and clients.html are pages, rebuilds from the cache to the
// same tree after no change, after one change, and after a client is
// added and removed before the second page, which moves every row of it
// (taken from the previous tree's page, see clients.Cache.Previous).
func TestCachePaged(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 1,100 clients seven times")
	}
	const n = 1100
	cfg := registrySite(t, n)
	o := cacheBuild{}
	out := filepath.Join(t.TempDir(), "out")
	o.must(t, cfg, out)
	res := o.must(t, cfg, out)
	checkCached(t, "no change", res, n, out, o.reference(t, cfg))
	editFile(t, clientFile(cfg, 999), "Web app 999\n", "Web app nine hundred and ninety-nine\n")
	res = o.must(t, cfg, out)
	checkCached(t, "one changed", res, n-1, out, o.reference(t, cfg))
	added := strings.Replace(clientFile(cfg, 500), ".yaml", "a.yaml", 1)
	mustWrite(t, added, "client_name: Added\nredirect_uris: [https://added.example.com/cb]\n")
	res = o.must(t, cfg, out)
	checkCached(t, "one added", res, n, out, o.reference(t, cfg))
	for _, p := range []string{added, clientFile(cfg, 10)} {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	res = o.must(t, cfg, out)
	checkCached(t, "two removed", res, n-1, out, o.reference(t, cfg))
}

// TestCacheWarnings: a client taken from the cache still has its warnings
// reported, with their positions and hints, as the build that checked it
// reported them.
func TestCacheWarnings(t *testing.T) {
	cfg := registrySite(t, cacheClients)
	dir := filepath.Join(filepath.Dir(cfg), "clients")
	mustWrite(t, filepath.Join(dir, "localhost.yaml"), `application_type: native
client_name: Loopback by name
redirect_uris: [http://localhost/callback]
grant_types: [authorization_code]
token_endpoint_auth_method: none
`)
	var big strings.Builder
	big.WriteString("mode: metadata_document\napplication_type: native\nclient_name: Big agent\ntoken_endpoint_auth_method: none\nredirect_uris:\n")
	for i := range 200 {
		fmt.Fprintf(&big, "  - http://127.0.0.1/callback/number-%04d\n", i)
	}
	mustWrite(t, filepath.Join(dir, "big.yaml"), big.String())
	for _, o := range []cacheBuild{{}, {signer: p256Signer(t)}} {
		out := filepath.Join(t.TempDir(), "out")
		first := o.must(t, cfg, out)
		var msgs []string
		for _, d := range first.Warnings {
			msgs = append(msgs, d.String())
		}
		all := strings.Join(msgs, "\n")
		for _, want := range []string{"clients/localhost.yaml:3:", "localhost is NOT RECOMMENDED", "clients/big.yaml", "authorization servers may refuse Client ID Metadata Documents"} {
			if !strings.Contains(all, want) {
				t.Fatalf("the first build's warnings lack %q:\n%s", want, all)
			}
		}
		for i := range 2 {
			res := o.must(t, cfg, out)
			checkCached(t, fmt.Sprint("rebuild ", i+1), res, cacheClients+2, out, o.reference(t, cfg))
			if !reflect.DeepEqual(res.Warnings, first.Warnings) {
				t.Errorf("rebuild %d: warnings\n%v\nwant\n%v", i+1, res.Warnings, first.Warnings)
			}
		}
	}
}

// TestCacheInvalidated: what the cache is keyed by besides the client file
// (the site's policy and client settings, the tool, the signer and the
// signing layout) makes it unused when it changes; a policy that now
// refuses a client fails the build with that client's error.
func TestCacheInvalidated(t *testing.T) {
	signer := p256Signer(t)
	o := cacheBuild{signer: signer}
	setup := func(t *testing.T) (cfg, out string) {
		cfg = registrySite(t, cacheClients)
		out = filepath.Join(t.TempDir(), "out")
		o.must(t, cfg, out)
		o.must(t, cfg, out)
		return cfg, out
	}

	refusals := []struct {
		name, old, new, want string
	}{
		{"grant", "grant_types_supported: [authorization_code, refresh_token, client_credentials]", "grant_types_supported: [authorization_code, client_credentials]",
			"clients/client-00000.yaml:7:35: grant type refresh_token is not allowed"},
		{"method", "token_endpoint_auth_methods_supported: [private_key_jwt, client_secret_basic, none]", "token_endpoint_auth_methods_supported: [private_key_jwt, client_secret_basic]",
			"clients/client-00001.yaml:5:29: token_endpoint_auth_method none is not allowed"},
		{"scope", "scopes_supported: [openid, profile, email, offline_access]", "scopes_supported: [openid, profile, email]",
			"clients/client-00001.yaml:6:8: scope offline_access is not allowed"},
		{"response type", "response_types_supported: [code]", "response_types_supported: [id_token]",
			"clients/client-00000.yaml: response type \"code\" is not allowed"},
	}
	for _, c := range refusals {
		t.Run("policy "+c.name, func(t *testing.T) {
			cfg, out := setup(t)
			before := readTree(t, out)
			cache := readString(t, publish.CachePath(out))
			editFile(t, cfg, c.old, c.new)
			res, err := o.run(t, cfg, out)
			var problems *diag.Errors
			if !errors.As(err, &problems) {
				t.Fatalf("the build with the narrower policy: %v, want the clients' errors", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("the errors lack %q:\n%v", c.want, err)
			}
			if res != nil && res.Clients != nil && res.Clients.Cached != 0 {
				t.Errorf("%d clients from the cache", res.Clients.Cached)
			}
			sameFiles(t, "out after the failed build", readTree(t, out), before)
			if readString(t, publish.CachePath(out)) != cache {
				t.Errorf("the failed build changed the cache")
			}
		})
	}

	changes := []struct {
		name string
		edit func(t *testing.T, cfg string) cacheBuild
		note string
	}{
		{"tool", func(t *testing.T, cfg string) cacheBuild {
			return cacheBuild{signer: signer, tool: "test-2"}
		}, "the client cache was made by another build of wellknown; every client is checked again"},
		{"signing key", func(t *testing.T, cfg string) cacheBuild { return cacheBuild{signer: p256Signer(t)} }, ""},
		{"unsigned", func(t *testing.T, cfg string) cacheBuild { return cacheBuild{} }, ""},
		{"manifest only", func(t *testing.T, cfg string) cacheBuild {
			mustWrite(t, cfg, readString(t, cfg)+"\nsigning:\n  per_file: false\n")
			return o
		}, ""},
		{"clients mode", func(t *testing.T, cfg string) cacheBuild {
			editFile(t, cfg, "  mode: pre_registered ", "  mode: metadata_document ")
			return o
		}, ""},
		{"clients path", func(t *testing.T, cfg string) cacheBuild {
			editFile(t, cfg, "  path: /clients/ ", "  path: /apps/ ")
			return o
		}, ""},
		{"issuer", func(t *testing.T, cfg string) cacheBuild {
			editFile(t, cfg, "issuer: https://login.example.com\n", "issuer: https://id.example.com\n")
			return o
		}, ""},
		{"client directory", func(t *testing.T, cfg string) cacheBuild {
			dir := filepath.Dir(cfg)
			if err := os.Rename(filepath.Join(dir, "clients"), filepath.Join(dir, "apps")); err != nil {
				t.Fatal(err)
			}
			editFile(t, cfg, "  dir: clients ", "  dir: apps ")
			return o
		}, ""},
	}
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			cfg, out := setup(t)
			next := c.edit(t, cfg)
			res := next.must(t, cfg, out)
			checkCached(t, "after the change", res, 0, out, next.reference(t, cfg))
			switch notes := cacheNotes(res, out); {
			case c.note == "" && len(notes) > 0:
				t.Errorf("notes %q, want none: an out-of-date cache is not worth one", notes)
			case c.note != "" && !hasNote(res, out, c.note):
				t.Errorf("notes %q, want %q", notes, c.note)
			}
			// The cache is now the new one's.
			res = next.must(t, cfg, out)
			checkCached(t, "once more", res, cacheClients, out, next.reference(t, cfg))
		})
	}
}

// TestCacheOtherClock: what the cache keeps does not depend on the build's
// clock or the manifest's lifetime, which change on every build: a
// rebuild a day later, or with another signing.expires_after, takes every
// client from it and gives the tree a build without it gives.
func TestCacheOtherClock(t *testing.T) {
	for _, c := range signings() {
		t.Run(c.name, func(t *testing.T) {
			cfg, o := c.site(t, cacheClients)
			out := filepath.Join(t.TempDir(), "out")
			o.must(t, cfg, out)
			o.now = clock.Add(24 * time.Hour)
			res := o.must(t, cfg, out)
			checkCached(t, "a day later", res, cacheClients, out, o.reference(t, cfg))
			mustWrite(t, cfg, readString(t, cfg)+"\n# a shorter manifest\n")
			if c.name != "manifest-only" {
				mustWrite(t, cfg, readString(t, cfg)+"signing:\n  expires_after: 48h\n")
			} else {
				editFile(t, cfg, "  per_file: false\n", "  per_file: false\n  expires_after: 48h\n")
			}
			res = o.must(t, cfg, out)
			checkCached(t, "another lifetime", res, cacheClients, out, o.reference(t, cfg))
		})
	}
}

// TestCacheDamaged: a cache file that is damaged, truncated, garbage, not a
// regular file or unreadable is ignored with a note, never trusted; the
// build checks every client and gives the tree a build without it gives,
// and the build after takes them from the cache it wrote.
func TestCacheDamaged(t *testing.T) {
	cfg := registrySite(t, cacheClients)
	o := cacheBuild{signer: p256Signer(t)}
	ref := o.reference(t, cfg)
	damages := []struct {
		name   string
		damage func(t *testing.T, p string)
		note   string // "" when a note is not required
		again  bool   // whether the build after takes clients from the cache again
	}{
		{"byte flipped", func(t *testing.T, p string) {
			b := []byte(readString(t, p))
			b[len(b)/2] ^= 0x20
			mustWrite(t, p, string(b))
		}, "the client cache is damaged and was ignored; every client is checked again", true},
		{"last byte flipped", func(t *testing.T, p string) {
			b := []byte(readString(t, p))
			b[len(b)-1] ^= 1
			mustWrite(t, p, string(b))
		}, "damaged", true},
		{"truncated", func(t *testing.T, p string) {
			s := readString(t, p)
			mustWrite(t, p, s[:len(s)/2])
		}, "damaged", true},
		{"empty", func(t *testing.T, p string) { mustWrite(t, p, "") }, "damaged", true},
		{"magic only", func(t *testing.T, p string) {
			magic, _, _ := strings.Cut(readString(t, p), "\n")
			mustWrite(t, p, magic+"\n")
		}, "damaged", true},
		{"garbage", func(t *testing.T, p string) {
			mustWrite(t, p, strings.Repeat("not a cache \x00\xff", 1000))
		}, "damaged", true},
		{"another format version", func(t *testing.T, p string) {
			magic, rest, _ := strings.Cut(readString(t, p), "\n")
			mustWrite(t, p, magic[:len(magic)-1]+"9\n"+rest)
		}, "another build of wellknown", true},
		{"a tree index", func(t *testing.T, p string) {
			mustWrite(t, p, readString(t, filepath.Join(filepath.Dir(p), ".out.index")))
		}, "damaged", true},
		{"symlink", func(t *testing.T, p string) {
			saved := filepath.Join(t.TempDir(), "cache")
			mustWrite(t, saved, readString(t, p))
			os.Remove(p)
			if err := os.Symlink(saved, p); err != nil {
				t.Fatal(err)
			}
		}, "the client cache was not read", true},
		{"directory", func(t *testing.T, p string) {
			os.Remove(p)
			if err := os.Mkdir(p, 0o755); err != nil {
				t.Fatal(err)
			}
		}, "the client cache was not read", false},
		{"unreadable", func(t *testing.T, p string) {
			if os.Geteuid() == 0 {
				t.Skip("root reads any file")
			}
			if err := os.Chmod(p, 0); err != nil {
				t.Fatal(err)
			}
		}, "the client cache was not read", true},
	}
	for _, c := range damages {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			o.must(t, cfg, out)
			o.must(t, cfg, out)
			c.damage(t, publish.CachePath(out))
			res := o.must(t, cfg, out)
			checkCached(t, "with the damaged cache", res, 0, out, ref)
			if !hasNote(res, out, c.note) {
				t.Errorf("notes %q, want %q", cacheNotes(res, out), c.note)
			}
			for _, d := range res.Warnings {
				if d.Severity == diag.Error {
					t.Errorf("an error in a successful build: %v", d)
				}
			}
			if !c.again {
				return
			}
			res = o.must(t, cfg, out)
			checkCached(t, "the build after", res, cacheClients, out, ref)
			if n := cacheNotes(res, out); len(n) > 0 {
				t.Errorf("the build after has notes %q", n)
			}
		})
	}
}

// TestCacheTamperedTree: the cache names files by digest, and a client is
// taken from it only if the indexes vouch that the previous tree holds
// them unchanged: files edited by hand in out or in the spare, a missing
// index, a missing spare and a stale cache cost time, never output.
func TestCacheTamperedTree(t *testing.T) {
	cfg := registrySite(t, cacheClients)
	o := cacheBuild{signer: p256Signer(t)}
	ref := o.reference(t, cfg)
	setup := func(t *testing.T, builds int) string {
		out := filepath.Join(t.TempDir(), "out")
		for range builds {
			o.must(t, cfg, out)
		}
		return out
	}
	doc := func(out string, i int) string {
		return filepath.Join(out, "clients", fmt.Sprintf("client-%05d.json", i))
	}
	sig := func(out string, i int) string {
		return filepath.Join(out, filepath.FromSlash(sign.SignaturePath(fmt.Sprintf("clients/client-%05d.json", i))))
	}
	// sameSize changes a byte of the file at p in place, keeping its size
	// and inode, at once: only its times tell. The byte is flipped, not
	// set: a signature (a new key's, each run) may hold the byte already,
	// and an edit that changes nothing is no tampering.
	sameSize := func(t *testing.T, p string) {
		t.Helper()
		f, err := os.OpenFile(p, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		b := make([]byte, 1)
		if _, err := f.ReadAt(b, 20); err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteAt([]byte{b[0] ^ 1}, 20); err != nil {
			t.Fatal(err)
		}
	}
	// replace puts other bytes at p under a new inode, as an editor that
	// saves by rename does.
	replace := func(t *testing.T, p string) {
		t.Helper()
		tmp := p + ".tmp"
		mustWrite(t, tmp, readString(t, p)+"\n")
		if err := os.Rename(tmp, p); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name   string
		builds int // before the tampering: 1 leaves no spare, 2 one
		tamper func(t *testing.T, out string)
		most   int // clients the rebuild may take from the cache
	}{
		{"out edited in place right after the build", 1, func(t *testing.T, out string) {
			sameSize(t, doc(out, 1))
			sameSize(t, sig(out, 2))
		}, cacheClients - 2},
		{"out edited in place", 2, func(t *testing.T, out string) {
			sameSize(t, doc(out, 1)) // also the spare's: they are one file
			sameSize(t, sig(out, 2))
		}, cacheClients - 2},
		{"out replaced", 2, func(t *testing.T, out string) {
			replace(t, doc(out, 1))
			replace(t, sig(out, 2))
		}, cacheClients},
		{"spare replaced", 2, func(t *testing.T, out string) {
			sp := publish.SparePath(out)
			replace(t, doc(sp, 1))
			replace(t, sig(sp, 2))
		}, cacheClients},
		{"spare edited in place", 2, func(t *testing.T, out string) {
			sp := publish.SparePath(out)
			sameSize(t, doc(sp, 1))
			sameSize(t, sig(sp, 2))
		}, cacheClients - 2},
		{"out rewritten with its own bytes", 2, func(t *testing.T, out string) {
			for _, p := range []string{doc(out, 1), sig(out, 2)} { // the spare's too: they are one file
				mustWrite(t, p, readString(t, p))
			}
		}, cacheClients},
		{"out and spare replaced", 2, func(t *testing.T, out string) {
			sp := publish.SparePath(out)
			for _, d := range []string{out, sp} {
				replace(t, doc(d, 1))
				replace(t, sig(d, 2))
			}
		}, cacheClients - 2},
		{"out's document removed", 1, func(t *testing.T, out string) {
			if err := os.Remove(doc(out, 5)); err != nil {
				t.Fatal(err)
			}
		}, cacheClients - 1},
		{"no spare, no index", 2, func(t *testing.T, out string) {
			for _, p := range []string{publish.SparePath(out), filepath.Join(filepath.Dir(out), ".out.index")} {
				if err := os.RemoveAll(p); err != nil {
					t.Fatal(err)
				}
			}
		}, 0},
		{"no indexes", 2, func(t *testing.T, out string) {
			for _, p := range []string{".out.index", ".out.spare.index"} {
				if err := os.Remove(filepath.Join(filepath.Dir(out), p)); err != nil {
					t.Fatal(err)
				}
			}
		}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := setup(t, c.builds)
			c.tamper(t, out)
			res := o.must(t, cfg, out)
			sameFiles(t, "the rebuild", readTree(t, out), ref)
			if res.Clients.Cached > c.most {
				t.Errorf("%d clients from the cache, want at most %d", res.Clients.Cached, c.most)
			}
			res = o.must(t, cfg, out)
			checkCached(t, "the build after", res, cacheClients, out, ref)
		})
	}

	// A stale cache: valid, and made by this tool for this site, but for
	// a tree that is no longer there.
	t.Run("stale cache", func(t *testing.T) {
		for _, builds := range []int{1, 2} {
			out := setup(t, builds)
			stale := readString(t, publish.CachePath(out))
			p := clientFile(cfg, 9)
			was := readString(t, p)
			editFile(t, p, "Web app 9\n", "Web app nine\n")
			o.must(t, cfg, out)
			mustWrite(t, publish.CachePath(out), stale)
			mustWrite(t, p, was)
			o.must(t, cfg, out)
			sameFiles(t, fmt.Sprintf("after %d builds", builds), readTree(t, out), ref)
		}
	})
}

// keepsCache returns a check that the cache beside out is still the file
// it is now, with the same bytes, and nothing beside it: what a build that
// fails must leave.
func keepsCache(t *testing.T, out string) func(what string) {
	t.Helper()
	p := publish.CachePath(out)
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	was := readString(t, p)
	return func(what string) {
		t.Helper()
		if now, err := os.Lstat(p); err != nil || !os.SameFile(fi, now) || readString(t, p) != was {
			t.Errorf("%s wrote the cache (%v)", what, err)
		}
		if _, err := os.Lstat(p + ".new"); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left %s.new (%v)", what, filepath.Base(p), err)
		}
	}
}

// TestCacheFailedBuild: a build that fails leaves the cache as it was, and
// out; the builds after it, once the error is fixed, give the tree a build
// without the cache gives.
func TestCacheFailedBuild(t *testing.T) {
	cfg := registrySite(t, cacheClients)
	o := cacheBuild{signer: p256Signer(t)}
	out := filepath.Join(t.TempDir(), "out")
	o.must(t, cfg, out)
	o.must(t, cfg, out)
	before := readTree(t, out)
	keeps := keepsCache(t, out)

	p := clientFile(cfg, 3)
	was := readString(t, p)
	editFile(t, p, "grant_types: [authorization_code, refresh_token]", "grant_types: [authorization_code, password]")
	newBad := filepath.Join(filepath.Dir(p), "broken.yaml")
	mustWrite(t, newBad, "client_name: [unclosed\n")
	for i := range 2 {
		_, err := o.run(t, cfg, out)
		if err == nil || !strings.Contains(err.Error(), "client-00003.yaml") || !strings.Contains(err.Error(), "broken.yaml") {
			t.Fatalf("build %d with two bad clients: %v", i+1, err)
		}
		keeps(fmt.Sprintf("failed build %d", i+1))
		sameFiles(t, "out after a failed build", readTree(t, out), before)
	}

	if err := os.Remove(newBad); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, p, was)
	o.must(t, cfg, out)
	sameFiles(t, "fixed as it was", readTree(t, out), o.reference(t, cfg))
	res := o.must(t, cfg, out)
	checkCached(t, "the build after", res, cacheClients, out, o.reference(t, cfg))

	editFile(t, p, "grant_types: [authorization_code, refresh_token]", "grant_types: [authorization_code, password]")
	if _, err := o.run(t, cfg, out); err == nil {
		t.Fatal("the build with a bad client succeeded")
	}
	mustWrite(t, p, was)
	editFile(t, p, "Web app 3\n", "Web app three\n")
	o.must(t, cfg, out)
	sameFiles(t, "fixed otherwise", readTree(t, out), o.reference(t, cfg))
}

// TestCacheStoppedBuild: a build stopped after its render, with the cache
// being written beside the one in place, leaves that cache as it was and
// nothing beside it; the next build takes its clients from it.
func TestCacheStoppedBuild(t *testing.T) {
	cfg := registrySite(t, cacheClients)
	o := cacheBuild{signer: p256Signer(t)}
	out := filepath.Join(t.TempDir(), "out")
	o.must(t, cfg, out)
	o.must(t, cfg, out)
	keeps := keepsCache(t, out)
	before := readTree(t, out)
	editFile(t, clientFile(cfg, 3), "Web app 3\n", "Web app three\n")
	stopped := o
	stopped.stop = true
	if _, err := stopped.run(t, cfg, out); !errors.Is(err, context.Canceled) {
		t.Fatalf("the stopped build: %v", err)
	}
	keeps("the stopped build")
	sameFiles(t, "out after the stopped build", readTree(t, out), before)
	res := o.must(t, cfg, out)
	checkCached(t, "the build after the stopped one", res, cacheClients-1, out, o.reference(t, cfg))
}

// TestCacheNeedsKeeper: a build into a Sink that cannot keep files (not a
// publish tree) neither reads nor writes the cache.
func TestCacheNeedsKeeper(t *testing.T) {
	cfg := registrySite(t, 6)
	cache := filepath.Join(t.TempDir(), "cache")
	sink := &mapSink{files: map[string][]byte{}}
	res, err := generator.Build(generator.Options{Config: cfg, Now: clock, Getenv: func(string) string { return "" }, Sink: sink, Cache: cache, Tool: "test-1"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Clients.Cached != 0 {
		t.Errorf("%d clients from the cache", res.Clients.Cached)
	}
	if _, err := os.Lstat(cache); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a build into a plain Sink wrote the cache (%v)", err)
	}
}

type mapSink struct {
	mu    sync.Mutex
	files map[string][]byte
}

func (m *mapSink) Put(p string, body []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.files[p] = bytes.Clone(body)
	return nil
}

// A build that fails must not cost the next one its cache. The failed
// build removes the spare it was patching, which drops the link count of
// every file out shares with it and so changes their ctime: out's index
// then vouches for none of them, and find must read them instead.
func TestCacheHitsAfterFailedBuild(t *testing.T) {
	cfg := registrySite(t, cacheClients)
	o := cacheBuild{signer: p256Signer(t)}
	out := filepath.Join(t.TempDir(), "out")
	o.must(t, cfg, out)
	o.must(t, cfg, out) // now out shares its unchanged files with the spare
	p := clientFile(cfg, 3)
	was := readString(t, p)
	mustWrite(t, p, "client_name: [unclosed\n")
	if _, err := o.run(t, cfg, out); err == nil {
		t.Fatal("the build with a broken client succeeded")
	}
	mustWrite(t, p, was)
	res := o.must(t, cfg, out)
	checkCached(t, "the build after the failed one", res, cacheClients, out, o.reference(t, cfg))
}

// TestCacheStamps: a client file stat says is as the cache saw it is taken
// from the cache unread, once the file is older than a tick of any file
// system's clock. A file written again, with its size and modification
// time as they were, is read and made again: its ctime moved, which no
// user can set back.
func TestCacheStamps(t *testing.T) {
	t.Parallel()
	cfg, o := signings()[0].site(t, cacheClients)
	out := filepath.Join(t.TempDir(), "out")
	old := func() { time.Sleep(2100 * time.Millisecond) } // past the files' last change, as clients.stampMargin counts
	old()
	o.must(t, cfg, out) // records the files' stamps
	stamped := readString(t, publish.CachePath(out))
	res := o.must(t, cfg, out)
	checkCached(t, "no change", res, cacheClients, out, o.reference(t, cfg))
	if readString(t, publish.CachePath(out)) != stamped {
		t.Error("a build that changed nothing rewrote the cache")
	}

	p := clientFile(cfg, 4)
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	editFile(t, p, "Native app 4\n", "Native app X\n") // the same size
	if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	old() // so that only the stamp, not its age, tells the edit
	res = o.must(t, cfg, out)
	checkCached(t, "rewritten with its size and mtime", res, cacheClients-1, out, o.reference(t, cfg))
}
