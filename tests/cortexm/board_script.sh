#!/bin/sh
# scripts/qemu-board.sh in pty mode: a missing flash file is created erased at the PSRAM's size,
# UART0 appears behind the stable path as a terminal, and stopping the script stops QEMU
# and removes the path. Usage errors exit 2.
. "$(dirname "$0")/lib.sh"
F=$TMP/new.img
TTY=$TMP/board-tty
rm -f "$F" "$TTY"
"$SRC/scripts/qemu-board.sh" "$CORTEXM/dfuboot.elf" "$F" "$TTY" >"$TMP/board.out" 2>&1 &
pid=$!
wait_tty "$TTY"
[ -L "$TTY" ] && [ -t 0 ] <"$TTY" || fail "no terminal at $TTY: $(cat "$TMP/board.out")"
[ "$(wc -c <"$F")" -eq 16777216 ] || fail "flash file not 16 MiB"
[ "$(head -c 1048576 "$F" | tr -d '\377' | wc -c)" -eq 0 ] || fail "new flash file not erased"
grep -qx "qemu-board: UART0 on $TTY (/dev/pts/[0-9]*), flash $F" "$TMP/board.out" ||
    fail "announcement: $(cat "$TMP/board.out")"
kill -TERM $pid
wait $pid || true
[ ! -e "$TTY" ] || fail "$TTY left behind"
pgrep -f "mem-path=$F" >/dev/null && fail "QEMU still running"
rc=0
"$SRC/scripts/qemu-board.sh" "$CORTEXM/dfuboot.elf" 2>"$TMP/usage.err" || rc=$?
[ $rc -eq 2 ] || fail "usage error exit $rc"
[ "$(cat "$TMP/usage.err")" = "usage: qemu-board.sh [--stdio] [--icount N] BOOT.elf FLASH [PTY]" ] ||
    fail "usage text: $(cat "$TMP/usage.err")"
echo "board script: ok"
