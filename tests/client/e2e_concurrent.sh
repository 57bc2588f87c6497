#!/bin/sh
# Two `mcumgr image upload` of different images at once against one devsim, one over serial
# and one over UDP, 20 rounds on a fresh board each (flash and UART timing on, so the two
# really overlap; without it a UDP upload of a small image is over before the other starts): never two successes (exactly one here:
# the device gives the upload to the first peer and answers the other EBUSY); the winner's
# file is what slot 1 lists, and the refused client exits 1 with the busy message.
. "$(dirname "$0")/e2e_lib.sh"
"$BIN/imgtool" keygen -k key.pem -t ecdsa-p256
"$BIN/imgtool" getpub -k key.pem -e pem > pub.pem
SIGN="--header-size 0x200 --pad-header --slot-size $SLOT_SIZE --align 4"
"$BIN/devsim" mkapp --version 1.0.0 --behaviour normal -o app1.raw --size 8192
"$BIN/imgtool" sign -k key.pem --version 1.0.0 $SIGN app1.raw v1.bin
for n in a b; do
    v=1.1.0
    [ $n = a ] || v=1.2.0
    "$BIN/devsim" mkapp --version $v --behaviour normal -o $n.raw --size 8192
    "$BIN/imgtool" sign -k key.pem --version $v $SIGN $n.raw $n.bin
done

# each file's hash as the device lists it, from one upload alone (same peer: no takeover)
start_board
for n in a b; do
    "$MCUMGR" -c serial --json image upload $n.bin > solo.json || fail "solo upload of $n.bin"
    sed -n 's/.*"hash": "\([0-9a-f]*\)".*/\1/p' solo.json > $n.hash
    [ -s $n.hash ] || { cat solo.json; fail "no hash for $n.bin"; }
done
[ "$(cat a.hash)" != "$(cat b.hash)" ] || fail "the two images have the same hash"

BUSY="mcumgr: image upload: the device is busy with another client's upload (EBUSY, 10); try again when it has finished"
wins_a=0
wins_b=0
round=1
while [ $round -le 20 ]; do
    # board time, so each upload lasts long enough for the other to overlap; 8 UART line
    # buffers, so the serial client's first chunk waits out the other one's erase instead of
    # being dropped (it would come back only once that upload is over)
    start_board --timing --line-count 8
    "$MCUMGR" -c serial --json image upload a.bin > a.out 2> a.err &
    pa=$!
    # UDP gets going faster than a serial port: in even rounds it starts a little later, so
    # either link ends up holding the upload
    [ $((round % 2)) -eq 1 ] || sleep 0.2
    "$MCUMGR" -c udp --json image upload b.bin > b.out 2> b.err &
    pb=$!
    ra=0
    wait $pa || ra=$?
    rb=0
    wait $pb || rb=$?
    [ $ra -eq 0 ] && [ $rb -eq 0 ] && fail "round $round: both clients reported success"
    [ $ra -eq 0 ] || [ $rb -eq 0 ] ||
        { cat a.err b.err; fail "round $round: neither client succeeded (exit $ra, $rb)"; }
    if [ $ra -eq 0 ]; then win=a lose=b rl=$rb; else win=b lose=a rl=$ra; fi
    [ $rl -eq 1 ] || fail "round $round: refused client exit $rl, expected 1"
    expect_line $lose.err "$BUSY"
    grep -q "\"hash\": \"$(cat $win.hash)\"" $win.out ||
        { cat $win.out; fail "round $round: the winner's hash is not its file's"; }
    "$MCUMGR" -c serial image list > list.txt
    [ "$(slot_field list.txt 1 hash)" = "$(cat $win.hash)" ] ||
        { cat list.txt; fail "round $round: slot 1 does not hold the winner's file ($win.bin)"; }
    [ $win = a ] && wins_a=$((wins_a + 1)) || wins_b=$((wins_b + 1))
    round=$((round + 1))
done
echo "ok: 20 rounds of two simultaneous uploads: one success each (serial $wins_a, udp $wins_b)"
cleanup
