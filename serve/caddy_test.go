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

// TestCaddyLive runs a real Caddy with the generated snippet imported in a
// site block, on each live tree, and compares what it sends, file by file,
// with what serve sends. It skips where caddy is not installed and fails
// under CI=true.
func TestCaddyLive(t *testing.T) {
	bin := peers.Caddy(t)
	for _, tree := range liveTrees(t) {
		t.Run(tree.name, func(t *testing.T) {
			tmp, dir := writeTree(t, tree.as)
			snippet := filepath.Join(tmp, "wellknown.caddy")
			if err := os.WriteFile(snippet, file(t, hosting.Caddy, readTree(t, dir), "caddy/wellknown.caddy"), 0o644); err != nil {
				t.Fatal(err)
			}
			addr := freeAddr(t)
			conf := filepath.Join(tmp, "Caddyfile")
			// No admin endpoint, no certificates, nothing kept between runs:
			// the snippet alone decides what is served.
			os.WriteFile(conf, fmt.Appendf(nil, `{
	admin off
	auto_https off
	storage file_system %[1]s/storage
}
http://%[2]s {
	root * %[3]s
	import %[4]s
}
`, tmp, addr, dir, snippet), 0o644)
			cmd := exec.Command(bin, "run", "--adapter", "caddyfile", "--config", conf)
			cmd.Env = append(os.Environ(), "HOME="+tmp, "XDG_DATA_HOME="+tmp, "XDG_CONFIG_HOME="+tmp)
			if out, err := exec.Command(bin, "validate", "--adapter", "caddyfile", "--config", conf).CombinedOutput(); err != nil {
				t.Fatalf("caddy validate: %v\n%s", err, out)
			}
			peers.Start(t, cmd, addr, 15*time.Second)
			compareLive(t, "caddy", "http://"+addr, dir, tree.as, hostQuirks{preflight: http.StatusNoContent})
		})
	}
}
