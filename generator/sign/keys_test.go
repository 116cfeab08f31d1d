package sign_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// testPassword encrypts the cosign-format test keys.
const testPassword = "correct horse battery staple"

// keyCase is a private key file as a user would hand it to LoadSigner.
type keyCase struct {
	name string
	pem  []byte
	env  map[string]string // environment LoadSigner sees
	priv crypto.Signer
}

func (k keyCase) getenv(name string) string { return k.env[name] }

// write puts the key in a fresh file and returns its path.
func (k keyCase) write(t testing.TB) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "publisher.key")
	if err := os.WriteFile(p, k.pem, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

var (
	keysOnce sync.Once
	keys     []keyCase
)

// roundTripKeys returns one key of every supported kind, generated once per
// test binary: the types the issue names plus the encodings LoadSigner must
// read. Generating them (rather than checking in fixtures) keeps private
// keys out of the repository entirely.
func roundTripKeys(t testing.TB) []keyCase {
	t.Helper()
	keysOnce.Do(func() {
		p256 := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
		p384 := must(ecdsa.GenerateKey(elliptic.P384(), rand.Reader))
		p521 := must(ecdsa.GenerateKey(elliptic.P521(), rand.Reader))
		_, ed := must2(ed25519.GenerateKey(rand.Reader))
		rsa2048 := must(rsa.GenerateKey(rand.Reader, 2048))
		encP256 := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
		encEd := ed

		encrypted := func(priv crypto.PrivateKey, pemType string) []byte {
			der := must(cryptoutils.MarshalPrivateKeyToEncryptedDER(priv, cryptoutils.StaticPasswordFunc([]byte(testPassword))))
			return pem.EncodeToMemory(&pem.Block{Type: pemType, Bytes: der})
		}
		pw := map[string]string{"COSIGN_PASSWORD": testPassword}
		keys = []keyCase{
			{name: "P-256", pem: pkcs8(p256), priv: p256},
			{name: "P-256-SEC1", pem: pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: must(x509.MarshalECPrivateKey(p256))}), priv: p256},
			{name: "P-384", pem: pkcs8(p384), priv: p384},
			{name: "P-521", pem: pkcs8(p521), priv: p521},
			{name: "Ed25519", pem: pkcs8(ed), priv: ed},
			{name: "RSA-2048", pem: pkcs8(rsa2048), priv: rsa2048},
			{name: "RSA-2048-PKCS1", pem: pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsa2048)}), priv: rsa2048},
			{name: "cosign-encrypted-P-256", pem: encrypted(encP256, "ENCRYPTED SIGSTORE PRIVATE KEY"), env: pw, priv: encP256},
			{name: "cosign-encrypted-legacy-Ed25519", pem: encrypted(encEd, "ENCRYPTED COSIGN PRIVATE KEY"), env: pw, priv: encEd},
		}
	})
	return keys
}

func pkcs8(priv crypto.PrivateKey) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: must(x509.MarshalPKCS8PrivateKey(priv))})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(err)
	}
	return a, b
}
