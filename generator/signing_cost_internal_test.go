package generator

import (
	"crypto/elliptic"
	"fmt"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/generator/artifact"
	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/diag"
	"github.com/wellknown-dev/wellknown/generator/sign"
	tk "github.com/wellknown-dev/wellknown/internal/testkeys"
)

// TestNoteSigningCost: an RSA key signing more than sign.CostlyFiles files
// gets a note, never a warning (--strict must not fail a site whose policy
// requires RSA), with the cost and the two ways out; fewer files, an ECDSA
// or Ed25519 key, or a manifest-only build get nothing.
func TestNoteSigningCost(t *testing.T) {
	rsaKey, err := sign.LoadSigner(tk.Write(t, t.TempDir(), "publisher.key", tk.PKCS8(t, tk.RSA(t, 0))), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := sign.NewSigner(tk.EC(t, elliptic.P256()))
	if err != nil {
		t.Fatal(err)
	}
	rsaInMemory, err := sign.NewSigner(tk.RSA(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	tree := func(files int, perFile bool) []artifact.Artifact {
		var as []artifact.Artifact
		for i := range files {
			p := fmt.Sprintf("clients/c%d.json", i)
			as = append(as, artifact.Artifact{Path: p})
			if perFile {
				as = append(as, artifact.Artifact{Path: sign.SignaturePath(p)}, artifact.Artifact{Path: sign.BundlePath(p)})
			}
		}
		return append(as, artifact.Artifact{Path: sign.ManifestPath}, artifact.Artifact{Path: sign.ManifestSig})
	}
	site := &config.Site{File: "site.yaml"}
	notes := func(as []artifact.Artifact, s *sign.Signer) []diag.Diagnostic {
		var diags diag.List
		noteSigningCost(as, s, site, &diags)
		if diags.HasErrors() {
			t.Fatal(diags.Err())
		}
		return diags.Warnings()
	}

	got := notes(tree(sign.CostlyFiles+1, true), rsaKey)
	if len(got) != 1 || got[0].Severity != diag.Note {
		t.Fatalf("got %v, want one note", got)
	}
	per, _ := sign.SignatureCost(rsaKey.Public())
	for _, want := range []string{
		rsaKey.Ref() + ": note: per-file signing with this RSA 2048 key costs about 1.8 ms of CPU per file",
		fmt.Sprintf("%.1f s for these %d files", (per * (sign.CostlyFiles + 1)).Seconds(), sign.CostlyFiles+1),
		"(P-256: 0.05 ms, Ed25519: 0.04 ms per file)",
		"hint: sign with an ECDSA P-256 or Ed25519 key (see docs/signing.md), or set signing.per_file: false in site.yaml",
	} {
		if !strings.Contains(got[0].String(), want) {
			t.Errorf("note %q\nlacks %q", got[0].String(), want)
		}
	}
	// A key without a reference (made in memory) is named by site.yaml.
	if got := notes(tree(sign.CostlyFiles+1, true), rsaInMemory); len(got) != 1 || got[0].Path != "site.yaml" {
		t.Errorf("in-memory key: %v", got)
	}
	for name, as := range map[string][]artifact.Artifact{
		"few files":     tree(sign.CostlyFiles, true),
		"manifest only": tree(10*sign.CostlyFiles, false),
	} {
		if got := notes(as, rsaKey); len(got) != 0 {
			t.Errorf("%s: %v", name, got)
		}
	}
	if got := notes(tree(sign.CostlyFiles+1, true), ecKey); len(got) != 0 {
		t.Errorf("P-256: %v", got)
	}
	if got := notes(tree(sign.CostlyFiles+1, true), nil); len(got) != 0 {
		t.Errorf("unsigned: %v", got)
	}
}
