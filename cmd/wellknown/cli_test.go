package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/internal/peers"

	"github.com/wellknown-dev/wellknown/internal/sitetest"
	"github.com/wellknown-dev/wellknown/serve"
)

// syncBuffer is written by a command running in another goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func runCLI(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	var o, e syncBuffer
	code = run(ctx, &env{stdout: &o, stderr: &e, getenv: func(string) string { return "" }}, args)
	return code, o.String(), e.String()
}

// startServe runs `wellknown serve` in-process on a free port and returns
// its URL and a function that stops it like Ctrl-C and returns its output.
func startServe(t *testing.T, args ...string) (string, func() (int, string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var o, e syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, &env{stdout: &o, stderr: &e, getenv: func(string) string { return "" }},
			append([]string{"serve", "--addr", "127.0.0.1:0"}, args...))
	}()
	re := regexp.MustCompile(`at (https?://[^/]+)/`)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m := re.FindStringSubmatch(o.String()); m != nil {
			return m[1], func() (int, string) {
				cancel()
				return <-done, o.String() + e.String()
			}
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s%s", code, o.String(), e.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not start: %s%s", o.String(), e.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestServeThenProbe(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	// The issuer must be the URL serve listens on, so take the port first
	// by building after serve has started on a placeholder tree.
	sitetest.Write(t, dir, sitetest.Site(t, "https://placeholder.example"))
	url, stop := startServe(t, "--dir", dir)
	next := dir + ".new"
	sitetest.Write(t, next, sitetest.Site(t, url))
	os.RemoveAll(dir)
	if err := os.Rename(next, dir); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := runCLI(context.Background(), "probe", url, "--dir", dir)
	if code != exitOK || !strings.Contains(out, "ok: 10 files served as built") {
		t.Errorf("probe of serve: exit %d\n%s%s", code, out, errOut)
	}
	// A wrong URL: every issuer check fails, exit 1, one line per problem.
	code, out, _ = runCLI(context.Background(), "probe", url+"/elsewhere", "--dir", dir, "--timeout", "2s")
	if code != exitInvalid || strings.Count(out, "\n") < 10 || !strings.Contains(out, "answers 404") {
		t.Errorf("probe of the wrong root: exit %d\n%s", code, out)
	}
	if code, out := stop(); code != exitOK || !strings.Contains(out, "stopped") {
		t.Errorf("serve after cancel: exit %d\n%s", code, out)
	}
}

// probe trusts a site behind a private CA through --cacert alone: here
// serve --tls and the certificate it made.
func TestServeTLSThenProbe(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	tlsDir := t.TempDir()
	sitetest.Write(t, dir, sitetest.Site(t, "https://placeholder.example"))
	url, stop := startServe(t, "--dir", dir, "--tls", "--tls-dir", tlsDir)
	defer stop()
	next := dir + ".new"
	sitetest.Write(t, next, sitetest.Site(t, url))
	os.RemoveAll(dir)
	if err := os.Rename(next, dir); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCLI(context.Background(), "probe", url, "--dir", dir, "--timeout", "2s")
	if code != exitInvalid || !strings.Contains(out, "certificate") {
		t.Errorf("probe trusted a self-signed certificate: exit %d\n%s", code, out)
	}
	code, out, errOut := runCLI(context.Background(), "probe", url, "--dir", dir, "--cacert", filepath.Join(tlsDir, serve.CertFile))
	if code != exitOK || !strings.Contains(out, "ok: 10 files served as built") {
		t.Errorf("probe --cacert: exit %d\n%s%s", code, out, errOut)
	}
	code, _, errOut = runCLI(context.Background(), "probe", url, "--dir", dir, "--cacert", filepath.Join(dir, "jwks.json"))
	if code != exitInvalid || !strings.Contains(errOut, "jwks.json: no PEM certificate") {
		t.Errorf("probe --cacert with no certificate: exit %d\n%s", code, errOut)
	}
}

func TestServeTLS(t *testing.T) {
	dir := sitetest.Tree(t, "https://localhost")
	tlsDir := filepath.Join(t.TempDir(), "tls")
	url, stop := startServe(t, "--dir", dir, "--tls", "--tls-dir", tlsDir)
	_, out := stop()
	if !strings.HasPrefix(url, "https://localhost:") || !strings.Contains(out, "created certificate "+filepath.Join(tlsDir, "localhost.pem")) {
		t.Errorf("url %s, output:\n%s", url, out)
	}
	fi, err := os.Stat(filepath.Join(tlsDir, "localhost-key.pem"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key: %v %v", fi, err)
	}
	// The key never enters git: the directory's .gitignore names it.
	if !strings.Contains(out, "wrote "+filepath.Join(tlsDir, ".gitignore")+" (localhost-key.pem: keeps the preview key out of git)") {
		t.Errorf("output:\n%s", out)
	}
	if b, err := os.ReadFile(filepath.Join(tlsDir, ".gitignore")); err != nil || !strings.HasSuffix(string(b), "\nlocalhost-key.pem\n") {
		t.Errorf(".gitignore: %q %v", b, err)
	}
	// Written once: the second start reuses it.
	_, stop = startServe(t, "--dir", dir, "--tls", "--tls-dir", tlsDir)
	if _, out := stop(); !strings.Contains(out, "using certificate") || strings.Contains(out, "wrote") {
		t.Errorf("second start:\n%s", out)
	}
}

// A --tls-dir inside a work tree: git add -A takes the certificate, never
// the key.
func TestServeTLSKeyOutOfGit(t *testing.T) {
	git, repo := peers.GitRepo(t)
	dir := sitetest.Tree(t, "https://localhost")
	_, stop := startServe(t, "--dir", dir, "--tls", "--tls-dir", filepath.Join(repo, "tls"))
	stop()
	if out, err := exec.Command(git, "-C", repo, "add", "-A").CombinedOutput(); err != nil {
		t.Fatalf("git add: %v\n%s", err, out)
	}
	out, err := exec.Command(git, "-C", repo, "ls-files").Output()
	if err != nil || string(out) != "tls/.gitignore\ntls/localhost.pem\n" {
		t.Errorf("git add -A took:\n%s(%v)", out, err)
	}
}

func TestHostingCommand(t *testing.T) {
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "out")
	sitetest.Write(t, dir, sitetest.Site(t, "https://id.example.com"))
	out := filepath.Join(tmp, "hosting")
	code, stdout, stderr := runCLI(context.Background(), "hosting", "--dir", dir, "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	for _, f := range []string{"s3/objects.json", "s3/cloudfront-headers-policy.json", "gcs/objects.json", "gcs/cors.json", "nginx/wellknown.conf", "caddy/wellknown.caddy", "github-pages/WARNING.txt"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	// The upload scripts are gone: wellknown deploy uploads.
	for _, f := range []string{"s3/upload.sh", "gcs/upload.sh"} {
		if _, err := os.Stat(filepath.Join(out, f)); err == nil {
			t.Errorf("%s is still written", f)
		}
	}
	for _, want := range []string{"upload with: wellknown deploy s3://BUCKET", "upload with: wellknown deploy gs://BUCKET", "file://" + filepath.ToSlash(out) + "/s3/cloudfront-headers-policy.json"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q: %s", want, stderr)
		}
	}
	if !strings.Contains(stderr, "GitHub Pages cannot set response headers") {
		t.Errorf("no GitHub Pages warning: %s", stderr)
	}
}

func TestUsage(t *testing.T) {
	dir := sitetest.Tree(t, "https://id.example.com")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"serve", "extra"}, exitUsage, "serve takes no arguments"},
		{[]string{"serve", "--dir", filepath.Join(dir, "nope")}, exitInvalid, "no such file"},
		{[]string{"probe"}, exitUsage, "probe takes one URL"},
		{[]string{"probe", "ftp://x"}, exitUsage, "not an http(s) URL"},
		{[]string{"probe", "https://x", "--dir", filepath.Join(dir, "nope")}, exitInvalid, "no such file"},
		{[]string{"hosting", "--format", "ftp"}, exitUsage, `unknown format "ftp"`},
		{[]string{"hosting", "--dir", dir, "--out", filepath.Join(dir, "h")}, exitUsage, "inside the served tree"},
		{[]string{"serve", "--help"}, exitOK, "Examples:"},
		{[]string{"probe", "--help"}, exitOK, "Exit status:"},
	} {
		code, out, errOut := runCLI(context.Background(), tc.args...)
		if code != tc.code || !strings.Contains(out+errOut, tc.want) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s%s", tc.args, code, tc.code, tc.want, out, errOut)
		}
	}
}
