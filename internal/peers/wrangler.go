package peers

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// WranglerCompatibilityDate is pinned: wrangler defaults to today, which
// the pinned workerd refuses once today is past the newest date it knows.
const WranglerCompatibilityDate = "2026-01-01"

// PagesDev runs Cloudflare's own Pages runtime (workerd, through `wrangler
// pages dev`) on the built tree dir, offline, on 127.0.0.1, until the test
// ends, and returns its URL. It skips without wrangler, or fails under
// CI=true (see Wrangler).
func PagesDev(t testing.TB, dir string) string {
	t.Helper()
	bin := Wrangler(t)
	home := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := strings.Cut(addr, ":")
	cmd := exec.Command(bin, "pages", "dev", dir, "--ip", "127.0.0.1", "--port", port,
		"--compatibility-date", WranglerCompatibilityDate, "--log-level", "warn")
	cmd.Dir = home // wrangler keeps its state in .wrangler below the working directory
	cmd.Env = append(os.Environ(),
		"HOME="+home, "XDG_CONFIG_HOME="+home,
		"CI=true", // no prompts
		"WRANGLER_SEND_METRICS=false", "WRANGLER_DISABLE_UPDATE_CHECK=true", "DO_NOT_TRACK=1",
		"NO_COLOR=1")
	// Starting takes 15-45 s on two busy cores: esbuild, then workerd.
	Start(t, cmd, addr, 2*time.Minute)
	return "http://" + addr
}

// Start runs cmd (a server a test talks to) in its own process group until the test ends, and waits
// until addr answers HTTP. The whole group is killed at the end, so no
// worker process outlives the test; output goes to a file, which no
// leftover child can hold Wait on.
func Start(t testing.TB, cmd *exec.Cmd, addr string, within time.Duration) {
	t.Helper()
	logf, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	output := func() string { b, _ := os.ReadFile(logf.Name()); return string(b) }
	cmd.Stdout, cmd.Stderr = logf, logf
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		killGroup(cmd)
		<-exited
	})
	deadline := time.Now().Add(within)
	for {
		if res, err := http.Get("http://" + addr + "/"); err == nil {
			res.Body.Close()
			return
		}
		select {
		case <-exited:
			t.Fatalf("%s exited: %s", cmd.Path, output())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer on %s within %v: %s", cmd.Path, addr, within, output())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
