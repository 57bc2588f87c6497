#!/bin/sh
# `make demo`: the DFU guide's workflow on a simulated nRF52840 with dfukit's own programs.
# Makes a key, signs app v1.0.0 and v1.1.0, flashes v1.0.0 into a fresh board, starts devsim,
# and drives it with mcumgr over the simulated serial port: list, upload, list, test, reset,
# list, confirm; then a broken v1.2.0 is tested, crashes at boot and is reverted.
# Usage: scripts/demo.sh [BIN_DIR]   (DEMO_FAST=1: no flash/UART timing; DEMO_DIR=where)
set -eu
BIN=$(cd "${1:-build/bin}" && pwd)
DIR=${DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/dfukit-demo.XXXXXX")}
mkdir -p "$DIR"
cd "$DIR"
# profiles of this demo stay in its folder, not in your ~/.mcumgr.cp.json
export HOME="$DIR"
PATH="$BIN:$PATH"
TIMING=--timing
[ "${DEMO_FAST:-0}" = 1 ] && TIMING=--no-timing
DEVSIM_PID=""
T0=$(date +%s)

stop_devsim() {
    if [ -n "$DEVSIM_PID" ]; then
        kill "$DEVSIM_PID" 2>/dev/null || true
        wait "$DEVSIM_PID" 2>/dev/null || true
        DEVSIM_PID=""
    fi
}
trap stop_devsim EXIT INT TERM

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
hash_of_slot() { # hash_of_slot FILE SLOT
    awk -v s="slot=$2" '$1 ~ /^image=/ { cur = $2 } cur == s && $1 == "hash:" { print $2; exit }' "$1"
}
version_of_slot() {
    awk -v s="slot=$2" '$1 ~ /^image=/ { cur = $2 } cur == s && $1 == "version:" { print $2; exit }' "$1"
}
boots() { grep -c "app: running" devsim.log || true; }
# After a reset: waits for the next boot to reach the application, then for SMP answers.
wait_reboot() {
    i=0
    until [ "$(boots)" -gt "$1" ]; do
        i=$((i + 1))
        if [ $i -gt 1200 ]; then
            echo "the board did not reboot; devsim log:" >&2
            tail -20 devsim.log >&2
            exit 1
        fi
        sleep 0.2
    done
    wait_board
}
wait_board() {
    i=0
    until mcumgr -c demo -t 1 image list > /dev/null 2>&1; do
        i=$((i + 1))
        if [ $i -gt 240 ]; then
            echo "the board did not come back; devsim log:" >&2
            tail -20 devsim.log >&2
            exit 1
        fi
        sleep 0.5
    done
}

say "dfukit demo in $DIR"
say "1. A signing key, and three application builds"
run imgtool keygen -k root-ec-p256.pem -t ecdsa-p256
imgtool getpub -k root-ec-p256.pem -e pem > root-ec-p256.pub.pem
run devsim mkapp --version 1.0.0 --behaviour normal -o app-1.0.0.bin --size 49152
run devsim mkapp --version 1.1.0 --behaviour normal -o app-1.1.0.bin --size 65536
run devsim mkapp --version 1.2.0 --behaviour crash -o app-1.2.0.bin --size 65536
for v in 1.0.0 1.1.0 1.2.0; do
    run imgtool sign -k root-ec-p256.pem --version $v --header-size 0x200 --pad-header \
        --slot-size 0x67000 --align 4 app-$v.bin zephyr-$v.signed.bin
done

say "2. A fresh nRF52840 DK with v1.0.0 flashed by a probe, then powered on"
rm -f board.img devsim.log
run devsim flash --board nrf52840dk --flash board.img zephyr-1.0.0.signed.bin
printf '$ devsim run --board nrf52840dk --flash board.img --trust root-ec-p256.pub.pem --serial %s/ttyDEMO %s &\n' "$DIR" "$TIMING"
devsim run --board nrf52840dk --flash board.img --trust root-ec-p256.pub.pem \
    --serial "$DIR/ttyDEMO" --no-udp $TIMING --log devsim.log &
DEVSIM_PID=$!
i=0
until [ -e ttyDEMO ]; do
    i=$((i + 1)); [ $i -lt 100 ] || { cat devsim.log; exit 1; }
    sleep 0.1
done
run mcumgr conn add demo type=serial connstring="$DIR/ttyDEMO,115200"
wait_board

say "3. The guide's workflow over the serial port"
run mcumgr -c demo image list
run mcumgr -c demo image upload zephyr-1.1.0.signed.bin
run mcumgr -c demo image list | tee image.lst
HASH=$(hash_of_slot image.lst 1)
run mcumgr -c demo image test "$HASH"
n=$(boots)
run mcumgr -c demo reset
echo "(the bootloader swaps the slots; waiting for the board)"
wait_reboot "$n"
run mcumgr -c demo image list | tee image.lst
[ "$(version_of_slot image.lst 0)" = 1.1.0 ] || { echo "v1.1.0 is not running" >&2; exit 1; }
run mcumgr -c demo image confirm
run mcumgr -c demo image list

say "4. A broken v1.2.0: tested, crashes at boot, reverted by the bootloader"
run mcumgr -c demo image upload --test --reset zephyr-1.2.0.signed.bin
echo "(v1.2.0 boots as a test image, crashes, and the next boot reverts it)"
i=0
until grep -q "swap type revert" devsim.log; do
    i=$((i + 1)); [ $i -lt 1200 ] || { echo "no revert seen" >&2; tail devsim.log >&2; exit 1; }
    sleep 0.2
done
wait_board
run mcumgr -c demo image list | tee image.lst
[ "$(version_of_slot image.lst 0)" = 1.1.0 ] || { echo "v1.1.0 is not running" >&2; exit 1; }
grep -E "boot:|app:|reset" devsim.log | sed 's/^/    devsim| /' | tail -12

stop_devsim
say "Summary"
echo "  v1.0.0 -> v1.1.0: uploaded over serial, tested, swapped, confirmed"
echo "  v1.2.0: crashed at boot and was reverted; the board runs v1.1.0 $(hash_of_slot image.lst 0 | cut -c1-16)..."
echo "  took $(( $(date +%s) - T0 )) s; files in $DIR; devsim stopped"
