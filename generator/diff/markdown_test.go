package diff_test

import (
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/diff"
)

// TestAttention: endpoint changes of the /.well-known/ metadata and every
// key change are called out; a URL in another document is not, and a
// hostile value stays inside its code span.
func TestAttention(t *testing.T) {
	tree := func(meta, jwks, other string) diff.Tree {
		return diff.Tree{Files: map[string]diff.File{
			".well-known/openid-configuration": {Body: []byte(meta)},
			"jwks.json":                        {Body: []byte(jwks)},
			"clients/a.json":                   {Body: []byte(other)},
		}}
	}
	old := tree(`{"issuer":"https://a.example","token_endpoint":"https://a.example/t","userinfo_endpoint":"https://a.example/u","scopes_supported":["openid"]}`,
		`{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k1","x":"1"}]}`, `{"logo_uri":"https://a.example/1.png"}`)
	new := tree(`{"issuer":"https://a.example","token_endpoint":"https://a.example/t2","scopes_supported":["openid","email"],"x":"`+"`<b>@team`"+`"}`,
		`{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k2","x":"2"}]}`, `{"logo_uri":"https://b.example/2.png"}`)
	r := diff.Trees(old, new)
	want := []string{
		"endpoint `token_endpoint` changes: `https://a.example/t` → `https://a.example/t2` in `/.well-known/openid-configuration`",
		"endpoint `userinfo_endpoint` removed (was `https://a.example/u`) in `/.well-known/openid-configuration`",
		"key `k1` removed (was `OKP Ed25519`) from `/jwks.json`",
		"key `k2` added: `OKP Ed25519` in `/jwks.json`",
	}
	if got := r.Attention(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var b strings.Builder
	r.WriteMarkdown(&b, []string{"site.yaml:1:1: warning: `x`"})
	for _, s := range []string{"``\"`<b>@team`\"``", "- `` site.yaml:1:1: warning: `x` ``\n"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("no %q in\n%s", s, b.String())
		}
	}
}
