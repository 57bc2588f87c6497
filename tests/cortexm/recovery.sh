#!/bin/sh
# dfuboot's serial recovery on the QEMU board: with nothing bootable in slot 0 the bootloader
# answers SMP on UART0 itself (image list, upload straight into slot 0, erase, echo, reset);
# after the reset the uploaded app runs. A badly signed image uploaded in recovery is not
# booted: the board comes back in recovery. Also a confirmed image with a flipped byte in
# slot 0 (its trailer says confirmed) does not block the rescue.
#   recovery.sh dfuboot.elf smp-app.elf
. "$(dirname "$0")/lib.sh"
BOOT=$CORTEXM/$1
APP=$CORTEXM/$2
F=$TMP/flash.img

sign "$APP" 1.0.0 "$TMP/v1.bin"  # not padded: recovery writes slot 0, no trailer needed
sign "$APP" 1.0.0 "$TMP/v1-confirmed.bin" --confirm
"$BIN/imgtool" keygen -k "$TMP/other.pem" -t ecdsa-p256
SIGN_KEY=$TMP/other.pem sign "$APP" 1.1.0 "$TMP/wrongkey.bin"

# os-info's kernel name tells who answers: "MCUboot" (recovery) or "dfukit" (the app).
kernel() { $M -t 2 os-info -f s 2>&1 || true; }
expect_kernel() {
    got=$(kernel)
    [ "$got" = "$1" ] || fail "expected kernel '$1', got '$got'"
}

# upload_reset IMAGE LIST KERNEL: uploads IMAGE, resets, lists into LIST once the board is up
# again, and checks who answers then.
upload_reset() {
    $M image upload "$1" >/dev/null 2>&1 || fail "upload of $1 (kernel $(kernel))"
    $M reset >/dev/null || fail "reset after the upload of $1"
    sleep 0.5
    list_when_up "$2"
    expect_kernel "$3"
}

# Empty flash: the bootloader answers, lists no image.
new_flash "$F" /dev/null
start_board
list_when_up "$TMP/l0"
[ -z "$(slot_field "$TMP/l0" 0 version)" ] || fail "empty flash lists an image: $(cat "$TMP/l0")"
expect_kernel MCUboot
[ "$($M echo hello)" = "hello" ] || fail "echo in recovery"
got=$($M -t 2 stat list 2>&1) && fail "stat group answers in recovery: $got"
[ "$got" = "mcumgr: stat: ENOTSUP (8)" ] || fail "stat list in recovery: $got"

# A badly signed image uploaded in recovery lands in slot 0, is refused at boot: recovery again.
upload_reset "$TMP/wrongkey.bin" "$TMP/l1" MCUboot
[ "$(slot_field "$TMP/l1" 0 version)" = "1.1.0" ] || fail "slot 0 after upload: $(cat "$TMP/l1")"
# image erase in recovery erases slot 0 (the refused image is gone).
$M image erase >/dev/null || fail "image erase in recovery"
$M image list >"$TMP/erased"
[ -z "$(slot_field "$TMP/erased" 0 version)" ] || fail "slot 0 after erase: $(cat "$TMP/erased")"

# The app uploaded in recovery (over the refused one), reset: the app runs from slot 0.
upload_reset "$TMP/v1.bin" "$TMP/l2" dfukit
expect_slot "$TMP/l2" 0 1.0.0 "active confirmed"
stop_board

# A confirmed app with a flipped byte in slot 0: recovery, and its trailer does not stop the
# upload of a good one.
cp "$TMP/v1-confirmed.bin" "$TMP/flipped.bin"
printf '\125' | dd of="$TMP/flipped.bin" bs=1 seek=$((0x200 + 100)) conv=notrunc status=none
new_flash "$F" "$TMP/flipped.bin"
start_board
list_when_up "$TMP/l3"
expect_kernel MCUboot
upload_reset "$TMP/v1.bin" "$TMP/l4" dfukit
stop_board
echo "recovery $1 $2: ok"
