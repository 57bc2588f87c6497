/* A board that refuses an image at boot says why, end to end through the devsim program: an
 * image in slot 1 marked for test is signed with an untrusted key, has a flipped payload byte,
 * a flipped signature byte, or runs into the slot's trailer; with downgrade prevention on, it
 * is older than the running one or carries a lower security counter than the board's. The log
 * names the reason, the old image keeps running (swap type fail) and slot 1 is erased, as
 * MCUboot erases an invalid secondary. And the server refuses an upload marked "upgrade" that
 * is not newer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfukit/boot.h"
#include "dfukit/imgbuild.h"
#include "dfukit/sim.h"
#include "e2e_steps.h"
#include "harness.h"

static struct board B;

static int teardown(void **state)
{
    (void)state;
    board_kill(&B);
    return 0;
}

/* `devsim mkapp` of size bytes signed with key as version (and security counter sec_cnt,
 * unless NULL) (slot size 1 MiB: imgtool checks nothing). */
static void make_app_as(const char *name, const char *key, const char *size, const char *version,
                        const char *sec_cnt, char *out, size_t cap)
{
    char raw[H_PATH], file[64];
    snprintf(file, sizeof file, "%s.bin", name);
    board_path(&B, file, raw, sizeof raw);
    snprintf(file, sizeof file, "%s.signed.bin", name);
    board_path(&B, file, out, cap);
    const char *mk[] = { DEVSIM_BIN, "mkapp", "--version", version, "--behaviour", "normal",
                         "-o", raw, "--size", size, NULL };
    assert_int_equal(run_prog(&B, mk), 0);
    const char *sign[] = { IMGTOOL_BIN, "sign", "--key", key, "--header-size", "0x200",
                           "--pad-header", "--align", "4", "--version", version, "--slot-size",
                           "0x100000", raw, out, sec_cnt ? "--security-counter" : NULL, sec_cnt,
                           NULL };
    assert_int_equal(run_prog(&B, sign), 0);
}

static void make_app(const char *name, const char *key, const char *size, char *out, size_t cap)
{
    make_app_as(name, key, size, "2.0.0", NULL, out, cap);
}

/* Flips one bit of a file: at off, or off bytes before the image's end when from_end. */
static void flip(const char *path, size_t off, bool from_end)
{
    size_t len;
    uint8_t *img = read_whole(path, &len);
    assert_non_null(img);
    struct image_info info;
    char err[IMGBUILD_ERR_LEN];
    assert_int_equal(imgbuild_verify(img, len, NULL, &info, err, sizeof err), 0);
    size_t at = from_end ? info.layout.total_size - off : off;
    assert_true(at < len);
    img[at] ^= 0x01;
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(img, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    free(img);
}

/* The running app's boot_set_pending() on the board's flash file: a test swap of slot 1. */
static void mark_pending(void)
{
    struct sim_board board;
    assert_int_equal(sim_board_find(B.profile, &board), 0);
    struct nor_flash nf;
    struct nor_flash_config c = { B.flash, board.write_align, board.erased_val, board.runs,
                                  board.run_count, { 0, 0, 0, 0 } };
    assert_int_equal(nor_flash_open(&nf, &c), 0);
    struct flash_area slot1 = { &nf.dev, board.slot1.off, board.slot1.size, 2 };
    assert_int_equal(boot_set_pending(&slot1, false), 0);
    nor_flash_close(&nf);
}

static bool slot1_erased(void)
{
    struct sim_board board;
    assert_int_equal(sim_board_find(B.profile, &board), 0);
    size_t len;
    uint8_t *m = read_whole(B.flash, &len);
    assert_non_null(m);
    assert_true(len >= board.slot1.off + board.slot1.size);
    bool erased = true;
    for (uint32_t i = 0; i < board.slot1.size && erased; i++) {
        erased = m[board.slot1.off + i] == board.erased_val;
    }
    free(m);
    return erased;
}

/* The running image is in slot 0, bad in slot 1 marked for test; the boot (devsim run with
 * extra) refuses it with line, running stays and slot 1 is erased. */
static void boot_refuses_running(const char *running, const char *bad, const char *const extra[],
                                 const char *line)
{
    char run[96], fail[96];
    snprintf(run, sizeof run, "app: running %s", running);
    snprintf(fail, sizeof fail, "boot: booting %s from slot 0; swap type fail", running);
    int runs = board_log_count(&B, run), lines = board_log_count(&B, line),
        fails = board_log_count(&B, fail);  /* earlier runs of this board (one log) */
    assert_int_equal(flash_image(&B, bad, 1), 0);
    mark_pending();
    assert_int_equal(board_start(&B, extra), 0);
    board_assert_logged(&B, run, runs + 1);
    assert_int_equal(board_log_count(&B, line), lines + 1);
    assert_int_equal(board_log_count(&B, fail), fails + 1);
    assert_int_equal(board_stop(&B), 0);
    assert_true(slot1_erased());
}

/* v1 runs, the bad image is in slot 1 marked for test; the boot refuses it with line. */
static void boot_refuses(const char *bad, const char *line)
{
    char v1[H_PATH];
    assert_int_equal(make_signed_app(&B, "v1", "1.0.0", "normal", v1, sizeof v1), 0);
    assert_int_equal(flash_image(&B, v1, 0), 0);
    const char *extra[] = { "--no-timing", NULL };
    boot_refuses_running("1.0.0", bad, extra, line);
}

#define KEYS DFU_VECTORS_DIR "/imgtool/"

static void unknown_key(void **state)
{
    (void)state;
    board_init(&B, "refuse_key");
    char bad[H_PATH];
    make_app("ed", KEYS "key-ed25519.pem", "6000", bad, sizeof bad);
    boot_refuses(bad, "boot: slot 1 refused: signed with an unknown key\n");
}

static void flipped_payload_byte(void **state)
{
    (void)state;
    board_init(&B, "refuse_hash");
    char bad[H_PATH];
    make_app("flip", KEYS "key-ecdsa-p256.pem", "6000", bad, sizeof bad);
    flip(bad, 0x200 + 1000, false);
    boot_refuses(bad, "boot: slot 1 refused: hash mismatch\n");
}

static void flipped_signature_byte(void **state)
{
    (void)state;
    board_init(&B, "refuse_sig");
    char bad[H_PATH];
    make_app("sig", KEYS "key-ecdsa-p256.pem", "6000", bad, sizeof bad);
    flip(bad, 1, true);  /* the last byte of the ECDSA signature TLV */
    boot_refuses(bad, "boot: slot 1 refused: bad signature\n");
}

static void oversize_image(void **state)
{
    (void)state;
    board_init(&B, "refuse_size");
    char bad[H_PATH];
    /* 0x67000-byte slot, ~1.6 KB trailer: an image ending ~700 bytes before the slot's end
     * leaves the trailer's magic and flags erased (so it can be marked) but overlaps the
     * swap status area. */
    make_app("big", KEYS "key-ecdsa-p256.pem", "420500", bad, sizeof bad);
    boot_refuses(bad, "boot: slot 1 refused: image too large for the slot\n");
}

/* --downgrade-prevention version: 1.0.0 is older than the running 2.0.0, so never swapped
 * in; the same version with a lower build number is, unless version+build. */
static void older_version(void **state)
{
    (void)state;
    board_init(&B, "refuse_older");
    char v2[H_PATH], old[H_PATH], build[H_PATH];
    make_app_as("v2", KEYS "key-ecdsa-p256.pem", "6000", "2.0.0+7", NULL, v2, sizeof v2);
    make_app_as("old", KEYS "key-ecdsa-p256.pem", "6000", "1.0.0", NULL, old, sizeof old);
    make_app_as("build", KEYS "key-ecdsa-p256.pem", "6000", "2.0.0+6", NULL, build,
                sizeof build);
    assert_int_equal(flash_image(&B, v2, 0), 0);
    const char *version[] = { "--no-timing", "--downgrade-prevention", "version", NULL };
    boot_refuses_running("2.0.0.7", old, version,
                         "boot: slot 1 refused: downgrade refused: older than the running "
                         "image\n");
    assert_int_equal(board_log_count(&B, "boot: downgrade prevention: version\n"), 1);
    const char *with_build[] = { "--no-timing", "--downgrade-prevention", "version+build", NULL };
    boot_refuses_running("2.0.0.7", build, with_build,
                         "boot: slot 1 refused: downgrade refused: older than the running "
                         "image\n");
    /* without the build number 2.0.0+6 is the same version: it goes in */
    assert_int_equal(flash_image(&B, build, 1), 0);
    mark_pending();
    assert_int_equal(board_start(&B, version), 0);
    board_assert_logged(&B, "boot: booting 2.0.0.6 from slot 0; swap type test", 1);
    assert_int_equal(board_stop(&B), 0);
}

/* --downgrade-prevention security-counter: the counter (in the bootloader partition's last
 * sector, 0xb000 on the nRF52840 DK) rises to the confirmed image's SEC_CNT, stays across
 * power-offs, and a newer version with a lower counter is refused. */
static void lower_security_counter(void **state)
{
    (void)state;
    board_init(&B, "refuse_counter");
    char v1[H_PATH], low[H_PATH];
    make_app_as("v1", KEYS "key-ecdsa-p256.pem", "6000", "1.0.0", "5", v1, sizeof v1);
    make_app_as("low", KEYS "key-ecdsa-p256.pem", "6000", "3.0.0", "4", low, sizeof low);
    assert_int_equal(flash_image(&B, v1, 0), 0);
    const char *cnt[] = { "--no-timing", "--downgrade-prevention", "security-counter", NULL };
    assert_int_equal(board_start(&B, cnt), 0);
    board_assert_logged(&B, "app: running 1.0.0", 1);
    assert_int_equal(board_log_count(&B, "boot: downgrade prevention: security counter 0 (kept "
                                         "at flash 0xb000)\n"), 1);
    assert_int_equal(board_log_count(&B, "boot: security counter raised from 0 to 5\n"), 1);
    assert_int_equal(board_stop(&B), 0);
    boot_refuses_running("1.0.0", low, cnt,
                         "boot: slot 1 refused: downgrade refused: security counter below the "
                         "board's\n");
    assert_int_equal(board_log_count(&B, "boot: downgrade prevention: security counter 5 (kept "
                                         "at flash 0xb000)\n"), 1);
    assert_int_equal(board_log_count(&B, "boot: security counter raised"), 1);
}

/* The server refuses an upload whose first chunk says "upgrade": true for an image not newer
 * than the running one (Zephyr: IMG_MGMT_ERR_CURRENT_VERSION_IS_NEWER), as mcumgr's
 * `image upload --upgrade` / -u sends it; without it the same upload goes in. */
static void upgrade_not_newer(void **state)
{
    (void)state;
    board_init(&B, "refuse_upgrade");
    char v2[H_PATH], old[H_PATH], err[H_PATH];
    make_app_as("v2", KEYS "key-ecdsa-p256.pem", "6000", "2.0.0", NULL, v2, sizeof v2);
    make_app_as("same", KEYS "key-ecdsa-p256.pem", "6000", "2.0.0", NULL, old, sizeof old);
    assert_int_equal(flash_image(&B, v2, 0), 0);
    const char *extra[] = { "--no-timing", NULL };
    assert_int_equal(board_start(&B, extra), 0);
    board_assert_logged(&B, "app: running 2.0.0", 1);
    board_assert_logged(&B, "udp: listening on", 1);
    const char *flags[] = { "-u", "--upgrade" };
    for (size_t i = 0; i < 2; i++) {
        const char *up[] = { MCUMGR_BIN, "--conntype", "udp", "--connstring", B.udp, "image",
                             "upload", flags[i], old, NULL };
        assert_int_equal(run_prog(&B, up), 1);
    }
    size_t len;
    uint8_t *raw = read_whole(board_path(&B, "stderr", err, sizeof err), &len);
    assert_non_null(raw);
    char *text = calloc(1, len + 1);
    assert_non_null(text);
    memcpy(text, raw, len);
    free(raw);
    const char *msg = "mcumgr: image upload: the device runs a version as new as or newer than ";
    char *at = strstr(text, msg);
    assert_non_null(at);
    assert_non_null(strstr(at + 1, msg));
    assert_non_null(strstr(text, " (CURRENT_VERSION_IS_NEWER, 27; nothing written)\n"));
    free(text);
    assert_true(slot1_erased());
    const char *plain[] = { MCUMGR_BIN, "--conntype", "udp", "--connstring", B.udp, "image",
                            "upload", old, NULL };
    assert_int_equal(run_prog(&B, plain), 0);
    assert_int_equal(board_stop(&B), 0);
    assert_false(slot1_erased());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(unknown_key, teardown),
        cmocka_unit_test_teardown(flipped_payload_byte, teardown),
        cmocka_unit_test_teardown(flipped_signature_byte, teardown),
        cmocka_unit_test_teardown(oversize_image, teardown),
        cmocka_unit_test_teardown(older_version, teardown),
        cmocka_unit_test_teardown(lower_security_counter, teardown),
        cmocka_unit_test_teardown(upgrade_not_newer, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
