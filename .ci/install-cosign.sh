#!/usr/bin/env bash
# Installs a pinned cosign for the interop test in generator/sign
# (TestCosignVerifyBlob), which runs the real `cosign verify-blob` on the
# per-file signatures a build publishes.
#
# cosign is built from source with `go install` through the Go module proxy:
# no prebuilt binary can be fetched here. That takes about 8 minutes on
# 2 cores, so the binary is cached per version under
# ${WELLKNOWN_TOOLS:-$HOME/.cache/wellknown-tools}/cosign-VERSION/bin and the
# build is skipped when it is already there.
#
# Why v3.1.3: the newest cosign whose go.mod (go 1.26.0) builds with this
# repository's Go 1.26 toolchain under GOTOOLCHAIN=local. (v2.6.5 also builds,
# but panics signing Ed25519; we only verify, yet v3 is the line cosign
# maintains.)
#
# Prints the path of the binary on its last line, so callers can do
#   export WELLKNOWN_COSIGN="$(bash .ci/install-cosign.sh | tail -n1)"
set -euo pipefail

version="${COSIGN_VERSION:-v3.1.3}"
root="${WELLKNOWN_TOOLS:-$HOME/.cache/wellknown-tools}"
bindir="$root/cosign-$version/bin"
bin="$bindir/cosign"

if [[ -x "$bin" ]] && "$bin" version >/dev/null 2>&1; then
	echo "cosign $version already installed" >&2
	echo "$bin"
	exit 0
fi

mkdir -p "$bindir"
echo "installing cosign $version into $bindir (about 8 minutes on 2 cores)" >&2
# GOTOOLCHAIN=local: never let go install fetch another toolchain; fail
# instead, so a cosign that needs a newer Go is noticed here.
# Build in a scratch dir so no go.mod around us interferes.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(
	cd "$tmp"
	GOTOOLCHAIN=local GOBIN="$bindir" GOFLAGS=-buildvcs=false \
		go install -trimpath "github.com/sigstore/cosign/v3/cmd/cosign@$version"
)
"$bin" version >/dev/null
echo "$bin"
