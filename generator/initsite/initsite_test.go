package initsite

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/generator"
)

var update = flag.Bool("update", false, "rewrite the repository's workflows from templates/")

// The repository's own workflows are renderings of the templates init
// writes, so the two cannot drift apart.
func TestRepositoryWorkflows(t *testing.T) {
	for _, w := range Workflows {
		got, err := RenderWorkflow(w.Template, RepositoryInstall)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join("..", "..", filepath.FromSlash(w.Path))
		if *update {
			if err := os.WriteFile(p, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from templates/%s; edit the template and run go test ./generator/initsite -update", w.Path, w.Template)
		}
	}
	owners, _ := os.ReadFile(filepath.Join("..", "..", ".github", "CODEOWNERS.example"))
	files, err := commonFiles(false, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := files[len(files)-1]; got.Path != ".github/CODEOWNERS.example" || !bytes.Equal(got.Data, owners) {
		t.Errorf("templates/CODEOWNERS.example.tmpl differs from .github/CODEOWNERS.example")
	}
}

func TestGoVersion(t *testing.T) {
	mod, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(mod); m == nil || string(m[1]) != GoVersion {
		t.Errorf("go.mod's go directive is %q, GoVersion %q", m, GoVersion)
	}
}

// write puts files into dir as the command does.
func write(t *testing.T, dir string, files []File) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, f.Mode); err != nil {
			t.Fatal(err)
		}
	}
}

// buildClean builds the site in dir and fails on any error or warning.
func buildClean(t *testing.T, dir string) *generator.Result {
	t.Helper()
	res, err := generator.Build(generator.Options{Config: filepath.Join(dir, "site.yaml"), Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	for _, w := range res.Warnings {
		t.Errorf("build warns: %s", w)
	}
	return res
}

func TestNewBuildsWithoutWarnings(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		o    Options
		alg  string
	}{
		{"openid", Options{Issuer: "https://login.example.org", OpenID: true}, "RS256"},
		{"oauth", Options{Issuer: "https://auth.example.org/tenant", OpenID: false}, "ES256"},
		{"oauth-ed25519", Options{Issuer: "https://auth.example.org", KeyType: "ed25519"}, "EdDSA"},
		{"openid-rsa-3072-pages", Options{Issuer: "https://id.example.org", OpenID: true, KeyType: "rsa-3072", GitHubPages: true}, "RS256"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Now = now
			files, err := New(tc.o)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			write(t, dir, files)
			res := buildClean(t, dir)
			if len(res.Keys) != 1 || res.Keys[0].JWK.Algorithm != tc.alg || res.Keys[0].Signer != nil {
				t.Errorf("keys = %+v, want one public %s key", res.Keys, tc.alg)
			}
			var priv, pages bool
			for _, f := range files {
				if strings.HasPrefix(f.Path, PrivateDir+"/") {
					priv = f.Mode == 0o600 && bytes.Contains(f.Data, []byte("PRIVATE KEY"))
				}
				if strings.HasPrefix(f.Path, "keys/") && bytes.Contains(f.Data, []byte("PRIVATE")) {
					t.Errorf("%s holds a private key", f.Path)
				}
				pages = pages || f.Path == ".github/workflows/pages.yml"
			}
			if !priv {
				t.Error("no 0600 private key below private/")
			}
			if pages != tc.o.GitHubPages {
				t.Errorf("pages workflow written: %v, want %v", pages, tc.o.GitHubPages)
			}
		})
	}
}

func TestNewRefuses(t *testing.T) {
	for _, o := range []Options{
		{Issuer: "http://login.example.org", OpenID: true},
		{Issuer: "https://login.example.org?x=1", OpenID: true},
		{Issuer: "", OpenID: true},
		{Issuer: "https://login.example.org", OpenID: true, KeyType: "ec-p256"},
		{Issuer: "https://login.example.org", KeyType: "dsa"},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) succeeded", o)
		}
	}
}

// A project site's issuer sits below https://OWNER.github.io/REPO, which is
// then the site root. (Building such a site is item 1 of issue 13.)
func TestNewProjectSiteBaseURL(t *testing.T) {
	for _, tc := range []struct {
		issuer string
		pages  bool
		want   string
	}{
		{"https://owner.github.io/repo", true, "\nbase_url: https://owner.github.io/repo\n"},
		{"https://owner.github.io/repo/tenant", true, "\nbase_url: https://owner.github.io/repo\n"},
		{"https://owner.github.io", true, "\n# base_url: https://owner.github.io\n"},
		{"https://login.example.org/tenant", true, "\n# base_url: https://login.example.org\n"},
		{"https://owner.github.io/repo", false, "\n# base_url: https://owner.github.io\n"},
	} {
		files, err := New(Options{Issuer: tc.issuer, OpenID: false, GitHubPages: tc.pages})
		if err != nil {
			t.Fatal(err)
		}
		if site := string(files[0].Data); !strings.Contains(site, tc.want) {
			t.Errorf("%s (pages %v): site.yaml lacks %q:\n%s", tc.issuer, tc.pages, tc.want, site)
		}
	}
}
