package generator

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/clients"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/sign"
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
	for _, d := range diags.Errors() {
		if d.Path == "signatures/SHA256SUMS" && d.Hint != "" {
			// It lists no per-file signature to leave out.
			t.Errorf("%s: hint %q", d.Pos, d.Hint)
		}
	}
	diags = diag.List{}
	checkSizes([]artifact.Artifact{{Path: "clients.html", Body: big[:25<<20]}}, reg, &diags)
	if diags.HasErrors() {
		t.Errorf("a file of exactly 25 MiB: %v", diags.Err())
	}
}

// TestManifestSizeHint: a per-file manifest too large for a host points to
// signing.per_file: false, with the size it would then have, when that
// fits; a manifest too large even then, or already manifest-only, gets no
// such hint.
func TestManifestSizeHint(t *testing.T) {
	manifest := func(clients int, perFile bool, pad int) []byte {
		var b strings.Builder
		b.WriteString("# version: 1\n# expires: 2027-01-01T00:00:00Z\n")
		digest := strings.Repeat("0", 64)
		for i := range clients {
			p := fmt.Sprintf("clients/client-%06d%s.json", i, strings.Repeat("x", pad))
			fmt.Fprintf(&b, "%s  %s\n", digest, p)
			if perFile {
				fmt.Fprintf(&b, "%s  %s\n%s  %s\n", digest, sign.BundlePath(p), digest, sign.SignaturePath(p))
			}
		}
		return []byte(b.String())
	}
	hint := func(body []byte) string {
		var diags diag.List
		checkSizes([]artifact.Artifact{{Path: sign.ManifestPath, Body: body}}, nil, &diags)
		errs := diags.Errors()
		if len(errs) != 1 {
			t.Fatalf("%d errors for a manifest of %d bytes", len(errs), len(body))
		}
		return errs[0].Hint
	}
	// Like a 100,000-client site: about 33 MB per file, 11 MB without.
	body := manifest(110_000, true, 0)
	only := manifest(110_000, false, 0)
	if len(body) <= 25<<20 || len(only) > 25<<20 {
		t.Fatalf("fixture of %d and %d bytes", len(body), len(only))
	}
	want := fmt.Sprintf("set signing.per_file: false in site.yaml: the manifest then lists the published files alone, %d bytes here, and still covers every one of them; what is lost is checking a single file with cosign without the manifest", len(only))
	if got := hint(body); got != want {
		t.Errorf("hint %q\nwant %q", got, want)
	}
	// Long paths make one too large either way without a million lines.
	if got := hint(manifest(110_000, true, 200)); got != "" {
		t.Errorf("a manifest too large either way: hint %q", got)
	}
	if got := hint(manifest(110_000, false, 200)); got != "" {
		t.Errorf("a manifest-only manifest: hint %q", got)
	}
}
