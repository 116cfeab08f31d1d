package deploy

import (
	"context"
	"crypto/elliptic"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gocloud.dev/blob"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/publish"
	"github.com/wellknown-dev/wellknown/generator/sign"
	tk "github.com/wellknown-dev/wellknown/internal/testkeys"
)

// signedTree builds the repository's example site, signed, into a new
// directory, with extra clients (slug: YAML) added.
func signedTree(t testing.TB, extra map[string]string) string {
	t.Helper()
	src := t.TempDir()
	site, err := os.ReadFile("../../site.yaml")
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(src, "site.yaml"), string(site))
	for _, d := range []string{"keys", "clients"} {
		es, err := os.ReadDir(filepath.Join("../..", d))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			b, err := os.ReadFile(filepath.Join("../..", d, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(src, d, e.Name()), string(b))
		}
	}
	for slug, body := range extra {
		write(t, filepath.Join(src, "clients", slug+".yaml"), body)
	}
	signer, err := sign.NewSigner(publisherKey(t))
	if err != nil {
		t.Fatal(err)
	}
	res, err := generator.Build(generator.Options{
		Config: filepath.Join(src, "site.yaml"),
		Now:    time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC),
		Getenv: func(string) string { return "" },
		Signer: signer,
	})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	if err := publish.Write(out, res.Artifacts); err != nil {
		t.Fatal(err)
	}
	return out
}

var pubKey any

// publisherKey is one key for the whole test binary, so two trees differ
// only where their inputs do.
func publisherKey(t testing.TB) any {
	if pubKey == nil {
		pubKey = tk.EC(t, elliptic.P256())
	}
	return pubKey
}

func write(t testing.TB, p, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

const agent = `mode: metadata_document
application_type: native
client_name: Agent
client_uri: https://agent.example.com
redirect_uris: [http://127.0.0.1/callback]
token_endpoint_auth_method: none
`

// deployTo plans and applies dir onto b and returns the plan.
func deployTo(t testing.TB, ctx context.Context, b *blob.Bucket, dir string, opt Options) (*Plan, error) {
	t.Helper()
	files, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, f := range files {
		want[f.Path] = true
	}
	remote, err := List(ctx, b, want, 8)
	if err != nil {
		return nil, err
	}
	p := NewPlan(files, remote)
	return p, p.Apply(ctx, b, opt)
}

func mustDeploy(t testing.TB, b *blob.Bucket, dir string) *Plan {
	t.Helper()
	p, err := deployTo(t, context.Background(), b, dir, Options{Workers: 8, MaxDeletes: 256})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// checkServed compares every object the store holds with the tree: the
// same set of paths, the same bytes, and the headers serve sends for each
// as far as an object holds them, read back over HTTP when the store
// serves HTTP.
func checkServed(t *testing.T, s *store, b *blob.Bucket, dir string) {
	t.Helper()
	files, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	it := b.List(nil)
	for {
		o, err := it.Next(context.Background())
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if o.Key != StateKey {
			keys = append(keys, o.Key)
		}
	}
	slices.Sort(keys)
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	if !slices.Equal(keys, paths) {
		t.Fatalf("store holds %d objects, tree %d files:\nstore %q\ntree  %q", len(keys), len(paths), keys, paths)
	}
	for _, f := range files {
		want := StoredOf(f.Header)
		var got Stored
		var body []byte
		if s.get != nil {
			h, b := s.get(t, b, f.Path)
			got, body = StoredOf(h), b
		} else {
			a, err := b.Attributes(context.Background(), f.Path)
			if err != nil {
				t.Fatal(err)
			}
			got = Stored{a.ContentType, a.CacheControl, a.ContentDisposition, a.ContentEncoding, a.ContentLanguage}
			if body, err = b.ReadAll(context.Background(), f.Path); err != nil {
				t.Fatal(err)
			}
		}
		if d := want.diff(got); len(d) > 0 {
			t.Errorf("%s: served with %s", f.Path, strings.Join(d, ", "))
		}
		if string(body) != string(f.Body) {
			t.Errorf("%s: served %d bytes, built %d", f.Path, len(body), len(f.Body))
		}
	}
}

// store is one kind of object store the tests run against.
type store struct {
	name string
	// open returns a new, empty bucket.
	open func(t *testing.T) *blob.Bucket
	// get reads an object over HTTP, as a browser would get it from the
	// store; nil for stores with no HTTP side (a directory).
	get func(t *testing.T, b *blob.Bucket, key string) (http.Header, []byte)
	// base is the public HTTP root of the last bucket opened, for stores
	// that serve one without signing.
	base string
}

func fileStore() *store {
	return &store{name: "file", open: func(t *testing.T) *blob.Bucket {
		b, err := Open(context.Background(), "file://"+filepath.ToSlash(t.TempDir()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		return b
	}}
}

// stores are the stores every behaviour is checked on: a directory always,
// and each real server .ci/run starts (see stores_test.go).
func stores() []*store { return append([]*store{fileStore()}, realStores...) }

func TestDeploy(t *testing.T) {
	v1 := signedTree(t, nil)
	v2 := signedTree(t, map[string]string{"agent": agent})
	for _, s := range stores() {
		t.Run(s.name, func(t *testing.T) {
			t.Run("first", func(t *testing.T) {
				b := s.open(t)
				p := mustDeploy(t, b, v1)
				if len(p.Uploaded()) != p.Files || p.Unchanged != 0 {
					t.Errorf("first deploy: %d uploaded of %d files, %d unchanged", len(p.Uploaded()), p.Files, p.Unchanged)
				}
				checkServed(t, s, b, v1)
				// Nothing changed: one listing, no write, no read of
				// a body (the recorder refuses reads).
				rec, rb := record(b)
				p = mustDeploy(t, rb, v1)
				if !p.Empty() || p.Unchanged != p.Files {
					t.Errorf("redeploy of the same tree: %v", p.Actions)
				}
				if w := slices.DeleteFunc(rec.log(), func(k string) bool { return k == StateKey }); len(w) != 0 {
					t.Errorf("redeploy of the same tree wrote %q", w)
				}
			})
			t.Run("order", func(t *testing.T) {
				b := s.open(t)
				mustDeploy(t, b, v1)
				rec, rb := record(b)
				p := mustDeploy(t, rb, v2)
				checkServed(t, s, b, v2)
				got := slices.DeleteFunc(rec.log(), func(k string) bool { return k == StateKey })
				checkOrder(t, got)
				// One more client: its document, its signature, the
				// index and the page with theirs, the manifest.
				for _, want := range []string{"clients/agent.json", "signatures/files/clients/agent.json.sig", sign.BundlePath("clients/agent.json"), "clients/index.json", "clients.html", sign.ManifestPath, sign.ManifestSig, sign.ManifestBundle} {
					if !slices.Contains(got, want) {
						t.Errorf("adding a client did not write %s: %q", want, got)
					}
				}
				if PhaseOf(got[len(got)-1]) != Manifest {
					t.Errorf("last write is %s, want the manifest", got[len(got)-1])
				}
				if len(p.Uploaded())+len(p.Updated()) > 16 {
					t.Errorf("one more client rewrote %d objects: %q", len(got), got)
				}
				// And back: the client's files are deleted, last.
				rec.writes = nil
				p = mustDeploy(t, rb, v1)
				checkServed(t, s, b, v1)
				got = rec.log()
				checkOrder(t, got)
				if !slices.Equal(p.Deleted(), []string{"clients/agent.json", sign.BundlePath("clients/agent.json"), "signatures/files/clients/agent.json.sig"}) {
					t.Errorf("deleted %q", p.Deleted())
				}
			})
			t.Run("repair", func(t *testing.T) {
				b := s.open(t)
				mustDeploy(t, b, v1)
				ctx := context.Background()
				// Hand-edited: same body, the type a console upload
				// guesses and no cache policy.
				body, err := os.ReadFile(filepath.Join(v1, ".well-known", "openid-configuration"))
				if err != nil {
					t.Fatal(err)
				}
				if err := b.WriteAll(ctx, ".well-known/openid-configuration", body, &blob.WriterOptions{ContentType: "application/octet-stream"}); err != nil {
					t.Fatal(err)
				}
				// Our metadata kept, the Cache-Control changed.
				a, err := b.Attributes(ctx, "jwks.json")
				if err != nil {
					t.Fatal(err)
				}
				jwks, _ := os.ReadFile(filepath.Join(v1, "jwks.json"))
				if err := b.WriteAll(ctx, "jwks.json", jwks, &blob.WriterOptions{ContentType: a.ContentType, CacheControl: "public, max-age=3600", Metadata: a.Metadata}); err != nil {
					t.Fatal(err)
				}
				p := mustDeploy(t, b, v1)
				if !slices.Equal(p.Updated(), []string{".well-known/openid-configuration", "jwks.json"}) || len(p.Uploaded()) != 0 {
					t.Errorf("repair: updated %q, uploaded %q", p.Updated(), p.Uploaded())
				}
				checkServed(t, s, b, v1)
				if p := mustDeploy(t, b, v1); !p.Empty() {
					t.Errorf("after repair: %v", p.Actions)
				}
			})
			t.Run("max-deletes", func(t *testing.T) {
				b := s.open(t)
				mustDeploy(t, b, v2)
				rec, rb := record(b)
				_, err := deployTo(t, context.Background(), rb, v1, Options{Workers: 4, MaxDeletes: 1})
				if !errors.Is(err, ErrTooManyDeletes) || !strings.Contains(err.Error(), "deletes 3 objects") || !strings.Contains(err.Error(), "hint: ") {
					t.Fatalf("got %v, want a refusal naming 3 deletions (a client's document, signature and bundle)", err)
				}
				if w := rec.log(); len(w) != 0 {
					t.Errorf("a refused plan wrote %q", w)
				}
				checkServed(t, s, b, v2)
			})
			t.Run("interrupted", func(t *testing.T) {
				b := s.open(t)
				mustDeploy(t, b, v1)
				full := len(mustPlan(t, b, v2).Actions)
				for stop := 1; stop < full; stop++ {
					t.Run(fmt.Sprint(stop), func(t *testing.T) {
						ctx, cancel := context.WithCancel(context.Background())
						defer cancel()
						rec, rb := record(b)
						rec.after = func(n int) {
							if n == stop {
								cancel()
							}
						}
						_, err := deployTo(t, ctx, rb, v2, Options{Workers: 1, MaxDeletes: 256})
						if !errors.Is(err, context.Canceled) {
							t.Fatalf("interrupted deploy: %v", err)
						}
						checkOrder(t, rec.log())
						if p := mustPlan(t, b, v2); len(p.Actions) != full-len(rec.log()) {
							t.Errorf("after %d writes %d actions remain, want %d", len(rec.log()), len(p.Actions), full-len(rec.log()))
						}
						// Go back to v1, so the next stop starts alike.
						mustDeploy(t, b, v1)
					})
				}
				mustDeploy(t, b, v2)
				checkServed(t, s, b, v2)
			})
		})
	}
}

func mustPlan(t testing.TB, b *blob.Bucket, dir string) *Plan {
	t.Helper()
	files, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, f := range files {
		want[f.Path] = true
	}
	remote, err := List(context.Background(), b, want, 4)
	if err != nil {
		t.Fatal(err)
	}
	return NewPlan(files, remote)
}

// checkOrder fails unless the writes came phase by phase.
func checkOrder(t *testing.T, writes []string) {
	t.Helper()
	last := Targets
	for _, w := range writes {
		if w == StateKey {
			continue
		}
		ph := Deletes
		if !strings.HasPrefix(w, "-") {
			ph = PhaseOf(w)
		}
		if ph < last {
			t.Errorf("%s (%s) written after a %s write: %q", w, ph, last, writes)
			return
		}
		last = ph
	}
}

func TestPhaseOf(t *testing.T) {
	for p, want := range map[string]Phase{
		"jwks.json":                                             Targets,
		"immutable/jwks.ee189549428dac82.json":                  Targets,
		"clients/web-portal.json":                               Targets,
		"signatures/publisher.pub":                              Targets,
		"signatures/files/jwks.json.sig":                        Targets,
		".well-known/openid-configuration":                      Documents,
		"t/.well-known/openid-configuration":                    Documents,
		".well-known/oauth-authorization-server/t":              Documents,
		".well-known/openid-federation":                         Documents,
		".well-known/oauth-protected-resource/api":              Documents,
		"signatures/files/.well-known/openid-configuration.sig": Documents,
		"clients/index.json":                                    Documents,
		"clients.html":                                          Documents,
		"digests.json":                                          Documents,
		"signatures/files/digests.json.sig":                     Documents,
		sign.ManifestPath:                                       Manifest,
		sign.ManifestSig:                                        Manifest,
		sign.ManifestBundle:                                     Manifest,
		sign.BundlePath("jwks.json"):                            Targets,
		sign.BundlePath(".well-known/openid-configuration"):     Documents,
		sign.BundlePath("clients/index.json"):                   Documents,
	} {
		if got := PhaseOf(p); got != want {
			t.Errorf("PhaseOf(%q) = %s, want %s", p, got, want)
		}
	}
}

func TestInvalidate(t *testing.T) {
	var ps []string
	for i := range 5000 {
		ps = append(ps, fmt.Sprintf("clients/c%05d.json", i), fmt.Sprintf("signatures/files/clients/c%05d.json.sig", i))
	}
	ps = append(ps, "clients/index.json", "jwks.json", sign.ManifestPath)
	got := collapse(ps, MaxInvalidationPaths, false)
	want := []string{"clients/*", "jwks.json", "signatures/SHA256SUMS", "signatures/files/clients/*"}
	if !slices.Equal(got, want) {
		t.Errorf("collapse = %q, want %q", got, want)
	}
	if got := collapse(ps[:10], MaxInvalidationPaths, false); len(got) != 10 {
		t.Errorf("under the limit: %q", got)
	}
	// Thousands of files at the root are never "*" unless all changed.
	var root []string
	for i := range 4000 {
		root = append(root, fmt.Sprintf("f%d", i))
	}
	if got := collapse(root, MaxInvalidationPaths, false); slices.Contains(got, "*") {
		t.Errorf("collapsed to * though not everything changed")
	}
	if got := collapse(root, MaxInvalidationPaths, true); !slices.Equal(got, []string{"*"}) {
		t.Errorf("everything changed: %q", got)
	}
}

func TestReadRefusesOtherTrees(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "index.html"), "<p>hi</p>")
	_, err := Read(dir)
	if err == nil || !strings.Contains(err.Error(), "not a wellknown build") || !strings.Contains(err.Error(), "hint:") {
		t.Fatalf("got %v", err)
	}
}

func TestOpen(t *testing.T) {
	_, err := Open(context.Background(), "ftp://example.com/site")
	if !errors.Is(err, ErrScheme) || !strings.Contains(err.Error(), "s3://") || !strings.Contains(err.Error(), "azblob://") {
		t.Errorf("unknown scheme: %v", err)
	}
	_, err = Open(context.Background(), "s3://AKIA:secret@bucket")
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("credentials in the URL: %v", err)
	}
	if got := Redact("s3://b?endpoint=http://h&sig=abc&region=x"); strings.Contains(got, "abc") || !strings.Contains(got, "region=x") {
		t.Errorf("Redact = %s", got)
	}
}

// After a deploy has settled, a re-deploy asks the store for no object's
// attributes (the recorded state vouches for them), yet still sees an
// object edited by hand since, and repairs it.
func TestStateAsksOnlyForChanged(t *testing.T) {
	dir := signedTree(t, nil)
	files, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, f := range files {
		want[f.Path] = true
	}
	ctx := context.Background()
	for _, s := range stores() {
		t.Run(s.name, func(t *testing.T) {
			b := s.open(t)
			mustDeploy(t, b, dir)
			// Listings give seconds: one more covers the truncation.
			time.Sleep(settle + 1100*time.Millisecond)
			mustDeploy(t, b, dir) // records the state once settled
			l, err := List(ctx, b, want, 4)
			if err != nil {
				t.Fatal(err)
			}
			if l.Asked != 0 {
				t.Errorf("settled re-deploy asked for %d objects' attributes", l.Asked)
			}
			a, err := b.Attributes(ctx, "jwks.json")
			if err != nil {
				t.Fatal(err)
			}
			jwks, _ := os.ReadFile(filepath.Join(dir, "jwks.json"))
			time.Sleep(time.Second) // a new modification time, to the second
			if err := b.WriteAll(ctx, "jwks.json", jwks, &blob.WriterOptions{ContentType: "text/plain", CacheControl: a.CacheControl, Metadata: a.Metadata}); err != nil {
				t.Fatal(err)
			}
			if p := mustDeploy(t, b, dir); !slices.Equal(p.Updated(), []string{"jwks.json"}) {
				t.Errorf("hand edit after the state: updated %q, uploaded %q", p.Updated(), p.Uploaded())
			}
		})
	}
}
