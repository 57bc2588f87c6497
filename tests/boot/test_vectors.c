/* The bootloader on images made by upstream imgtool (tests/vectors/imgtool), with their
 * public keys trusted: swaps per strategy, an untrusted signer refused, the reason of each
 * refusal (unknown key, bad signature, hash mismatch, bad header, bad TLV area), a test swap
 * of an image signed by a second trusted key, and power cuts on a sample of the operations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/err.h"
#include "fixture.h"

#define SLOT 0x60000u
#define VEC DFU_VECTORS_DIR "/imgtool/"

static const struct flash_sector_run runs[] = {{2 * (SLOT / 4096) + 1, 4096}};

struct venv {
    struct nor_flash nf;
    struct powercut pc;
    struct flash_area pri, sec, scr;
    struct boot_config cfg;
    struct image_key keys[2];
    uint8_t key_der[2][600];
};

/* The key bytes of imgtool's `getpub -l c` output (every 0xNN in the array). */
static size_t load_c_key(const char *path, uint8_t *out, size_t cap)
{
    size_t len;
    uint8_t *text = tf_read_file(path, &len);
    size_t n = 0;
    const char *p = memchr(text, '{', len);
    assert_non_null(p);
    const char *end = (const char *)text + len;
    while (p + 4 <= end && *p != '}') {
        if (p[0] == '0' && p[1] == 'x') {
            unsigned v;
            assert_int_equal(sscanf(p + 2, "%2x", &v), 1);
            assert_true(n < cap);
            out[n++] = (uint8_t)v;
            p += 4;
        } else {
            p++;
        }
    }
    free(text);
    return n;
}

static void venv_open(struct venv *v, enum boot_strategy s, const char *key1, const char *key2)
{
    memset(v, 0, sizeof(*v));
    struct nor_flash_config c = {NULL, 8, 0xff, runs, 1, {0, 0, 0, 0}};
    assert_int_equal(nor_flash_open(&v->nf, &c), 0);
    powercut_init(&v->pc, &v->nf.dev);
    v->pri = (struct flash_area){&v->pc.dev, 0, SLOT, 1};
    v->sec = (struct flash_area){&v->pc.dev, SLOT, SLOT, 2};
    v->scr = (struct flash_area){&v->pc.dev, 2 * SLOT, 4096, 3};
    v->cfg.strategy = s;
    v->cfg.primary = &v->pri;
    v->cfg.secondary = &v->sec;
    v->cfg.scratch = &v->scr;
    v->cfg.downgrade = BOOT_DOWNGRADE_VERSION;
    const char *names[2] = {key1, key2};
    for (int i = 0; i < 2 && names[i] != NULL; i++) {
        char path[512];
        snprintf(path, sizeof(path), VEC "%s", names[i]);
        v->keys[i].len = load_c_key(path, v->key_der[i], sizeof(v->key_der[i]));
        v->keys[i].der = v->key_der[i];
        v->cfg.key_count = (size_t)i + 1;
    }
    v->cfg.keys = v->keys;
}

static void put(struct venv *v, const struct flash_area *fa, const char *name, struct fx_image *img)
{
    char path[512];
    snprintf(path, sizeof(path), VEC "%s", name);
    img->data = tf_read_file(path, &img->len);
    uint8_t *m = nor_flash_mem(&v->nf) + fa->off;
    memset(m, 0xff, fa->size);
    memcpy(m, img->data, img->len);
}

static bool holds(struct venv *v, const struct flash_area *fa, const uint8_t *data, size_t len)
{
    return memcmp(nor_flash_mem(&v->nf) + fa->off, data, len) == 0;
}

/* The image part of a padded file: header + body + TLVs. */
static size_t image_len(const struct fx_image *img)
{
    struct image_header h;
    assert_int_equal(image_header_decode(&h, img->data), 0);
    size_t off = h.hdr_size + h.img_size + h.protect_tlv_size;
    return off + (img->data[off + 2] | (img->data[off + 3] << 8));
}

static void test_perm_from_padded(void **state)
{
    (void)state;
    for (int s = BOOT_STRATEGY_OVERWRITE; s <= BOOT_STRATEGY_SWAP_MOVE; s++) {
        struct venv v;
        venv_open(&v, (enum boot_strategy)s, "pub-ecdsa-p256.c", NULL);
        struct fx_image a, b;
        put(&v, &v.pri, "signed-ecdsa-p256.bin", &a);
        put(&v, &v.sec, "signed-ecdsa-p256-pad-confirm.bin", &b);  /* trailer: permanent */
        struct boot_rsp rsp;
        assert_int_equal(boot_go(&v.cfg, &rsp), 0);
        assert_int_equal(rsp.swap_type, BOOT_SWAP_TYPE_PERM);
        assert_int_equal(rsp.hdr.ver.major, 1);
        assert_int_equal(rsp.hdr.ver.build, 4);
        size_t blen = image_len(&b);
        assert_true(holds(&v, &v.pri, b.data, blen));
        if (s != BOOT_STRATEGY_OVERWRITE) {
            assert_true(holds(&v, &v.sec, a.data, a.len));
        }
        uint64_t ops = powercut_ops(&v.pc);
        assert_int_equal(boot_go(&v.cfg, &rsp), 0);
        assert_int_equal(rsp.swap_type, BOOT_SWAP_TYPE_NONE);
        assert_int_equal(powercut_ops(&v.pc), ops);
        free(a.data);
        free(b.data);
        nor_flash_close(&v.nf);
    }
}

static void test_untrusted_signer(void **state)
{
    (void)state;
    static const char *const foreign[] = {"signed-ed25519.bin", "signed-rsa-2048.bin",
                                          "signed-ecdsa-p384.bin"};
    for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
        struct venv v;
        venv_open(&v, BOOT_STRATEGY_SWAP_SCRATCH, "pub-ecdsa-p256.c", NULL);
        struct fx_image a, b;
        put(&v, &v.pri, "signed-ecdsa-p256.bin", &a);
        put(&v, &v.sec, foreign[i], &b);
        assert_int_equal(boot_set_pending(&v.sec, true), 0);
        struct boot_rsp rsp;
        assert_int_equal(boot_go(&v.cfg, &rsp), 0);
        assert_int_equal(rsp.swap_type, BOOT_SWAP_TYPE_FAIL);
        assert_true(holds(&v, &v.pri, a.data, a.len));
        uint8_t *m = nor_flash_mem(&v.nf) + v.sec.off;
        for (uint32_t k = 0; k < SLOT; k += 997) {
            assert_int_equal(m[k], 0xff);
        }
        free(a.data);
        free(b.data);
        nor_flash_close(&v.nf);
    }
    /* the primary itself signed by an untrusted key: nothing to start */
    struct venv v;
    venv_open(&v, BOOT_STRATEGY_SWAP_MOVE, "pub-ecdsa-p256.c", NULL);
    struct fx_image a;
    put(&v, &v.pri, "signed-ed25519.bin", &a);
    memset(nor_flash_mem(&v.nf) + v.sec.off, 0xff, SLOT);
    struct boot_rsp rsp;
    assert_int_equal(boot_go(&v.cfg, &rsp), DFU_ENOENT);
    assert_int_equal(rsp.primary_reject, BOOT_REJECT_UNKNOWN_KEY);
    free(a.data);
    nor_flash_close(&v.nf);
}

/* A permanent swap to a damaged copy of an image (pad-confirm: the trailer asks for it):
 * refused with the reason, the secondary erased, the primary kept. */
static void refuses(const char *secondary, uint32_t flip_off, bool flip_from_end, uint8_t mask,
                    enum boot_reject why)
{
    struct venv v;
    venv_open(&v, BOOT_STRATEGY_SWAP_MOVE, "pub-ecdsa-p256.c", NULL);
    struct fx_image a, b;
    put(&v, &v.pri, "signed-ecdsa-p256.bin", &a);
    put(&v, &v.sec, secondary, &b);
    uint32_t off = flip_from_end ? (uint32_t)image_len(&b) - flip_off : flip_off;
    nor_flash_mem(&v.nf)[v.sec.off + off] ^= mask;
    struct boot_rsp rsp;
    assert_int_equal(boot_go(&v.cfg, &rsp), 0);
    assert_int_equal(rsp.swap_type, BOOT_SWAP_TYPE_FAIL);
    assert_string_equal(boot_reject_str(rsp.secondary_reject), boot_reject_str(why));
    assert_true(holds(&v, &v.pri, a.data, a.len));
    uint8_t *m = nor_flash_mem(&v.nf) + v.sec.off;
    for (uint32_t k = 0; k < SLOT; k += 997) {
        assert_int_equal(m[k], 0xff);
    }
    free(a.data);
    free(b.data);
    nor_flash_close(&v.nf);
}

static void test_reject_reasons(void **state)
{
    (void)state;
    const char *p256 = "signed-ecdsa-p256-pad-confirm.bin";
    /* the image as signed (mask 0 flips nothing) */
    refuses("signed-ed25519-pad-confirm.bin", SLOT - 4096, false, 0, BOOT_REJECT_UNKNOWN_KEY);
    refuses(p256, 0x200 + 100, false, 1, BOOT_REJECT_HASH);       /* the body */
    refuses(p256, 1, true, 1, BOOT_REJECT_BAD_SIGNATURE);         /* the signature's last byte */
    refuses(p256, 9, false, 2, BOOT_REJECT_BAD_HEADER);           /* hdr_size 0x200 -> 0 */
    struct fx_image img;
    img.data = tf_read_file(VEC "signed-ecdsa-p256.bin", &img.len);
    struct image_header h;
    assert_int_equal(image_header_decode(&h, img.data), 0);
    /* the unprotected TLV info's magic 0x6907 -> 0x6906 */
    refuses(p256, h.hdr_size + h.img_size + h.protect_tlv_size, false, 1, BOOT_REJECT_BAD_TLV);
    free(img.data);
    assert_string_equal(boot_reject_str(BOOT_REJECT_TOO_LARGE), "image too large for the slot");
    assert_string_equal(boot_reject_str(BOOT_REJECT_NO_IMAGE), "no image");
}

/* Test swap to an image signed by the second trusted key, revert, with a power cut at every
 * 7th operation of the test swap. */
static void test_two_keys_with_cuts(void **state)
{
    (void)state;
    unsigned long cuts = 0;
    for (int s = BOOT_STRATEGY_SWAP_SCRATCH; s <= BOOT_STRATEGY_SWAP_MOVE; s++) {
        struct venv v;
        venv_open(&v, (enum boot_strategy)s, "pub-ecdsa-p256.c", "pub-ed25519.c");
        struct fx_image a, b;
        put(&v, &v.pri, "signed-ecdsa-p256.bin", &a);
        put(&v, &v.sec, "signed-ed25519.bin", &b);
        assert_int_equal(boot_set_pending(&v.sec, false), 0);
        uint8_t *snap = malloc(v.nf.dev.size);
        assert_non_null(snap);
        memcpy(snap, nor_flash_mem(&v.nf), v.nf.dev.size);
        uint64_t start = powercut_ops(&v.pc);
        struct boot_rsp rsp;
        assert_int_equal(boot_go(&v.cfg, &rsp), 0);
        assert_int_equal(rsp.swap_type, BOOT_SWAP_TYPE_TEST);
        uint64_t total = powercut_ops(&v.pc) - start;
        for (uint64_t n = 1; n <= total; n += 7) {
            memcpy(nor_flash_mem(&v.nf), snap, v.nf.dev.size);
            powercut_arm(&v.pc, n);
            assert_int_equal(boot_go(&v.cfg, &rsp), DFU_EPOWER);
            powercut_power_on(&v.pc);
            assert_int_equal(boot_go(&v.cfg, &rsp), 0);
            assert_true(holds(&v, &v.pri, b.data, b.len));
            assert_true(holds(&v, &v.sec, a.data, a.len));
            cuts++;
        }
        /* not confirmed: the next boot reverts to the first image */
        assert_int_equal(boot_go(&v.cfg, &rsp), 0);
        assert_int_equal(rsp.swap_type, BOOT_SWAP_TYPE_REVERT);
        assert_true(holds(&v, &v.pri, a.data, a.len));
        assert_true(holds(&v, &v.sec, b.data, b.len));
        free(snap);
        free(a.data);
        free(b.data);
        nor_flash_close(&v.nf);
    }
    printf("boot_vectors: %lu cut points on signed images\n", cuts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_perm_from_padded),
        cmocka_unit_test(test_untrusted_signer),
        cmocka_unit_test(test_reject_reasons),
        cmocka_unit_test(test_two_keys_with_cuts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
