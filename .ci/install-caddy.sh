#!/usr/bin/env bash
# Installs Caddy for serve/caddy_test.go (TestCaddyLive), which runs the
# real server on the snippet `wellknown hosting --format caddy` writes.
#
# Debian's package (bookworm: caddy 2.6.2), through apt-get: no prebuilt
# download, no build. RUNLEVEL=1 keeps the package's service from starting:
# the test starts its own Caddy on 127.0.0.1 only. Skipped when caddy is
# already installed.
#
# Prints the path of the binary on its last line, so callers can do
#   export WELLKNOWN_CADDY="$(bash .ci/install-caddy.sh | tail -n1)"
set -euo pipefail

if ! command -v caddy >/dev/null; then
	echo "installing caddy with apt-get" >&2
	RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive \
		apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends caddy >&2
fi
bin="$(command -v caddy)"
"$bin" version >&2
echo "$bin"
