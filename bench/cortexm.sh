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

# map_bytes MAP REGEX: bytes of .text/.rodata/.data/.isr_vector input sections from archives matching REGEX.
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
        /^ \.(text|rodata|data|isr_vector)[^ ]*$/ { pend = 1; next }
        pend && /^ +0x/ { obj = $3; size = $2; pend = 0; if (obj ~ re) sum += hex(size); next }
        /^ \.(text|rodata|data|isr_vector)[^ ]* +0x/ { if ($4 ~ re) sum += hex($3) }
        { pend = 0 }
        END { print sum + 0 }' "$1"
}

kib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }

# parts NAME: where the flash of one bootloader goes, from its link map (object paths).
parts() {
    m=$C/$1.map
    total=$(arm-none-eabi-size "$C/$1.elf" | awk 'NR == 2 { print $1 + $2 }')
    echo
    echo "Where the $total B of \`$1\` (ECDSA-P256, swap-move) go, from its link map:"
    echo
    echo "| Part | sources | bytes |"
    echo "|---|---|---|"
    sum=0
    while IFS='|' read -r name srcs re; do
        b=$(map_bytes "$m" "$re")
        sum=$((sum + b))
        echo "| $name | $srcs | $b B |"
    done <<'PARTS'
startup and vectors|board_mps2/startup.c|[/(]startup\.c\.obj
board: reset, chain-load|board_mps2/periph.c|[/(]periph\.c\.obj
program: main, trusted key|targets/cortexm/dfuboot.c|[/(]dfuboot\.c\.obj
flash port (NOR rules on the PSRAM)|board_mps2/flash_psram.c|flash_psram\.c\.obj
flash areas, sector map|src/flash|libdfu_flash\.a
boot core: decision, swap, copy/erase|src/boot (all but trailer.c)|libdfu_boot_[a-z_]*\.a\((loader|swap_move|swap_scratch|swap_table|area_ops|reject|public|overwrite)
trailer|src/boot/trailer.c|libdfu_boot_[a-z_]*\.a\(trailer
image validation: header, TLVs, hash, policy|src/image|libdfu_image
libc: mem*|board_mps2/mem.c, newlib-nano|([/(]mem\.c\.obj|libc_nano|libgcc)
crypto port: P-256 key and signature checks|src/crypto_bearssl/bearssl_port.c|bearssl_port\.c\.obj
SHA-256 and the port's hash calls|mbedTLS sha256.c (sha256_mbedtls.c)|(sha256_mbedtls\.c\.obj|libbearssl\.a\((sha2|dec32be|enc32be))
ECDSA-P256 verify|BearSSL ECDSA, ec_prime_i15 and i15 files (ecdsa_p256_i15.c)|(ecdsa_p256_i15\.c\.obj|libbearssl\.a\((ec|i15|ccopy))
PARTS
    echo "| other (alignment, unwind index) | | $((total - sum)) B |"
    echo "| total | | $total B |"
}

# stack_of ELF: the stack depth a -stack flavour reports over the test swap (swap.img).
stack_of() {
    cp "$W/swap.img" "$W/run.img"
    timeout 20 "$SRC/scripts/qemu-board.sh" --stdio "$1" "$W/run.img" </dev/null 2>/dev/null |
        tr -d '\r' | sed -n 's/^dfuboot: stack used \([0-9]*\) bytes$/\1/p'
}

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

{
    echo "## Cortex-M4 bootloader (dfuboot on QEMU mps2-an386)"
    echo
    echo "Reproduce: \`make cortexm && sh bench/cortexm.sh build/cortexm build/bin OUT.md\`."
    echo "$(arm-none-eabi-gcc --version | head -n 1), -Os, -ffunction-sections, --gc-sections,"
    echo "newlib-nano, one image, primary validated on every boot; \`-quiet\`: no UART output (as the"
    echo "anchor, logging off), the others print one line."
    ver() { basename "$(find "$C/../cache" -maxdepth 1 -type d -name "$1-*" | head -n 1)" | sed "s/$1-//"; }
    echo "Crypto: Debian's BearSSL $(ver bearssl) (ECDSA-P256 verify with \`br_ec_prime_i15\` built for"
    echo "P-256 alone) and mbedTLS $(ver mbedtls) (SHA-256, MBEDTLS_SHA256_SMALLER). MCUboot anchor"
    echo "(commit 2d4bacc3, same settings): P-256 TinyCrypt swap-move 11.4 KiB, swap-scratch 12.1 KiB;"
    echo "Ed25519 22.0 KiB. Ed25519: Debian's libsodium $(ver libsodium) (ref10"
    echo "\`crypto_sign_ed25519_verify_detached\`, its SHA-512; SHA-256 as above). The rows without"
    echo "\`-quiet\` carry the boot log and serial recovery (SMP server, image and OS groups, serial transport)."
    echo "Size settings of every dfuboot: BOOT_FIXED_STRATEGY, BOOT_DOWNGRADE_POLICY=0,"
    echo "IMAGE_ECDSA_ONLY=1, IMAGE_PUBKEY_TLV=0 (KEYHASH names the key); \`-quiet\` adds"
    echo "BOOT_REJECT_REASONS=0, MPS2_VECTORS=4 and MPS2_FLASH_STATS=0; bootloaders link"
    echo "board_mps2/mem.c instead of newlib-nano's mem*."
    echo
    echo "| Bootloader | flash (text+data) | crypto | boot logic (rest) | static RAM | worst-case stack |"
    echo "|---|---|---|---|---|---|"
    for b in dfuboot-quiet dfuboot-scratch-quiet dfuboot-ed25519-quiet dfuboot dfuboot-scratch dfuboot-ed25519; do
        [ -f "$C/$b.elf" ] || { echo "| $b | not built | | | | |"; continue; }
        set -- $(arm-none-eabi-size "$C/$b.elf" | awk 'NR == 2 { print $1, $2, $3 }')
        flash=$(($1 + $2)) ram=$(($2 + $3))
        crypto=$(map_bytes "$C/$b.map" 'bearssl|crypto|sodium')
        stack="(prints nothing)"
        [ ! -f "$C/$b-stack.elf" ] || stack="$(stack_of "$C/$b-stack.elf") B"
        echo "| $b | $flash B ($(kib $flash) KiB) | $crypto B | $((flash - crypto)) B | $ram B | $stack |"
    done
    echo
    echo "Worst-case stack: the \`-stack\` flavour of that bootloader (painted RAM, deepest point over"
    echo "a 256 KiB test swap with both images validated)."
    parts dfuboot-quiet
    q=$(arm-none-eabi-size "$C/dfuboot-quiet.elf" | awk 'NR == 2 { print $1 + $2 }')
    anchor=11673 # 11.4 KiB
    echo
    if [ "$q" -le $anchor ]; then
        echo "dfuboot-quiet is $((anchor - q)) B under the anchor's 11.4 KiB ($anchor B)."
    else
        echo "dfuboot-quiet is $((q - anchor)) B over the anchor's 11.4 KiB ($anchor B)."
    fi
} >"$OUT"

# Stack: the painted flavour over the test swap.
stack=$(stack_of "$C/dfuboot-stack.elf")
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

# smp-app's UART: upload speed over the QEMU pty with our mcumgr (the pty has no baud limit,
# so this is what the app and QEMU's UART model take), the receive interrupt and ring against
# the polled flavour (one byte per main-loop turn). Image: smp-app with 256 KiB of payload.
upload_bps() {  # upload_bps APP_ELF: B/s of one `mcumgr image upload` of that app's big image
    arm-none-eabi-objcopy -O binary "$1" "$W/smp.bin"
    sign 1.0.0 "$W/smp.bin" --confirm "$W/smp-v1.img"
    head -c 262144 /dev/zero | tr '\000' '\245' | cat "$W/smp.bin" - >"$W/smp-big.bin"
    "$BIN/imgtool" sign -k "$KEY" -v 2.0.0 -H 0x200 --pad-header -S 0x60000 --align 4 \
        "$W/smp-big.bin" "$W/smp-v2.img"
    flash "$W/run.img" "$W/smp-v1.img"
    "$SRC/scripts/qemu-board.sh" "$C/dfuboot.elf" "$W/run.img" "$W/tty" >/dev/null 2>&1 &
    qpid=$!
    for _ in $(seq 100); do [ -L "$W/tty" ] && break; sleep 0.05; done
    for _ in $(seq 20); do
        HOME=$W "$BIN/mcumgr" --conntype serial --connstring "dev=$W/tty,baud=115200" -t 1 image list \
            >/dev/null 2>&1 && break
    done
    t0=$(date +%s%N)
    HOME=$W "$BIN/mcumgr" --conntype serial --connstring "dev=$W/tty,baud=115200" image upload \
        "$W/smp-v2.img" >/dev/null 2>&1 || echo "upload failed" >&2
    t1=$(date +%s%N)
    kill "$qpid" 2>/dev/null; wait "$qpid" 2>/dev/null || true
    awk -v b="$(wc -c <"$W/smp-v2.img")" -v ns=$((t1 - t0)) 'BEGIN { printf "%d B in %.2f s: %.0f B/s", b, ns / 1e9, b / (ns / 1e9) }'
}
if [ -f "$C/smp-app-polled.elf" ]; then
    polled=$(upload_bps "$C/smp-app-polled.elf")
    irq=$(upload_bps "$C/smp-app.elf")
    {
        echo
        echo "smp-app upload over the QEMU pty (\`mcumgr image upload\`, a 256 KiB-payload image, the pty"
        echo "has no baud limit): UART0 polled one byte per main-loop turn (\`smp-app-polled\`): $polled;"
        echo "receive interrupt into the port's ring, drained every turn (\`smp-app\`): $irq."
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
