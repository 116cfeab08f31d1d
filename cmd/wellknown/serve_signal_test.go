//go:build unix

package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/internal/sitetest"
)

// stopBound is what issue 14 allows serve to take to stop on a signal;
// the test waits three times as long before calling it hung, and reports
// the time taken.
const stopBound = 5 * time.Second

// TestServeStopsOnSignal runs the real serve process on a tree holding
// named pipes (which once blocked its start-up forever) and stops it with
// SIGTERM while a client holds a half-sent request open, and with SIGINT:
// each time it must answer requests, then exit 0 saying it stopped.
func TestServeStopsOnSignal(t *testing.T) {
	wellknown, err := exec.LookPath("wellknown") // this binary, as testscript.Main installs it
	if err != nil {
		t.Fatal(err)
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := sitetest.Tree(t, "https://id.example.com")
			for _, p := range []string{"jwks.json", "pipe.json"} {
				os.Remove(filepath.Join(dir, p))
				if err := syscall.Mkfifo(filepath.Join(dir, p), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command(wellknown, "serve", "--dir", dir, "--addr", "127.0.0.1:0")
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			out := make(chan string, 16)
			go func() {
				sc := bufio.NewScanner(stdout)
				for sc.Scan() {
					out <- sc.Text()
				}
				close(out)
				exited <- cmd.Wait()
			}()
			defer cmd.Process.Kill()

			var url string
			re := regexp.MustCompile(`at (http://[^/]+)/`)
			select {
			case line := <-out:
				m := re.FindStringSubmatch(line)
				if m == nil {
					t.Fatalf("serve said %q; stderr:\n%s", line, stderr.String())
				}
				url = m[1]
			case <-time.After(3 * stopBound):
				t.Fatalf("serve did not start (a named pipe blocking it?); stderr:\n%s", stderr.String())
			}
			c := &http.Client{Timeout: 10 * time.Second}
			for p, want := range map[string]int{"/.well-known/openid-configuration": 200, "/jwks.json": 403, "/pipe.json": 404} {
				res, err := c.Get(url + p)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != want {
					t.Errorf("GET %s: %d, want %d", p, res.StatusCode, want)
				}
			}
			if sig == syscall.SIGTERM {
				// A request whose headers never finish keeps its
				// connection from ever being idle: Shutdown alone
				// would wait for it.
				conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				fmt.Fprintf(conn, "GET /jwks.json HTTP/1.1\r\nHost: x\r\n")
				go io.Copy(io.Discard, conn)
				time.Sleep(100 * time.Millisecond) // let serve read it
			}

			start := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			var rest []string
			select {
			case err := <-exited:
				for line := range out {
					rest = append(rest, line)
				}
				took := time.Since(start)
				t.Logf("stopped %s after %v", sig, took.Round(time.Millisecond))
				if err != nil {
					t.Errorf("serve exited with %v; stderr:\n%s", err, stderr.String())
				}
				if !strings.Contains(strings.Join(rest, "\n"), "stopped") {
					t.Errorf("serve did not say it stopped: %q", rest)
				}
			case <-time.After(3 * stopBound):
				t.Fatalf("serve still running %v after %s; stderr:\n%s", 3*stopBound, sig, stderr.String())
			}
			if !strings.Contains(stderr.String(), "pipe.json: skipped: a named pipe") {
				t.Errorf("serve did not warn of the pipe; stderr:\n%s", stderr.String())
			}
		})
	}
}
