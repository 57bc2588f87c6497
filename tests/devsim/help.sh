#!/bin/sh
# devsim's help contract (shared with imgtool and mcumgr, read by the man page generator):
# `help --commands` lists NAME<TAB>summary; `help NAME` and `NAME --help` print the same usage,
# starting "Usage: devsim NAME"; `--help` the overview; every option the program parses is
# explained in its command's usage; an unknown command suggests the nearest one.
set -eu
D="$BIN/devsim"
rm -rf "$TMP"
mkdir -p "$TMP"
cd "$TMP"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$D" help --commands >commands.txt
printf 'boards\tList the board profiles\nflash\tWrite an image into the board'"'"'s flash as a probe would\nhelp\tShow the overview, a command'"'"'s usage or the list of commands\nmkapp\tMake an application payload with a simulator descriptor\nrun\tPower the board on: bootloader, then the SMP server on a pty and UDP\n' >want.txt
cmp commands.txt want.txt || { diff want.txt commands.txt >&2; fail "help --commands"; }

for name in $(cut -f1 commands.txt); do
    "$D" help "$name" >a.txt || fail "help $name exited $?"
    "$D" "$name" --help >b.txt || fail "$name --help exited $?"
    cmp a.txt b.txt || fail "help $name differs from $name --help"
    head -n1 a.txt | grep -q "^Usage: devsim $name\( \|\$\)" || fail "$name usage line: $(head -n1 a.txt)"
done

"$D" --help >overview.txt
head -n1 overview.txt | grep -qx 'Usage: devsim COMMAND \[ARGS\]\.\.\.' || fail "overview"
for name in $(cut -f1 commands.txt); do
    grep -q "^  $name " overview.txt || fail "overview lacks $name"
done

# every long option of run and flash is explained in its usage
"$D" run --help >run.txt
"$D" flash --help >flash.txt
for opt in $(sed -n 's/^ *{ "\([a-z0-9-]*\)", [a-z_]*_argument.*/\1/p' "$SRC/tools/devsim/main.c" | sort -u); do
    case "$opt" in behaviour|behavior|version|size|fault-after-ms|slot) continue ;; esac
    grep -q -- "--$opt\( \|\$\)" run.txt || fail "run --help does not explain --$opt"
done
grep -q -- "--slot N" flash.txt || fail "flash --help lacks --slot"
grep -q -- "--board NAME" flash.txt || fail "flash --help lacks the board flags"
for opt in version behaviour fault-after-ms size; do
    "$D" mkapp --help | grep -q -- "--$opt " || fail "mkapp --help does not explain --$opt"
done
grep -q -- "--serial-max-packet N" run.txt || fail "run --help: --serial-max-packet"
grep -q -- "--serial-unpaced" run.txt || fail "run --help: --serial-unpaced"
grep -q -- "--erase-progressively" run.txt || fail "run --help: --erase-progressively"
grep -q -- "--fs-size N" run.txt || fail "run --help: --fs-size"

# unknown commands: the nearest one, exit 2
set +e
"$D" rn >out.txt 2>err.txt; rc=$?
set -e
[ "$rc" = 2 ] || fail "unknown command exit $rc"
[ "$(cat err.txt)" = 'devsim: unknown command "rn"; did you mean "run"?' ] || fail "rn: $(cat err.txt)"
set +e
"$D" flsh >out.txt 2>err.txt; rc=$?
set -e
[ "$rc" = 2 ] && [ "$(cat err.txt)" = 'devsim: unknown command "flsh"; did you mean "flash"?' ] || fail "flsh: $(cat err.txt)"
set +e
"$D" help xyzzy >out.txt 2>err.txt; rc=$?
set -e
[ "$rc" = 2 ] || fail "help xyzzy exit $rc"
[ "$(cat err.txt)" = 'devsim: unknown command "xyzzy" (devsim help --commands lists them)' ] || fail "xyzzy: $(cat err.txt)"

# value checks of the new run flags (exit 2, one line naming the flag)
for args in "--serial-max-packet 8" "--serial-max-packet x" "--fs-size 0"; do
    set +e
    # shellcheck disable=SC2086
    "$D" run --flash b.img $args >out.txt 2>err.txt; rc=$?
    set -e
    [ "$rc" = 2 ] || fail "run $args exited $rc"
done
"$D" run --flash b.img --serial-max-packet 8 2>err.txt || true
[ "$(head -n1 err.txt)" = 'devsim: --serial-max-packet needs a size >= 9: 8' ] || fail "serial-max-packet message: $(cat err.txt)"
"$D" run --flash b.img --fs-size 0 2>err.txt || true
[ "$(head -n1 err.txt)" = 'devsim: --fs-size needs a size >= 1: 0' ] || fail "fs-size message: $(cat err.txt)"
[ ! -e b.img ] || fail "a usage error created the flash file"

# other usage errors of the commands (exit 2, the first line exact)
usage_err() { # expected first line, command...
    want=$1; shift
    set +e; "$D" "$@" >out.txt 2>err.txt; rc=$?; set -e
    [ "$rc" = 2 ] || fail "'$*' exited $rc"
    [ "$(head -n1 err.txt)" = "$want" ] || fail "'$*': $(cat err.txt)"
    [ "$(sed -n 2p err.txt)" = "Try 'devsim help --commands' or 'devsim COMMAND --help'." ] ||
        fail "'$*' hint: $(cat err.txt)"
}
usage_err 'devsim: help takes at most one COMMAND (or --commands)' help run flash
usage_err 'devsim: boards takes no argument: extra' boards extra
usage_err 'devsim: flash needs --flash FILE and one IMAGE' flash --flash b.img
usage_err 'devsim: mkapp needs --version V and -o FILE' mkapp -o x.bin
echo "ok"
