package sign_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/sign"
)

// site is a small rendered site, the shape the core renderer produces.
func site() []artifact.Artifact {
	h := http.Header{"Content-Type": {"application/json"}}
	return []artifact.Artifact{
		{Path: ".well-known/openid-configuration", Body: []byte(`{"issuer":"https://example.com"}`), Header: h},
		{Path: ".well-known/oauth-authorization-server", Body: []byte(`{"issuer":"https://example.com"}`), Header: h},
		{Path: "jwks.json", Body: []byte(`{"keys":[]}`), Header: h},
		{Path: "clients/app.json", Body: []byte(`{"client_name":"App"}`), Header: h},
		{Path: "empty", Body: nil, Header: h},
	}
}

// signedTree returns the files of site() signed by k, as publish would
// write them.
func signedTree(t testing.TB, s *sign.Signer) map[string][]byte {
	t.Helper()
	as := site()
	extra, err := sign.Artifacts(as, s, testFresh)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, a := range append(as, extra...) {
		if _, dup := files[a.Path]; dup {
			t.Fatalf("%s produced twice", a.Path)
		}
		files[a.Path] = a.Body
	}
	return files
}

func loadSigner(t testing.TB, k keyCase) *sign.Signer {
	t.Helper()
	s, err := sign.LoadSigner(k.write(t), k.getenv)
	if err != nil {
		t.Fatalf("LoadSigner: %v", err)
	}
	return s
}

func TestRoundTrip(t *testing.T) {
	for _, k := range roundTripKeys(t) {
		t.Run(k.name, func(t *testing.T) {
			s := loadSigner(t, k)
			if !s.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(k.priv.Public()) {
				t.Fatal("loaded key differs from the generated one")
			}
			files := signedTree(t, s)

			r := sign.Verify(files, sign.VerifyOptions{Key: k.priv.Public()})
			if r.Status() != sign.Valid || len(r.Problems) > 0 {
				t.Fatalf("status %v, problems %v", r.Status(), r.Problems)
			}
			if r.Fingerprint != s.Fingerprint() {
				t.Errorf("report fingerprint %s, signer %s", r.Fingerprint, s.Fingerprint())
			}
			if got := r.Verdict("out"); !strings.HasPrefix(got, "valid: out: ") || !strings.Contains(got, s.Fingerprint()) {
				t.Errorf("verdict %q", got)
			}
			pub, err := sign.ParsePublicKey(files[sign.PublicKeyPath])
			if err != nil || !s.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(pub) {
				t.Errorf("published key: %v", err)
			}

			// Without a trusted key the same tree is consistent but
			// not trusted.
			if r := sign.Verify(files, sign.VerifyOptions{}); r.Status() != sign.Untrusted {
				t.Errorf("without key: status %v, problems %v", r.Status(), r.Problems)
			}
		})
	}
}

// TestDeterministic: a build is reproducible, signatures included, for every
// key type (ECDSA signs by RFC 6979).
func TestDeterministic(t *testing.T) {
	for _, k := range roundTripKeys(t) {
		t.Run(k.name, func(t *testing.T) {
			s := loadSigner(t, k)
			a, err := sign.Artifacts(site(), s, testFresh)
			if err != nil {
				t.Fatal(err)
			}
			b, err := sign.Artifacts(site(), loadSigner(t, k), testFresh)
			if err != nil {
				t.Fatal(err)
			}
			if len(a) != len(b) {
				t.Fatalf("%d artifacts, then %d", len(a), len(b))
			}
			for i := range a {
				if a[i].Path != b[i].Path || !bytes.Equal(a[i].Body, b[i].Body) {
					t.Errorf("%s differs between two runs", a[i].Path)
				}
			}
		})
	}
}

func TestArtifactsLayout(t *testing.T) {
	s := loadSigner(t, roundTripKeys(t)[0])
	as := site()
	extra, err := sign.Artifacts(as, s, testFresh)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, a := range extra {
		paths = append(paths, a.Path)
		// Headers are the headers phase's decision, by path; only the
		// manifest, which has no extension to tell its type by, says its own.
		want := ""
		if a.Path == sign.ManifestPath {
			want = sign.ManifestType
		}
		if got := a.Header.Get("Content-Type"); got != want {
			t.Errorf("%s: Content-Type %q, want %q", a.Path, got, want)
		}
	}
	want := []string{
		"signatures/SHA256SUMS",
		"signatures/SHA256SUMS.sig",
		"signatures/SHA256SUMS.sigstore.json",
		"signatures/bundles/.well-known/oauth-authorization-server.sigstore.json",
		"signatures/bundles/.well-known/openid-configuration.sigstore.json",
		"signatures/bundles/clients/app.json.sigstore.json",
		"signatures/bundles/empty.sigstore.json",
		"signatures/bundles/jwks.json.sigstore.json",
		"signatures/files/.well-known/oauth-authorization-server.sig",
		"signatures/files/.well-known/openid-configuration.sig",
		"signatures/files/clients/app.json.sig",
		"signatures/files/empty.sig",
		"signatures/files/jwks.json.sig",
		"signatures/publisher.pub",
	}
	if strings.Join(paths, "\n") != strings.Join(want, "\n") {
		t.Errorf("paths:\n%s\nwant:\n%s", strings.Join(paths, "\n"), strings.Join(want, "\n"))
	}
	// Signatures are what cosign sign-blob --output-signature writes:
	// standard base64, no newline.
	for _, a := range extra {
		if strings.HasSuffix(a.Path, ".sig") {
			if _, err := base64.StdEncoding.Strict().DecodeString(string(a.Body)); err != nil || bytes.ContainsAny(a.Body, "\r\n") {
				t.Errorf("%s: %q is not bare base64", a.Path, a.Body)
			}
		}
	}
	// The manifest lists everything but itself and its signature.
	m := string(extra[0].Body)
	for _, p := range []string{"jwks.json", "signatures/publisher.pub", "signatures/files/jwks.json.sig"} {
		if !strings.Contains(m, "  "+p+"\n") {
			t.Errorf("manifest lacks %s:\n%s", p, m)
		}
	}
	if strings.Contains(m, "SHA256SUMS") {
		t.Errorf("manifest lists itself:\n%s", m)
	}
	// The caller's slice is not reordered or changed.
	if as[0].Path != ".well-known/openid-configuration" {
		t.Error("Artifacts reordered its input")
	}
}

func TestArtifactsRefuses(t *testing.T) {
	s := loadSigner(t, roundTripKeys(t)[0])
	for _, tc := range []struct {
		name string
		as   []artifact.Artifact
		want string
	}{
		{"reserved", []artifact.Artifact{{Path: "signatures/x"}}, "reserved"},
		{"reserved dir name", []artifact.Artifact{{Path: "signatures"}}, "reserved"},
		{"duplicate", []artifact.Artifact{{Path: "a"}, {Path: "a"}}, "twice"},
		{"traversal", []artifact.Artifact{{Path: "../a"}}, ".."},
		{"newline", []artifact.Artifact{{Path: "a\nb"}}, "control"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sign.Artifacts(tc.as, s, testFresh)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
	if _, err := sign.Artifacts(site(), nil, testFresh); err == nil {
		t.Error("nil signer accepted")
	}
}

// TestTamper: every change to a signed tree is found and names the file.
func TestTamper(t *testing.T) {
	k := roundTripKeys(t)[0]
	s := loadSigner(t, k)
	for _, tc := range Tampers {
		t.Run(tc.Name, func(t *testing.T) {
			files := signedTree(t, s)
			tc.Apply(files)
			r := sign.Verify(files, sign.VerifyOptions{Key: k.priv.Public()})
			if r.Status() != sign.Invalid {
				t.Fatalf("status %v, want invalid", r.Status())
			}
			for _, p := range tc.Names {
				if !named(r.Problems, p) {
					t.Errorf("no problem names %s; got %v", p, r.Problems)
				}
			}
			if v := r.Verdict("out"); !strings.HasPrefix(v, "invalid: out: ") {
				t.Errorf("verdict %q", v)
			}
		})
	}
}

func named(ps []sign.Problem, path string) bool {
	for _, p := range ps {
		if p.Path == path {
			return true
		}
	}
	return false
}

func TestVerifyWrongKey(t *testing.T) {
	ks := roundTripKeys(t)
	files := signedTree(t, loadSigner(t, ks[0]))
	r := sign.Verify(files, sign.VerifyOptions{Key: ks[2].priv.Public()})
	if r.Status() != sign.Invalid {
		t.Fatalf("status %v", r.Status())
	}
	for _, p := range []string{sign.PublicKeyPath, sign.ManifestSig, "jwks.json"} {
		if !named(r.Problems, p) {
			t.Errorf("no problem names %s: %v", p, r.Problems)
		}
	}
}

// TestVerifyReplacedKey: an attacker who re-signs the tree with a key of
// their own passes only when the verifier trusts the key inside the tree,
// which is why that verdict is "untrusted", never "valid".
func TestVerifyReplacedKey(t *testing.T) {
	ks := roundTripKeys(t)
	files := signedTree(t, loadSigner(t, ks[4])) // attacker's key
	if r := sign.Verify(files, sign.VerifyOptions{}); r.Status() != sign.Untrusted {
		t.Errorf("without key: %v %v", r.Status(), r.Problems)
	}
	if r := sign.Verify(files, sign.VerifyOptions{Key: ks[0].priv.Public()}); r.Status() != sign.Invalid {
		t.Errorf("with the publisher's key: %v", r.Status())
	}
}

func TestVerifyUnsigned(t *testing.T) {
	files := map[string][]byte{}
	for _, a := range site() {
		files[a.Path] = a.Body
	}
	r := sign.Verify(files, sign.VerifyOptions{Key: roundTripKeys(t)[0].priv.Public()})
	if r.Status() != sign.Unsigned || len(r.Problems) > 0 {
		t.Fatalf("status %v, problems %v", r.Status(), r.Problems)
	}
	if v := r.Verdict("out"); !strings.HasPrefix(v, "unsigned: ") {
		t.Errorf("verdict %q", v)
	}
}

func TestVerifyValidateHook(t *testing.T) {
	k := roundTripKeys(t)[0]
	files := signedTree(t, loadSigner(t, k))
	var saw int
	r := sign.Verify(files, sign.VerifyOptions{
		Key: k.priv.Public(),
		Validate: func(got map[string][]byte) []error {
			saw = len(got)
			return []error{
				sign.Problem{Path: "jwks.json", Msg: "key set is empty"},
				errors.New("no discovery document"),
			}
		},
	})
	if saw != len(files) {
		t.Errorf("hook saw %d files, want %d", saw, len(files))
	}
	if r.Status() != sign.Invalid || !named(r.Problems, "jwks.json") || !named(r.Problems, "") {
		t.Errorf("status %v, problems %v", r.Status(), r.Problems)
	}
	// The hook runs on unsigned trees too: content is checked either way.
	called := false
	sign.Verify(map[string][]byte{"a": nil}, sign.VerifyOptions{Validate: func(map[string][]byte) []error { called = true; return nil }})
	if !called {
		t.Error("hook not called for an unsigned tree")
	}
}

// TestNoPrivateKeyInOutput: nothing signing publishes holds the private key,
// in any encoding.
func TestNoPrivateKeyInOutput(t *testing.T) {
	for _, k := range roundTripKeys(t) {
		t.Run(k.name, func(t *testing.T) {
			files := signedTree(t, loadSigner(t, k))
			for p, b := range files {
				if leaks := Leaks(k, b); leaks != "" {
					t.Errorf("%s holds the private key (%s)", p, leaks)
				}
			}
		})
	}
}

func TestLoadSignerErrors(t *testing.T) {
	enc := roundTripKeys(t)[7]
	rsa1024 := must(rsa.GenerateKey(rand.Reader, 1024))
	p224 := must(ecdsa.GenerateKey(elliptic.P224(), rand.Reader))
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: must(x509.MarshalPKIXPublicKey(p224.Public()))})
	for _, tc := range []struct {
		name string
		k    keyCase
		want string
	}{
		{"no password", keyCase{pem: enc.pem, priv: enc.priv}, "COSIGN_PASSWORD is not set"},
		{"wrong password", keyCase{pem: enc.pem, priv: enc.priv, env: map[string]string{"COSIGN_PASSWORD": "nope"}}, "wrong COSIGN_PASSWORD"},
		{"RSA-1024", keyCase{pem: pkcs8(rsa1024), priv: rsa1024}, "too short"},
		{"P-224", keyCase{pem: pkcs8(p224), priv: p224}, "unsupported ECDSA curve"},
		{"public key", keyCase{pem: pubPEM}, "not a private key"},
		{"not PEM", keyCase{pem: []byte("hello")}, "not a PEM file"},
		{"garbage PKCS8", keyCase{pem: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{0x30, 1, 2}})}, "publisher.key"},
		{"encrypted PKCS8", keyCase{pem: pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1}})}, "not supported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.k.write(t)
			_, err := sign.LoadSigner(path, tc.k.getenv)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to mention %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
			if tc.k.priv != nil {
				if leaks := Leaks(tc.k, []byte(err.Error())); leaks != "" {
					t.Errorf("error leaks the key (%s): %v", leaks, err)
				}
			}
		})
	}
	if _, err := sign.LoadSigner(filepath.Join(t.TempDir(), "missing.key"), os.Getenv); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestFingerprint(t *testing.T) {
	s := loadSigner(t, roundTripKeys(t)[0])
	fp := s.Fingerprint()
	if !strings.HasPrefix(fp, "SHA256:") || len(fp) != len("SHA256:")+43 {
		t.Errorf("fingerprint %q", fp)
	}
}
