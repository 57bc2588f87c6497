#!/bin/sh
# Fidelity of devsim's BlueZ for a real BlueZ client library: Debian's python3-bleak (its BlueZ
# D-Bus backend) on a private bus, as DBUS_SYSTEM_BUS_ADDRESS, scans for ALICE, connects, finds
# the SMP characteristic, writes an SMP echo and gets the reply notification (bleak_echo.py).
set -eu
D="$BIN/devsim"
I="$BIN/imgtool"
rm -rf "$TMP"
mkdir -p "$TMP"
cd "$TMP"
fail() { echo "FAIL: $*" >&2; [ -f dev.log ] && cat dev.log >&2; exit 1; }
DAEMON=""
DEVSIM=""
cleanup() {
    set +e   # every child goes, whatever the one before said
    if [ -n "$DEVSIM" ]; then kill "$DEVSIM" 2>/dev/null; wait "$DEVSIM" 2>/dev/null; fi
    if [ -n "$DAEMON" ]; then kill "$DAEMON" 2>/dev/null; wait "$DAEMON" 2>/dev/null; fi
    return 0
}
trap cleanup EXIT

"$D" mkapp --version 1.0.0 -o app.bin --size 6000
"$I" sign --key "$VECTORS/imgtool/key-ecdsa-p256.pem" --header-size 0x200 --pad-header --align 4 \
    --version 1.0.0 --slot-size 0x67000 app.bin app.signed.bin
"$D" flash --flash board.img app.signed.bin >/dev/null

dbus-daemon --session --print-address --nofork >bus.txt 2>/dev/null &
DAEMON=$!
i=0
while [ ! -s bus.txt ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
ADDR=$(head -n 1 bus.txt)
[ -n "$ADDR" ] || fail "dbus-daemon gave no address"

"$D" run --flash board.img --no-udp --dbus "$ADDR" --ble-name ALICE --ble-mtu 64 --log dev.log &
DEVSIM=$!
i=0
while ! grep -q "app: running" dev.log 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
grep -q "app: running" dev.log || fail "the board did not come up"

DBUS_SYSTEM_BUS_ADDRESS="$ADDR" timeout 60 /usr/bin/python3 "$SRC/tests/devsim/bleak_echo.py" \
    ALICE >out.txt 2>err.txt || { cat out.txt err.txt >&2; fail "bleak_echo.py failed"; }
[ "$(cat out.txt)" = "echo reply: hello bleak" ] || fail "bleak got: $(cat out.txt)"
grep -q "ble: connected (ATT MTU 64)" dev.log || fail "no connection in the log"
grep -q "ble: disconnected" dev.log || fail "bleak did not disconnect"
# a clean stop: SIGTERM ends the run with exit 0 (and nothing leaked under the sanitizers)
kill "$DEVSIM"
code=0
wait "$DEVSIM" || code=$?
DEVSIM=""
[ "$code" = 0 ] || fail "devsim exited $code after SIGTERM"
echo "bleak: scan, connect, SMP characteristic, echo by notification: ok"
