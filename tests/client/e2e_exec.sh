#!/bin/sh
# A board behind a command (--conntype exec): devsim's pty reached through socat on the
# command's stdin/stdout, as `ssh helper socat - /dev/ttyACM0,...` would reach a remote one.
# Lists and uploads match the direct serial link, the guide's script runs with CONN naming an
# exec profile, the command's exit is reported with its last stderr line, a relay that dies
# mid-upload is a clear error and the next run resumes, and the command never outlives us.
. "$(dirname "$0")/e2e_lib.sh"
make_images
RELAY="socat - $TMP/tty,raw,echo=0,b115200"

# Profiles in the Go tool's file format: "exec" is only a type string the Go tool refuses.
start_board
"$MCUMGR" conn add lab type=exec connstring="cmd=$RELAY" > /dev/null
grep -q '"MyType": "exec"' .mcumgr.cp.json || { cat .mcumgr.cp.json; fail "profile type"; }
grep -q "\"MyConnString\": \"cmd=$RELAY\"" .mcumgr.cp.json || fail "profile connstring"
"$MCUMGR" -c serial image list > serial.lst
"$MCUMGR" -c lab image list > exec.lst
cmp serial.lst exec.lst || fail "image list through exec differs from serial"
"$MCUMGR" --conntype exec --connstring "cmd=sh -c 'exec $RELAY'" echo via-sh > echo.out
[ "$(cat echo.out)" = "via-sh" ] || fail "echo through sh -c"
echo "ok: exec profile (Go file format) and sh -c relay list and echo as serial does"

# The command is ended when we finish: its process is gone once mcumgr returns.
"$MCUMGR" --conntype exec --connstring "cmd=echo \$\$ > relay.pid; exec $RELAY" echo x > /dev/null
pid=$(cat relay.pid)
! kill -0 "$pid" 2>/dev/null || fail "the relay (pid $pid) outlived mcumgr"
echo "ok: the relay ends with mcumgr"

# The guide's script, unchanged, with CONN naming the exec profile.
rm -f image.lst
CONN=lab PATH="$BIN:$PATH" sh "$SRC/tests/client/mcumgr-upload.sh" v2.bin > guide.out 2>&1 ||
    { cat guide.out; fail "guide's script over exec"; }
wait_board lab
"$MCUMGR" -c lab image list > after.lst
[ "$(slot_field after.lst 0 version)" = "1.1.0" ] || { cat after.lst; fail "not running 1.1.0"; }
[ "$(slot_field after.lst 0 flags)" = "active confirmed" ] || { cat after.lst; fail "not confirmed"; }
echo "ok: the guide's script with CONN=lab (exec) ends on 1.1.0 confirmed"

# Raw binary SMP (raw=1) against a board in raw UART mode.
start_board --no-timing --raw-serial
"$MCUMGR" --conntype exec --connstring "raw=1,cmd=$RELAY" image list > raw.lst
[ "$(slot_field raw.lst 0 version)" = "1.0.0" ] || { cat raw.lst; fail "raw=1 image list"; }
echo "ok: raw=1 over exec"

# The command's exit is reported with the last line it wrote to stderr (forwarded as it came).
mkdir -p fakebin
printf '#!/bin/sh\necho "ssh: connect to host helper port 22: Connection refused" >&2\nexit 255\n' \
    > fakebin/ssh
chmod +x fakebin/ssh
got=0
PATH="$TMP/fakebin:$PATH" "$MCUMGR" --conntype exec \
    --connstring "cmd=ssh helper socat - /dev/ttyACM0,raw,echo=0,b115200" image list \
    > out.txt 2> err.txt || got=$?
[ "$got" = 1 ] || { cat err.txt; fail "ssh refused: exit $got"; }
expect_line err.txt "ssh: connect to host helper port 22: Connection refused"
expect_line err.txt "mcumgr: image list: exec: ssh exited with status 255: ssh: connect to host helper port 22: Connection refused"
expect_exit 1 --conntype exec --connstring "cmd=exit 3" echo x
expect_line err.txt "mcumgr: echo: exec: exit exited with status 3"
expect_exit 2 conn add bad type=exec connstring="raw=1"
expect_line err.txt "mcumgr: conn add: exec connstring needs a command (cmd=COMMAND, last)"
echo "ok: the command's exit and stderr are reported"

# A relay that dies mid-upload: a clear error, and the next run resumes. (The relay runs in the
# background of the command's shell, stdin passed on through fd 3: an asynchronous command
# would get /dev/null.)
start_board --timing
size=$(wc -c < v2.bin | tr -d ' ')
"$MCUMGR" conn add lab type=exec connstring="cmd=$RELAY" > /dev/null
"$MCUMGR" --conntype exec --connstring "cmd=sh -c 'exec 3<&0; $RELAY <&3 & echo \$! > relay.pid; wait \$!'" \
    image upload v2.bin > first.out 2> progress.txt &
pid=$!
wait_progress "$pid" 30
kill -9 "$(cat relay.pid)"
got=0
wait "$pid" || got=$?
[ "$got" = 1 ] || { cat progress.txt; fail "relay killed: exit $got"; }
expect_line progress.txt "mcumgr: image upload: exec: sh exited with status 137: Killed"
"$MCUMGR" -c lab --json image upload v2.bin > second.json 2>&1 ||
    { cat second.json; fail "second upload failed"; }
resumed=$(sed -n 's/.*"resumed_from": \([0-9]*\).*/\1/p' second.json)
[ -n "$resumed" ] && [ "$resumed" -ge $((size * 25 / 100)) ] ||
    { cat second.json; fail "did not resume (resumed_from=$resumed of $size)"; }
"$MCUMGR" -c lab image list > list.txt
[ "$(slot_field list.txt 1 version)" = "1.1.0" ] || fail "image not complete"
echo "ok: relay killed at 30%: clear error, the next run resumed at $resumed of $size bytes"

# Ctrl-C during an upload ends the command too.
"$MCUMGR" -c lab image erase > /dev/null
"$MCUMGR" --conntype exec --connstring "cmd=echo \$\$ > relay.pid; exec $RELAY" \
    image upload v2.bin > /dev/null 2> progress.txt &
pid=$!
wait_progress "$pid" 10
kill -INT "$pid"
got=0
wait "$pid" || got=$?
[ "$got" = 130 ] || fail "Ctrl-C: exit $got"
relay=$(cat relay.pid)
i=0
while kill -0 "$relay" 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 40 ] || fail "the relay (pid $relay) outlived an interrupted mcumgr"
    sleep 0.05
done
echo "ok: Ctrl-C ends the relay"
cleanup
