#!/bin/sh
# Packet size and the first reply against devsim. A serial path that carries no SMP packet
# above 500 bytes while the device reports 2048-byte buffers (paced and unpaced, flash timing
# on): the upload finds 500, completes, and says how to start there; --max-packet 500 does.
# A path that carries nothing the size of a chunk: the upload stops within tries x timeout
# and names the size. A first reply that waits for the erase of the image's sectors (2 s of
# board time with 500 ms sectors, well above -t 1) is waited out over UDP and serial: no
# smaller packets, no retransmission.
. "$(dirname "$0")/e2e_lib.sh"
make_images
"$BIN/devsim" mkapp --version 1.2.0 --behaviour normal -o small.raw --size 12288
"$BIN/imgtool" sign -k key.pem --version 1.2.0 --header-size 0x200 --pad-header \
    --slot-size $SLOT_SIZE --align 4 small.raw small.bin
NOTE="mcumgr: image upload: no reply to 501-byte packets; 500-byte packets work (use --max-packet 500 next time)"

for pace in paced unpaced; do
    extra=""
    [ $pace = paced ] || extra=--serial-unpaced
    start_board --timing --smp-buf-size 2048 --serial-max-packet 500 $extra
    expect_exit 0 -t 1 -c serial image upload small.bin
    expect_line err.txt "$NOTE"
    expect_line out.txt "Done"
    "$MCUMGR" -c serial image list > list.txt
    [ "$(slot_field list.txt 1 version)" = "1.2.0" ] || fail "$pace: image not in slot 1"
    echo "ok: $pace serial path limited to 500 bytes: the upload found 500 and said so"
done

start_board --no-timing --smp-buf-size 2048 --serial-max-packet 500
expect_exit 0 -t 1 -c serial --json image upload --max-packet 500 small.bin
! grep -q "no reply" err.txt || { cat err.txt; fail "--max-packet 500 still fell back"; }
grep -q '"packet": 500,' out.txt || { cat out.txt; fail "--max-packet 500 not used"; }
echo "ok: --max-packet 500 starts at 500"

start_board --no-timing --smp-buf-size 2048 --serial-max-packet 100
t0=$(date +%s)
expect_exit 1 -t 1 -c serial image upload v1.bin
t1=$(date +%s)
expect_line err.txt "mcumgr: image upload: no reply to the first chunk in packets of 128 bytes or more, while the device answers small requests"
# 2044, 1022, 511, 255, 128: five tries of about -t each (slack for a loaded machine)
[ $((t1 - t0)) -le 15 ] || fail "gave up only after $((t1 - t0)) s"
echo "ok: nothing the size of a chunk gets through: stopped after $((t1 - t0)) s"

for conn in udp serial; do
    start_board --timing --erase-us 500000
    expect_exit 0 -t 1 -c $conn --json image upload small.bin
    ! grep -q "no reply" err.txt || { cat err.txt; fail "$conn: a slow first reply was taken for a lost packet"; }
    grep -q '"retransmits": 0,' out.txt || { cat out.txt; fail "$conn: retransmissions while the device erased"; }
    echo "ok: $conn: the first reply after the image's erase was waited out ($(sed -n 's/.*"seconds": \([0-9.]*\).*/\1/p' out.txt) s upload)"
done
cleanup
