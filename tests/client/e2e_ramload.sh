#!/bin/sh
# ram-load on devsim over serial: images signed with imgtool sign --load-addr (header flag
# RAM_LOAD) are copied by the bootloader into the RAM region devsim models (256 KiB at
# 0x20000000) and validated there; the highest version runs, wherever it was uploaded, and the
# next upload goes to the other slot. One signed without --load-addr is not started.
. "$(dirname "$0")/e2e_lib.sh"
make_images
for v in 1 2; do
    "$BIN/imgtool" sign -k key.pem --version "1.$((v - 1)).0" --header-size 0x200 --pad-header \
        --slot-size $SLOT_SIZE --align 4 --load-addr 0x20000000 "app$v.bin" "v$v.bin"
done
"$BIN/imgtool" sign -k key.pem --version 1.2.0 --header-size 0x200 --pad-header \
    --slot-size $SLOT_SIZE --align 4 app1.bin flash-only.bin
start_board --no-timing --strategy ram-load
grep -q "ram-load, timing off" devsim.log || fail "devsim did not take --strategy ram-load"
grep -q "boot: loaded into RAM at 0x20000000" devsim.log || fail "1.0.0 not loaded into RAM"
"$MCUMGR" -c serial image upload v2.bin > /dev/null || fail "upload"
reset_until "boot: booting 1.1.0 from slot 1; swap type none" 1
"$MCUMGR" -c serial image list > list.lst
[ "$(slot_field list.lst 1 flags)" = "active confirmed" ] || { cat list.lst; fail "slot 1 not active"; }
[ "$(slot_field list.lst 0 version)" = "1.0.0" ] || { cat list.lst; fail "slot 0 changed"; }
"$MCUMGR" -c serial image upload flash-only.bin > /dev/null || fail "upload to slot 0"
"$MCUMGR" -c serial reset > /dev/null
log_count "boot: slot 0 refused: load address outside the RAM region" 1
log_count "boot: booting 1.1.0 from slot 1; swap type fail" 1
echo "ok: ram-load over serial: loaded into RAM, highest version, uploads to the idle slot"
cleanup
