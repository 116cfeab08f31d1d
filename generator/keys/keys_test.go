package keys_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/youmark/pkcs8"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/keys"
	tk "github.com/wellknown-dev/wellknown/internal/testkeys"
)

var now = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func load(t *testing.T, dir string, settings []config.KeySettings, password string) ([]keys.Key, *diag.List) {
	t.Helper()
	return keys.Load(keys.Options{
		Dir: dir, Display: "keys", Settings: settings, Now: now,
		Password: func() ([]byte, bool) { return []byte(password), password != "" },
	})
}

func mustLoad(t *testing.T, dir string, settings ...config.KeySettings) []keys.Key {
	t.Helper()
	ks, d := load(t, dir, settings, "")
	if d.HasErrors() {
		t.Fatalf("unexpected errors:\n%v", d.Err())
	}
	return ks
}

// vector is one specification test vector; unknown fields are fatal so a
// typo in a vector file cannot silently skip a check.
type vector struct {
	Spec       string          `json:"spec"`
	At         string          `json:"at"`
	JWK        json.RawMessage `json:"jwk"`
	Thumbprint string          `json:"thumbprint"`
	Kid        string          `json:"kid"`
	JWS        string          `json:"jws"`
	Payload    string          `json:"payload"`
}

func TestVectors(t *testing.T) {
	files, _ := filepath.Glob("testdata/vectors/*.json")
	if len(files) == 0 {
		t.Fatal("no vectors")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			var v vector
			if err := dec.Decode(&v); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			dir := t.TempDir()
			tk.Write(t, dir, "key.jwk", v.JWK)
			at := now
			if v.At != "" {
				at, _ = config.ParseDate(v.At)
			}
			ks, d := keys.Load(keys.Options{Dir: dir, Display: "keys", Now: at})
			if d.HasErrors() {
				t.Fatalf("%s: %v", v.Spec, d.Err())
			}
			k := ks[0]
			if v.Thumbprint != "" && k.Thumbprint != v.Thumbprint {
				t.Errorf("%s: thumbprint %s, want %s", v.Spec, k.Thumbprint, v.Thumbprint)
			}
			wantKid := v.Kid
			if wantKid == "" {
				wantKid = v.Thumbprint // RFC 7638 is the default kid
			}
			if k.JWK.KeyID != wantKid {
				t.Errorf("%s: kid %s, want %s", v.Spec, k.JWK.KeyID, wantKid)
			}
			published, err := json.Marshal(keys.Set(ks))
			if err != nil {
				t.Fatal(err)
			}
			assertNoPrivate(t, published)
			var set jose.JSONWebKeySet
			if err := json.Unmarshal(published, &set); err != nil {
				t.Fatal(err)
			}
			if v.JWS != "" {
				sig, err := jose.ParseSignedCompact(v.JWS, []jose.SignatureAlgorithm{jose.EdDSA})
				if err != nil {
					t.Fatal(err)
				}
				payload, err := sig.Verify(set.Keys[0])
				if err != nil || string(payload) != v.Payload {
					t.Errorf("%s: JWS does not verify with the published key: %v", v.Spec, err)
				}
			}
			var in struct {
				X5c []string `json:"x5c"`
			}
			json.Unmarshal(v.JWK, &in)
			if len(in.X5c) > 0 {
				var out struct {
					X5c     []string `json:"x5c"`
					X5tS256 string   `json:"x5t#S256"`
				}
				json.Unmarshal(published, &struct{ Keys []any }{})
				var raw struct{ Keys []json.RawMessage }
				json.Unmarshal(published, &raw)
				json.Unmarshal(raw.Keys[0], &out)
				if strings.Join(out.X5c, ",") != strings.Join(in.X5c, ",") {
					t.Errorf("%s: x5c not published as given (standard base64 DER, RFC 7517 §4.7)", v.Spec)
				}
				der, _ := base64.StdEncoding.DecodeString(in.X5c[0])
				sum := sha256.Sum256(der)
				if want := base64.RawURLEncoding.EncodeToString(sum[:]); out.X5tS256 != want {
					t.Errorf("%s: x5t#S256 %s, want %s (RFC 7517 §4.9)", v.Spec, out.X5tS256, want)
				}
			}
		})
	}
}

// privateMembers are the JWK members that hold secrets (RFC 7518 §6).
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

func assertNoPrivate(t *testing.T, jwks []byte) {
	t.Helper()
	var set struct{ Keys []map[string]any }
	if err := json.Unmarshal(jwks, &set); err != nil {
		t.Fatal(err)
	}
	for _, k := range set.Keys {
		for _, m := range privateMembers {
			if _, ok := k[m]; ok {
				t.Errorf("published key %v holds private member %q", k["kid"], m)
			}
		}
	}
	if bytes.Contains(jwks, []byte("PRIVATE KEY")) {
		t.Error("published key set holds a private PEM")
	}
}

func TestFormats(t *testing.T) {
	rsaKey := tk.RSA(t, 0)
	p256, p384, p521 := tk.EC(t, elliptic.P256()), tk.EC(t, elliptic.P384()), tk.EC(t, elliptic.P521())
	ed := tk.Ed25519(t)
	pkcs1 := tk.PEM("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey))
	sec1, _ := x509.MarshalECPrivateKey(p384)
	rsaPub1 := tk.PEM("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rsaKey.PublicKey))
	cert := tk.Cert(t, "leaf", p256.Public(), nil, p256, false)

	tests := []struct {
		name, file string
		data       []byte
		desc, alg  string
		private    bool
	}{
		{"pkcs8 rsa", "k.pem", tk.PKCS8(t, rsaKey), "RSA 2048", "RS256", true},
		{"pkcs1 rsa", "k.key", pkcs1, "RSA 2048", "RS256", true},
		{"pkcs1 rsa public", "k.pub", rsaPub1, "RSA 2048", "RS256", false},
		{"pkcs8 p256", "k.pem", tk.PKCS8(t, p256), "EC P-256", "ES256", true},
		{"sec1 p384", "k.pem", tk.PEM("EC PRIVATE KEY", sec1), "EC P-384", "ES384", true},
		{"pkcs8 p521", "k.pem", tk.PKCS8(t, p521), "EC P-521", "ES512", true},
		{"pkcs8 ed25519", "k.pem", tk.PKCS8(t, ed), "Ed25519", "EdDSA", true},
		{"pkix public", "k.pub", tk.PKIX(t, p256), "EC P-256", "ES256", false},
		{"certificate only", "k.crt", tk.Certs(cert), "EC P-256", "ES256", false},
		{"key then certificate", "k.pem", append(tk.PKCS8(t, p256), tk.Certs(cert)...), "EC P-256", "ES256", true},
		{"private jwk", "k.jwk", tk.JWK(t, ed, ""), "Ed25519", "EdDSA", true},
		{"public jwk", "k.json", tk.JWK(t, &rsaKey.PublicKey, ""), "RSA 2048", "RS256", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			tk.Write(t, dir, tt.file, tt.data)
			ks := mustLoad(t, dir)
			if len(ks) != 1 {
				t.Fatalf("got %d keys, want 1", len(ks))
			}
			k := ks[0]
			if got := keys.Desc(k.JWK.Key); got != tt.desc {
				t.Errorf("key %s, want %s", got, tt.desc)
			}
			if k.JWK.Algorithm != tt.alg || k.JWK.Use != "sig" || k.State != config.Active {
				t.Errorf("alg %s use %s state %s, want %s sig active", k.JWK.Algorithm, k.JWK.Use, k.State, tt.alg)
			}
			if (k.Signer != nil) != tt.private {
				t.Errorf("signer present = %v, want %v", k.Signer != nil, tt.private)
			}
			if !k.JWK.IsPublic() {
				t.Error("loaded JWK is not public")
			}
		})
	}
}

func TestPairing(t *testing.T) {
	dir := t.TempDir()
	ca := tk.EC(t, elliptic.P384())
	caCert := tk.Cert(t, "ca", ca.Public(), nil, ca, true)
	leaf := tk.EC(t, elliptic.P256())
	leafCert := tk.Cert(t, "leaf", leaf.Public(), caCert, ca, false)
	tk.Write(t, dir, "signing.pem", tk.PKCS8(t, leaf))
	tk.Write(t, dir, "signing.crt", tk.Certs(leafCert, caCert))
	tk.Write(t, dir, "README.md", []byte("# notes, not a key\n"))
	tk.Write(t, dir, "generate.sh", []byte("#!/bin/sh\n"))
	ks := mustLoad(t, dir)
	if len(ks) != 1 {
		t.Fatalf("got %d keys, want the key and its certificate paired into 1", len(ks))
	}
	k := ks[0]
	if strings.Join(k.Files, " ") != "keys/signing.pem keys/signing.crt" {
		t.Errorf("files %v", k.Files)
	}
	if len(k.JWK.Certificates) != 2 || !k.JWK.Certificates[0].Equal(leafCert) {
		t.Errorf("chain not published leaf first")
	}
	s1 := k.JWK.CertificateThumbprintSHA1
	s256 := sha256.Sum256(leafCert.Raw)
	if len(s1) != 20 || !bytes.Equal(k.JWK.CertificateThumbprintSHA256, s256[:]) {
		t.Errorf("x5t/x5t#S256 not the thumbprints of the leaf")
	}
	// Settings may name either file of the pair.
	ks = mustLoad(t, dir, config.KeySettings{File: "signing.crt", State: config.Next, Kid: "k1"})
	if ks[0].State != config.Next || ks[0].JWK.KeyID != "k1" {
		t.Errorf("settings by certificate file not applied: %s %s", ks[0].State, ks[0].JWK.KeyID)
	}
}

// A public key file and the private key file of the same name are one key,
// as keys generate writes it: a checkout without the git-ignored private
// half publishes the same JWK Set, and with it the build can sign.
func TestPublicAndPrivateHalves(t *testing.T) {
	k := tk.EC(t, elliptic.P256())
	cert := tk.Cert(t, "leaf", k.Public(), nil, k, false)
	jwks := func(ks []keys.Key) string {
		b, err := json.Marshal(keys.Set(ks))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, withCert := range []bool{false, true} {
		pub := t.TempDir()
		tk.Write(t, pub, "signing.pub", tk.PKIX(t, k))
		want := "keys/signing.pub keys/signing.key"
		if withCert {
			tk.Write(t, pub, "signing.crt", tk.Certs(cert))
			want += " keys/signing.crt"
		}
		both := t.TempDir()
		for _, name := range []string{"signing.pub", "signing.crt"} {
			if data, err := os.ReadFile(filepath.Join(pub, name)); err == nil {
				tk.Write(t, both, name, data)
			}
		}
		tk.Write(t, both, "signing.key", tk.PKCS8(t, k))
		// Settings name the public file, which every checkout has.
		s := config.KeySettings{File: "signing.pub", State: config.Next, Kid: "k1"}
		alone, paired := mustLoad(t, pub, s), mustLoad(t, both, s)
		if len(paired) != 1 {
			t.Fatalf("cert %v: got %d keys, want the two halves paired into 1", withCert, len(paired))
		}
		if got := strings.Join(paired[0].Files, " "); got != want {
			t.Errorf("cert %v: files %s, want %s", withCert, got, want)
		}
		if paired[0].Signer == nil || alone[0].Signer != nil {
			t.Errorf("cert %v: signer with the private half %v, without %v", withCert, paired[0].Signer != nil, alone[0].Signer != nil)
		}
		if paired[0].State != config.Next || paired[0].JWK.KeyID != "k1" {
			t.Errorf("cert %v: settings not applied: %s %s", withCert, paired[0].State, paired[0].JWK.KeyID)
		}
		if a, b := jwks(alone), jwks(paired); a != b {
			t.Errorf("cert %v: the private half changes the JWK Set:\n%s\n%s", withCert, a, b)
		}
		assertNoPrivate(t, []byte(jwks(paired)))
	}
}

func TestSettings(t *testing.T) {
	dir := t.TempDir()
	rsaKey := tk.RSA(t, 1)
	tk.Write(t, dir, "rsa.pem", tk.PKCS8(t, rsaKey))
	tk.Write(t, dir, "enc.pem", tk.PKCS8(t, tk.EC(t, elliptic.P256())))
	until := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	ks := mustLoad(t, dir,
		config.KeySettings{File: "rsa.pem", State: config.Retired, Alg: "PS256", PublishedUntil: until},
		config.KeySettings{File: "enc.pem", State: config.Active, Use: "enc"},
	)
	if len(ks) != 2 {
		t.Fatalf("got %d keys", len(ks))
	}
	// Active keys come first.
	if ks[0].JWK.Use != "enc" || ks[0].JWK.Algorithm != "ECDH-ES" {
		t.Errorf("enc key: use %s alg %s, want enc ECDH-ES", ks[0].JWK.Use, ks[0].JWK.Algorithm)
	}
	if ks[1].State != config.Retired || ks[1].JWK.Algorithm != "PS256" {
		t.Errorf("retired key: %s %s", ks[1].State, ks[1].JWK.Algorithm)
	}
}

func TestRetiredKeyLeavesAfterItsDate(t *testing.T) {
	dir := t.TempDir()
	tk.Write(t, dir, "old.pem", tk.PKCS8(t, tk.EC(t, elliptic.P256())))
	tk.Write(t, dir, "new.pem", tk.PKCS8(t, tk.EC(t, elliptic.P256())))
	for _, tc := range []struct {
		until time.Time
		keys  int
	}{
		{now.Add(time.Second), 2},
		{now, 1},
		{now.Add(-24 * time.Hour), 1},
	} {
		s := config.KeySettings{File: "old.pem", State: config.Retired, PublishedUntil: tc.until,
			Pos: map[string]diag.Pos{"published_until": {Path: "site.yaml", Line: 9, Col: 22}}}
		ks, d := load(t, dir, []config.KeySettings{s}, "")
		if d.HasErrors() || len(ks) != tc.keys {
			t.Fatalf("until %s: %d keys (want %d), %v", tc.until, len(ks), tc.keys, d.Err())
		}
		if tc.keys == 1 {
			w := d.Warnings()
			if len(w) != 1 || !strings.HasPrefix(w[0].Error(), "site.yaml:9:22: note: retired key keys/old.pem") {
				t.Errorf("want a note at the published_until setting, got %v", w)
			}
		}
	}
}

func TestErrors(t *testing.T) {
	rsaKey := tk.RSA(t, 2)
	p256 := tk.EC(t, elliptic.P256())
	other := tk.EC(t, elliptic.P256())
	ca := tk.EC(t, elliptic.P256())
	caCert := tk.Cert(t, "ca", ca.Public(), nil, ca, true)
	strangerCA := tk.Cert(t, "stranger", other.Public(), nil, other, true)
	leafCert := tk.Cert(t, "leaf", p256.Public(), caCert, ca, false)
	weak, _ := rsa.GenerateKey(randReader{}, 1024)
	p224 := tk.EC(t, elliptic.P224())
	encrypted, err := cryptoutils.MarshalPrivateKeyToEncryptedDER(p256, func(bool) ([]byte, error) { return []byte("hunter2"), nil })
	if err != nil {
		t.Fatal(err)
	}
	encPEM := tk.PEM(string(cryptoutils.EncryptedSigstorePrivateKeyPEMType), encrypted)
	full := tk.PKCS8(t, p256)

	tests := []struct {
		name     string
		files    map[string][]byte
		settings []config.KeySettings
		password string
		want     []string // each a diagnostic, in order
	}{
		{"empty directory", nil, nil, "", []string{"keys: no keys to publish: the key set would be empty"}},
		{"not a key", map[string][]byte{"notes.pem": []byte("hello")}, nil, "",
			[]string{"keys/notes.pem: not a key file: expected PEM (private key, public key, certificates) or a JWK"}},
		{"empty file", map[string][]byte{"a.pem": nil}, nil, "", []string{"keys/a.pem: file is empty"}},
		{"truncated", map[string][]byte{"a.pem": full[:len(full)/2]}, nil, "", []string{"keys/a.pem: truncated or malformed PEM"}},
		{"trailing garbage", map[string][]byte{"a.pem": append(full, "junk\n"...)}, nil, "",
			[]string{"keys/a.pem: truncated or malformed PEM after the last complete block"}},
		{"weak rsa", map[string][]byte{"a.pem": tk.PKCS8(t, weak)}, nil, "",
			[]string{"keys/a.pem: RSA key of 1024 bits is too weak: at least 2048 bits are required (RFC 7518 §3.3)"}},
		{"p224", map[string][]byte{"a.pub": tk.PKIX(t, p224)}, nil, "",
			[]string{"keys/a.pub: unsupported elliptic curve P-224: use P-256, P-384 or P-521 (RFC 7518 §3.4)"}},
		{"same key twice", map[string][]byte{"a.pem": full, "b.pub": tk.PKIX(t, p256)}, nil, "",
			[]string{"keys/b.pub: the same key is also in keys/a.pem; keep it in one file"}},
		{"private key twice", map[string][]byte{"a.key": full, "a.pem": full}, nil, "",
			[]string{"keys/a.pem: the same key is also in keys/a.key; keep it in one file"}},
		{"halves of different names", map[string][]byte{"a.key": full, "b.pub": tk.PKIX(t, p256)}, nil, "",
			[]string{"keys/b.pub: the same key is also in keys/a.key; keep it in one file"}},
		{"two chains for one key", map[string][]byte{"a.crt": tk.Certs(leafCert, caCert), "b.crt": tk.Certs(leafCert)}, nil, "",
			[]string{"keys/b.crt: a certificate for the same key is also in keys/a.crt; keep one chain per key"}},
		{"chain does not chain", map[string][]byte{"a.crt": tk.Certs(leafCert, strangerCA)}, nil, "",
			[]string{"keys/a.crt: certificate 1 (CN=leaf) is not signed by certificate 2 (CN=stranger): x509: ECDSA verification failure; list the chain leaf first"}},
		{"certificate for another key", map[string][]byte{"a.pem": append(tk.PKCS8(t, other), tk.Certs(leafCert)...)}, nil, "",
			[]string{"keys/a.pem: the first certificate is for another key than the one in the file; put the certificate of the key first"}},
		{"certificate beside a key file of another key", map[string][]byte{"signing.pem": tk.PKCS8(t, other), "signing.crt": tk.Certs(leafCert)}, nil, "",
			[]string{"keys/signing.crt: the certificate is for another key than keys/signing.pem, and no key file holds its key; on its own it would be published as a new active key"}},
		{"truncated certificate", map[string][]byte{"a.crt": tk.PEM("CERTIFICATE", leafCert.Raw[:len(leafCert.Raw)/2])}, nil, "",
			[]string{"keys/a.crt: PEM block 1 (CERTIFICATE): invalid certificate: the data is not an X.509 certificate: it is damaged, or another kind of data under a \"CERTIFICATE\" label"}},
		{"private key under a public key label", map[string][]byte{"a.pub": tk.PEM("PUBLIC KEY", pemBytes(t, full))}, nil, "",
			[]string{"keys/a.pub: PEM block 1 (PUBLIC KEY): invalid public key: the data is not a public key (SubjectPublicKeyInfo): it is damaged, or another kind of data under a \"PUBLIC KEY\" label"}},
		{"truncated private key", map[string][]byte{"a.pem": tk.PEM("PRIVATE KEY", pemBytes(t, full)[:40])}, nil, "",
			[]string{"keys/a.pem: PEM block 1 (PRIVATE KEY): invalid private key: the data ends early: the file is truncated"}},
		{"certificate with trailing bytes", map[string][]byte{"a.crt": tk.PEM("CERTIFICATE", append(append([]byte{}, leafCert.Raw...), 0, 0))}, nil, "",
			[]string{"keys/a.crt: PEM block 1 (CERTIFICATE): invalid certificate: extra bytes follow the data: the block holds more than an X.509 certificate"}},
		{"jwk with a damaged x5c", map[string][]byte{"a.jwk": []byte(`{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","x5c":["aGVsbG8="]}`)}, nil, "",
			[]string{`keys/a.jwk: not a valid JWK: an x5c entry is not a certificate: it is damaged, or not the standard base64 of a DER certificate (RFC 7517 §4.7)`}},
		{"two keys in a file", map[string][]byte{"a.pem": append(full, tk.PKCS8(t, other)...)}, nil, "",
			[]string{"keys/a.pem: PEM block 2 (PRIVATE KEY): a second key in the same file; keep one key (and its certificates) per file"}},
		{"symmetric jwk", map[string][]byte{"a.jwk": []byte(`{"kty":"oct","k":"c2VjcmV0"}`)}, nil, "",
			[]string{"keys/a.jwk: symmetric (oct) keys are never published (OpenID Connect Discovery §3)"}},
		{"jwk whose x5c is another key", map[string][]byte{"a.jwk": x5cMismatch(t, other, leafCert)}, nil, "",
			[]string{"keys/a.jwk: not a valid JWK: go-jose/go-jose: invalid JWK, public keys in key and x5c fields do not match"}},
		{"jwk set", map[string][]byte{"a.json": []byte(`{"keys":[]}`)}, nil, "",
			[]string{"keys/a.json: holds a JWK Set; put one key in each file so that site.yaml can name it"}},
		{"encrypted without password", map[string][]byte{"a.pem": encPEM}, nil, "",
			[]string{"keys/a.pem: PEM block 1 (ENCRYPTED SIGSTORE PRIVATE KEY): encrypted private key and WELLKNOWN_KEY_PASSWORD is not set"}},
		{"encrypted wrong password", map[string][]byte{"a.pem": encPEM}, nil, "swordfish",
			[]string{"keys/a.pem: PEM block 1 (ENCRYPTED SIGSTORE PRIVATE KEY): cannot decrypt private key (wrong password in WELLKNOWN_KEY_PASSWORD?)"}},
		{"unsupported pem", map[string][]byte{"a.pem": tk.PEM("DSA PRIVATE KEY", []byte{1})}, nil, "",
			[]string{`keys/a.pem: PEM block 1 (DSA PRIVATE KEY): unsupported PEM block type "DSA PRIVATE KEY"`}},
		{"alg does not fit", map[string][]byte{"a.pem": full},
			[]config.KeySettings{{File: "a.pem", State: config.Active, Alg: "ES384", Pos: map[string]diag.Pos{"alg": {Path: "site.yaml", Line: 4, Col: 10}}}}, "",
			[]string{`site.yaml:4:10: keys/a.pem: alg ES384 does not fit a EC P-256 key with use "sig"; use one of ES256 (RFC 7518 §3.1, §4.1)`}},
		{"settings for a missing file", map[string][]byte{"a.pem": full},
			[]config.KeySettings{{File: "gone.pem", State: config.Active, Pos: map[string]diag.Pos{"": {Path: "site.yaml", Line: 3, Col: 3}}}}, "",
			[]string{"site.yaml:3:3: keys entry gone.pem: no key file of that name in keys"}},
		{"duplicate kid", map[string][]byte{"a.pem": full, "b.pem": tk.PKCS8(t, rsaKey)},
			[]config.KeySettings{{File: "a.pem", State: config.Active, Kid: "same"}, {File: "b.pem", State: config.Active, Kid: "same"}}, "",
			[]string{`keys/b.pem: kid "same" is also the kid of keys/a.pem; kids must be unique in a key set (RFC 7517 §4.5)`}},
		{"every key retired and gone", map[string][]byte{"a.pem": full},
			[]config.KeySettings{{File: "a.pem", State: config.Retired, PublishedUntil: now.Add(-time.Hour)}}, "",
			[]string{"keys: no keys to publish: the key set would be empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, data := range tt.files {
				tk.Write(t, dir, name, data)
			}
			ks, d := load(t, dir, tt.settings, tt.password)
			if ks != nil {
				t.Errorf("keys returned despite errors")
			}
			var got []string
			for _, e := range d.Errors() {
				got = append(got, e.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			for _, e := range got {
				if strings.Contains(e, "MII") || strings.Contains(e, "BEGIN") {
					t.Errorf("error quotes key material: %s", e)
				}
			}
		})
	}
}

func TestEncryptedKeyWithPassword(t *testing.T) {
	k := tk.Ed25519(t)
	pw := func(bool) ([]byte, error) { return []byte("hunter2"), nil }
	cosign, err := cryptoutils.MarshalPrivateKeyToEncryptedDER(k, pw)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8DER, err := pkcs8.MarshalPrivateKey(k, []byte("hunter2"), nil) // PBES2, as openssl genpkey -aes256 writes
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"cosign": tk.PEM(string(cryptoutils.EncryptedSigstorePrivateKeyPEMType), cosign),
		"pkcs8":  tk.PEM("ENCRYPTED PRIVATE KEY", pkcs8DER),
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			tk.Write(t, dir, "signing.key", data)
			ks, d := load(t, dir, nil, "hunter2")
			if d.HasErrors() {
				t.Fatal(d.Err())
			}
			if !ks[0].JWK.Key.(ed25519.PublicKey).Equal(k.Public()) || ks[0].Signer == nil {
				t.Error("decrypted key is not the one written")
			}
			if _, d := load(t, dir, nil, ""); !strings.Contains(d.Err().Error(), "WELLKNOWN_KEY_PASSWORD is not set") {
				t.Errorf("without a password: %v", d.Err())
			}
		})
	}
}

func TestPrivateMembersNeverPublished(t *testing.T) {
	dir := t.TempDir()
	tk.Write(t, dir, "rsa.jwk", tk.JWK(t, tk.RSA(t, 0), ""))
	tk.Write(t, dir, "p256.jwk", tk.JWK(t, tk.EC(t, elliptic.P256()), ""))
	tk.Write(t, dir, "p521.pem", tk.PKCS8(t, tk.EC(t, elliptic.P521())))
	tk.Write(t, dir, "ed.jwk", tk.JWK(t, tk.Ed25519(t), ""))
	ks := mustLoad(t, dir)
	if len(ks) != 4 {
		t.Fatalf("got %d keys", len(ks))
	}
	out, err := json.Marshal(keys.Set(ks))
	if err != nil {
		t.Fatal(err)
	}
	assertNoPrivate(t, out)
	for _, k := range ks {
		if ec, ok := k.Signer.(*ecdsa.PrivateKey); ok && ec.Curve == elliptic.P521() {
			// P-521 coordinates are 66 octets, full length (RFC 7518 §6.2.1.2).
			var set struct{ Keys []map[string]string }
			json.Unmarshal(out, &set)
			for _, j := range set.Keys {
				if j["crv"] == "P-521" {
					x, _ := base64.RawURLEncoding.DecodeString(j["x"])
					if len(x) != 66 {
						t.Errorf("P-521 x is %d octets, want 66", len(x))
					}
				}
			}
		}
	}
}

func TestDemoKeysListed(t *testing.T) {
	var ks []keys.Key
	for _, dir := range []string{"../../keys", "../../examples/multi/keys", "../../examples/multi/globex-keys", "../../examples/multi/federation-keys"} {
		ks = append(ks, mustLoad(t, dir)...)
	}
	if len(ks) != 6 {
		t.Fatalf("%d demo keys, want 6", len(ks))
	}
	for _, k := range ks {
		if !k.Demo {
			t.Errorf("%s (thumbprint %s) is not in demoThumbprints; add it to generator/keys/demo.go", k.File(), k.Thumbprint)
		}
	}
	dir := t.TempDir()
	tk.Write(t, dir, "mine.pem", tk.PKCS8(t, tk.EC(t, elliptic.P256())))
	if mustLoad(t, dir)[0].Demo {
		t.Error("a fresh key is taken for a demo key")
	}
}

// randReader is deterministic filler: the weak key only has to exist.
type randReader struct{}

func (randReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i*7 + 1)
	}
	return len(p), nil
}

// x5cMismatch is a JWK of key whose x5c holds a certificate of another key.
func x5cMismatch(t *testing.T, key *ecdsa.PrivateKey, cert *x509.Certificate) []byte {
	t.Helper()
	var m map[string]any
	json.Unmarshal(tk.JWK(t, &key.PublicKey, ""), &m)
	m["x5c"] = []string{base64.StdEncoding.EncodeToString(cert.Raw)}
	b, _ := json.Marshal(m)
	return b
}

// pemBytes returns the DER bytes of the first PEM block of data.
func pemBytes(t *testing.T, data []byte) []byte {
	b, _ := pem.Decode(data)
	if b == nil {
		t.Fatal("no PEM block")
	}
	return b.Bytes
}
