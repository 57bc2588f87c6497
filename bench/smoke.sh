#!/bin/sh
# shellcheck disable=SC2016 # backquotes in the patterns are Markdown, not commands
# bench_smoke (CTest): the benchmark scripts and programs still work, on tiny inputs. Checks
# bench_rusage's contract, then runs bench/run.sh in quick mode into TMP and checks that every
# built part produced its section (no failures). Figures are not judged here: speed and
# memory are measured by `make bench`, never by tests.
set -eu
: "${BIN:?}" "${TMP:?}" "${SRC:?}"
rm -rf "$TMP"
mkdir -p "$TMP"
fail() { echo "bench_smoke: $*" >&2; exit 1; }

# bench_rusage: prints the assignments for a good command, exit 1 for a failing one, 2 for bad usage.
out=$("$BIN/bench_rusage" -n 3 -- sh -c 'exit 0')
echo "$out" | grep -Eq '^median_us=[0-9]+ min_us=[0-9]+ max_us=[0-9]+ maxrss_kib=[1-9][0-9]* runs=3$' ||
    fail "bench_rusage printed: $out"
rc=0
"$BIN/bench_rusage" -n 1 -- sh -c 'exit 3' 2> "$TMP/err" || rc=$?
[ $rc = 1 ] || fail "bench_rusage exit status $rc for a failing command"
grep -q 'exit status 3' "$TMP/err" || fail "bench_rusage did not name the failure"
rc=0
"$BIN/bench_rusage" -n 0 -- true 2> /dev/null || rc=$?
[ $rc = 2 ] || fail "bench_rusage accepted -n 0"

# bench_ram_report: an unreadable sizes file is an error.
rc=0
"$BIN/bench_ram_report" M4 "$TMP/missing" 2> /dev/null || rc=$?
[ $rc = 2 ] || fail "bench_ram_report exit status $rc for a missing sizes file"

BENCH_QUICK=1 BENCH_OUT="$TMP/BENCHMARKS.md" TMPDIR="$TMP" sh "$SRC/bench/run.sh" "$BIN" 2> "$TMP/run.log" ||
    { cat "$TMP/run.log"; fail "run.sh failed"; }
B="$TMP/BENCHMARKS.md"
grep -q '^- Machine: [0-9]* CPUs' "$B" || fail "no machine line"
! grep -q '\*\*Failed\*\*' "$B" || { cat "$B"; fail "a part failed"; }
grep -Eq '^\| 4096 \| ed25519 \| [0-9.]+ \| [0-9.]+ \| [0-9]+ \| [0-9.]+ \|' "$B" || { cat "$B"; fail "no image row"; }
grep -Eq '^\| SMP server instance \| `struct smp_server` \| [0-9]+ \|' "$B" || { cat "$B"; fail "no RAM row"; }
if [ -x "$BIN/boot_bench" ]; then
    grep -Eq '^\| swap-move \| [0-9]+ \|' "$B" || { cat "$B"; fail "no boot row"; }
fi
echo "bench_smoke: ok"
