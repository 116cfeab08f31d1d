package generator_test

import (
	"bytes"
	"crypto/sha256"
	"path/filepath"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/publish"
)

// TestCacheHitsAfterFailedBuild: a build that fails must not cost the next
// one its cache. The failed build removes the spare (publish's attempt
// removes the tree it was patching), which drops the link count of every
// file out shares with the spare from 2 to 1 and so changes their ctime:
// out's index then vouches for none of them, tree.find refuses them, and
// the build after the fix checks, renders and signs every client again,
// though .out.cache is intact. The output is right; the cost is a whole
// build after every failed one (a typo fixed, a --strict warning).
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

// TestCacheForged: the cache's seal is a plain SHA-256, so anyone can write
// a cache that passes it. One that maps a changed client file to the
// document the previous tree holds for its old bytes is used: the build
// keeps the old document, signature and bundle and the old summary in
// index.json, for the new file, with no error and no note. cache.go says
// "a cache that lies costs time, not output"; that holds for a lie about a
// file's bytes (the indexes vouch for those), not for a lie about which
// file an input gives.
func TestCacheForged(t *testing.T) {
	cfg := registrySite(t, cacheClients)
	o := cacheBuild{signer: p256Signer(t)}
	out := filepath.Join(t.TempDir(), "out")
	o.must(t, cfg, out)
	p := clientFile(cfg, 4)
	oldSum := sha256.Sum256([]byte(readString(t, p)))
	editFile(t, p, "Native app 4\n", "Native app four\n")
	newSum := sha256.Sum256([]byte(readString(t, p)))

	// The entry is the slug, then the file's digest; the seal is the
	// digest of everything before it.
	cache := []byte(readString(t, publish.CachePath(out)))
	entry := append([]byte{byte(len("client-00004"))}, "client-00004"...)
	at := bytes.Index(cache, append(entry, oldSum[:]...))
	if at < 0 {
		t.Fatal("client-00004's entry is not in the cache")
	}
	copy(cache[at+len(entry):], newSum[:])
	body := cache[:len(cache)-sha256.Size]
	seal := sha256.Sum256(body)
	copy(cache[len(body):], seal[:])
	mustWrite(t, publish.CachePath(out), string(cache))

	res := o.must(t, cfg, out)
	checkCached(t, "with the forged cache", res, cacheClients-1, out, o.reference(t, cfg))
}
