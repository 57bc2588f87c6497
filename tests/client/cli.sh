#!/bin/sh
# mcumgr's command line without a device: `conn add` writes the Go tool's profile file byte for
# byte ($VECTORS/smp/mcumgr-conn-profile.txt) and checks a profile when it is added; show /
# delete print the Go messages; the help contract (help --commands, help NAME, NAME --help);
# and every usage, file and connection mistake gives its exact one-line message and exit code.
set -eu
: "${BIN:?}" "${TMP:?}" "${VECTORS:?}"
rm -rf "$TMP"
mkdir -p "$TMP"
cd "$TMP"
export HOME="$TMP"
M="$BIN/mcumgr"
fail() { echo "FAIL: $*" >&2; exit 1; }

# expect CODE "FIRST LINE OF STDERR" ARGS...: mcumgr ARGS exits CODE, stderr starts with that line
expect() {
    want_rc=$1 want=$2
    shift 2
    rc=0
    "$M" "$@" > out.txt 2> err.txt || rc=$?
    got=$(head -n 1 err.txt)
    [ "$rc" -eq "$want_rc" ] && [ "$got" = "$want" ] ||
        { cat err.txt >&2; fail "mcumgr $*: exit $rc (want $want_rc), said: $got"; }
}

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

# conn add checks the profile when it is added; nothing is written then
expect 2 "mcumgr: conn add: invalid baud rate 'fast'" conn add bad type=serial connstring=dev=/x,baud=fast
expect 2 'mcumgr: conn add: invalid connection type "pigeon" (serial, udp, ble, exec)' conn add bad type=pigeon
expect 2 "mcumgr: conn add: a profile needs type= and connstring=" conn add bad type=udp
expect 2 'mcumgr: conn add: unknown variable "colour" (name, type, connstring)' conn add bad colour=red
sed -n 2p err.txt | grep -qx "Usage: mcumgr conn add NAME type=TYPE connstring=STRING" &&
    sed -n 3p err.txt | grep -qx 'Run "mcumgr help conn add" for every option.' &&
    [ "$(wc -l < err.txt)" -eq 3 ] || fail "usage lines after a usage error"
expect 1 'mcumgr: conn delete: connection profile "bad" doesn'"'"'t exist' conn delete bad
cmp expected.json "$HOME/.mcumgr.cp.json" || fail "a refused profile changed the file"

# commands: unknown ones suggest the nearest; a group without its command names them
expect 2 'mcumgr: unknown command "frobnicate" ("mcumgr help" lists them)' frobnicate
expect 2 'mcumgr: unknown command "imgae"; did you mean "image"?' imgae list
expect 2 'mcumgr: unknown command "image uplod"; did you mean "image upload"?' image uplod x.bin
expect 2 'mcumgr: unknown command "ech"; did you mean "echo"?' ech hi
expect 2 'mcumgr: image needs a command: list, upload, test, confirm, erase, slot-info ("mcumgr help image" explains them)' image
expect 2 'mcumgr: unknown command "nothing" ("mcumgr help" lists them)' help nothing

# usage errors exit 2 before anything is sent
expect 2 "Usage: mcumgr image upload FILE [-n IMAGE] [-u] [-w WINDOW] [--max-packet BYTES] [--test|--confirm] [--reset [--wait]]" -c test image upload
expect 2 "mcumgr: image upload: unknown flag --bogus" -c test image upload --bogus x.bin
expect 2 "mcumgr: taskstat: unknown flag --x" -c test taskstat --x
expect 2 "Usage: mcumgr settings read NAME" -c test settings read
expect 2 "Usage: mcumgr stat list | stat GROUP" -c test stat
expect 2 "Usage: mcumgr upgrade FILE [--test] [-n IMAGE] [-w WINDOW]" -c test upgrade
expect 2 'mcumgr: image upload: invalid -n/--image "-5" (a whole number from 0 to 255)' -c test image upload -n -5 x.bin
expect 2 'mcumgr: image upload: invalid -n/--image "256" (a whole number from 0 to 255)' -c test image upload -n 256 x.bin
expect 2 'mcumgr: image upload: invalid -w/--maxwinsize "0" (a whole number from 1 to 32)' -c test image upload -w 0 x.bin
expect 2 'mcumgr: image upload: invalid --chunk "12x" (a whole number from 1 to 65535)' -c test image upload --chunk 12x x.bin
expect 2 'mcumgr: invalid --timeout "-1" (seconds, more than 0 and at most 3600)' -t -1 -c test echo hi
expect 2 'mcumgr: invalid --timeout "0" (seconds, more than 0 and at most 3600)' -t 0 -c test echo hi
expect 2 'mcumgr: invalid -r/--tries "0" (a whole number from 1 to 100)' -r 0 -c test echo hi
expect 2 'mcumgr: invalid -r/--tries "-3" (a whole number from 1 to 100)' -c test echo hi --tries -3
expect 2 'mcumgr: image erase: invalid --slot "-1" (a whole number from 0 to 255)' -c test image erase --slot -1
expect 2 'mcumgr: image test: invalid hash "zz" (hex digits expected)' -c test image test zz

long=$(head -c 3000 /dev/zero | tr '\0' a)
expect 2 "mcumgr: echo: text too long (at most 699 bytes)" -c test echo "$long"
expect 1 "mcumgr: shell exec: the arguments do not fit in one request" -c test shell exec "$long"

# host files: named, with the OS's reason
expect 1 "mcumgr: image upload: cannot read nothere.bin: No such file or directory" -c test image upload nothere.bin
mkdir adir
expect 1 "mcumgr: image upload: cannot read adir: Is a directory" -c test image upload adir
expect 1 "mcumgr: fs upload: cannot read nothere.txt: No such file or directory" -c test fs upload nothere.txt /lfs/x

# connections
expect 1 "mcumgr: echo: no connection: use -c PROFILE or --conntype and --connstring" --connstring x echo hi
expect 1 'mcumgr: echo: no connection profile "nosuch" in '"$HOME"'/.mcumgr.cp.json (see mcumgr conn show)' -c nosuch echo hi
expect 1 'mcumgr: echo: unknown connection type "pigeon" (serial, udp, ble, exec)' --conntype pigeon --connstring x echo hi
DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/bus expect 1 "mcumgr: echo: cannot reach the D-Bus system bus (No such file or directory): is dbus running?" --conntype ble --connstring peer_name=ALICE echo hi
expect 1 "mcumgr: echo: cannot open serial port /nonexistent/tty: not found" --conntype serial --connstring /nonexistent/tty echo hi
rc=0; "$M" -t 0.3 --conntype udp --connstring 127.0.0.1:9 echo hi 2> err.txt || rc=$?
[ $rc -eq 1 ] && grep -Eqx "mcumgr: echo: (connection refused: nothing answers at that address|timed out waiting for the device \(NMP timeout\))" err.txt ||
    fail "udp nobody"

# a corrupt profile file is named as such by every command that reads it
cp "$HOME/.mcumgr.cp.json" good.json
printf '[{"MyName": "test", "MyType"' > "$HOME/.mcumgr.cp.json"
corrupt="$HOME/.mcumgr.cp.json is corrupt (not a JSON list of connection profiles)"
expect 1 "mcumgr: echo: $corrupt" -c test echo hi
expect 1 "mcumgr: image list: $corrupt" -c x image list
expect 1 "mcumgr: conn show: $corrupt" conn show
expect 1 "mcumgr: conn add: $corrupt" conn add y type=udp connstring=[::1]:1337
expect 1 "mcumgr: conn delete: $corrupt" conn delete test
cp good.json "$HOME/.mcumgr.cp.json"

# the help contract: --help, help --commands (NAME<TAB>summary), help NAME, NAME --help
"$M" version | grep -qx "dfukit mcumgr 0.1.0" || fail "version"
"$M" --help > help.txt || fail "--help exit"
head -n 1 help.txt | grep -qx "Usage: mcumgr \[flags\] COMMAND \[args\]" || fail "--help overview"
grep -q "^  image upload  *upload an image" help.txt || fail "overview lists image upload"
"$M" help > help2.txt && cmp help.txt help2.txt || fail "help = --help"
"$M" help --commands > cmds.txt || fail "help --commands exit"
grep -qvP '^[a-z-]+( [a-z-]+)?\t[^\t]+$' cmds.txt && fail "help --commands line format"
[ "$(wc -l < cmds.txt)" -ge 30 ] || fail "help --commands lists every command"
grep -qx "image upload	upload an image, optionally test, reset and check it" cmds.txt ||
    fail "help --commands image upload"
cut -f 1 cmds.txt | while read -r name; do
    # shellcheck disable=SC2086
    "$M" help $name > usage.txt || fail "help $name exit"
    head -n 1 usage.txt | grep -q "^Usage: mcumgr $name\( \|$\)" || fail "help $name: $(head -n 1 usage.txt)"
    # shellcheck disable=SC2086
    "$M" $name --help > usage2.txt || fail "$name --help exit"
    cmp usage.txt usage2.txt || fail "$name --help differs from help $name"
done
"$M" help image upload > upload.txt
for opt in "-n, --image IMAGE" "-u, --upgrade" "-w, --maxwinsize WINDOW" "--test " "--confirm " \
           "--reset " "--wait " "--chunk BYTES"; do
    grep -q -- "^  $opt" upload.txt || fail "image upload usage lacks $opt"
done
"$M" help image > image.txt || fail "help image exit"
grep -q "^Usage: mcumgr image upload FILE" image.txt && grep -q "^  --wait " image.txt &&
    grep -q "^Usage: mcumgr image slot-info" image.txt || fail "help image"
"$M" image --help > image2.txt && cmp image.txt image2.txt || fail "image --help"
echo "ok: mcumgr command line"
