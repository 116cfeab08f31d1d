package serve_test

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/generator/hosting"
	"github.com/wellknown-dev/wellknown/internal/peers"
)

// TestNginxLive runs a real nginx with the generated snippet on each live
// tree and compares what it sends, file by file, with what serve sends.
// It skips where nginx is not installed (Debian: nginx-light) and fails
// under CI=true; parsing the snippet, in TestHeadersAgree, runs everywhere.
func TestNginxLive(t *testing.T) {
	bin := peers.Nginx(t)
	for _, tree := range liveTrees(t) {
		t.Run(tree.name, func(t *testing.T) {
			tmp, dir := writeTree(t, tree.as)
			snippet := filepath.Join(tmp, "wellknown.conf")
			if err := os.WriteFile(snippet, file(t, hosting.Nginx, readTree(t, dir), "nginx/wellknown.conf"), 0o644); err != nil {
				t.Fatal(err)
			}
			addr := freeAddr(t)
			conf := filepath.Join(tmp, "nginx.conf")
			os.WriteFile(conf, fmt.Appendf(nil, `daemon off;
master_process off;
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
			if out, err := exec.Command(bin, "-t", "-c", conf, "-p", tmp).CombinedOutput(); err != nil {
				t.Fatalf("nginx -t: %v\n%s", err, out)
			}
			peers.Start(t, exec.Command(bin, "-c", conf, "-p", tmp), addr, 10*time.Second)
			compareLive(t, "nginx", "http://"+addr, dir, tree.as, hostQuirks{preflight: http.StatusNoContent})
		})
	}
}
