package peers

import (
	"os"
	"os/exec"
	"testing"
)

// Shell returns the path of a shell (bash, zsh, fish) that the completion
// tests run their scripts in. .ci/install-shells.sh installs zsh and fish;
// under CI=true a missing shell fails the test.
func Shell(t testing.TB, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	const hint = "install it with: bash .ci/install-shells.sh"
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not found on PATH and CI=true; %s", name, hint)
	}
	t.Skipf("%s not found; %s", name, hint)
	return ""
}
