package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestPagesWorkflowBuildsGitHubPagesSite runs the build step and the
// packaging step of .github/workflows/pages.yml, as written there, on a
// GitHub Pages project site, and checks that the artifact the workflow
// uploads holds /.well-known/ and .nojekyll, which a site without them would
// publish without its metadata.
func TestPagesWorkflowBuildsGitHubPagesSite(t *testing.T) {
	raw, err := os.ReadFile("../../.github/workflows/pages.yml")
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Uses string `yaml:"uses"`
				Run  string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(raw, &wf); err != nil {
		t.Fatal(err)
	}
	// The workflow builds the tool once and runs the binary.
	const goRun = `"$RUNNER_TEMP/wellknown" `
	var buildArgs []string
	var pack string
	for _, s := range wf.Jobs["build"].Steps {
		if cmd, ok := strings.CutPrefix(strings.TrimSpace(s.Run), goRun); ok && strings.HasPrefix(cmd, "build") {
			buildArgs = strings.Fields(cmd)
		}
		if strings.Contains(s.Run, "tar ") && strings.Contains(s.Run, "artifact.tar") && !strings.Contains(s.Run, "tar -tf") {
			pack = s.Run
		}
	}
	if len(buildArgs) == 0 || buildArgs[0] != "build" {
		t.Fatalf("no %q build step in the build job", goRun+"build")
	}
	if pack == "" {
		t.Fatal("no step in the build job packs the Pages artifact (artifact.tar)")
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

	runner := t.TempDir()
	sh := exec.Command("bash", "-euo", "pipefail", "-c", pack)
	sh.Env = append(os.Environ(), "RUNNER_TEMP="+runner)
	if out, err := sh.CombinedOutput(); err != nil {
		t.Fatalf("the packaging step: %v\n%s", err, out)
	}
	list, err := exec.Command("tar", "-tf", filepath.Join(runner, "artifact.tar")).Output()
	if err != nil {
		t.Fatal(err)
	}
	archived := map[string]bool{}
	for _, p := range strings.Fields(string(list)) {
		archived[strings.TrimPrefix(p, "./")] = true
	}
	for _, p := range []string{".nojekyll", ".well-known/openid-configuration", "jwks.json"} {
		if !archived[p] {
			t.Errorf("%s is not in the Pages artifact", p)
		}
	}
}
