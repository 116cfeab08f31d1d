// Package workflows tests the GitHub Actions files: the Pages workflow and
// the composite action that site repositories use. actionlint (run by
// .ci/run) checks their syntax; these tests check what they promise.
package workflows

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const root = "../.."

type step struct {
	Name string            `yaml:"name"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	If   string            `yaml:"if"`
	With map[string]string `yaml:"with"`
	Env  map[string]string `yaml:"env"`
}

type workflow struct {
	On struct {
		Push     any `yaml:"push"`
		Schedule []struct {
			Cron string `yaml:"cron"`
		} `yaml:"schedule"`
	} `yaml:"on"`
	Jobs map[string]struct {
		Steps []step `yaml:"steps"`
	} `yaml:"jobs"`
}

type action struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []step `yaml:"steps"`
	} `yaml:"runs"`
}

func load(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, path))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

var pinned = regexp.MustCompile(`^[^@]+@[0-9a-f]{40}$`)

// checkSteps asserts what both files promise of their steps: every action
// pinned by commit, no upload-pages-artifact (whose v4 drops dotfiles), and
// the Pages artifact uploaded only after a step that requires /.well-known/.
// It returns the packaging and checking scripts.
func checkSteps(t *testing.T, name string, steps []step) (pack, require string) {
	t.Helper()
	uploaded := false
	for _, s := range steps {
		if s.Uses != "" && !strings.HasPrefix(s.Uses, "./") && !pinned.MatchString(s.Uses) {
			t.Errorf("%s: %s is not pinned to a commit", name, s.Uses)
		}
		if strings.HasPrefix(s.Uses, "actions/upload-pages-artifact@") {
			t.Errorf("%s uses %s: its v4 leaves /.well-known/ out", name, s.Uses)
		}
		switch {
		case strings.Contains(s.Run, "artifact.tar\" .") && strings.Contains(s.Run, "tar "):
			pack = s.Run
		case strings.Contains(s.Run, "tar -tf"):
			if pack == "" {
				t.Errorf("%s: %q runs before the artifact is packed", name, s.Name)
			}
			require = s.Run
		case strings.HasPrefix(s.Uses, "actions/upload-artifact@"):
			if s.With["name"] != "github-pages" || !strings.HasSuffix(s.With["path"], "/artifact.tar") {
				t.Errorf("%s: upload-artifact with %v, want name github-pages and path …/artifact.tar", name, s.With)
			}
			if require == "" {
				t.Errorf("%s: the artifact is uploaded before any step requires /.well-known/ in it", name)
			}
			uploaded = true
		}
	}
	if !uploaded || pack == "" || require == "" {
		t.Fatalf("%s: no Pages artifact packed, checked and uploaded", name)
	}
	if strings.Contains(pack, "--exclude") {
		t.Errorf("%s: the artifact excludes files: %s", name, pack)
	}
	return pack, require
}

func TestPagesWorkflow(t *testing.T) {
	var w workflow
	load(t, ".github/workflows/pages.yml", &w)
	if w.On.Push == nil {
		t.Error("pages.yml does not run on push")
	}
	if len(w.On.Schedule) != 1 || len(strings.Fields(w.On.Schedule[0].Cron)) != 5 ||
		!strings.HasSuffix(w.On.Schedule[0].Cron, " * * *") {
		t.Errorf("pages.yml schedule %+v, want one daily cron", w.On.Schedule)
	}
	var steps []step
	for _, j := range w.Jobs {
		steps = append(steps, j.Steps...)
	}
	pack, require := checkSteps(t, "pages.yml", steps)
	runArtifactSteps(t, pack, require, "out")
}

func TestAction(t *testing.T) {
	var a action
	load(t, "action.yml", &a)
	if a.Runs.Using != "composite" {
		t.Fatalf("action.yml runs using %q, want composite", a.Runs.Using)
	}
	if d := a.Inputs["version"].Default; d != "" {
		t.Errorf("version defaults to %q: it must be the pinned ref", d)
	}
	// Install a pinned wellknown, then check, diff and build, in order.
	var order []string
	for _, s := range a.Runs.Steps {
		for _, cmd := range []struct{ name, run string }{
			{"install", `go install "github.com/wellknown-dev/wellknown/cmd/wellknown@$v"`},
			{"check", "wellknown check "}, {"diff", "wellknown diff "}, {"build", "wellknown build "},
		} {
			if strings.Contains(s.Run, cmd.run) {
				order = append(order, cmd.name)
			}
		}
	}
	if got := strings.Join(order, " "); got != "install check diff build" {
		t.Errorf("action.yml runs %q, want install check diff build", got)
	}
	for _, s := range a.Runs.Steps {
		if strings.Contains(s.Run, "go install") {
			runInstallGuard(t, s.Run)
		}
	}
	pack, require := checkSteps(t, "action.yml", a.Runs.Steps)
	runArtifactSteps(t, pack, require, "site-out")
}

// bash runs a step's script as GitHub Actions runs a bash step.
func bash(t *testing.T, dir, script string, env ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// runArtifactSteps runs the packaging and checking scripts on a tree with
// /.well-known/, which must pass, then the check alone on an artifact made
// without dotfiles, as upload-pages-artifact v4 makes it, which must fail.
func runArtifactSteps(t *testing.T, pack, require, out string) {
	t.Helper()
	if _, err := exec.LookPath("tar"); err != nil {
		t.Skip("no tar")
	}
	dir, tmp := t.TempDir(), t.TempDir()
	for p, body := range map[string]string{
		".nojekyll":                                     "",
		".well-known/openid-configuration":              "{}",
		".well-known/oauth-authorization-server/tenant": "{}",
		"jwks.json":                                     `{"keys":[]}`,
	} {
		f := filepath.Join(dir, out, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"RUNNER_TEMP=" + tmp, "OUT=" + out}
	if o, err := bash(t, dir, pack, env...); err != nil {
		t.Fatalf("packing: %v\n%s", err, o)
	}
	if o, err := bash(t, dir, require, env...); err != nil {
		t.Fatalf("a full artifact fails the check: %v\n%s", err, o)
	}
	// What upload-pages-artifact v4 packs: no hidden files.
	if o, err := bash(t, dir, `tar --exclude='.[^/]*' --directory "$OUT" -cf "$RUNNER_TEMP/artifact.tar" .`, env...); err != nil {
		t.Fatalf("%v\n%s", err, o)
	}
	o, err := bash(t, dir, require, env...)
	if err == nil {
		t.Fatalf("an artifact without dotfiles passes the check:\n%s", o)
	}
	if !strings.Contains(o, "::error::the Pages artifact lacks") {
		t.Errorf("the check fails without saying why:\n%s", o)
	}
}

// runInstallGuard runs the install step with go replaced by a stub that
// records its arguments: a release tag or commit is installed, a branch is
// refused before go runs.
func runInstallGuard(t *testing.T, script string) {
	t.Helper()
	bin, tmp := t.TempDir(), t.TempDir()
	stub := "#!/bin/sh\necho \"go $*\" >> \"$RUNNER_TEMP/go.log\"\n"
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		version, ref string
		ok           bool
	}{
		{"v1.2.3", "", true},
		{"", "0123456789abcdef0123456789abcdef01234567", true},
		{"", "main", false},
		{"latest", "", false},
		{"", "", false},
	} {
		os.Remove(filepath.Join(tmp, "go.log"))
		env := []string{"PATH=" + bin + ":" + os.Getenv("PATH"), "RUNNER_TEMP=" + tmp,
			"GITHUB_PATH=" + filepath.Join(tmp, "path"), "VERSION=" + tc.version, "ACTION_REF=" + tc.ref}
		o, err := bash(t, tmp, script, env...)
		log, _ := os.ReadFile(filepath.Join(tmp, "go.log"))
		if tc.ok {
			want := "@" + tc.version + tc.ref
			if err != nil || !strings.Contains(string(log), "install github.com/wellknown-dev/wellknown/cmd/wellknown"+want) {
				t.Errorf("version %q ref %q: %v %s %s", tc.version, tc.ref, err, o, log)
			}
		} else if err == nil || len(log) > 0 || !strings.Contains(o, "not pinned") {
			t.Errorf("version %q ref %q was not refused: %v %s %s", tc.version, tc.ref, err, o, log)
		}
	}
}
