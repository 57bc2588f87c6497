#!/bin/sh
# The guide's flow on devsim in direct-xip-revert mode, over serial. Each image is signed for
# the slot it will run from (imgtool sign --rom-fixed ADDR, as upstream): 1.0.0 for slot 0
# (0xc000 on nrf52840dk), 1.1.0 for slot 1 (0x73000). The upload goes to the slot that is not
# running; `image test` + reset runs it there (nothing copied); a reset without confirm erases
# it and slot 0 runs again; test + reset + confirm keeps it, and the next upload (1.2.0, built
# for slot 0) goes to slot 0. Then plain direct-xip: the highest version runs, without test
# or confirm; then direct-xip-revert with the security counter.
. "$(dirname "$0")/e2e_lib.sh"
make_images
"$BIN/imgtool" sign -k key.pem --version 1.0.0 --header-size 0x200 --pad-header \
    --slot-size $SLOT_SIZE --align 4 --rom-fixed 0xc000 app1.bin v1.bin
"$BIN/imgtool" sign -k key.pem --version 1.1.0 --header-size 0x200 --pad-header \
    --slot-size $SLOT_SIZE --align 4 --rom-fixed 0x73000 app2.bin v2.bin
"$BIN/imgtool" sign -k key.pem --version 1.2.0 --header-size 0x200 --pad-header \
    --slot-size $SLOT_SIZE --align 4 --rom-fixed 0xc000 app1.bin v3.bin
"$BIN/imgtool" sign -k key.pem --version 1.3.0 --header-size 0x200 --pad-header \
    --slot-size $SLOT_SIZE --align 4 --rom-fixed 0xc000 app1.bin v4-slot0.bin
start_board --no-timing --strategy direct-xip-revert
grep -q "direct-xip-revert, timing off" devsim.log || fail "devsim did not take --strategy direct-xip-revert"

"$MCUMGR" -c serial image upload v2.bin > up.out || { cat up.out; fail "upload"; }
"$MCUMGR" -c serial image list > list1.lst
[ "$(slot_field list1.lst 0 flags)" = "active confirmed" ] || { cat list1.lst; fail "slot 0 not active"; }
[ "$(slot_field list1.lst 1 version)" = "1.1.0" ] || { cat list1.lst; fail "upload not in slot 1"; }
new=$(slot_field list1.lst 1 hash)

# test, reset, no confirm: 1.1.0 runs from slot 1 once, then slot 1 is erased
"$MCUMGR" -c serial image test "$new" > /dev/null
reset_until "boot: booting 1.1.0 from slot 1; swap type test" 1
"$MCUMGR" -c serial image list > trial.lst
[ "$(slot_field trial.lst 1 flags)" = "active" ] || { cat trial.lst; fail "slot 1 not active on trial"; }
[ "$(slot_field trial.lst 0 version)" = "1.0.0" ] || { cat trial.lst; fail "slot 0 changed"; }
"$MCUMGR" -c serial reset > /dev/null
log_count "boot: booting 1.0.0 from slot 0; swap type revert" 1
grep -q "boot: slot 1 refused: tested and not confirmed" devsim.log || fail "no refusal logged"
wait_board serial

# upload again, test, reset, confirm: kept in slot 1
"$MCUMGR" -c serial image upload v2.bin > /dev/null || fail "upload 2"
"$MCUMGR" -c serial image test "$new" > /dev/null
reset_until "boot: booting 1.1.0 from slot 1; swap type test" 2
"$MCUMGR" -c serial image confirm > /dev/null
"$MCUMGR" -c serial image list > after.lst
[ "$(slot_field after.lst 1 version)" = "1.1.0" ] || { cat after.lst; fail "not running 1.1.0"; }
[ "$(slot_field after.lst 1 flags)" = "active confirmed" ] || { cat after.lst; fail "not confirmed"; }
reset_until "booting 1.1.0 from slot 1; swap type none" 1  # the confirmed image is kept

# the next upload goes to slot 0, the one not running
"$MCUMGR" -c serial image upload v3.bin > /dev/null || fail "upload to slot 0"
"$MCUMGR" -c serial image list > next.lst
[ "$(slot_field next.lst 0 version)" = "1.2.0" ] || { cat next.lst; fail "1.2.0 not in slot 0"; }
[ "$(slot_field next.lst 1 flags)" = "active confirmed" ] || { cat next.lst; fail "slot 1 not active"; }
"$MCUMGR" -c serial image test "$(slot_field next.lst 0 hash)" > /dev/null
"$MCUMGR" -c serial reset > /dev/null
log_count "boot: booting 1.2.0 from slot 0; swap type test" 1
echo "ok: direct-xip-revert over serial: upload to the idle slot, test, revert, test, confirm"

# plain direct-xip: the highest version runs, wherever it is; one built for the other slot not.
# As Zephyr's img_mgmt there: the higher version is listed pending and permanent (it runs next
# whatever the trailers say), `test` of it and `confirm` of the running image are refused,
# confirming it is a no-op.
start_board --no-timing --strategy direct-xip
"$MCUMGR" -c serial image upload v2.bin > /dev/null || fail "direct-xip upload"
"$MCUMGR" -c serial image list > plain.lst
[ "$(slot_field plain.lst 0 flags)" = "active confirmed" ] || { cat plain.lst; fail "plain: slot 0"; }
[ "$(slot_field plain.lst 1 flags)" = "pending permanent" ] || { cat plain.lst; fail "plain: slot 1 not next"; }
higher=$(slot_field plain.lst 1 hash)
"$MCUMGR" -c serial image test "$higher" > out.txt 2> err.txt && fail "plain: test of the higher version accepted"
expect_line err.txt "mcumgr: image test: IMAGE_ALREADY_PENDING (28)"
"$MCUMGR" -c serial image confirm > out.txt 2> err.txt && fail "plain: confirm of the running image accepted"
expect_line err.txt "mcumgr: image confirm: IMAGE_ALREADY_PENDING (28)"
"$MCUMGR" -c serial image confirm "$higher" > /dev/null || fail "plain: confirm of the higher version"
"$MCUMGR" -c serial image list > plain2.lst
cmp -s plain.lst plain2.lst || { diff plain.lst plain2.lst; fail "plain: the list changed"; }
reset_until "boot: booting 1.1.0 from slot 1; swap type none" 1
"$MCUMGR" -c serial image list > plain3.lst
[ "$(slot_field plain3.lst 1 flags)" = "active confirmed" ] || { cat plain3.lst; fail "plain: slot 1 not active"; }
[ "$(slot_field plain3.lst 0 flags)" = "" ] || { cat plain3.lst; fail "plain: the older slot 0 listed with flags"; }
"$MCUMGR" -c serial image upload v4-slot0.bin > /dev/null || fail "direct-xip upload to slot 0"
"$MCUMGR" -c serial reset > /dev/null
log_count "boot: booting 1.3.0 from slot 0; swap type none" 1
echo "ok: direct-xip over serial: the highest version runs in place"

# direct-xip-revert with the security counter (kept in devsim's flash file): a test image's
# counter is taken only once it is confirmed (at the boot after), and a newer version with a
# lower counter is then refused at boot with the reason logged; the confirmed one keeps running.
"$BIN/imgtool" sign -k key.pem --version 1.1.0 --header-size 0x200 --pad-header \
    --slot-size $SLOT_SIZE --align 4 --rom-fixed 0x73000 --security-counter 5 app2.bin c5.bin
"$BIN/imgtool" sign -k key.pem --version 1.2.0 --header-size 0x200 --pad-header \
    --slot-size $SLOT_SIZE --align 4 --rom-fixed 0xc000 --security-counter 4 app1.bin c4.bin
start_board --no-timing --strategy direct-xip-revert --downgrade-prevention security-counter
grep -q "boot: downgrade prevention: security counter 0 " devsim.log || fail "no counter at boot"
"$MCUMGR" -c serial image upload c5.bin > /dev/null || fail "counter: upload 1.1.0"
"$MCUMGR" -c serial image list > cnt.lst
"$MCUMGR" -c serial image test "$(slot_field cnt.lst 1 hash)" > /dev/null
reset_until "boot: booting 1.1.0 from slot 1; swap type test" 1
grep -q "security counter raised" devsim.log && fail "counter: raised on the try"
"$MCUMGR" -c serial image confirm > /dev/null || fail "counter: confirm"
reset_until "boot: booting 1.1.0 from slot 1; swap type none" 1
log_count "boot: security counter raised from 0 to 5" 1
"$MCUMGR" -c serial image upload c4.bin > /dev/null || fail "counter: upload 1.2.0 to slot 0"
"$MCUMGR" -c serial image list > cnt2.lst
[ "$(slot_field cnt2.lst 0 version)" = "1.2.0" ] || { cat cnt2.lst; fail "counter: 1.2.0 not in slot 0"; }
"$MCUMGR" -c serial image test "$(slot_field cnt2.lst 0 hash)" > /dev/null
reset_until "boot: booting 1.1.0 from slot 1; swap type fail" 1
log_count "boot: slot 0 refused: downgrade refused: security counter below the board's" 1
"$MCUMGR" -c serial image list > cnt3.lst
[ "$(slot_field cnt3.lst 0 version)" = "" ] || { cat cnt3.lst; fail "counter: the refused image kept"; }
echo "ok: direct-xip-revert with the security counter: raised on confirm, a lower one refused"
cleanup
