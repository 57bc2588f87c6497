#!/bin/sh
# The guide's flow against the QEMU board over its pty with our mcumgr: image list, upload,
# test, reset, list (the new image runs, swapped by dfuboot), confirm; the stat and settings
# groups answer; then an image that hangs at start is tested: the watchdog resets and dfuboot
# reverts to the confirmed one. Then the guide's one-step script, verbatim, on a fresh board.
#   smp_flow.sh dfuboot.elf smp-app.elf [KEY_TYPE]
KEY_TYPE=${3:-}
. "$(dirname "$0")/lib.sh"
BOOT=$CORTEXM/$1
APP=$CORTEXM/$2
F=$TMP/flash.img
arm-none-eabi-objcopy -O binary "$APP" "$TMP/app.bin"
"$BIN/imgtool" sign -k "$KEY" -v 1.0.0 -H 0x200 --pad-header -S $SLOT_SIZE --align 4 --confirm \
    "$TMP/app.bin" "$TMP/v1.bin"
"$BIN/imgtool" sign -k "$KEY" -v 2.0.0 -H 0x200 --pad-header -S $SLOT_SIZE --align 4 \
    "$TMP/app.bin" "$TMP/v2.bin"
arm-none-eabi-objcopy -O binary "$CORTEXM/smp-app-crash.elf" "$TMP/crash.bin"
"$BIN/imgtool" sign -k "$KEY" -v 2.1.0 -H 0x200 --pad-header -S $SLOT_SIZE --align 4 \
    "$TMP/crash.bin" "$TMP/crash.img"

new_flash "$F" "$TMP/v1.bin"
start_board
list_when_up "$TMP/l0"
expect_slot "$TMP/l0" 0 1.0.0 "active confirmed"
$M image upload "$TMP/v2.bin" >/dev/null 2>&1 || fail "upload"
$M image list >"$TMP/l1"
expect_slot "$TMP/l1" 1 2.0.0 ""
hash=$(slot_field "$TMP/l1" 1 hash)
$M image test "$hash" >/dev/null || fail "image test"
$M reset >/dev/null || fail "reset"
sleep 0.5
list_when_up "$TMP/l2"
expect_slot "$TMP/l2" 0 2.0.0 "active"
expect_slot "$TMP/l2" 1 1.0.0 "confirmed"
$M image confirm >/dev/null || fail "image confirm"
$M image list >"$TMP/l3"
expect_slot "$TMP/l3" 0 2.0.0 "active confirmed"

# The other groups: stat (the server's own counters) and settings (in the storage partition).
$M stat list >"$TMP/stat"
grep -qx "    smp" "$TMP/stat" || fail "stat list: $(cat "$TMP/stat")"
$M settings write dfukit/name qemu >/dev/null || fail "settings write"
[ "$($M settings read dfukit/name)" = "val: qemu" ] || fail "settings read: $($M settings read dfukit/name)"

# A tested image that hangs at start: watchdog reset, dfuboot reverts to 2.0.0.
$M image upload "$TMP/crash.img" >/dev/null 2>&1 || fail "upload of the crashing image"
$M image list >"$TMP/l4"
$M image test "$(slot_field "$TMP/l4" 1 hash)" >/dev/null || fail "image test (crash)"
$M reset >/dev/null || fail "reset (crash)"
sleep 2
list_when_up "$TMP/l5"
expect_slot "$TMP/l5" 0 2.0.0 "active confirmed"
expect_slot "$TMP/l5" 1 2.1.0 ""
stop_board

# The guide's one-step script, verbatim (tests/client/mcumgr-upload.sh), on a fresh board.
new_flash "$F" "$TMP/v1.bin"
start_board
list_when_up "$TMP/g0"
(cd "$TMP" && CONN=board PATH="$BIN:$PATH" sh "$SRC/tests/client/mcumgr-upload.sh" "$TMP/v2.bin") \
    >"$TMP/guide.out" 2>&1 || fail "one-step script: $(cat "$TMP/guide.out")"
sleep 0.5
list_when_up "$TMP/g1"
expect_slot "$TMP/g1" 0 2.0.0 "active confirmed"
stop_board
echo "smp flow $1 $2: ok"
