#!/bin/sh
# Installs the Debian packages dfukit needs to build and test. Idempotent: when every package
# is already present it only checks and returns.
#   install-deps.sh          install what is missing (apt-get; sudo when not root)
#   install-deps.sh --check  install nothing: name what is missing and exit 1 (plain `make`)
set -eu

PKGS="build-essential cmake pkg-config libssl-dev libcbor-dev libcmocka-dev clang libclang-rt-14-dev openssl socat"
# The Cortex-M build (make cortexm) and its QEMU board; dpkg-dev for `apt-get source`.
PKGS="$PKGS gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm dpkg-dev"
# Bluetooth LE through BlueZ on D-Bus (sd-bus); the tests run a private dbus-daemon and drive
# the simulated peripheral with Debian's bleak as well.
PKGS="$PKGS libsystemd-dev dbus-daemon python3-bleak"
# Device crypto is built from Debian's own BearSSL and libsodium source (never vendored): a deb-src entry.
SRC_LIST=/etc/apt/sources.list.d/dfukit-src.sources

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

has_src=yes
grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ || grep -qs '^deb-src ' /etc/apt/sources.list || has_src=""

[ -z "$missing" ] && [ -n "$has_src" ] && exit 0

if [ "${1:-}" = "--check" ]; then
    [ -n "$has_src" ] || missing="$missing (deb-src entry for bookworm main)"
    echo "dfukit: missing build dependencies:$missing" >&2
    echo "dfukit: run 'make deps' to install them (Debian packages, through apt-get)" >&2
    exit 1
fi

echo "install-deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
if [ -z "$has_src" ]; then
    echo "install-deps: adding a deb-src entry ($SRC_LIST)"
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' |
        $SUDO tee "$SRC_LIST" >/dev/null
fi
$SUDO apt-get update -q
# shellcheck disable=SC2086
[ -z "$missing" ] || $SUDO apt-get install -y -q --no-install-recommends $missing
