#!/bin/sh
# Cortex-M4 part of the benchmarks: dfuboot's size (crypto and boot logic apart, from the link
# map), static RAM, stack depth (painted, over a 256 KiB test swap), and boot and swap times on
# the QEMU mps2-an386 board next to QEMU's own start-to-exit time. Writes a Markdown fragment.
#   bench/cortexm.sh CORTEXM_DIR BIN_DIR OUT.md
set -eu
C=$(cd "$1" && pwd)
BIN=$2
OUT=$3
SRC=$(cd "$(dirname "$0")/.." && pwd)
KEY=$SRC/tests/vectors/imgtool/key-ecdsa-p256.pem
RUNS=${BENCH_RUNS:-5}
W=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-cortexm.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM

# map_bytes MAP REGEX: bytes of .text/.rodata/.data input sections from archives matching REGEX.
map_bytes() {
    awk -v re="$2" '
        function hex(s,  i, v) {
            v = 0
            for (i = 3; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
            return v
        }
        /^Linker script and memory map/ { on = 1; next }
        /^\/DISCARD\// { on = 0 }
        !on { next }
        /^ \.(text|rodata|data)[^ ]*$/ { pend = 1; next }
        pend && /^ +0x/ { obj = $3; size = $2; pend = 0; if (obj ~ re) sum += hex(size); next }
        /^ \.(text|rodata|data)[^ ]* +0x/ { if ($4 ~ re) sum += hex($3) }
        { pend = 0 }
        END { print sum + 0 }' "$1"
}

kib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }

{
    echo "## Cortex-M4 bootloader (dfuboot on QEMU mps2-an386)"
    echo
    echo "Reproduce: \`make cortexm && sh bench/cortexm.sh build/cortexm build/bin OUT.md\`."
    echo "$(arm-none-eabi-gcc --version | head -n 1), -Os, -ffunction-sections, --gc-sections,"
    echo "newlib-nano, one image, primary validated on every boot; \`-quiet\`: no UART output (as the"
    echo "anchor, logging off), the others print one line."
    echo "Crypto: Debian's BearSSL $(basename "$(find "$C/../cache" -maxdepth 1 -type d -name 'bearssl-*' | head -n 1)" | sed 's/bearssl-//')"
    echo "(SHA-256, ECDSA-P256 verify with \`br_ec_prime_i15\`). MCUboot anchor (commit 2d4bacc3, same"
    echo "settings): P-256 TinyCrypt swap-move 11.4 KiB, swap-scratch 12.1 KiB."
    echo
    echo "| Bootloader | flash (text+data) | crypto | boot logic (rest) | static RAM |"
    echo "|---|---|---|---|---|"
    for b in dfuboot-quiet dfuboot-scratch-quiet dfuboot dfuboot-scratch dfuboot-ed25519; do
        [ -f "$C/$b.elf" ] || { echo "| $b | not built | | | |"; continue; }
        set -- $(arm-none-eabi-size "$C/$b.elf" | awk 'NR == 2 { print $1, $2, $3 }')
        flash=$(($1 + $2)) ram=$(($2 + $3))
        crypto=$(map_bytes "$C/$b.map" 'bearssl|crypto')
        echo "| $b | $flash B ($(kib $flash) KiB) | $crypto B | $((flash - crypto)) B | $ram B |"
    done
} >"$OUT"

# Images: a small one and one with 256 KiB of payload (what the swap moves).
arm-none-eabi-objcopy -O binary "$C/test-app.elf" "$W/app.bin"
head -c 262144 /dev/zero | tr '\000' '\245' | cat "$W/app.bin" - >"$W/big.bin"
sign() { "$BIN/imgtool" sign -k "$KEY" -v "$1" -H 0x200 --pad-header -S 0x60000 --align 4 "$3" "$2" "$4"; }
sign 1.0.0 "$W/app.bin" --confirm "$W/small.img"
sign 1.0.0 "$W/big.bin" --confirm "$W/v1.img"
sign 2.0.0 "$W/big.bin" --test "$W/v2.img"
flash() {
    tr '\000' '\377' </dev/zero | head -c 16777216 >"$1"
    dd if="$2" of="$1" conv=notrunc status=none
    [ -z "${3:-}" ] || dd if="$3" of="$1" bs=4096 seek=$((0x60000 / 4096)) conv=notrunc status=none
}
# run_ms ELF FLASH_TEMPLATE: median wall time of RUNS QEMU runs from a fresh copy.
run_ms() {
    for _ in $(seq "$RUNS"); do
        cp "$2" "$W/run.img"
        t0=$(date +%s%N)
        timeout 20 "$SRC/scripts/qemu-board.sh" --stdio "$1" "$W/run.img" </dev/null >"$W/run.out" 2>&1
        t1=$(date +%s%N)
        echo $(((t1 - t0) / 1000000))
    done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
flash "$W/empty.img" /dev/null
flash "$W/idle-small.img" "$W/small.img"
flash "$W/idle-big.img" "$W/v1.img"
flash "$W/swap.img" "$W/v1.img" "$W/v2.img"

# Stack: the painted flavour over the test swap.
cp "$W/swap.img" "$W/run.img"
timeout 20 "$SRC/scripts/qemu-board.sh" --stdio "$C/dfuboot-stack.elf" "$W/run.img" </dev/null 2>/dev/null |
    tr -d '\r' >"$W/stack.out"
stack=$(sed -n 's/^dfuboot: stack used \([0-9]*\) bytes$/\1/p' "$W/stack.out")
su_max=$(find "$C/CMakeFiles/dfu_boot_move.dir" -name "*.su" -exec cat {} + |
    sed "s|$SRC/||" | awk '{ if ($(NF - 1) > m) { m = $(NF - 1); f = $1 } } END { print m " B (" f ")" }')

base=$(run_ms "$C/qemu-exit.elf" "$W/empty.img")
idle_small=$(run_ms "$C/dfuboot.elf" "$W/idle-small.img")
idle_big=$(run_ms "$C/dfuboot.elf" "$W/idle-big.img")
swap_move=$(run_ms "$C/dfuboot.elf" "$W/swap.img")
swap_scratch=$(run_ms "$C/dfuboot-scratch.elf" "$W/swap.img")
{
    echo
    echo "Worst-case stack of dfuboot (swap-move, painted RAM, deepest point over a 256 KiB test"
    echo "swap with both images validated): ${stack:-not measured} bytes. Largest single frame in the"
    echo "boot core (\`-fstack-usage\`): ${su_max}."
    echo
    echo "Wall time on this machine, median of $RUNS QEMU runs (each run: QEMU start, dfuboot, the"
    echo "test app printing its version and exiting through semihosting):"
    echo
    echo "| Run | wall time |"
    echo "|---|---|"
    echo "| QEMU start-to-exit alone (\`qemu-exit.elf\`) | $base ms |"
    echo "| dfuboot, nothing to do, 1 KiB image validated | $idle_small ms |"
    echo "| dfuboot, nothing to do, 256 KiB image validated | $idle_big ms |"
    echo "| dfuboot swap-move, 256 KiB test swap | $swap_move ms (swap: $((swap_move - idle_big)) ms more) |"
    echo "| dfuboot-scratch, 256 KiB test swap | $swap_scratch ms (swap: $((swap_scratch - idle_big)) ms more) |"
    echo
} >>"$OUT"

# smp-app: the SMP part (server and groups, SMP core, serial transport and frame codecs) and
# its RAM (the server, the transport and its buffers, the response buffer), Zephyr's default
# buffers (4 x 384, 2 x 128 lines).
if [ -f "$C/smp-app.elf" ]; then
    code=$(map_bytes "$C/smp-app.map" 'libdfu_server|libdfu_smp\.|libdfu_smp_uart|libdfu_transport')
    ram=$(arm-none-eabi-nm -S "$C/smp-app.elf" |
        awk '$3 ~ /^[bBdD]$/ && ($4 == "srv" || $4 == "uart" || $4 == "bufs" || $4 == "rsp") { s += ("0x" $2) + 0 } END { print s + 0 }')
    set -- $(arm-none-eabi-size "$C/smp-app.elf" | awk 'NR == 2 { print $1, $2, $3 }')
    {
        echo
        echo "smp-app (OS, image, stat, settings groups; SMP buffers 384 B, UART lines 2 x 128 B):"
        echo "$(($1 + $2)) B of code in all, of it the SMP part (server and groups, SMP core,"
        echo "serial transport, frame codecs) $code B; static RAM $(($2 + $3)) B, of it the SMP part"
        echo "(server state, transport, line and packet buffers, response buffer) $ram B."
    } >>"$OUT"
fi

# Encrypted images: dfuboot-enc (swap-move, BearSSL AES-CTR + ECIES-P256) over the 256 KiB test
# swap of an image from imgtool sign -E, next to dfuboot's plain one; and its size.
if [ -f "$C/dfuboot-enc.elf" ]; then
    "$BIN/imgtool" sign -k "$KEY" -v 2.0.0 -H 0x200 --pad-header -S 0x60000 --align 4 --test \
        -E "$SRC/tests/vectors/imgtool/encpub-ecdsa-p256.pem" "$W/big.bin" "$W/v2enc.img"
    flash "$W/swap-enc.img" "$W/v1.img" "$W/v2enc.img"
    enc_idle=$(run_ms "$C/dfuboot-enc.elf" "$W/idle-big.img")
    enc_swap=$(run_ms "$C/dfuboot-enc.elf" "$W/swap-enc.img")
    set -- $(arm-none-eabi-size "$C/dfuboot-enc.elf" | awk 'NR == 2 { print $1, $2, $3 }')
    crypto=$(map_bytes "$C/dfuboot-enc.map" 'bearssl|crypto')
    {
        echo
        echo "Encrypted images (\`dfuboot-enc\`: swap-move with BOOT_ENCRYPT, ECIES-P256 key built in;"
        echo "flash $(($1 + $2)) B, of it crypto $crypto B; static RAM $(($2 + $3)) B), same runs:"
        echo
        echo "| Run | wall time |"
        echo "|---|---|"
        echo "| dfuboot-enc, nothing to do, 256 KiB plain image validated | $enc_idle ms |"
        echo "| dfuboot-enc, 256 KiB test swap of an encrypted image (unwrap, decrypting validation and copy) | $enc_swap ms (swap: $((enc_swap - enc_idle)) ms more; plain swap: $((swap_move - idle_big)) ms) |"
    } >>"$OUT"
fi
