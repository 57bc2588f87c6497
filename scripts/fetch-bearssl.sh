#!/bin/sh
# Fetches Debian's BearSSL source (apt-get source; needs the deb-src entry install-deps.sh
# adds) into DIR once and prints the unpacked folder. Nothing of it is committed.
#   fetch-bearssl.sh DIR
set -eu
dir=$1
mkdir -p "$dir"
src=$(find "$dir" -maxdepth 1 -type d -name 'bearssl-*' | head -n 1)
if [ -z "$src" ]; then
    (cd "$dir" && apt-get source -q bearssl >/dev/null 2>&1) ||
        { echo "fetch-bearssl: apt-get source bearssl failed (run 'make deps' for the deb-src entry)" >&2; exit 1; }
    src=$(find "$dir" -maxdepth 1 -type d -name 'bearssl-*' | head -n 1)
fi
cd "$src" && pwd
