//go:build cgo

package generator_test

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/keyref"
	"github.com/wellknown-dev/wellknown/generator/keys"
	"github.com/wellknown-dev/wellknown/generator/publish"
	"github.com/wellknown-dev/wellknown/generator/sign"
	"github.com/wellknown-dev/wellknown/internal/peers"
	tk "github.com/wellknown-dev/wellknown/internal/testkeys"
)

// hsmSite copies examples/multi into a temporary directory and points every
// signing setting at a key of a fresh SoftHSM2 token: signed_metadata of the
// acme issuer (P-256, with a self-signed certificate beside it in keys/ for
// x5c), the resource's signed_metadata (RSA-2048, published from the token
// alone) and the federation statement (P-256, with no file at all).
func hsmSite(t *testing.T) (config string, tok *peers.Token, getenv func(string) string) {
	t.Helper()
	tok = peers.SoftHSM(t, "wellknown")
	tok.KeyPair(t, "EC:prime256v1", "publisher", "01")
	tok.KeyPair(t, "rsa:2048", "publisher-rsa", "02")
	tok.KeyPair(t, "EC:prime256v1", "metadata", "03")
	tok.KeyPair(t, "rsa:2048", "resource", "04")
	tok.KeyPair(t, "EC:prime256v1", "federation", "05")
	env := map[string]string{"WELLKNOWN_PIN": tok.PIN}
	getenv = func(k string) string { return env[k] }

	dir := t.TempDir()
	src := "../examples/multi"
	for _, f := range []string{"site.yaml", "keys/ec.pem", "keys/rsa.pem", "globex-keys/rsa.pem"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		tk.Write(t, filepath.Dir(filepath.Join(dir, f)), filepath.Base(f), b)
	}
	// The federation keys are all in the token: no directory.
	uri := func(object string) string { return `"` + tok.URI(object, "pin-source=env:WELLKNOWN_PIN") + `"` }
	site, err := os.ReadFile(filepath.Join(dir, "site.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(site)
	s = strings.Replace(s, "signed_metadata:\n      key: ec.pem", "signed_metadata:\n      key: "+uri("metadata"), 1)
	s = strings.Replace(s, "signed_metadata:\n      key: ec.pem", "signed_metadata:\n      key: "+uri("resource"), 1)
	s = strings.Replace(s, "key_dir: federation-keys", "key_dir: federation-keys\n  signing_key: "+uri("federation"), 1)
	if strings.Count(s, "pkcs11:") != 3 {
		t.Fatalf("site.yaml of examples/multi changed shape:\n%s", s)
	}
	config = tk.Write(t, dir, "site.yaml", []byte(s))

	// A certificate for the metadata key, made by the token itself, sits in
	// keys/ so the published JWK carries x5c.
	k, err := keyref.Open(strings.Trim(uri("metadata"), `"`), keyref.Options{Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	cert, err := keys.SelfSign(k.Signer, "CN=metadata signer", clock, 365)
	if err != nil {
		t.Fatal(err)
	}
	tk.Write(t, filepath.Join(dir, "keys"), "metadata.crt", cert)
	return config, tok, getenv
}

// TestHSMBuild signs a whole tree, signed_metadata and the federation
// statement with keys that never leave a SoftHSM2 token, and checks every
// signature: the JWTs with go-jose against the published keys, the tree with
// Verify and with the real cosign.
func TestHSMBuild(t *testing.T) {
	config, tok, getenv := hsmSite(t)
	for _, publisher := range []string{"publisher", "publisher-rsa"} {
		t.Run(publisher, func(t *testing.T) {
			signer, err := sign.LoadSigner(tok.URI(publisher, "pin-source=env:WELLKNOWN_PIN"), getenv)
			if err != nil {
				t.Fatal(err)
			}
			defer signer.Close()
			if want := publisher == "publisher-rsa"; signer.Deterministic() != want {
				t.Errorf("Deterministic() = %v for %s", signer.Deterministic(), publisher)
			}
			res, err := generator.Build(generator.Options{Config: config, Now: clock, Getenv: getenv, Signer: signer})
			if err != nil {
				t.Fatal(err)
			}
			files := map[string][]byte{}
			for _, a := range res.Artifacts {
				files[a.Path] = a.Body
				if bytes.Contains(a.Body, []byte(tok.PIN)) && strings.Contains(string(a.Body), "pin") {
					t.Errorf("%s mentions the PIN", a.Path)
				}
			}
			checkHSMJWTs(t, files)
			rep := sign.Verify(files, sign.VerifyOptions{Key: signer.Public()})
			if rep.Status() != sign.Valid {
				t.Fatalf("verify: %v %v", rep.Status(), rep.Problems)
			}
			cosignHSM(t, res, signer)
		})
	}
}

func checkHSMJWTs(t *testing.T, files map[string][]byte) {
	t.Helper()
	var jwks jose.JSONWebKeySet
	if err := json.Unmarshal(files["jwks.json"], &jwks); err != nil {
		t.Fatal(err)
	}
	verify := func(name, compact string, set jose.JSONWebKeySet) jose.JSONWebKey {
		t.Helper()
		jws, err := jose.ParseSignedCompact(compact, []jose.SignatureAlgorithm{jose.ES256, jose.RS256})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ks := set.Key(jws.Signatures[0].Header.KeyID)
		if len(ks) != 1 {
			t.Fatalf("%s: kid %q is not published", name, jws.Signatures[0].Header.KeyID)
		}
		if _, err := jws.Verify(ks[0]); err != nil {
			t.Fatalf("%s does not verify with its published key: %v", name, err)
		}
		return ks[0]
	}
	var doc map[string]any
	if err := json.Unmarshal(files["t/acme/.well-known/openid-configuration"], &doc); err != nil {
		t.Fatal(err)
	}
	sm, _ := doc["signed_metadata"].(string)
	k := verify("the issuer's signed_metadata", sm, jwks)
	if k.Algorithm != "ES256" || len(k.Certificates) != 1 || !strings.Contains(k.Certificates[0].Subject.String(), "metadata signer") {
		t.Errorf("the metadata key is published as alg %s with %d certificates; want ES256 and the certificate from keys/", k.Algorithm, len(k.Certificates))
	}
	if err := json.Unmarshal(files[".well-known/oauth-protected-resource/mcp"], &doc); err != nil {
		t.Fatal(err)
	}
	sm, _ = doc["signed_metadata"].(string)
	if k := verify("the resource's signed_metadata", sm, jwks); k.Algorithm != "RS256" {
		t.Errorf("the token's RSA key is published as %s", k.Algorithm)
	}
	stmt := string(files["t/acme/.well-known/openid-federation"])
	jws, err := jose.ParseSignedCompact(stmt, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		JWKS jose.JSONWebKeySet `json:"jwks"`
	}
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &claims); err != nil {
		t.Fatal(err)
	}
	if len(claims.JWKS.Keys) != 1 {
		t.Errorf("the statement publishes %d federation keys; want the token's one", len(claims.JWKS.Keys))
	}
	verify("the entity configuration", stmt, claims.JWKS)
}

// cosignHSM has the real cosign check the manifest and a few files against
// the token key's publisher.pub.
func cosignHSM(t *testing.T, res *generator.Result, signer *sign.Signer) {
	t.Helper()
	cosign := peers.Cosign(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	if err := publish.Write(out, res.Artifacts); err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(signer.Public())
	if err != nil {
		t.Fatal(err)
	}
	trusted := tk.Write(t, dir, "trusted.pub", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	for _, blob := range []string{sign.ManifestPath, "jwks.json", "t/acme/.well-known/openid-configuration", "t/acme/.well-known/openid-federation"} {
		sig := sign.ManifestSig
		if blob != sign.ManifestPath {
			sig = sign.SignaturePath(blob)
		}
		cmd := exec.Command(cosign, "verify-blob", "--key", trusted, "--insecure-ignore-tlog=true",
			"--signature", filepath.Join(out, sig), filepath.Join(out, blob))
		cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "TUF_ROOT="+t.TempDir())
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("cosign verify-blob %s: %v\n%s", blob, err, b)
		}
	}
	// A changed byte fails.
	path := filepath.Join(out, "jwks.json")
	b, _ := os.ReadFile(path)
	os.WriteFile(path, append(b, ' '), 0o644)
	cmd := exec.Command(cosign, "verify-blob", "--key", trusted, "--insecure-ignore-tlog=true",
		"--signature", filepath.Join(out, sign.SignaturePath("jwks.json")), path)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "TUF_ROOT="+t.TempDir())
	if err := cmd.Run(); err == nil {
		t.Error("cosign accepts a changed jwks.json")
	}
}
