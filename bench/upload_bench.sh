#!/bin/sh
# Upload throughput of mcumgr against devsim (issue 6, "Speed"): a 256 KiB signed image over the
# simulated UART at 115200 and 1000000 baud, with Zephyr's default SMP buffers (384 B x 4) and
# with 2 KiB buffers, windowed (buf_count - 1) and stop-and-wait (window 1), on a board that
# erases whole pages (Zephyr's default) and on one with partial erase in 3 ms steps
# (CONFIG_SOC_FLASH_NRF_PARTIAL_ERASE=y, its default step); and over UDP. These boards erase
# progressively (CONFIG_IMG_ERASE_PROGRESSIVELY=y); two more rows (serial 115200, UDP) use
# Zephyr's default, which erases the image's pages at the first chunk before answering it.
#   serial: image bytes/s and its ratio to the ceiling for those buffers,
#           ceiling = baud/10 x (image bytes per request / wire bytes per request, framing incl.)
#   udp:    upload time / the board's flash programming time for the image
# Also mcumgr's start-up time and peak RSS. Prints a Markdown report (and writes it to OUT).
# Usage: bench/upload_bench.sh [BIN_DIR] [OUT]
set -eu
BIN=$(cd "${1:-build/bin}" && pwd)
OUT=${2:-}
case "$OUT" in ""|/*) ;; *) OUT="$(pwd)/$OUT" ;; esac
W=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-upload-bench.XXXXXX")
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

"$BIN/imgtool" keygen -k key.pem -t ecdsa-p256
"$BIN/imgtool" getpub -k key.pem -e pem > pub.pem
"$BIN/devsim" mkapp --version 1.0.0 --behaviour normal -o a1.bin --size 32768
"$BIN/devsim" mkapp --version 1.1.0 --behaviour normal -o a2.bin --size 262144
"$BIN/imgtool" sign -k key.pem --version 1.0.0 --header-size 0x200 --pad-header --slot-size 0x67000 --align 4 a1.bin v1.bin
"$BIN/imgtool" sign -k key.pem --version 1.1.0 --header-size 0x200 --pad-header --slot-size 0x67000 --align 4 a2.bin img.bin
SIZE=$(wc -c < img.bin | tr -d ' ')
"$BIN/devsim" flash --board nrf52840dk --flash template.img v1.bin > /dev/null

# start_board BAUD BUF_SIZE BUF_COUNT [PARTIAL_ERASE_MS [ERASE: progressive | first-chunk]]
start_board() {
    erase_flag=--erase-progressively
    [ "${5:-progressive}" = progressive ] || erase_flag=
    stop
    cp template.img board.img
    rm -f tty devsim.log
    "$BIN/devsim" run --board nrf52840dk --flash board.img --trust pub.pem --serial "$W/tty" \
        --udp 127.0.0.1:0 --timing --baud "$1" --smp-buf-size "$2" --smp-buf-count "$3" \
        --partial-erase-ms "${4:-0}" $erase_flag --log devsim.log 2> devsim.err &
    DEVSIM_PID=$!
    i=0
    PORT=""
    until [ -n "$PORT" ] && [ -e tty ] && "$BIN/mcumgr" --conntype udp --connstring "[127.0.0.1]:$PORT" -t 0.5 echo x > /dev/null 2>&1; do
        if ! kill -0 "$DEVSIM_PID" 2>/dev/null; then
            DEVSIM_PID=""
            return 1  # devsim refused this board (e.g. a buffer above its build's limit)
        fi
        i=$((i + 1)); [ $i -lt 40 ] || { cat devsim.log; exit 1; }
        sleep 0.25
        PORT=$(sed -n 's/.*udp: listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' devsim.log | tail -1)
    done
}

field() { sed -n "s/.*\"$1\": \([0-9.]*\).*/\1/p" "$2"; }

# Wire bytes of one serial request of P packet bytes: base64 of len+packet+crc, in as many lines as
# 124-character lines need (mcumgr spreads it evenly), each with a 2-byte marker and a newline.
wire_bytes() {
    raw=$(($1 + 4))
    b64=$(((raw + 2) / 3 * 4))
    lines=$(((b64 + 123) / 124))
    echo $((b64 + 3 * lines))
}

report() { printf '%s\n' "$*" >> report.md; }
# The board's flash time for the image (nrf52840dk model: 85 ms per 4 KiB page erased, 41 us per
# 4-byte word written): no upload can be faster, whatever the link.
flash_s=$(awk -v s=$SIZE 'BEGIN { printf "%.2f", (int((s + 4095) / 4096) * 85000 + int((s + 3) / 4) * 41) / 1e6 }')
report "## Upload throughput (mcumgr -> devsim nrf52840dk, timing on)"
report ""
report "Image: $SIZE bytes (256 KiB app, signed). Serial lines of 128 bytes (Zephyr's default)."
report ""
report "| link | erase | buffers | window | time s | image B/s | ceiling B/s | of ceiling | floor s | of floor | requests | resends |"
report "|---|---|---|---|---|---|---|---|---|---|---|---|"

for erase in ${ERASES:-0 3}; do
for baud in ${BAUDS:-115200 1000000}; do
    for buf in ${BUFS:-384 2048}; do
        for win in auto 1; do
            ename="whole page"
            [ "$erase" = 0 ] || ename="partial ${erase} ms"
            if ! start_board $baud $buf 4 $erase; then
                report "| serial $baud | $ename | $buf x 4 | - | devsim: $(tail -1 devsim.err | sed "s/^devsim: //") | | | | | | | |"
                continue
            fi
            wopt=""
            [ $win = 1 ] && wopt="-w 1"
            # shellcheck disable=SC2086
            "$BIN/mcumgr" --conntype serial --connstring "dev=$W/tty,baud=$baud" --json \
                image upload $wopt img.bin > r.json
            t=$(field seconds r.json)
            chunk=$(field chunk r.json)
            reqs=$(field requests r.json)
            resends=$(( $(field retransmits r.json) + $(field resyncs r.json) ))
            wnd=$(field window r.json)
            wire=$(wire_bytes $((buf - 4)))
            rate=$(awk -v s=$SIZE -v t="$t" 'BEGIN { printf "%.0f", s / t }')
            ceil=$(awk -v b=$baud -v c=$chunk -v w=$wire 'BEGIN { printf "%.0f", b / 10 * c / w }')
            pct=$(awk -v r=$rate -v c=$ceil 'BEGIN { printf "%.1f %%", 100 * r / c }')
            # floor: the link at its ceiling or the board's flash time, whichever is longer
            floor=$(awk -v s=$SIZE -v c=$ceil -v f=$flash_s 'BEGIN { l = s / c; printf "%.2f", (l > f ? l : f) }')
            fpct=$(awk -v f=$floor -v t="$t" 'BEGIN { printf "%.1f %%", 100 * f / t }')
            report "| serial $baud | $ename | $buf x 4 | $wnd | $t | $rate | $ceil | $pct | $floor | $fpct | $reqs | $resends |"
        done
    done
done
done

UDP_BUF=2048
start_board 115200 $UDP_BUF 4 || UDP_BUF=1024
for win in auto 1; do
    start_board 115200 $UDP_BUF 4
    wopt=""
    [ $win = 1 ] && wopt="-w 1"
    # shellcheck disable=SC2086
    "$BIN/mcumgr" --conntype udp --connstring "[127.0.0.1]:$PORT" --json image upload $wopt img.bin > r.json
    t=$(field seconds r.json)
    ratio=$(awk -v t="$t" -v f="$flash_s" 'BEGIN { printf "%.3f x", t / f }')
    fpct=$(awk -v f=$flash_s -v t="$t" 'BEGIN { printf "%.1f %%", 100 * f / t }')
    report "| udp | whole page | $UDP_BUF x 4 | $(field window r.json) | $t | $(awk -v s=$SIZE -v t="$t" 'BEGIN { printf "%.0f", s / t }') | - | $ratio flash time | $flash_s | $fpct | $(field requests r.json) | $(( $(field retransmits r.json) + $(field resyncs r.json) )) |"
done

# Zephyr's default erase: the first chunk erases the image's 64 pages (5.4 s) before its reply.
for link in serial udp; do
    if [ $link = serial ]; then
        start_board 115200 384 4 0 first-chunk
        conn="--conntype serial --connstring dev=$W/tty,baud=115200"
    else
        start_board 115200 $UDP_BUF 4 0 first-chunk
        conn="--conntype udp --connstring [127.0.0.1]:$PORT"
    fi
    # shellcheck disable=SC2086
    "$BIN/mcumgr" $conn --json image upload img.bin > r.json
    t=$(field seconds r.json)
    rate=$(awk -v s=$SIZE -v t="$t" 'BEGIN { printf "%.0f", s / t }')
    name="udp"; bufs="$UDP_BUF x 4"; ceil="-"; pct="-"; floor=$flash_s
    if [ $link = serial ]; then
        name="serial 115200"; bufs="384 x 4"
        ceil=$(awk -v c="$(field chunk r.json)" -v w="$(wire_bytes 380)" 'BEGIN { printf "%.0f", 11520 * c / w }')
        pct=$(awk -v r=$rate -v c=$ceil 'BEGIN { printf "%.1f %%", 100 * r / c }')
        floor=$(awk -v s=$SIZE -v c=$ceil -v f=$flash_s 'BEGIN { l = s / c; printf "%.2f", (l > f ? l : f) }')
    fi
    fpct=$(awk -v f=$floor -v t="$t" 'BEGIN { printf "%.1f %%", 100 * f / t }')
    report "| $name | whole page, image at 1st chunk | $bufs | $(field window r.json) | $t | $rate | $ceil | $pct | $floor | $fpct | $(field requests r.json) | $(( $(field retransmits r.json) + $(field resyncs r.json) )) |"
done
stop

# start-up time: 50 runs of `mcumgr version` (fork and exec included), averaged
s0=$(date +%s%N)
i=0
while [ $i -lt 50 ]; do "$BIN/mcumgr" version > /dev/null; i=$((i + 1)); done
start=$((($(date +%s%N) - s0) / 50000))
s0=$(date +%s%N)
i=0
while [ $i -lt 50 ]; do /bin/true; i=$((i + 1)); done
true_us=$((($(date +%s%N) - s0) / 50000))
rss="n/a"
if [ -x /usr/bin/time ]; then
    start_board 1000000 $UDP_BUF 4
    /usr/bin/time -f "%M" -o rss.txt "$BIN/mcumgr" --conntype udp --connstring "[127.0.0.1]:$PORT" -q image upload img.bin > /dev/null
    rss="$(cat rss.txt) KiB"
    stop
fi
report ""
report "The board's own flash time for this image is $flash_s s (nrf52840dk model: 85 ms per 4 KiB"
report "page erased as the upload reaches it, 41 us per 4-byte word); at 1000000 baud it is longer"
report "than the link time, so those rows are bound by the flash, not the link."
report "Whole page: the erase halts the CPU for 85 ms and only the UART's 2 lines of 128 bytes keep"
report "filling, so the link idles through each erase (once the board has lost a request behind a"
report "page-opening chunk, mcumgr sends nothing behind such chunks). Partial erase: between 3 ms"
report "steps the UART driver moves lines on into free SMP buffers, so the window keeps running."
report "Image at 1st chunk (Zephyr's default, without CONFIG_IMG_ERASE_PROGRESSIVELY): the first"
report "reply waits for the erase of every page the image takes, then the link runs unstalled."
report ""
report "mcumgr start-up (\`mcumgr version\`, fork and exec included, mean of 50): $start us"
report "(\`/bin/true\` the same way: $true_us us); peak RSS of a 256 KiB upload: $rss."
cat report.md
[ -z "$OUT" ] || cp report.md "$OUT"
