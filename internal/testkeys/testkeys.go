// Package testkeys makes the keys, certificates and key files that tests put
// in a key directory, so that fixtures cannot go stale.
package testkeys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

var (
	rsaOnce sync.Once
	rsaKeys []*rsa.PrivateKey
)

// RSA returns one of a few RSA-2048 keys, made once per test binary because
// generating them is slow.
func RSA(t testing.TB, i int) *rsa.PrivateKey {
	t.Helper()
	rsaOnce.Do(func() {
		for range 3 {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			rsaKeys = append(rsaKeys, k)
		}
	})
	return rsaKeys[i]
}

// EC returns a new key on curve c.
func EC(t testing.TB, c elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Ed25519 returns a new key.
func Ed25519(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Write writes data to dir/name, making dir.
func Write(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// PEM encodes blocks of one type each.
func PEM(typ string, der ...[]byte) []byte {
	var out []byte
	for _, d := range der {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: d})...)
	}
	return out
}

// PKCS8 returns the "PRIVATE KEY" PEM of k.
func PKCS8(t testing.TB, k crypto.Signer) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return PEM("PRIVATE KEY", der)
}

// PKIX returns the "PUBLIC KEY" PEM of k's public half.
func PKIX(t testing.TB, k crypto.Signer) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	return PEM("PUBLIC KEY", der)
}

// Certs returns the "CERTIFICATE" PEM of a chain.
func Certs(chain ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range chain {
		out = append(out, PEM("CERTIFICATE", c.Raw)...)
	}
	return out
}

// JWK returns the JSON of k, private members included when k is private.
func JWK(t testing.TB, k any, kid string) []byte {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKey{Key: k, KeyID: kid})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var serial int64

// Cert issues a certificate for pub, signed by parent's key (self-signed when
// parent is nil, with signer as its own key). CA certificates can sign others.
func Cert(t testing.TB, cn string, pub crypto.PublicKey, parent *x509.Certificate, signer crypto.Signer, ca bool) *x509.Certificate {
	t.Helper()
	serial++
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  ca,
	}
	if ca {
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	}
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
