#!/bin/sh
# The size bench's bootloader (dfuboot-quiet: no UART output, no search for refusal causes,
# ECDSA through KEYHASH only, no downgrade policy) boots, swaps and refuses as dfuboot does;
# only the app speaks. An image naming its key by PUBKEY is refused by the -quiet builds (that
# lookup is compiled out, IMAGE_PUBKEY_TLV=0); the logged ones carry serial recovery, whose SMP
# server links the full image library, and accept it.
#   quiet.sh QUIET.elf FULL.elf [KEY_TYPE]   (dfuboot-quiet/dfuboot, dfuboot-scratch-quiet/
#   dfuboot-scratch, or dfuboot-ed25519-quiet/dfuboot-ed25519 ed25519)
KEY_TYPE=${3:-}
. "$(dirname "$0")/lib.sh"
QUIET=$CORTEXM/$1 FULL=$CORTEXM/$2 APP=$CORTEXM/test-app.elf F=$TMP/flash.img
sign_v1_v2 "$APP"

# A test swap, its revert, then nothing to do.
new_flash "$F" "$TMP/v1.bin" "$TMP/v2.bin"
for v in 2 1 1; do
    expect "$QUIET" "$F" "app: running v$v.0.0"
done

"$BIN/imgtool" keygen -k "$TMP/other.pem" -t "$KEY_TYPE"
SIGN_KEY=$TMP/other.pem sign "$APP" 2.0.0 "$TMP/wrongkey.bin" --test
new_flash "$F" "$TMP/v1.bin" "$TMP/wrongkey.bin"
expect "$QUIET" "$F" "app: running v1.0.0"

cp "$TMP/v2.bin" "$TMP/flipped.bin"
printf '\125' | dd of="$TMP/flipped.bin" bs=1 seek=$((0x200 + 100)) conv=notrunc status=none
new_flash "$F" "$TMP/v1.bin" "$TMP/flipped.bin"
expect "$QUIET" "$F" "app: running v1.0.0"

sign "$APP" 2.0.0 "$TMP/pubkey.bin" --test --public-key-format full
new_flash "$F" "$TMP/v1.bin" "$TMP/pubkey.bin"
expect "$QUIET" "$F" "app: running v1.0.0"
new_flash "$F" "$TMP/v1.bin" "$TMP/pubkey.bin"
expect "$FULL" "$F" "dfuboot: test swap, starting v2.0.0" "app: running v2.0.0"

# Nothing bootable: nothing is printed and nothing starts.
new_flash "$F" "$TMP/flipped.bin"
BOOT_TIMEOUT=1 expect "$QUIET" "$F"
echo "quiet $1: ok"
