#!/usr/bin/env bash
# Regenerates the keys of the multi-issuer example. They are committed so
# that the example builds from a fresh clone; their private halves are
# public, so never publish them for a real site. After running this, rebuild
# the golden tree: go test ./generator -run TestMultiGolden -update
set -euo pipefail
cd "$(dirname "$0")"
rm -rf keys globex-keys federation-keys
mkdir -p keys globex-keys federation-keys

# Shared by the issuers without a key_dir of their own. OpenID Connect
# requires RS256 (Discovery §3); ES256 signs the signed_metadata.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out keys/rsa.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out keys/ec.pem

# The globex tenant's own keys, published at its own jwks_path.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out globex-keys/rsa.pem

# The federation keys sign the entity configuration only; OpenID Federation
# keeps them apart from the protocol keys.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out federation-keys/federation.pem
