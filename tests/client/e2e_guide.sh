#!/bin/sh
# The guide's one-step script runs unchanged against devsim over serial and over UDP with our
# mcumgr first on PATH; the board ends on the new image, confirmed. The copy kept with the tests
# (mcumgr-upload.sh here) always runs; a GUIDE_SCRIPT the build was given runs too.
. "$(dirname "$0")/e2e_lib.sh"
make_images
scripts="$SRC/tests/client/mcumgr-upload.sh"
if [ -n "${GUIDE_SCRIPT:-}" ]; then
    [ -f "$GUIDE_SCRIPT" ] || fail "GUIDE_SCRIPT $GUIDE_SCRIPT: no such file"
    scripts="$scripts $GUIDE_SCRIPT"
fi
for script in $scripts; do
for conn in serial udp; do
    start_board
    rm -f image.lst
    CONN=$conn PATH="$BIN:$PATH" sh "$script" v2.bin > "guide-$conn.out" 2>&1 ||
        { cat "guide-$conn.out"; fail "$script over $conn"; }
    new=$(grep hash: image.lst | tail -1 | awk '{print $2}')
    [ "$(slot_field image.lst 1 version)" = "1.1.0" ] || fail "$conn: upload not listed"
    [ "$(slot_field image.lst 1 flags)" = "" ] || fail "$conn: fresh upload has flags"
    wait_board $conn
    "$MCUMGR" -c $conn image list > after.lst
    [ "$(slot_field after.lst 0 version)" = "1.1.0" ] || { cat after.lst; fail "$conn: not running 1.1.0"; }
    [ "$(slot_field after.lst 0 flags)" = "active confirmed" ] || { cat after.lst; fail "$conn: not confirmed"; }
    [ "$(slot_field after.lst 0 hash)" = "$new" ] || fail "$conn: hash differs"
    echo "ok: $script over $conn ends on 1.1.0 confirmed ($new)"
    cleanup
done
done
cleanup
