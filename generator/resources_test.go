package generator_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/wellknown-dev/wellknown/generator/resource"
)

// TestResourcePlacement lists where RFC 9728 §3.1 puts each resource's
// metadata, and the resources a site cannot publish.
func TestResourcePlacement(t *testing.T) {
	site := "base_url: https://h.example\nissuers:\n" + issuerEntry("https://h.example/as")
	cases := []struct {
		name, resources string
		paths, errs     []string
	}{
		{
			name:      "resource with a path",
			resources: "  - resource: https://h.example/site/api\n",
			paths:     []string{".well-known/oauth-protected-resource/site/api"},
		},
		{
			name:      "terminating slash removed",
			resources: "  - resource: https://h.example/site/api/v1/\n",
			paths:     []string{".well-known/oauth-protected-resource/site/api/v1"},
		},
		{
			name:      "resource without a path",
			resources: "  - resource: https://h.example\n",
			paths:     []string{".well-known/oauth-protected-resource"},
		},
		{
			name:      "resource on another host",
			resources: "  - resource: https://api.example/site/x\n",
			errs:      []string{"6:5: resource https://api.example/site/x cannot be published here: its metadata belongs at https://api.example/.well-known/oauth-protected-resource/site/x, outside base_url https://h.example (RFC 9728 §3.1)\n\thint: list resources of the host this site is served from, or publish this one from its own host"},
		},
		{
			name:      "one resource below another",
			resources: "  - resource: https://h.example/site/api\n  - resource: https://h.example/site/api/v2\n",
			errs:      []string{"7:5: resource https://h.example/site/api/v2 needs /.well-known/oauth-protected-resource/site/api as a directory for /.well-known/oauth-protected-resource/site/api/v2, but resource https://h.example/site/api (site.yaml:6:5) publishes a file there\n\thint: a static file tree cannot hold both: publish one of them from another host, or under another path"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			config := placementSite(t, site+"resources:\n"+tc.resources)
			res, err := buildErr(config)
			if tc.errs != nil {
				if got := errorLines(err, config); !slices.Equal(got, tc.errs) {
					t.Errorf("errors (%v):\n%s\nwant:\n%s", err, strings.Join(got, "\n"), strings.Join(tc.errs, "\n"))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range res.Artifacts {
				if strings.Contains(a.Path, resource.WellKnownName) && !strings.HasPrefix(a.Path, "immutable/") {
					got = append(got, a.Path)
					if ct := a.Header.Get("Content-Type"); ct != "application/json" {
						t.Errorf("%s: Content-Type %q", a.Path, ct)
					}
				}
			}
			if !slices.Equal(got, tc.paths) {
				t.Errorf("published %v, want %v", got, tc.paths)
			}
		})
	}
}

// TestResourceSignedMetadata verifies the example's signed resource
// metadata with go-jose against the attesting issuer's published key set,
// and checks that its claims are the document's, with iss the issuer.
func TestResourceSignedMetadata(t *testing.T) {
	res := build(t, "../examples/multi/site.yaml")
	files := map[string][]byte{}
	for _, a := range res.Artifacts {
		files[a.Path] = a.Body
	}
	var doc map[string]any
	if err := json.Unmarshal(files[".well-known/oauth-protected-resource/mcp"], &doc); err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(files["jwks.json"], &set); err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSignedCompact(doc["signed_metadata"].(string), []jose.SignatureAlgorithm{jose.ES256, jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	keys := set.Key(jws.Signatures[0].Header.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q is not in the acme issuer's key set", jws.Signatures[0].Header.KeyID)
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		t.Fatalf("signed_metadata does not verify: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	if claims["iss"] != "https://id.example.com/t/acme" {
		t.Errorf("iss %v", claims["iss"])
	}
	delete(claims, "iss")
	delete(doc, "signed_metadata")
	got, _ := json.Marshal(claims)
	want, _ := json.Marshal(doc)
	if string(got) != string(want) {
		t.Errorf("claims differ from the document:\n%s\n%s", got, want)
	}
}
