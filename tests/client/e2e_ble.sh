#!/bin/sh
# mcumgr over Bluetooth LE against devsim's simulated BlueZ on a private D-Bus bus (pointed at
# by DBUS_SYSTEM_BUS_ADDRESS, as a user's system bus would be): the guide's BLE commands
# verbatim, uploads at ATT MTU 23, 247 and 498 with the board's reassembly on and off, a
# connection dropped mid-upload, Ctrl-C, and the errors a user must be able to act on.
. "$(dirname "$0")/e2e_lib.sh"
BUS_PID=""
DEV=/org/bluez/hci0/dev_C0_DE_5A_00_00_01

stop_all() {
    cleanup
    [ -z "$BUS_PID" ] || { kill "$BUS_PID" 2>/dev/null || true; wait "$BUS_PID" 2>/dev/null || true; }
    BUS_PID=""
}
trap stop_all EXIT INT TERM

# A private bus where devsim may own org.bluez (the session configuration allows it).
start_bus() {
    rm -f bus.addr
    dbus-daemon --session --nofork --print-address=3 3> bus.addr 2> /dev/null &
    BUS_PID=$!
    i=0
    until [ -s bus.addr ]; do
        i=$((i + 1))
        [ $i -lt 40 ] || fail "dbus-daemon did not start"
        sleep 0.1
    done
    DBUS_SYSTEM_BUS_ADDRESS=$(head -n 1 bus.addr)
    export DBUS_SYSTEM_BUS_ADDRESS
}

# devsim with the BLE peripheral ALICE beside its serial and UDP ports. Arguments: devsim's.
start_ble() {
    start_board --dbus "$DBUS_SYSTEM_BUS_ADDRESS" --ble-name ALICE "$@" 2> devsim.err
}

# want_err EXPECTED-FIRST-LINE mcumgr-args...: exit 1 and exactly that message.
want_err() {
    want=$1
    shift
    rc=0
    "$MCUMGR" "$@" > out.txt 2> err.txt || rc=$?
    [ $rc -eq 1 ] && [ "$(head -n 1 err.txt)" = "$want" ] ||
        { cat err.txt; fail "mcumgr $*: exit $rc, want 1 and: $want"; }
}

connected() {
    busctl --address="$DBUS_SYSTEM_BUS_ADDRESS" get-property org.bluez $DEV org.bluez.Device1 \
        Connected 2> /dev/null
}

make_images
start_bus

# no org.bluez on the bus: what a machine without bluetoothd shows
want_err "mcumgr: echo: no Bluetooth service (org.bluez) on the D-Bus system bus: is bluetoothd running?" \
    --conntype ble --connstring peer_name=ALICE echo hi
echo "ok: no BlueZ on the bus"

start_ble --no-timing

# the guide's commands, verbatim
out=$("$MCUMGR" conn add ALICE type=ble connstring='peer_name=ALICE')
[ "$out" = "Connection profile ALICE successfully added" ] || fail "conn add: $out"
grep -q '"MyType": "ble"' .mcumgr.cp.json || fail "profile not in the Go format"
[ "$("$MCUMGR" --conntype blue --connstring peer_name=ALICE echo hi)" = "hi" ] || fail "echo over blue"
"$MCUMGR" -c ALICE image list > list1.txt || fail "image list"
[ "$(slot_field list1.txt 0 version)" = "1.0.0" ] || { cat list1.txt; fail "image list shows no 1.0.0"; }
"$MCUMGR" -c ALICE image upload v2.bin > up.txt 2>&1 || { cat up.txt; fail "image upload"; }
"$MCUMGR" -c ALICE image list > list2.txt
new=$(slot_field list2.txt 1 hash)
[ "$(slot_field list2.txt 1 version)" = "1.1.0" ] || { cat list2.txt; fail "upload not listed"; }
"$MCUMGR" -c ALICE image test "$new" > /dev/null || fail "image test"
"$MCUMGR" -c ALICE reset > /dev/null || fail "reset"
wait_board ALICE
"$MCUMGR" -c ALICE image confirm > /dev/null || fail "image confirm"
"$MCUMGR" -c ALICE image list > list3.txt
[ "$(slot_field list3.txt 0 version)" = "1.1.0" ] && [ "$(slot_field list3.txt 0 flags)" = "active confirmed" ] ||
    { cat list3.txt; fail "not running 1.1.0 confirmed"; }
[ "$(connected)" = "b false" ] || fail "mcumgr left ALICE connected: $(connected)"
echo "ok: the guide's BLE commands (conn add, echo over blue, image list/upload/test, reset, confirm)"

# the guide's one-step script with CONN=ALICE
start_ble --no-timing
rm -f image.lst
CONN=ALICE PATH="$BIN:$PATH" sh "$SRC/tests/client/mcumgr-upload.sh" v2.bin > guide.out 2>&1 ||
    { cat guide.out; fail "the guide's script over BLE"; }
wait_board ALICE
"$MCUMGR" -c ALICE image list > after.lst
[ "$(slot_field after.lst 0 version)" = "1.1.0" ] && [ "$(slot_field after.lst 0 flags)" = "active confirmed" ] ||
    { cat after.lst; fail "guide's script: not running 1.1.0 confirmed"; }
echo "ok: the guide's one-step script with CONN=ALICE"

# every ATT MTU the issue names, with the board's reassembly on and off; the link splits each
# request into MTU-3 writes (on) or keeps each packet to one write (off)
for mtu in 23 247 498; do
    for reasm in on off; do
        start_ble --no-timing --ble-mtu $mtu --ble-reassembly $reasm --smp-buf-size 1024
        rc=0
        "$MCUMGR" -c ALICE --json image upload v2.bin > up.json 2> up.err || rc=$?
        if [ $mtu = 23 ] && [ $reasm = off ]; then
            # 20 bytes per packet hold no upload chunk: said before anything is written
            [ $rc -eq 1 ] || fail "MTU 23 without reassembly: exit $rc"
            echo "ok: MTU 23 without reassembly refused: $(cat up.err)"
            continue
        fi
        [ $rc -eq 0 ] || { cat up.err; fail "upload at MTU $mtu, reassembly $reasm"; }
        packet=$(sed -n 's/.*"packet": \([0-9]*\).*/\1/p' up.json)
        if [ $reasm = off ]; then
            [ "$packet" -le $((mtu - 3)) ] || fail "MTU $mtu off: packet $packet over one write"
        else
            [ "$packet" -gt $((mtu - 3)) ] || fail "MTU $mtu on: packet $packet not split"
        fi
        "$MCUMGR" -c ALICE image list > l.txt
        [ "$(slot_field l.txt 1 hash)" = "$new" ] || fail "MTU $mtu $reasm: slot 1 is not 1.1.0"
        echo "ok: upload at ATT MTU $mtu, reassembly $reasm (packets of $packet bytes)"
    done
done

# a connection dropped halfway: mcumgr reconnects and goes on from the device's offset
start_ble --ble-interval-ms 7.5 --ble-drop-at-ms 2500
"$MCUMGR" -c ALICE --json image upload v2.bin > drop.json 2> drop.err || { cat drop.err; fail "upload with a drop"; }
grep -q "connection dropped" devsim.log || fail "the drop did not happen during the upload"
requests=$(sed -n 's/.*"requests": \([0-9]*\).*/\1/p' drop.json)
chunk=$(sed -n 's/.*"chunk": \([0-9]*\).*/\1/p' drop.json)
[ "$requests" -lt $((163840 / chunk * 5 / 4)) ] || fail "started over after the drop: $requests requests"
"$MCUMGR" -c ALICE image list > l.txt
[ "$(slot_field l.txt 1 version)" = "1.1.0" ] || fail "drop: upload not complete"
echo "ok: dropped at $(sed -n 's/^\[ *\([0-9.]*\)\] ble: connection dropped.*/\1/p' devsim.log) s, resumed ($requests requests of $chunk bytes)"

# Ctrl-C mid-upload: mcumgr stops, and ALICE is disconnected (BlueZ would keep the link up)
start_ble --ble-interval-ms 30
"$MCUMGR" -c ALICE image upload v2.bin > int.out 2> progress.txt &
pid=$!
wait_progress $pid 10
[ "$(connected)" = "b true" ] || fail "not connected during the upload"
kill -INT $pid
rc=0
wait $pid || rc=$?
[ $rc -eq 130 ] || fail "Ctrl-C: exit $rc"
i=0
until [ "$(connected)" = "b false" ]; do
    i=$((i + 1))
    [ $i -lt 50 ] || fail "Ctrl-C left ALICE connected"
    sleep 0.1
done
echo "ok: Ctrl-C disconnects ALICE"

# the errors a user acts on
start_ble --no-timing
want_err "mcumgr: echo: BLE peer named 'BOB' not found within 1.0 s (seen: ALICE)" \
    --conntype ble --connstring peer_name=BOB,conn_timeout=1 echo hi
want_err "mcumgr: echo: no Bluetooth adapter hci1 (adapters: hci0)" \
    --conntype ble --connstring peer_name=ALICE,ctlr_name=hci1 echo hi
[ "$("$MCUMGR" --conntype ble --connstring peer_id=c0:de:5a:00:00:01 echo by-address)" = "by-address" ] ||
    fail "peer_id"
start_ble --no-timing --ble-powered off
want_err "mcumgr: echo: Bluetooth adapter hci0 is off: turn it on (bluetoothctl power on)" \
    --conntype ble --connstring peer_name=ALICE echo hi
echo "ok: peer not found, no such adapter, adapter off"
stop_all
