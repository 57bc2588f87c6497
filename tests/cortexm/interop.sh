#!/bin/sh
# One flash file, two boards: devsim's mps2-an386 profile and the QEMU board share the layout
# and the file (16 MiB, the map in its first MiB). devsim's probe writes the images, QEMU's
# dfuboot does the test swap, devsim's bootloader reverts it, and dfuboot boots what devsim
# left.
. "$(dirname "$0")/lib.sh"
BOOT=$CORTEXM/dfuboot.elf
F=$TMP/flash.img
sign "$CORTEXM/test-app.elf" 1.0.0 "$TMP/v1.bin" --confirm
sign "$CORTEXM/test-app.elf" 2.0.0 "$TMP/v2.bin" --test

rm -f "$F"
"$BIN/devsim" flash --board mps2-an386 --flash "$F" --slot 0 "$TMP/v1.bin" >/dev/null
"$BIN/devsim" flash --board mps2-an386 --flash "$F" --slot 1 "$TMP/v2.bin" >/dev/null
expect "$BOOT" "$F" "dfuboot: test swap, starting v2.0.0" "app: running v2.0.0"

# devsim powers the board on with the file QEMU wrote: the unconfirmed image is reverted.
rm -f "$TMP/devsim.log"
"$BIN/devsim" run --board mps2-an386 --flash "$F" --trust "$KEY" --no-udp --log "$TMP/devsim.log" &
pid=$!
for _ in $(seq 100); do
    grep -q "app: running" "$TMP/devsim.log" 2>/dev/null && break
    sleep 0.05
done
kill -TERM $pid
wait $pid || fail "devsim run exited with $?"
grep -q "boot: booting 1.0.0 from slot 0; swap type revert" "$TMP/devsim.log" ||
    fail "devsim did not revert QEMU's swap: $(cat "$TMP/devsim.log")"

expect "$BOOT" "$F" "dfuboot: no swap, starting v1.0.0" "app: running v1.0.0"
echo "interop: ok"
