#!/usr/bin/env bash
# Installs a pinned fake-gcs-server, a GCS emulator speaking the JSON and
# XML APIs, for the deploy tests in generator/deploy
# (STORAGE_EMULATOR_HOST / WELLKNOWN_GCS_ENDPOINT). Built from source with
# `go install` through the Go module proxy and cached per version under
# ${WELLKNOWN_TOOLS:-$HOME/.cache/wellknown-tools}/fake-gcs-server-VERSION/bin.
#
# Why v1.56.1: the newest release; its go.mod (go 1.26) builds with this
# repository's Go 1.26 toolchain under GOTOOLCHAIN=local.
#
# Prints the path of the binary on its last line.
set -euo pipefail

version="${FAKE_GCS_SERVER_VERSION:-v1.56.1}"
root="${WELLKNOWN_TOOLS:-$HOME/.cache/wellknown-tools}"
bindir="$root/fake-gcs-server-$version/bin"
bin="$bindir/fake-gcs-server"

if [[ -x "$bin" ]]; then
	echo "fake-gcs-server $version already installed" >&2
	echo "$bin"
	exit 0
fi

mkdir -p "$bindir"
echo "installing fake-gcs-server $version into $bindir" >&2
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(
	cd "$tmp"
	GOTOOLCHAIN=local GOBIN="$bindir" GOFLAGS=-buildvcs=false \
		go install -trimpath "github.com/fsouza/fake-gcs-server@$version"
)
test -x "$bin"
echo "$bin"
