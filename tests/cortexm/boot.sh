#!/bin/sh
# dfuboot on the QEMU board, for one strategy (swap-move or swap-scratch): a test swap runs the
# new image, the next boot reverts it; a confirmed one stays; an image that hangs at start
# (watchdog reset) is reverted; bad images in slot 1 (wrong key, one flipped byte, truncated)
# are refused and the old image keeps running; with nothing bootable it stays in recovery.
#   boot.sh dfuboot.elf|dfuboot-scratch.elf|dfuboot-ed25519.elf [KEY_TYPE]
KEY_TYPE=${2:-}
. "$(dirname "$0")/lib.sh"
BOOT=$CORTEXM/$1
APP=$CORTEXM/test-app.elf
F=$TMP/flash.img

sign "$APP" 1.0.0 "$TMP/v1.bin" --confirm
sign "$APP" 2.0.0 "$TMP/v2.bin" --test

# Test swap, then revert (the app never confirmed).
new_flash "$F" "$TMP/v1.bin" "$TMP/v2.bin"
expect "$BOOT" "$F" "dfuboot: test swap, starting v2.0.0" "app: running v2.0.0"
expect "$BOOT" "$F" "dfuboot: revert, starting v1.0.0" "app: running v1.0.0"
expect "$BOOT" "$F" "dfuboot: no swap, starting v1.0.0" "app: running v1.0.0"

# A permanent swap (--confirm in slot 1) stays.
sign "$APP" 3.0.0 "$TMP/v3.bin" --confirm
new_flash "$F" "$TMP/v1.bin" "$TMP/v3.bin"
expect "$BOOT" "$F" "dfuboot: permanent swap, starting v3.0.0" "app: running v3.0.0"
expect "$BOOT" "$F" "dfuboot: no swap, starting v3.0.0" "app: running v3.0.0"

# The crash flavour hangs without feeding the watchdog: the watchdog resets, dfuboot reverts.
sign "$CORTEXM/test-app-crash.elf" 2.1.0 "$TMP/crash.bin" --test
new_flash "$F" "$TMP/v1.bin" "$TMP/crash.bin"
expect "$BOOT" "$F" "dfuboot: test swap, starting v2.1.0" "app: crashing" \
    "dfuboot: revert, starting v1.0.0" "app: running v1.0.0"

# Bad images in slot 1 are refused (and erased, as MCUboot); slot 0 keeps running.
"$BIN/imgtool" keygen -k "$TMP/other.pem" -t "$KEY_TYPE"
SIGN_KEY=$TMP/other.pem sign "$APP" 2.0.0 "$TMP/wrongkey.bin" --test
new_flash "$F" "$TMP/v1.bin" "$TMP/wrongkey.bin"
expect "$BOOT" "$F" "dfuboot: slot 1 refused (signed with an unknown key), starting v1.0.0" "app: running v1.0.0"

cp "$TMP/v2.bin" "$TMP/flipped.bin"
printf '\125' | dd of="$TMP/flipped.bin" bs=1 seek=$((0x200 + 100)) conv=notrunc status=none
new_flash "$F" "$TMP/v1.bin" "$TMP/flipped.bin"
expect "$BOOT" "$F" "dfuboot: slot 1 refused (hash mismatch), starting v1.0.0" "app: running v1.0.0"

# Truncated: the body cut short (the rest of the slot erased), the trailer still pending.
cp "$TMP/v2.bin" "$TMP/trunc.bin"
tr '\000' '\377' </dev/zero | head -c 256 | dd of="$TMP/trunc.bin" bs=1 seek=$((0x200 + 512)) conv=notrunc status=none
new_flash "$F" "$TMP/v1.bin" "$TMP/trunc.bin"
expect "$BOOT" "$F" "dfuboot: slot 1 refused (hash mismatch), starting v1.0.0" "app: running v1.0.0"

# Nothing bootable: dfuboot says why and stays, in serial recovery (recovery.sh).
new_flash "$F" "$TMP/flipped.bin"
BOOT_TIMEOUT=1 expect "$BOOT" "$F" "dfuboot: nothing to boot: hash mismatch" \
    "dfuboot: serial recovery on UART0"
echo "boot $1: ok"
