package immutable_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/immutable"
)

func paths(as []artifact.Artifact) []string {
	var ps []string
	for _, a := range as {
		ps = append(ps, a.Path)
	}
	return ps
}

func TestAdd(t *testing.T) {
	meta := []byte(`{"issuer":"https://example.com/tenant"}`)
	in := []artifact.Artifact{
		{Path: "tenant/jwks.json", Body: []byte(`{"keys":[]}`)},
		{Path: ".well-known/oauth-authorization-server/tenant", Body: meta},
		{Path: "tenant/.well-known/openid-configuration", Body: meta},
		{Path: "clients/cli.json", Body: []byte(`{}`)},
	}
	got, err := immutable.Add(in)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		".well-known/oauth-authorization-server/tenant",
		"clients/cli.json",
		"digests.json",
		"immutable/jwks.9638d11914735d00.json",
		"immutable/oauth-authorization-server.fbf88d4f6cf7fb7a.json",
		"immutable/openid-configuration.fbf88d4f6cf7fb7a.json",
		"tenant/.well-known/openid-configuration",
		"tenant/jwks.json",
	}
	if !slices.Equal(paths(got), want) {
		t.Fatalf("paths:\n%q\nwant\n%q", paths(got), want)
	}
	var idx immutable.Index
	for _, a := range got {
		if a.Path == immutable.IndexPath {
			if err := json.Unmarshal(a.Body, &idx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(idx.Documents) != 3 || idx.Documents[0].Path != ".well-known/oauth-authorization-server/tenant" {
		t.Fatalf("index: %+v", idx)
	}
	byPath := map[string][]byte{}
	for _, a := range got {
		byPath[a.Path] = a.Body
	}
	for _, e := range idx.Documents {
		if !bytes.Equal(byPath[e.Copy], byPath[e.Path]) || len(e.SHA256) != 64 || e.Copy != immutable.CopyPath(e.Path, byPath[e.Path]) {
			t.Errorf("entry %+v does not point to a copy of its document", e)
		}
	}
	// Deterministic whatever order render used.
	slices.Reverse(in)
	again, _ := immutable.Add(in)
	for i := range got {
		if got[i].Path != again[i].Path || !bytes.Equal(got[i].Body, again[i].Body) {
			t.Errorf("%s differs when the input order changes", got[i].Path)
		}
	}
}

func TestAddReserved(t *testing.T) {
	for _, p := range []string{"immutable/x.json", immutable.IndexPath} {
		if _, err := immutable.Add([]artifact.Artifact{{Path: p}}); err == nil {
			t.Errorf("%s: want an error", p)
		}
	}
}

// Which documents get a copy does not depend on what the issuer's path looks
// like, and the federation statement, a JWT, never gets a .json copy.
func TestChanging(t *testing.T) {
	for p, want := range map[string]bool{
		".well-known/oauth-authorization-server/realms/my.realm": true,
		"realms/my.realm/.well-known/openid-configuration":       true,
		".well-known/oauth-protected-resource/api/v1.2":          true,
		"realms/my.realm/jwks.json":                              true,
		".well-known/openid-federation":                          false,
		"tenant/.well-known/openid-federation":                   false,
		"clients/cli.json":                                       false,
		"immutable/jwks.9638d11914735d00.json":                   false,
	} {
		if got := immutable.Changing(p); got != want {
			t.Errorf("Changing(%q) = %v, want %v", p, got, want)
		}
	}
	if got := immutable.CopyPath(".well-known/oauth-authorization-server/realms/my.realm", nil); !strings.HasPrefix(got, "immutable/oauth-authorization-server.") {
		t.Errorf("copy of the dotted issuer's metadata is %s", got)
	}
}

// The key set gets its copy wherever it is published: the kind says what it
// is when the path (kube-apiserver's openid/v1/jwks) does not.
func TestAddKeySetAnyPath(t *testing.T) {
	body := []byte(`{"keys":[]}`)
	got, err := immutable.Add([]artifact.Artifact{
		{Path: "openid/v1/jwks", Body: body, Kind: artifact.KeySet},
		{Path: "clients/jwks-like", Body: body},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"clients/jwks-like", "digests.json", "immutable/jwks.9638d11914735d00.json", "openid/v1/jwks"}
	if !slices.Equal(paths(got), want) {
		t.Fatalf("paths:\n%q\nwant\n%q", paths(got), want)
	}
	for _, a := range got {
		if immutable.IsCopy(a.Path) && a.Kind != artifact.KeySet {
			t.Errorf("the copy %s lost its kind", a.Path)
		}
	}
}
