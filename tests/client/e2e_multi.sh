#!/bin/sh
# The guide's flow with two images on devsim's nrf5340dk profile, over serial: image 0 the
# application core's (slots 0/1), image 1 the network core's (slots 2/3). Upload image 1
# (`-n 1`), test it, reset: it runs the new version; confirm it, reset: it stays. A pair with a
# dependency (image 0 1.1.0 needs image 1 >= 1.2.0, imgtool sign -d "(1,1.2.0+0)") uploaded and
# tested together swaps together; the dependency not met (image 1 still 1.1.0) leaves both
# images as they were, and devsim logs why. An upload to image 2 is refused (NO_FREE_SLOT);
# `image erase --slot 3` erases image 1's secondary.
. "$(dirname "$0")/e2e_lib.sh"
APP_SLOT=0x36000    # nrf5340dk: image 0's slots
NET_SLOT=0x40000    # image 1's (the network core's flash size)
"$BIN/imgtool" keygen -k key.pem -t ecdsa-p256
"$BIN/imgtool" getpub -k key.pem -e pem > pub.pem
# sign NAME VERSION SLOT_SIZE BEHAVIOUR [imgtool options]: a devsim app payload signed as
# NAME.bin (the network core's payloads are larger, so no two images hash the same)
sign() {
    name=$1 ver=$2 size=$3 behaviour=$4
    shift 4
    [ "$size" = $APP_SLOT ] && bytes=40000 || bytes=50000
    "$BIN/devsim" mkapp --version "$ver" --behaviour "$behaviour" -o "$name.app" --size $bytes
    "$BIN/imgtool" sign -k key.pem --version "$ver" --header-size 0x200 --pad-header \
        --slot-size "$size" --align 4 "$@" "$name.app" "$name.bin"
}
sign app10 1.0.0 $APP_SLOT normal
sign net10 1.0.0 $NET_SLOT normal
sign net11 1.1.0 $NET_SLOT normal
sign net12 1.2.0 $NET_SLOT normal
sign net13 1.3.0 $NET_SLOT self-confirm
sign app11 1.1.0 $APP_SLOT normal -d "(1,1.2.0+0)"

# Field of one image's slot in `image list` output: field FILE IMAGE SLOT KEY
field() {
    awk -v i="image=$2" -v s="slot=$3" -v k="$4:" '
        $1 ~ /^image=/ { cur = $1 " " $2 }
        cur == i " " s && $1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$1"
}

cleanup
rm -f board.img devsim.log tty
"$BIN/devsim" flash --board nrf5340dk --flash board.img app10.bin > /dev/null
"$BIN/devsim" flash --board nrf5340dk --flash board.img --slot 2 net10.bin > flash2.out
expect_line flash2.out "wrote $(wc -c < net10.bin | tr -d ' ') bytes at 0x78000 (slot 2)"
"$BIN/devsim" run --board nrf5340dk --flash board.img --trust pub.pem --serial "$TMP/tty" \
    --no-udp --no-timing --log devsim.log &
DEVSIM_PID=$!
i=0
until [ -e tty ] && grep -q "app: running 1.0.0" devsim.log 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 40 ] || fail "devsim did not come up"
    kill -0 "$DEVSIM_PID" 2>/dev/null || fail "devsim exited"
    sleep 0.25
done
"$MCUMGR" conn add serial type=serial connstring="dev=$TMP/tty,baud=115200" > /dev/null
grep -q "boot: image 1 (the other core) runs 1.0.0; swap type none" devsim.log ||
    fail "image 1 not booted"

# upload image 1, test, reset: image 1 runs 1.1.0; confirm, reset: it stays
"$MCUMGR" -c serial image upload -n 1 net11.bin > up.out || { cat up.out; fail "upload -n 1"; }
"$MCUMGR" -c serial image list > list1.lst
[ "$(field list1.lst 1 1 version)" = "1.1.0" ] || { cat list1.lst; fail "upload not in image 1 slot 1"; }
[ "$(field list1.lst 0 1 version)" = "" ] || { cat list1.lst; fail "image 0 slot 1 written"; }
new=$(field list1.lst 1 1 hash)
"$MCUMGR" -c serial image test "$new" > /dev/null
"$MCUMGR" -c serial image list > test.lst
[ "$(field test.lst 1 1 flags)" = "pending" ] || { cat test.lst; fail "image 1 slot 1 not pending"; }
[ "$(field test.lst 0 0 flags)" = "active confirmed" ] || { cat test.lst; fail "image 0 changed"; }
reset_until "boot: image 1 (the other core) runs 1.1.0; swap type test"
"$MCUMGR" -c serial image list > trial.lst
[ "$(field trial.lst 1 0 version)" = "1.1.0" ] || { cat trial.lst; fail "image 1 not 1.1.0"; }
[ "$(field trial.lst 1 0 flags)" = "active" ] || { cat trial.lst; fail "image 1 confirmed early"; }
[ "$(field trial.lst 1 1 flags)" = "confirmed" ] || { cat trial.lst; fail "no revert target"; }
"$MCUMGR" -c serial image confirm "$new" > /dev/null
"$MCUMGR" -c serial image list > conf.lst
[ "$(field conf.lst 1 0 flags)" = "active confirmed" ] || { cat conf.lst; fail "not confirmed"; }
reset_until "boot: image 1 (the other core) runs 1.1.0; swap type none"
echo "ok: image 1 uploaded with -n 1, tested, confirmed, kept"

# dependency not met: image 0 1.1.0 needs image 1 >= 1.2.0, image 1 stays 1.1.0
"$MCUMGR" -c serial image upload -n 0 app11.bin > /dev/null || fail "upload app11"
"$MCUMGR" -c serial image list > dep1.lst
"$MCUMGR" -c serial image test "$(field dep1.lst 0 1 hash)" > /dev/null
"$MCUMGR" -c serial image list > before.lst
"$MCUMGR" -c serial reset > /dev/null
log_count "boot: image 0 slot 1 refused: " 1
log_count "app: running 1.0.0" 4
"$MCUMGR" -c serial image list > after.lst
cmp -s before.lst after.lst || { diff before.lst after.lst; fail "image list changed"; }
echo "ok: a dependency not met leaves both images as they were ($(sed -n 's/^\[[ 0-9.]*\] \(boot: image 0 slot 1 refused: .*\)/\1/p' devsim.log))"

# the pair uploaded and tested together swaps together
"$MCUMGR" -c serial image upload -n 1 net12.bin > /dev/null || fail "upload net12"
"$MCUMGR" -c serial image list > pair.lst
"$MCUMGR" -c serial image test "$(field pair.lst 1 1 hash)" > /dev/null
reset_until "boot: booting 1.1.0 from slot 0; swap type test"
grep -q "boot: image 1 (the other core) runs 1.2.0; swap type test" devsim.log ||
    fail "image 1 did not swap with image 0"
echo "ok: the dependent pair swapped together"

# image 2 does not exist: NO_FREE_SLOT (9)
expect_exit 1 -c serial image upload -n 2 net12.bin
grep -q "rc 9\|(9)\|no free slot" err.txt || { cat err.txt; fail "image 2 refusal"; }
echo "ok: upload to image 2 refused: $(cat err.txt)"

# confirm both; erase image 1's secondary by Zephyr's slot number (3); its running slot (2)
# is refused
"$MCUMGR" -c serial image list > swapped.lst
"$MCUMGR" -c serial image confirm > /dev/null
"$MCUMGR" -c serial image confirm "$(field swapped.lst 1 0 hash)" > /dev/null
"$MCUMGR" -c serial image upload -n 1 net11.bin > /dev/null || fail "upload net11 again"
"$MCUMGR" -c serial image erase --slot 3 > /dev/null || fail "erase slot 3"
"$MCUMGR" -c serial image list > erased.lst
[ "$(field erased.lst 1 1 version)" = "" ] || { cat erased.lst; fail "slot 3 not erased"; }
[ "$(field erased.lst 1 0 version)" = "1.2.0" ] || { cat erased.lst; fail "image 1 changed"; }
expect_exit 1 -c serial image erase --slot 2
echo "ok: image erase --slot 3; --slot 2 refused: $(cat err.txt)"

# a self-confirm image 1 confirms itself when it runs; the app confirms only image 0
"$MCUMGR" -c serial image upload -n 1 net13.bin > /dev/null || fail "upload net13"
"$MCUMGR" -c serial image list > self.lst
"$MCUMGR" -c serial image test "$(field self.lst 1 1 hash)" > /dev/null
reset_until "boot: image 1 (the other core) runs 1.3.0; swap type test"
log_count "net: image 1 confirmed itself" 1
"$MCUMGR" -c serial image list > selfc.lst
[ "$(field selfc.lst 1 0 flags)" = "active confirmed" ] || { cat selfc.lst; fail "not self-confirmed"; }
reset_until "boot: image 1 (the other core) runs 1.3.0; swap type none"
echo "ok: a self-confirm image 1 confirmed itself and stays"
cleanup
