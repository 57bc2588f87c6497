/* The reference images made by upstream imgtool: each validates with its key, its hash and
 * TLV list match the reference dumpinfo, and any altered, truncated or wrong-key variant fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/err.h"
#include "dfukit/image.h"
#include "image_test_util.h"

struct vector {
    const char *name;  /* signed-<name>.bin, dumpinfo-signed-<name>.txt */
    const char *key;   /* pub-<key>.pem */
    enum crypto_hash_alg alg;
};

static const struct vector vectors[] = {
    {"ecdsa-p256", "ecdsa-p256", CRYPTO_SHA256},
    {"ecdsa-p256-pad-confirm", "ecdsa-p256", CRYPTO_SHA256},
    {"ecdsa-p384", "ecdsa-p384", CRYPTO_SHA384},
    {"ecdsa-p384-pad-confirm", "ecdsa-p384", CRYPTO_SHA384},
    {"ed25519", "ed25519", CRYPTO_SHA256},
    {"ed25519-pad-confirm", "ed25519", CRYPTO_SHA256},
    {"ed25519-pure", "ed25519", CRYPTO_SHA512},
    {"rsa-2048", "rsa-2048", CRYPTO_SHA256},
    {"rsa-2048-pad-confirm", "rsa-2048", CRYPTO_SHA256},
    {"rsa-3072", "rsa-3072", CRYPTO_SHA256},
    {"rsa-3072-pad-confirm", "rsa-3072", CRYPTO_SHA256},
};
#define NVEC (sizeof(vectors) / sizeof(vectors[0]))

static const char *key_names[] = {"ecdsa-p256", "ecdsa-p384", "ed25519", "rsa-2048", "rsa-3072"};
#define NKEYS (sizeof(key_names) / sizeof(key_names[0]))

struct loaded {
    uint8_t *img;
    size_t len;
    struct util_flash flash;
    struct image_key key;
    uint8_t *key_mem;
};

static void load(struct loaded *l, const struct vector *v)
{
    char path[512];
    snprintf(path, sizeof(path), VEC_DIR "signed-%s.bin", v->name);
    l->img = tf_read_file(path, &l->len);
    util_flash_load(&l->flash, l->img, l->len);
    snprintf(path, sizeof(path), VEC_DIR "pub-%s.pem", v->key);
    l->key_mem = util_pem_key_bytes(path, &l->key.len);
    l->key.der = l->key_mem;
}

static void unload(struct loaded *l)
{
    util_flash_free(&l->flash);
    free(l->img);
    free(l->key_mem);
}

static uint8_t tmp[4096];

/* Our PEM conversion gives exactly the key bytes imgtool embeds (`getpub -l c`). */
static void image_vectors_key_bytes_match_getpub(void **state)
{
    for (size_t i = 0; i < NKEYS; i++) {
        char pem[256], c[256];
        size_t a, b;
        snprintf(pem, sizeof(pem), VEC_DIR "pub-%s.pem", key_names[i]);
        snprintf(c, sizeof(c), VEC_DIR "pub-%s.c", key_names[i]);
        uint8_t *x = util_pem_key_bytes(pem, &a);
        uint8_t *y = util_c_array_bytes(c, &b);
        assert_int_equal(a, b);
        assert_memory_equal(x, y, a);
        free(x);
        free(y);
    }
}

static void image_vectors_validate_with_key(void **state)
{
    static const uint32_t tmp_sizes[] = {64, 100, 4096};
    for (size_t i = 0; i < NVEC; i++) {
        struct loaded l;
        struct image_info info;
        load(&l, &vectors[i]);
        int err = image_validate(&l.flash.fa, &l.key, 1, tmp, tmp_sizes[i % 3], &info);
        if (err != 0) {
            fail_msg("%s: %d", vectors[i].name, err);
        }
        assert_int_equal(info.key_index, 0);
        assert_int_equal(info.hash_alg, vectors[i].alg);
        assert_int_equal(info.hash_len, crypto_hash_size(vectors[i].alg));
        assert_int_equal(info.hdr.hdr_size, 0x200);
        assert_int_equal(info.hdr.img_size, 0x19000);
        assert_int_equal(info.hdr.ver.major, 1);
        assert_int_equal(info.hdr.ver.minor, 2);
        assert_int_equal(info.hdr.ver.revision, 3);
        assert_int_equal(info.hdr.ver.build, 4);
        assert_false(info.has_sec_cnt);
        assert_int_equal(info.layout.prot_off, 0x19200);
        assert_int_equal(info.layout.prot_size, 0);
        assert_int_equal(info.layout.unprot_off, 0x19200);
        /* The unpadded images end exactly where the TLV area ends. */
        if (strstr(vectors[i].name, "pad") == NULL) {
            assert_int_equal(info.layout.total_size, l.len);
        } else {
            assert_int_equal(l.len, 0x60000);
            assert_true(info.layout.total_size < l.len);
        }
        unload(&l);
    }
}

/* Several trusted keys: the one named by KEYHASH is used, whatever its position. */
static void image_vectors_key_list(void **state)
{
    struct image_key keys[NKEYS];
    uint8_t *mem[NKEYS];
    for (size_t k = 0; k < NKEYS; k++) {
        char pem[256];
        snprintf(pem, sizeof(pem), VEC_DIR "pub-%s.pem", key_names[k]);
        mem[k] = util_pem_key_bytes(pem, &keys[k].len);
        keys[k].der = mem[k];
    }
    for (size_t i = 0; i < NVEC; i++) {
        struct loaded l;
        struct image_info info;
        load(&l, &vectors[i]);
        size_t right = 0;
        while (strcmp(key_names[right], vectors[i].key) != 0) {
            right++;
        }
        assert_int_equal(image_validate(&l.flash.fa, keys, NKEYS, tmp, sizeof(tmp), &info), 0);
        assert_int_equal(info.key_index, (int)right);
        /* Every key but the right one: no signature can be checked. */
        struct image_key wrong[NKEYS - 1];
        for (size_t k = 0, n = 0; k < NKEYS; k++) {
            if (k != right) {
                wrong[n++] = keys[k];
            }
        }
        assert_int_equal(image_validate(&l.flash.fa, wrong, NKEYS - 1, tmp, sizeof(tmp), &info),
                         DFU_ESIG);
        unload(&l);
    }
    for (size_t k = 0; k < NKEYS; k++) {
        free(mem[k]);
    }
}

/* A key whose hash matches but whose bytes sign nothing here: the trusted key list entry for
 * the image's KEYHASH is replaced by a different key of the same type. */
static void image_vectors_wrong_key_same_type(void **state)
{
    struct loaded a, b;
    load(&a, &vectors[0]); /* ecdsa-p256 */
    load(&b, &vectors[2]); /* ecdsa-p384 */
    /* p384 key for a p256 image and vice versa. */
    assert_int_equal(image_validate(&a.flash.fa, &b.key, 1, tmp, sizeof(tmp), NULL), DFU_ESIG);
    assert_int_equal(image_validate(&b.flash.fa, &a.key, 1, tmp, sizeof(tmp), NULL), DFU_ESIG);
    unload(&a);
    unload(&b);
}

static void image_vectors_hash_only(void **state)
{
    for (size_t i = 0; i < NVEC; i++) {
        struct loaded l;
        struct image_info info;
        load(&l, &vectors[i]);
        assert_int_equal(image_validate(&l.flash.fa, NULL, 0, tmp, sizeof(tmp), &info), 0);
        assert_int_equal(info.key_index, -1);
        unload(&l);
    }
}

/* Our streaming hash equals the hash TLV that upstream dumpinfo printed. */
static void image_vectors_hash_matches_dumpinfo(void **state)
{
    for (size_t i = 0; i < NVEC; i++) {
        struct loaded l;
        struct image_header hdr;
        enum crypto_hash_alg alg;
        uint8_t want[64], got[64];
        char path[512];
        load(&l, &vectors[i]);
        snprintf(path, sizeof(path), VEC_DIR "dumpinfo-signed-%s.txt", vectors[i].name);
        size_t n = util_dumpinfo_hash(path, want);
        assert_int_equal(n, crypto_hash_size(vectors[i].alg));
        assert_int_equal(image_header_read(&l.flash.fa, &hdr), 0);
        assert_int_equal(image_hash_alg(&l.flash.fa, &hdr, &alg), 0);
        assert_int_equal(alg, vectors[i].alg);
        assert_int_equal(image_compute_hash(&l.flash.fa, &hdr, alg, tmp, 333, got), 0);
        assert_memory_equal(got, want, n);
        unload(&l);
    }
}

static void image_vectors_tlvs_match_dumpinfo(void **state)
{
    for (size_t i = 0; i < NVEC; i++) {
        struct loaded l;
        struct image_header hdr;
        struct image_tlv_iter it;
        struct image_tlv tlv;
        uint16_t types[16], lens[16];
        char path[512];
        load(&l, &vectors[i]);
        snprintf(path, sizeof(path), VEC_DIR "dumpinfo-signed-%s.txt", vectors[i].name);
        size_t n = util_dumpinfo_tlvs(path, types, lens, 16);
        assert_true(n >= 3);
        assert_int_equal(image_header_read(&l.flash.fa, &hdr), 0);
        assert_int_equal(image_tlv_iter_begin(&it, &l.flash.fa, &hdr, IMAGE_TLV_ANY, false), 0);
        uint32_t expect_off = 0x19200 + 4 + 4;
        size_t k = 0;
        int err;
        while ((err = image_tlv_iter_next(&it, &tlv)) == 0) {
            assert_true(k < n);
            assert_int_equal(tlv.type, types[k]);
            assert_int_equal(tlv.len, lens[k]);
            assert_int_equal(tlv.off, expect_off);
            assert_false(tlv.is_protected);
            expect_off += tlv.len + 4u;
            k++;
        }
        assert_int_equal(err, 1);
        assert_int_equal(k, n);
        /* Filtered and protected-only walks. */
        assert_int_equal(image_tlv_iter_begin(&it, &l.flash.fa, &hdr, IMAGE_TLV_KEYHASH, false), 0);
        assert_int_equal(image_tlv_iter_next(&it, &tlv), 0);
        assert_int_equal(tlv.type, IMAGE_TLV_KEYHASH);
        assert_int_equal(image_tlv_iter_next(&it, &tlv), 1);
        assert_int_equal(image_tlv_iter_begin(&it, &l.flash.fa, &hdr, IMAGE_TLV_ANY, true), 0);
        assert_int_equal(image_tlv_iter_next(&it, &tlv), 1);
        unload(&l);
    }
}

static void expect_rejected(struct loaded *l, const char *what, size_t off)
{
    int err = image_validate(&l->flash.fa, &l->key, 1, tmp, sizeof(tmp), NULL);
    /* ENOTSUP: the flip set an "encrypted" flag, whose hash cannot be checked yet. */
    if (err != DFU_ESIG && err != DFU_EBADMSG && err != DFU_ERANGE && err != DFU_ENOENT &&
        err != DFU_ENOTSUP) {
        fail_msg("%s byte 0x%zx altered: got %d", what, off, err);
    }
}

/* Altering any byte of the header (with its padding) or of the TLV area makes it fail. */
static void image_vectors_every_header_and_tlv_byte(void **state)
{
    for (size_t i = 0; i < NVEC; i++) {
        struct loaded l;
        struct image_info info;
        load(&l, &vectors[i]);
        assert_int_equal(image_validate(&l.flash.fa, &l.key, 1, tmp, sizeof(tmp), &info), 0);
        uint8_t *mem = l.flash.mem;
        for (size_t off = 0; off < info.hdr.hdr_size; off++) {
            mem[off] ^= 0x5a;
            expect_rejected(&l, vectors[i].name, off);
            mem[off] ^= 0x5a;
        }
        for (size_t off = info.layout.unprot_off; off < info.layout.total_size; off++) {
            mem[off] ^= 0x01;
            expect_rejected(&l, vectors[i].name, off);
            mem[off] ^= 0x01;
        }
        /* Restored: valid again. */
        assert_int_equal(image_validate(&l.flash.fa, &l.key, 1, tmp, sizeof(tmp), NULL), 0);
        unload(&l);
    }
}

static void image_vectors_body_sample(void **state)
{
    for (size_t i = 0; i < NVEC; i++) {
        struct loaded l;
        load(&l, &vectors[i]);
        uint8_t *mem = l.flash.mem;
        for (size_t off = 0x200; off < 0x200 + 0x19000; off += 1021) {
            mem[off] ^= 0x80;
            assert_int_equal(image_validate(&l.flash.fa, &l.key, 1, tmp, sizeof(tmp), NULL),
                             DFU_ESIG);
            mem[off] ^= 0x80;
        }
        mem[0x200 + 0x19000 - 1] ^= 1; /* the last body byte */
        assert_int_equal(image_validate(&l.flash.fa, &l.key, 1, tmp, sizeof(tmp), NULL), DFU_ESIG);
        unload(&l);
    }
}

/* The same bytes in a smaller area: every cut fails cleanly, as an out-of-range size. */
static void image_vectors_truncated(void **state)
{
    for (size_t i = 0; i < NVEC; i++) {
        struct loaded l;
        struct image_info info;
        load(&l, &vectors[i]);
        assert_int_equal(image_validate(&l.flash.fa, &l.key, 1, tmp, sizeof(tmp), &info), 0);
        uint32_t total = info.layout.total_size;
        const uint32_t cuts[] = {0, 4, 31, 32, 0x200, 0x19200, 0x19203, 0x19207, total / 2,
                                 total - 70, total - 2, total - 1};
        for (size_t c = 0; c < sizeof(cuts) / sizeof(cuts[0]); c++) {
            l.flash.fa.size = cuts[c];
            int err = image_validate(&l.flash.fa, &l.key, 1, tmp, sizeof(tmp), NULL);
            if (err != DFU_ERANGE && err != DFU_EBADMSG) {
                fail_msg("%s cut at 0x%x: %d", vectors[i].name, cuts[c], err);
            }
        }
        l.flash.fa.size = total; /* exactly the image: valid */
        assert_int_equal(image_validate(&l.flash.fa, &l.key, 1, tmp, sizeof(tmp), NULL), 0);
        unload(&l);
    }
}

/* Encrypted images: the structure is checked, the hash check reports "not supported". */
static void image_vectors_encrypted(void **state)
{
    static const char *names[] = {"ecdsa-p256-enc-ec256", "ed25519-enc-x25519"};
    static const char *keys[] = {"ecdsa-p256", "ed25519"};
    static const uint16_t enc_tlv[] = {IMAGE_TLV_ENC_EC256, IMAGE_TLV_ENC_X25519};
    for (size_t i = 0; i < 2; i++) {
        struct vector v = {names[i], keys[i], CRYPTO_SHA256};
        struct loaded l;
        struct image_info info;
        struct image_tlv_iter it;
        struct image_tlv tlv;
        load(&l, &v);
        assert_int_equal(image_validate(&l.flash.fa, &l.key, 1, tmp, sizeof(tmp), &info),
                         DFU_ENOTSUP);
        assert_true(info.hdr.flags & IMAGE_F_ENCRYPTED_AES128);
        assert_int_equal(info.hash_alg, CRYPTO_SHA256);
        assert_int_equal(info.layout.total_size, l.len);
        assert_int_equal(image_tlv_iter_begin(&it, &l.flash.fa, &info.hdr, enc_tlv[i], false), 0);
        assert_int_equal(image_tlv_iter_next(&it, &tlv), 0);
        assert_false(tlv.is_protected);
        /* A broken structure is still reported as such, not as "not supported". */
        l.flash.fa.size = (uint32_t)l.len - 1;
        assert_int_equal(image_validate(&l.flash.fa, &l.key, 1, tmp, sizeof(tmp), &info),
                         DFU_ERANGE);
        unload(&l);
    }
}

/* The fuzz seeds were made outside this code (Python hashlib + `openssl pkeyutl`): the whole
 * ones validate, the cut-down vectors fail on their hash. */
static void image_vectors_fuzz_seeds(void **state)
{
    static const struct {
        const char *name;
        int with_key, without_key;
    } seeds[] = {
        {"hash-only", DFU_ESIG, 0},
        {"hash-only-protected", DFU_ESIG, 0},
        {"ed25519-keyhash", 0, 0},
        {"ed25519-protected", 0, 0},
        {"ed25519-pure", 0, 0},
        {"cut-ecdsa-p256", DFU_ESIG, DFU_ESIG},
        {"cut-rsa-2048", DFU_ESIG, DFU_ESIG},
        {"cut-ecdsa-p256-enc-ec256", DFU_ENOTSUP, DFU_ENOTSUP},
    };
    struct vector v = {"ed25519", "ed25519", CRYPTO_SHA256};
    struct loaded key;
    load(&key, &v);
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        char path[512];
        size_t len;
        struct util_flash f;
        struct image_info info;
        snprintf(path, sizeof(path), DFU_FUZZ_CORPUS "/%s.bin", seeds[i].name);
        uint8_t *img = tf_read_file(path, &len);
        util_flash_load(&f, img, len);
        int a = image_validate(&f.fa, &key.key, 1, tmp, sizeof(tmp), &info);
        int b = image_validate(&f.fa, NULL, 0, tmp, sizeof(tmp), &info);
        if (a != seeds[i].with_key || b != seeds[i].without_key) {
            fail_msg("%s: %d %d", seeds[i].name, a, b);
        }
        util_flash_free(&f);
        free(img);
    }
    unload(&key);
}

/* Validation reads the slot in bounded pieces: chunks of tmp for the hash, and never more
 * than one signature TLV (RSA-3072: 384 bytes) at once, whatever the image size. */
static void image_vectors_bounded_reads(void **state)
{
    for (size_t i = 0; i < NVEC; i++) {
        struct loaded l;
        load(&l, &vectors[i]);
        l.flash.rf.max_read = 0;
        l.flash.rf.reads = 0;
        assert_int_equal(image_validate(&l.flash.fa, &l.key, 1, tmp, 64, NULL), 0);
        if (strstr(vectors[i].name, "pure") == NULL) {
            assert_true(l.flash.rf.max_read <= 384);
        }
        assert_true(l.flash.rf.reads >= (0x19200 + 63) / 64);
        unload(&l);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(image_vectors_key_bytes_match_getpub),
        cmocka_unit_test(image_vectors_validate_with_key),
        cmocka_unit_test(image_vectors_key_list),
        cmocka_unit_test(image_vectors_wrong_key_same_type),
        cmocka_unit_test(image_vectors_hash_only),
        cmocka_unit_test(image_vectors_hash_matches_dumpinfo),
        cmocka_unit_test(image_vectors_tlvs_match_dumpinfo),
        cmocka_unit_test(image_vectors_every_header_and_tlv_byte),
        cmocka_unit_test(image_vectors_body_sample),
        cmocka_unit_test(image_vectors_truncated),
        cmocka_unit_test(image_vectors_encrypted),
        cmocka_unit_test(image_vectors_fuzz_seeds),
        cmocka_unit_test(image_vectors_bounded_reads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
