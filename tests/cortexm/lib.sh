# Helpers of the QEMU board tests. Needs BIN (host programs), CORTEXM (the cross build), SRC,
# VECTORS and TMP from the environment (dfu_script_test).
set -eu
# The signing key: KEY_TYPE (set before sourcing) names it, ecdsa-p256 unless the bootloader
# under test trusts another (dfuboot-ed25519: ed25519).
KEY_TYPE=${KEY_TYPE:-ecdsa-p256}
KEY=$VECTORS/imgtool/key-$KEY_TYPE.pem
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

# A board on a pty driven by our mcumgr (profile "board" in $TMP): start_board, stop_board
# (a power cut), list_when_up, slot_field, expect_slot. Needs BOOT and F (the flash file).
TTY=$TMP/tty
export HOME=$TMP  # mcumgr profiles in $TMP/.mcumgr.cp.json
M="$BIN/mcumgr -c board"
board_pid=""

stop_board() {
    [ -z "$board_pid" ] || { kill -TERM "$board_pid" 2>/dev/null || true; wait "$board_pid" || true; }
    board_pid=""
}
trap stop_board EXIT

# wait_tty PATH: until qemu-board.sh has linked its pty there (5 s at most).
wait_tty() {
    for _ in $(seq 100); do
        [ -L "$1" ] && return 0
        sleep 0.05
    done
}

start_board() {
    rm -f "$TTY"
    "$SRC/scripts/qemu-board.sh" "$BOOT" "$F" "$TTY" >"$TMP/board.out" 2>&1 &
    board_pid=$!
    wait_tty "$TTY"
    [ -L "$TTY" ] || fail "board did not start: $(cat "$TMP/board.out")"
    "$BIN/mcumgr" conn add board type=serial connstring="dev=$TTY,baud=115200" >/dev/null
}

# Lists until the board answers (after a reset: dfuboot, maybe a swap or a watchdog round).
list_when_up() {
    for _ in $(seq 20); do
        $M -t 1 image list >"$1" 2>/dev/null && return 0
    done
    fail "no answer from the board"
}

slot_field() {
    awk -v s="slot=$2" -v k="$3:" '
        $1 ~ /^image=/ { cur = $2 }
        cur == s && $1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$1"
}

expect_slot() {  # expect_slot LIST SLOT VERSION FLAGS
    [ "$(slot_field "$1" "$2" version)" = "$3" ] && [ "$(slot_field "$1" "$2" flags)" = "$4" ] ||
        fail "slot $2: expected $3 '$4' in:
$(cat "$1")"
}
