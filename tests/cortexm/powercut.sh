#!/bin/sh
# Power cut on the QEMU board: SIGKILL at moments spread over a 256 KiB test swap (the guest
# slowed with --icount so the kills land every few hundred thousand instructions), then a
# restart. Every restart must boot a valid image (dfuboot validates it; the app names it), and
# at least 30 of the cuts must have hit the swap itself (flash changed, swap not finished).
#   powercut.sh dfuboot.elf|dfuboot-scratch.elf
. "$(dirname "$0")/lib.sh"
BOOT=$CORTEXM/$1
F=$TMP/flash.img

arm-none-eabi-objcopy -O binary "$CORTEXM/test-app.elf" "$TMP/app.bin"
# 256 KiB of payload behind the app: the app ignores it, the swap moves it.
head -c 262144 /dev/zero | tr '\000' '\245' | cat "$TMP/app.bin" - >"$TMP/big.bin"
"$BIN/imgtool" sign -k "$KEY" -v 1.0.0 -H 0x200 --pad-header -S $SLOT_SIZE --align 4 --confirm \
    "$TMP/big.bin" "$TMP/v1.bin"
"$BIN/imgtool" sign -k "$KEY" -v 2.0.0 -H 0x200 --pad-header -S $SLOT_SIZE --align 4 --test \
    "$TMP/big.bin" "$TMP/v2.bin"
new_flash "$TMP/initial.img" "$TMP/v1.bin" "$TMP/v2.bin"

cuts=0 mid=0 ms=250
while :; do
    cp "$TMP/initial.img" "$F"
    timeout -s KILL "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))" \
        "$SRC/scripts/qemu-board.sh" --stdio --icount 2 "$BOOT" "$F" </dev/null >"$TMP/cut.out" 2>/dev/null || true
    cuts=$((cuts + 1))
    # The swap finished before the cut: the sweep is past the swap.
    grep -q '^dfuboot:' "$TMP/cut.out" && break
    cmp -s "$F" "$TMP/initial.img" || mid=$((mid + 1))
    got=$(boot "$BOOT" "$F" | tail -n 1)
    case $got in
        "app: running v1.0.0" | "app: running v2.0.0") ;;
        *) fail "restart after a cut at $ms ms: '$got'" ;;
    esac
    [ $cuts -lt 200 ] || fail "no end of the swap after $cuts cuts"
    ms=$((ms + 8))
done
[ $mid -ge 30 ] || fail "only $mid of $cuts cuts hit the swap (30 needed)"
echo "powercut $1: $mid cuts during the swap, $cuts in all, every restart booted a valid image"
