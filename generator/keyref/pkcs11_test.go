//go:build cgo

package keyref

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/internal/peers"
)

// TestPKCS11SoftHSM opens P-256 and RSA-2048 keys generated inside a real
// SoftHSM2 token and checks their signatures with the standard library.
func TestPKCS11SoftHSM(t *testing.T) {
	tok := peers.SoftHSM(t, "wellknown")
	tok.KeyPair(t, "EC:prime256v1", "p256", "01")
	tok.KeyPair(t, "rsa:2048", "rsa", "02")
	env := map[string]string{"PIN": tok.PIN}
	o := Options{Getenv: func(k string) string { return env[k] }}

	msg := []byte("the bytes of a published file")
	d := sha256.Sum256(msg)
	for _, tc := range []struct{ name, uri string }{
		{"p256 by label, pin-value", tok.URI("p256", "pin-value="+tok.PIN)},
		{"rsa by label, pin-source env", tok.URI("rsa", "pin-source=env:PIN")},
		{"p256 by id", "pkcs11:token=" + tok.Label + ";id=%01?module-path=" + tok.Module + "&pin-value=" + tok.PIN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := Open(tc.uri, o)
			if err != nil {
				t.Fatal(err)
			}
			defer k.Close()
			if k.Kind != PKCS11 || strings.Contains(k.Ref, tok.PIN) {
				t.Errorf("Kind %v, Ref %q: want PKCS11 and no PIN", k.Kind, k.Ref)
			}
			sig, err := k.Sign(nil, d[:], crypto.SHA256)
			if err != nil {
				t.Fatal(err)
			}
			switch pub := k.Public().(type) {
			case *ecdsa.PublicKey:
				if !ecdsa.VerifyASN1(pub, d[:], sig) {
					t.Error("ECDSA signature does not verify")
				}
				if k.Deterministic {
					t.Error("a token's ECDSA key claims deterministic signatures")
				}
			case *rsa.PublicKey:
				if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig); err != nil {
					t.Error(err)
				}
				if pub.N.BitLen() != 2048 || !k.Deterministic {
					t.Errorf("RSA key of %d bits, deterministic %v", pub.N.BitLen(), k.Deterministic)
				}
			default:
				t.Fatalf("public key %T", pub)
			}
		})
	}
}

// TestPKCS11Errors: a wrong PIN, a missing module, token or object fail
// with the URI named without its PIN.
func TestPKCS11Errors(t *testing.T) {
	tok := peers.SoftHSM(t, "wellknown")
	tok.KeyPair(t, "EC:prime256v1", "p256", "01")
	const secret = "9999"
	for _, tc := range []struct{ name, uri, want string }{
		{"wrong PIN", tok.URI("p256", "pin-value="+secret), "wrong PIN (from pin-value)"},
		{"missing object", tok.URI("nope", "pin-value="+tok.PIN), "no key pair with object=nope"},
		{"missing token", "pkcs11:token=other;object=p256?module-path=" + tok.Module + "&pin-value=" + secret, "no such token"},
		{"missing module", "pkcs11:token=wellknown;object=p256?module-path=" + filepath.Join(t.TempDir(), "none.so") + "&pin-value=" + secret, "no such file or directory"},
		{"no PIN", tok.URI("p256", ""), "no PIN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := Open(tc.uri, Options{Getenv: func(string) string { return "" }})
			if err == nil {
				k.Close()
				t.Fatal("opened")
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q, want it to say %q", msg, tc.want)
			}
			if !strings.HasPrefix(msg, Redact(tc.uri)+": ") {
				t.Errorf("error %q does not start with the redacted URI %q", msg, Redact(tc.uri))
			}
			if strings.Contains(msg, secret) || strings.Contains(msg, "pin-value=") {
				t.Errorf("error %q shows the PIN", msg)
			}
		})
	}
}
