package generator_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/check"
	"github.com/wellknown-dev/wellknown/generator/publish"
	tk "github.com/wellknown-dev/wellknown/internal/testkeys"
	"github.com/wellknown-dev/wellknown/serve"
)

// The examples users copy: each builds without a warning, and its published
// tree is pinned. Run with -update after a deliberate change and review the
// diff.
func TestKubernetesGolden(t *testing.T) {
	res := build(t, "../examples/kubernetes/site.yaml")
	noWarnings(t, res)
	checkGolden(t, res, filepath.Join("testdata", "golden", "kubernetes"))
}

func TestWSO2Golden(t *testing.T) {
	res := build(t, "../examples/wso2/site.yaml")
	noWarnings(t, res)
	checkGolden(t, res, filepath.Join("testdata", "golden", "wso2"))
}

// noWarnings also reads the tree as verify and import do, without its
// inputs: the extensionless key sets are key sets there too.
func noWarnings(t *testing.T, res *generator.Result) {
	t.Helper()
	for _, w := range res.Warnings {
		t.Errorf("the example warns: %s", w)
	}
	files := map[string][]byte{}
	for _, a := range res.Artifacts {
		files[a.Path] = a.Body
	}
	for _, p := range check.Tree(files) {
		t.Errorf("check: %s", p)
	}
}

// kubeKid is how kube-apiserver names a service-account key
// (pkg/serviceaccount/jwt.go keyIDFromPublicKey), computed here on its own
// rather than with the code under test.
func kubeKid(t *testing.T, pub crypto.PublicKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// serveBuilt publishes a build into a directory and serves it over TLS with
// the production headers (wellknown serve's handler, which reads _headers).
func serveBuilt(t *testing.T, srv *httptest.Server, files *http.Handler, res *generator.Result) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	if err := publish.Write(out, res.Artifacts); err != nil {
		t.Fatal(err)
	}
	h, err := serve.New(out, log.New(io.Discard, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	*files = h
}

// TestKubernetesRelyingParty is the example as a cluster runs it: the
// site.yaml of examples/kubernetes with the issuer of a test server and a
// fresh sa.pub whose private half signs a service-account token as
// kube-apiserver does (RS256, kid by the kubernetes scheme). go-oidc, the
// relying party, discovers the issuer, fetches the extensionless JWKS and
// verifies the token; a token of another key is refused.
func TestKubernetesRelyingParty(t *testing.T) {
	var files http.Handler
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { files.ServeHTTP(w, r) }))
	defer srv.Close()

	yaml, err := os.ReadFile("../examples/kubernetes/site.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	config := tk.Write(t, dir, "site.yaml", []byte(strings.ReplaceAll(string(yaml), "https://oidc.k8s.example.com", srv.URL)))
	sa := tk.RSA(t, 0)
	der, err := x509.MarshalPKIXPublicKey(&sa.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	tk.Write(t, filepath.Join(dir, "keys"), "sa.pub", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	res := build(t, config)
	noWarnings(t, res)
	serveBuilt(t, srv, &files, res)

	ctx := oidc.ClientContext(context.Background(), srv.Client())
	p, err := oidc.NewProvider(ctx, srv.URL)
	if err != nil {
		t.Fatalf("go-oidc cannot discover the service-account issuer: %v", err)
	}
	var meta map[string]any
	if err := p.Claims(&meta); err != nil {
		t.Fatal(err)
	}
	if meta["jwks_uri"] != srv.URL+"/openid/v1/jwks" {
		t.Errorf("jwks_uri %v, want kube-apiserver's path", meta["jwks_uri"])
	}
	for _, absent := range []string{"authorization_endpoint", "token_endpoint"} {
		if _, ok := meta[absent]; ok {
			t.Errorf("the document has %s, which kube-apiserver's has not", absent)
		}
	}
	res2, err := srv.Client().Get(srv.URL + "/openid/v1/jwks")
	if err != nil {
		t.Fatal(err)
	}
	res2.Body.Close()
	if ct := res2.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("the JWKS is served as %q", ct)
	}
	if res, _ := srv.Client().Get(srv.URL + "/.well-known/oauth-authorization-server"); res == nil || res.StatusCode != http.StatusNotFound {
		t.Errorf("an RFC 8414 document is served for an issuer without endpoints: %v", res)
	}

	// A projected service-account token for AWS STS, as kube-apiserver
	// signs it.
	sign := func(k *rsa.PrivateKey) string {
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: k},
			(&jose.SignerOptions{}).WithHeader("kid", kubeKid(t, &k.PublicKey)).WithType("JWT"))
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		tok, err := jwt.Signed(s).Claims(jwt.Claims{
			Issuer: srv.URL, Subject: "system:serviceaccount:default:app", Audience: jwt.Audience{"sts.amazonaws.com"},
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Hour)),
		}).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	v := p.Verifier(&oidc.Config{ClientID: "sts.amazonaws.com"})
	idt, err := v.Verify(ctx, sign(sa))
	if err != nil {
		t.Fatalf("go-oidc refuses the service-account token: %v", err)
	}
	if idt.Subject != "system:serviceaccount:default:app" {
		t.Errorf("subject %q", idt.Subject)
	}
	if _, err := v.Verify(ctx, sign(tk.RSA(t, 1))); err == nil {
		t.Error("a token signed with another key verifies")
	}

	// The kid published is the one kube-apiserver puts in its tokens.
	var set jose.JSONWebKeySet
	for _, a := range res.Artifacts {
		if a.Path == "openid/v1/jwks" {
			if err := json.Unmarshal(a.Body, &set); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(set.Keys) != 1 || set.Keys[0].KeyID != kubeKid(t, &sa.PublicKey) {
		t.Errorf("published keys %+v, want one with kid %s", set.Keys, kubeKid(t, &sa.PublicKey))
	}
}

// TestWSO2RelyingParty serves the WSO2 example under a test server's name,
// the super tenant with the example's own certificate and acme.com with a
// fresh one whose key signs an ID token as WSO2 does (RS256, kid the
// certificate's x5t). go-oidc discovers each tenant at its issuer, reads its
// extensionless JWKS and verifies the token.
func TestWSO2RelyingParty(t *testing.T) {
	var files http.Handler
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { files.ServeHTTP(w, r) }))
	defer srv.Close()

	yaml, err := os.ReadFile("../examples/wso2/site.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	config := tk.Write(t, dir, "site.yaml", []byte(strings.ReplaceAll(string(yaml), "https://is.example.com", srv.URL)))
	super, err := os.ReadFile("../examples/wso2/tenants/carbon.super/wso2carbon.crt")
	if err != nil {
		t.Fatal(err)
	}
	tk.Write(t, filepath.Join(dir, "tenants", "carbon.super"), "wso2carbon.crt", super)
	key := tk.RSA(t, 2)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "is.example.com", Organization: []string{"acme.com"}},
		NotBefore: clock.AddDate(-1, 0, 0), NotAfter: time.Now().AddDate(1, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	tk.Write(t, filepath.Join(dir, "tenants", "acme.com"), "wso2carbon.crt", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	res := build(t, config)
	noWarnings(t, res)
	serveBuilt(t, srv, &files, res)
	ctx := oidc.ClientContext(context.Background(), srv.Client())

	providers := map[string]*oidc.Provider{}
	for _, tenant := range []string{"carbon.super", "acme.com"} {
		iss := srv.URL + "/t/" + tenant + "/oauth2/token"
		p, err := oidc.NewProvider(ctx, iss)
		if err != nil {
			t.Fatalf("go-oidc cannot discover tenant %s: %v", tenant, err)
		}
		providers[tenant] = p
		var meta struct {
			JWKSURI string `json:"jwks_uri"`
		}
		if err := p.Claims(&meta); err != nil {
			t.Fatal(err)
		}
		if want := srv.URL + "/t/" + tenant + "/oauth2/jwks"; meta.JWKSURI != want {
			t.Errorf("%s: jwks_uri %s, want %s", tenant, meta.JWKSURI, want)
		}
		if p.Endpoint().TokenURL != iss {
			t.Errorf("%s: token endpoint %s, want the issuer, as WSO2 has it", tenant, p.Endpoint().TokenURL)
		}
		r, err := srv.Client().Get(meta.JWKSURI)
		if err != nil {
			t.Fatal(err)
		}
		var set jose.JSONWebKeySet
		err = json.NewDecoder(r.Body).Decode(&set)
		r.Body.Close()
		if err != nil || len(set.Keys) != 1 {
			t.Fatalf("%s: key set %+v: %v", tenant, set, err)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: the extensionless JWKS is served as %q", tenant, ct)
		}
		// The kid is the x5t of the certificate, computed here on its own.
		sum := sha1.Sum(set.Keys[0].Certificates[0].Raw)
		if want := base64.RawURLEncoding.EncodeToString(sum[:]); set.Keys[0].KeyID != want {
			t.Errorf("%s: kid %s, want the certificate's x5t %s", tenant, set.Keys[0].KeyID, want)
		}
	}

	sum := sha1.Sum(der)
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithHeader("kid", base64.RawURLEncoding.EncodeToString(sum[:])).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	iss := srv.URL + "/t/acme.com/oauth2/token"
	tok, err := jwt.Signed(s).Claims(jwt.Claims{Issuer: iss, Subject: "alice@acme.com", Audience: jwt.Audience{"app"},
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Hour))}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := providers["acme.com"].Verifier(&oidc.Config{ClientID: "app"}).Verify(ctx, tok); err != nil {
		t.Errorf("go-oidc refuses acme.com's ID token: %v", err)
	}
	// Tenants are apart: the super tenant has not the key, nor the issuer.
	if _, err := providers["carbon.super"].Verifier(&oidc.Config{ClientID: "app", SkipIssuerCheck: true}).Verify(ctx, tok); err == nil {
		t.Error("the super tenant verifies acme.com's token")
	}
}

// TestExampleGenerators runs each example's generate.go, as its README line
// says, into a copy of the example, which then builds with the fresh keys
// and publishes them under the example's kid scheme.
func TestExampleGenerators(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go test runs go, which is not on PATH: %v", err)
	}
	for _, tc := range []struct {
		example string
		files   []string // what generate.go writes, below the copy
		kid     func(t *testing.T, file []byte) string
	}{
		{"kubernetes", []string{"keys/sa.pub"}, func(t *testing.T, b []byte) string {
			blk, _ := pem.Decode(b)
			pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			return kubeKid(t, pub)
		}},
		{"wso2", []string{"tenants/carbon.super/wso2carbon.crt", "tenants/acme.com/wso2carbon.crt"}, func(t *testing.T, b []byte) string {
			blk, _ := pem.Decode(b)
			sum := sha1.Sum(blk.Bytes)
			return base64.RawURLEncoding.EncodeToString(sum[:])
		}},
	} {
		t.Run(tc.example, func(t *testing.T) {
			dir := t.TempDir()
			yaml, err := os.ReadFile(filepath.Join("..", "examples", tc.example, "site.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			config := tk.Write(t, dir, "site.yaml", yaml)
			cmd := exec.Command(goCmd, "run", filepath.Join("..", "examples", tc.example, "generate.go"), dir)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("go run generate.go: %v\n%s", err, out)
			}
			res := build(t, config)
			noWarnings(t, res)
			published := map[string]bool{}
			for _, k := range res.Keys {
				published[k.JWK.KeyID] = true
			}
			for _, f := range tc.files {
				b, err := os.ReadFile(filepath.Join(dir, f))
				if err != nil {
					t.Fatal(err)
				}
				if bytes.Contains(b, []byte("PRIVATE KEY")) {
					t.Errorf("%s holds a private key: the examples hold public halves only", f)
				}
				if kid := tc.kid(t, b); !published[kid] {
					t.Errorf("%s: kid %s is not published (%v)", f, kid, published)
				}
			}
			if len(res.Keys) != len(tc.files) {
				t.Errorf("%d keys published, want %d", len(res.Keys), len(tc.files))
			}
		})
	}
}
