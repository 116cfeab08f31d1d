package generator_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/wellknown-dev/wellknown/generator/check"
)

// TestEntityConfiguration verifies the example's entity configuration with
// go-jose against the federation JWK Set inside it, and checks its header
// and claims against the build's clock.
func TestEntityConfiguration(t *testing.T) {
	res := build(t, "../examples/multi/site.yaml")
	files := map[string][]byte{}
	for _, a := range res.Artifacts {
		files[a.Path] = a.Body
		if a.Path == "t/acme/.well-known/openid-federation" && a.Header.Get("Content-Type") != "application/entity-statement+jwt" {
			t.Errorf("Content-Type %q", a.Header.Get("Content-Type"))
		}
	}
	body, ok := files["t/acme/.well-known/openid-federation"]
	if !ok {
		t.Fatal("no entity configuration at /t/acme/.well-known/openid-federation")
	}
	jws, err := jose.ParseSignedCompact(string(body), []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	h := jws.Signatures[0].Header
	if typ := h.ExtraHeaders[jose.HeaderType]; typ != "entity-statement+jwt" {
		t.Errorf("typ %v", typ)
	}
	if h.Algorithm == "none" || h.KeyID == "" {
		t.Errorf("alg %q kid %q", h.Algorithm, h.KeyID)
	}
	var claims struct {
		Iss, Sub       string
		Iat, Exp       int64
		JWKS           jose.JSONWebKeySet `json:"jwks"`
		Metadata       map[string]map[string]any
		AuthorityHints []string `json:"authority_hints"`
	}
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &claims); err != nil {
		t.Fatal(err)
	}
	keys := claims.JWKS.Key(h.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q is not in the statement's jwks", h.KeyID)
	}
	if _, err := jws.Verify(keys[0]); err != nil {
		t.Fatalf("signature does not verify with the federation jwks: %v", err)
	}
	const entity = "https://id.example.com/t/acme"
	if claims.Iss != entity || claims.Sub != entity {
		t.Errorf("iss %q sub %q, want %s", claims.Iss, claims.Sub, entity)
	}
	if claims.Iat != clock.Unix() || claims.Exp != clock.Add(24*time.Hour).Unix() {
		t.Errorf("iat %d exp %d, want the clock %d and a day later", claims.Iat, claims.Exp, clock.Unix())
	}
	if got := claims.Metadata["openid_provider"]["issuer"]; got != entity {
		t.Errorf("openid_provider issuer %v", got)
	}
	if got := claims.Metadata["federation_entity"]["organization_name"]; got != "Acme" {
		t.Errorf("federation_entity %v", claims.Metadata["federation_entity"])
	}
	if len(claims.AuthorityHints) != 1 {
		t.Errorf("authority_hints %v", claims.AuthorityHints)
	}
	for _, k := range res.Keys {
		if k.JWK.KeyID == h.KeyID {
			t.Errorf("the federation key %s is also a protocol key", h.KeyID)
		}
	}
	if problems := check.Tree(files); len(problems) > 0 {
		t.Errorf("verify's content check fails the example: %v", problems)
	}
	// Another clock, another statement; the same clock, the same bytes.
	again := build(t, "../examples/multi/site.yaml")
	for _, a := range again.Artifacts {
		if a.Path == "t/acme/.well-known/openid-federation" && string(a.Body) != string(body) {
			t.Error("two builds with one clock give different entity configurations")
		}
	}
}
