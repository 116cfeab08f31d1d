#!/usr/bin/env bash
# Regenerates keys/sa.pub, the example's service-account public key. Its
# private half is thrown away: this site never needs it, since
# kube-apiserver signs the tokens. For a real cluster, copy the control
# plane's public key instead (kubeadm: /etc/kubernetes/pki/sa.pub).
# After running this, rebuild the golden tree:
#   go test ./generator -run TestKubernetesGolden -update
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p keys
openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 | openssl pkey -pubout -out keys/sa.pub
