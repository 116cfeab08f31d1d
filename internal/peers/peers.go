// Package peers finds the real third-party tools that interop tests run
// against, so that a claim of compatibility is checked by the peer itself.
package peers

import (
	"os"
	"os/exec"
	"testing"
)

// Cosign returns the cosign binary: $WELLKNOWN_COSIGN, else cosign on PATH.
// .ci/install-cosign.sh installs a pinned one and prints its path. In CI
// (CI=true) a missing cosign fails the test: the interop claim must not
// silently go untested.
func Cosign(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("WELLKNOWN_COSIGN"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("WELLKNOWN_COSIGN: %v", err)
		}
		return p
	}
	if p, err := exec.LookPath("cosign"); err == nil {
		return p
	}
	const hint = "install it with: export WELLKNOWN_COSIGN=\"$(bash .ci/install-cosign.sh | tail -n1)\""
	if os.Getenv("CI") == "true" {
		t.Fatal("cosign not found (WELLKNOWN_COSIGN unset, not on PATH) and CI=true; " + hint)
	}
	t.Skip("cosign not found; " + hint)
	return ""
}
