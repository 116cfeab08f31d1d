#!/bin/sh
# Installs Debian's zsh and fish for the completion tests
# (cmd/wellknown/completion_test.go), which fail under CI=true without them.
# Does nothing when both are there. Prints fish's path on its last line.
set -eu
if ! command -v zsh >/dev/null 2>&1 || ! command -v fish >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq zsh fish >/dev/null
fi
zsh --version >&2
command -v fish
