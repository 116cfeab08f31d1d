#!/bin/sh
# Installs Debian's SoftHSM2 (a PKCS #11 token in files) and OpenSC's
# pkcs11-tool for the token tests (internal/peers.SoftHSM; generator/keyref,
# generator/sign and the build scripts), which fail under CI=true without
# them. The tests make their own token in a temporary SOFTHSM2_CONF
# directory; nothing here touches the system's tokens.
#
# Pinned by Debian 12 (bookworm): softhsm2 2.6.1, opensc 0.23.0. Does nothing
# when both are there.
#
# Prints the path of the PKCS #11 module on its last line, so callers can do
#   export WELLKNOWN_SOFTHSM_MODULE="$(sh .ci/install-softhsm.sh | tail -n1)"
set -eu
if ! command -v softhsm2-util >/dev/null 2>&1 || ! command -v pkcs11-tool >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq softhsm2 opensc >/dev/null
fi
softhsm2-util --version >&2
for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so /usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so; do
  if [ -f "$m" ]; then
    echo "$m"
    exit 0
  fi
done
echo "libsofthsm2.so not found" >&2
exit 1
