#!/bin/sh
# Uploads over lossy links (issue 15, "Lossy networks"): mcumgr against devsim's timed nrf52840dk
# model (its default SMP buffers), a 256 KiB signed image over UDP with --udp-drop 0, 2, 5 and
# 10 % (and with duplicates and reordering on top), and a 128 KiB image over serial at 115200 baud
# on the partial-erase model (3 ms steps) with --serial-ber 0, 1e-5 and 2e-5. Every row runs
# once per seed of SEEDS (devsim's --seed: which packets the faults hit), default 5 seeds:
#   time s, mean and range; ratio of the mean to the clean row's mean; requests sent (mean) and
#   needed (the clean run's count); for UDP the datagrams devsim dropped (requests and answers,
#   over all seeds) and the resends per drop, total (sent - needed) / total dropped, beside its
#   go-back-N floor. The Go mcumgr runs each row once (the first seed) when it is on PATH.
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
        --udp 127.0.0.1:0 --timing --erase-progressively --seed "$SEED" $@ --log devsim.log 2> devsim.err &
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

SEEDS=${SEEDS:-"1 2 3 4 5"}
nseeds=$(echo $SEEDS | wc -w)
# runs.txt, one line per run: table row seconds requests requests-lost answers-lost overtaken
#   resent-gap resent-behind resent-timeout resent-other needless chunk-bytes probes
run_line() {
    printf '%s %s %s %s %s %s %s %s %s %s %s %s %s\n' "$1" "$(field seconds r.json)" \
        "$(field requests r.json)" "$2" "$3" "$4" "$(field resent_gap r.json)" \
        "$(field resent_behind r.json)" "$(field resent_timeout r.json)" \
        "$(field resent_other r.json)" "$(field needless r.json)" "$(field chunk r.json)" \
        "$(field probes r.json)" >> runs.txt
}
# summary ROW: "mean min max requests-mean" and the sums of the other columns, for the row
summary() {
    awk -v row="$1" '$1 == row { n++; t += $2; if (n == 1 || $2 < lo) lo = $2; if ($2 > hi) hi = $2;
        r += $3; for (i = 4; i <= 11; i++) c[i] += $i; seen[$12] = 1 }
        END { if (!n) exit; printf "%.3f %.3f %.3f %.1f", t / n, lo, hi, r / n;
              for (i = 4; i <= 11; i++) printf " %d", c[i]; printf " %d %d", n, r; ch = "";
              for (k in seen) ch = ch (ch == "" ? "" : "/") k; printf " %s\n", ch }' runs.txt
}
: > runs.txt

report "## Uploads over lossy links (mcumgr -> devsim nrf52840dk, timing on)"
report ""
report "UDP: 256 KiB signed image, the board's default SMP buffers, progressive erase. $nseeds seeds"
report "per row (devsim --seed $SEEDS): time as mean (min-max), the rest over all seeds."
report ""
report "| udp faults | time s, mean (range) | of clean | requests sent, mean | needed | datagrams dropped | resends per drop | go-back-N floor | Go mcumgr s |"
report "|---|---|---|---|---|---|---|---|---|"
cause_head "Where the UDP resends come from (mcumgr's counters; devsim's log for the losses), totals over the seeds." "udp faults"
clean=""
needed=""
UDP_ROWS=${UDP_ROWS:-"0,0,0 0.02,0,0 0.05,0,0 0.10,0,0 0.02,0.02,0.02 0.10,0.05,0.05"}
for row in $UDP_ROWS; do
    # shellcheck disable=SC2046
    set -- $(echo "$row" | tr , " ")
    failed=""
    for SEED in $SEEDS; do
        start_board --udp-drop "$1" --udp-dup "$2" --udp-reorder "$3"
        if ! "$BIN/mcumgr" --conntype udp --connstring "[127.0.0.1]:$PORT" -t 1 --json image upload v2.bin > r.json 2> err.txt; then
            failed="seed $SEED: $(cat err.txt)"
            break
        fi
        held=$(grep -c 'request of [0-9]* bytes held back' devsim.log || true)
        run_line "u$row" "$(lost request)" "$(lost response)" "$held"
    done
    if [ -n "$failed" ]; then
        report "| $(name "$@") | failed: $failed | | | | | | | |"
        continue
    fi
    # shellcheck disable=SC2046
    set -- $(summary "u$row") "$@"
    # mean lo hi reqs lreq lrsp held gap behind timeout other needless n reqsum chunk drop dup reorder
    [ -n "$clean" ] || { clean=$1; needed=$(awk -v r="$4" 'BEGIN { printf "%d", r }'); }
    drops=$(($5 + $6))
    floor=$(awk -v r="$5" -v d="$drops" 'BEGIN { if (d > 0) printf "%.2f", 2 * r / d; else print "-" }')
    per=$(awk -v s="${14}" -v n="$needed" -v k="${13}" -v d="$drops" 'BEGIN { if (d > 0) printf "%.2f", (s - n * k) / d; else print "-" }')
    ratio=$(awk -v t="$1" -v c="$clean" -v lo="$2" -v hi="$3" 'BEGIN { printf "%.2f x (%.2f-%.2f)", t / c, lo / c, hi / c }')
    desc=$(name "${16}" "${17}" "${18}")
    cause "| $desc | $5 | $6 | $7 | $8 | $9 | ${10} | ${11} | ${12} | $floor |"
    gt="not installed"
    if [ -n "$GO_MCUMGR" ]; then
        SEED=$(echo $SEEDS | cut -d' ' -f1)
        start_board --udp-drop "${16}" --udp-dup "${17}" --udp-reorder "${18}"
        gt=$(go_time --conntype udp --connstring "[127.0.0.1]:$PORT" image upload v2.bin)
    fi
    report "| $desc | $1 ($2-$3) | $ratio | $4 | $needed | $drops | $per | $floor | $gt |"
done

report ""
report "Serial 115200 baud: 128 KiB signed image, partial erase in 3 ms steps (--partial-erase-ms 3),"
report "$nseeds seeds per row as above."
report ""
report "| serial bit error rate | time s, mean (range) | of clean | requests sent, mean (probes) | needed | requests of needed | floor, 2 per damaged request | data B per chunk | Go mcumgr s |"
report "|---|---|---|---|---|---|---|---|---|"
cause_head "Where the serial resends come from (mcumgr's counters, totals over the seeds; lines the board's CRC refused are not logged)." "serial bit error rate"
clean=""
needed=""
for ber in ${BERS:-0 1e-5 2e-5}; do
    failed=""
    for SEED in $SEEDS; do
        start_board --baud 115200 --partial-erase-ms 3 --serial-ber "$ber"
        if ! "$BIN/mcumgr" --conntype serial --connstring "dev=$W/tty,baud=115200" -t 1 --json image upload v3.bin > r.json 2> err.txt; then
            failed="seed $SEED: $(cat err.txt)"
            break
        fi
        run_line "s$ber" - - -
    done
    if [ -n "$failed" ]; then
        report "| $ber | failed: $failed | | | | | | | |"
        continue
    fi
    # shellcheck disable=SC2046
    set -- $(summary "s$ber")
    [ -n "$clean" ] || { clean=$1; needed=$(awk -v r="$4" 'BEGIN { printf "%d", r }'); }
    ratio=$(awk -v t="$1" -v c="$clean" -v lo="$2" -v hi="$3" 'BEGIN { printf "%.2f x (%.2f-%.2f)", t / c, lo / c, hi / c }')
    of=$(awk -v r="$4" -v n="$needed" 'BEGIN { printf "%.3f", r / n }')
    floor=$(awk -v g="$8" -v k="${13}" -v n="$needed" 'BEGIN { printf "%.3f", 1 + 2 * g / (k * n) }')
    cause "| $ber | - | - | - | $8 | $9 | ${10} | ${11} | ${12} | - |"
    gt="not installed"
    if [ -n "$GO_MCUMGR" ]; then
        SEED=$(echo $SEEDS | cut -d' ' -f1)
        start_board --baud 115200 --partial-erase-ms 3 --serial-ber "$ber"
        gt=$(go_time --conntype serial --connstring "dev=$W/tty,baud=115200" image upload v3.bin)
    fi
    # probes: the empty chunks that asked where the board stood (not requests), mean per run
    probes=$(awk -v row="s$ber" '$1 == row { n++; p += $13 } END { printf "%.1f", n ? p / n : 0 }' runs.txt)
    report "| $ber | $1 ($2-$3) | $ratio | $4 ($probes) | $needed | $of | $floor | ${15} | $gt |"
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
report "lost / datagrams dropped. Overtaken requests (reordering) cost the one that overtook them on top."
report "In expectation, with a loss rate p each way, answers are lost only for requests that arrived,"
report "so the floor is 2p / (p + p (1 - p)) = 2 / (2 - p): 1.01, 1.03 and 1.05 at 2, 5 and 10 %."
report "Above it: a loss while three requests are in flight (the full window, before the first loss"
report "and after the window grows back) costs one more, and a timeout comes when three requests in"
report "a row go unanswered (each one with 1 - (1 - p)^2, 19 % at 10 %), the last one the limited"
report "transmit sent to find the loss."
report "Serial: a damaged request (the board's CRC refuses it) costs two request times on this"
report "link-bound upload, itself and the one the board drops behind it; the floor is 1 + 2 x damaged"
report "requests (the gaps named, per seed) / needed, the requests column what was sent. The rest of"
report "the time is the line idle: the turnaround of each resync, and the retransmission timeout"
report "(srtt + 4 x rttvar, widened by the erases' delays) when a damaged request's follower or its"
report "gap answer was damaged too."
[ -n "$GO_MCUMGR" ] || report "Go mcumgr: not installed (no \`mcumgr\` on PATH besides ours)."
cat causes.md >> report.md
cat report.md
[ -z "$OUT" ] || cp report.md "$OUT"
