#!/bin/sh
# Fetches Debian's libsodium source into DIR once and prints the unpacked folder
# (fetch-source.sh); the Ed25519 bootloader is built from its ref10 code and SHA-512.
#   fetch-libsodium.sh DIR
exec "$(dirname "$0")/fetch-source.sh" libsodium "$1"
