/* Encrypted images on the simulated board (devsim run --enc-key): upstream imgtool's two
 * encrypted reference images boot from slot 1 and leave slot 0 with the exact plaintext of
 * input.bin; a wrong exchange key and a flipped ciphertext byte are refused at boot with their
 * log lines, the old image keeps running and slot 1 is erased. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dfukit/boot.h"
#include "dfukit/sim.h"
#include "e2e_steps.h"
#include "harness.h"

#define VEC DFU_VECTORS_DIR "/imgtool/"

static struct board B;

static int teardown(void **state)
{
    (void)state;
    board_kill(&B);
    return 0;
}

/* The running app's boot_set_pending() on the board's flash file: a test swap of slot 1. */
static void mark_pending(const struct sim_board *board)
{
    struct nor_flash nf;
    struct nor_flash_config c = { B.flash, board->write_align, board->erased_val, board->runs,
                                  board->run_count, { 0, 0, 0, 0 } };
    assert_int_equal(nor_flash_open(&nf, &c), 0);
    struct flash_area slot1 = { &nf.dev, board->slot1.off, board->slot1.size, 2 };
    assert_int_equal(boot_set_pending(&slot1, false), 0);
    nor_flash_close(&nf);
}

/* A copy of the file at `path` with one bit flipped at off, as <dir>/<name>. */
static void flipped_copy(const char *path, size_t off, const char *name, char *out, size_t cap)
{
    size_t len;
    uint8_t *img = read_whole(path, &len);
    assert_non_null(img);
    assert_true(off < len);
    img[off] ^= 0x01;
    board_path(&B, name, out, cap);
    FILE *f = fopen(out, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(img, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    free(img);
}

/* v1 in slot 0, image in slot 1 marked for test, board started with these keys. */
static void boot_with(const char *image, const char *enc_key, const char *trust,
                      struct sim_board *board)
{
    assert_int_equal(sim_board_find(B.profile, board), 0);
    char v1[H_PATH];
    assert_int_equal(make_signed_app(&B, "v1", "1.0.0", "normal", v1, sizeof v1), 0);
    assert_int_equal(flash_image(&B, v1, 0), 0);
    assert_int_equal(flash_image(&B, image, 1), 0);
    mark_pending(board);
    const char *extra[] = { "--no-timing", "--enc-key", enc_key, "--trust", trust, NULL };
    assert_int_equal(board_start(&B, extra), 0);
}

/* Slot 0 holds the reference image with its payload decrypted: input.bin, byte for byte, with
 * the header and TLVs as they were; no piece of that plaintext is in slot 1. */
static void check_installed(const struct sim_board *board, const char *image)
{
    size_t flen, ilen, plen;
    uint8_t *flash = read_whole(B.flash, &flen);
    uint8_t *ref = read_whole(image, &ilen);
    uint8_t *plain = read_whole(VEC "input.bin", &plen);
    assert_non_null(flash);
    assert_non_null(ref);
    assert_non_null(plain);
    const uint32_t hdr = 0x200;
    const uint8_t *s0 = flash + board->slot0.off;
    assert_memory_equal(s0, ref, hdr);
    assert_memory_equal(s0 + hdr, plain, plen);
    assert_memory_equal(s0 + hdr + plen, ref + hdr + plen, ilen - hdr - plen);
    for (size_t k = 0; k < 8; k++) {
        assert_null(memmem(flash + board->slot1.off, board->slot1.size, plain + k * (plen / 8),
                           32));
    }
    free(flash);
    free(ref);
    free(plain);
}

static void reference_boots(const char *name, const char *image, const char *enc_key,
                            const char *trust)
{
    board_init(&B, name);
    struct sim_board board;
    boot_with(image, enc_key, trust, &board);
    board_assert_logged(&B, "boot: booting 1.2.3.4 from slot 0; swap type test", 1);
    assert_int_equal(board_log_count(&B, "refused"), 0);
    assert_int_equal(board_stop(&B), 0);
    check_installed(&board, image);
}

static void reference_ec256(void **state)
{
    (void)state;
    reference_boots("enc_ec256", VEC "signed-ecdsa-p256-enc-ec256.bin", VEC "enckey-ecdsa-p256.pem",
                    VEC "pub-ecdsa-p256.pem");
}

static void reference_x25519(void **state)
{
    (void)state;
    reference_boots("enc_x25519", VEC "signed-ed25519-enc-x25519.bin", VEC "key-x25519.pem",
                    VEC "pub-ed25519.pem");
}

static bool slot1_erased(const struct sim_board *board)
{
    size_t len;
    uint8_t *m = read_whole(B.flash, &len);
    assert_non_null(m);
    bool erased = true;
    for (uint32_t i = 0; i < board->slot1.size && erased; i++) {
        erased = m[board->slot1.off + i] == board->erased_val;
    }
    free(m);
    return erased;
}

static void refused(const char *image, const char *enc_key, const char *line)
{
    struct sim_board board;
    boot_with(image, enc_key, VEC "pub-ecdsa-p256.pem", &board);
    board_assert_logged(&B, "app: running 1.0.0", 1);
    assert_int_equal(board_log_count(&B, line), 1);
    assert_int_equal(board_log_count(&B, "boot: booting 1.0.0 from slot 0; swap type fail"), 1);
    assert_int_equal(board_stop(&B), 0);
    assert_true(slot1_erased(&board));
}

static void wrong_exchange_key(void **state)
{
    (void)state;
    board_init(&B, "enc_wrong_key");
    /* a P-256 key, but not the one the image was encrypted for */
    refused(VEC "signed-ecdsa-p256-enc-ec256.bin", VEC "key-ecdsa-p256.pem",
            "boot: slot 1 refused: encrypted image: key does not unwrap (other device key)\n");
}

static void flipped_ciphertext_byte(void **state)
{
    (void)state;
    board_init(&B, "enc_flip");
    char bad[H_PATH];
    flipped_copy(VEC "signed-ecdsa-p256-enc-ec256.bin", 0x200 + 5000, "flip.bin", bad, sizeof bad);
    refused(bad, VEC "enckey-ecdsa-p256.pem",
            "boot: slot 1 refused: encrypted image: hash mismatch after decryption\n");
}

static void no_exchange_key(void **state)
{
    (void)state;
    board_init(&B, "enc_no_key");
    struct sim_board board;
    assert_int_equal(sim_board_find(B.profile, &board), 0);
    char v1[H_PATH];
    assert_int_equal(make_signed_app(&B, "v1", "1.0.0", "normal", v1, sizeof v1), 0);
    assert_int_equal(flash_image(&B, v1, 0), 0);
    assert_int_equal(flash_image(&B, VEC "signed-ecdsa-p256-enc-ec256.bin", 1), 0);
    mark_pending(&board);
    const char *extra[] = { "--no-timing", NULL };
    assert_int_equal(board_start(&B, extra), 0);
    board_assert_logged(&B, "app: running 1.0.0", 1);
    assert_int_equal(board_log_count(&B, "boot: slot 1 refused: encrypted image (not supported)\n"),
                     1);
    assert_int_equal(board_stop(&B), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(reference_ec256, teardown),
        cmocka_unit_test_teardown(reference_x25519, teardown),
        cmocka_unit_test_teardown(wrong_exchange_key, teardown),
        cmocka_unit_test_teardown(flipped_ciphertext_byte, teardown),
        cmocka_unit_test_teardown(no_exchange_key, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
