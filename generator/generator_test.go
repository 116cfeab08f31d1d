package generator_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/elliptic"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/publish"
	tk "github.com/wellknown-dev/wellknown/internal/testkeys"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var clock = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

func buildErr(config string) (*generator.Result, error) {
	return generator.Build(generator.Options{Config: config, Now: clock, Getenv: func(string) string { return "" }})
}

func build(t *testing.T, config string) *generator.Result {
	t.Helper()
	res, err := buildErr(config)
	if err != nil {
		t.Fatalf("build %s:\n%v", config, err)
	}
	return res
}

// TestExampleGolden pins the example site's whole published tree: every
// file's bytes and headers. Run with -update after a deliberate change and
// review the diff.
func TestExampleGolden(t *testing.T) {
	checkGolden(t, build(t, "../site.yaml"), filepath.Join("testdata", "golden", "example"))
}

// checkGolden compares a build's files and headers with the tree in dir,
// or rewrites it with -update.
func checkGolden(t *testing.T, res *generator.Result, dir string) {
	t.Helper()
	if *update {
		os.RemoveAll(dir)
		if err := publish.Write(dir, res.Artifacts); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dir+".headers", headerListing(res.Artifacts), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := readTree(t, dir)
	got := map[string][]byte{}
	for _, a := range res.Artifacts {
		got[a.Path] = a.Body
	}
	for p, body := range want {
		if g, ok := got[p]; !ok {
			t.Errorf("%s is no longer published", p)
		} else if !bytes.Equal(g, body) {
			t.Errorf("%s differs from %s:\n%s", p, filepath.Join(dir, p), g)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s is published but not in the golden tree", p)
		}
	}
	wantHeaders, _ := os.ReadFile(dir + ".headers")
	if h := headerListing(res.Artifacts); !bytes.Equal(h, wantHeaders) {
		t.Errorf("headers differ from %s.headers:\n%s", dir, h)
	}
}

func headerListing(as []artifact.Artifact) []byte {
	var b bytes.Buffer
	for _, a := range as {
		fmt.Fprintf(&b, "/%s\n", a.Path)
		names := make([]string, 0, len(a.Header))
		for k := range a.Header {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			fmt.Fprintf(&b, "  %s: %s\n", k, strings.Join(a.Header[k], ", "))
		}
	}
	return b.Bytes()
}

func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestReproducible(t *testing.T) {
	a, b := build(t, "../site.yaml"), build(t, "../site.yaml")
	if len(a.Artifacts) != len(b.Artifacts) {
		t.Fatal("artifact counts differ")
	}
	for i := range a.Artifacts {
		if a.Artifacts[i].Path != b.Artifacts[i].Path || !bytes.Equal(a.Artifacts[i].Body, b.Artifacts[i].Body) {
			t.Errorf("%s differs between two builds", a.Artifacts[i].Path)
		}
	}
}

// testSite writes a site with an RSA, an EC and an Ed25519 private key and
// returns the path of its site.yaml and the keys by file name.
func testSite(t *testing.T, issuer string) (string, map[string]crypto.Signer) {
	t.Helper()
	dir := t.TempDir()
	signers := map[string]crypto.Signer{
		"rsa.pem":  tk.RSA(t, 0),
		"ec.pem":   tk.EC(t, elliptic.P256()),
		"ed.pem":   tk.Ed25519(t),
		"p521.pem": tk.EC(t, elliptic.P521()),
	}
	for name, s := range signers {
		tk.Write(t, filepath.Join(dir, "keys"), name, tk.PKCS8(t, s))
	}
	site := fmt.Sprintf(`issuer: %s
metadata:
  authorization_endpoint: %[1]s/authorize
  token_endpoint: %[1]s/token
  response_types_supported: [code]
  subject_types_supported: [public]
  id_token_signing_alg_values_supported: [RS256, ES256, EdDSA, ES512]
  code_challenge_methods_supported: [S256]
`, issuer)
	return tk.Write(t, dir, "site.yaml", []byte(site)), signers
}

// TestRelyingParty discovers the built site with coreos/go-oidc over TLS and
// verifies an ID token signed by each private key through the published JWKS.
func TestRelyingParty(t *testing.T) {
	var files http.Handler
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { files.ServeHTTP(w, r) }))
	defer srv.Close()
	config, signers := testSite(t, srv.URL)
	res := build(t, config)
	out := filepath.Join(t.TempDir(), "out")
	if err := publish.Write(out, res.Artifacts); err != nil {
		t.Fatal(err)
	}
	files = http.FileServer(http.Dir(out))

	ctx := oidc.ClientContext(context.Background(), srv.Client())
	provider, err := oidc.NewProvider(ctx, srv.URL)
	if err != nil {
		t.Fatalf("go-oidc cannot discover the site: %v", err)
	}
	verifier := provider.Verifier(&oidc.Config{
		ClientID:             "client-1",
		SupportedSigningAlgs: []string{oidc.RS256, oidc.ES256, oidc.EdDSA, oidc.ES512},
		Now:                  func() time.Time { return clock },
	})
	kids := map[string]string{}
	for _, k := range res.Keys {
		kids[filepath.Base(k.File())] = k.JWK.KeyID
	}
	for name, s := range signers {
		t.Run(name, func(t *testing.T) {
			alg := map[string]jose.SignatureAlgorithm{"rsa.pem": jose.RS256, "ec.pem": jose.ES256, "ed.pem": jose.EdDSA, "p521.pem": jose.ES512}[name]
			signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jose.JSONWebKey{Key: s, KeyID: kids[name]}},
				(&jose.SignerOptions{}).WithType("JWT"))
			if err != nil {
				t.Fatal(err)
			}
			raw, err := jwt.Signed(signer).Claims(jwt.Claims{
				Issuer: srv.URL, Subject: "alice", Audience: jwt.Audience{"client-1"},
				IssuedAt: jwt.NewNumericDate(clock), Expiry: jwt.NewNumericDate(clock.Add(time.Hour)),
			}).Serialize()
			if err != nil {
				t.Fatal(err)
			}
			tok, err := verifier.Verify(ctx, raw)
			if err != nil {
				t.Fatalf("go-oidc rejects a token signed by %s: %v", name, err)
			}
			if tok.Subject != "alice" {
				t.Errorf("subject %q", tok.Subject)
			}
		})
	}
	// A key that is not published must not verify.
	stranger, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: tk.EC(t, elliptic.P256()), KeyID: kids["ec.pem"]}}, nil)
	raw, _ := jwt.Signed(stranger).Claims(jwt.Claims{Issuer: srv.URL, Audience: jwt.Audience{"client-1"}, Expiry: jwt.NewNumericDate(clock.Add(time.Hour))}).Serialize()
	if _, err := verifier.Verify(ctx, raw); err == nil {
		t.Error("a token signed by an unpublished key verified")
	}
}

// TestNoPrivateMaterialInOutput publishes a site holding every kind of
// private key and searches every output file for private members, PEM
// private keys and the private scalars themselves.
func TestNoPrivateMaterialInOutput(t *testing.T) {
	config, signers := testSite(t, "https://login.example.com")
	res := build(t, config)
	out := filepath.Join(t.TempDir(), "out")
	if err := publish.Write(out, res.Artifacts); err != nil {
		t.Fatal(err)
	}
	var secrets []string
	for _, s := range signers {
		switch k := s.(type) {
		case *rsa.PrivateKey:
			secrets = append(secrets, b64(k.D), b64(k.Primes[0]), b64(k.Primes[1]))
		case *ecdsa.PrivateKey:
			d, _ := k.Bytes() // the private scalar, fixed length
			secrets = append(secrets, base64.RawURLEncoding.EncodeToString(d))
		case ed25519.PrivateKey:
			secrets = append(secrets, base64.RawURLEncoding.EncodeToString(k.Seed()))
		}
	}
	for p, body := range readTree(t, out) {
		if bytes.Contains(body, []byte("PRIVATE KEY")) {
			t.Errorf("%s holds a private PEM", p)
		}
		for _, s := range secrets {
			if bytes.Contains(body, []byte(s)) {
				t.Errorf("%s holds a private key value", p)
			}
		}
		var doc any
		if json.Unmarshal(body, &doc) == nil {
			walk(doc, func(key string) {
				switch key {
				case "d", "p", "q", "dp", "dq", "qi", "oth", "k":
					t.Errorf("%s holds private JWK member %q", p, key)
				}
			})
		}
	}
}

func b64(n *big.Int) string { return base64.RawURLEncoding.EncodeToString(n.Bytes()) }

func walk(v any, f func(string)) {
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			f(k)
			walk(c, f)
		}
	case []any:
		for _, c := range v {
			walk(c, f)
		}
	}
}
