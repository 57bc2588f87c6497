# Helpers of the QEMU board tests. Needs BIN (host programs), CORTEXM (the cross build), SRC,
# VECTORS and TMP from the environment (dfu_script_test).
set -eu
KEY=$VECTORS/imgtool/key-ecdsa-p256.pem
SLOT_SIZE=0x60000
SLOT1_OFF=$((0x60000))
mkdir -p "$TMP"

fail() { echo "FAIL: $*" >&2; exit 1; }

# sign ELF VERSION OUT [imgtool flags]: an app image for slot 0/1 (header 0x200, write unit 4).
sign() {
    elf=$1 ver=$2 out=$3
    shift 3
    arm-none-eabi-objcopy -O binary "$elf" "$TMP/app.bin"
    "$BIN/imgtool" sign -k "${SIGN_KEY:-$KEY}" -v "$ver" -H 0x200 --pad-header -S $SLOT_SIZE --align 4 \
        "$@" "$TMP/app.bin" "$out"
}

# sign_v1_v2 ELF: $TMP/v1.bin (1.0.0, confirmed, for slot 0) and $TMP/v2.bin (2.0.0, test).
sign_v1_v2() {
    sign "$1" 1.0.0 "$TMP/v1.bin" --confirm
    sign "$1" 2.0.0 "$TMP/v2.bin" --test
}

# new_flash FILE SLOT0_IMG [SLOT1_IMG]: an erased 16 MiB PSRAM file with the images placed.
new_flash() {
    tr '\000' '\377' </dev/zero | head -c 16777216 >"$1"
    dd if="$2" of="$1" conv=notrunc status=none
    [ -z "${3:-}" ] || dd if="$3" of="$1" bs=4096 seek=$((SLOT1_OFF / 4096)) conv=notrunc status=none
}

# boot BOOT_ELF FLASH: one QEMU run until the app exits (semihosting) or BOOT_TIMEOUT (10 s); its UART text.
boot() {
    timeout "${BOOT_TIMEOUT:-10}" "$SRC/scripts/qemu-board.sh" --stdio "$1" "$2" </dev/null 2>"$TMP/qemu.err" | tr -d '\r' || true
}

# expect BOOT_ELF FLASH TEXT...: one boot prints exactly these lines.
expect() {
    elf=$1 flash=$2
    shift 2
    got=$(boot "$elf" "$flash")
    want=$(printf '%s\n' "$@")
    [ "$got" = "$want" ] || fail "expected:
$want
got:
$got"
}
