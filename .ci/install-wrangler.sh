#!/usr/bin/env bash
# Installs a pinned wrangler for the Cloudflare Pages interop tests
# (serve/wrangler_test.go, probe's preflight test), which run
# `wrangler pages dev` on a built tree: Cloudflare's own runtime (workerd,
# shipped inside the npm package) applies _headers, offline, on 127.0.0.1.
#
# Installed with npm from the npm registry into a cache directory per version,
# ${WELLKNOWN_TOOLS:-$HOME/.cache/wellknown-tools}/wrangler-VERSION, and skipped
# when already there.
#
# Why 4.86.0: the newest wrangler whose engines field accepts Node 20 (Debian
# bookworm's and this machine's node; 4.88.0 on need Node 22).
#
# Prints the path of the binary on its last line, so callers can do
#   export WELLKNOWN_WRANGLER="$(bash .ci/install-wrangler.sh | tail -n1)"
set -euo pipefail

version="${WRANGLER_VERSION:-4.86.0}"
root="${WELLKNOWN_TOOLS:-$HOME/.cache/wellknown-tools}"
dir="$root/wrangler-$version"
bin="$dir/node_modules/.bin/wrangler"

# No telemetry, no update checks, in the install and in every later run.
export WRANGLER_SEND_METRICS=false
export WRANGLER_DISABLE_UPDATE_CHECK=true

if [[ -x "$bin" ]] && "$bin" --version >/dev/null 2>&1; then
	echo "wrangler $version already installed" >&2
	echo "$bin"
	exit 0
fi

if ! command -v npm >/dev/null; then
	apt-get -o DPkg::Lock::Timeout=600 install -y nodejs npm >&2
fi

mkdir -p "$dir"
echo "installing wrangler $version into $dir" >&2
(
	cd "$dir"
	[[ -f package.json ]] || echo '{"private": true}' >package.json
	npm install --no-audit --no-fund --save-exact "wrangler@$version" >&2
)
"$bin" --version >/dev/null
echo "$bin"
