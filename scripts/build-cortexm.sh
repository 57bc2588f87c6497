#!/bin/sh
# Builds the Cortex-M4 programs (targets/cortexm) into OUT with the arm-none-eabi toolchain
# and Debian's BearSSL, mbedTLS and libsodium sources (fetched once into OUT/../cache).
#   build-cortexm.sh OUT [JOBS]
set -eu
out=$1
jobs=${2:-2}
root=$(cd "$(dirname "$0")/.." && pwd)
bearssl=$("$root/scripts/fetch-bearssl.sh" "$(dirname "$out")/cache")
mbedtls=$("$root/scripts/fetch-source.sh" mbedtls "$(dirname "$out")/cache")
sodium=$("$root/scripts/fetch-libsodium.sh" "$(dirname "$out")/cache")
cmake -S "$root/targets/cortexm" -B "$out" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/arm-none-eabi.cmake" \
    -DBEARSSL_DIR="$bearssl" -DMBEDTLS_DIR="$mbedtls" -DSODIUM_DIR="$sodium" >/dev/null
cmake --build "$out" -j "$jobs"
