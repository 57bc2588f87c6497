#!/bin/sh
# An upload interrupted half-way (the client is killed at 50 %) resumes from where it stopped
# on the next run, by the image's SHA-256, over UDP and over serial, with the board's flash
# and UART timing on (so the transfer takes long enough to be interrupted).
. "$(dirname "$0")/e2e_lib.sh"
make_images
size=$(wc -c < v2.bin | tr -d ' ')
for conn in udp serial; do
    start_board --timing
    "$MCUMGR" -c $conn image upload v2.bin > first.out 2> progress.txt &
    pid=$!
    wait_progress "$pid" 50 "$conn:"
    kill -9 "$pid"
    wait "$pid" 2>/dev/null || true
    "$MCUMGR" -c $conn --json image upload v2.bin > second.json 2>&1 ||
        { cat second.json; fail "$conn: second upload failed"; }
    resumed=$(sed -n 's/.*"resumed_from": \([0-9]*\).*/\1/p' second.json)
    requests=$(sed -n 's/.*"requests": \([0-9]*\).*/\1/p' second.json)
    chunk=$(sed -n 's/.*"chunk": \([0-9]*\).*/\1/p' second.json)
    [ -n "$resumed" ] && [ "$resumed" -ge $((size * 45 / 100)) ] ||
        { cat second.json; fail "$conn: did not resume (resumed_from=$resumed of $size)"; }
    # the second run sent only the rest (plus the resume probe and a few resends)
    rest=$(((size - resumed) / chunk + 1))
    [ "$requests" -le $((rest + rest / 5 + 3)) ] ||
        { cat second.json; fail "$conn: sent $requests requests for $rest chunks"; }
    "$MCUMGR" -c $conn image list > list.txt
    [ "$(slot_field list.txt 1 version)" = "1.1.0" ] || fail "$conn: image not complete"
    echo "ok: $conn upload killed at 50% resumed at $resumed of $size bytes ($requests requests)"
done
cleanup
