package peers

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// Nginx returns the nginx binary: $WELLKNOWN_NGINX, else nginx on PATH
// (Debian: nginx-light). .ci/run installs it with apt-get.
func Nginx(t testing.TB) string {
	t.Helper()
	return find(t, "WELLKNOWN_NGINX", "nginx", "apt-get install nginx-light")
}

// Caddy returns the caddy binary: $WELLKNOWN_CADDY, else caddy on PATH.
// .ci/install-caddy.sh installs Debian's and prints its path.
func Caddy(t testing.TB) string {
	t.Helper()
	return find(t, "WELLKNOWN_CADDY", "caddy", `export WELLKNOWN_CADDY="$(bash .ci/install-caddy.sh | tail -n1)"`)
}

// Wrangler returns Cloudflare's wrangler CLI, whose `pages dev` runs the
// Pages runtime (workerd) offline: $WELLKNOWN_WRANGLER, else wrangler on
// PATH. .ci/install-wrangler.sh installs a pinned one with npm.
func Wrangler(t testing.TB) string {
	t.Helper()
	return find(t, "WELLKNOWN_WRANGLER", "wrangler", `export WELLKNOWN_WRANGLER="$(bash .ci/install-wrangler.sh | tail -n1)"`)
}

// find is Cosign's rule for any peer: the variable names it, else PATH;
// missing, the test skips, or fails under CI=true.
func find(t testing.TB, variable, name, install string) string {
	t.Helper()
	if p := os.Getenv(variable); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s: %v", variable, err)
		}
		return p
	}
	return onPath(t, name, fmt.Sprintf("set %s, or install it with: %s", variable, install))
}

// onPath returns name as PATH finds it; missing, the test skips, or fails
// under CI=true, saying hint.
func onPath(t testing.TB, name, hint string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not found on PATH and CI=true; %s", name, hint)
	}
	t.Skipf("%s not found on PATH; %s", name, hint)
	return ""
}

// GNUTime returns GNU time (Debian: time), which measures a command's own
// peak memory: $WELLKNOWN_TIME, else time on PATH (the shell's builtin is
// not on PATH). .ci/run installs it with apt-get.
func GNUTime(t testing.TB) string {
	t.Helper()
	return find(t, "WELLKNOWN_TIME", "time", "apt-get install time")
}
