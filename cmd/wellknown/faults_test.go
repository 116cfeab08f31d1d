//go:build unix

package main

import (
	"bytes"
	"crypto/elliptic"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/wellknown-dev/wellknown/generator/publish"
	"github.com/wellknown-dev/wellknown/internal/testfs"
	tk "github.com/wellknown-dev/wellknown/internal/testkeys"
)

// These tests run the wellknown binary, built with go build, as a user or
// a CI job does, and hit it with what the file system and the system send:
// kill -9, signals, a second build, a file size limit, a full disk.

// faultSite is the example site with n generated clients, large enough
// that a build spends a while writing, and a signing key, so that verify
// can tell a whole tree from a mixed one.
type faultSite struct {
	dir, key, pub, bin string
	out                string
}

func newFaultSite(t *testing.T, n int) *faultSite {
	t.Helper()
	s := &faultSite{dir: t.TempDir(), bin: binary(t)}
	s.out = filepath.Join(s.dir, "out")
	if err := copyFile("../../site.yaml", filepath.Join(s.dir, "site.yaml")); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"keys", "clients"} {
		entries, err := os.ReadDir(filepath.Join("../..", d))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if err := copyFile(filepath.Join("../..", d, e.Name()), filepath.Join(s.dir, d, e.Name())); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := range n {
		body := fmt.Sprintf("application_type: native\nclient_name: Native app %[1]d\nredirect_uris: [http://127.0.0.1/callback, com.example.app%[1]d:/oauth2redirect]\ngrant_types: [authorization_code, refresh_token]\ntoken_endpoint_auth_method: none\nscope: openid offline_access\n", i)
		if err := os.WriteFile(filepath.Join(s.dir, "clients", fmt.Sprintf("gen-%05d.yaml", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	keyDir := t.TempDir()
	s.key = tk.Write(t, keyDir, "publisher.key", tk.PKCS8(t, tk.EC(t, elliptic.P256())))
	s.setVersion(t, 0)
	if code, _, stderr := s.run(t, "build"); code != 0 {
		t.Fatalf("first build: exit %d: %s", code, stderr)
	}
	s.pub = filepath.Join(keyDir, "publisher.pub")
	if err := copyFile(filepath.Join(s.out, "signatures", "publisher.pub"), s.pub); err != nil {
		t.Fatal(err)
	}
	return s
}

// setVersion changes one client, so that each build's tree differs from
// the last and which one out holds can be told.
func (s *faultSite) setVersion(t *testing.T, v int) {
	t.Helper()
	body := fmt.Sprintf("application_type: native\nclient_name: Version %d\nredirect_uris: [http://127.0.0.1/callback]\ntoken_endpoint_auth_method: none\n", v)
	if err := os.WriteFile(filepath.Join(s.dir, "clients", "version.yaml"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// version is the version of the tree out holds, after checking that the
// tree is whole: every file matches the signed manifest and none is extra.
func (s *faultSite) version(t *testing.T) int {
	t.Helper()
	if code, stdout, stderr := s.run(t, "verify", "--key", s.pub, s.out); code != 0 {
		t.Fatalf("out is not whole: exit %d\n%s%s", code, stdout, stderr)
	}
	b, err := os.ReadFile(filepath.Join(s.out, "clients", "version.json"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`"client_name": "Version (\d+)"`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("version.json: %s", b)
	}
	var v int
	fmt.Sscan(string(m[1]), &v)
	return v
}

func (s *faultSite) command(args ...string) *exec.Cmd {
	if args[0] == "build" {
		args = append(args, "--clock", "2026-11-22", "--sign-key", s.key)
	}
	cmd := exec.Command(s.bin, args...)
	cmd.Dir = s.dir
	return cmd
}

func (s *faultSite) run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := s.command(args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), o.String(), e.String()
}

// assertClean fails if anything but out, its spare, their indexes and the
// client cache is left beside it: a temporary tree, the lock.
func (s *faultSite) assertClean(t *testing.T) {
	t.Helper()
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		switch e.Name() {
		case ".out.spare", ".out.spare.index", ".out.index", ".out.cache":
		default:
			if strings.HasPrefix(e.Name(), ".out.") {
				t.Errorf("left beside out: %s", e.Name())
			}
		}
	}
}

// timeBuild is how long a build of the site takes here, to aim faults
// within it.
func (s *faultSite) timeBuild(t *testing.T, v int) time.Duration {
	t.Helper()
	s.setVersion(t, v)
	start := time.Now()
	if code, _, stderr := s.run(t, "build"); code != 0 {
		t.Fatalf("build: exit %d: %s", code, stderr)
	}
	return time.Since(start)
}

// Builds killed with SIGKILL at random moments leave out whole (old or
// new); the next build removes the temporary trees they left, or the spare
// they were patching.
func TestBuildKillLoop(t *testing.T) {
	s := newFaultSite(t, 1000)
	took := s.timeBuild(t, 1)
	killed, prev := 0, 1
	spare, spareIndex := filepath.Join(s.dir, ".out.spare"), filepath.Join(s.dir, ".out.spare.index")
	for v := 2; v < 20; v++ {
		s.setVersion(t, v)
		last := v >= 8
		if last {
			// A good build first, so that the next one patches the spare.
			if _, err := os.Stat(spareIndex); err != nil {
				if code, _, stderr := s.run(t, "build"); code != 0 {
					t.Fatalf("build: exit %d: %s", code, stderr)
				}
				prev = v
				continue
			}
		}
		cmd := s.command("build")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if !last {
			time.Sleep(time.Duration(rand.Int64N(int64(took) * 3 / 2)))
		} else {
			// The last one dies surely with the spare being patched: its
			// index is removed before the spare is touched.
			for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
				if _, err := os.Stat(spareIndex); err != nil {
					break
				}
			}
		}
		cmd.Process.Kill()
		cmd.Wait()
		if ws := cmd.ProcessState.Sys().(syscall.WaitStatus); ws.Signaled() {
			killed++
		}
		got := s.version(t)
		if got != v && got != prev {
			t.Fatalf("run %d: out holds version %d", v, got)
		}
		prev = got
		// Each build removes what the last left, so they never pile up.
		if trees, _ := filepath.Glob(filepath.Join(s.dir, ".out.new-*")); len(trees) > 1 {
			t.Errorf("run %d: temporary trees pile up: %v", v, trees)
		}
		if _, err := os.Stat(spareIndex); last && err != nil {
			if _, err := os.Stat(spare); err == nil {
				break // killed mid-patch
			}
		}
	}
	trees, _ := filepath.Glob(filepath.Join(s.dir, ".out.new-*"))
	t.Logf("%d builds killed, %d temporary trees left", killed, len(trees))
	if _, err := os.Stat(spareIndex); err == nil {
		t.Fatal("no build was killed while patching the spare")
	}
	if _, err := os.Stat(spare); err != nil {
		t.Fatal("the last build, killed mid-patch, left no spare")
	}
	s.setVersion(t, 100)
	code, _, stderr := s.run(t, "build")
	if code != 0 {
		t.Fatalf("build after the kills: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "left beside out by an interrupted build") {
		t.Errorf("the build did not say it removed %d temporary trees:\n%s", len(trees), stderr)
	}
	if got := s.version(t); got != 100 {
		t.Errorf("out holds version %d", got)
	}
	s.assertClean(t)
}

// SIGINT, SIGTERM and SIGHUP at random moments: before the swap the build
// gives up, exits 128+signo and leaves out as it was; after it the build
// finishes and exits 0. Either way out is whole and nothing is left.
func TestBuildSignals(t *testing.T) {
	s := newFaultSite(t, 1000)
	took := s.timeBuild(t, 1)
	sigs := []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP}
	outcomes := map[string]int{}
	prev, early, runs := 1, 0, 2*len(sigs)
	for v := 2; v < 2+runs; v++ {
		sig := sigs[v%len(sigs)]
		s.setVersion(t, v)
		cmd := s.command("build")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Not before the binary could have installed its handler: a
		// signal then kills it as any program, before it wrote anything.
		time.Sleep(20*time.Millisecond + time.Duration(rand.Int64N(int64(took)*3/2)))
		cmd.Process.Signal(sig)
		cmd.Wait()
		code, got := cmd.ProcessState.ExitCode(), s.version(t)
		switch code {
		case 0:
			if got != v {
				t.Errorf("%v: exit 0, but out holds version %d, not %d", sig, got, v)
			}
			prev = v
		case 128 + int(sig):
			if got != prev {
				t.Errorf("%v: exit %d, but out holds version %d, not %d", sig, code, got, prev)
			}
			if want := fmt.Sprintf("interrupted by %s; out was not changed", signalNames[sig]); !strings.Contains(stderr.String(), want) {
				t.Errorf("%v: stderr does not say %q:\n%s", sig, want, stderr.String())
			}
		default:
			// On a loaded machine the signal can come before the binary
			// reached main: it dies as any program does, having done
			// nothing.
			ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
			if !ws.Signaled() || ws.Signal() != sig || stderr.Len() > 0 || got != prev {
				t.Errorf("%v: %v, want exit 0 or %d:\n%s", sig, cmd.ProcessState, 128+int(sig), stderr.String())
			}
			early++
		}
		outcomes[fmt.Sprintf("%v exit %d", sig, code)]++
		s.assertClean(t)
	}
	t.Logf("outcomes: %v", outcomes)
	if early > runs/2 {
		t.Errorf("%d of %d builds died of the signal instead of handling it", early, runs)
	}
}

// Two builds of one out at once both succeed, in turn: the second waits
// for the first and says so, and out is the one that went last.
func TestConcurrentBuilds(t *testing.T) {
	s := newFaultSite(t, 1000)
	type result struct {
		v              int
		code           int
		stderr         string
		start, stopped time.Time
	}
	results := make([]result, 2)
	var wg sync.WaitGroup
	site, err := os.ReadFile(filepath.Join(s.dir, "site.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range results {
		// Each build reads its own copy of the clients, of its own version.
		s.setVersion(t, 10+i)
		clients := fmt.Sprintf("clients%d", i)
		if err := exec.Command("cp", "-r", filepath.Join(s.dir, "clients"), filepath.Join(s.dir, clients)).Run(); err != nil {
			t.Fatal(err)
		}
		cfg := bytes.Replace(site, []byte("  dir: clients "), []byte("  dir: "+clients+" "), 1)
		if bytes.Equal(cfg, site) {
			t.Fatal("site.yaml names no clients directory")
		}
		if err := os.WriteFile(filepath.Join(s.dir, fmt.Sprintf("site%d.yaml", i)), cfg, 0o644); err != nil {
			t.Fatal(err)
		}
		results[i].v = 10 + i
	}
	for i := range results {
		wg.Go(func() {
			r := &results[i]
			r.start = time.Now()
			r.code, _, r.stderr = s.run(t, "build", "--config", fmt.Sprintf("site%d.yaml", i))
			r.stopped = time.Now()
		})
	}
	wg.Wait()
	got := s.version(t)
	waited := 0
	for _, r := range results {
		if r.code != 0 {
			t.Fatalf("build of version %d: exit %d: %s", r.v, r.code, r.stderr)
		}
		if strings.Contains(r.stderr, "waiting for another build of out") {
			waited++
			if got != r.v {
				t.Errorf("version %d waited for the other, so went last, but out holds %d", r.v, got)
			}
		}
	}
	if waited > 1 {
		t.Error("both builds waited for the other")
	}
	s.assertClean(t)
	t.Logf("%d of 2 builds waited; out holds version %d", waited, got)
}

// A build or import while another process holds the lock waits and says
// so; with --no-wait it fails at once, exit 1.
func TestBuildWaitsForLock(t *testing.T) {
	s := newFaultSite(t, 10)
	if code, _, stderr := s.run(t, "bundle", "--dir", "out", "--out", "site.tar.gz"); code != 0 {
		t.Fatalf("bundle: exit %d: %s", code, stderr)
	}
	f, err := os.OpenFile(publish.LockPath(s.out), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "%d\n", os.Getpid())

	code, _, stderr := s.run(t, "build", "--no-wait")
	want := fmt.Sprintf("out: another build is writing it (process %d)\n\thint: ", os.Getpid())
	if code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("build --no-wait: exit %d, want 1 with %q:\n%s", code, want, stderr)
	}
	if code, _, stderr := s.run(t, "import", "--no-wait", "--key", s.pub, "site.tar.gz", "out"); code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("import --no-wait: exit %d, want 1 with %q:\n%s", code, want, stderr)
	}

	s.setVersion(t, 5)
	cmd := s.command("build")
	var stderrBuf syncBuffer
	cmd.Stderr = &stderrBuf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(stderrBuf.String(), fmt.Sprintf("waiting for another build of out (process %d)", os.Getpid())) {
		if time.Now().After(deadline) {
			t.Fatalf("the build did not say it waits:\n%s", stderrBuf.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	if cmd.ProcessState != nil {
		t.Fatal("the build did not wait")
	}
	os.Remove(f.Name())
	f.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("build after the lock went: %v: %s", err, stderrBuf.String())
	}
	if got := s.version(t); got != 5 {
		t.Errorf("out holds version %d", got)
	}
	s.assertClean(t)
}

// A write that fails for want of space or past the file size limit exits
// 1, names the file, leaves out as it was and nothing beside it.
func TestBuildWriteErrors(t *testing.T) {
	s := newFaultSite(t, 1000)
	before := s.version(t)
	s.setVersion(t, before+1)
	// ulimit -f counts 512-byte blocks in sh (dash), 1024-byte ones in bash:
	// either way far below clients/index.json.
	cmd := exec.Command("sh", "-c", `ulimit -f 64 && exec "$@"`, "sh", s.bin, "build", "--clock", "2026-11-22", "--sign-key", s.key)
	cmd.Dir = s.dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Run()
	if code := cmd.ProcessState.ExitCode(); code != 1 || !regexp.MustCompile(`publish: cannot write out/\S+: write: file too large; out was not changed\n\thint: a file size limit`).MatchString(stderr.String()) {
		t.Errorf("past ulimit -f: %v:\n%s", cmd.ProcessState, stderr.String())
	}
	if got := s.version(t); got != before {
		t.Errorf("out holds version %d", got)
	}
	s.assertClean(t)

	small := testfs.MustTmpfs(t, "size=2m")
	out := filepath.Join(small, "out")
	code, _, errOut := s.run(t, "build", "--out", out)
	if code != 1 || !strings.Contains(errOut, "cannot write "+out+"/") || !strings.Contains(errOut, "no space left on device; "+out+" was not changed\n\thint: free space") {
		t.Errorf("on a full disk: exit %d:\n%s", code, errOut)
	}
	if entries, _ := os.ReadDir(small); len(entries) > 0 {
		t.Errorf("left on the full disk: %v", entries)
	}
}
