package gitignore_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/internal/peers"

	"github.com/wellknown-dev/wellknown/internal/gitignore"
)

var rule = gitignore.Rule{Pattern: "*.key", Comment: []string{"private keys"}}

func shown(name string) string { return "keys/" + name }

// A rule of the user's that includes the key again is overridden by the
// rule Keep adds after it, and git then names that rule.
func TestKeepOverridesAnInclusion(t *testing.T) {
	_, repo := peers.GitRepo(t)
	dir := filepath.Join(repo, "keys")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mine := "*.key\n!signing.key\n"
	if err := os.WriteFile(filepath.Join(dir, ".gitignore"), []byte(mine), 0o644); err != nil {
		t.Fatal(err)
	}
	kept, undo, err := gitignore.Keep(dir, "signing.key", rule, shown)
	if err != nil {
		t.Fatal(err)
	}
	if kept.Wrote != "keys/.gitignore" || kept.Rule != "keys/.gitignore:5:*.key" || kept.Not {
		t.Errorf("kept %+v", kept)
	}
	b, _ := os.ReadFile(filepath.Join(dir, ".gitignore"))
	if want := mine + "\n# private keys\n*.key\n"; string(b) != want {
		t.Errorf(".gitignore:\n%s\nwant:\n%s", b, want)
	}
	undo()
	if b, _ := os.ReadFile(filepath.Join(dir, ".gitignore")); string(b) != mine {
		t.Errorf("undo left:\n%s", b)
	}
}

// Without git the rule is written once, and a refused command takes back
// the .gitignore it made.
func TestKeepWithoutGit(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	dir := t.TempDir()
	kept, undo, err := gitignore.Keep(dir, "a.key", rule, shown)
	if err != nil || kept.Wrote != "keys/.gitignore" || kept.Rule != "keys/.gitignore: *.key" {
		t.Fatalf("kept %+v, %v", kept, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, ".gitignore")); string(b) != "# private keys\n*.key\n" {
		t.Errorf(".gitignore:\n%s", b)
	}
	again, _, err := gitignore.Keep(dir, "b.key", rule, shown)
	if err != nil || again.Wrote != "" || !strings.HasSuffix(again.Rule, ": *.key") {
		t.Errorf("second: %+v, %v", again, err)
	}
	undo()
	if _, err := os.Stat(filepath.Join(dir, ".gitignore")); !os.IsNotExist(err) {
		t.Errorf("undo left the .gitignore: %v", err)
	}
}
