#!/usr/bin/env bash
# Installs actionlint, pinned, into the Go bin directory (through the Go
# module proxy: no release download), unless that version is there already.
# Prints the path of the binary.
set -euo pipefail
ACTIONLINT_VERSION=v1.7.12
GOBIN=$(go env GOPATH)/bin
bin="$GOBIN/actionlint"
if ! "$bin" -version 2>/dev/null | head -1 | grep -qx "${ACTIONLINT_VERSION}"; then
  GOBIN="$GOBIN" go install "github.com/rhysd/actionlint/cmd/actionlint@${ACTIONLINT_VERSION}" >&2
fi
echo "$bin"
