#!/bin/sh
# Runs every libFuzzer binary in DIR for SECONDS each, starting from its saved corpus
# (fuzz/corpora/<name>/, read-only) and writing new finds to a scratch folder.
set -eu
dir=$1
secs=$2
top=$(cd "$(dirname "$0")/.." && pwd)
found=0
for bin in "$dir"/fuzz_*; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin")
    found=$((found + 1))
    work="$dir/../fuzz-work/$name"
    mkdir -p "$work"
    corpus="$top/fuzz/corpora/$name"
    echo "fuzz: $name for ${secs}s"
    "$bin" -max_total_time="$secs" -print_final_stats=0 -artifact_prefix="$work/" "$work" \
        ${corpus:+$( [ -d "$corpus" ] && echo "$corpus")} 2>"$work/log" || {
        tail -n 40 "$work/log"
        echo "fuzz: $name FAILED"
        exit 1
    }
    tail -n 1 "$work/log"
done
echo "fuzz: $found harnesses ran clean"
