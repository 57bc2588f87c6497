#!/bin/sh
# shellcheck disable=SC2086,SC2129 # $CFLAGS_T and $flags are word lists on purpose
# Static RAM and code size of the device-side code. Prints a Markdown fragment (and writes it
# to OUT when given):
#  1. sizeof the device-side state (bench_ram_report), on this host and, with clang, for a
#     Cortex-M4 (bench/ram_probe.c compiled for thumbv7em; nm -S reads the sizes back);
#  2. text/data/bss of each device-side library compiled for Cortex-M4 with -Os (sources and
#     -D/-I flags taken from the build's compile_commands.json) and the largest stack frames
#     (-fstack-usage). No libc for that target is installed, so a few <string.h> prototypes
#     are supplied from a scratch folder; files that need other headers are listed as skipped.
# Usage: bench/ram_report.sh BIN_DIR [OUT]
set -eu
BIN=$(cd "${1:?usage: ram_report.sh BIN_DIR [OUT]}" && pwd)
OUT=${2:-}
SHOWN=${BENCH_BIN_SHOWN:-build/bin}  # how BIN_DIR is named in "Reproduce" lines
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(dirname "$BIN")
[ -x "$BIN/bench_ram_report" ] || { echo "ram_report: $BIN/bench_ram_report not built" >&2; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/dfukit-ram-report.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM
R="$W/report.md"
TARGET="Cortex-M4"
CFLAGS_T="--target=thumbv7em-none-eabi -mcpu=cortex-m4 -mthumb -Os -ffreestanding -std=c11"

# The build's SMP buffer values (what dfu_server is compiled with).
cache_value() { sed -n "s/^$1:[A-Z]*=//p" "$BUILD/CMakeCache.txt" 2>/dev/null || true; }
buf_size=$(cache_value DFU_SMP_BUF_SIZE)
buf_count=$(cache_value DFU_SMP_BUF_COUNT)

mkdir -p "$W/shim"
cat > "$W/shim/string.h" <<'EOF'
#include <stddef.h>
void *memcpy(void *, const void *, size_t);
void *memmove(void *, const void *, size_t);
void *memset(void *, int, size_t);
int memcmp(const void *, const void *, size_t);
void *memchr(const void *, int, size_t);
size_t strlen(const char *);
size_t strnlen(const char *, size_t);
char *strchr(const char *, int);
char *strrchr(const char *, int);
int strcmp(const char *, const char *);
int strncmp(const char *, const char *, size_t);
char *strcpy(char *, const char *);
EOF

have_target=no
if command -v clang > /dev/null && command -v llvm-nm > /dev/null && command -v llvm-size > /dev/null &&
   echo 'int x;' | clang $CFLAGS_T -x c -c -o "$W/t.o" - 2> /dev/null; then
    have_target=yes
fi

# probe OUT_ID [CFLAGS...]: sizes of RAM_REPORT_TYPES for the target, as "id bytes" lines.
probe() {
    suffix=$1
    shift
    clang $CFLAGS_T -isystem "$W/shim" -I"$SRC/include" "$@" -c "$SRC/bench/ram_probe.c" \
        -o "$W/probe$suffix.o"
    llvm-nm -S "$W/probe$suffix.o" | while read -r _ size _ name; do
        echo "${name#ram_size_}$suffix $((0x$size))"
    done
}

{
    echo "## Static RAM of the device side"
    echo
    echo "Reproduce: \`bench/ram_report.sh $SHOWN\` (runs \`$SHOWN/bench_ram_report\`, source"
    echo "\`bench/ram_report.c\`; the $TARGET column comes from \`bench/ram_probe.c\` compiled with"
    echo "\`clang $CFLAGS_T\`). Every buffer is caller-owned, so these sizes are the whole static RAM;"
    echo "nothing is allocated at run time. Host = $(uname -m) (8-byte pointers)."
    echo
} > "$R"
if [ $have_target = yes ]; then
    probe "" > "$W/sizes.txt"
    if [ -n "$buf_size" ] && [ -n "$buf_count" ]; then
        probe _project -DSMP_BUF_SIZE="$buf_size" -DSMP_BUF_COUNT="$buf_count" | grep '^smp_server_project ' >> "$W/sizes.txt"
    fi
    "$BIN/bench_ram_report" "$TARGET" "$W/sizes.txt" >> "$R"
else
    "$BIN/bench_ram_report" >> "$R"
    echo >> "$R"
    echo "($TARGET column skipped: clang with the ARM target, llvm-nm and llvm-size are needed.)" >> "$R"
fi

# Code size per device-side library, for the target.
{
    echo
    echo "### Code size and stack frames for $TARGET (-Os)"
    echo
} >> "$R"
if [ $have_target = no ] || [ ! -f "$BUILD/compile_commands.json" ]; then
    echo "Skipped: needs clang with the ARM target and $BUILD/compile_commands.json." >> "$R"
else
    {
        echo "Each library's sources and -D/-I flags as the build compiles them (\`compile_commands.json\`),"
        echo "recompiled with \`clang $CFLAGS_T -ffunction-sections -fstack-usage\`;"
        echo "sizes from \`llvm-size\` (object totals, before link-time garbage collection). The stack"
        echo "column is the largest single frame (\`-fstack-usage\`), not a whole call chain."
        echo
        echo "| library | files | text | data | bss | largest stack frame (bytes, function) |"
        echo "|---|---:|---:|---:|---:|---|"
    } >> "$R"
    skipped=""
    for lib in dfu_boot dfu_image dfu_flash dfu_server dfu_smp dfu_transport dfu_util; do
        mkdir -p "$W/$lib"
        n=0
        grep "\"command\": .*/$lib\\.dir/" "$BUILD/compile_commands.json" > "$W/$lib.cmds" || true
        while IFS= read -r line; do
            file=${line##* -c }
            file=${file%\",}
            flags=$(echo "$line" | tr ' ' '\n' | grep -E '^-(D|I)' | grep -v '^-D_GNU_SOURCE' | tr '\n' ' ')
            obj="$W/$lib/$(basename "$file" .c).o"
            # shellcheck disable=SC2086
            if (cd "$W/$lib" && clang $CFLAGS_T -ffunction-sections -fstack-usage -isystem "$W/shim" \
                    $flags -c "$file" -o "$obj" 2> "$obj.log"); then
                n=$((n + 1))
            else
                skipped="$skipped ${file#"$SRC"/}"
                rm -f "$obj"
            fi
        done < "$W/$lib.cmds"
        [ $n -gt 0 ] || continue
        sizes=$(llvm-size -t "$W/$lib"/*.o | tail -n 1)
        text=$(echo "$sizes" | awk '{ print $1 }')
        data=$(echo "$sizes" | awk '{ print $2 }')
        bss=$(echo "$sizes" | awk '{ print $3 }')
        frame=$(cat "$W/$lib"/*.su 2> /dev/null | sort -t "$(printf '\t')" -k2,2 -n -r | head -n 1 |
                awk -F '\t' '{ n = split($1, p, ":"); printf "%s, %s", $2, p[n] }')
        echo "| $lib | $n | $text | $data | $bss | $frame |" >> "$R"
    done
    boot_go=$(cat "$W/dfu_boot"/*.su 2> /dev/null | awk -F '\t' '$1 ~ /:boot_go$/ { print $2 }')
    {
        echo
        [ -z "$boot_go" ] || echo "\`boot_go()\`'s own frame: $boot_go bytes (it holds the BOOT_COPY_BUF_SIZE copy buffer)."
        [ -z "$skipped" ] || echo "Not compiled for the target (need headers other than the freestanding ones and <string.h>):$skipped."
    } >> "$R"
fi
cat "$R"
[ -z "$OUT" ] || cp "$R" "$OUT"
