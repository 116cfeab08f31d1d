package main

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestPagesWorkflowBuildsGitHubPagesSite runs the build step of
// .github/workflows/pages.yml, as written there, on a GitHub Pages project
// site, and checks that what the upload step archives holds /.well-known/
// and .nojekyll. The upload step is checked too: upload-pages-artifact v4
// and later leave out every dotfile unless include-hidden-files is set,
// which would publish a site without its metadata.
func TestPagesWorkflowBuildsGitHubPagesSite(t *testing.T) {
	raw, err := os.ReadFile("../../.github/workflows/pages.yml")
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Uses string            `yaml:"uses"`
				Run  string            `yaml:"run"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(raw, &wf); err != nil {
		t.Fatal(err)
	}
	const goRun = "go run ./cmd/wellknown "
	var buildArgs []string
	var uploadPath string
	var hidden bool
	for _, s := range wf.Jobs["build"].Steps {
		if cmd, ok := strings.CutPrefix(strings.TrimSpace(s.Run), goRun); ok {
			buildArgs = strings.Fields(cmd)
		}
		if strings.HasPrefix(s.Uses, "actions/upload-pages-artifact@") {
			uploadPath = s.With["path"]
			hidden = s.With["include-hidden-files"] == "true"
		}
	}
	if len(buildArgs) == 0 || buildArgs[0] != "build" {
		t.Fatalf("no %q build step in the build job", goRun+"build")
	}
	if uploadPath == "" {
		t.Fatal("no upload-pages-artifact step with a path in the build job")
	}
	// The pin is a commit; its version is in the comment after it.
	m := regexp.MustCompile(`actions/upload-pages-artifact@[0-9a-f]{40} # v(\d+)\.`).FindSubmatch(raw)
	if m == nil {
		t.Fatal("upload-pages-artifact is not pinned to a commit with a # vN.N.N comment")
	}
	if major, _ := strconv.Atoi(string(m[1])); major >= 4 && !hidden {
		t.Fatalf("upload-pages-artifact v%d drops dotfiles, /.well-known/ first: set include-hidden-files: true", major)
	}

	repo := t.TempDir()
	for _, k := range []string{"demo-ec-p256.pem", "demo-rsa-2048.pem"} {
		if err := copyFile(filepath.Join("../../keys", k), filepath.Join(repo, "keys", k)); err != nil {
			t.Fatal(err)
		}
	}
	site := "issuer: https://octo-org.github.io/login\n" +
		"base_url: https://octo-org.github.io/login\n" +
		"metadata:\n" +
		"  authorization_endpoint: https://auth.octo.example/authorize\n" +
		"  token_endpoint: https://auth.octo.example/token\n" +
		"  response_types_supported: [code]\n" +
		"  subject_types_supported: [public]\n" +
		"  id_token_signing_alg_values_supported: [RS256, ES256]\n" +
		"  code_challenge_methods_supported: [S256]\n"
	if err := os.WriteFile(filepath.Join(repo, "site.yaml"), []byte(site), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(repo)
	code, stdout, stderr := runCLI(context.Background(), buildArgs...)
	if code != 0 {
		t.Fatalf("wellknown %s: exit %d\n%s%s", strings.Join(buildArgs, " "), code, stdout, stderr)
	}

	// What upload-pages-artifact v3 archives: the whole directory but .git
	// and .github, dotfiles included.
	archived := map[string]bool{}
	err = filepath.WalkDir(uploadPath, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == ".github") {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(uploadPath, p)
			archived[filepath.ToSlash(rel)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatalf("the upload step's path %s: %v", uploadPath, err)
	}
	for _, p := range []string{".nojekyll", ".well-known/openid-configuration", "jwks.json"} {
		if !archived[p] {
			t.Errorf("%s is not in %s, which the upload step archives", p, uploadPath)
		}
	}
}
