package workflows

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/wellknown-dev/wellknown/generator/initsite"
)

// The pull-request summary is two workflows: clients-pr.yml, which any pull
// request may change and which therefore gets only read permissions, and
// clients-pr-comment.yml, which runs from the default branch with the write
// permission and so must run nothing of the pull request.

type prStep struct {
	Name string            `yaml:"name"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	Dir  string            `yaml:"working-directory"`
	With map[string]string `yaml:"with"`
	Env  map[string]string `yaml:"env"`
}

type prWorkflow struct {
	Name        string         `yaml:"name"`
	On          map[string]any `yaml:"on"`
	Permissions map[string]any `yaml:"permissions"`
	Jobs        map[string]struct {
		Permissions map[string]string `yaml:"permissions"`
		Steps       []prStep          `yaml:"steps"`
	} `yaml:"jobs"`
}

const (
	baseSHA = "${{ github.event.pull_request.base.sha }}"
	headSHA = "${{ github.event.pull_request.head.sha }}"
)

var goCommand = regexp.MustCompile(`\bgo (build|run|install|test|generate|tool)\b`)

func parsePR(t *testing.T, name string, data []byte) prWorkflow {
	t.Helper()
	var w prWorkflow
	if err := yaml.Unmarshal(data, &w); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(w.Permissions) != 0 {
		t.Errorf("%s: workflow permissions %v, want {} (each job says what it needs)", name, w.Permissions)
	}
	return w
}

// TestPRSummaryWorkflow: the summary job only reads, builds wellknown from
// the base before the pull request is checked out, checks the pull request
// out as data without credentials, and runs nothing built from it. The
// repository's file and what init writes for a site are both checked.
func TestPRSummaryWorkflow(t *testing.T) {
	repo, err := os.ReadFile(filepath.Join(root, ".github/workflows/clients-pr.yml"))
	if err != nil {
		t.Fatal(err)
	}
	site, err := initsite.RenderWorkflow("workflow-clients.yml.tmpl", initsite.SiteInstall("v1.2.3"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"clients-pr.yml": repo, "a site's clients-pr.yml": site} {
		w := parsePR(t, name, data)
		if _, ok := w.On["pull_request"]; !ok || len(w.On) != 1 {
			t.Errorf("%s: on %v, want pull_request alone (never pull_request_target)", name, w.On)
		}
		for jn, j := range w.Jobs {
			if j.Permissions["contents"] != "read" {
				t.Errorf("%s: job %s: permissions %v, want contents: read", name, jn, j.Permissions)
			}
			for p, v := range j.Permissions {
				if v != "read" {
					t.Errorf("%s: job %s has %s: %s; it may only read", name, jn, p, v)
				}
			}
			var basePath string
			built, headOut, uploaded := false, false, false
			for _, s := range j.Steps {
				if s.Uses != "" && !pinned.MatchString(s.Uses) {
					t.Errorf("%s: %s is not pinned to a commit", name, s.Uses)
				}
				switch {
				case strings.HasPrefix(s.Uses, "actions/checkout@"):
					if s.With["persist-credentials"] != "false" {
						t.Errorf("%s: checkout %q keeps the token in .git/config", name, s.Name)
					}
					switch s.With["ref"] {
					case baseSHA:
						basePath = s.With["path"]
					case headSHA:
						if !built {
							t.Errorf("%s: the pull request is checked out before wellknown is built from the base", name)
						}
						if s.With["path"] == "" || s.With["path"] == basePath {
							t.Errorf("%s: the pull request is checked out over the base (path %q)", name, s.With["path"])
						}
						headOut = true
					default:
						t.Errorf("%s: checkout of %q, want the base or head commit", name, s.With["ref"])
					}
				case strings.HasPrefix(s.Uses, "actions/upload-artifact@"):
					uploaded = s.With["name"] == "pr-summary"
				case s.Uses != "":
					if !strings.HasPrefix(s.Uses, "actions/setup-go@") {
						t.Errorf("%s: unexpected action %s", name, s.Uses)
					}
				case goCommand.MatchString(s.Run):
					if headOut {
						t.Errorf("%s: %q runs go after the pull request is checked out", name, s.Name)
					}
					if basePath == "" || s.Dir != basePath || !strings.Contains(s.Run, `"$RUNNER_TEMP`) {
						t.Errorf("%s: %q builds wellknown outside the base checkout %q (in %q)", name, s.Name, basePath, s.Dir)
					}
					built = true
				case headOut && strings.Contains(s.Run, "wellknown ") && !strings.Contains(s.Run, `"$RUNNER_TEMP/wellknown" `):
					t.Errorf("%s: %q runs a wellknown other than the base's", name, s.Name)
				}
				if headOut && strings.Contains(s.Run, "diff --markdown") && s.Env["PR"] != "${{ github.event.pull_request.number }}" {
					t.Errorf("%s: the summary step does not record the pull request number", name)
				}
			}
			if !built || !headOut || !uploaded {
				t.Errorf("%s: built from the base %v, checked out the pull request %v, uploaded pr-summary %v", name, built, headOut, uploaded)
			}
		}
	}
}

// TestPRCommentWorkflow: the job that may write checks out nothing, uses no
// action but download-artifact, and reads the artifact only as text. Its
// script is then run on hostile artifacts against a stub gh.
func TestPRCommentWorkflow(t *testing.T) {
	var summary prWorkflow
	load(t, ".github/workflows/clients-pr.yml", &summary)
	data, err := os.ReadFile(filepath.Join(root, ".github/workflows/clients-pr-comment.yml"))
	if err != nil {
		t.Fatal(err)
	}
	w := parsePR(t, "clients-pr-comment.yml", data)
	run, _ := w.On["workflow_run"].(map[string]any)
	if len(w.On) != 1 || run == nil {
		t.Fatalf("on %v, want workflow_run alone", w.On)
	}
	if wf, _ := run["workflows"].([]any); len(wf) != 1 || wf[0] != summary.Name {
		t.Errorf("workflow_run of %v, want [%s]", run["workflows"], summary.Name)
	}
	var script string
	for jn, j := range w.Jobs {
		for p, v := range j.Permissions {
			if v != "read" && p != "pull-requests" {
				t.Errorf("job %s has %s: %s", jn, p, v)
			}
		}
		for _, s := range j.Steps {
			switch {
			case strings.HasPrefix(s.Uses, "actions/download-artifact@"):
				if s.With["run-id"] != "${{ github.event.workflow_run.id }}" {
					t.Errorf("download-artifact of run %q, want the triggering run", s.With["run-id"])
				}
			case s.Uses != "":
				// actions/checkout above all: no pull request code, no
				// local action (./...), which would come from a checkout.
				t.Errorf("the privileged job uses %s", s.Uses)
			}
			for _, bad := range []string{"eval ", "source ", "bash ", "sh ", "chmod", ". \"", "./", "exec "} {
				if strings.Contains(s.Run, bad) {
					t.Errorf("the privileged job's %q contains %q", s.Name, bad)
				}
			}
			// The artifact is only read: by head -c and wc -c.
			for _, m := range regexp.MustCompile(`.{0,20}"\$SUMMARY/`).FindAllString(s.Run, -1) {
				if !regexp.MustCompile(`(head -c \S+|wc -c <) "\$SUMMARY/$`).MatchString(m) {
					t.Errorf("the artifact is used other than read: %q", m)
				}
			}
			if strings.Contains(s.Run, "gh api") {
				script = s.Run
			}
		}
	}
	if script == "" {
		t.Fatal("no step posts the comment")
	}
	runComment(t, script)
}

// runComment runs the posting script with gh replaced by a stub.
func runComment(t *testing.T, script string) {
	const marker = "<!-- wellknown-pr-summary -->"
	bin := t.TempDir()
	stub := `#!/bin/sh
echo "$*" >> "$GH_LOG"
case "$*" in
  *"-X PATCH"*|*"-X POST"*) for a; do case "$a" in body=@*) cp "${a#body=@}" "$GH_BODY";; esac; done ;;
  *"/files"*) printf '%s\n' clients/new.yaml $STUB_FILES ;;
  *"/pulls/"*) echo "$STUB_HEAD" ;;
  *"--paginate"*) if [ -n "$STUB_COMMENT" ]; then echo "$STUB_COMMENT"; fi ;;
esac
`
	if err := os.WriteFile(filepath.Join(bin, "gh"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	hostile := "## What this pull request publishes\n$(touch pwned) `touch pwned2`\n" + marker + "\n"
	for _, tc := range []struct {
		name, pr, summary, head, comment, files string
		ok                                      bool
		call                                    string // the write gh makes, "" for none
	}{
		{"new comment", "12\n", hostile, "abc", "", "", true, "-X POST repos/o/r/issues/12/comments"},
		{"update in place", "12\n", hostile, "abc", "77", "", true, "-X PATCH repos/o/r/issues/comments/77"},
		{"changes the workflow", "12\n", hostile, "abc", "", ".github/workflows/clients-pr.yml", true, "-X POST repos/o/r/issues/12/comments"},
		{"another head", "12\n", hostile, "def", "", "", true, ""},
		{"not a number", "12; touch pwned\n", hostile, "abc", "", "", false, ""},
		{"two numbers", "12\n13\n", hostile, "abc", "", "", false, ""},
		{"option", "-1\n", hostile, "abc", "", "", false, ""},
		{"too long", "123456789012\n", hostile, "abc", "", "", false, ""},
		{"huge", "12\n", strings.Repeat("x", 100_000), "abc", "", "", true, "-X POST repos/o/r/issues/12/comments"},
	} {
		dir, tmp := t.TempDir(), t.TempDir()
		art := filepath.Join(tmp, "pr-summary")
		os.Mkdir(art, 0o755)
		os.WriteFile(filepath.Join(art, "pr"), []byte(tc.pr), 0o644)
		os.WriteFile(filepath.Join(art, "summary.md"), []byte(tc.summary), 0o644)
		logf, bodyf := filepath.Join(tmp, "gh.log"), filepath.Join(tmp, "body")
		o, err := bash(t, dir, script, "PATH="+bin+":"+os.Getenv("PATH"), "RUNNER_TEMP="+tmp,
			"GH_REPO=o/r", "HEAD_SHA=abc", "SUMMARY="+art, "GH_LOG="+logf, "GH_BODY="+bodyf,
			"STUB_HEAD="+tc.head, "STUB_COMMENT="+tc.comment, "STUB_FILES="+tc.files)
		log, _ := os.ReadFile(logf)
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v\n%s", tc.name, err, o)
		}
		if !tc.ok && len(log) > 0 {
			t.Errorf("%s: gh ran on a bad artifact: %s", tc.name, log)
		}
		if tc.call == "" {
			if strings.Contains(string(log), "-X ") {
				t.Errorf("%s: wrote a comment: %s", tc.name, log)
			}
		} else if !strings.Contains(string(log), tc.call+" -F body=@") {
			t.Errorf("%s: gh calls\n%s\nwant %s", tc.name, log, tc.call)
		}
		for _, f := range []string{"pwned", "pwned2"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
				t.Errorf("%s: the artifact ran a command", tc.name)
			}
		}
		if tc.call == "" {
			continue
		}
		body, _ := os.ReadFile(bodyf)
		if !strings.HasPrefix(string(body), marker+"\n") || strings.Count(string(body), marker) != 1 {
			t.Errorf("%s: the body does not start with the one marker:\n%.300s", tc.name, body)
		}
		if len(body) > 60_200 {
			t.Errorf("%s: a %d-byte body", tc.name, len(body))
		}
		if warned := strings.Contains(string(body), "> This pull request changes `.github/workflows/clients-pr.yml`"); warned != (tc.files != "") {
			t.Errorf("%s: warned of a workflow change %v, want %v:\n%.300s", tc.name, warned, tc.files != "", body)
		}
		if tc.name == "huge" && !strings.Contains(string(body), "cut at 60000 bytes") {
			t.Errorf("%s: a cut body does not say so", tc.name)
		}
	}
}
