package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// progressClients is enough for the clients, render and write phases of a
// build to pass progress.DefaultMin, and for each to run long enough to be
// drawn at least once.
const progressClients = 3000

// TestProgressOnTerminal runs build and deploy with stderr on a pseudo-
// terminal, as a user at a shell does: the progress line is drawn and
// blanked again, leaving the screen as the build found it. On a pipe, with
// CI set, or with --no-progress, nothing of it is written.
func TestProgressOnTerminal(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	cfg := progressSite(t, dir, progressClients)
	out := filepath.Join(dir, "out")

	// Every run's first build is fresh: each replaces out, so the write
	// phase writes every file again (hard-linking unchanged ones).
	t.Run("build on a terminal", func(t *testing.T) {
		stderr := runOnPTY(t, bin, nil, "build", "--config", cfg, "--out", out)
		checkProgress(t, stderr, "build: ", []string{"clients", "render", "write"})
	})
	t.Run("build on a pipe", func(t *testing.T) {
		stderr := runOnPipe(t, bin, nil, "build", "--config", cfg, "--out", out)
		if strings.Contains(stderr, "\r") || strings.Contains(stderr, "build: write") {
			t.Errorf("progress on a pipe:\n%q", stderr)
		}
	})
	t.Run("build with CI set", func(t *testing.T) {
		stderr := runOnPTY(t, bin, []string{"CI=true"}, "build", "--config", cfg, "--out", out)
		if strings.Contains(stderr, "build: ") {
			t.Errorf("progress with CI=true:\n%q", stderr)
		}
	})
	t.Run("build with --no-progress", func(t *testing.T) {
		stderr := runOnPTY(t, bin, nil, "build", "--config", cfg, "--out", out, "--no-progress")
		if strings.Contains(stderr, "build: ") {
			t.Errorf("progress with --no-progress:\n%q", stderr)
		}
	})
	t.Run("build with --json", func(t *testing.T) {
		stderr := runOnPTY(t, bin, nil, "build", "--config", cfg, "--out", out, "--json")
		if strings.Contains(stderr, "build: ") {
			t.Errorf("progress with --json:\n%q", stderr)
		}
	})
	t.Run("build with --progress on a pipe and CI set", func(t *testing.T) {
		// A CI log that asks gets one line per phase, no carriage returns.
		stderr := runOnPipe(t, bin, []string{"CI=true"}, "build", "--config", cfg, "--out", out, "--progress")
		if strings.Contains(stderr, "\r") {
			t.Errorf("carriage return in a log:\n%q", stderr)
		}
		for _, phase := range []string{"clients", "render", "write"} {
			if !strings.Contains(stderr, "build: "+phase+" ") {
				t.Errorf("no line for the %s phase:\n%s", phase, stderr)
			}
		}
		if !strings.Contains(stderr, fmt.Sprintf("build: clients %s clients in ", "3,000")) {
			t.Errorf("the clients line does not count 3,000 clients:\n%s", stderr)
		}
	})
	t.Run("both flags", func(t *testing.T) {
		cmd := exec.Command(bin, "build", "--config", cfg, "--out", out, "--progress", "--no-progress")
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Errorf("--progress --no-progress: %v, want exit status 2", err)
		}
	})
	t.Run("deploy on a terminal", func(t *testing.T) {
		bucket := filepath.Join(dir, "bucket")
		if err := os.Mkdir(bucket, 0o755); err != nil {
			t.Fatal(err)
		}
		stderr := runOnPTY(t, bin, nil, "deploy", "file://"+bucket, "--dir", out)
		checkProgress(t, stderr, "deploy: ", []string{"upload"})
		// Nothing left to write: no upload line. (The objects written
		// within 2 s of the deploy's record are inspected again, which
		// may show.)
		stderr = runOnPTY(t, bin, nil, "deploy", "file://"+bucket, "--dir", out)
		if strings.Contains(stderr, "deploy: upload") || strings.Contains(stderr, "deploy: delete") {
			t.Errorf("upload progress for an empty plan:\n%q", stderr)
		}
		for _, line := range screen(stderr) {
			if strings.Contains(line, "deploy: ") {
				t.Errorf("a progress line stays on the screen: %q", line)
			}
		}
	})
}

// checkProgress asserts that stderr, as written to a terminal, drew a line
// for one of phases at least (which are long enough to be drawn depends on
// the machine) and that the screen it leaves holds none of them.
func checkProgress(t *testing.T, stderr, prefix string, phases []string) {
	t.Helper()
	drawn := false
	for _, p := range phases {
		drawn = drawn || strings.Contains(stderr, "\r"+prefix+p+" ")
	}
	if !drawn {
		t.Errorf("no progress line for %s on the terminal:\n%q", strings.Join(phases, ", "), tail(stderr))
	}
	if !strings.Contains(stderr, "/s") {
		t.Errorf("no rate on the terminal:\n%q", tail(stderr))
	}
	for _, line := range screen(stderr) {
		if strings.Contains(line, prefix) {
			t.Errorf("a progress line stays on the screen: %q\nfrom %q", line, tail(stderr))
		}
	}
}

func tail(s string) string { return s[max(0, len(s)-600):] }

// screen is what a terminal shows after s: a carriage return moves to the
// start of the line and what follows overwrites it.
func screen(s string) []string {
	var lines []string
	var cur []rune
	col := 0
	for _, r := range s {
		switch r {
		case '\r':
			col = 0
		case '\n':
			lines = append(lines, strings.TrimRight(string(cur), " "))
			cur, col = nil, 0
		default:
			if col < len(cur) {
				cur[col] = r
			} else {
				cur = append(cur, r)
			}
			col++
		}
	}
	return append(lines, strings.TrimRight(string(cur), " "))
}

// childEnv is the test's environment for the binary, without CI (which
// .ci/run sets) unless extra sets it, with a terminal that can redraw.
func childEnv(extra []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CI=") && !strings.HasPrefix(kv, "TERM=") {
			env = append(env, kv)
		}
	}
	return append(append(env, "TERM=xterm"), extra...)
}

func runOnPipe(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Env = childEnv(env)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("wellknown %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stderr.String()
}

// runOnPTY runs bin with stderr on a new pseudo-terminal (stdout stays a
// pipe, as in `wellknown build > log`) and returns what it wrote there.
func runOnPTY(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	ptm, pts := openPTY(t)
	cmd := exec.Command(bin, args...)
	cmd.Env = childEnv(env)
	cmd.Stdout = io.Discard
	cmd.Stderr = pts
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pts.Close() // the child holds it; the master then reads EIO once it exits
	var got bytes.Buffer
	var wg sync.WaitGroup
	wg.Go(func() {
		_, err := io.Copy(&got, ptm)
		if err != nil && !errors.Is(err, syscall.EIO) {
			t.Errorf("reading the terminal: %v", err)
		}
	})
	err := cmd.Wait()
	wg.Wait()
	ptm.Close()
	if err != nil {
		t.Fatalf("wellknown %s: %v\n%s", strings.Join(args, " "), err, got.String())
	}
	// The terminal turns "\n" into "\r\n" (ONLCR): undo it, so what is
	// left is what the program wrote.
	return strings.ReplaceAll(got.String(), "\r\n", "\n")
}

// openPTY opens a pseudo-terminal pair 100 columns wide, as posix_openpt,
// grantpt, unlockpt and ptsname do.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI must run the terminal tests: %v", err)
		}
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	fd := int(m.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		t.Fatalf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		m.Close()
		t.Fatalf("ptsname: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Fatalf("opening the terminal: %v", err)
	}
	if err := unix.IoctlSetWinsize(int(s.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 100}); err != nil {
		t.Fatalf("setting the window size: %v", err)
	}
	return m, s
}

// progressSite writes the example site with n generated clients (a third
// each web, native and Client ID Metadata Document clients, as the
// generator's registry benchmark makes them) and returns site.yaml's path.
func progressSite(t *testing.T, dir string, n int) string {
	t.Helper()
	site, err := os.ReadFile("../../site.yaml")
	if err != nil {
		t.Fatal(err)
	}
	write := func(p string, data []byte) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "site.yaml"), site)
	keys, err := os.ReadDir("../../keys")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.Type().IsRegular() {
			data, err := os.ReadFile(filepath.Join("../../keys", k.Name()))
			if err != nil {
				t.Fatal(err)
			}
			write(filepath.Join(dir, "keys", k.Name()), data)
		}
	}
	for i := range n {
		var body string
		switch i % 3 {
		case 0:
			body = fmt.Sprintf("client_name: Web app %[1]d\nredirect_uris: [https://app%[1]d.example.com/callback]\ngrant_types: [authorization_code, refresh_token]\ntoken_endpoint_auth_method: private_key_jwt\njwks_uri: https://app%[1]d.example.com/jwks.json\nscope: openid profile email\n", i)
		case 1:
			body = fmt.Sprintf("application_type: native\nclient_name: Native app %[1]d\nredirect_uris: [http://127.0.0.1/callback, com.example.app%[1]d:/oauth2redirect]\ngrant_types: [authorization_code, refresh_token]\ntoken_endpoint_auth_method: none\nscope: openid offline_access\n", i)
		default:
			body = fmt.Sprintf("mode: metadata_document\napplication_type: native\nclient_name: Agent %[1]d\nclient_uri: https://agent%[1]d.example.com\nredirect_uris: [http://127.0.0.1/callback]\ntoken_endpoint_auth_method: none\nscope: openid profile\n", i)
		}
		write(filepath.Join(dir, "clients", fmt.Sprintf("client-%05d.yaml", i)), []byte(body))
	}
	return filepath.Join(dir, "site.yaml")
}
