package serve_test

import (
	"net/http"
	"testing"

	"github.com/wellknown-dev/wellknown/internal/peers"
)

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
	peers.Wrangler(t)
	for _, tree := range liveTrees(t) {
		if tree.name == "tenant" {
			continue // nothing the other two do not cover; wrangler is slow to start
		}
		t.Run(tree.name, func(t *testing.T) {
			_, dir := writeTree(t, tree.as)
			base := peers.PagesDev(t, dir)
			compareLive(t, "wrangler pages dev", base, dir, tree.as,
				hostQuirks{htmlRedirect: true, preflight: http.StatusMethodNotAllowed, servesControl: true})
		})
	}
}
