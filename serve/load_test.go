package serve_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/internal/sitetest"
	"github.com/wellknown-dev/wellknown/serve"
)

// The full load test: go test ./serve -run TestLoad -load -v
// (200 clients for 10 s from a second process). Without -load, the same
// test runs small (20 clients for 1 s) so that the leak checks run on
// every go test.
var load = flag.Bool("load", false, "run TestLoad with 200 clients for 10 s")

// The load generator is this test binary started again with these
// variables set: a second process, so client and server do not share a
// scheduler, a heap or a file descriptor table.
const (
	envTarget   = "WELLKNOWN_LOADGEN_URLS"
	envClients  = "WELLKNOWN_LOADGEN_CLIENTS"
	envDuration = "WELLKNOWN_LOADGEN_DURATION"
)

func TestMain(m *testing.M) {
	if urls := os.Getenv(envTarget); urls != "" {
		os.Exit(loadgen(strings.Split(urls, " ")))
	}
	os.Exit(m.Run())
}

type loadResult struct {
	Requests int64   `json:"requests"`
	Errors   int64   `json:"errors"`
	FirstErr string  `json:"first_error,omitempty"`
	Seconds  float64 `json:"seconds"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
	Maxms    float64 `json:"max_ms"`
}

// loadgen runs the clients and prints a loadResult. Each client loops over
// the URLs, a conditional request every fourth time, until the duration is
// up or it has made maxPerClient requests: bounded in time and count.
func loadgen(urls []string) int {
	clients, _ := strconv.Atoi(os.Getenv(envClients))
	dur, _ := time.ParseDuration(os.Getenv(envDuration))
	const maxPerClient = 1_000_000
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients, DisableCompression: true}
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	etags := map[string]string{}
	for _, u := range urls {
		res, err := c.Get(u)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		etags[u] = res.Header.Get("ETag")
	}
	var (
		mu       sync.Mutex
		lat      []time.Duration
		res      loadResult
		wg       sync.WaitGroup
		deadline = time.Now().Add(dur)
	)
	start := time.Now()
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			var errs int64
			var first string
			for n := 0; n < maxPerClient && time.Now().Before(deadline); n++ {
				u := urls[(i+n)%len(urls)]
				req, _ := http.NewRequest("GET", u, nil)
				want := 200
				if n%4 == 3 {
					req.Header.Set("If-None-Match", etags[u])
					want = 304
				}
				t0 := time.Now()
				r, err := c.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, r.Body)
					r.Body.Close()
					if err == nil && r.StatusCode != want {
						err = fmt.Errorf("%s: status %d, want %d", u, r.StatusCode, want)
					}
				}
				mine = append(mine, time.Since(t0))
				if err != nil {
					errs++
					if first == "" {
						first = err.Error()
					}
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			res.Errors += errs
			if res.FirstErr == "" {
				res.FirstErr = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	tr.CloseIdleConnections()
	res.Seconds = time.Since(start).Seconds()
	res.Requests = int64(len(lat))
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	res.P50ms, res.P99ms, res.Maxms = pct(0.50), pct(0.99), pct(1)
	json.NewEncoder(os.Stdout).Encode(res)
	return 0
}

func openFDs(t *testing.T) int {
	es, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd to count descriptors")
	}
	return len(es)
}

// TestLoad serves the fixture tree in this process and loads it from a
// second one; afterwards no answer may have been an error, and once the
// server has shut down, goroutines and file descriptors are back to what
// they were before it started.
func TestLoad(t *testing.T) {
	clients, dur := 20, time.Second
	if *load {
		clients, dur = 200, 10*time.Second
	} else if testing.Short() {
		t.Skip("-short")
	}
	as := sitetest.Published(sitetest.Site(t, issuer))
	dir := sitetest.Tree(t, issuer)
	h, err := serve.New(dir, log.New(io.Discard, "", 0))
	if err != nil {
		t.Fatal(err)
	}

	runtime.GC()
	goroutines, fds := runtime.NumGoroutine(), openFDs(t)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve.Serve(ctx, ln, h, "", "", 5*time.Second) }()

	var urls []string
	for _, a := range as {
		urls = append(urls, "http://"+ln.Addr().String()+a.URLPath())
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envTarget+"="+strings.Join(urls, " "),
		envClients+"="+strconv.Itoa(clients), envDuration+"="+dur.String())
	cmd.Stderr = os.Stderr
	cmd.WaitDelay = time.Minute
	out, err := cmd.Output()
	if err != nil {
		cancel()
		t.Fatalf("load generator: %v", err)
	}
	var r loadResult
	if err := json.Unmarshal(out, &r); err != nil {
		cancel()
		t.Fatalf("load generator said %q: %v", out, err)
	}
	t.Logf("%d clients, %.1f s: %d requests, %.0f requests/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms, %d errors",
		clients, r.Seconds, r.Requests, float64(r.Requests)/r.Seconds, r.P50ms, r.P99ms, r.Maxms, r.Errors)
	if r.Errors > 0 || r.Requests == 0 {
		t.Errorf("%d errors in %d requests; first: %s", r.Errors, r.Requests, r.FirstErr)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	// Goroutines of closed connections take a moment to return.
	var g, f int
	for range 100 {
		runtime.GC()
		if g, f = runtime.NumGoroutine(), openFDs(t); g <= goroutines && f <= fds {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("after shutdown %d goroutines (before %d) and %d descriptors (before %d)", g, goroutines, f, fds)
}
