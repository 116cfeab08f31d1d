package headers_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/headers"
)

func TestContentType(t *testing.T) {
	for p, want := range map[string]string{
		".well-known/openid-configuration":              headers.JSON,
		".well-known/oauth-authorization-server":        headers.JSON,
		".well-known/oauth-authorization-server/tenant": headers.JSON,
		"tenant/.well-known/openid-configuration":       headers.JSON,
		".well-known/oauth-protected-resource/api":      headers.JSON,
		".well-known/openid-federation":                 headers.EntityStatement,
		// An issuer's or resource's path may hold dots: a Keycloak realm
		// "my.realm", an API "v1.2". Only an appended name must come last.
		".well-known/oauth-authorization-server/realms/my.realm": headers.JSON,
		".well-known/openid-configuration/realms/my.realm":       headers.JSON,
		"realms/my.realm/.well-known/openid-configuration":       headers.JSON,
		".well-known/oauth-protected-resource/api/v1.2":          headers.JSON,
		"tenant/.well-known/openid-configuration/extra":          "",
		"tenant/.well-known/openid-configuration.json":           headers.JSON,
		"jwks.json":                             headers.JSON,
		"clients/cli.json":                      headers.JSON,
		"immutable/jwks.0123456789abcdef.json":  headers.JSON,
		"jwks.json.sig":                         headers.Text,
		"publisher.pub":                         headers.Text,
		"keys/signing.pem":                      headers.Text,
		"metadata.jwt":                          headers.JWT,
		".well-known/unknown":                   "",
		".well-known/openid-configuration.html": "",
		"notes":                                 "",
	} {
		if got := headers.ContentType(p); got != want {
			t.Errorf("ContentType(%q) = %q, want %q", p, got, want)
		}
	}
}

func TestApply(t *testing.T) {
	as := []artifact.Artifact{
		{Path: ".well-known/openid-configuration"},
		{Path: "immutable/jwks.0123456789abcdef.json"},
		{Path: "entity", Header: http.Header{"Content-Type": {"application/x-custom"}}},
	}
	got, err := headers.Apply(as, headers.DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	if as[0].Header != nil {
		t.Error("Apply changed its input")
	}
	want := []http.Header{
		{"Content-Type": {"application/json"}, "Cache-Control": {"public, max-age=300, stale-while-revalidate=600"},
			"Access-Control-Allow-Origin": {"*"}, "X-Content-Type-Options": {"nosniff"}},
		{"Content-Type": {"application/json"}, "Cache-Control": {"public, max-age=31536000, immutable"},
			"Access-Control-Allow-Origin": {"*"}, "X-Content-Type-Options": {"nosniff"}},
		{"Content-Type": {"application/x-custom"}, "Cache-Control": {"public, max-age=300, stale-while-revalidate=600"},
			"Access-Control-Allow-Origin": {"*"}, "X-Content-Type-Options": {"nosniff"}},
	}
	for i, a := range got {
		for k, v := range want[i] {
			if a.Header.Get(k) != v[0] || len(a.Header) != len(want[i]) {
				t.Errorf("%s: %s = %q, want %q (all: %v)", a.Path, k, a.Header.Get(k), v[0], a.Header)
			}
		}
	}
	if !strings.Contains(got[0].Header.Get("Cache-Control"), "stale-while-revalidate") ||
		strings.Contains(got[0].Header.Get("Cache-Control"), "immutable") {
		t.Error("a rotating document must not be immutable")
	}
}

func TestApplyUnknownType(t *testing.T) {
	_, err := headers.Apply([]artifact.Artifact{{Path: "notes.xyz"}}, headers.DefaultPolicy())
	if err == nil || !strings.Contains(err.Error(), "notes.xyz") {
		t.Errorf("want an error naming the file, got %v", err)
	}
}

func TestPolicy(t *testing.T) {
	p := headers.Policy{MaxAge: time.Minute}
	p.ImmutableMaxAge = time.Hour
	if got := p.CacheControl(false); got != "public, max-age=60" {
		t.Errorf("without stale-while-revalidate: %q", got)
	}
	for _, bad := range []headers.Policy{
		{MaxAge: -time.Second},
		{MaxAge: 1500 * time.Millisecond, ImmutableMaxAge: time.Hour},
		{MaxAge: time.Hour, ImmutableMaxAge: time.Minute},
	} {
		if bad.Validate() == nil {
			t.Errorf("%+v: want an error", bad)
		}
		if _, err := headers.Apply(nil, bad); err == nil {
			t.Errorf("Apply with %+v: want an error", bad)
		}
	}
}

// A JWK Set is served as one at any jwks_path: the renderer marks it, and
// the mark wins over a path that has no extension or a misleading one.
func TestApplyKeySetAnyPath(t *testing.T) {
	as := []artifact.Artifact{
		{Path: "openid/v1/jwks", Kind: artifact.KeySet},
		{Path: "t/acme/oauth2/jwks", Kind: artifact.KeySet},
		{Path: "keys.txt", Kind: artifact.KeySet},
		{Path: "openid/v1/jwks.sig"},
	}
	got, err := headers.Apply(as, headers.DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{headers.JSON, headers.JSON, headers.JSON, headers.Text} {
		if ct := got[i].Header.Get("Content-Type"); ct != want {
			t.Errorf("%s: Content-Type %q, want %q", got[i].Path, ct, want)
		}
	}
	// Unmarked, the same extensionless path is still refused: a new kind of
	// output cannot be served as whatever a host guesses.
	if _, err := headers.Apply([]artifact.Artifact{{Path: "openid/v1/jwks"}}, headers.DefaultPolicy()); err == nil {
		t.Error("an unmarked extensionless file got a type")
	}
}
