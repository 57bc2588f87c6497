#!/bin/sh
# The guide's flow on devsim in swap-offset mode, over serial: the upload lands one sector into
# slot 1 (0x73000 + 0x1000 on nrf52840dk, as Zephyr's img_mgmt places it for MCUboot's
# swap-using-offset), slot-info leaves room for it, `image test` + reset swaps it in on trial,
# a reset without confirm reverts (the new image back one sector in), and test + reset +
# confirm keeps it. Then the guide's one-step script does the same.
. "$(dirname "$0")/e2e_lib.sh"
make_images
start_board --no-timing --strategy swap-offset
grep -q "swap-offset, timing off" devsim.log || fail "devsim did not take --strategy swap-offset"

# the magic 3d b8 f3 96 at the image area of slot 1 (one 4 KiB sector in), nothing at its start
magic_at() {
    od -An -tx1 -j "$1" -N 4 board.img | tr -d ' \n'
}
"$MCUMGR" -c serial image upload v2.bin > up.out || { cat up.out; fail "upload"; }
"$MCUMGR" -c serial image list > list1.lst
[ "$(slot_field list1.lst 1 version)" = "1.1.0" ] || { cat list1.lst; fail "upload not listed"; }
[ "$(magic_at $((0x74000)))" = "3db8f396" ] || fail "no image header one sector into slot 1"
[ "$(magic_at $((0x73000)))" = "ffffffff" ] || fail "slot 1's first sector is not left free"
"$MCUMGR" -c serial image slot-info > info.out
grep -q "max_image_size" info.out || grep -qi "max" info.out || { cat info.out; fail "slot-info"; }
new=$(grep hash: list1.lst | tail -1 | awk '{print $2}')

# test, reset, no confirm: on trial, then reverted at the next reset
"$MCUMGR" -c serial image test "$new" > /dev/null
"$MCUMGR" -c serial reset > /dev/null
wait_board serial
"$MCUMGR" -c serial image list > trial.lst
[ "$(slot_field trial.lst 0 version)" = "1.1.0" ] || { cat trial.lst; fail "not running 1.1.0"; }
[ "$(slot_field trial.lst 0 flags)" = "active" ] || { cat trial.lst; fail "not on trial"; }
grep -q "boot: booting 1.1.0 from slot 0; swap type test" devsim.log || fail "no test swap"
"$MCUMGR" -c serial reset > /dev/null
i=0
until grep -q "swap type revert" devsim.log; do
    i=$((i + 1)); [ $i -lt 40 ] || fail "no revert"; sleep 0.25
done
wait_board serial
"$MCUMGR" -c serial image list > back.lst
[ "$(slot_field back.lst 0 version)" = "1.0.0" ] || { cat back.lst; fail "not back on 1.0.0"; }
[ "$(slot_field back.lst 1 version)" = "1.1.0" ] || { cat back.lst; fail "1.1.0 not back in slot 1"; }
[ "$(magic_at $((0x74000)))" = "3db8f396" ] || fail "reverted image not one sector in"
[ "$(magic_at $((0x73000)))" = "ffffffff" ] || fail "slot 1's first sector not erased after revert"

# test, reset, confirm: kept
"$MCUMGR" -c serial image test "$new" > /dev/null
"$MCUMGR" -c serial reset > /dev/null
wait_board serial
"$MCUMGR" -c serial image confirm > /dev/null
"$MCUMGR" -c serial image list > after.lst
[ "$(slot_field after.lst 0 version)" = "1.1.0" ] || { cat after.lst; fail "not running 1.1.0"; }
[ "$(slot_field after.lst 0 flags)" = "active confirmed" ] || { cat after.lst; fail "not confirmed"; }
[ "$(slot_field after.lst 0 hash)" = "$new" ] || fail "hash differs"
echo "ok: swap-offset over serial: upload one sector in, test, revert, test, confirm"

# the guide's one-step script, unchanged
start_board --no-timing --strategy swap-offset
CONN=serial PATH="$BIN:$PATH" sh "$SRC/tests/client/mcumgr-upload.sh" v2.bin > guide.out 2>&1 ||
    { cat guide.out; fail "the guide's script"; }
wait_board serial
"$MCUMGR" -c serial image list > guide.lst
[ "$(slot_field guide.lst 0 version)" = "1.1.0" ] || { cat guide.lst; fail "guide: not on 1.1.0"; }
[ "$(slot_field guide.lst 0 flags)" = "active confirmed" ] || { cat guide.lst; fail "guide: not confirmed"; }
echo "ok: the guide's script in swap-offset mode ends on 1.1.0 confirmed"
cleanup
