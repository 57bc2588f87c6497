# Shared by the install tests: counters, and the checks of a man page and a completion.
pass=0
failed=0
ok() { pass=$((pass + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { # check NAME CMD...: the command must succeed
    name=$1; shift
    if "$@"; then ok; else bad "$name"; fi
}
finish() {
    echo "$pass passed, $failed failed"
    [ "$failed" -eq 0 ]
}

# man_renders NAME PAGE: man -l (or groff when man is missing) renders PAGE without a warning
man_renders() {
    if command -v man >/dev/null 2>&1; then
        MANWIDTH=100 man --warnings -l "$2" >rendered.txt 2>warnings.txt
        if [ $? -eq 0 ] && [ ! -s warnings.txt ] && [ -s rendered.txt ]; then ok; else
            bad "$1: man -l: $(head -3 warnings.txt)"; fi
    else
        echo "note: man is not installed; $1 checked with groff only"
    fi
    if command -v groff >/dev/null 2>&1; then
        groff -man -Tutf8 -ww "$2" >rendered.txt 2>warnings.txt
        if [ $? -eq 0 ] && [ ! -s warnings.txt ]; then ok; else
            bad "$1: groff -ww: $(head -3 warnings.txt)"; fi
    elif ! command -v man >/dev/null 2>&1; then
        echo "note: neither man nor groff is installed; $1 was not rendered"
    fi
}

# completes SCRIPT PROG EXPECTED WORD...: bash, with SCRIPT sourced, completes the command
# line "PROG WORD..." (the last word being completed) to exactly the words of EXPECTED, in any
# order (bash sorts what it shows)
completes() {
    script=$1 prog=$2 exp=$3
    shift 3
    got=$(bash -c '
        script=$1 prog=$2; shift 2
        . "$script" || exit 1
        fn=$(complete -p "$prog" | sed -n "s/.* -F \([^ ]*\) .*/\1/p")
        [ -n "$fn" ] || { echo "no completion registered for $prog"; exit 1; }
        COMP_WORDS=("$prog" "$@"); COMP_CWORD=$#
        "$fn"
        echo "${COMPREPLY[*]}"' sh "$script" "$prog" "$@" 2>&1)
    got=$(echo "$got" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')
    exp=$(echo "$exp" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')
    if [ "$got" = "$exp" ]; then ok; else bad "completion of '$prog $*': got '$got', expected '$exp'"; fi
}
