package generator_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/wellknown-dev/wellknown/generator/publish"
)

// TestEd25519AlgRefused proves what the build's warning on alg: Ed25519
// says, with the real go-oidc: a site that publishes its Ed25519 key as
// alg Ed25519 (RFC 9864) builds, but go-oidc refuses the tokens signed as
// the site says, while the same key published as EdDSA verifies.
func TestEd25519AlgRefused(t *testing.T) {
	for _, alg := range []string{"Ed25519", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			var files http.Handler
			srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { files.ServeHTTP(w, r) }))
			defer srv.Close()
			config, signers := testSite(t, srv.URL)
			site, err := os.ReadFile(config)
			if err != nil {
				t.Fatal(err)
			}
			site = []byte(strings.Replace(string(site), "EdDSA", alg, 1) + "keys:\n  ed.pem: {alg: " + alg + "}\n")
			if err := os.WriteFile(config, site, 0o644); err != nil {
				t.Fatal(err)
			}
			res := build(t, config)
			warned := false
			for _, w := range res.Warnings {
				warned = warned || strings.Contains(w.Msg, "alg Ed25519 (RFC 9864) is refused by go-oidc")
			}
			if warned != (alg == "Ed25519") {
				t.Errorf("alg %s: warned %v", alg, warned)
			}
			out := filepath.Join(t.TempDir(), "out")
			if err := publish.Write(out, res.Artifacts); err != nil {
				t.Fatal(err)
			}
			files = http.FileServer(http.Dir(out))

			ctx := oidc.ClientContext(context.Background(), srv.Client())
			provider, err := oidc.NewProvider(ctx, srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			// A relying party that accepts every algorithm the site
			// advertises: go-oidc keeps those it implements.
			verifier := provider.Verifier(&oidc.Config{ClientID: "client-1", Now: func() time.Time { return clock }})
			var kid string
			for _, k := range res.Keys {
				if filepath.Base(k.File()) == "ed.pem" {
					kid = k.JWK.KeyID
				}
			}
			// Signed as the JWKS says: its alg in the header. go-jose has no
			// signer for the name Ed25519, so the JWS is put together here;
			// the signature itself is the one EdDSA makes (RFC 9864 §2).
			raw := compactJWS(t, signers["ed.pem"].(ed25519.PrivateKey), alg, kid, map[string]any{
				"iss": srv.URL, "sub": "alice", "aud": "client-1",
				"iat": clock.Unix(), "exp": clock.Add(time.Hour).Unix(),
			})
			_, err = verifier.Verify(ctx, raw)
			switch {
			case alg == "Ed25519" && err == nil:
				t.Error("go-oidc accepted an Ed25519 token: the warning is stale")
			case alg == "Ed25519" && !strings.Contains(err.Error(), `unexpected signature algorithm "Ed25519"`):
				t.Errorf("go-oidc refused the token for another reason than its alg: %v", err)
			case alg == "EdDSA" && err != nil:
				t.Errorf("go-oidc refused an EdDSA token: %v", err)
			}
			t.Logf("go-oidc on alg %s: %v", alg, err)
		})
	}
}

func compactJWS(t *testing.T, key ed25519.PrivateKey, alg, kid string, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	input := enc(map[string]string{"alg": alg, "kid": kid, "typ": "JWT"}) + "." + enc(claims)
	return input + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(key, []byte(input)))
}
