/* A board that refuses an image at boot says why, end to end through the devsim program: an
 * image in slot 1 marked for test is signed with an untrusted key, has a flipped payload byte,
 * a flipped signature byte, or runs into the slot's trailer. The log names the reason, the
 * old image keeps running (swap type fail) and slot 1 is erased, as MCUboot erases an invalid
 * secondary. */
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

/* `devsim mkapp` of size bytes signed with key (slot size 1 MiB: imgtool checks nothing). */
static void make_app(const char *name, const char *key, const char *size, char *out, size_t cap)
{
    char raw[H_PATH], file[64];
    snprintf(file, sizeof file, "%s.bin", name);
    board_path(&B, file, raw, sizeof raw);
    snprintf(file, sizeof file, "%s.signed.bin", name);
    board_path(&B, file, out, cap);
    const char *mk[] = { DEVSIM_BIN, "mkapp", "--version", "2.0.0", "--behaviour", "normal",
                         "-o", raw, "--size", size, NULL };
    assert_int_equal(run_prog(&B, mk), 0);
    const char *sign[] = { IMGTOOL_BIN, "sign", "--key", key, "--header-size", "0x200",
                           "--pad-header", "--align", "4", "--version", "2.0.0", "--slot-size",
                           "0x100000", raw, out, NULL };
    assert_int_equal(run_prog(&B, sign), 0);
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

/* v1 runs, the bad image is in slot 1 marked for test; the boot refuses it with line. */
static void boot_refuses(const char *bad, const char *line)
{
    char v1[H_PATH];
    assert_int_equal(make_signed_app(&B, "v1", "1.0.0", "normal", v1, sizeof v1), 0);
    assert_int_equal(flash_image(&B, v1, 0), 0);
    assert_int_equal(flash_image(&B, bad, 1), 0);
    mark_pending();
    const char *extra[] = { "--no-timing", NULL };
    assert_int_equal(board_start(&B, extra), 0);
    board_assert_logged(&B, "app: running 1.0.0", 1);
    assert_int_equal(board_log_count(&B, line), 1);
    assert_int_equal(board_log_count(&B, "boot: booting 1.0.0 from slot 0; swap type fail"), 1);
    assert_int_equal(board_stop(&B), 0);
    assert_true(slot1_erased());
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(unknown_key, teardown),
        cmocka_unit_test_teardown(flipped_payload_byte, teardown),
        cmocka_unit_test_teardown(flipped_signature_byte, teardown),
        cmocka_unit_test_teardown(oversize_image, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
