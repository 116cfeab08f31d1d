package sign_test

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"

	"github.com/wellknown-dev/wellknown/generator/sign"
)

// Tamper is one way to change a signed tree after signing, with the paths a
// verifier must name. The bundle tests apply the same list to archives.
type Tamper struct {
	Name  string
	Apply func(files map[string][]byte)
	Names []string
}

// Tampers are the changes the issue lists: one byte of any file, a file
// removed, a file added, two signatures swapped; and the manifest itself.
var Tampers = []Tamper{
	{"flip byte of document", func(f map[string][]byte) { flip(f, "jwks.json") }, []string{"jwks.json"}},
	{"flip byte of empty file", func(f map[string][]byte) { f["empty"] = []byte{0} }, []string{"empty"}},
	{"flip byte of signature", func(f map[string][]byte) { flip(f, sign.SignaturePath("jwks.json")) }, []string{sign.SignaturePath("jwks.json"), "jwks.json"}},
	{"flip byte of public key", func(f map[string][]byte) { flip(f, sign.PublicKeyPath) }, []string{sign.PublicKeyPath}},
	{"flip byte of manifest", func(f map[string][]byte) { flip(f, sign.ManifestPath) }, []string{sign.ManifestSig}},
	{"flip byte of manifest signature", func(f map[string][]byte) { flip(f, sign.ManifestSig) }, []string{sign.ManifestSig}},
	{"remove document", func(f map[string][]byte) { delete(f, "clients/app.json") }, []string{"clients/app.json", sign.SignaturePath("clients/app.json")}},
	{"remove signature", func(f map[string][]byte) { delete(f, sign.SignaturePath("jwks.json")) }, []string{sign.SignaturePath("jwks.json"), "jwks.json"}},
	{"remove manifest", func(f map[string][]byte) { delete(f, sign.ManifestPath) }, []string{sign.ManifestPath}},
	{"remove manifest signature", func(f map[string][]byte) { delete(f, sign.ManifestSig) }, []string{sign.ManifestSig}},
	{"remove public key", func(f map[string][]byte) { delete(f, sign.PublicKeyPath) }, []string{sign.PublicKeyPath}},
	{"add file", func(f map[string][]byte) { f["clients/evil.json"] = []byte(`{}`) }, []string{"clients/evil.json"}},
	{"add signature", func(f map[string][]byte) { f[sign.SignaturePath("evil")] = []byte("AAAA") }, []string{sign.SignaturePath("evil")}},
	{"flip byte of bundle", func(f map[string][]byte) { flip(f, sign.BundlePath("jwks.json")) }, []string{"jwks.json"}},
	{"flip byte of manifest bundle", func(f map[string][]byte) { flip(f, sign.ManifestBundle) }, []string{sign.ManifestBundle}},
	{"remove bundle", func(f map[string][]byte) { delete(f, sign.BundlePath("jwks.json")) }, []string{sign.BundlePath("jwks.json"), "jwks.json"}},
	{"remove manifest bundle", func(f map[string][]byte) { delete(f, sign.ManifestBundle) }, []string{sign.ManifestBundle}},
	{"add bundle", func(f map[string][]byte) { f[sign.BundlePath("evil")] = []byte("{}") }, []string{sign.BundlePath("evil")}},
	{"swap bundles", func(f map[string][]byte) {
		a, b := sign.BundlePath("jwks.json"), sign.BundlePath("clients/app.json")
		f[a], f[b] = f[b], f[a]
	}, []string{"jwks.json", "clients/app.json", sign.BundlePath("jwks.json"), sign.BundlePath("clients/app.json")}},
	{"swap signatures", func(f map[string][]byte) {
		a, b := sign.SignaturePath("jwks.json"), sign.SignaturePath("clients/app.json")
		f[a], f[b] = f[b], f[a]
	}, []string{"jwks.json", "clients/app.json", sign.SignaturePath("jwks.json"), sign.SignaturePath("clients/app.json")}},
}

func flip(files map[string][]byte, p string) {
	b := bytes.Clone(files[p])
	b[len(b)/2] ^= 0x01
	files[p] = b
}

// Leaks reports in what encoding, if any, b contains k's private key.
func Leaks(k keyCase, b []byte) string {
	der, err := x509.MarshalPKCS8PrivateKey(k.priv)
	if err != nil {
		panic(err)
	}
	for name, enc := range map[string][]byte{
		"PEM file":    k.pem,
		"PKCS#8 DER":  der,
		"base64 body": []byte(base64.StdEncoding.EncodeToString(der)[:40]),
		"hex":         []byte(hex.EncodeToString(der)[:40]),
	} {
		if len(enc) > 0 && bytes.Contains(b, enc) {
			return name
		}
	}
	// The PEM body's first line (64 base64 characters) appears in any
	// partial copy of the key file.
	if lines := bytes.Split(k.pem, []byte("\n")); len(lines) > 1 && bytes.Contains(b, lines[1]) {
		return "PEM line"
	}
	return ""
}
