#!/bin/sh
# Fetches Debian's BearSSL source into DIR once and prints the unpacked folder (fetch-source.sh).
#   fetch-bearssl.sh DIR
exec "$(dirname "$0")/fetch-source.sh" bearssl "$1"
