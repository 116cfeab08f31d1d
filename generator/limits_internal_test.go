package generator

import (
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/clients"
	"github.com/wellknown-dev/wellknown/generator/diag"
)

// TestCheckSizes: a file over Cloudflare Pages' 25 MiB fails the build,
// named by its client file when a client's document is too large.
func TestCheckSizes(t *testing.T) {
	big := make([]byte, 25<<20+1)
	reg := &clients.Registry{Clients: []clients.Client{{Shown: clients.Summary{Source: "clients/huge.yaml"}, Path: "clients/huge.json"}}}
	var diags diag.List
	checkSizes([]artifact.Artifact{
		{Path: "jwks.json", Body: []byte("{}")},
		{Path: "clients/huge.json", Body: big},
		{Path: "signatures/SHA256SUMS", Body: big},
	}, reg, &diags)
	var got []string
	for _, d := range diags.Errors() {
		got = append(got, d.Error())
	}
	want := []string{
		"clients/huge.yaml: the document clients/huge.json is 26214401 bytes; Cloudflare Pages serves files of at most 26214400 bytes (developers.cloudflare.com/pages/platform/limits/#file-size)",
		"signatures/SHA256SUMS: the file is 26214401 bytes; Cloudflare Pages serves files of at most 26214400 bytes (developers.cloudflare.com/pages/platform/limits/#file-size)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	diags = diag.List{}
	checkSizes([]artifact.Artifact{{Path: "clients.html", Body: big[:25<<20]}}, reg, &diags)
	if diags.HasErrors() {
		t.Errorf("a file of exactly 25 MiB: %v", diags.Err())
	}
}
