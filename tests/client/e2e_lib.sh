# Shared set-up for the client's end-to-end tests against devsim (sourced by the scripts).
# Environment from CTest: BIN (programs), TMP (scratch, wiped), SRC (the source tree) and, when
# the build was given one, GUIDE_SCRIPT (the guide's script as its author keeps it).
set -eu
: "${BIN:?}" "${TMP:?}" "${SRC:?}"
rm -rf "$TMP"
mkdir -p "$TMP"
cd "$TMP"
export HOME="$TMP"          # profiles go to $TMP/.mcumgr.cp.json
MCUMGR="$BIN/mcumgr"
DEVSIM_PID=""
SLOT_SIZE=0x67000           # nrf52840dk

cleanup() {
    if [ -n "$DEVSIM_PID" ]; then
        kill "$DEVSIM_PID" 2>/dev/null || true
        wait "$DEVSIM_PID" 2>/dev/null || true
        DEVSIM_PID=""
    fi
}
trap cleanup EXIT INT TERM

fail() {
    echo "FAIL: $*" >&2
    if [ -f devsim.log ]; then
        echo "--- devsim.log (tail)" >&2
        tail -20 devsim.log >&2
    fi
    exit 1
}

# Key, two signed application images (v1.0.0 64 KiB, v1.1.0 160 KiB).
make_images() {
    "$BIN/imgtool" keygen -k key.pem -t ecdsa-p256
    "$BIN/imgtool" getpub -k key.pem -e pem > pub.pem
    "$BIN/devsim" mkapp --version 1.0.0 --behaviour normal -o app1.bin --size 65536
    "$BIN/devsim" mkapp --version 1.1.0 --behaviour normal -o app2.bin --size 163840
    for v in 1 2; do
        "$BIN/imgtool" sign -k key.pem --version "1.$((v - 1)).0" --header-size 0x200 \
            --pad-header --slot-size $SLOT_SIZE --align 4 "app$v.bin" "v$v.bin"
    done
}

# A fresh board with v1 in slot 0, running devsim on a pty and a UDP port it picks (read back
# from its log, so parallel tests never collide). Extra arguments go to `devsim run`
# (default --no-timing).
start_board() {
    cleanup
    rm -f board.img devsim.log tty
    "$BIN/devsim" flash --board nrf52840dk --flash board.img v1.bin > /dev/null
    mkdir -p fsroot
    [ $# -gt 0 ] || set -- --no-timing
    "$BIN/devsim" run --board nrf52840dk --flash board.img --trust pub.pem --serial "$TMP/tty" \
        --udp 127.0.0.1:0 --fs-root "$TMP/fsroot" --log devsim.log "$@" &
    DEVSIM_PID=$!
    i=0
    PORT=""
    until [ -n "$PORT" ] && [ -e tty ] &&
            "$MCUMGR" --conntype udp --connstring "[127.0.0.1]:$PORT" -t 0.5 echo up > /dev/null 2>&1; do
        i=$((i + 1))
        [ $i -lt 40 ] || fail "devsim did not come up"
        kill -0 "$DEVSIM_PID" 2>/dev/null || fail "devsim exited"
        sleep 0.25
        PORT=$(sed -n 's/.*udp: listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' devsim.log | tail -1)
    done
    "$MCUMGR" conn add serial type=serial connstring="dev=$TMP/tty,baud=115200" > /dev/null
    "$MCUMGR" conn add udp type=udp connstring="[127.0.0.1]:$PORT" > /dev/null
}

# Polls until the board answers again after a reset (it boots through the bootloader): an
# image was pending before the reset, and nothing is pending once the bootloader acted.
wait_board() {
    i=0
    until "$MCUMGR" -c "$1" -t 1 --json image list > wait.json 2>&1 &&
            ! grep -q '"pending": true' wait.json; do
        i=$((i + 1))
        [ $i -lt 60 ] || fail "board did not come back"
        sleep 0.5
    done
}

# Waits (10 s at most) until devsim.log has at least N lines matching TEXT: log_count TEXT N
log_count() {
    i=0
    until [ "$(grep -c "$1" devsim.log)" -ge "$2" ]; do
        i=$((i + 1)); [ $i -lt 40 ] || fail "devsim.log: no $2 x '$1'"; sleep 0.25
    done
}

# Resets the board over serial, waits for the Nth (default 1st) boot log line matching TEXT
# and for the app: reset_until TEXT [N]
reset_until() {
    "$MCUMGR" -c serial reset > /dev/null
    log_count "$1" "${2:-1}"
    wait_board serial
}

# Field of one slot in `image list` output: slot_field FILE SLOT KEY (slot_field x.lst 1 flags)
slot_field() {
    awk -v s="slot=$2" -v k="$3:" '
        $1 ~ /^image=/ { cur = $2 }
        cur == s && $1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$1"
}

# Asserts that FILE has a line equal to TEXT (exact: errors read "mcumgr: COMMAND: ...")
# expect_line FILE TEXT
expect_line() {
    awk -v t="$2" '$0 == t { found = 1 } END { exit !found }' "$1" ||
        { echo "--- $1:" >&2; cat "$1" >&2; fail "expected the line: $2"; }
}

# Runs mcumgr with the given arguments, stdout to out.txt and stderr to err.txt; asserts the
# exit status: expect_exit STATUS ARGS...
expect_exit() {
    want=$1
    shift
    got=0
    "$MCUMGR" "$@" > out.txt 2> err.txt || got=$?
    [ "$got" = "$want" ] ||
        { cat out.txt err.txt >&2; fail "mcumgr $*: exit $got, expected $want"; }
}

# Waits (20 s at most) until the upload running as PID has printed PERCENT% to progress.txt;
# otherwise kills it and fails: wait_progress PID PERCENT [WHAT]
wait_progress() {
    i=0
    until grep -q " $2%" progress.txt; do
        i=$((i + 1))
        [ $i -lt 400 ] || { kill "$1"; fail "${3:+$3 }upload never reached $2%"; }
        sleep 0.05
    done
}
