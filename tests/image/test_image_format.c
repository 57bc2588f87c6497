/* Header, layout, TLV iteration and validation on small images built here: protected TLVs,
 * PUBKEY and KEYHASH keys, pure Ed25519, and malformed sizes and TLVs of every kind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dfukit/bytes.h"
#include "dfukit/err.h"
#include "dfukit/image.h"
#include "image_test_util.h"

static uint8_t tmp[256];

static const uint8_t sec_cnt[4] = {7, 0, 0, 0};
static const uint8_t dep1[12] = {1, 0, 0, 0, 2, 3, 4, 0, 5, 0, 0, 0};
static const uint8_t dep2[12] = {0, 0, 0, 0, 9, 8, 0x34, 0x12, 0, 0, 0, 1};
static const uint8_t vendor[5] = {'h', 'e', 'l', 'l', 'o'};
static const uint8_t record[3] = {0xa1, 0x01, 0x02};

static const struct util_tlv prot_tlvs[] = {
    {IMAGE_TLV_SEC_CNT, 4, sec_cnt},
    {IMAGE_TLV_DEPENDENCY, 12, dep1},
    {IMAGE_TLV_DEPENDENCY, 12, dep2},
    {IMAGE_TLV_BOOT_RECORD, 3, record},
    {0x00a0, 5, vendor},
    {0x12ff, 0, NULL},
};
#define NPROT (sizeof(prot_tlvs) / sizeof(prot_tlvs[0]))

/* An image of this file's usual shape, built and loaded into RAM flash. */
struct img {
    uint8_t *bytes;
    size_t len;
    struct util_flash flash;
    struct image_key key;
    uint8_t *key_mem;
};

static void make(struct img *m, const struct util_image_opts *o)
{
    m->bytes = util_build_image(o, &m->len);
    util_flash_load(&m->flash, m->bytes, m->len);
    m->key_mem = NULL;
    m->key.der = NULL;
    m->key.len = 0;
    if (o->key_pem) {
        m->key_mem = util_pem_key_bytes(o->key_pem, &m->key.len);
        m->key.der = m->key_mem;
    }
}

static void drop(struct img *m)
{
    util_flash_free(&m->flash);
    free(m->bytes);
    free(m->key_mem);
}

static struct util_image_opts opts(const char *key, enum util_sig sig, int pure)
{
    struct util_image_opts o = {.hdr_size = 0x40, .body_len = 1500, .ver = {1, 2, 3, 4},
                                .prot = prot_tlvs, .prot_count = NPROT, .key_pem = key,
                                .sig = sig, .pure = pure};
    return o;
}

#define ED_KEY VEC_DIR "key-ed25519.pem"
#define EC_KEY VEC_DIR "key-ecdsa-p256.pem"

static int validate(struct img *m, struct image_info *info)
{
    return image_validate(&m->flash.fa, &m->key, m->key.der ? 1 : 0, tmp, sizeof(tmp), info);
}

static void image_format_header_codec(void **state)
{
    struct image_header h = {.magic = IMAGE_MAGIC, .load_addr = 0x20000000, .hdr_size = 0x200,
                             .protect_tlv_size = 0x18, .img_size = 0x12345, .flags = 0x110,
                             .ver = {1, 2, 0x0304, 0x05060708}, .pad = 0};
    static const uint8_t want[32] = {0x3d, 0xb8, 0xf3, 0x96, 0, 0, 0, 0x20, 0, 2, 0x18, 0,
                                     0x45, 0x23, 1, 0, 0x10, 1, 0, 0, 1, 2, 4, 3,
                                     8, 7, 6, 5, 0, 0, 0, 0};
    uint8_t raw[32];
    struct image_header back;
    image_header_encode(raw, &h);
    assert_memory_equal(raw, want, 32);
    assert_int_equal(image_header_decode(&back, raw), 0);
    assert_memory_equal(&back, &h, sizeof(h));
    raw[0] ^= 1;
    assert_int_equal(image_header_decode(&back, raw), DFU_EBADMSG);
    raw[0] ^= 1;
    store16_le(raw + 8, 31);
    assert_int_equal(image_header_decode(&back, raw), DFU_EBADMSG);
}

static void image_format_no_image(void **state)
{
    uint8_t mem[4096];
    struct ramflash rf;
    struct image_header h;
    memset(mem, 0xff, sizeof(mem));
    ramflash_init(&rf, mem, sizeof(mem), 4096, 8, 0xff);
    struct flash_area fa = ramflash_area(&rf, 0, sizeof(mem), 1);
    assert_int_equal(image_header_read(&fa, &h), DFU_ENOENT);
    assert_int_equal(image_validate(&fa, NULL, 0, tmp, sizeof(tmp), NULL), DFU_ENOENT);
    fa.size = 16;
    assert_int_equal(image_header_read(&fa, &h), DFU_ERANGE);
    fa.size = 4096;
    assert_int_equal(image_validate(&fa, NULL, 0, tmp, 63, NULL), DFU_ENOMEM);
}

static void image_format_hash_only_with_protected(void **state)
{
    struct util_image_opts o = opts(NULL, UTIL_SIG_NONE, 0);
    struct img m;
    struct image_info info;
    make(&m, &o);
    assert_int_equal(validate(&m, &info), 0);
    assert_int_equal(info.key_index, -1);
    assert_true(info.has_sec_cnt);
    assert_int_equal(info.sec_cnt, 7);
    size_t prot_size = 4 + (4 + 4) + 2 * (4 + 12) + (4 + 3) + (4 + 5) + 4;
    assert_int_equal(info.hdr.protect_tlv_size, prot_size);
    assert_int_equal(info.layout.prot_off, 0x40 + 1500);
    assert_int_equal(info.layout.prot_size, prot_size);
    assert_int_equal(info.layout.unprot_off, 0x40 + 1500 + prot_size);
    assert_int_equal(info.layout.total_size, m.len);

    uint32_t cnt = 0;
    assert_int_equal(image_read_security_counter(&m.flash.fa, &info.hdr, &cnt), 0);
    assert_int_equal(cnt, 7);
    struct image_dependency deps[4];
    assert_int_equal(image_read_dependencies(&m.flash.fa, &info.hdr, deps, 4), 2);
    assert_int_equal(deps[0].image_id, 1);
    assert_int_equal(deps[0].ver.major, 2);
    assert_int_equal(deps[0].ver.minor, 3);
    assert_int_equal(deps[0].ver.revision, 4);
    assert_int_equal(deps[0].ver.build, 5);
    assert_int_equal(deps[1].image_id, 0);
    assert_int_equal(deps[1].ver.revision, 0x1234);
    assert_int_equal(deps[1].ver.build, 0x01000000);
    assert_int_equal(image_read_dependencies(&m.flash.fa, &info.hdr, deps, 1), DFU_ENOSPC);

    /* Iteration: protected TLVs first, in order, flagged, then the unprotected hash. */
    struct image_tlv_iter it;
    struct image_tlv tlv;
    assert_int_equal(image_tlv_iter_begin(&it, &m.flash.fa, &info.hdr, IMAGE_TLV_ANY, false), 0);
    uint32_t off = info.layout.prot_off + 4;
    for (size_t i = 0; i < NPROT; i++) {
        assert_int_equal(image_tlv_iter_next(&it, &tlv), 0);
        assert_int_equal(tlv.type, prot_tlvs[i].type);
        assert_int_equal(tlv.len, prot_tlvs[i].len);
        assert_int_equal(tlv.off, off + 4);
        assert_true(tlv.is_protected);
        off += 4u + tlv.len;
    }
    assert_int_equal(image_tlv_iter_next(&it, &tlv), 0);
    assert_int_equal(tlv.type, IMAGE_TLV_SHA256);
    assert_int_equal(tlv.off, info.layout.unprot_off + 8);
    assert_false(tlv.is_protected);
    assert_int_equal(image_tlv_iter_next(&it, &tlv), 1);
    assert_int_equal(image_tlv_iter_next(&it, &tlv), 1);
    /* Protected only: the SHA256 TLV is never reached. */
    assert_int_equal(image_tlv_iter_begin(&it, &m.flash.fa, &info.hdr, IMAGE_TLV_SHA256, true), 0);
    assert_int_equal(image_tlv_iter_next(&it, &tlv), 1);
    drop(&m);
}

/* Signed with Ed25519 (KEYHASH) and ECDSA P-256 (KEYHASH and PUBKEY): valid, and every byte
 * of the header, the protected area and a sample of the body is covered. */
static void image_format_signed_every_byte(void **state)
{
    static const struct {
        const char *key;
        enum util_sig sig;
        int pure;
    } cases[] = {
        {ED_KEY, UTIL_SIG_KEYHASH, 0}, {ED_KEY, UTIL_SIG_PUBKEY, 0},
        {EC_KEY, UTIL_SIG_KEYHASH, 0}, {EC_KEY, UTIL_SIG_PUBKEY, 0},
        {ED_KEY, UTIL_SIG_KEYHASH, 1}, {ED_KEY, UTIL_SIG_PUBKEY, 1},
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        struct util_image_opts o = opts(cases[c].key, cases[c].sig, cases[c].pure);
        struct img m;
        struct image_info info;
        make(&m, &o);
        assert_int_equal(validate(&m, &info), 0);
        assert_int_equal(info.key_index, 0);
        assert_int_equal(info.hash_alg, cases[c].pure ? CRYPTO_SHA512 : CRYPTO_SHA256);
        uint8_t *mem = m.flash.mem;
        uint32_t prot_end = info.layout.prot_off + info.layout.prot_size;
        for (uint32_t off = 0; off < prot_end; off += off < 0x40 || off >= 0x40 + 1500 ? 1 : 97) {
            mem[off] ^= 0x10;
            int err = validate(&m, NULL);
            if (err == 0) {
                fail_msg("case %zu: byte 0x%x altered still validates", c, off);
            }
            mem[off] ^= 0x10;
        }
        assert_int_equal(validate(&m, NULL), 0);
        drop(&m);
    }
}

/* A trusted key that did not sign the image, found by KEYHASH or PUBKEY: DFU_ESIG. */
static void image_format_wrong_key(void **state)
{
    static const enum util_sig sigs[] = {UTIL_SIG_KEYHASH, UTIL_SIG_PUBKEY};
    for (size_t c = 0; c < 2; c++) {
        struct util_image_opts o = opts(ED_KEY, sigs[c], 0);
        struct img m;
        make(&m, &o);
        size_t len;
        uint8_t *other = util_pem_key_bytes(VEC_DIR "pub-ecdsa-p256.pem", &len);
        struct image_key keys[2] = {{other, len}, m.key};
        struct image_info info;
        assert_int_equal(image_validate(&m.flash.fa, keys, 1, tmp, sizeof(tmp), NULL), DFU_ESIG);
        assert_int_equal(image_validate(&m.flash.fa, keys, 2, tmp, sizeof(tmp), &info), 0);
        assert_int_equal(info.key_index, 1);
        free(other);
        drop(&m);
    }
}

/* Appends one unprotected TLV to an image and fixes the unprotected info. */
static void append_tlv(struct img *m, uint16_t type, uint16_t len, const uint8_t *val)
{
    struct image_info info;
    assert_int_equal(image_validate(&m->flash.fa, NULL, 0, tmp, sizeof(tmp), &info), 0);
    uint8_t *b = realloc(m->bytes, m->len + 4 + len);
    assert_non_null(b);
    m->bytes = b;
    store16_le(b + m->len, type);
    store16_le(b + m->len + 2, len);
    if (len) {
        memcpy(b + m->len + 4, val, len);
    }
    m->len += 4u + len;
    store16_le(b + info.layout.unprot_off + 2, (uint16_t)(info.layout.unprot_size + 4 + len));
    util_flash_free(&m->flash);
    util_flash_load(&m->flash, m->bytes, m->len);
}

static void image_format_tlv_policy(void **state)
{
    /* Unknown types in the protected area. */
    static const uint16_t bad_prot[] = {0x0001, 0x0010, 0x0030, 0x0041, 0x009f, 0x0120};
    for (size_t i = 0; i < sizeof(bad_prot) / sizeof(bad_prot[0]); i++) {
        struct util_tlv t[2] = {{IMAGE_TLV_SEC_CNT, 4, sec_cnt}, {bad_prot[i], 4, sec_cnt}};
        struct util_image_opts o = opts(ED_KEY, UTIL_SIG_KEYHASH, 0);
        o.prot = t;
        o.prot_count = 2;
        struct img m;
        make(&m, &o);
        assert_int_equal(validate(&m, NULL), DFU_EBADMSG);
        drop(&m);
    }
    /* Malformed known protected TLVs. */
    static const struct util_tlv bad_len[] = {
        {IMAGE_TLV_SEC_CNT, 3, sec_cnt}, {IMAGE_TLV_DEPENDENCY, 11, dep1},
    };
    for (size_t i = 0; i < 2; i++) {
        struct util_image_opts o = opts(ED_KEY, UTIL_SIG_KEYHASH, 0);
        o.prot = &bad_len[i];
        o.prot_count = 1;
        struct img m;
        make(&m, &o);
        assert_int_equal(validate(&m, NULL), DFU_EBADMSG);
        struct image_header h;
        assert_int_equal(image_header_read(&m.flash.fa, &h), 0);
        uint32_t cnt;
        struct image_dependency d[2];
        assert_int_equal(i == 0 ? image_read_security_counter(&m.flash.fa, &h, &cnt)
                                : image_read_dependencies(&m.flash.fa, &h, d, 2),
                         DFU_EBADMSG);
        drop(&m);
    }
    {
        struct util_tlv t[2] = {{IMAGE_TLV_SEC_CNT, 4, sec_cnt}, {IMAGE_TLV_SEC_CNT, 4, sec_cnt}};
        struct util_image_opts o = opts(NULL, UTIL_SIG_NONE, 0);
        o.prot = t;
        o.prot_count = 2;
        struct img m;
        make(&m, &o);
        assert_int_equal(validate(&m, NULL), DFU_EBADMSG);
        drop(&m);
    }
    /* Unprotected: a second hash, and types that belong in the protected area. */
    static const uint16_t bad_unprot[] = {IMAGE_TLV_SHA256, IMAGE_TLV_SEC_CNT,
                                          IMAGE_TLV_DEPENDENCY, 0x00a0, 0x0003};
    for (size_t i = 0; i < sizeof(bad_unprot) / sizeof(bad_unprot[0]); i++) {
        struct util_image_opts o = opts(NULL, UTIL_SIG_NONE, 0);
        struct img m;
        uint8_t val[32] = {0};
        make(&m, &o);
        append_tlv(&m, bad_unprot[i], bad_unprot[i] == IMAGE_TLV_SHA256 ? 32 : 4, val);
        assert_int_equal(validate(&m, NULL), DFU_EBADMSG);
        drop(&m);
    }
    /* No hash TLV at all: an image with only a SEC_CNT-free unprotected area. */
    {
        struct util_image_opts o = opts(NULL, UTIL_SIG_NONE, 0);
        struct img m;
        make(&m, &o);
        struct image_info info;
        assert_int_equal(validate(&m, &info), 0);
        store16_le(m.flash.mem + info.layout.unprot_off + 2, 4); /* empty unprotected area */
        assert_int_equal(validate(&m, NULL), DFU_EBADMSG);
        enum crypto_hash_alg alg;
        assert_int_equal(image_hash_alg(&m.flash.fa, &info.hdr, &alg), DFU_ENOENT);
        drop(&m);
    }
}

/* Pure needs SHA-512 and Ed25519; a SIG_PURE marker on a digest signature fails. */
static void image_format_pure_rules(void **state)
{
    struct util_image_opts o = opts(ED_KEY, UTIL_SIG_KEYHASH, 0);
    struct img m;
    uint8_t one = 1;
    make(&m, &o);
    assert_int_equal(validate(&m, NULL), 0);
    append_tlv(&m, IMAGE_TLV_SIG_PURE, 1, &one);
    assert_int_equal(validate(&m, NULL), DFU_ESIG);
    drop(&m);

    o = opts(EC_KEY, UTIL_SIG_KEYHASH, 0);
    make(&m, &o);
    append_tlv(&m, IMAGE_TLV_SIG_PURE, 1, &one);
    assert_int_equal(validate(&m, NULL), DFU_ESIG);
    drop(&m);

    /* The marker itself: one byte of value 1, once. */
    static const uint8_t two[2] = {1, 1};
    o = opts(ED_KEY, UTIL_SIG_KEYHASH, 1);
    make(&m, &o);
    assert_int_equal(validate(&m, NULL), 0);
    append_tlv(&m, IMAGE_TLV_SIG_PURE, 1, &one);
    assert_int_equal(validate(&m, NULL), DFU_EBADMSG);
    drop(&m);
    for (size_t i = 0; i < 3; i++) {
        o = opts(ED_KEY, UTIL_SIG_KEYHASH, 0);
        make(&m, &o);
        append_tlv(&m, IMAGE_TLV_SIG_PURE, i == 0 ? 0 : i == 1 ? 2 : 1, i == 2 ? two + 1 : two);
        if (i == 2) {
            m.flash.mem[m.len - 1] = 2; /* value 2 */
        }
        assert_int_equal(validate(&m, NULL), DFU_EBADMSG);
        drop(&m);
    }
}

/* Every kind of size that does not fit, including sums that would wrap in 32 bits. */
static void image_format_bad_sizes(void **state)
{
    struct util_image_opts o = opts(ED_KEY, UTIL_SIG_KEYHASH, 0);
    struct img m;
    struct image_info info;
    make(&m, &o);
    assert_int_equal(validate(&m, &info), 0);
    uint8_t *mem = m.flash.mem;
    uint8_t saved[32];
    memcpy(saved, mem, 32);
    static const struct {
        size_t off;
        int width;
        uint32_t value;
        int err;
    } cases[] = {
        {12, 4, 0xffffffffu, DFU_ERANGE},           /* img_size */
        {12, 4, 0xffffffffu - 0x3f, DFU_ERANGE},    /* hdr + img wraps to 0 in 32 bits */
        {12, 4, 0xffffffffu - 0x3f - 10, DFU_ERANGE},
        {8, 2, 0xffff, DFU_ERANGE},                 /* hdr_size */
        {8, 2, 0x1f, DFU_EBADMSG},
        {10, 2, 0xffff, DFU_ERANGE},                /* protect_tlv_size */
        {10, 2, 2, DFU_EBADMSG},
        {10, 2, 0, DFU_EBADMSG},                    /* unprotected magic expected, 0x6908 found */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (cases[i].width == 4) {
            store32_le(mem + cases[i].off, cases[i].value);
        } else {
            store16_le(mem + cases[i].off, (uint16_t)cases[i].value);
        }
        int err = validate(&m, NULL);
        if (err != cases[i].err) {
            fail_msg("case %zu: %d, want %d", i, err, cases[i].err);
        }
        memcpy(mem, saved, 32);
    }
    /* Protected size one more than its info says, and vice versa. */
    store16_le(mem + 10, (uint16_t)(info.hdr.protect_tlv_size + 4));
    assert_int_equal(validate(&m, NULL), DFU_EBADMSG);
    memcpy(mem, saved, 32);
    uint8_t *pinfo = mem + info.layout.prot_off;
    store16_le(pinfo + 2, (uint16_t)(info.layout.prot_size - 4));
    assert_int_equal(validate(&m, NULL), DFU_EBADMSG);
    store16_le(pinfo + 2, (uint16_t)info.layout.prot_size);
    store16_le(pinfo, 0x6907);
    assert_int_equal(validate(&m, NULL), DFU_EBADMSG);
    store16_le(pinfo, 0x6908);
    /* Unprotected info: past the end, too small, wrong magic. */
    uint8_t *uinfo = mem + info.layout.unprot_off;
    store16_le(uinfo + 2, 0xffff);
    assert_int_equal(validate(&m, NULL), DFU_ERANGE);
    store16_le(uinfo + 2, 3);
    assert_int_equal(validate(&m, NULL), DFU_EBADMSG);
    store16_le(uinfo + 2, (uint16_t)info.layout.unprot_size);
    store16_le(uinfo, 0x6908);
    assert_int_equal(validate(&m, NULL), DFU_EBADMSG);
    store16_le(uinfo, 0x6907);
    assert_int_equal(validate(&m, NULL), 0);
    drop(&m);
}

/* TLV lengths that run past their area, in either area. */
static void image_format_tlv_past_end(void **state)
{
    struct util_image_opts o = opts(ED_KEY, UTIL_SIG_KEYHASH, 0);
    struct img m;
    struct image_info info;
    make(&m, &o);
    assert_int_equal(validate(&m, &info), 0);
    uint8_t *mem = m.flash.mem;
    /* The last protected TLV (0x12ff, len 0) and the last unprotected one (the signature). */
    uint32_t last_prot = info.layout.prot_off + info.layout.prot_size - 4;
    uint32_t last_unprot = info.layout.total_size - 4 - 64;
    static const uint16_t lens[] = {1, 4, 0x100, 0xffff};
    for (size_t i = 0; i < 4; i++) {
        store16_le(mem + last_prot + 2, lens[i]);
        assert_int_equal(validate(&m, NULL), DFU_EBADMSG);
        struct image_tlv_iter it;
        struct image_tlv tlv;
        int err;
        assert_int_equal(image_tlv_iter_begin(&it, &m.flash.fa, &info.hdr, IMAGE_TLV_ANY, true), 0);
        while ((err = image_tlv_iter_next(&it, &tlv)) == 0) {
            assert_true(tlv.off + tlv.len <= info.layout.prot_off + info.layout.prot_size);
        }
        assert_int_equal(err, DFU_EBADMSG);
        store16_le(mem + last_prot + 2, 0);
        store16_le(mem + last_unprot + 2, (uint16_t)(64 + lens[i]));
        assert_int_equal(validate(&m, NULL), DFU_EBADMSG);
        store16_le(mem + last_unprot + 2, 64);
    }
    /* A TLV header cut by the end of the area (unprotected size 2 bytes short). */
    store16_le(mem + info.layout.unprot_off + 2, (uint16_t)(info.layout.unprot_size - 66));
    assert_int_equal(validate(&m, NULL), DFU_EBADMSG);
    store16_le(mem + info.layout.unprot_off + 2, (uint16_t)info.layout.unprot_size);
    assert_int_equal(validate(&m, NULL), 0);
    drop(&m);
}

/* The image can be programmed with flash writes (RAM flash enforces NOR rules) and read back
 * through an area that is not at device offset 0. */
static void image_format_on_flash_area(void **state)
{
    struct util_image_opts o = opts(EC_KEY, UTIL_SIG_KEYHASH, 0);
    size_t len;
    uint8_t *img = util_build_image(&o, &len);
    size_t klen;
    uint8_t *key = util_pem_key_bytes(EC_KEY, &klen);
    struct image_key k = {key, klen};
    static uint8_t mem[3 * 4096];
    struct ramflash rf;
    memset(mem, 0xff, sizeof(mem));
    ramflash_init(&rf, mem, sizeof(mem), 4096, 8, 0xff);
    struct flash_area fa = ramflash_area(&rf, 4096, 8192, 1);
    size_t padded = (len + 7) / 8 * 8;
    uint8_t *buf = malloc(padded);
    memset(buf, 0xff, padded);
    memcpy(buf, img, len);
    assert_int_equal(flash_area_write(&fa, 0, buf, (uint32_t)padded), 0);
    assert_int_equal(flash_area_write(&fa, 0, buf, 8), DFU_EINVAL);      /* not erased */
    assert_int_equal(flash_area_write(&fa, (uint32_t)padded + 1, buf, 8), DFU_EINVAL);
    struct image_info info;
    assert_int_equal(image_validate(&fa, &k, 1, tmp, sizeof(tmp), &info), 0);
    assert_true(rf.reads > 0);
    assert_int_equal(flash_area_erase(&fa, 0, 4096), 0);
    assert_int_equal(image_validate(&fa, &k, 1, tmp, sizeof(tmp), &info), DFU_ENOENT);
    free(buf);
    free(key);
    free(img);
}

/* Two signatures (Ed25519, then ECDSA P-256 appended): either trusted key is enough, and a
 * broken first signature does not hide a good second one. */
static void image_format_two_signatures(void **state)
{
    struct util_image_opts o = opts(ED_KEY, UTIL_SIG_KEYHASH, 0);
    struct util_image_opts o2 = opts(EC_KEY, UTIL_SIG_KEYHASH, 0);
    struct img m, ec;
    struct image_info info;
    make(&m, &o);
    make(&ec, &o2);
    /* Same hashed bytes in both, so the ECDSA image's KEYHASH + signature fit the first. */
    assert_int_equal(validate(&ec, &info), 0);
    uint32_t sig_tlvs = info.layout.unprot_off + 4 + 4 + 32; /* after the SHA256 TLV */
    assert_int_equal(image_validate(&m.flash.fa, NULL, 0, tmp, sizeof(tmp), &info), 0);
    uint32_t kh_len = 4 + 32, sig_len = 4u + ec.bytes[sig_tlvs + kh_len + 2];
    append_tlv(&m, IMAGE_TLV_KEYHASH, 32, ec.bytes + sig_tlvs + 4);
    append_tlv(&m, IMAGE_TLV_ECDSA_SIG, (uint16_t)(sig_len - 4), ec.bytes + sig_tlvs + kh_len + 4);
    struct image_key keys[2] = {m.key, ec.key};
    assert_int_equal(image_validate(&m.flash.fa, &keys[1], 1, tmp, sizeof(tmp), &info), 0);
    assert_int_equal(info.key_index, 0);
    assert_int_equal(image_validate(&m.flash.fa, keys, 2, tmp, sizeof(tmp), &info), 0);
    assert_int_equal(info.key_index, 0);
    /* Break the Ed25519 signature: the ECDSA one still verifies, with the second key. */
    assert_int_equal(image_validate(&m.flash.fa, NULL, 0, tmp, sizeof(tmp), &info), 0);
    uint32_t ed_sig = info.layout.unprot_off + 4 + (4 + 32) + (4 + 32) + 4;
    m.flash.mem[ed_sig] ^= 1;
    assert_int_equal(image_validate(&m.flash.fa, keys, 1, tmp, sizeof(tmp), NULL), DFU_ESIG);
    assert_int_equal(image_validate(&m.flash.fa, keys, 2, tmp, sizeof(tmp), &info), 0);
    assert_int_equal(info.key_index, 1);
    drop(&m);

    /* A KEYHASH selects only the signature right after it: a good ECDSA signature that
     * follows a broken one without its own KEYHASH is not used. */
    make(&m, &o2);
    assert_int_equal(validate(&m, NULL), 0);
    append_tlv(&m, IMAGE_TLV_ECDSA_SIG, (uint16_t)(sig_len - 4), ec.bytes + sig_tlvs + kh_len + 4);
    assert_int_equal(validate(&m, NULL), 0);
    m.flash.mem[sig_tlvs + kh_len + 4 + 8] ^= 1; /* break the first signature */
    assert_int_equal(validate(&m, NULL), DFU_ESIG);
    drop(&m);
    drop(&ec);
}

static void image_format_hash_alg(void **state)
{
    struct util_image_opts o = opts(NULL, UTIL_SIG_NONE, 0);
    struct img m;
    struct image_header h;
    enum crypto_hash_alg alg = CRYPTO_SHA512;
    make(&m, &o);
    assert_int_equal(image_header_read(&m.flash.fa, &h), 0);
    assert_int_equal(image_hash_alg(&m.flash.fa, &h, &alg), 0);
    assert_int_equal(alg, CRYPTO_SHA256);
    uint8_t zeros[48] = {0};
    append_tlv(&m, IMAGE_TLV_SHA384, 48, zeros);
    assert_int_equal(image_hash_alg(&m.flash.fa, &h, &alg), DFU_EBADMSG);
    drop(&m);
    o.pure = 1;
    make(&m, &o);
    assert_int_equal(image_hash_alg(&m.flash.fa, &h, &alg), 0);
    assert_int_equal(alg, CRYPTO_SHA512);
    drop(&m);
    /* A hash TLV inside the protected area is refused by both. */
    struct util_tlv t = {IMAGE_TLV_SHA256, 32, zeros};
    o = opts(NULL, UTIL_SIG_NONE, 0);
    o.prot = &t;
    o.prot_count = 1;
    make(&m, &o);
    assert_int_equal(image_header_read(&m.flash.fa, &h), 0);
    assert_int_equal(image_hash_alg(&m.flash.fa, &h, &alg), DFU_EBADMSG);
    assert_int_equal(validate(&m, NULL), DFU_EBADMSG);
    drop(&m);
    assert_int_equal(image_hash_tlv_alg(IMAGE_TLV_SHA384, &alg), 0);
    assert_int_equal(alg, CRYPTO_SHA384);
    assert_int_equal(image_hash_tlv_alg(IMAGE_TLV_KEYHASH, &alg), DFU_ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(image_format_header_codec),
        cmocka_unit_test(image_format_no_image),
        cmocka_unit_test(image_format_hash_only_with_protected),
        cmocka_unit_test(image_format_signed_every_byte),
        cmocka_unit_test(image_format_wrong_key),
        cmocka_unit_test(image_format_tlv_policy),
        cmocka_unit_test(image_format_pure_rules),
        cmocka_unit_test(image_format_bad_sizes),
        cmocka_unit_test(image_format_tlv_past_end),
        cmocka_unit_test(image_format_on_flash_area),
        cmocka_unit_test(image_format_two_signatures),
        cmocka_unit_test(image_format_hash_alg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
