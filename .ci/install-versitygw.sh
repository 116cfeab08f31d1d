#!/usr/bin/env bash
# Installs a pinned versitygw, a real S3 server (Apache-2.0), for the deploy
# tests in generator/deploy (WELLKNOWN_S3_ENDPOINT). Built from source with
# `go install` through the Go module proxy and cached per version under
# ${WELLKNOWN_TOOLS:-$HOME/.cache/wellknown-tools}/versitygw-VERSION/bin.
#
# Why v1.8.0: the newest release; its go.mod (go 1.25.0) builds with this
# repository's Go 1.26 toolchain under GOTOOLCHAIN=local.
#
# Prints the path of the binary on its last line.
set -euo pipefail

version="${VERSITYGW_VERSION:-v1.8.0}"
root="${WELLKNOWN_TOOLS:-$HOME/.cache/wellknown-tools}"
bindir="$root/versitygw-$version/bin"
bin="$bindir/versitygw"

if [[ -x "$bin" ]] && "$bin" --version >/dev/null 2>&1; then
	echo "versitygw $version already installed" >&2
	echo "$bin"
	exit 0
fi

mkdir -p "$bindir"
echo "installing versitygw $version into $bindir" >&2
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(
	cd "$tmp"
	GOTOOLCHAIN=local GOBIN="$bindir" GOFLAGS=-buildvcs=false \
		go install -trimpath "github.com/versity/versitygw/cmd/versitygw@$version"
)
"$bin" --version >/dev/null
echo "$bin"
