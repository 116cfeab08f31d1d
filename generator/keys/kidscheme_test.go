package keys_test

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/keys"
)

// Each kid_scheme names a key as the servers that use it do; an explicit
// kid still wins.
func TestKidSchemes(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	k, err := keys.Generate("rsa-2048")
	if err != nil {
		t.Fatal(err)
	}
	priv, _ := keys.PrivatePEM(k)
	cert, err := keys.SelfSign(k, "sa signing key", now, 30)
	if err != nil {
		t.Fatal(err)
	}
	withCert, bare := t.TempDir(), t.TempDir()
	for dir, files := range map[string]map[string][]byte{
		withCert: {"sa.pem": priv, "sa.crt": cert},
		bare:     {"sa.pem": priv},
	} {
		for name, data := range files {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	b, _ := pem.Decode(cert)
	leaf, _ := x509.ParseCertificate(b.Bytes)
	spki := sha256.Sum256(leaf.RawSubjectPublicKeyInfo)
	tp, _ := keys.Thumbprint(k.Public())
	b64 := base64.RawURLEncoding.EncodeToString

	for _, tc := range []struct {
		scheme string
		dir    string
		kid    string // the setting
		want   func(keys.Key) string
		err    string
	}{
		{scheme: "", dir: bare, want: func(keys.Key) string { return tp }},
		{scheme: "rfc7638", dir: bare, want: func(keys.Key) string { return tp }},
		// The published x5t and x5t#S256 are computed elsewhere: the kid must equal them.
		{scheme: "x5t#S256", dir: withCert, want: func(k keys.Key) string { return b64(k.JWK.CertificateThumbprintSHA256) }},
		{scheme: "x5t", dir: withCert, want: func(k keys.Key) string { return b64(k.JWK.CertificateThumbprintSHA1) }},
		// kube-apiserver: base64url(SHA-256(DER SubjectPublicKeyInfo)), here
		// taken from the certificate rather than the key.
		{scheme: "kubernetes", dir: bare, want: func(keys.Key) string { return b64(spki[:]) }},
		{scheme: "x5t", dir: withCert, kid: "mine", want: func(keys.Key) string { return "mine" }},
		{scheme: "x5t#S256", dir: bare, err: "kid_scheme x5t#S256 names a key by its certificate, and the key has none"},
	} {
		t.Run(tc.scheme+tc.kid, func(t *testing.T) {
			var settings []config.KeySettings
			if tc.kid != "" {
				settings = []config.KeySettings{{File: "sa.pem", State: config.Active, Kid: tc.kid}}
			}
			ks, d := keys.Load(keys.Options{Dir: tc.dir, Display: "keys", Now: now, Settings: settings, KidScheme: tc.scheme})
			if tc.err != "" {
				if err := d.Err(); err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if d.HasErrors() || len(ks) != 1 {
				t.Fatalf("load: %v", d.Err())
			}
			if got, want := ks[0].JWK.KeyID, tc.want(ks[0]); got != want || got == "" {
				t.Errorf("kid %q, want %q", got, want)
			}
		})
	}
	if tp == b64(spki[:]) {
		t.Error("the thumbprint and the kubernetes kid agree, so the test tells nothing")
	}
}

func TestKidSchemeConfig(t *testing.T) {
	src := "issuer: https://id.example.com\nkid_scheme: x5t\nmetadata: {}\n"
	s, _ := config.Parse("site.yaml", []byte(src))
	if s.KidScheme != "x5t" {
		t.Errorf("KidScheme = %q", s.KidScheme)
	}
	_, d := config.Parse("site.yaml", []byte("issuer: https://id.example.com\nkid_scheme: sha1\n"))
	if err := d.Err(); err == nil || !strings.Contains(err.Error(), `site.yaml:2:13: kid_scheme "sha1" is not one of rfc7638, x5t#S256, x5t, kubernetes`) {
		t.Errorf("error %v", err)
	}
}
