#!/usr/bin/env bash
# Regenerates the demo keys of the example site. They are committed on
# purpose, so that a fresh clone builds; their private halves are public, and
# wellknown warns whenever it publishes them. After running this, update the
# thumbprints in generator/keys/demo.go (TestDemoKeysListed says which).
set -euo pipefail
cd "$(dirname "$0")"

# EC P-256 signing key with a self-signed certificate (published as x5c).
# The certificate is valid for a century so that the example does not expire.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out demo-ec-p256.pem
openssl req -new -x509 -key demo-ec-p256.pem -out demo-ec-p256.crt \
  -subj "/CN=login.example.com demo signing key" \
  -days 36524 \
  -addext "keyUsage=critical,digitalSignature" -addext "basicConstraints=critical,CA:FALSE"

# RSA signing key: OpenID Connect requires RS256 (Discovery §3).
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out demo-rsa-2048.pem
