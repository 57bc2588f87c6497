#!/bin/sh
# devsim's command line: boards, mkapp, the programming probe (.bin and .hex, slot and address
# placement, both memory maps), and the errors of bad arguments (exit 2) and bad inputs (exit 1).
set -eu
D="$BIN/devsim"
I="$BIN/imgtool"
rm -rf "$TMP"
mkdir -p "$TMP"
cd "$TMP"
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_exit() { # code, command...
    want=$1; shift
    set +e; "$@" >out.txt 2>err.txt; got=$?; set -e
    [ "$got" = "$want" ] || { cat out.txt err.txt >&2; fail "'$*' exited $got, expected $want"; }
}

# boards: the five profiles, the nRF52840 DK map of Zephyr, the QEMU mps2-an386 map
"$D" boards >boards.txt
grep -q '^nrf52840dk .*slots 0xc000+0x67000 / 0x73000+0x67000, scratch 0xda000+0x1e000, storage 0xf8000+0x8000, timing on' boards.txt || fail "nrf52840dk profile"
grep -q '^stm32f4 ' boards.txt || fail "stm32f4 profile"
grep -q '^generic ' boards.txt || fail "generic profile"
grep -q "^mps2-an386 .*16384 KiB, align 4, swap-move, slots 0x0+0x60000 / 0x60000+0x60000" boards.txt || fail "mps2-an386 profile"
grep -q '^nrf5340dk .*swap-move, slots 0xc000+0x36000 / 0x42000+0x36000, .*storage 0xf8000+0x8000, timing off, image 1 slots 0x78000+0x40000 / 0xb8000+0x40000$' boards.txt || fail "nrf5340dk profile"

# mkapp: the descriptor at offset 0, the requested size
"$D" mkapp --version 1.2.3+4 --behaviour hang -o app.bin --size 5000
[ "$(wc -c <app.bin)" -eq 5000 ] || fail "mkapp size"
[ "$(head -c 8 app.bin)" = "DEVSIMAP" ] || fail "mkapp magic"
[ "$(od -An -tu1 -j9 -N1 app.bin | tr -d ' ')" = "2" ] || fail "mkapp behaviour byte (hang = 2)"
expect_exit 2 "$D" mkapp --version 1.0.0 --behaviour explode -o x.bin
expect_exit 2 "$D" mkapp --version banana --behaviour normal -o x.bin
expect_exit 2 "$D" mkapp --behaviour normal -o x.bin
expect_exit 2 "$D" mkapp --version 1.0.0 -o x.bin --size 8
[ ! -e x.bin ] || fail "mkapp wrote a file on a usage error"

# flash .bin into slot 1: the bytes land at 0x73000, the flash file is created erased
"$I" sign --key "$VECTORS/imgtool/key-ed25519.pem" --header-size 0x200 --pad-header --align 4 \
    --version 1.2.3 --slot-size 0x67000 app.bin app.signed.bin
"$D" flash --board nrf52840dk --flash board.img app.signed.bin --slot 1 >out.txt
grep -q "at 0x73000 (slot 1)" out.txt || fail "flash slot 1: $(cat out.txt)"
[ "$(wc -c <board.img)" -eq 1048576 ] || fail "flash file size"
n=$(wc -c <app.signed.bin)
dd if=board.img of=slot1.bin bs=4096 skip=115 count=$(( (n + 4095) / 4096 )) 2>/dev/null
head -c "$n" slot1.bin | cmp - app.signed.bin || fail "slot 1 content"
[ "$(od -An -tx1 -j0 -N4 board.img | tr -d ' ')" = "ffffffff" ] || fail "bootloader area not erased"
# swap-offset: slot 1's image goes one sector in (0x74000), as the server puts uploads
"$D" flash --board nrf52840dk --strategy swap-offset --flash offset.img app.signed.bin --slot 1 >out.txt
grep -q "at 0x74000 (slot 1, one sector in)" out.txt || fail "flash swap-offset slot 1: $(cat out.txt)"
dd if=offset.img of=slot1.bin bs=4096 skip=116 count=$(( (n + 4095) / 4096 )) 2>/dev/null
head -c "$n" slot1.bin | cmp - app.signed.bin || fail "swap-offset slot 1 content"

# nrf5340dk: --slot 3 is image 1's secondary (0xb8000)
"$D" flash --board nrf5340dk --flash n53.img app.signed.bin --slot 3 >out.txt
grep -q "at 0xb8000 (slot 3)" out.txt || fail "flash nrf5340dk slot 3: $(cat out.txt)"
dd if=n53.img of=slot3.bin bs=4096 skip=184 count=$(( (n + 4095) / 4096 )) 2>/dev/null
head -c "$n" slot3.bin | cmp - app.signed.bin || fail "nrf5340dk slot 3 content"

# generic --images 2: image 1's slots follow slot 1 (boot 0x10000 + 3 x 0x20000 = 0x70000)
"$D" flash --board generic --images 2 --flash gen2.img app.signed.bin --slot 3 >out.txt
grep -q "at 0x70000 (slot 3)" out.txt || fail "flash generic --images 2 slot 3: $(cat out.txt)"
expect_exit 2 "$D" flash --board generic --images 3 --flash gen3.img app.signed.bin

# flash .hex at its own address (0xC000 = slot 0); Ed25519 signatures are deterministic, so the
# hex and the bin images are the same bytes
"$I" sign --key "$VECTORS/imgtool/key-ed25519.pem" --header-size 0x200 --pad-header --align 4 \
    --version 1.2.3 --slot-size 0x67000 --hex-addr 0xC000 app.bin app.signed.hex
"$D" flash --board nrf52840dk --flash board.img app.signed.hex >out.txt
grep -q "at 0xc000 (slot 0)" out.txt || fail "flash hex: $(cat out.txt)"
dd if=board.img of=slot0.bin bs=4096 skip=12 count=$(( (n + 4095) / 4096 )) 2>/dev/null
head -c "$n" slot0.bin | cmp - app.signed.bin || fail "slot 0 content from hex"

# STM32F4: flash is mapped at 0x08000000, slot 0 at 0x08020000
"$I" sign --key "$VECTORS/imgtool/key-ed25519.pem" --header-size 0x200 --pad-header --align 4 \
    --version 1.2.3 --slot-size 0x60000 --hex-addr 0x08020000 app.bin stm.hex
"$D" flash --board stm32f4 --flash stm.img stm.hex >out.txt
grep -q "at 0x20000 (slot 0)" out.txt || fail "stm32f4 hex placement: $(cat out.txt)"

# errors: too large for the slot, missing input, bad slot, unknown board, bad layout
head -c 500000 /dev/zero >big.bin
expect_exit 1 "$D" flash --board nrf52840dk --flash board.img big.bin
grep -q "does not fit" err.txt || fail "too large: $(cat err.txt)"
expect_exit 1 "$D" flash --board nrf52840dk --flash board.img missing.bin
expect_exit 2 "$D" flash --board nrf52840dk --flash board.img app.signed.bin --slot 2
grep -q "slot is 0 or 1 on a board with one image" err.txt || fail "slot 2: $(cat err.txt)"
expect_exit 2 "$D" flash --board nrf5340dk --flash n53.img app.signed.bin --slot 4
expect_exit 2 "$D" flash --board nrf9999 --flash board.img app.signed.bin
expect_exit 2 "$D" run --board stm32f4 --flash x.img --slot-size 0x1000
expect_exit 2 "$D" run --board generic --flash x.img --align 3
expect_exit 2 "$D" run --board nrf52840dk
expect_exit 2 "$D" run --flash x.img --udp-drop 2
# Bluetooth LE options: their ranges; no bus is a start-up error naming the bus
expect_exit 2 "$D" run --flash x.img --ble-name ALICE --ble-mtu 22
grep -q "ble-mtu is between 23 and 517" err.txt || fail "ble-mtu range: $(cat err.txt)"
expect_exit 2 "$D" run --flash x.img --ble-name ALICE --ble-mtu 518
expect_exit 2 "$D" run --flash x.img --ble-name ALICE --ble-interval-ms 8
grep -q "7.5 to 4000 in steps of 1.25" err.txt || fail "ble-interval-ms: $(cat err.txt)"
expect_exit 2 "$D" run --flash x.img --ble-name ALICE --ble-address 11:22:33
expect_exit 2 "$D" run --flash x.img --ble-name ALICE --ble-reassembly maybe
expect_exit 2 "$D" run --flash x.img --ble-name ALICE --ble-pairing maybe
grep -q -- "--ble-pairing is required or none" err.txt || fail "ble-pairing: $(cat err.txt)"
expect_exit 2 "$D" run --flash x.img --ble-name ALICE --ble-mtu-after-drop 22
grep -q -- "--ble-mtu-after-drop is between 23 and 517" err.txt || fail "ble-mtu-after-drop: $(cat err.txt)"
expect_exit 2 "$D" run --flash x.img --ble-name ALICE --ble-acquire maybe
expect_exit 2 "$D" run --flash x.img --dbus unix:path=/nonexistent
grep -q -- "--dbus needs --ble-name NAME" err.txt || fail "dbus without ble-name: $(cat err.txt)"
expect_exit 1 "$D" run --flash ble.img --no-udp --quiet --ble-name ALICE --ble-interval-ms 7.5 \
    --dbus unix:path=/nonexistent/bus
[ "$(cat err.txt)" = "devsim: cannot connect to the D-Bus bus unix:path=/nonexistent/bus: No such file or directory" ] ||
    fail "no bus: $(cat err.txt)"

# a generic board from flags: layout printed by a run that cannot start (serial path taken)
: >not-a-link
expect_exit 1 "$D" run --board generic --sector-size 0x1000 --slot-size 0x8000 --flash g.img \
    --serial not-a-link --no-udp
grep -q "not a symlink" err.txt || fail "serial path refusal: $(cat err.txt)"
[ "$(wc -c <g.img)" -gt 0 ] || fail "generic flash file"
# a flash file of another board is refused, not erased
expect_exit 1 "$D" flash --board generic --flash board.img app.signed.bin
grep -q "another board" err.txt || fail "size check: $(cat err.txt)"
expect_exit 1 "$D" run --board stm32f4 --flash g.img --no-udp
grep -q "another board" err.txt || fail "run size check: $(cat err.txt)"
dd if=board.img of=after.bin bs=4096 skip=12 count=$(( (n + 4095) / 4096 )) 2>/dev/null
head -c "$n" after.bin | cmp - app.signed.bin || fail "the refused flash file was changed"
# one board per flash file: a second run on it is refused while the first holds it
"$D" run --board nrf52840dk --flash lock.img --serial "$TMP/lock.tty" --no-udp --quiet &
first=$!
trap 'kill $first 2>/dev/null; wait $first 2>/dev/null' EXIT
i=0
while [ ! -e "$TMP/lock.tty" ]; do
    i=$((i + 1)); [ $i -lt 200 ] || fail "first devsim did not come up"; sleep 0.05
done
expect_exit 1 "$D" run --board nrf52840dk --flash lock.img --no-udp --quiet
grep -q "in use by another devsim" err.txt || fail "lock: $(cat err.txt)"
kill -TERM $first
wait $first || fail "first devsim did not stop cleanly"
trap - EXIT
[ ! -e "$TMP/lock.tty" ] || fail "symlink left behind"
echo "devsim cli: all passed"
