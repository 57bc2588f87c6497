#!/bin/sh
# Every mcumgr command against devsim, over serial and over UDP: output text, --json, errors
# by name with a non-zero exit, and the one-step upgrade. Groups the simulated board does not
# offer must fail cleanly with "ENOTSUP (8)".
. "$(dirname "$0")/e2e_lib.sh"
make_images

# run NAME ARGS...: runs mcumgr -c $conn, keeps stdout in out.txt and stderr in err.txt.
run() {
    rc=0
    "$MCUMGR" -c "$conn" "$@" > out.txt 2> err.txt || rc=$?
}
ok() {
    run "$@"
    [ $rc -eq 0 ] || { cat err.txt; fail "$conn: mcumgr $* exited $rc"; }
}
has() {
    grep -q -- "$1" out.txt || { cat out.txt; fail "$conn: output lacks '$1'"; }
}
# A group the board may lack: either it works (check runs) or it says ENOTSUP and exits 1.
optional() {
    check=$1
    shift
    run "$@"
    if [ $rc -ne 0 ] && grep -q "ENOTSUP (8)" err.txt; then
        echo "note: $conn: $* not offered by the board (ENOTSUP, exit $rc)"
        return 0
    fi
    [ $rc -eq 0 ] || { cat err.txt; fail "$conn: mcumgr $* exited $rc"; }
    $check || fail "$conn: mcumgr $* output"
}

for conn in serial udp; do
    start_board

    ok echo hello world;          [ "$(cat out.txt)" = "hello world" ] || fail "$conn: echo"
    ok params;                    has "buf_size: 384"; has "buf_count: 4"
    ok taskstat;                  has "task pri tid"
    ok datetime 2026-01-02T03:04:05
    ok datetime;                  has "datetime: 2026-01-02T03:04"
    ok os-info;                   [ -s out.txt ] || fail "$conn: os-info empty"
    ok os-info -f a;              [ -s out.txt ] || fail "$conn: os-info -f a empty"
    ok bootloader-info;           has "bootloader: MCUboot"
    ok bootloader-info --query mode; has "mode: "
    ok image slot-info;           has "slot 1: size"
    ok --json params;             has '"buf_size": 384'

    # image list / upload / test / confirm / erase, and errors by name
    ok image list;                has "flags: active confirmed"
    ok image upload -q v2.bin;    has "Done"
    ok image list
    cp out.txt list.txt
    old=$(slot_field list.txt 0 hash)
    new=$(slot_field list.txt 1 hash)
    [ "$(slot_field list.txt 1 version)" = "1.1.0" ] || fail "$conn: upload not listed"
    run image test "$old"
    [ $rc -eq 1 ] || fail "$conn: testing the active image should fail"
    grep -q "image test: IMAGE_SETTING_TEST_TO_ACTIVE_DENIED (33)" err.txt ||
        { cat err.txt; fail "$conn: error not named"; }
    run image test 0011
    grep -q "image test: INVALID_HASH (24)" err.txt || fail "$conn: short hash error"
    run image test zz
    [ $rc -ne 0 ] && grep -q "invalid hash" err.txt || fail "$conn: bad hex accepted"
    ok image test "$new";         has "flags: pending"
    run image confirm "$old"
    grep -q "image confirm: IMAGE_ALREADY_PENDING (28)" err.txt || fail "$conn: confirm while pending"
    run image erase
    grep -q "image erase: NO_FREE_SLOT (9)" err.txt || fail "$conn: erase of pending slot"
    ok --json image list;         has "\"hash\": \"$new\""; has '"pending": true'

    # reset boots the test image; confirm makes it permanent
    ok reset;                     has "Done"
    wait_board $conn
    ok image list
    [ "$(slot_field out.txt 0 version)" = "1.1.0" ] || fail "$conn: test image not running"
    [ "$(slot_field out.txt 0 flags)" = "active" ] || fail "$conn: test image flags"
    ok image confirm ""
    ok image list
    [ "$(slot_field out.txt 0 flags)" = "active confirmed" ] || fail "$conn: confirm"
    ok image erase;               has "Done"
    ok image list
    [ -z "$(slot_field out.txt 1 version)" ] || fail "$conn: erase left slot 1"

    # one step: upload v1 again, test, reset, wait, check, confirm
    ok image upload --confirm --reset --wait -q v1.bin
    for s in upload test reset wait check confirm; do has "^$s "; done
    ok image list
    [ "$(slot_field out.txt 0 version)" = "1.0.0" ] || fail "$conn: one-step did not switch"
    [ "$(slot_field out.txt 0 flags)" = "active confirmed" ] || fail "$conn: one-step flags"

    # `upgrade` is the same flow under its own name; --test leaves the image unconfirmed
    ok upgrade --test -q v2.bin
    for s in upload test reset wait check; do has "^$s "; done
    ok image list
    [ "$(slot_field out.txt 0 version)" = "1.1.0" ] || fail "$conn: upgrade --test did not switch"
    [ "$(slot_field out.txt 0 flags)" = "active" ] || fail "$conn: upgrade --test confirmed"
    ok image confirm
    run -l debug echo dbg
    grep -q "^debug: tx" err.txt && grep -q "^debug: rx" err.txt || fail "$conn: -l debug dump"

    # groups the board may not offer
    printf 'file body %s\n' "$conn" > local.txt
    fs_ok() { grep -q Done out.txt; }
    optional fs_ok fs upload local.txt /lfs/e2e.txt
    if [ $rc -eq 0 ]; then
        ok fs download /lfs/e2e.txt back.txt
        cmp local.txt back.txt || fail "$conn: fs round trip"
        run -q fs download /lfs/e2e.txt nodir/back.txt
        [ $rc -eq 1 ] && [ ! -e nodir ] &&
            [ "$(cat err.txt)" = "mcumgr: fs download: cannot write nodir/back.txt: No such file or directory" ] ||
            { cat err.txt; fail "$conn: download into a missing folder"; }
        ok fs stat /lfs/e2e.txt;   has "$(wc -c < local.txt | tr -d ' ') bytes"
        ok fs hash /lfs/e2e.txt;   has "output: "
    fi
    shell_ok() { grep -q hello out.txt; }
    optional shell_ok shell exec echo hello
    if [ $rc -eq 0 ]; then
        run shell exec nosuchcmd
        [ $rc -eq 1 ] && grep -q "nosuchcmd: command not found" out.txt &&
            [ "$(cat err.txt)" = "mcumgr: shell exec: the command returned -8" ] ||
            { cat err.txt; fail "$conn: a failing shell command"; }
    fi
    stat_ok() { grep -q "stat groups:" out.txt; }
    optional stat_ok stat list
    if [ $rc -eq 0 ]; then
        group=$(sed -n '2s/^ *//p' out.txt)
        ok stat "$group";          has "stat group: $group"
    fi
    settings_ok() { grep -q Done out.txt; }
    optional settings_ok settings write e2e/key value
    if [ $rc -eq 0 ]; then
        ok settings read e2e/key;  has "val: value"
        ok settings save
        ok settings delete e2e/key
    fi
    enum_ok() { grep -q "group" out.txt; }
    optional enum_ok enum list
    mp_ok() { grep -q "blksz" out.txt; }
    optional mp_ok mpstat

    echo "ok: every command over $conn"
done

# usage errors and connection errors exit non-zero with a message
conn=nosuch
run echo hi
[ $rc -eq 1 ] && [ "$(cat err.txt)" = "mcumgr: echo: no connection profile \"nosuch\" in $HOME/.mcumgr.cp.json (see mcumgr conn show)" ] ||
    { cat err.txt; fail "unknown profile"; }
rc=0
DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/bus "$MCUMGR" --conntype ble --connstring peer_name=ALICE echo hi 2> err.txt || rc=$?
[ $rc -eq 1 ] && grep -q "cannot reach the D-Bus system bus" err.txt || fail "ble message"
cleanup
