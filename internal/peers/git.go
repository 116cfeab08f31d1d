package peers

import (
	"os"
	"os/exec"
	"testing"
)

// Git returns the path of git for a test that asks real git what it would
// commit, with the user's and the system's configuration shut out (a
// global excludes file would answer for it). Under CI=true a missing git
// fails the test.
func Git(t testing.TB) string {
	t.Helper()
	git, err := exec.LookPath("git")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git not on PATH and CI=true")
		}
		t.Skip("git not on PATH")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", home)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	return git
}
