package generator_test

import (
	"crypto/elliptic"
	"encoding/json"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/wellknown-dev/wellknown/generator"
	"github.com/wellknown-dev/wellknown/generator/keys"
	tk "github.com/wellknown-dev/wellknown/internal/testkeys"
)

// TestSignedMetadataFromEnv: signed_metadata.key env:NAME signs with a PEM
// from the environment, whose key is in no file: it joins the JWK Set from
// its public key, and the JWT verifies with it.
func TestSignedMetadataFromEnv(t *testing.T) {
	config, _ := testSite(t, "https://login.example.com/tenant")
	appendFile(t, config, "signed_metadata:\n  key: env:META_KEY\n  openid: false\n")
	priv := tk.EC(t, elliptic.P256())
	env := map[string]string{"META_KEY": string(tk.PKCS8(t, priv))}
	res, err := generator.Build(generator.Options{Config: config, Now: clock, Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(artifactAt(t, res.Artifacts, "jwks.json"), &set); err != nil {
		t.Fatal(err)
	}
	kid, err := keys.Thumbprint(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 5 || len(set.Key(kid)) != 1 {
		t.Fatalf("JWK Set has %d keys, want the 4 files' and the env key %s", len(set.Keys), kid)
	}
	var doc map[string]any
	if err := json.Unmarshal(artifactAt(t, res.Artifacts, ".well-known/oauth-authorization-server/tenant"), &doc); err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSignedCompact(doc["signed_metadata"].(string), []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	if h := jws.Signatures[0].Header; h.KeyID != kid {
		t.Errorf("kid %q, want %q", h.KeyID, kid)
	}
	if _, err := jws.Verify(set.Key(kid)[0]); err != nil {
		t.Error(err)
	}
	for _, a := range res.Artifacts {
		if strings.Contains(string(a.Body), "PRIVATE KEY") {
			t.Errorf("%s holds a private key", a.Path)
		}
	}

	// Unset: an error at the setting, naming the variable.
	_, err = generator.Build(generator.Options{Config: config, Now: clock, Getenv: func(string) string { return "" }})
	if err == nil || !strings.Contains(err.Error(), "site.yaml:10:8: signed_metadata.key: env:META_KEY: environment variable META_KEY is not set or empty") {
		t.Errorf("error %v", err)
	}
}
