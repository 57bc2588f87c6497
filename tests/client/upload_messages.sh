#!/bin/sh
# What `mcumgr image upload` prints, exact text and exit status, for device behaviours devsim
# does not show on purpose, against the fake device program ($1): another peer's upload
# (EBUSY), a too-large refusal by the device, a link that drops large packets (the fallback
# names the size that works, and --max-packet starts there), one that carries nothing the size
# of a chunk, a device that stops answering, and a slot that does not end up holding the file.
FAKE=${1:?fake_smp_device}
. "$(dirname "$0")/e2e_lib.sh"
FAKE_PID=""
stop_fake() {
    if [ -n "$FAKE_PID" ]; then
        exec 3>&-
        wait "$FAKE_PID" 2>/dev/null || true
        FAKE_PID=""
    fi
}
trap stop_fake EXIT INT TERM

# fake LINK [options]: a fresh fake device; CONN is the mcumgr connection for it
fake() {
    stop_fake
    rm -f ctl info
    mkfifo ctl
    "$FAKE" "$@" < ctl > info &
    FAKE_PID=$!
    exec 3> ctl
    i=0
    until [ -s info ]; do
        i=$((i + 1))
        [ $i -lt 100 ] || fail "fake device did not start"
        sleep 0.05
    done
    read -r link where < info
    if [ "$link" = udp ]; then
        CONN="--conntype udp --connstring [127.0.0.1]:$where"
    else
        CONN="--conntype serial --connstring dev=$where"
    fi
}

# a random file (no MCUboot image: only the device's match can vouch for it) and a signed one
head -c 20000 /dev/urandom > junk.bin
"$BIN/imgtool" keygen -k key.pem -t ecdsa-p256
head -c 20000 /dev/urandom > app.raw
"$BIN/imgtool" sign -k key.pem --version 1.2.0 --header-size 0x200 --pad-header \
    --slot-size 0x20000 --align 4 app.raw app.bin

fake udp --busy
expect_exit 1 $CONN image upload junk.bin
expect_line err.txt "mcumgr: image upload: the device is busy with another client's upload (EBUSY, 10); try again when it has finished"

fake udp --fail-first 30
expect_exit 1 $CONN image upload junk.bin
expect_line err.txt "mcumgr: image upload: the device refused junk.bin as too large for slot 1 (INVALID_IMAGE_TOO_LARGE, 30)"
echo "ok: EBUSY and a device's too-large refusal are named"

for l in udp serial; do
    fake $l --buf-size 2048 --drop-larger 600
    big=601 works=600
    expect_exit 0 -t 0.5 $CONN image upload junk.bin
    expect_line err.txt "mcumgr: image upload: no reply to $big-byte packets; $works-byte packets work (use --max-packet $works next time)"
    expect_line out.txt "Done"
    fake $l --buf-size 2048 --drop-larger 600
    expect_exit 0 -t 0.5 $CONN --json image upload --max-packet $works junk.bin
    ! grep -q "no reply" err.txt || { cat err.txt; fail "$l: --max-packet $works still fell back"; }
    grep -q "\"packet\": $works[,}]" out.txt || { cat out.txt; fail "$l: --max-packet not used"; }
    echo "ok: $l: packets above 600 bytes never arrive: $works works, and --max-packet $works starts there"
done

fake udp --drop-larger 100
expect_exit 1 -t 0.3 $CONN image upload junk.bin
expect_line err.txt "mcumgr: image upload: no reply to the first chunk in packets of 128 bytes or more, while the device answers small requests"

head -c 6000 junk.bin > small.bin
fake udp --mute-all --slot-info 8192 8144
expect_exit 1 -t 0.3 $CONN image upload small.bin
expect_line err.txt "mcumgr: image upload: no reply to the first chunk (1472-byte packet), nor to a small request: the device stopped answering"
echo "ok: nothing gets through / nothing answers: the upload stops and says which"

expect_exit 2 $CONN image upload --max-packet 50 junk.bin
expect_line err.txt 'mcumgr: image upload: invalid --max-packet "50" (a whole number from 128 to 65535)'

fake udp --other-image
expect_exit 1 $CONN image upload app.bin
expect_line err.txt "mcumgr: image upload: slot 1 now holds another image (busy device?)"
fake udp --forget-upload
expect_exit 1 $CONN image upload app.bin
expect_line err.txt "mcumgr: image upload: slot 1 holds no image after the upload (busy device?)"
fake udp --no-match
expect_exit 1 $CONN image upload junk.bin
expect_line err.txt "mcumgr: image upload: the device did not report the uploaded image's hash; cannot tell whether slot 1 holds junk.bin"
fake udp --bad-match
expect_exit 1 $CONN image upload junk.bin
expect_line err.txt "mcumgr: image upload: the device's hash of the upload does not match junk.bin"
fake udp
expect_exit 0 $CONN image upload app.bin
expect_line out.txt "Done"
echo "ok: success only when slot 1 holds the file"
stop_fake
