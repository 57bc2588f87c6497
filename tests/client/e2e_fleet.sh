#!/bin/sh
# `mcumgr fleet upgrade --confirm --wait` on 20 devsim boards (timing off) in one run, two of
# them with a faulty path: board 07's bootloader does not trust the image's key (it refuses
# the image at the reset), board 13 is reached through a relay that stops passing bytes after
# 30000 of them (dd bs=1: head -c would hold them back) (the board stops answering mid-upload). 18 are upgraded, the two report their
# failure, the exit status is 1 and no board is left with a pending image it did not ask for.
# `fleet list` matches each board's own `image list`; a second run skips the upgraded boards
# and resumes board 13 through a working relay.
. "$(dirname "$0")/e2e_lib.sh"
make_images
"$BIN/imgtool" keygen -k other.pem -t ecdsa-p256
"$BIN/imgtool" getpub -k other.pem -e pem > other.pub.pem
"$BIN/imgtool" sign -k other.pem --version 1.0.0 --header-size 0x200 --pad-header \
    --slot-size $SLOT_SIZE --align 4 app1.bin v1-other.bin
N=20
PIDS=""
stop_all() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    for p in $PIDS; do wait "$p" 2>/dev/null || true; done
    PIDS=""
}
trap 'stop_all; cleanup' EXIT INT TERM
for i in $(seq -w 1 $N); do
    trust=pub.pem first=v1.bin
    [ "$i" = 07 ] && trust=other.pub.pem first=v1-other.bin
    mkdir -p "fs$i"
    "$BIN/devsim" flash --board nrf52840dk --flash "b$i.img" $first > /dev/null
    "$BIN/devsim" run --board nrf52840dk --flash "b$i.img" --trust $trust --serial "$TMP/tty$i" \
        --udp 127.0.0.1:0 --fs-root "$TMP/fs$i" --log "d$i.log" --no-timing &
    PIDS="$PIDS $!"
done
for i in $(seq -w 1 $N); do
    n=0
    until port=$(sed -n 's/.*udp: listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "d$i.log" 2>/dev/null) &&
            [ -n "$port" ] && [ -e "tty$i" ]; do
        n=$((n + 1))
        [ $n -lt 100 ] || fail "board $i did not come up"
        sleep 0.1
    done
    if [ "$i" = 13 ]; then
        "$MCUMGR" conn add "lab-$i" type=exec \
            connstring="cmd=dd bs=1 count=30000 status=none | socat - $TMP/tty$i,raw,echo=0; sleep 60" > /dev/null
    else
        "$MCUMGR" conn add "lab-$i" type=udp connstring="[127.0.0.1]:$port" > /dev/null
    fi
done

got=0
"$MCUMGR" -t 1 fleet upgrade v2.bin --profiles-matching 'lab-*' --confirm --wait \
    > table.txt 2> lines.txt || got=$?
[ "$got" = 1 ] || { cat table.txt lines.txt; fail "fleet upgrade: exit $got, expected 1"; }
[ "$(grep -c ' upgraded$' table.txt)" = 18 ] || { cat table.txt; fail "18 boards upgraded"; }
grep -q '^lab-07 *1\.0\.0 *1\.0\.0 .* refused by the bootloader (the image is gone from its slot)$' \
    table.txt || { cat table.txt; fail "board 07: the refusal"; }
grep -q '^lab-13 .* upload: timed out waiting for the device$' table.txt ||
    { cat table.txt; fail "board 13: the timeout"; }
grep -q '^lab-01 .*1\.0\.0 .*1\.1\.0 .* upgraded$' table.txt || { cat table.txt; fail "old/new"; }
[ "$(grep -c ': upgraded (' lines.txt)" = 18 ] || { cat lines.txt; fail "a line per board"; }
echo "ok: 18 of 20 upgraded, 07 refused by its bootloader, 13 timed out, exit 1"

# No board holds a pending image; fleet list matches each board's image list.
"$MCUMGR" fleet list --profiles-matching 'lab-*' > fleet.lst || { cat fleet.lst; fail "fleet list"; }
for i in $(seq -w 1 $N); do
    [ "$i" = 13 ] && continue
    "$MCUMGR" -c "lab-$i" image list > "own$i.lst"
    ! grep -q pending "own$i.lst" || { cat "own$i.lst"; fail "board $i: an image is pending"; }
    for s in 0 1; do
        v=$(slot_field "own$i.lst" $s version)
        f=$(slot_field "own$i.lst" $s flags)
        h=$(slot_field "own$i.lst" $s hash | cut -c1-8)
        [ -n "$v" ] || continue
        want=$(printf '%-24s %-5s %-5s %-12s %-28s %s' "lab-$i" 0 $s "$v" "${f:--}" "$h")
        expect_line fleet.lst "$want"
    done
done
[ "$(slot_field own07.lst 0 version)" = 1.0.0 ] || fail "board 07 does not run 1.0.0"
[ -z "$(slot_field own07.lst 1 version)" ] || { cat own07.lst; fail "board 07 keeps the refused image"; }
echo "ok: no pending image; fleet list matches each board's image list"

# A second run: the upgraded boards are skipped, board 13 resumes through a working relay.
"$MCUMGR" conn add lab-13 type=exec connstring="cmd=socat - $TMP/tty13,raw,echo=0" > /dev/null
got=0
# (the boards from a conn file this time: profile names, one board as TYPE CONNSTRING)
port01=$(sed -n 's/.*udp: listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' d01.log)
{
    echo "# the rack"
    echo "udp [127.0.0.1]:$port01"
    echo
    for i in $(seq -w 2 $N); do echo "lab-$i"; done
} > boards.txt
"$MCUMGR" --json fleet upgrade v2.bin --conn-file boards.txt --confirm --wait \
    > second.json 2> second.err || got=$?
[ "$got" = 1 ] || { cat second.json second.err; fail "second run: exit $got (board 07 still fails)"; }
[ "$(grep -c '"result": "skipped"' second.json)" = 18 ] || { cat second.json; fail "18 skipped"; }
grep -q '"board": "lab-13", "result": "upgraded".*"resumed_from": [1-9]' second.json ||
    { cat second.json; fail "board 13 did not resume"; }
grep -q '"board": "lab-07", "result": "failed"' second.json || fail "board 07 in the report"
grep -q '"failed": 1}' second.json || fail "report's failed count"
grep -q '"board": "boards.txt:2", "result": "skipped"' second.json || fail "the conn file's udp line"
echo "ok: the second run skips 18 boards and resumes board 13"

# On a terminal: one live line per board, redrawn in place (cursor up N lines, erase to the end).
if command -v script > /dev/null; then
    script -qfc "\"$MCUMGR\" fleet upgrade v2.bin --profiles-matching 'lab-0[1-3]' --confirm" \
        /dev/null > tty.out 2>&1 || true
    esc=$(printf '\033')
    grep -q "lab-01  *skipped  *$esc\\[K" tty.out ||
        { cat -v tty.out; fail "no live line for lab-01"; }
    grep -q "$esc\\[3A" tty.out || { cat -v tty.out; fail "the lines are not redrawn"; }
    echo "ok: live lines on a terminal"
fi
