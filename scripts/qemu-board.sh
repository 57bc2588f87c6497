#!/bin/sh
# Starts the QEMU mps2-an386 board: dfuboot loaded at 0x0 (-kernel, re-applied on every
# guest reset), the PSRAM at 0x21000000 backed by FLASH (slots, scratch, trailers; kept across
# resets and runs, created erased when missing), UART0 on a pseudo-terminal reachable at the
# stable path PTY (a symlink, as devsim run --pty), or on stdout with --stdio.
#   qemu-board.sh [--stdio] [--icount N] BOOT.elf FLASH [PTY]
# --icount N: the guest runs one instruction per 2^N ns of virtual time, never ahead of real
# time (slower and steadier: the power-cut test spreads its kills over a swap with it).
# Runs in the foreground; killing it is a power cut (the file holds what the guest wrote).
set -eu
usage() { echo "usage: qemu-board.sh [--stdio] [--icount N] BOOT.elf FLASH [PTY]" >&2; exit 2; }
stdio="" icount=""
while [ $# -gt 0 ]; do
    case $1 in
        --stdio) stdio=1; shift ;;
        --icount) [ $# -ge 2 ] || usage; icount="-icount shift=$2,align=on"; shift 2 ;;
        -*) usage ;;
        *) break ;;
    esac
done
[ $# -ge 2 ] || usage
boot=$1 flash=$2 pty=${3:-}
[ -f "$boot" ] || { echo "qemu-board: no bootloader '$boot'" >&2; exit 1; }
# The machine's RAM is the 16 MiB PSRAM: the backing file must be that size. The flash map
# uses its first MiB; the rest stays erased.
size=16777216
if [ ! -f "$flash" ]; then
    tr '\000' '\377' </dev/zero | head -c $size >"$flash"
elif [ "$(wc -c <"$flash")" -lt $size ]; then
    tr '\000' '\377' </dev/zero | head -c $((size - $(wc -c <"$flash"))) >>"$flash"
fi
if [ -n "$stdio" ]; then
    serial="-serial stdio"
else
    [ -n "$pty" ] || usage
    serial="-chardev pty,id=u0 -serial chardev:u0"
fi
set -- qemu-system-arm -M mps2-an386,memory-backend=psram \
    -object memory-backend-file,id=psram,mem-path="$flash",size=16M,share=on \
    -kernel "$boot" -nographic -monitor none $serial \
    -semihosting-config enable=on,target=native $icount
if [ -n "$stdio" ]; then
    exec "$@"
fi
# QEMU names the pty it opened on its output ("char device redirected to /dev/pts/N"): link it.
log=$(mktemp)
"$@" >"$log" 2>&1 &
qpid=$!
trap 'kill $qpid 2>/dev/null; rm -f "$log" "$pty"' EXIT INT TERM
for _ in $(seq 100); do
    dev=$(sed -n 's/.*redirected to \(\/dev\/pts\/[0-9]*\).*/\1/p' "$log")
    [ -n "$dev" ] && break
    sleep 0.05
done
[ -n "$dev" ] || { cat "$log" >&2; echo "qemu-board: QEMU opened no pty" >&2; exit 1; }
# Hold the pty open: with no client on it QEMU sees a hang-up and then looks for a new one
# only once a second, so every short-lived client (each mcumgr command) would wait for that.
exec 3<>"$dev"
ln -sf "$dev" "$pty"
echo "qemu-board: UART0 on $pty ($dev), flash $flash"
wait $qpid
