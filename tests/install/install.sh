#!/bin/sh
# make install DESTDIR=... PREFIX=/usr, then make uninstall, through the root Makefile on this
# build: the layout, every man page renders without warnings, every completion sources in bash
# and completes, uninstall refuses another PREFIX and then leaves no file. Environment from
# dfu_script_test: BIN, TMP, SRC.
set -u
. "$SRC/tests/install/common.sh"
BUILD=$(dirname "$BIN")
ROOT="$TMP/root"
PROGRAMS="imgtool mcumgr devsim"
rm -rf "$TMP" && mkdir -p "$TMP" && cd "$TMP" || exit 1

if ! make -s -C "$SRC" install BUILD="$BUILD" DESTDIR="$ROOT" PREFIX=/usr >install.log 2>&1; then
    cat install.log
    bad "make install failed"
    finish
    exit 1
fi
ok
for p in $PROGRAMS; do
    echo "usr/bin/$p"
    echo "usr/share/bash-completion/completions/$p"
    echo "usr/share/man/man1/$p.1"
done | sort > expected.txt
(cd "$ROOT" && find . -type f -o -type l | sed 's|^\./||' | sort) > got.txt
check "installed layout" cmp -s expected.txt got.txt || diff expected.txt got.txt

for p in $PROGRAMS; do
    check "$p executable" [ -x "$ROOT/usr/bin/$p" ]
    check "$p is the built program" cmp -s "$ROOT/usr/bin/$p" "$BIN/$p"
    man_renders "$p.1" "$ROOT/usr/share/man/man1/$p.1"
    # the completion offers exactly the program's first command words
    words=$("$BIN/$p" help --commands | cut -f1 | cut -d' ' -f1 | awk '!seen[$0]++' | tr '\n' ' ' |
            sed 's/ $//')
    completes "$ROOT/usr/share/bash-completion/completions/$p" "$p" "$words" ""
done
completes "$ROOT/usr/share/bash-completion/completions/imgtool" imgtool "sign" s

# uninstall with another PREFIX removes nothing; with the install's, everything it installed
if make -s -C "$SRC" uninstall BUILD="$BUILD" DESTDIR="$ROOT" PREFIX=/opt >un.log 2>&1; then
    bad "uninstall with another PREFIX succeeded"
else
    grep -qxF "uninstall: /usr/bin/imgtool was installed outside /opt; give the PREFIX that make install was given" un.log &&
        ok || { cat un.log; bad "uninstall refusal message"; }
fi
check "nothing removed by the refused uninstall" sh -c "(cd '$ROOT' && find . -type f | wc -l) | grep -qx 9"
check "make uninstall" sh -c "make -s -C '$SRC' uninstall BUILD='$BUILD' DESTDIR='$ROOT' PREFIX=/usr > un.log"
check "no file left" [ -z "$(find "$ROOT" -type f -o -type l)" ]
check "manifest consumed" [ ! -e "$BUILD/install_manifest.txt" ]
finish
