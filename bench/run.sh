#!/bin/sh
# Runs every benchmark part that is available and assembles BENCHMARKS.md: the machine and
# compiler, then one section per part with the command that reproduces it. A part whose
# program or script is missing (or that fails) gets a note instead of figures; the other
# parts still run. `make bench` calls this after an optimised build.
# Usage: bench/run.sh BIN_DIR
# Environment: BENCH_OUT (default: BENCHMARKS.md at the top of the tree), BENCH_QUICK=1 (tiny
# sizes, one run, no upload bench: for the smoke test), BENCH_PART_TIMEOUT (seconds, 1200).
set -eu
BIN=$(cd "${1:?usage: bench/run.sh BIN_DIR}" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
OUT=${BENCH_OUT:-$SRC/BENCHMARKS.md}
QUICK=${BENCH_QUICK:-0}
PART_TIMEOUT=${BENCH_PART_TIMEOUT:-1200}
BUILD=$(dirname "$BIN")
W=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM
# The paths shown in "Reproduce" lines: relative to the top of the tree when possible.
case $BIN in
    "$SRC"/*) BIN_SHOWN=${BIN#"$SRC"/} ;;
    *) BIN_SHOWN=$BIN ;;
esac

export BENCH_BIN_SHOWN="$BIN_SHOWN"
if [ "$QUICK" = 1 ]; then
    export BENCH_SIZES=4096 BENCH_RUNS=1 BENCH_KEYS=ed25519
fi

cache_value() { sed -n "s/^$1:[A-Z]*=//p" "$BUILD/CMakeCache.txt" 2>/dev/null || true; }
with_timeout() {
    if command -v timeout > /dev/null; then
        timeout "$PART_TIMEOUT" "$@"
    else
        "$@"
    fi
}

# part NAME FRAGMENT CMD...: runs one part that writes its Markdown fragment to FRAGMENT.
# Its section is PART_HEAD, the fragment, PART_TAIL and the time it took, or a note saying
# why there is none.
PART_HEAD=""
PART_TAIL=""
part() {
    name=$1
    frag=$2
    shift 2
    echo "bench: $name" >&2
    start=$(date +%s)
    if with_timeout "$@" > "$W/$name.log" 2>&1 && [ -s "$frag" ]; then
        {
            [ -z "$PART_HEAD" ] || printf '%s\n\n' "$PART_HEAD"
            cat "$frag"
            [ -z "$PART_TAIL" ] || printf '\n%s\n' "$PART_TAIL"
            echo
            echo "_($name: $(($(date +%s) - start)) s)_"
        } >> "$W/sections.md"
    else
        rc=$?
        {
            if [ -n "$PART_HEAD" ]; then
                printf '%s\n\n' "$PART_HEAD"
            else
                printf '## %s\n\n' "$name"
            fi
            shown=$(echo "$*" | sed "s|$W|<scratch>|g; s|$SRC/||g")
            echo "**Failed** (exit status $rc) after $(($(date +%s) - start)) s: \`$shown\`. Last lines of its output:"
            echo
            echo '```'
            tail -n 15 "$W/$name.log"
            echo '```'
        } >> "$W/sections.md"
        echo "bench: $name FAILED, see BENCHMARKS.md" >&2
    fi
    echo >> "$W/sections.md"
    PART_HEAD=""
    PART_TAIL=""
}

skip() {
    {
        echo "## $1"
        echo
        echo "Not run: $2"
        echo
    } >> "$W/sections.md"
    echo "bench: $1 skipped ($2)" >&2
}

: > "$W/sections.md"

# 1. Image signing and verification.
if [ -x "$BIN/imgtool" ] && [ -x "$BIN/bench_rusage" ]; then
    part image "$W/image.md" sh "$SRC/bench/image_bench.sh" "$BIN" "$W/image.md"
else
    skip "Image signing and verification (imgtool)" "$BIN_SHOWN/imgtool or $BIN_SHOWN/bench_rusage is not built."
fi

# 2. Bootloader flash work per strategy (program and method by the boot component).
if [ -x "$BIN/boot_bench" ]; then
    PART_HEAD="## Bootloader: flash work of one upgrade

Reproduce: \`$BIN_SHOWN/boot_bench\` (source \`bench/boot_bench.c\`). Counted on the emulated
NOR flash, turned into nRF52840 time (85 ms per 4 KiB erase, 41 µs per 32-bit word);
how the MCUboot columns are derived: \`bench/boot.md\`."
    # shellcheck disable=SC2016 # the inner shell expands $1 and $2
    part boot "$W/boot.md" sh -c '"$1" > "$2"' boot_bench "$BIN/boot_bench" "$W/boot.md"
else
    skip "Bootloader: flash work of one upgrade" "$BIN_SHOWN/boot_bench is not built (target boot_bench, tests/boot/CMakeLists.txt)."
fi

# 3. Upload throughput (scripts by the client component).
found_upload=no
for script in "$SRC"/bench/upload*.sh; do
    [ -f "$script" ] || continue
    found_upload=yes
    s=$(basename "$script" .sh)
    if [ "$QUICK" = 1 ]; then
        skip "Upload ($s)" "quick mode (BENCH_QUICK=1)."
        continue
    fi
    if [ -x "$BIN/mcumgr" ] && [ -x "$BIN/devsim" ] && [ -x "$BIN/imgtool" ]; then
        PART_TAIL="Reproduce: \`sh bench/$s.sh $BIN_SHOWN\`."
        # Run a snapshot: sh reads a script as it goes, so an edit during the run would break it.
        cp "$script" "$W/$s.sh"
        part "$s" "$W/$s.md" sh "$W/$s.sh" "$BIN" "$W/$s.md"
    else
        skip "Upload ($s)" "mcumgr, devsim or imgtool is not built in $BIN_SHOWN."
    fi
done
[ $found_upload = yes ] || skip "Upload throughput" "no bench/upload*.sh script in the tree yet."

# 3b. Upload over Bluetooth LE (devsim's BlueZ on a private D-Bus bus).
if [ "$QUICK" = 1 ]; then
    skip "Upload over Bluetooth LE" "quick mode (BENCH_QUICK=1)."
elif [ -x "$BIN/mcumgr" ] && [ -x "$BIN/devsim" ] && [ -x "$BIN/imgtool" ] && command -v dbus-daemon > /dev/null; then
    PART_TAIL="Reproduce: \`sh bench/ble.sh $BIN_SHOWN\`."
    cp "$SRC/bench/ble.sh" "$W/ble.sh"
    part ble "$W/ble.md" sh "$W/ble.sh" "$BIN" "$W/ble.md"
else
    skip "Upload over Bluetooth LE" "mcumgr, devsim or imgtool is not built in $BIN_SHOWN, or dbus-daemon is missing."
fi

# 4. Fleet scale (one mcumgr, many boards).
if [ "$QUICK" = 1 ]; then
    skip "Fleet" "quick mode (BENCH_QUICK=1)."
elif [ -x "$BIN/mcumgr" ] && [ -x "$BIN/devsim" ] && [ -x "$BIN/imgtool" ] && [ -x /usr/bin/time ]; then
    cp "$SRC/bench/fleet.sh" "$W/fleet.sh"
    part fleet "$W/fleet.md" sh "$W/fleet.sh" "$BIN" "$W/fleet.md"
else
    skip "Fleet" "mcumgr, devsim or imgtool is not built in $BIN_SHOWN, or /usr/bin/time is missing."
fi

# 5. Static RAM and code size of the device side.
if [ -x "$BIN/bench_ram_report" ]; then
    part ram "$W/ram.md" sh "$SRC/bench/ram_report.sh" "$BIN" "$W/ram.md"
else
    skip "Static RAM of the device side" "$BIN_SHOWN/bench_ram_report is not built."
fi

# 5. The Cortex-M4 bootloader on the QEMU board (make cortexm builds it into build/cortexm).
CORTEXM=$SRC/build/cortexm
if [ "$QUICK" = 1 ]; then
    skip "Cortex-M4 bootloader (dfuboot on QEMU mps2-an386)" "quick mode (BENCH_QUICK=1)."
elif [ -f "$CORTEXM/dfuboot.elf" ] && command -v qemu-system-arm >/dev/null && [ -x "$BIN/imgtool" ]; then
    part cortexm "$W/cortexm.md" sh "$SRC/bench/cortexm.sh" "$CORTEXM" "$BIN" "$W/cortexm.md"
else
    skip "Cortex-M4 bootloader (dfuboot on QEMU mps2-an386)" "build/cortexm/dfuboot.elf (make cortexm), qemu-system-arm or imgtool missing."
fi

# Header: when, where, with what.
cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n 1)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || true)
cc_path=$(cache_value CMAKE_C_COMPILER)
cc_version=$("${cc_path:-cc}" --version 2>/dev/null | head -n 1 || true)
build_type=$(cache_value CMAKE_BUILD_TYPE)
{
    echo "# dfukit benchmarks"
    echo
    echo "Generated by \`make bench\` (\`bench/run.sh $BIN_SHOWN\`); every figure below names the command"
    echo "that reproduces it. Do not edit by hand: rerun \`make bench\`."
    echo
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- Machine: $(nproc) CPUs, ${cpu:-unknown CPU}, ${mem:-unknown memory}, $(uname -sr)"
    echo "- Load average at the end: $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo unknown)" \
         "(timings are wall-clock medians; a shared machine makes small figures noisy)"
    echo "- Compiler: ${cc_version:-unknown} (\`${cc_path:-cc}\`), CMake build type ${build_type:-unknown}"
    [ "$QUICK" != 1 ] || echo "- **Quick mode** (BENCH_QUICK=1): tiny sizes, one run; not real figures."
    echo
    cat "$W/sections.md"
} > "$W/BENCHMARKS.md"
cp "$W/BENCHMARKS.md" "$OUT"
echo "bench: wrote $OUT" >&2
