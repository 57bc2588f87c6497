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

# cut MS: one run killed after MS ms of wall time, then a restart that must boot a valid image.
# Sets $hit (the flash changed: the cut landed in the swap) and $over (the swap had finished).
cut() {
    cp "$TMP/initial.img" "$F"
    timeout -s KILL "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))" \
        "$SRC/scripts/qemu-board.sh" --stdio --icount 2 "$BOOT" "$F" </dev/null >"$TMP/cut.out" 2>/dev/null || true
    cuts=$((cuts + 1)) hit=0 over=0
    if grep -q '^dfuboot:' "$TMP/cut.out"; then over=1; return; fi
    cmp -s "$F" "$TMP/initial.img" || { hit=1; mid=$((mid + 1)); }
    got=$(boot "$BOOT" "$F" | tail -n 1)
    case $got in
        "app: running v1.0.0" | "app: running v2.0.0") ;;
        *) fail "restart after a cut at $1 ms: '$got'" ;;
    esac
}

# A sweep in 8 ms steps until the swap finishes before the cut.
cuts=0 mid=0 ms=250 first=0
while :; do
    cut $ms
    [ $over -eq 0 ] || break
    [ $hit -eq 0 ] || [ $first -ne 0 ] || first=$ms
    [ $cuts -lt 200 ] || fail "no end of the swap after $cuts cuts"
    ms=$((ms + 8))
done
# How long the swap lasts in wall time depends on the machine's load: when the sweep found
# fewer than 30 moments inside it, sweep that window again in finer steps (other moments).
if [ $mid -lt 30 ] && [ $first -ne 0 ]; then
    step=$(((ms - first) / 40))
    [ $step -ge 1 ] || step=1
    t=$((first + step / 2 + 1))
    while [ $t -lt $ms ] && [ $cuts -lt 300 ]; do
        cut $t
        t=$((t + step))
    done
fi
[ $mid -ge 30 ] || fail "only $mid of $cuts cuts hit the swap (30 needed)"
echo "powercut $1: $mid cuts during the swap, $cuts in all, every restart booted a valid image"
