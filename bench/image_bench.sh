#!/bin/sh
# imgtool sign / verify: wall time (median of BENCH_RUNS runs after one warm-up), throughput
# and peak RSS, per image size and key type, next to `openssl dgst -sha256` of the same
# payload (one pass of the hash every signed image needs: the floor). Prints a Markdown
# fragment and writes it to OUT when given.
# Usage: bench/image_bench.sh BIN_DIR [OUT]
# Environment: BENCH_SIZES (bytes, default "262144 1048576 16777216"), BENCH_KEYS (default
# "ecdsa-p256 ed25519 rsa-2048"), BENCH_RUNS (default 11), BENCH_ENC_SIZES (sign -E next to
# plain signing, default "1048576 16777216"; empty skips it), BENCH_ENC_ONLY=1 (only that part).
set -eu
BIN=$(cd "${1:?usage: image_bench.sh BIN_DIR [OUT]}" && pwd)
OUT=${2:-}
SHOWN=${BENCH_BIN_SHOWN:-build/bin}  # how BIN_DIR is named in "Reproduce" lines
SIZES=${BENCH_SIZES:-262144 1048576 16777216}
KEYS=${BENCH_KEYS:-ecdsa-p256 ed25519 rsa-2048}
RUNS=${BENCH_RUNS:-11}
for p in imgtool bench_rusage; do
    [ -x "$BIN/$p" ] || { echo "image_bench: $BIN/$p not built" >&2; exit 1; }
done
command -v openssl > /dev/null || { echo "image_bench: openssl not found" >&2; exit 1; }

W=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-image-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM

# measure VAR_PREFIX CMD...: sets <prefix>_us (median) and <prefix>_rss (KiB).
measure() {
    prefix=$1
    shift
    r=$("$BIN/bench_rusage" -n "$RUNS" -- "$@") || { echo "image_bench: failed: $*" >&2; exit 1; }
    eval "${prefix}_us=$(echo "$r" | sed -n 's/.*median_us=\([0-9]*\).*/\1/p')"
    eval "${prefix}_rss=$(echo "$r" | sed -n 's/.*maxrss_kib=\([0-9]*\).*/\1/p')"
}
ms() { awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'; }
mibs() { awk -v b="$1" -v u="$2" 'BEGIN { printf "%.1f", b / 1048576 / (u / 1e6) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

for k in $KEYS; do
    "$BIN/imgtool" keygen -k "$W/key-$k.pem" -t "$k"
done

R="$W/report.md"
{
    echo "## Image signing and verification (imgtool)"
    echo
    echo "Reproduce: \`bench/image_bench.sh $SHOWN\` (sizes: $SIZES bytes; keys: $KEYS;" \
         "median of $RUNS runs after one warm-up, measured with \`$SHOWN/bench_rusage\`," \
         "which also reports the peak RSS from \`wait4\`)."
    echo "Each run is one process, start-up included. Payload: random bytes. Commands:"
    echo
    echo '```'
    echo "imgtool sign -k key.pem -v 1.2.3 -H 0x200 --pad-header -S <size + 64 KiB> payload.bin signed.bin"
    echo "imgtool verify -k key.pem signed.bin"
    echo "openssl dgst -sha256 payload.bin        # floor: one SHA-256 pass over the payload"
    echo '```'
    echo
    echo "| payload | key | sign ms | sign MiB/s | sign peak RSS KiB | verify ms | verify MiB/s | verify peak RSS KiB | sha256 floor ms | sign / floor | verify / floor |"
    echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
} > "$R"

ENC_SIZES=${BENCH_ENC_SIZES-1048576 16777216}
[ "${BENCH_ENC_ONLY:-0}" = 1 ] && SIZES=""
for size in $SIZES; do
    payload="$W/payload-$size.bin"
    head -c "$size" /dev/urandom > "$payload"
    slot=$(printf '0x%x' $((size + 65536)))
    measure floor openssl dgst -sha256 "$payload"
    for k in $KEYS; do
        signed="$W/signed-$k-$size.bin"
        measure sign "$BIN/imgtool" sign -k "$W/key-$k.pem" -v 1.2.3 -H 0x200 --pad-header \
            -S "$slot" "$payload" "$signed"
        measure verify "$BIN/imgtool" verify -k "$W/key-$k.pem" "$signed"
        # The measured image must really verify (bench_rusage already checked exit status 0),
        # and a flipped payload byte must not.
        off=$((0x200 + size / 2))
        byte=$(od -An -tu1 -j "$off" -N 1 "$signed" | tr -d ' ')
        # shellcheck disable=SC2059
        printf "\\$(printf '%03o' $(((byte + 1) % 256)))" |
            dd of="$signed" bs=1 seek="$off" conv=notrunc 2> /dev/null
        if "$BIN/imgtool" verify -k "$W/key-$k.pem" "$signed" > /dev/null 2>&1; then
            echo "image_bench: a corrupted $k image verified" >&2
            exit 1
        fi
        # shellcheck disable=SC2154 # sign_*, verify_*, floor_* are set by measure()
        echo "| $size | $k | $(ms "$sign_us") | $(mibs "$size" "$sign_us") | $sign_rss |" \
             "$(ms "$verify_us") | $(mibs "$size" "$verify_us") | $verify_rss |" \
             "$(ms "$floor_us") | $(ratio "$sign_us" "$floor_us") | $(ratio "$verify_us" "$floor_us") |" >> "$R"
        echo "$k $size $sign_us $verify_us $floor_us $sign_rss $verify_rss" >> "$W/times"
        rm -f "$signed"
    done
    rm -f "$payload"
done
{
    echo
    echo "sha256 floor = \`openssl dgst -sha256\` on the payload (median, start-up included); its peak RSS"
    echo "is not shown. \"sign / floor\" > 1 is the cost of building, signing and writing the image."
} >> "$R"

# Marginal throughput between the smallest and the largest payload: process start-up, key
# loading and the signature itself cancel out, what remains is the per-byte cost.
if [ "$(echo "$SIZES" | wc -w)" -ge 2 ]; then
    {
        echo
        echo "Marginal figures between the smallest and the largest payload: throughput = (size"
        echo "difference) / (time difference), so start-up, key loading and the signature cancel out;"
        echo "RSS growth = peak RSS difference per MiB of payload (1024 means the whole image is held in memory):"
        echo
        echo "| key | sign MiB/s | verify MiB/s | sha256 floor MiB/s | sign RSS KiB per MiB | verify RSS KiB per MiB |"
        echo "|---|---:|---:|---:|---:|---:|"
        awk '
            { if (!($1 in lo) || $2 < lo[$1]) { lo[$1] = $2; ls[$1] = $3; lv[$1] = $4; lf[$1] = $5; lrs[$1] = $6; lrv[$1] = $7 }
              if (!($1 in hi) || $2 > hi[$1]) { hi[$1] = $2; hs[$1] = $3; hv[$1] = $4; hf[$1] = $5; hrs[$1] = $6; hrv[$1] = $7 }
              if (!($1 in seen)) { order[n++] = $1; seen[$1] = 1 } }
            function rate(b, t) { return t > 0 ? sprintf("%.0f", b / 1048576 / (t / 1e6)) : "n/a" }
            END { for (i = 0; i < n; i++) { k = order[i]; b = hi[k] - lo[k]
                  mib = b / 1048576
                  printf "| %s | %s | %s | %s | %.0f | %.0f |\n", k, rate(b, hs[k] - ls[k]), rate(b, hv[k] - lv[k]),
                         rate(b, hf[k] - lf[k]), (hrs[k] - lrs[k]) / mib, (hrv[k] - lrv[k]) / mib } }
        ' "$W/times"
    } >> "$R"
fi
# sign -E: the same signing with the payload encrypted for an ECIES-P256 exchange key (random
# AES-128 key, key wrap, AES-CTR over the body). Target: within 1.5x of plain signing.
if [ -n "$ENC_SIZES" ]; then
    "$BIN/imgtool" keygen -k "$W/sign-p256.pem" -t ecdsa-p256
    "$BIN/imgtool" keygen -k "$W/enc-p256.pem" -t ecdsa-p256
    {
        echo
        echo "### Encrypted signing (imgtool sign -E)"
        echo
        echo "Same command as above with ecdsa-p256 plus \`-E enc.pem\` (ECIES-P256, AES-128-CTR); median of"
        echo "$RUNS runs. Target: sign -E within 1.5x of plain signing."
        echo
        echo "| payload | sign ms | sign -E ms | sign -E MiB/s | sign -E peak RSS KiB | sign -E / sign |"
        echo "|---:|---:|---:|---:|---:|---:|"
    } >> "$R"
    for size in $ENC_SIZES; do
        payload="$W/payload-$size.bin"
        head -c "$size" /dev/urandom > "$payload"
        slot=$(printf '0x%x' $((size + 65536)))
        measure plain "$BIN/imgtool" sign -k "$W/sign-p256.pem" -v 1.2.3 -H 0x200 --pad-header \
            -S "$slot" "$payload" "$W/plain.bin"
        measure enc "$BIN/imgtool" sign -k "$W/sign-p256.pem" -E "$W/enc-p256.pem" -v 1.2.3 \
            -H 0x200 --pad-header -S "$slot" "$payload" "$W/enc.bin"
        # The measured image is really encrypted and really checks with the key.
        if cmp -s -i 512:0 -n "$size" "$W/enc.bin" "$payload" ||
            ! "$BIN/imgtool" verify -k "$W/sign-p256.pem" --enckey "$W/enc-p256.pem" "$W/enc.bin" > /dev/null; then
            echo "image_bench: the sign -E image is not an encrypted, valid image" >&2
            exit 1
        fi
        # shellcheck disable=SC2154 # plain_*, enc_* are set by measure()
        echo "| $size | $(ms "$plain_us") | $(ms "$enc_us") | $(mibs "$size" "$enc_us") | $enc_rss |" \
             "$(ratio "$enc_us" "$plain_us") |" >> "$R"
        rm -f "$payload" "$W/plain.bin" "$W/enc.bin"
    done
fi

cat "$R"
[ -z "$OUT" ] || cp "$R" "$OUT"
