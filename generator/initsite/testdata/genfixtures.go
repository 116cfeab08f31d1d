//go:build ignore

// genfixtures writes the saved JWK Sets that the
// migration tests read: a Keycloak realm (an RSA signing key and an RSA
// encryption key, each with its self-signed certificate in x5c, as Keycloak
// publishes them) and a dex server (two RSA signing keys, no certificates).
// The discovery documents beside them list the fields those servers publish (Keycloak 25, dex
// 2.41); those documents, keycloak-discovery.json and dex-discovery.json,
// are written by hand from what the servers serve. Run: go run genfixtures.go
package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"time"
)

func main() {
	sig, enc := rsaKey(), rsaKey()
	kc := map[string]any{"keys": []any{
		jwk(enc, "RSA-OAEP", "enc", "acme", true),
		jwk(sig, "RS256", "sig", "acme", true),
	}}
	write("keycloak-jwks.json", kc)
	d1, d2 := rsaKey(), rsaKey()
	write("dex-jwks.json", map[string]any{"keys": []any{jwk(d1, "RS256", "sig", "", false), jwk(d2, "RS256", "sig", "", false)}})
}

func rsaKey() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func jwk(k *rsa.PrivateKey, alg, use, realm string, withCert bool) map[string]any {
	der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	sum := sha256.Sum256(der)
	m := map[string]any{
		"kty": "RSA", "alg": alg, "use": use,
		"n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes()),
	}
	if !withCert {
		// dex: hex kids.
		m["kid"] = hex.EncodeToString(sum[:20])
		return m
	}
	// Keycloak: a self-signed certificate with the realm's name, no key
	// usage extension, valid for ten years.
	m["kid"] = b64(sum[:])
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixMilli()),
		Subject:      pkix.Name{CommonName: realm},
		NotBefore:    time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2036, 1, 5, 9, 0, 0, 0, time.UTC),
	}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		panic(err)
	}
	s1, s256 := sha1.Sum(cert), sha256.Sum256(cert)
	m["x5c"] = []string{base64.StdEncoding.EncodeToString(cert)}
	m["x5t"] = b64(s1[:])
	m["x5t#S256"] = b64(s256[:])
	return m
}

func write(name string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	if err := os.WriteFile(name, append(b, '\n'), 0o644); err != nil {
		panic(err)
	}
}
