package sign_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"io"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/keyref"
	"github.com/wellknown-dev/wellknown/generator/sign"
)

// tokenECDSA is an ECDSA key seen as a token shows it: an opaque signer
// with random nonces.
type tokenECDSA struct{ k *ecdsa.PrivateKey }

func (t tokenECDSA) Public() crypto.PublicKey { return t.k.Public() }
func (t tokenECDSA) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	return t.k.Sign(rand.Reader, d, o)
}

func signedFiles(t *testing.T, as []artifact.Artifact, s *sign.Signer) map[string][]byte {
	t.Helper()
	extra, err := sign.Artifacts(as, s, testFresh)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, a := range append(append([]artifact.Artifact{}, as...), extra...) {
		files[a.Path] = a.Body
	}
	return files
}

// A randomised signer keeps the last tree's signatures of unchanged files,
// only those, and only when they verify.
func TestReuse(t *testing.T) {
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	s, err := sign.FromKey(&keyref.Key{Signer: tokenECDSA{priv}, Ref: "pkcs11:token=t;object=k"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Deterministic() {
		t.Fatal("a token ECDSA key claims deterministic signatures")
	}
	as := []artifact.Artifact{{Path: "a.json", Body: []byte(`{"a":1}`)}, {Path: "b.json", Body: []byte(`{"a":1}`)}, {Path: "c.json", Body: []byte(`{"c":3}`)}}
	first := signedFiles(t, as, s)
	if again := signedFiles(t, as, s); bytes.Equal(again[sign.SignaturePath("c.json")], first[sign.SignaturePath("c.json")]) {
		t.Fatal("two ECDSA signatures with random nonces are equal; the test proves nothing")
	}

	// Tamper with one kept signature: it is not reused.
	first[sign.SignaturePath("b.json")] = append([]byte("AAAA"), first[sign.SignaturePath("b.json")][4:]...)
	if n := s.Reuse(first); n != 3 { // a, c and the manifest
		t.Fatalf("kept %d signatures, want 3", n)
	}
	as[2].Body = []byte(`{"c":4}`)
	next := signedFiles(t, as, s)
	if !bytes.Equal(next[sign.SignaturePath("a.json")], first[sign.SignaturePath("a.json")]) {
		t.Error("the unchanged a.json was signed again")
	}
	for _, p := range []string{"b.json", "c.json"} {
		if bytes.Equal(next[sign.SignaturePath(p)], first[sign.SignaturePath(p)]) {
			t.Errorf("%s kept a signature it should not have", p)
		}
	}
	if r := sign.Verify(next, sign.VerifyOptions{Key: priv.Public()}); r.Status() != sign.Valid {
		t.Fatalf("%v %v", r.Status(), r.Problems)
	}
}
