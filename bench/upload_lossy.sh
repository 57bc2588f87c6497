#!/bin/sh
# Uploads over lossy links (issue 15, "Lossy networks"): mcumgr against devsim's timed nrf52840dk
# model (its default SMP buffers), a 256 KiB signed image over UDP with --udp-drop 0, 2, 5 and
# 10 % (and with duplicates and reordering on top), and a 128 KiB image over serial at 115200 baud
# on the partial-erase model (3 ms steps) with --serial-ber 0, 1e-5 and 2e-5. One seed per row.
#   time s; ratio to the clean run of the same table; requests sent and needed (the clean run's
#   count); for UDP the datagrams devsim dropped (requests and answers) and the resends per loss,
#   (sent - needed) / dropped. The Go mcumgr runs the same rows when it is on PATH.
# Prints a Markdown report (and writes it to OUT).
# Usage: bench/upload_lossy.sh [BIN_DIR] [OUT]
set -eu
BIN=$(cd "${1:-build/bin}" && pwd)
OUT=${2:-}
case "$OUT" in ""|/*) ;; *) OUT="$(pwd)/$OUT" ;; esac
W=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-lossy-bench.XXXXXX")
DEVSIM_PID=""
stop() {
    if [ -n "$DEVSIM_PID" ]; then
        kill "$DEVSIM_PID" 2>/dev/null || true
        wait "$DEVSIM_PID" 2>/dev/null || true
        DEVSIM_PID=""
    fi
}
trap 'stop; rm -rf "$W"' EXIT INT TERM
cd "$W"
export HOME="$W"

# The Go mcumgr, if one is on PATH (ours is run from BIN_DIR).
GO_MCUMGR=$(command -v mcumgr 2>/dev/null || true)
[ "$GO_MCUMGR" != "$BIN/mcumgr" ] || GO_MCUMGR=""

"$BIN/imgtool" keygen -k key.pem -t ecdsa-p256
"$BIN/imgtool" getpub -k key.pem -e pem > pub.pem
"$BIN/devsim" mkapp --version 1.0.0 --behaviour normal -o a1.bin --size 32768
"$BIN/devsim" mkapp --version 1.1.0 --behaviour normal -o a2.bin --size 262144
"$BIN/devsim" mkapp --version 1.2.0 --behaviour normal -o a3.bin --size 131072
for v in 1 2 3; do
    "$BIN/imgtool" sign -k key.pem --version 1.$((v - 1)).0 --header-size 0x200 --pad-header \
        --slot-size 0x67000 --align 4 a$v.bin v$v.bin
done
"$BIN/devsim" flash --board nrf52840dk --flash template.img v1.bin > /dev/null

# start_board EXTRA_FLAGS...: a fresh timed board from the template, serial pty and UDP port
start_board() {
    stop
    cp template.img board.img
    rm -f tty devsim.log
    # shellcheck disable=SC2068
    "$BIN/devsim" run --board nrf52840dk --flash board.img --trust pub.pem --serial "$W/tty" \
        --udp 127.0.0.1:0 --timing --erase-progressively --seed "${SEED:-15}" $@ --log devsim.log 2> devsim.err &
    DEVSIM_PID=$!
    i=0
    PORT=""
    until [ -n "$PORT" ] && [ -e tty ]; do
        i=$((i + 1)); [ $i -lt 40 ] || { cat devsim.log devsim.err; exit 1; }
        sleep 0.25
        PORT=$(sed -n 's/.*udp: listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' devsim.log | tail -1)
    done
}

field() { sed -n "s/.*\"$1\": \([0-9.]*\).*/\1/p" "$2"; }
# name DROP DUP REORDER: the row's faults in words
name() {
    awk -v a="$1" -v b="$2" -v c="$3" 'BEGIN { s = sprintf("drop %g %%", 100 * a);
        if (b > 0) s = s sprintf(", dup %g %%", 100 * b);
        if (c > 0) s = s sprintf(", reorder %g %%", 100 * c); print s }'
}
report() { printf '%s\n' "$*" >> report.md; }
lost() { grep -c "$1 of [0-9]* bytes lost (fault injection)" devsim.log || true; }
# causes: the resends by why (mcumgr's counters) for the table of causes
causes() {
    printf '%s | %s | %s | %s | %s' "$(field resent_gap r.json)" "$(field resent_behind r.json)" \
        "$(field resent_timeout r.json)" "$(field resent_other r.json)" "$(field needless r.json)"
}
cause() { printf '%s\n' "$*" >> causes.md; }
cause_head() {
    cause ""
    cause "$1"
    cause ""
    cause "| $2 | requests lost | answers lost | requests overtaken | resent: named gap | sent behind the gap | after a timeout | other | needless | go-back-N floor per drop |"
    cause "|---|---|---|---|---|---|---|---|---|---|"
}

# go_time CONN...: seconds the Go mcumgr takes for the image (or "unfinished" after 300 s)
go_time() {
    [ -n "$GO_MCUMGR" ] || { echo "not installed"; return; }
    s0=$(date +%s%N)
    # shellcheck disable=SC2068
    if timeout 300 "$GO_MCUMGR" $@ > /dev/null 2>&1; then
        awk -v n=$(($(date +%s%N) - s0)) 'BEGIN { printf "%.3f", n / 1e9 }'
    else
        echo "unfinished after 300 s"
    fi
}

report "## Uploads over lossy links (mcumgr -> devsim nrf52840dk, timing on)"
report ""
report "UDP: 256 KiB signed image, the board's default SMP buffers, progressive erase."
report ""
report "| udp faults | time s | of clean | requests sent | needed | datagrams dropped | resends per drop | Go mcumgr s |"
report "|---|---|---|---|---|---|---|---|"
cause_head "Where the UDP resends come from (mcumgr's counters; devsim's log for the losses)." "udp faults"
clean=""
needed=""
UDP_ROWS=${UDP_ROWS:-"0,0,0 0.02,0,0 0.05,0,0 0.10,0,0 0.02,0.02,0.02 0.10,0.05,0.05"}
for row in $UDP_ROWS; do
    # shellcheck disable=SC2046
    set -- $(echo "$row" | tr , " ")
    start_board --udp-drop "$1" --udp-dup "$2" --udp-reorder "$3"
    if ! "$BIN/mcumgr" --conntype udp --connstring "[127.0.0.1]:$PORT" -t 1 --json image upload v2.bin > r.json 2> err.txt; then
        report "| $(name "$@") | failed: $(cat err.txt) | | | | $(($(lost request) + $(lost response))) | | |"
        continue
    fi
    t=$(field seconds r.json)
    reqs=$(field requests r.json)
    [ -n "$clean" ] || { clean=$t; needed=$reqs; }
    drops=$(($(lost request) + $(lost response)))
    held=$(grep -c 'request of [0-9]* bytes held back' devsim.log || true)
    floor=$(awk -v r="$(lost request)" -v d="$drops" 'BEGIN { if (d > 0) printf "%.2f", 2 * r / d; else print "-" }')
    cause "| $(name "$@") | $(lost request) | $(lost response) | $held | $(causes) | $floor |"
    per=$(awk -v s="$reqs" -v n="$needed" -v d="$drops" 'BEGIN { if (d > 0) printf "%.2f", (s - n) / d; else print "-" }')
    ratio=$(awk -v t="$t" -v c="$clean" 'BEGIN { printf "%.2f x", t / c }')
    gt="not installed"
    if [ -n "$GO_MCUMGR" ]; then
        start_board --udp-drop "$1" --udp-dup "$2" --udp-reorder "$3"
        gt=$(go_time --conntype udp --connstring "[127.0.0.1]:$PORT" image upload v2.bin)
    fi
    report "| $(name "$@") | $t | $ratio | $reqs | $needed | $drops | $per | $gt |"
done

report ""
report "Serial 115200 baud: 128 KiB signed image, partial erase in 3 ms steps (--partial-erase-ms 3)."
report ""
report "| serial bit error rate | time s | of clean | requests sent | needed | Go mcumgr s |"
report "|---|---|---|---|---|---|"
cause_head "Where the serial resends come from (mcumgr's counters; lines the board's CRC refused are not logged)." "serial bit error rate"
clean=""
needed=""
for ber in ${BERS:-0 1e-5 2e-5}; do
    start_board --baud 115200 --partial-erase-ms 3 --serial-ber "$ber"
    if ! "$BIN/mcumgr" --conntype serial --connstring "dev=$W/tty,baud=115200" -t 1 --json image upload v3.bin > r.json 2> err.txt; then
        report "| $ber | failed: $(cat err.txt) | | | | |"
        continue
    fi
    t=$(field seconds r.json)
    reqs=$(field requests r.json)
    [ -n "$clean" ] || { clean=$t; needed=$reqs; }
    ratio=$(awk -v t="$t" -v c="$clean" 'BEGIN { printf "%.2f x", t / c }')
    cause "| $ber | - | - | - | $(causes) | - |"
    gt="not installed"
    if [ -n "$GO_MCUMGR" ]; then
        start_board --baud 115200 --partial-erase-ms 3 --serial-ber "$ber"
        gt=$(go_time --conntype serial --connstring "dev=$W/tty,baud=115200" image upload v3.bin)
    fi
    report "| $ber | $t | $ratio | $reqs | $needed | $gt |"
done
stop

report ""
report "mcumgr runs with \`-t 1\` and the default one try: a read (mcumgr params before the upload,"
report "the image list that checks it) goes again within its 1 s while no answer comes."
report "Needed: the clean run's requests. A lost answer costs no resend (the next answer's offset"
report "covers it); a lost request is resent when the next answer names its offset, with the requests"
report "the board dropped behind it (it takes chunks in order only)."
report "The go-back-N floor: a lost request costs itself and the one sent behind it (a window of two,"
report "so the next answer shows the loss instead of a timeout), a lost answer nothing: 2 x requests"
report "lost / datagrams dropped (1.00 when both ways lose alike). Overtaken requests (reordering) cost"
report "the one that overtook them on top."
[ -n "$GO_MCUMGR" ] || report "Go mcumgr: not installed (no \`mcumgr\` on PATH besides ours)."
cat causes.md >> report.md
cat report.md
[ -z "$OUT" ] || cp report.md "$OUT"
