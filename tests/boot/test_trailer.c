/* Trailer encoding: offsets and bytes for write alignments 1..32 and both erased values,
 * against MCUboot's layout and imgtool's own trailer; the public API's writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/err.h"
#include "fixture.h"

static const uint8_t magic8[16] = {0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
                                   0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80};
static const uint8_t tail[14] = {0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d,
                                 0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a};

static void test_magic(void **state)
{
    (void)state;
    uint8_t m[16];
    boot_magic_bytes(8, m);
    assert_memory_equal(m, magic8, 16);
    boot_magic_bytes(16, m);
    assert_int_equal(m[0], 16);
    assert_int_equal(m[1], 0);
    assert_memory_equal(m + 2, tail, 14);
    boot_magic_bytes(32, m);
    assert_int_equal(m[0], 32);
    assert_memory_equal(m + 2, tail, 14);
}

/* Offsets for every alignment, computed here from MCUboot's formulas. */
static void test_layout(void **state)
{
    (void)state;
    static const uint32_t aligns[] = {1, 2, 4, 8, 16, 32};
    for (size_t i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
        uint32_t a = aligns[i];
        struct fx f;
        fx_open(&f, BOOT_STRATEGY_SWAP_SCRATCH, FX_UNIFORM_4K, a, 0xff);
        struct boot_trailer_layout tl;
        assert_int_equal(boot_trailer_layout_of(&f.pri, 384, &tl), 0);
        uint32_t ma = a > 8 ? a : 8;
        uint32_t size = 48 * 1024;
        assert_int_equal(tl.max_align, ma);
        assert_int_equal(boot_max_align(&f.pri), ma);
        assert_int_equal(tl.magic_off, size - 16);
        assert_int_equal(tl.image_ok_off, (size - 16 - ma) / ma * ma);
        assert_int_equal(tl.copy_done_off, tl.image_ok_off - ma);
        assert_int_equal(tl.swap_info_off, tl.copy_done_off - ma);
        assert_int_equal(tl.swap_size_off, tl.swap_info_off - ma);
        uint32_t magic_area = ma > 16 ? ma : 16;
        assert_int_equal(tl.size, 384 * a + 4 * ma + magic_area);
        assert_int_equal(tl.status_off, size - tl.size);
        /* the status area ends exactly where swap_size starts */
        assert_int_equal(tl.status_off + 384 * a, tl.swap_size_off);
        fx_close(&f);
    }
    /* MCUboot's figure for BOOT_MAX_ALIGN 8, 128 sectors, 8-byte writes: 3120 bytes */
    assert_int_equal(boot_trailer_size(8, 384), 3120);
    assert_int_equal(boot_trailer_size(1, 384), 432);
    /* scratch trailers have one group's status: 3 entries */
    assert_int_equal(boot_trailer_size(4, 3), 12 + 32 + 16);
    /* a trailer that does not fit */
    struct fx f;
    fx_open(&f, BOOT_STRATEGY_SWAP_SCRATCH, FX_UNIFORM_4K, 32, 0xff);
    struct boot_trailer_layout tl;
    assert_int_equal(boot_trailer_layout_of(&f.scr, 384, &tl), DFU_ENOSPC);
    fx_close(&f);
}

/* With encryption configured the trailer has MCUboot's two key fields (BOOT_ENC_KEY_SIZE
 * rounded up to max_align each) between swap_size and the status area, and the room for an
 * image shrinks by them. */
static void test_layout_enc(void **state)
{
    (void)state;
    static const uint32_t aligns[] = {1, 8, 32};
    for (size_t i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
        struct fx f;
        fx_open(&f, BOOT_STRATEGY_SWAP_SCRATCH, FX_UNIFORM_4K, aligns[i], 0xff);
        struct boot_trailer_layout plain, enc;
        assert_int_equal(boot_trailer_layout_of(&f.pri, 384, &plain), 0);
        assert_int_equal(boot_trailer_layout_ext(&f.pri, 384, true, &enc), 0);
        uint32_t field = plain.max_align > 16 ? plain.max_align : 16;
        assert_int_equal(plain.enc_key_size, 0);
        assert_int_equal(enc.enc_key_size, field);
        assert_int_equal(enc.enc_key_off[0], enc.swap_size_off - field);
        assert_int_equal(enc.enc_key_off[1], enc.swap_size_off - 2 * field);
        assert_int_equal(enc.size, plain.size + 2 * field);
        assert_int_equal(enc.status_off + 384 * aligns[i], enc.enc_key_off[1]);
        /* the fields above them stay where MCUboot's public API writes them */
        assert_int_equal(enc.magic_off, plain.magic_off);
        assert_int_equal(enc.swap_size_off, plain.swap_size_off);
        uint32_t room_plain, room_enc;
        assert_int_equal(boot_image_room(&f.pri, BOOT_STRATEGY_OVERWRITE, &room_plain), 0);
        assert_int_equal(boot_image_room_ext(&f.pri, BOOT_STRATEGY_OVERWRITE, true, &room_enc), 0);
        assert_int_equal(room_plain - room_enc, 2 * field);
        fx_close(&f);
    }
}

/* set_pending / set_confirmed write exactly MCUboot's bytes, for every alignment and both
 * erased values. */
static void test_public_api_bytes(void **state)
{
    (void)state;
    static const uint32_t aligns[] = {1, 2, 4, 8, 16, 32};
    struct fx_image img;
    fx_image_make(&img, 1, 0, 5000, 3, false, 0);
    for (size_t i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
        for (int e = 0; e < 2; e++) {
            uint32_t a = aligns[i];
            uint8_t ev = e ? 0x00 : 0xff;
            struct fx f;
            fx_open(&f, BOOT_STRATEGY_SWAP_SCRATCH, FX_UNIFORM_4K, a, ev);
            struct boot_trailer_layout tl;
            assert_int_equal(boot_trailer_layout_of(&f.sec, 0, &tl), 0);
            uint32_t ma = tl.max_align;
            fx_program(&f, &f.sec, &img);
            uint8_t *m = fx_mem(&f, &f.sec);

            assert_int_equal(boot_set_pending(&f.sec, true), 0);
            uint8_t want[16];
            boot_magic_bytes(ma, want);
            assert_memory_equal(m + tl.magic_off, want, 16);
            if (ma > 16) {
                assert_true(fx_erased(&f, &f.sec, f.sec.size - ma, ma - 16));
            }
            assert_int_equal(m[tl.image_ok_off], 0x01);
            assert_int_equal(m[tl.swap_info_off], 0x03);  /* image 0, PERM */
            assert_true(fx_erased(&f, &f.sec, tl.image_ok_off + 1, ma - 1));
            assert_true(fx_erased(&f, &f.sec, tl.swap_info_off + 1, ma - 1));
            assert_true(fx_erased(&f, &f.sec, tl.copy_done_off, ma));
            assert_true(fx_erased(&f, &f.sec, tl.swap_size_off, ma));
            struct boot_swap_state s;
            assert_int_equal(boot_read_swap_state(&f.sec, &s), 0);
            assert_int_equal(s.magic, BOOT_MAGIC_GOOD);
            assert_int_equal(s.image_ok, BOOT_FLAG_SET);
            assert_int_equal(s.copy_done, BOOT_FLAG_UNSET);
            assert_int_equal(s.swap_type, BOOT_SWAP_TYPE_PERM);
            /* already pending: nothing more written */
            assert_int_equal(boot_set_pending(&f.sec, false), 0);
            assert_int_equal(m[tl.swap_info_off], 0x03);

            /* test: magic and swap_info only */
            fx_program(&f, &f.sec, &img);
            assert_int_equal(boot_set_pending(&f.sec, false), 0);
            assert_memory_equal(m + tl.magic_off, want, 16);
            assert_int_equal(m[tl.swap_info_off], 0x02);
            assert_true(fx_erased(&f, &f.sec, tl.image_ok_off, ma));

            /* confirm: a blank primary trailer is already confirmed, nothing written */
            fx_erase(&f, &f.pri);
            assert_int_equal(boot_set_confirmed(&f.pri), 0);
            assert_true(fx_erased(&f, &f.pri, 0, f.pri.size));
            /* a good magic with image_ok unset gets image_ok = 1 */
            memcpy(fx_mem(&f, &f.pri) + tl.magic_off, want, 16);
            assert_int_equal(boot_set_confirmed(&f.pri), 0);
            assert_int_equal(fx_mem(&f, &f.pri)[tl.image_ok_off], 0x01);
            assert_true(fx_erased(&f, &f.pri, tl.image_ok_off + 1, ma - 1));
            assert_int_equal(boot_set_confirmed(&f.pri), 0);  /* idempotent */
            /* a bad magic is refused */
            fx_mem(&f, &f.pri)[tl.magic_off + 3] ^= 0x40;
            assert_int_equal(boot_set_confirmed(&f.pri), DFU_EBADMSG);
            fx_close(&f);
        }
    }
    fx_image_free(&img);
}

static void test_set_pending_errors(void **state)
{
    (void)state;
    struct fx f;
    fx_open(&f, BOOT_STRATEGY_SWAP_SCRATCH, FX_UNIFORM_4K, 8, 0xff);
    fx_erase(&f, &f.sec);
    assert_int_equal(boot_set_pending(&f.sec, false), DFU_ENOENT);  /* no image */
    assert_true(fx_erased(&f, &f.sec, 0, f.sec.size));
    struct fx_image img;
    fx_image_make(&img, 1, 0, 3000, 4, false, 0);
    fx_program(&f, &f.sec, &img);
    /* a corrupt magic: the slot is erased so a new upload can go in */
    fx_mem(&f, &f.sec)[f.sec.size - 5] = 0x12;
    assert_int_equal(boot_set_pending(&f.sec, false), DFU_EBADMSG);
    assert_true(fx_erased(&f, &f.sec, 0, f.sec.size));
    fx_image_free(&img);
    fx_close(&f);
}

/* imgtool --pad --confirm wrote this trailer; we read it as MCUboot would, and our own
 * permanent+confirm bytes match imgtool's where both write. */
static void test_imgtool_trailer(void **state)
{
    (void)state;
    size_t len;
    uint8_t *padded = tf_read_file(DFU_VECTORS_DIR "/imgtool/signed-ecdsa-p256-pad-confirm.bin", &len);
    assert_int_equal(len, 0x60000);
    static const struct flash_sector_run runs[] = {{0x60000 / 4096, 4096}};
    struct nor_flash nf;
    struct nor_flash_config c = {NULL, 8, 0xff, runs, 1, {0, 0, 0, 0}};
    assert_int_equal(nor_flash_open(&nf, &c), 0);
    struct flash_area fa = {&nf.dev, 0, 0x60000, 1};
    memcpy(nor_flash_mem(&nf), padded, len);
    struct boot_swap_state s;
    assert_int_equal(boot_read_swap_state(&fa, &s), 0);
    assert_int_equal(s.magic, BOOT_MAGIC_GOOD);
    assert_int_equal(s.image_ok, BOOT_FLAG_SET);
    assert_int_equal(s.copy_done, BOOT_FLAG_UNSET);
    assert_int_equal(s.swap_type, BOOT_SWAP_TYPE_NONE);
    struct boot_swap_state blank = {BOOT_MAGIC_UNSET, BOOT_SWAP_TYPE_NONE, BOOT_FLAG_UNSET,
                                    BOOT_FLAG_UNSET, 0};
    assert_int_equal(boot_swap_type_of(&blank, &s), BOOT_SWAP_TYPE_PERM);

    /* Same image without the trailer, then our set_pending(permanent). */
    size_t ulen;
    uint8_t *plain = tf_read_file(DFU_VECTORS_DIR "/imgtool/signed-ecdsa-p256.bin", &ulen);
    memset(nor_flash_mem(&nf), 0xff, 0x60000);
    memcpy(nor_flash_mem(&nf), plain, ulen);
    assert_int_equal(boot_set_pending(&fa, true), 0);
    const uint8_t *m = nor_flash_mem(&nf);
    assert_memory_equal(m + 0x60000 - 16, padded + 0x60000 - 16, 16);   /* magic */
    assert_memory_equal(m + 0x60000 - 24, padded + 0x60000 - 24, 8);    /* image_ok unit */
    assert_memory_equal(m + 0x60000 - 32, padded + 0x60000 - 32, 8);    /* copy_done unit */
    assert_int_equal(m[0x60000 - 40], 0x03);  /* swap_info: MCUboot's public API writes it */
    free(plain);
    free(padded);
    nor_flash_close(&nf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_magic),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_layout_enc),
        cmocka_unit_test(test_public_api_bytes),
        cmocka_unit_test(test_set_pending_errors),
        cmocka_unit_test(test_imgtool_trailer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
