package peers

import (
	"os/exec"
	"testing"
)

// Git returns the path of git for a test that asks real git what it would
// commit, with the user's and the system's configuration shut out (a
// global excludes file would answer for it). Under CI=true a missing git
// fails the test.
func Git(t testing.TB) string {
	t.Helper()
	git := onPath(t, "git", "install it with: apt-get install git")
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", home)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	return git
}

// GitRepo is Git, with a new repository to ask it about.
func GitRepo(t testing.TB) (git, repo string) {
	t.Helper()
	git, repo = Git(t), t.TempDir()
	if out, err := exec.Command(git, "-C", repo, "init", "-q").CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	return git, repo
}
