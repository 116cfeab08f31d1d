package keyops_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wellknown-dev/wellknown/internal/peers"

	"github.com/wellknown-dev/wellknown/generator/config"
	"github.com/wellknown-dev/wellknown/generator/keyops"
	tk "github.com/wellknown-dev/wellknown/internal/testkeys"
)

func runGit(t *testing.T, git, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command(git, append([]string{"-C", dir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func generate(t *testing.T, cfg string) *keyops.Added {
	t.Helper()
	a, d, err := open(t, cfg, "", day).Generate(keyops.NewKey{Type: "ec-p256", State: config.Next, Days: 1})
	noErrors(t, d, err)
	return a
}

// Without git to ask (not on PATH, or no work tree yet, as before git
// init), keys generate writes its own rule into the key directory, once.
func TestGenerateIgnoresPrivateKeyWithoutGit(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	cfg := newSite(t, single, "keys")
	ignore := filepath.Join(filepath.Dir(cfg), "keys", ".gitignore")

	a := generate(t, cfg)
	if a.Private != "keys/ec-p256-20270101.key" || a.Ignored == nil || a.Ignored.Wrote != "keys/.gitignore" || a.Ignored.Rule != "keys/.gitignore: *.key" {
		t.Fatalf("private %q, ignored %+v", a.Private, a.Ignored)
	}
	want := read(t, ignore)
	if !strings.HasSuffix(want, "\n*.key\n") || !strings.HasPrefix(want, "# ") {
		t.Fatalf(".gitignore:\n%s", want)
	}
	if a = generate(t, cfg); a.Ignored.Wrote != "" || a.Ignored.Rule != "keys/.gitignore: *.key" {
		t.Errorf("second run: %+v", a.Ignored)
	}
	if got := read(t, ignore); got != want {
		t.Errorf("second run changed .gitignore:\n%s", got)
	}

	// A run that fails takes back the .gitignore it wrote.
	cfg = newSite(t, single, "keys")
	ignore = filepath.Join(filepath.Dir(cfg), "keys", ".gitignore")
	_, d, err := open(t, cfg, "", day).Generate(keyops.NewKey{Type: "ec-p256", Name: "first.pem", State: config.Next, Days: 1})
	if err != nil || !d.HasErrors() {
		t.Fatalf("want the taken entry refused, got %v, %v", err, d)
	}
	if _, err := os.Stat(ignore); !os.IsNotExist(err) {
		t.Errorf("a refused run left %s: %v", ignore, err)
	}

	// The key directory's own .gitignore gets the rule after its lines.
	cfg = newSite(t, single, "keys")
	ignore = filepath.Join(filepath.Dir(cfg), "keys", ".gitignore")
	tk.Write(t, filepath.Dir(ignore), ".gitignore", []byte("notes.txt"))
	if a = generate(t, cfg); a.Ignored.Wrote != "keys/.gitignore" {
		t.Errorf("ignored %+v", a.Ignored)
	}
	if got := read(t, ignore); !strings.HasPrefix(got, "notes.txt\n\n# ") || !strings.HasSuffix(got, "\n*.key\n") {
		t.Errorf(".gitignore:\n%s", got)
	}
}

// In a work tree, git is asked: a site's rule (wellknown init writes *.key)
// is enough; without one, the key directory gets its own, and git add -A
// then takes the public key and not the private one.
func TestGenerateIgnoresPrivateKeyInGit(t *testing.T) {
	git := peers.Git(t)

	cfg := newSite(t, single, "keys")
	site := filepath.Dir(cfg)
	runGit(t, git, site, "init", "-q")
	tk.Write(t, site, ".gitignore", []byte("/out/\n*.key\n"))
	a := generate(t, cfg)
	if a.Ignored.Wrote != "" || a.Ignored.Rule != ".gitignore:2:*.key" {
		t.Errorf("with the site's rule: %+v", a.Ignored)
	}
	if _, err := os.Stat(filepath.Join(site, "keys", ".gitignore")); !os.IsNotExist(err) {
		t.Errorf("wrote keys/.gitignore beside the site's rule: %v", err)
	}

	cfg = newSite(t, single, "keys")
	site = filepath.Dir(cfg)
	runGit(t, git, site, "init", "-q")
	a = generate(t, cfg)
	if a.Ignored.Wrote != "keys/.gitignore" || a.Ignored.Rule != "keys/.gitignore:4:*.key" || a.Ignored.Not {
		t.Errorf("without a rule: %+v", a.Ignored)
	}
	runGit(t, git, site, "add", "-A")
	files := runGit(t, git, site, "ls-files")
	if !strings.Contains(files, "keys/ec-p256-20270101.pub\n") || strings.Contains(files, ".key") {
		t.Errorf("git add -A took:\n%s", files)
	}
}
