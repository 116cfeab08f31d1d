#!/usr/bin/env bash
# Installs a pinned Azurite, Microsoft's Azure Storage emulator, for the
# deploy tests in generator/deploy (WELLKNOWN_AZURE_BLOB_ENDPOINT), with npm
# into ${WELLKNOWN_TOOLS:-$HOME/.cache/wellknown-tools}/azurite-VERSION and
# cached there.
#
# Prints the path of azurite-blob on its last line.
set -euo pipefail

version="${AZURITE_VERSION:-3.37.0}"
root="${WELLKNOWN_TOOLS:-$HOME/.cache/wellknown-tools}"
dir="$root/azurite-$version"
bin="$dir/node_modules/.bin/azurite-blob"

if [[ -x "$bin" ]]; then
	echo "azurite $version already installed" >&2
	echo "$bin"
	exit 0
fi

mkdir -p "$dir"
echo "installing azurite $version into $dir" >&2
npm install --prefix "$dir" --no-audit --no-fund --silent "azurite@$version" >&2
test -x "$bin"
echo "$bin"
