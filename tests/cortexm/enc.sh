#!/bin/sh
# dfuboot-enc on the QEMU board (swap-move, BearSSL): an image from imgtool sign -E for the
# board's exchange key is decrypted into slot 0 and runs; the revert brings the old one back;
# a flipped ciphertext byte and an image encrypted for another key are refused with their
# reasons, and the old image keeps running.
. "$(dirname "$0")/lib.sh"
BOOT=$CORTEXM/dfuboot-enc.elf
APP=$CORTEXM/test-app.elf
F=$TMP/flash.img
ENCPUB=$VECTORS/imgtool/encpub-ecdsa-p256.pem

sign "$APP" 1.0.0 "$TMP/v1.bin" --confirm
sign "$APP" 2.0.0 "$TMP/v2.bin" --test -E "$ENCPUB"
arm-none-eabi-objcopy -O binary "$APP" "$TMP/plain.bin"
dd if="$TMP/v2.bin" of="$TMP/v2.body" bs=1 skip=512 count=$(wc -c < "$TMP/plain.bin") status=none
cmp -s "$TMP/v2.body" "$TMP/plain.bin" && fail "the image is not encrypted"

new_flash "$F" "$TMP/v1.bin" "$TMP/v2.bin"
expect "$BOOT" "$F" "dfuboot: test swap, starting v2.0.0" "app: running v2.0.0"
# slot 0 (offset 0) holds the plaintext payload after the 0x200 header
dd if="$F" of="$TMP/slot0.body" bs=1 skip=512 count=$(wc -c < "$TMP/plain.bin") status=none
cmp -s "$TMP/slot0.body" "$TMP/plain.bin" || fail "slot 0 does not hold the plaintext"
expect "$BOOT" "$F" "dfuboot: revert, starting v1.0.0" "app: running v1.0.0"
# the reverted image is back in slot 1 as it came: header and payload encrypted, byte for byte
n=$((0x200 + $(wc -c < "$TMP/plain.bin")))
dd if="$F" of="$TMP/slot1.img" bs=4096 skip=$((SLOT1_OFF / 4096)) count=$(((n + 4095) / 4096)) status=none
head -c $n "$TMP/slot1.img" > "$TMP/slot1.head"
head -c $n "$TMP/v2.bin" | cmp -s - "$TMP/slot1.head" || fail "slot 1 is not the encrypted image"

cp "$TMP/v2.bin" "$TMP/flipped.bin"
printf '\125' | dd of="$TMP/flipped.bin" bs=1 seek=$((0x200 + 100)) conv=notrunc status=none
new_flash "$F" "$TMP/v1.bin" "$TMP/flipped.bin"
expect "$BOOT" "$F" "dfuboot: slot 1 refused (encrypted image: hash mismatch after decryption), starting v1.0.0" \
    "app: running v1.0.0"

"$BIN/imgtool" keygen -k "$TMP/otherenc.pem" -t ecdsa-p256
"$BIN/imgtool" getpub -k "$TMP/otherenc.pem" -e pem > "$TMP/otherenc.pub.pem"
sign "$APP" 2.0.0 "$TMP/otherkey.bin" --test -E "$TMP/otherenc.pub.pem"
new_flash "$F" "$TMP/v1.bin" "$TMP/otherkey.bin"
expect "$BOOT" "$F" "dfuboot: slot 1 refused (encrypted image: key does not unwrap (other device key)), starting v1.0.0" \
    "app: running v1.0.0"
echo "enc: ok"
