#!/bin/sh
# scripts/gen-man.sh and scripts/gen-completion.sh on imgtool and on a fake program with
# two-word commands (tests/install/fakeprog.sh), and their refusal, naming the program, of one
# that breaks the help contract. Environment from dfu_script_test: BIN, TMP, SRC.
set -u
. "$SRC/tests/install/common.sh"
rm -rf "$TMP" && mkdir -p "$TMP" && cd "$TMP" || exit 1
GM="$SRC/scripts/gen-man.sh"
GC="$SRC/scripts/gen-completion.sh"

# imgtool: the page renders cleanly, has a section per command and every option of sign.
check "gen-man imgtool" sh "$GM" "$BIN/imgtool" imgtool.1 1.2.3
check "gen-completion imgtool" sh "$GC" "$BIN/imgtool" imgtool.bash
man_renders "imgtool.1" imgtool.1
check "title" grep -qx '.TH IMGTOOL 1 "" "dfukit 1.2.3" "User Commands"' imgtool.1
check "name line" grep -qx 'imgtool \\- MCUboot image and key tool, command\\-line compatible with upstream imgtool' imgtool.1
for name in $("$BIN/imgtool" help --commands | cut -f1); do
    grep -qx ".SS \"imgtool $name\"" imgtool.1 && ok || bad "no section for imgtool $name"
done
MANWIDTH=200 man -l imgtool.1 2>/dev/null | sed 's/^ *//' > page.txt
"$BIN/imgtool" help sign | sed 's/^ *//' | grep . > sign.txt
while IFS= read -r line; do
    grep -qxF -- "$line" page.txt || bad "sign usage line missing from the page: $line"
done < sign.txt
ok
completes imgtool.bash imgtool "sign" s
completes imgtool.bash imgtool "getpriv getpub getpubhash" getp
completes imgtool.bash imgtool "verify version" help ver
completes imgtool.bash imgtool "--commands" help --c
completes imgtool.bash imgtool "--pad --pad-header --pad-sig" sign --pad
completes imgtool.bash imgtool "--key" verify --k
completes imgtool.bash imgtool "" sign in.bin

# Two-word commands: the group's second word, then that command's options.
cp "$SRC/tests/install/fakeprog.sh" fakemgr && chmod +x fakemgr
check "gen-man fake" sh "$GM" ./fakemgr fakemgr.1
check "gen-completion fake" sh "$GC" ./fakemgr fakemgr.bash
man_renders "fakemgr.1" fakemgr.1
check "two-word section" grep -qx '.SS "fakemgr image upload"' fakemgr.1
check "two-word synopsis" grep -qxF 'fakemgr image upload [\-\-slot N] FILE' fakemgr.1
man -l fakemgr.1 2>/dev/null > fake.txt
check "dot and backslash kept" grep -qF '       .starts with a dot \and a backslash' fake.txt
completes fakemgr.bash fakemgr "echo image" ""
completes fakemgr.bash fakemgr "image" im
completes fakemgr.bash fakemgr "upload list" image ""
completes fakemgr.bash fakemgr "--slot" image upload --
completes fakemgr.bash fakemgr "list" help image l
completes fakemgr.bash fakemgr "--times" echo --t

# A program that breaks the contract: one line naming it, exit 1, no output file.
refuses() { # refuses BREAK EXPECTED-STDERR
    for gen in man completion; do
        FAKE_BREAK=$1 sh "$SRC/scripts/gen-$gen.sh" ./fakemgr out.$gen 2>err.txt
        rc=$?
        want="gen-$gen: fakemgr does not follow the help contract: $2"
        if [ $rc -eq 1 ] && [ "$(cat err.txt)" = "$want" ] && [ ! -e out.$gen ] &&
           [ ! -e out.$gen.tmp ]; then ok; else bad "$1 $gen: rc $rc, stderr: $(cat err.txt)"; fi
    done
}
refuses commands "'fakemgr help --commands' failed: no such command"
refuses tabs "'fakemgr help --commands' line is not NAME<TAB>summary: echo  Send a string"
refuses usage "'fakemgr help echo' does not start with 'Usage: fakemgr echo': usage: echo TEXT"
refuses flag "'fakemgr echo --help' differs from 'fakemgr help echo'"
sh "$GM" ./nothere x.1 2>err.txt
check "missing program" [ "$(cat err.txt)" = "gen-man: nothere does not follow the help contract: ./nothere is not an executable" ]

finish
