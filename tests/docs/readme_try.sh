#!/bin/sh
# The README's "Trying it on the simulated board" block, run as written from a scratch clone
# root: only the build step (the tests' build is used), the programs folder and the UDP port
# (a free one, so parallel tests never collide) are substituted. Checks both image lists.
# Environment from CTest: BIN, TMP, SRC.
set -eu
: "${BIN:?}" "${TMP:?}" "${SRC:?}"
rm -rf "$TMP"
mkdir -p "$TMP"
cd "$TMP"

fail() { echo "FAIL: $*" >&2; [ -f sim/devsim.log ] && tail -20 sim/devsim.log >&2; exit 1; }

block=$(awk '/^## Trying it on the simulated board/ { on = 1; next }
             on && /^```sh/ { code = 1; next }
             code && /^```/ { exit }
             code { print }' "$SRC/README.md")
[ -n "$block" ] || fail "README.md has no 'Trying it on the simulated board' block"
echo "$block" | grep -q '^make ' || fail "the block does not start from the build"

port=$((30000 + $$ % 20000))
echo "$block" | sed -e '/^make /d' -e "s|^B=\$PWD/build/bin|B=$BIN|" \
    -e "s|127\.0\.0\.1:1337|127.0.0.1:$port|g" > try.sh
sh -e try.sh > try.out 2>&1 || { cat try.out; fail "the README block failed"; }

n=$(grep -c 'flags: active confirmed' try.out)
[ "$n" = 2 ] || { cat try.out; fail "expected two image lists with the running image, got $n"; }
grep -q 'version: 1.0.0' try.out || fail "image list does not show 1.0.0"
for f in root-ec-p256.pem root-ec-p256.pub.pem app.signed.bin board.img devsim.log; do
    [ -f "sim/$f" ] || fail "sim/$f was not made"
done
grep -q 'app: running 1.0.0' sim/devsim.log || fail "devsim.log does not show the boot"
# git ignores what the flow leaves behind.
for f in sim/board.img sim/root-ec-p256.pem; do
    git -C "$SRC" check-ignore -q "$f" || fail "$f is not ignored by git"
done
echo "ok: the README's simulated-board block runs as written"
