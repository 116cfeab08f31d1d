package serve_test

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/generator/hosting"
	"github.com/wellknown-dev/wellknown/internal/sitetest"
)

// TestNginxLive runs a real nginx with the generated snippet and compares
// what it sends, file by file, with what serve sends. It skips where nginx
// is not installed (Debian: nginx-light); parsing the snippet, in
// TestHeadersAgree, runs everywhere.
func TestNginxLive(t *testing.T) {
	bin, err := exec.LookPath("nginx")
	if err != nil {
		t.Skip("nginx is not installed")
	}
	tmp := t.TempDir()
	// nginx's workers drop to an unprivileged user, who must read the tree.
	for _, d := range []string{filepath.Dir(tmp), tmp} {
		os.Chmod(d, 0o755)
	}
	dir := filepath.Join(tmp, "out")
	as := sitetest.Site(t, issuer)
	sitetest.Write(t, dir, as)
	pub := sitetest.Published(as)
	snippet := filepath.Join(tmp, "wellknown.conf")
	if err := os.WriteFile(snippet, file(t, hosting.Nginx, pub, "nginx/wellknown.conf"), 0o644); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	conf := filepath.Join(tmp, "nginx.conf")
	os.WriteFile(conf, fmt.Appendf(nil, `daemon off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events {}
http {
  access_log off;
  client_body_temp_path %[1]s; proxy_temp_path %[1]s; fastcgi_temp_path %[1]s; uwsgi_temp_path %[1]s; scgi_temp_path %[1]s;
  server {
    listen %[2]s;
    root %[3]s;
    include %[4]s;
  }
}
`, tmp, addr, dir, snippet), 0o644)
	cmd := exec.Command(bin, "-c", conf, "-p", tmp)
	if out, err := exec.Command(bin, "-t", "-c", conf, "-p", tmp).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	for i := 0; ; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if i == 100 {
			t.Fatal("nginx did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}

	srv := newServer(t, dir)
	for _, a := range pub {
		ours, _ := do(t, "GET", srv.URL+a.URLPath())
		theirs, body := do(t, "GET", "http://"+addr+a.URLPath())
		if theirs.StatusCode != 200 || body != string(a.Body) {
			t.Errorf("nginx %s: %d", a.Path, theirs.StatusCode)
		}
		if got, want := sitetest.Header(theirs.Header, declared...), sitetest.Header(ours.Header, declared...); !equal(got, want) {
			t.Errorf("%s: nginx sends %v, serve %v", a.Path, got, want)
		}
	}
	for _, p := range []string{"/_headers", "/.nojekyll", "/nothing"} {
		if res, _ := do(t, "GET", "http://"+addr+p); res.StatusCode != http.StatusNotFound {
			t.Errorf("nginx %s: %d, want 404", p, res.StatusCode)
		}
	}
}
