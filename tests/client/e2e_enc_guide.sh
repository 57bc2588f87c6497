#!/bin/sh
# The guide's flow over serial with an encrypted image: imgtool sign -E for the board's
# key-exchange key (devsim run --enc-key), upload, image list (slot 1 shows the hash TLV, no
# flags), test, reset, confirm. The board ends on the new image, confirmed; slot 0 holds its
# plaintext, and no piece of that plaintext is in slot 1 (which now holds the old image).
. "$(dirname "$0")/e2e_lib.sh"
make_images
"$BIN/imgtool" keygen -k enc.pem -t ecdsa-p256
"$BIN/imgtool" getpub -k enc.pem -e pem > encpub.pem
"$BIN/imgtool" sign -k key.pem -E encpub.pem --version 1.1.0 --header-size 0x200 --pad-header \
    --slot-size $SLOT_SIZE --align 4 app2.bin v2enc.bin
cmp -s app2.bin v2enc.bin && fail "not encrypted"
start_board --no-timing --enc-key enc.pem
grep -q 'devsim: encrypted images: ECIES-P256 key from enc.pem' devsim.log || fail "key not loaded"
"$MCUMGR" -c serial image upload v2enc.bin > upload.out 2>&1 || { cat upload.out; fail "upload"; }
"$MCUMGR" -c serial image list > image.lst
hash=$(grep hash: image.lst | tail -1 | awk '{print $2}')
[ "$(slot_field image.lst 1 version)" = "1.1.0" ] || { cat image.lst; fail "upload not listed"; }
[ "$(slot_field image.lst 1 flags)" = "" ] || { cat image.lst; fail "fresh upload has flags"; }
"$MCUMGR" -c serial image test "$hash" > test.out
[ "$(slot_field test.out 1 flags)" = "pending" ] || { cat test.out; fail "not pending"; }
"$MCUMGR" -c serial reset > /dev/null
wait_board serial
grep -q 'boot: booting 1.1.0 from slot 0; swap type test' devsim.log || fail "no test swap"
grep -q 'refused' devsim.log && fail "an image was refused"
"$MCUMGR" -c serial image list > after.lst
[ "$(slot_field after.lst 0 version)" = "1.1.0" ] || { cat after.lst; fail "not running 1.1.0"; }
[ "$(slot_field after.lst 0 flags)" = "active" ] || { cat after.lst; fail "not in test"; }
[ "$(slot_field after.lst 0 hash)" = "$hash" ] || fail "slot 0 hash differs from the upload's"
"$MCUMGR" -c serial image confirm > /dev/null
"$MCUMGR" -c serial image list > confirmed.lst
[ "$(slot_field confirmed.lst 0 flags)" = "active confirmed" ] || { cat confirmed.lst; fail "not confirmed"; }
cleanup
# Slot 0 (nrf52840dk: at 0xc000) holds the plaintext payload after the 0x200 header; slot 1
# (at 0x73000) none of it.
dd if=board.img of=slot0.bin bs=1 skip=$((0xc000 + 0x200)) count=$(wc -c < app2.bin) 2> /dev/null
cmp -s slot0.bin app2.bin || fail "slot 0 does not hold the plaintext"
dd if=board.img of=slot1.bin bs=4096 skip=$((0x73000 / 4096)) count=$((0x67000 / 4096)) 2> /dev/null
for off in 4096 40960 81920 122880; do
    dd if=app2.bin of=piece.bin bs=1 skip=$off count=64 2> /dev/null
    /usr/bin/python3 -c 'import sys; sys.exit(open("piece.bin","rb").read() in open("slot1.bin","rb").read())' ||
        fail "plaintext of the new image in slot 1"
done
echo "ok: encrypted image over serial: uploaded ($hash), tested, confirmed; slot 1 holds no plaintext"
