#!/bin/sh
# mcumgr's command line without a device: `conn add` writes the Go tool's profile file byte for
# byte (tests/vectors/smp/mcumgr-conn-profile.txt), show / delete print the Go messages,
# and usage or connection mistakes exit non-zero with a message.
set -eu
: "${BIN:?}" "${TMP:?}" "${VECTORS:?}"
rm -rf "$TMP"
mkdir -p "$TMP"
cd "$TMP"
export HOME="$TMP"
M="$BIN/mcumgr"
fail() { echo "FAIL: $*" >&2; exit 1; }

[ "$("$M" conn add test type=udp connstring=[127.0.0.1]:1337)" = \
  "Connection profile test successfully added" ] || fail "conn add message"
grep -v '^#' "$VECTORS/smp/mcumgr-conn-profile.txt" | head -c -1 > expected.json
cmp expected.json "$HOME/.mcumgr.cp.json" || fail "profile file differs from the Go tool's"

"$M" conn add USB0 type=serial connstring=/dev/ttyUSB0,115200 > /dev/null
"$M" conn show > show.txt
printf "Connection profiles: \n  USB0: type=serial, connstring='/dev/ttyUSB0,115200'\n  test: type=udp, connstring='[127.0.0.1]:1337'\n" > want.txt
cmp want.txt show.txt || fail "conn show"
"$M" --json conn show test | grep -q '"connstring": "\[127.0.0.1\]:1337"' || fail "conn show --json"
[ "$("$M" conn delete USB0)" = "Connection profile USB0 successfully deleted." ] || fail "delete"
cmp expected.json "$HOME/.mcumgr.cp.json" || fail "file after delete"
[ "$("$M" conn show nope)" = "No connection profiles found matching nope" ] || fail "show nope"

rc=0; "$M" conn add bad type=serial connstring=dev=/x,baud=fast 2> err.txt || rc=$?
[ $rc -ne 0 ] && grep -q "invalid baud rate" err.txt || fail "bad connstring accepted"
rc=0; "$M" conn add bad type=pigeon 2> err.txt || rc=$?
[ $rc -ne 0 ] && grep -q "Invalid conn type" err.txt || fail "bad type accepted"
rc=0; "$M" frobnicate 2> err.txt || rc=$?
[ $rc -eq 2 ] && grep -q 'unknown command "frobnicate"' err.txt || fail "unknown command"
rc=0; "$M" -c test image upload 2> err.txt || rc=$?
[ $rc -eq 2 ] && grep -q "Usage: mcumgr image upload" err.txt || fail "upload usage"
rc=0; "$M" -c test image upload --bogus x.bin 2> err.txt || rc=$?
[ $rc -eq 2 ] && grep -q "unknown flag --bogus" err.txt || fail "unknown flag"
rc=0; "$M" --connstring x echo hi 2> err.txt || rc=$?
[ $rc -eq 1 ] && grep -q "no connection" err.txt || fail "missing conntype"
rc=0; "$M" --conntype ble --connstring peer_name=ALICE echo hi 2> err.txt || rc=$?
[ $rc -eq 1 ] && grep -q "not available yet" err.txt || fail "ble"
rc=0; "$M" --conntype serial --connstring /nonexistent/tty echo hi 2> err.txt || rc=$?
[ $rc -eq 1 ] && grep -q "cannot open serial port /nonexistent/tty" err.txt || fail "serial open"
rc=0; "$M" -t 0.3 --conntype udp --connstring 127.0.0.1:9 echo hi 2> err.txt || rc=$?
[ $rc -eq 1 ] && grep -Eq "connection refused|timed out" err.txt || fail "udp nobody"
"$M" version | grep -q "mcumgr" || fail "version"
"$M" --help | grep -q "image list" || fail "help"
echo "ok: mcumgr command line"
