#!/bin/sh
# `make demo` (scripts/demo.sh) runs to the end on a fresh folder, without flash/UART timing:
# v1.1.0 ends confirmed and the crashing v1.2.0 is reverted.
set -eu
: "${BIN:?}" "${TMP:?}" "${SRC:?}"
rm -rf "$TMP"
DEMO_FAST=1 DEMO_DIR="$TMP" sh "$SRC/scripts/demo.sh" "$BIN" > "$TMP.out" 2>&1 ||
    { cat "$TMP.out"; echo "FAIL: demo.sh exited non-zero" >&2; exit 1; }
grep -q "swap type revert" "$TMP/devsim.log" || { echo "FAIL: no revert" >&2; exit 1; }
grep -q "v1.2.0: crashed at boot and was reverted" "$TMP.out" || { cat "$TMP.out"; exit 1; }
grep -q "devsim stopped" "$TMP.out"
