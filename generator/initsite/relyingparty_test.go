package initsite

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
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

	"github.com/wellknown-dev/wellknown/generator/keys"
	"github.com/wellknown-dev/wellknown/generator/publish"
)

// The split init makes works end to end: go-oidc discovers the built site
// over TLS and accepts an ID token signed with the private key init put in
// private/, through the public key in keys/ alone.
func TestNewSiteWithRelyingParty(t *testing.T) {
	var files http.Handler
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { files.ServeHTTP(w, r) }))
	defer srv.Close()
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	fs, err := New(Options{Issuer: srv.URL, OpenID: true, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write(t, dir, fs)
	res := buildClean(t, dir)
	out := filepath.Join(dir, "out")
	if err := publish.Write(out, res.Artifacts); err != nil {
		t.Fatal(err)
	}
	files = http.FileServer(http.Dir(out))

	var priv []byte
	for _, f := range fs {
		if strings.HasPrefix(f.Path, PrivateDir+"/") {
			priv, _ = os.ReadFile(filepath.Join(dir, f.Path))
		}
	}
	b, _ := pem.Decode(priv)
	if b == nil {
		t.Fatal("no PEM in the private key file")
	}
	parsed, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	signerKey := parsed.(crypto.Signer)
	ctx := oidc.ClientContext(context.Background(), srv.Client())
	provider, err := oidc.NewProvider(ctx, srv.URL)
	if err != nil {
		t.Fatalf("go-oidc cannot discover the site: %v", err)
	}
	verifier := provider.Verifier(&oidc.Config{ClientID: "app", Now: func() time.Time { return now }})
	sign := func(k crypto.Signer, kid string) string {
		s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: k, KeyID: kid}}, (&jose.SignerOptions{}).WithType("JWT"))
		if err != nil {
			t.Fatal(err)
		}
		raw, err := jwt.Signed(s).Claims(jwt.Claims{Issuer: srv.URL, Subject: "alice", Audience: jwt.Audience{"app"},
			IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Hour))}).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	kid := res.Keys[0].JWK.KeyID
	if _, err := verifier.Verify(ctx, sign(signerKey, kid)); err != nil {
		t.Fatalf("go-oidc rejects a token signed with init's private key: %v", err)
	}
	other, _ := keys.Generate("rsa-2048")
	if _, err := verifier.Verify(ctx, sign(other, kid)); err == nil {
		t.Error("a token signed by another key verified")
	}
}
