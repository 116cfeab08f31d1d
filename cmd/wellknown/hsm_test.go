//go:build cgo

package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/internal/peers"
)

// A wrong PIN, a missing module or object: exit 1, the URI named without
// the PIN.
func TestBuildPKCS11ExitStatus(t *testing.T) {
	tok := peers.SoftHSM(t, "site")
	tok.KeyPair(t, "EC:prime256v1", "publisher", "01")
	out := filepath.Join(t.TempDir(), "out")
	for name, uri := range map[string]string{
		"wrong PIN":      tok.URI("publisher", "pin-value=0000"),
		"missing object": tok.URI("nope", "pin-value=0000"),
		"missing module": "pkcs11:token=site;object=publisher?module-path=/nonexistent/lib.so&pin-value=0000",
	} {
		code, _, stderr := runCLI(context.Background(), "build", "--config", "../../site.yaml", "--out", out, "--sign-key", uri)
		if code != exitInvalid || strings.Contains(stderr, "0000") || !strings.Contains(stderr, "pkcs11:token=") {
			t.Errorf("%s: exit %d, stderr %q; want 1, the URI without the PIN", name, code, stderr)
		}
	}
}
