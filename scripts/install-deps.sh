#!/bin/sh
# Installs the Debian packages dfukit needs to build and test. Idempotent: when every package
# is already present it only checks and returns.
#   install-deps.sh          install what is missing (apt-get; sudo when not root)
#   install-deps.sh --check  install nothing: name what is missing and exit 1 (plain `make`)
set -eu

PKGS="build-essential cmake pkg-config libssl-dev libcbor-dev libcmocka-dev clang libclang-rt-14-dev openssl socat"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

[ -z "$missing" ] && exit 0

if [ "${1:-}" = "--check" ]; then
    echo "dfukit: missing build dependencies:$missing" >&2
    echo "dfukit: run 'make deps' to install them (Debian packages, through apt-get)" >&2
    exit 1
fi

echo "install-deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
