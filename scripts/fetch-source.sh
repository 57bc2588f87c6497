#!/bin/sh
# Fetches the source of a Debian package (apt-get source; needs the deb-src entry
# install-deps.sh adds) into DIR once and prints the unpacked folder. Nothing of it is
# committed. The device crypto libraries are built from these (fetch-bearssl.sh,
# fetch-libsodium.sh).
#   fetch-source.sh PACKAGE DIR
set -eu
pkg=$1 dir=$2
mkdir -p "$dir"
src=$(find "$dir" -maxdepth 1 -type d -name "$pkg-*" | head -n 1)
if [ -z "$src" ]; then
    (cd "$dir" && apt-get source -q "$pkg" >/dev/null 2>&1) ||
        { echo "fetch-source: apt-get source $pkg failed (run 'make deps' for the deb-src entry)" >&2; exit 1; }
    src=$(find "$dir" -maxdepth 1 -type d -name "$pkg-*" | head -n 1)
fi
cd "$src" && pwd
