package generator_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/wellknown-dev/wellknown/generator"
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

func noWarnings(t *testing.T, res *generator.Result) {
	t.Helper()
	for _, w := range res.Warnings {
		t.Errorf("the example warns: %s", w)
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
