#!/bin/sh
# `mcumgr bridge`: devsim's serial board reachable over UDP through the relay, driven by our
# mcumgr with a profile file as the Go tool writes it. The board answers (the list matches the
# one read over serial directly), an upload goes through, and SIGTERM ends the bridge with a
# count of what it relayed.
. "$(dirname "$0")/e2e_lib.sh"
make_images
start_board
"$MCUMGR" -c serial image list > serial.lst
BRIDGE_PID=""
stop_bridge() {
    [ -z "$BRIDGE_PID" ] || { kill "$BRIDGE_PID" 2>/dev/null || true; wait "$BRIDGE_PID" 2>/dev/null || true; }
    BRIDGE_PID=""
}
trap 'stop_bridge; cleanup' EXIT INT TERM
"$MCUMGR" bridge --serial "$TMP/tty,baud=115200" --udp 127.0.0.1:0 2> bridge.log &
BRIDGE_PID=$!
i=0
until BPORT=$(sed -n 's/^bridge: .* <-> udp 127\.0\.0\.1:\([0-9]*\)$/\1/p' bridge.log) && [ -n "$BPORT" ]; do
    i=$((i + 1))
    [ $i -lt 40 ] || { cat bridge.log; fail "bridge did not start"; }
    sleep 0.1
done
expect_line bridge.log "bridge: $TMP/tty (115200 baud) <-> udp 127.0.0.1:$BPORT"
# the profile file exactly as the Go mcumgr writes it
cat > .mcumgr.cp.json <<JSON
[
    {
        "MyName": "viabridge",
        "MyType": "udp",
        "MyConnString": "[127.0.0.1]:$BPORT"
    }
]
JSON
"$MCUMGR" -c viabridge image list > bridge.lst
cmp serial.lst bridge.lst || fail "image list through the bridge differs from serial"
"$MCUMGR" -c viabridge image upload v2.bin > /dev/null 2> upload.err ||
    { cat upload.err; fail "upload through the bridge"; }
"$MCUMGR" -c viabridge image list > after.lst
[ "$(slot_field after.lst 1 version)" = "1.1.0" ] || { cat after.lst; fail "upload not listed"; }
echo "ok: image list and upload through the bridge (Go-format profile)"
kill -TERM "$BRIDGE_PID"
got=0
wait "$BRIDGE_PID" || got=$?
BRIDGE_PID=""
[ "$got" = 0 ] || { cat bridge.log; fail "bridge exit $got after SIGTERM"; }
line=$(tail -1 bridge.log)
case "$line" in
"bridge: relayed "*" requests and "*" answers (0 unasked-for packets dropped)") ;;
*) cat bridge.log; fail "bridge summary: $line" ;;
esac
req=$(echo "$line" | awk '{print $3}')
ans=$(echo "$line" | awk '{print $6}')
# (a request the board dropped while busy erasing has no answer; the client sent it again)
[ "$ans" -gt 10 ] && [ "$ans" -le "$req" ] || fail "relayed $req requests, $ans answers"
echo "ok: SIGTERM ends the bridge: $line"
expect_exit 2 bridge --udp 127.0.0.1:0
expect_line err.txt "mcumgr: bridge: --serial DEV[,baud=N] is required"
expect_exit 1 bridge --serial "$TMP/nonexistent" --udp 127.0.0.1:0
expect_line err.txt "mcumgr: bridge: cannot open serial port $TMP/nonexistent: not found"
echo "ok: bridge usage errors"
