#!/bin/sh
# Installs Debian's chromium for the browser CORS test (serve/browser_test.go),
# which fails under CI=true without it. Does nothing when it is already there.
set -eu
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
chromium --version
