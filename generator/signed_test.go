package generator_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/wellknown-dev/wellknown/generator/artifact"
)

func artifactAt(t *testing.T, as []artifact.Artifact, path string) []byte {
	t.Helper()
	for _, a := range as {
		if a.Path == path {
			return a.Body
		}
	}
	t.Fatalf("no artifact %s", path)
	return nil
}

// TestSignedMetadata signs the metadata with each key type and verifies the
// JWT with go-jose against the published JWK Set (RFC 8414 §2.1).
func TestSignedMetadata(t *testing.T) {
	for _, tc := range []struct{ file, alg string }{
		{"ec.pem", "ES256"}, {"p521.pem", "ES512"}, {"ed.pem", "EdDSA"}, {"rsa.pem", "RS256"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			config, _ := testSite(t, "https://login.example.com/tenant")
			appendFile(t, config, "signed_metadata:\n  key: "+tc.file+"\n  openid: false\n")
			res := build(t, config)
			oauth := artifactAt(t, res.Artifacts, ".well-known/oauth-authorization-server/tenant")
			var doc map[string]any
			if err := json.Unmarshal(oauth, &doc); err != nil {
				t.Fatal(err)
			}
			raw, _ := doc["signed_metadata"].(string)
			jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(tc.alg)})
			if err != nil {
				t.Fatalf("signed_metadata is not a compact JWS: %v", err)
			}
			var set jose.JSONWebKeySet
			json.Unmarshal(artifactAt(t, res.Artifacts, "jwks.json"), &set)
			keys := set.Key(jws.Signatures[0].Header.KeyID)
			if len(keys) != 1 {
				t.Fatalf("kid %q is not in the published JWK Set", jws.Signatures[0].Header.KeyID)
			}
			payload, err := jws.Verify(keys[0])
			if err != nil {
				t.Fatalf("signed_metadata does not verify with the published key: %v", err)
			}
			var claims map[string]any
			json.Unmarshal(payload, &claims)
			if claims["iss"] != "https://login.example.com/tenant" {
				t.Errorf("iss = %v", claims["iss"])
			}
			if _, nested := claims["signed_metadata"]; nested {
				t.Error("signed_metadata nests itself (RFC 8414 §2.1 says it should not)")
			}
			delete(doc, "signed_metadata")
			delete(claims, "iss")
			a, _ := json.Marshal(doc)
			b, _ := json.Marshal(claims)
			if !bytes.Equal(a, b) {
				t.Errorf("claims differ from the document:\n%s\n%s", b, a)
			}
			if oidc := artifactAt(t, res.Artifacts, "tenant/.well-known/openid-configuration"); bytes.Contains(oidc, []byte("signed_metadata")) {
				t.Error("openid: false, yet the OpenID document is signed")
			}
			if again := build(t, config); !bytes.Equal(artifactAt(t, again.Artifacts, ".well-known/oauth-authorization-server/tenant"), oauth) {
				t.Error("signed metadata differs between two builds")
			}
		})
	}
}

func TestSignedMetadataErrors(t *testing.T) {
	for _, tc := range []struct{ extra, want string }{
		{"signed_metadata:\n  key: nope.pem\n", "site.yaml:10:8: signed_metadata.key nope.pem: no published key of that name in keys"},
		{"signed_metadata:\n  key: ec.pem\nkeys:\n  ec.pem: {state: retired, published_until: 2030-01-01}\n", "site.yaml:10:8: signed_metadata.key ec.pem is retired; sign with an active key"},
		{"signed_metadata: {openid: true}\n", "site.yaml:9:1: signed_metadata.key is required: the key file whose private key signs the metadata"},
	} {
		config, _ := testSite(t, "https://login.example.com")
		appendFile(t, config, tc.extra)
		_, err := buildErr(config)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v\nwant %s", err, tc.want)
		}
	}
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}
