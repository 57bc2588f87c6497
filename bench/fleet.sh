#!/bin/sh
# Fleet scale (issue 15, "Scale"): N devsim boards over UDP, flash timing on (nRF52840 model),
# each given the same 256 KiB image by one `mcumgr fleet upgrade --confirm` (upload, test,
# reset, confirm), for N = 1, 10, 100: the wall time against one board alone (target <= 1.3x),
# mcumgr's CPU time (itself and its per-board workers) and peak RSS (the largest process), and
# the CPU the devsim processes used meanwhile (on a small machine they, not mcumgr, bound it).
# Prints a Markdown report (and writes it to OUT).
# Usage: bench/fleet.sh [BIN_DIR] [OUT]   Environment: FLEET_SIZES (default "1 10 100").
set -eu
BIN=$(cd "${1:-build/bin}" && pwd)
OUT=${2:-}
case "$OUT" in ""|/*) ;; *) OUT="$(pwd)/$OUT" ;; esac
SIZES=${FLEET_SIZES:-1 10 100}
W=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-fleet-bench.XXXXXX")
PIDS=""
stop() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    for p in $PIDS; do wait "$p" 2>/dev/null || true; done
    PIDS=""
}
trap 'stop; rm -rf "$W"' EXIT INT TERM
cd "$W"
export HOME="$W"

"$BIN/imgtool" keygen -k key.pem -t ecdsa-p256
"$BIN/imgtool" getpub -k key.pem -e pem > pub.pem
"$BIN/devsim" mkapp --version 1.0.0 --behaviour normal -o a1.bin --size 32768
"$BIN/devsim" mkapp --version 1.1.0 --behaviour normal -o a2.bin --size 262144
"$BIN/imgtool" sign -k key.pem --version 1.0.0 --header-size 0x200 --pad-header --slot-size 0x67000 --align 4 a1.bin v1.bin
"$BIN/imgtool" sign -k key.pem --version 1.1.0 --header-size 0x200 --pad-header --slot-size 0x67000 --align 4 a2.bin img.bin
SIZE=$(wc -c < img.bin | tr -d ' ')

# ticks of CPU (user + system) the given pids used so far
cpu_ticks() {
    t=0
    for p in "$@"; do
        v=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)
        t=$((t + v))
    done
    echo $t
}

rows=""
base=""
for n in $SIZES; do
    stop
    rm -f .mcumgr.cp.json ./*.img ./*.log
    i=1
    while [ $i -le $n ]; do
        "$BIN/devsim" flash --board nrf52840dk --flash "b$i.img" v1.bin > /dev/null
        "$BIN/devsim" run --board nrf52840dk --flash "b$i.img" --trust pub.pem --serial "$W/tty$i" \
            --udp 127.0.0.1:0 --log "d$i.log" --timing &
        PIDS="$PIDS $!"
        i=$((i + 1))
    done
    i=1
    while [ $i -le $n ]; do
        k=0
        until port=$(sed -n 's/.*udp: listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "d$i.log" 2>/dev/null) &&
                [ -n "$port" ]; do
            k=$((k + 1))
            [ $k -lt 300 ] || { echo "board $i did not come up" >&2; exit 1; }
            sleep 0.1
        done
        "$BIN/mcumgr" conn add "b-$(printf %03d $i)" type=udp connstring="[127.0.0.1]:$port" > /dev/null
        i=$((i + 1))
    done
    sleep 1
    # shellcheck disable=SC2086 # word splitting of the pid list is meant
    d0=$(cpu_ticks $PIDS)
    /usr/bin/time -f "wall=%e user=%U sys=%S rss=%M" -o time.txt \
        "$BIN/mcumgr" -q fleet upgrade img.bin --profiles-matching 'b-*' --confirm > table.txt 2> err.txt ||
        { cat table.txt err.txt >&2; exit 1; }
    # shellcheck disable=SC2086
    d1=$(cpu_ticks $PIDS)
    eval "$(tail -1 time.txt | tr ' ' '\n' | sed 's/^/t_/')"
    ok=$(grep -c ' upgraded$' table.txt || true)
    [ "$ok" = "$n" ] || { cat table.txt >&2; echo "$ok of $n upgraded" >&2; exit 1; }
    hz=$(getconf CLK_TCK)
    dev_cpu=$(awk -v a="$d0" -v b="$d1" -v hz="$hz" 'BEGIN { printf "%.1f", (b - a) / hz }')
    cpu=$(awk -v u="$t_user" -v s="$t_sys" 'BEGIN { printf "%.2f", u + s }')
    per=$(awk -v c="$cpu" -v n="$n" 'BEGIN { printf "%.3f", c / n }')
    [ -n "$base" ] || base=$t_wall
    ratio=$(awk -v w="$t_wall" -v b="$base" 'BEGIN { printf "%.2f", w / b }')
    rows="$rows| $n | $t_wall | ${ratio}x | $cpu | $per | $t_rss | $dev_cpu |
"
done
stop

{
    echo "## Fleet: one \`mcumgr fleet upgrade\` on N boards"
    echo
    echo "$SIZE-byte image to each of N devsim boards (nRF52840 model, flash timing on) over UDP on"
    echo "this machine; \`fleet upgrade --confirm\`: upload, test, reset, confirm. mcumgr CPU = user"
    echo "+ system of mcumgr and its per-board workers; RSS = the largest of those processes."
    echo "devsim CPU = what the N simulated boards used during the run: with fewer cores than"
    echo "boards it is what bounds the wall time."
    echo
    echo "| boards | wall s | vs 1 board | mcumgr CPU s | CPU s per board | peak RSS KiB | devsim CPU s |"
    echo "|---|---|---|---|---|---|---|"
    printf '%s' "$rows"
    echo
    echo "Reproduce: \`sh bench/fleet.sh ${BENCH_BIN_SHOWN:-build/bin}\` (FLEET_SIZES=\"1 10 100\")."
} > report.md
cat report.md
[ -z "$OUT" ] || cp report.md "$OUT"
