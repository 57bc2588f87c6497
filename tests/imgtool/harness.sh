# The imgtool shell tests' checks (sourced): counters, check, must_fail (the failure
# contract: non-zero exit, one line on stderr, no output or temporary file), says.
pass=0
failed=0

ok() { pass=$((pass + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { # check NAME CMD...: the command must succeed
    name=$1; shift
    if "$@"; then ok; else bad "$name"; fi
}
# must_fail NAME OUTFILE CMD...: non-zero exit, exactly one line on stderr, OUTFILE absent
must_fail() {
    name=$1; out=$2; shift 2
    "$@" >stdout.txt 2>stderr.txt
    rc=$?
    lines=$(wc -l <stderr.txt)
    if [ "$rc" -eq 0 ]; then bad "$name: exit 0"; return; fi
    if [ "$lines" -ne 1 ]; then bad "$name: $lines stderr lines"; cat stderr.txt; return; fi
    if [ -n "$out" ] && [ -e "$out" ]; then bad "$name: $out was created"; return; fi
    if ls ./*.tmp* >/dev/null 2>&1; then bad "$name: temporary file left"; return; fi
    ok
}
# says NAME TEXT: the last must_fail printed exactly TEXT on stderr
says() {
    if [ "$(cat stderr.txt)" = "$2" ]; then ok; else bad "$1: stderr was: $(cat stderr.txt)"; fi
}
