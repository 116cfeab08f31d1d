#!/usr/bin/env bash
# Installs nginx for serve/nginx_test.go (TestNginxLive), which runs the
# real server on the snippet `wellknown hosting --format nginx` writes.
#
# Debian's nginx-light, through apt-get. RUNLEVEL=1 keeps the package's
# service from starting on port 80: the test starts its own nginx on
# 127.0.0.1 only. Skipped when nginx is already installed.
#
# Prints the path of the binary on its last line, so callers can do
#   export WELLKNOWN_NGINX="$(bash .ci/install-nginx.sh | tail -n1)"
set -euo pipefail

if ! command -v nginx >/dev/null && [[ ! -x /usr/sbin/nginx ]]; then
	echo "installing nginx-light with apt-get" >&2
	RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive \
		apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends nginx-light >&2
fi
bin="$(command -v nginx || echo /usr/sbin/nginx)"
"$bin" -v >&2
echo "$bin"
