#!/bin/sh
# What `mcumgr image upload` says against devsim, asserted by text and exit status: a file
# larger than the slot's max_image_size is refused before anything is sent; an upload whose
# file the device already holds says where it resumed and reports no rate; Ctrl-C ends with
# how to resume (exit 130, the bar line ended on a terminal) and the next run resumes; after --reset --wait, an image signed
# with an unknown key is "refused" and one that crashes at boot is "reverted".
. "$(dirname "$0")/e2e_lib.sh"
make_images
"$BIN/imgtool" keygen -k other.pem -t ecdsa-p256
SIGN="--header-size 0x200 --pad-header --align 4"
"$BIN/devsim" mkapp --version 1.2.0 --behaviour normal -o big.raw --size 430080
"$BIN/imgtool" sign -k key.pem --version 1.2.0 $SIGN --slot-size 0x80000 big.raw big.bin
"$BIN/devsim" mkapp --version 1.3.0 --behaviour normal -o other.raw --size 16384
"$BIN/imgtool" sign -k other.pem --version 1.3.0 $SIGN --slot-size $SLOT_SIZE other.raw other.bin
"$BIN/devsim" mkapp --version 1.4.0 --behaviour crash -o crash.raw --size 16384
"$BIN/imgtool" sign -k key.pem --version 1.4.0 $SIGN --slot-size $SLOT_SIZE crash.raw crash.bin
size=$(wc -c < v2.bin | tr -d ' ')
big=$(wc -c < big.bin | tr -d ' ')

start_board
# too large: refused locally, slot 1 untouched
"$MCUMGR" -c udp image slot-info > info.txt
max=$(sed -n 's/^ *max image size: \([0-9]*\)$/\1/p' info.txt | head -1)
[ -n "$max" ] && [ "$big" -gt "$max" ] || fail "big.bin ($big bytes) is not above max_image_size ($max)"
expect_exit 1 -c udp image upload big.bin
expect_line err.txt "mcumgr: image upload: big.bin is $big bytes, more than the $max bytes slot 1 can hold (max_image_size); nothing sent"
"$MCUMGR" -c udp image list > list.txt
! grep -q "slot=1" list.txt || fail "the refused image reached slot 1"
echo "ok: a file above max_image_size is refused before sending"

# the whole file is on the device already: a resume at the end, no rate
expect_exit 0 -c udp image upload v2.bin
expect_exit 0 -c udp image upload v2.bin
expect_line err.txt "resuming at $size of $size bytes"
expect_line err.txt "upload 100% $size/$size bytes"
expect_line out.txt "Done"
echo "ok: nothing left to send: resume noted, no rate"

# another client (a new UDP port) right after: the device keeps the image just uploaded for
# its owner, and says so; an image erase frees the slot
expect_exit 1 -c udp image upload other.bin
expect_line err.txt "mcumgr: image upload: slot 1 holds an image another client has just uploaded; the device keeps it for that client for its upload idle time (try again later, or free the slot with: mcumgr image erase)"
expect_exit 0 -c udp image erase
echo "ok: a just-finished upload is kept for its owner; image erase frees the slot"

# wrong key: the bootloader refuses it (erases slot 1), the old image runs
expect_exit 1 -c udp image upload other.bin --test --reset --wait
expect_line err.txt "mcumgr: image upload: the bootloader refused the new image at boot (it is gone from slot 1); 1.0.0 still runs"
echo "ok: an image signed with an unknown key is reported refused"

# a crash at boot: the bootloader reverts, the image is back in slot 1
expect_exit 1 -c serial image upload crash.bin --test --reset --wait
expect_line err.txt "mcumgr: image upload: the new image was reverted: it booted without being confirmed, and 1.0.0 runs again"
echo "ok: an image that crashes at boot is reported reverted"

# Ctrl-C half-way through a timed upload: how to resume, exit 130; the next run resumes
start_board --timing
"$MCUMGR" -c udp image upload v2.bin > first.out 2> progress.txt &
pid=$!
wait_progress "$pid" 30
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
[ $rc -eq 130 ] || { cat progress.txt; fail "Ctrl-C: exit $rc, expected 130"; }
expect_line progress.txt "mcumgr: image upload: interrupted; run the same command again to resume the upload"
expect_exit 0 -c udp image upload v2.bin
grep -q "^resuming at [1-9][0-9]* of $size bytes$" err.txt || { cat err.txt; fail "no resume after Ctrl-C"; }
head -1 err.txt | grep -q "^resuming at " || { cat err.txt; fail "the resume is not said before the progress"; }
echo "ok: Ctrl-C says how to resume (exit 130), the next run resumes"

# a resumed serial upload's rate counts only this run's bytes: it stays under the link's
# ceiling (115200 baud: 11.25 KiB/s before base64 and framing), where counting the resumed
# half would report about twice the real rate (the UDP client's finished upload is erased
# first: the device keeps it for that client otherwise)
expect_exit 0 -c serial image erase
"$MCUMGR" -c serial image upload v1.bin > first.out 2> progress.txt &
pid=$!
wait_progress "$pid" 50 "serial"
kill -INT "$pid"
wait "$pid" || true
expect_exit 0 -c serial image upload v1.bin
rate=$(sed -n 's/^upload 100% [0-9]*\/[0-9]* bytes \([0-9.]*\) KiB\/s$/\1/p' err.txt)
[ -n "$rate" ] || { cat err.txt; fail "no rate on the resumed upload's last line"; }
awk -v r="$rate" 'BEGIN { exit !(r > 0 && r <= 11.25) }' ||
    { cat err.txt; fail "resumed serial upload reports $rate KiB/s, above the link's 11.25"; }
echo "ok: a resumed serial upload reports $rate KiB/s (this run's bytes only)"

# the same on a terminal (script(1) gives mcumgr one): the bar line is ended first, so the
# message stands on its own line
start_board --timing
script -qfec "echo \$\$ > mcumgr.pid; exec '$MCUMGR' -c udp image upload v2.bin" tty.log > /dev/null &
spid=$!
i=0
until tr '\r' '\n' < tty.log 2>/dev/null | grep -q "^upload  *[3-9][0-9]% \["; do
    i=$((i + 1))
    [ $i -lt 400 ] || { kill "$spid"; fail "terminal upload never reached 30%"; }
    sleep 0.05
done
kill -INT "$(cat mcumgr.pid)"
rc=0
wait "$spid" || rc=$?
[ $rc -eq 130 ] || { cat tty.log; fail "Ctrl-C on a terminal: exit $rc, expected 130"; }
tr -d '\r' < tty.log > tty.txt
expect_line tty.txt "mcumgr: image upload: interrupted; run the same command again to resume the upload"
echo "ok: on a terminal, Ctrl-C ends the bar line before saying how to resume"
cleanup
