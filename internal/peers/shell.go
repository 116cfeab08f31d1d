package peers

import "testing"

// Shell returns the path of a shell (bash, zsh, fish) that the completion
// tests run their scripts in. .ci/install-shells.sh installs zsh and fish;
// under CI=true a missing shell fails the test.
func Shell(t testing.TB, name string) string {
	t.Helper()
	return onPath(t, name, "install it with: bash .ci/install-shells.sh")
}
