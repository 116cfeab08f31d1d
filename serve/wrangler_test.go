package serve_test

import (
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/wellknown-dev/wellknown/internal/peers"
)

// wranglerCompatibilityDate is pinned: wrangler defaults to today, which a
// pinned workerd refuses once today is past the newest date it knows.
const wranglerCompatibilityDate = "2026-01-01"

// startWrangler runs Cloudflare's own Pages runtime (workerd, through
// `wrangler pages dev`) on dir, offline, on 127.0.0.1, and returns its URL.
func startWrangler(t *testing.T, dir string) string {
	t.Helper()
	bin := peers.Wrangler(t)
	home := t.TempDir()
	addr := freeAddr(t)
	_, port, _ := strings.Cut(addr, ":")
	cmd := exec.Command(bin, "pages", "dev", dir, "--ip", "127.0.0.1", "--port", port,
		"--compatibility-date", wranglerCompatibilityDate, "--log-level", "warn")
	cmd.Dir = home // wrangler keeps its state in .wrangler below the working directory
	cmd.Env = append(os.Environ(),
		"HOME="+home, "XDG_CONFIG_HOME="+home,
		"CI=true", // no prompts
		"WRANGLER_SEND_METRICS=false", "WRANGLER_DISABLE_UPDATE_CHECK=true", "DO_NOT_TRACK=1",
		"NO_COLOR=1")
	start(t, cmd, addr, 90*time.Second)
	return "http://" + addr
}

// TestWranglerPagesLive serves built trees with the Cloudflare Pages
// runtime, which applies _headers itself, and checks every file's headers
// against serve's. It skips without wrangler and fails under CI=true.
// What Pages does on its own, and the test allows: it adds ETag,
// Referrer-Policy and more (not compared: only the headers the tree sets
// are), serves X.html at X with a 308 from X.html (the redirect carries
// the rule's headers, which are compared), and answers a CORS preflight
// with 405 (probe warns about it; simple GETs carry the CORS headers). It
// serves the empty /.nojekyll, which harms nothing.
func TestWranglerPagesLive(t *testing.T) {
	for _, tree := range liveTrees(t) {
		if tree.name == "tenant" {
			continue // nothing the other two do not cover; wrangler is slow to start
		}
		t.Run(tree.name, func(t *testing.T) {
			_, dir := writeTree(t, tree.as)
			base := startWrangler(t, dir)
			compareLive(t, "wrangler pages dev", base, dir, tree.as,
				hostQuirks{htmlRedirect: true, preflight: http.StatusMethodNotAllowed, servesControl: true})
		})
	}
}
