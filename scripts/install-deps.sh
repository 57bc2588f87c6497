#!/bin/sh
# Installs the Debian packages dfukit needs to build and test. Idempotent: when every package
# is already present it only checks and returns.
set -eu

PKGS="build-essential cmake pkg-config libssl-dev libcbor-dev libcmocka-dev clang libclang-rt-14-dev openssl"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
