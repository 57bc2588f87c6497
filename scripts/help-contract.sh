# Sourced by gen-man.sh and gen-completion.sh: reads a program's help through the contract
# imgtool, mcumgr and devsim follow, and stops with one line naming the program when it does
# not hold. The contract:
#   PROG --help             the overview, exit 0
#   PROG help --commands    one line per command, NAME<TAB>summary (NAME one or two words)
#   PROG help NAME          that command's usage, first line "Usage: PROG NAME...", exit 0
#   PROG NAME --help        the same text
# contract_read PROGRAM WORKDIR leaves in WORKDIR: overview, commands (the list as printed),
# and usage.1, usage.2, ... in the list's order; sets PROG to the program's name.

contract_fail() {
    echo "$GEN: $PROG does not follow the help contract: $*" >&2
    exit 1
}

# contract_run OUTFILE ARGS...: runs the program, exit 0 and some output required
contract_run() {
    out=$1
    shift
    if ! LC_ALL=C timeout 20 "$PROGRAM" "$@" </dev/null >"$out" 2>"$WORK/stderr"; then
        contract_fail "'$PROG $*' failed: $(head -1 "$WORK/stderr")"
    fi
    [ -s "$out" ] || contract_fail "'$PROG $*' printed nothing"
}

contract_read() {
    PROGRAM=$1
    WORK=$2
    PROG=$(basename "$PROGRAM")
    [ -x "$PROGRAM" ] || contract_fail "$PROGRAM is not an executable"
    contract_run "$WORK/overview" --help
    contract_run "$WORK/commands" help --commands
    tab=$(printf '\t')
    bad=$(grep -v "^[a-z0-9][a-z0-9-]*\( [a-z0-9][a-z0-9-]*\)\{0,1\}$tab[^$tab]*[^ $tab]\$" \
          "$WORK/commands" | head -1)
    [ -z "$bad" ] || contract_fail "'$PROG help --commands' line is not NAME<TAB>summary: $bad"
    n=0
    while IFS="$tab" read -r name summary; do
        n=$((n + 1))
        # $name unquoted on purpose: a two-word NAME is two arguments
        # shellcheck disable=SC2086
        contract_run "$WORK/usage.$n" help $name
        first=$(head -1 "$WORK/usage.$n")
        case $first in
        "Usage: $PROG $name" | "Usage: $PROG $name "*) ;;
        *) contract_fail "'$PROG help $name' does not start with 'Usage: $PROG $name': $first" ;;
        esac
        # shellcheck disable=SC2086
        contract_run "$WORK/flag.$n" $name --help
        cmp -s "$WORK/usage.$n" "$WORK/flag.$n" ||
            contract_fail "'$PROG $name --help' differs from '$PROG help $name'"
    done <"$WORK/commands"
    [ "$n" -gt 0 ] || contract_fail "'$PROG help --commands' lists no command"
}
